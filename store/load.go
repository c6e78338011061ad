package store

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"chuyenhoa/rules"

	"github.com/jmoiron/sqlx"
)

// UnitRow is a unit with its validity; a zero ValidFrom or ValidTo is
// stored as NULL (open-ended).
type UnitRow struct {
	rules.Unit
	ValidFrom, ValidTo time.Time
}

// Offence is an offence type of the statistics.
type Offence struct {
	Code        string         `db:"code"`
	Name        string         `db:"name"`
	Category    rules.Category `db:"category"`
	SocialOrder bool           `db:"social_order"` // counts as a crime against social order
}

// Stat is one unit's count of one offence type on one day.
type Stat struct {
	Unit    string `db:"unit_code"`
	Day     time.Time
	Offence string `db:"offence_code"`
	Count   int    `db:"count"`
}

// SubmissionRow is a report received, at an instant.
type SubmissionRow struct {
	District    string `db:"district_code"`
	Obligation  string `db:"obligation"`
	Period      string `db:"period"`
	Unit        string `db:"unit_code"`
	SubmittedAt time.Time
}

// Dataset is a batch of read-contract rows to upsert.
type Dataset struct {
	Districts   []rules.District
	Units       []UnitRow
	Offences    []Offence
	Stats       []Stat
	Selections  []rules.Selection
	Assessments []rules.Assessment
	Submissions []SubmissionRow
}

// maxProblems caps how many bad rows one validation reports.
const maxProblems = 10

// Validate checks every row before anything is written: required fields,
// categories, non-negative counts, and that no key appears twice (which
// would make the result depend on row order).
func (d *Dataset) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		if len(errs) < maxProblems {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	day := func(t time.Time) string { return t.Format(time.DateOnly) }

	seen := map[string]int{}
	dup := func(table string, i int, key ...string) {
		k := table + "\x00" + strings.Join(key, "\x00")
		if j, ok := seen[k]; ok {
			bad("%s[%d] (%s): same key as %s[%d]", table, i, strings.Join(key, ", "), table, j)
			return
		}
		seen[k] = i
	}

	for i, r := range d.Districts {
		switch {
		case r.Code == "":
			bad("Districts[%d]: empty code", i)
		case r.Name == "":
			bad("Districts[%d] (%s): empty name", i, r.Code)
		}
		dup("Districts", i, r.Code)
	}
	for i, r := range d.Units {
		switch {
		case r.Code == "":
			bad("Units[%d]: empty code", i)
		case r.Name == "":
			bad("Units[%d] (%s): empty name", i, r.Code)
		case !r.ValidFrom.IsZero() && !r.ValidTo.IsZero() && r.ValidTo.Before(r.ValidFrom):
			bad("Units[%d] (%s): valid to %s is before valid from %s", i, r.Code, day(r.ValidTo), day(r.ValidFrom))
		}
		dup("Units", i, r.Code)
	}
	for i, r := range d.Offences {
		switch {
		case r.Code == "":
			bad("Offences[%d]: empty code", i)
		case r.Name == "":
			bad("Offences[%d] (%s): empty name", i, r.Code)
		case !r.Category.Valid():
			bad("Offences[%d] (%s): category %d, want 1..4", i, r.Code, r.Category)
		}
		dup("Offences", i, r.Code)
	}
	for i, r := range d.Stats {
		switch {
		case r.Unit == "":
			bad("Stats[%d]: empty unit", i)
		case r.Offence == "":
			bad("Stats[%d] (%s): empty offence", i, r.Unit)
		case r.Day.IsZero():
			bad("Stats[%d] (%s, %s): no day", i, r.Unit, r.Offence)
		case r.Count < 0:
			bad("Stats[%d] (%s, %s, %s): negative count %d", i, r.Unit, day(r.Day), r.Offence, r.Count)
		}
		dup("Stats", i, r.Unit, day(r.Day), r.Offence)
	}
	for i, r := range d.Selections {
		switch {
		case r.Year <= 0:
			bad("Selections[%d] (%s): year %d", i, r.Unit, r.Year)
		case r.Unit == "":
			bad("Selections[%d]: empty unit", i)
		case !r.Category.Valid():
			bad("Selections[%d] (%d, %s): category %d, want 1..4", i, r.Year, r.Unit, r.Category)
		case r.DecidedOn.IsZero():
			bad("Selections[%d] (%d, %s): no decision day", i, r.Year, r.Unit)
		}
		dup("Selections", i, fmt.Sprint(r.Year), r.Unit)
	}
	for i, r := range d.Assessments {
		switch {
		case r.Year <= 0:
			bad("Assessments[%d] (%s): year %d", i, r.Unit, r.Year)
		case r.Unit == "":
			bad("Assessments[%d]: empty unit", i)
		case r.AssessedOn.IsZero():
			bad("Assessments[%d] (%d, %s): no assessment day", i, r.Year, r.Unit)
		}
		dup("Assessments", i, fmt.Sprint(r.Year), r.Unit)
	}
	for i, r := range d.Submissions {
		switch {
		case r.District == "":
			bad("Submissions[%d]: empty district", i)
		case r.Obligation == "":
			bad("Submissions[%d] (%s): empty obligation", i, r.District)
		case r.Period == "":
			bad("Submissions[%d] (%s, %s): empty period", i, r.District, r.Obligation)
		case r.SubmittedAt.IsZero():
			bad("Submissions[%d] (%s, %s, %s): no submission time", i, r.District, r.Obligation, r.Period)
		}
		dup("Submissions", i, r.District, r.Obligation, r.Period, r.Unit)
	}
	return errors.Join(errs...)
}

