package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"text/tabwriter"
	"time"

	"chuyenhoa/csvimport"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// The import benchmark: `chuyenhoa import statistics` of a generated CSV
// of a given size, its time and its heap peak, and on PostgreSQL, side by
// side in the same run, `psql \copy` of the same file into the same
// (emptied) table: the floor any import that checks nothing can reach.
//
//	BENCH_IMPORT  size of the statistics CSV in MB (default 8; 0 skips)

// importUnits and importOffences shape the generated file: rows come
// unit by unit, day by day, one per offence type, as a province's export
// does.
const (
	importUnits    = BaseUnits
	importOffences = 12
)

// importRow is one line of the imports table.
type importRow struct {
	Backend string
	Bytes   int64
	Rows    int64
	Ours    Sample
	Copy    Sample // psql \copy; zero on SQLite
	Ratios  []float64
	// Again is the same file imported once more over its rows: every key
	// stored with the same count (the merge, which writes nothing).
	Again Sample
}

// Ratio is the median of the runs' ratios of our time over psql's (each
// run measures both back to back, as Row.Ratio explains).
func (r importRow) Ratio() float64 {
	if len(r.Ratios) == 0 {
		return 0
	}
	return middle(r.Ratios)
}

// WriteStatsCSV writes a statistics file of about size bytes (as many
// whole days of every unit as fit) over units U00001… and offences O01…
// from 2021-01-01 on, and returns its rows. It gives up with an error
// rather than write days after today.
func WriteStatsCSV(w io.Writer, size int64, units, offences int, today time.Time) (int64, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	n, err := bw.WriteString("unit_code,day,offence_code,count\n")
	written, rows := int64(n), int64(0)
	if err != nil {
		return 0, err
	}
	perUnit := max(1, (size/int64(units))/int64(offences*len("U00001,2021-01-01,O01,3\n")))
	first := period.Date(2021, 1, 1)
	if last := first.AddDate(0, 0, int(perUnit)-1); last.After(today) {
		return 0, fmt.Errorf("%d bytes need %d days a unit, past today", size, perUnit)
	}
	var line []byte
	for u := 1; u <= units && written < size; u++ {
		for d := range int(perUnit) {
			day := first.AddDate(0, 0, d).Format(time.DateOnly)
			for o := 1; o <= offences; o++ {
				line = fmt.Appendf(line[:0], "U%05d,%s,O%02d,%d\n", u, day, o, (u*7+d*3+o)%13)
				n, err := bw.Write(line)
				if err != nil {
					return 0, err
				}
				written += int64(n)
				rows++
			}
		}
	}
	return rows, bw.Flush()
}

// importDataset is what the statistics refer to: the units and offence
// types WriteStatsCSV names.
func importDataset(units, offences int) *store.Dataset {
	ds := &store.Dataset{}
	for u := 1; u <= units; u++ {
		ds.Units = append(ds.Units, store.UnitRow{Unit: rules.Unit{Code: fmt.Sprintf("U%05d", u), Name: fmt.Sprintf("Xã %d", u), Kind: "xa"}})
	}
	for o := 1; o <= offences; o++ {
		ds.Offences = append(ds.Offences, store.Offence{Code: fmt.Sprintf("O%02d", o), Name: fmt.Sprintf("Tội %d", o),
			Category: rules.Category(1 + o%4), SocialOrder: o%2 == 0})
	}
	return ds
}

// benchImport measures importing a statistics file of mb MB into backend,
// runs times, each into an emptied crime_stats; on PostgreSQL each run
// also copies the file with psql \copy, alternating which goes first.
func benchImport(ctx context.Context, o Options, backend string, mb int, log io.Writer) (importRow, error) {
	row := importRow{Backend: backend}
	dir, err := os.MkdirTemp("", "chuyenhoa-import-")
	if err != nil {
		return row, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "statistics.csv")
	f, err := os.Create(path)
	if err != nil {
		return row, err
	}
	today := period.Day(time.Now(), time.UTC)
	row.Rows, err = WriteStatsCSV(f, int64(mb)<<20, importUnits, importOffences, today)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return row, fmt.Errorf("write the statistics file: %w", err)
	}
	if fi, err := os.Stat(path); err == nil {
		row.Bytes = fi.Size()
	}
	t, s, done, err := openTarget(ctx, backend, o.Postgres, log)
	if err != nil {
		return row, err
	}
	defer done()
	if err := s.Load(ctx, importDataset(importUnits, importOffences)); err != nil {
		return row, err
	}
	empty := func() error {
		q := "DELETE FROM crime_stats"
		if backend == store.Postgres {
			q = "TRUNCATE crime_stats" // no dead rows left for the next run
		}
		_, err := s.DB().ExecContext(ctx, q)
		return err
	}
	fmt.Fprintf(log, "%s import: %.0f MB, %d statistic rows; measuring…\n", backend, float64(row.Bytes)/(1<<20), row.Rows)
	imp := func() (Sample, error) {
		return Measure(func() error {
			n, err := csvimport.ImportFile(ctx, s, "statistics", path, csvimport.Options{Today: today})
			if err == nil && int64(n) != row.Rows {
				err = fmt.Errorf("imported %d rows of %d", n, row.Rows)
			}
			return err
		})
	}
	ours := func() (Sample, error) {
		if err := empty(); err != nil {
			return Sample{}, err
		}
		return imp()
	}
	psqlCopy := func() (Sample, error) {
		if err := empty(); err != nil {
			return Sample{}, err
		}
		return Measure(func() error { return psqlCopyFile(ctx, t.URL, path) })
	}
	var us, cs []Sample
	pg := backend == store.Postgres
	for i := range o.Runs {
		var (
			u, c Sample
			err  error
		)
		if pg && i%2 == 1 {
			if c, err = psqlCopy(); err == nil {
				u, err = ours()
			}
		} else if u, err = ours(); err == nil && pg {
			c, err = psqlCopy()
		}
		if err != nil {
			return row, err
		}
		us = append(us, u)
		if pg {
			cs = append(cs, c)
			row.Ratios = append(row.Ratios, u.Wall.Seconds()/c.Wall.Seconds())
		}
	}
	row.Ours, row.Copy = median(us), median(cs)
	if row.Again, err = imp(); err != nil {
		return row, fmt.Errorf("import again: %w", err)
	}
	return row, nil
}

// psqlCopyFile copies the statistics file at path into crime_stats of the
// database at dbURL with psql's \copy, the client-side COPY FROM of the
// same CSV. The URL's search_path (the benchmark's schema), which libpq
// does not take in a URL, is passed in PGOPTIONS.
func psqlCopyFile(ctx context.Context, dbURL, path string) error {
	u, err := url.Parse(dbURL)
	if err != nil {
		return err
	}
	q := u.Query()
	schema := q.Get("search_path")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	cmd := exec.CommandContext(ctx, "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", u.String(),
		"-c", `\copy crime_stats (unit_code, day, offence_code, count) FROM '`+path+`' WITH (FORMAT csv, HEADER true)`)
	cmd.Env = append(os.Environ(), "PGOPTIONS=-c search_path="+schema)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("psql \\copy: %w: %s", err, bytes.TrimSpace(out.Bytes()))
	}
	return nil
}

// PrintImport writes the imports table.
func PrintImport(w io.Writer, rows []importRow) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "backend\tfile\tstat rows\timport\theap peak\talloc\tRSS peak Δ\tpsql \\copy\tratio\tagain (all stored)\theap peak\t")
	for _, r := range rows {
		copyTime, ratio := "n/a", "n/a"
		if len(r.Ratios) > 0 {
			copyTime, ratio = ms(r.Copy.Wall), fmt.Sprintf("%.2f×", r.Ratio())
		}
		fmt.Fprintf(tw, "%s\t%.0f MB\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Backend, float64(r.Bytes)/(1<<20), r.Rows, ms(r.Ours.Wall),
			mib(int64(r.Ours.HeapPeak)), mib(int64(r.Ours.Alloc)), mib(r.Ours.RSSPeak), copyTime, ratio, ms(r.Again.Wall), mib(int64(r.Again.HeapPeak)))
	}
	tw.Flush()
}