// upsert describes an INSERT ... ON CONFLICT DO UPDATE of one table.
type upsert struct {
	table string
	cols  []string
	key   []string // conflict target; the other columns are updated
}

func (u upsert) sql(rows int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", u.table, strings.Join(u.cols, ", "))
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(u.cols)), ", ") + ")"
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	fmt.Fprintf(&b, " ON CONFLICT (%s) DO UPDATE SET ", strings.Join(u.key, ", "))
	first := true
	for _, c := range u.cols {
		if contains(u.key, c) {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		fmt.Fprintf(&b, "%s = excluded.%s", c, c)
	}
	return b.String()
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// batchRows is how many rows one INSERT carries: few round trips, and far
// below both databases' limits on bound parameters (SQLite 32766, PostgreSQL
// 65535) for our widest table (7 columns).
const batchRows = 500

// write upserts n rows, row(i) giving the values of row i, in multi-row
// statements prepared once per size.
func (u upsert) write(ctx context.Context, tx *sqlx.Tx, n int, row func(i int) []any) error {
	if n == 0 {
		return nil
	}
	stmts := map[int]*sqlx.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	args := make([]any, 0, batchRows*len(u.cols))
	for start := 0; start < n; start += batchRows {
		end := min(start+batchRows, n)
		st, ok := stmts[end-start]
		if !ok {
			var err error
			st, err = tx.PreparexContext(ctx, tx.Rebind(u.sql(end-start)))
			if err != nil {
				return fmt.Errorf("write %s: prepare: %w", u.table, err)
			}
			stmts[end-start] = st
		}
		args = args[:0]
		for i := start; i < end; i++ {
			args = append(args, row(i)...)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("write %s rows %d..%d: %w", u.table, start, end-1, err)
		}
	}
	return nil
}

// Load upserts every row of d in one transaction: all of it is stored, or
// on any error nothing is. Loading the same rows again changes nothing.
// Rows are validated first (see Dataset.Validate).
func (s *Store) Load(ctx context.Context, d *Dataset) error {
	if err := d.Validate(); err != nil {
		return fmt.Errorf("load dataset: %w", err)
	}
	err := s.InTx(ctx, func(tx *Tx) error { return s.writeDataset(ctx, tx, d, nil) })
	if err != nil {
		return fmt.Errorf("load dataset: %w", err)
	}
	return nil
}

// LoadStream stores d as Load does and, in the same transaction, the
// statistic rows stats yields, without ever holding them in memory: on
// PostgreSQL they are copied in (COPY FROM STDIN), on SQLite inserted
// through one prepared multi-row statement. Unlike Load it does not
// upsert them: every (unit, day, offence) must be new, and a key already
// stored fails the load. A bad row (empty unit or offence, no day,
// negative count) fails it too, naming the row; on any failure nothing is
// stored. It returns how many statistic rows were written. Meant for
// filling a database at once (synthetic data, a first import).
func (s *Store) LoadStream(ctx context.Context, d *Dataset, stats iter.Seq[Stat]) (int64, error) {
	if err := d.Validate(); err != nil {
		return 0, fmt.Errorf("load dataset: %w", err)
	}
	var n int64
	err := s.InTx(ctx, func(tx *Tx) error {
		return s.writeDataset(ctx, tx, d, func() error {
			var err error
			if s.dialect == Postgres {
				n, err = copyStats(ctx, tx.tx, stats)
			} else {
				n, err = insertStats(ctx, tx.tx, stats)
			}
			return err
		})
	})
	if err != nil {
		return 0, fmt.Errorf("load dataset: %w", err)
	}
	return n, nil
}

// checkStat is Validate's test of one statistic row, for rows that are
// streamed rather than held in a Dataset.
func checkStat(i int64, r Stat) error {
	switch {
	case r.Unit == "":
		return fmt.Errorf("statistic row %d: empty unit", i)
	case r.Offence == "":
		return fmt.Errorf("statistic row %d (%s): empty offence", i, r.Unit)
	case r.Day.IsZero():
		return fmt.Errorf("statistic row %d (%s, %s): no day", i, r.Unit, r.Offence)
	case r.Count < 0:
		return fmt.Errorf("statistic row %d (%s, %s, %s): negative count %d", i, r.Unit, r.Day.Format(time.DateOnly), r.Offence, r.Count)
	}
	return nil
}

// copyStats streams rows into crime_stats with COPY: lib/pq buffers the
// rows and sends them in chunks, so memory stays flat.
func copyStats(ctx context.Context, tx *sqlx.Tx, stats iter.Seq[Stat]) (int64, error) {
	st, err := tx.PrepareContext(ctx, `COPY crime_stats (unit_code, day, offence_code, count) FROM STDIN`)
	if err != nil {
		return 0, fmt.Errorf("copy crime_stats: %w", err)
	}
	defer st.Close()
	var (
		n    int64
		rerr error
		days dayCache
	)
	for r := range stats {
		if rerr = checkStat(n, r); rerr != nil {
			break
		}
		if _, rerr = st.ExecContext(ctx, r.Unit, days.format(r.Day), r.Offence, r.Count); rerr != nil {
			rerr = fmt.Errorf("copy crime_stats row %d (%s, %s, %s): %w", n, r.Unit, days.format(r.Day), r.Offence, rerr)
			break
		}
		n++
	}
	if rerr != nil {
		return n, rerr
	}
	// The final Exec without arguments ends the COPY; a duplicate key or
	// a bad value anywhere in the stream is reported here.
	if _, err := st.ExecContext(ctx); err != nil {
		return n, fmt.Errorf("copy crime_stats (%d rows): %w", n, err)
	}
	return n, nil
}

// streamBatch is how many statistic rows one SQLite INSERT carries.
const streamBatch = 500

// loadCacheKiB is SQLite's page cache while statistics stream in.
const loadCacheKiB = 512 << 10

// insertStats writes rows into crime_stats through one prepared INSERT of
// streamBatch rows (and one for the remainder).
func insertStats(ctx context.Context, tx *sqlx.Tx, stats iter.Seq[Stat]) (int64, error) {
	insert := func(rows int) string {
		one := "(?, ?, ?, ?)"
		return "INSERT INTO crime_stats (unit_code, day, offence_code, count) VALUES " + one + strings.Repeat(", "+one, rows-1)
	}
	// The rows come in key order, but the day indexes take them in another
	// order: with the default 2 MB page cache most index inserts would
	// read their page back from disk. A large cache for this connection
	// keeps them in memory until the commit; it is put back afterwards.
	var cacheSize int64
	if err := tx.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&cacheSize); err != nil {
		return 0, fmt.Errorf("insert crime_stats: read cache size: %w", err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", loadCacheKiB)); err != nil {
		return 0, fmt.Errorf("insert crime_stats: %w", err)
	}
	defer func() { _, _ = tx.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", cacheSize)) }()
	st, err := tx.PreparexContext(ctx, tx.Rebind(insert(streamBatch)))
	if err != nil {
		return 0, fmt.Errorf("insert crime_stats: prepare: %w", err)
	}
	defer st.Close()
	var (
		n    int64
		days dayCache
	)
	args := make([]any, 0, 4*streamBatch)
	flush := func(st *sqlx.Stmt) error {
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("insert crime_stats rows %d..%d: %w", n-int64(len(args)/4), n-1, err)
		}
		args = args[:0]
		return nil
	}
	for r := range stats {
		if err := checkStat(n, r); err != nil {
			return n, err
		}
		args = append(args, r.Unit, days.format(r.Day), r.Offence, r.Count)
		n++
		if len(args) == cap(args) {
			if err := flush(st); err != nil {
				return n, err
			}
		}
	}
	if len(args) > 0 {
		rest, err := tx.PreparexContext(ctx, tx.Rebind(insert(len(args)/4)))
		if err != nil {
			return n, fmt.Errorf("insert crime_stats: prepare: %w", err)
		}
		defer rest.Close()
		if err := flush(rest); err != nil {
			return n, err
		}
	}
	return n, nil
}

// dayCache formats consecutive rows' days once: streamed statistics come
// ordered by unit and day, so most rows repeat the previous row's day.
type dayCache struct {
	t time.Time
	s string
}

func (c *dayCache) format(t time.Time) string {
	if c.s == "" || !t.Equal(c.t) {
		c.t, c.s = t, t.Format(time.DateOnly)
	}
	return c.s
}

// writeDataset upserts every table of d, in the contract's order; stats,
// when set, runs right after d's own statistics are written.
func (s *Store) writeDataset(ctx context.Context, tx *Tx, d *Dataset, stats func() error) error {
	steps := []struct {
		u   upsert
		n   int
		row func(i int) []any
	}{
		{upsert{"districts", []string{"code", "name", "kind"}, []string{"code"}}, len(d.Districts), func(i int) []any {
			r := d.Districts[i]
			return []any{r.Code, r.Name, r.Kind}
		}},
		{upsert{"units", []string{"code", "name", "kind", "district_code", "ntm_certified_on", "valid_from", "valid_to"}, []string{"code"}}, len(d.Units), func(i int) []any {
			r := d.Units[i]
			var district any
			if r.District != "" {
				district = r.District
			}
			return []any{r.Code, r.Name, r.Kind, district, dateArg(r.NTMCertifiedOn), dateArg(r.ValidFrom), dateArg(r.ValidTo)}
		}},
		{upsert{"offence_types", []string{"code", "name", "category", "social_order"}, []string{"code"}}, len(d.Offences), func(i int) []any {
			r := d.Offences[i]
			return []any{r.Code, r.Name, int(r.Category), r.SocialOrder}
		}},
		{upsert{"crime_stats", []string{"unit_code", "day", "offence_code", "count"}, []string{"unit_code", "day", "offence_code"}}, len(d.Stats), func(i int) []any {
			r := d.Stats[i]
			return []any{r.Unit, dateArg(r.Day), r.Offence, r.Count}
		}},
		{upsert{"selections", []string{"year", "unit_code", "category", "decided_on"}, []string{"year", "unit_code"}}, len(d.Selections), func(i int) []any {
			r := d.Selections[i]
			return []any{r.Year, r.Unit, int(r.Category), dateArg(r.DecidedOn)}
		}},
		{upsert{"assessments", []string{"year", "unit_code", "transformed", "assessed_on"}, []string{"year", "unit_code"}}, len(d.Assessments), func(i int) []any {
			r := d.Assessments[i]
			return []any{r.Year, r.Unit, r.Transformed, dateArg(r.AssessedOn)}
		}},
		{upsert{"submissions", []string{"district_code", "obligation", "period", "unit_code", "submitted_at"}, []string{"district_code", "obligation", "period", "unit_code"}}, len(d.Submissions), func(i int) []any {
			r := d.Submissions[i]
			return []any{r.District, r.Obligation, r.Period, r.Unit, instantArg(s.dialect, r.SubmittedAt)}
		}},
	}
	for _, st := range steps {
		if err := st.u.write(ctx, tx.tx, st.n, st.row); err != nil {
			return err
		}
		if st.u.table == "crime_stats" && stats != nil {
			if err := stats(); err != nil {
				return err
			}
		}
		if s.loadHook != nil {
			if err := s.loadHook(st.u.table); err != nil {
				return err
			}
		}
	}
	return nil
}
