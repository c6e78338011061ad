// Command bench measures the service at sizes up to the whole country
// (10,600 communes, five years of daily statistics) on PostgreSQL and
// SQLite:
//
//   - the full recompute (the candidates, relapse, deadlines and cycle
//     jobs for one day, as jobs.Runner.Run runs them in one round) against
//     the baseline, the aggregation any correct implementation must run:
//     each window's per-unit, per-category counts, once per window the
//     jobs read, the windows one after the other and, as the recompute
//     sums them, side by side; and whether it meets its targets
//     (PrintTargets);
//   - composing and sending 1,000 digests through the outbox and
//     notify.Sender against a plain go-mail loop over one connection.
//
// It prints one table per kind; BENCHMARKS.md explains the numbers. Run it
// with `make bench`. Settings come from flags or, by default, from the
// environment:
//
//	BENCH_SIZES     sizes as multiples of 663 communes, optionally :YEARS
//	                (default "1:1,1,4,16"; 16 is the whole country)
//	BENCH_YEARS     years of statistics when a size names none (default 5)
//	BENCH_BACKENDS  postgres,sqlite (default both)
//	BENCH_RUNS      measured runs of each operation; the median is shown (5)
//	BENCH_MAIL      digests to compose and send (1000; 0 skips mail)
//	BENCH_MAIL_RTT  round trips to the SMTP server to measure mail at
//	                ("0,1ms": the loopback's own, and a server 1 ms away;
//	                with a delay, at most 200 digests)
//	BENCH_OUT       folder for EXPLAIN output, CPU and allocation profiles ("" = none)
//	BENCH_PROFILE_ROUNDS  rounds the profiles cover (1; one round at 16× gives
//	                only about 700 samples)
//	BENCH_IMPORT    size in MB of the statistics CSV imported (8; 0 skips;
//	                see import.go)
//	CHUYENHOA_TEST_PG  PostgreSQL server (a fresh schema is made per size)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/ops"
	"chuyenhoa/store"
)

// BaseUnits is the 1× size: a sixteenth of the country's 10,600 communes
// (16 × 663 = 10,608), about a large province.
const BaseUnits = 663

// DefaultPostgres is the server used when CHUYENHOA_TEST_PG is unset.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Size is one dataset size: Mult × BaseUnits communes, Years of statistics.
type Size struct{ Mult, Years int }

func (s Size) String() string { return fmt.Sprintf("%d×/%dy", s.Mult, s.Years) }

// ParseSizes reads "1:1,1,4,16": multiples of BaseUnits, each optionally
// followed by :YEARS (years defaults to years).
func ParseSizes(spec string, years int) ([]Size, error) {
	var out []Size
	for _, f := range strings.Split(spec, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		m, y, hasY := strings.Cut(f, ":")
		s := Size{Years: years}
		var err error
		if s.Mult, err = strconv.Atoi(strings.TrimSuffix(m, "x")); err != nil || s.Mult < 1 || s.Mult > 64 {
			return nil, fmt.Errorf("size %q: want a multiple of %d communes from 1 to 64, e.g. 16 or 1:1", f, BaseUnits)
		}
		if hasY {
			if s.Years, err = strconv.Atoi(y); err != nil || s.Years < 1 || s.Years > 30 {
				return nil, fmt.Errorf("size %q: years must be 1..30", f)
			}
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, errors.New("no sizes given")
	}
	return out, nil
}

// Options configure one benchmark run.
type Options struct {
	Sizes    []Size
	Backends []string
	Runs     int
	Mail     int
	MailRTTs []time.Duration
	Seed     int64
	Postgres string
	Out      string
	// ProfileRounds is how many recomputes the profiles of BENCH_OUT cover.
	ProfileRounds int
}

// Row is one line of the recompute table.
type Row struct {
	Backend   string
	Size      Size
	Units     int
	Rows      int64
	Gen       time.Duration
	Recompute Sample
	Baseline  Sample
	// SideBySide is the baseline with the windows aggregated at the same
	// time (Country.BaselineSideBySide).
	SideBySide Sample
	Findings   map[finding.Job]int // per job, from the untimed first run
	Ratios     []float64           // per run: recompute / baseline
	SideRatios []float64           // per run: recompute / side-by-side baseline
	// Jobs is each job's median time within the recompute.
	Jobs map[finding.Job]time.Duration
}

// Ratio is the median of the runs' ratios of recompute time over baseline
// time. Each run measures the two back to back, so a run slowed down by
// something else on the machine slows both and the ratio holds; the ratio
// of the two medians would not.
func (r Row) Ratio() float64 { return medianRatio(r.Ratios, r.Recompute, r.Baseline) }

// SideRatio is Ratio against the side-by-side baseline.
func (r Row) SideRatio() float64 { return medianRatio(r.SideRatios, r.Recompute, r.SideBySide) }

func medianRatio(ratios []float64, rec, base Sample) float64 {
	if len(ratios) == 0 {
		return rec.Wall.Seconds() / base.Wall.Seconds()
	}
	return middle(ratios)
}

func env(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "bench:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("sizes", env(getenv, "BENCH_SIZES", "1:1,1,4,16"), "sizes: multiples of 663 communes, optionally :YEARS (env BENCH_SIZES)")
	years := fs.Int("years", 5, "years of statistics for sizes that name none (env BENCH_YEARS)")
	backends := fs.String("backends", env(getenv, "BENCH_BACKENDS", "postgres,sqlite"), "databases (env BENCH_BACKENDS)")
	runs := fs.Int("runs", 5, "measured runs per operation (env BENCH_RUNS)")
	mailN := fs.Int("mail", 1000, "digests to compose and send, 0 to skip (env BENCH_MAIL)")
	mailRTT := fs.String("mail-rtt", env(getenv, "BENCH_MAIL_RTT", "0,1ms"), "round trips to the SMTP server to measure mail at (env BENCH_MAIL_RTT)")
	seed := fs.Int64("seed", 67, "seed of the synthetic country")
	out := fs.String("out", env(getenv, "BENCH_OUT", ""), "folder for EXPLAIN output, CPU and allocation profiles (env BENCH_OUT)")
	profileRounds := fs.Int("profile-rounds", 1, "recomputes the profiles cover (env BENCH_PROFILE_ROUNDS)")
	importMB := fs.Int("import", 8, "MB of statistics CSV to import, 0 to skip (env BENCH_IMPORT)")
	for key, name := range map[string]string{"BENCH_YEARS": "years", "BENCH_RUNS": "runs", "BENCH_MAIL": "mail", "BENCH_IMPORT": "import", "BENCH_PROFILE_ROUNDS": "profile-rounds"} {
		if v := getenv(key); v != "" {
			if err := fs.Set(name, v); err != nil {
				return fmt.Errorf("%s=%q: %w", key, v, err)
			}
		}
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	o := Options{Runs: max(1, *runs), Mail: *mailN, Seed: *seed, Postgres: env(getenv, "CHUYENHOA_TEST_PG", DefaultPostgres), Out: *out, ProfileRounds: max(1, *profileRounds)}
	var err error
	if o.Sizes, err = ParseSizes(*sizes, *years); err != nil {
		return err
	}
	for _, v := range strings.Split(*mailRTT, ",") {
		if v = strings.TrimSpace(v); v == "0" {
			o.MailRTTs = append(o.MailRTTs, 0)
			continue
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > time.Second {
			return fmt.Errorf("mail round trip %q: want 0 or a duration up to 1s such as 1ms", v)
		}
		o.MailRTTs = append(o.MailRTTs, d)
	}
	for _, b := range strings.Split(*backends, ",") {
		switch b = strings.TrimSpace(b); b {
		case store.Postgres, store.SQLite:
			o.Backends = append(o.Backends, b)
		case "":
		default:
			return fmt.Errorf("backend %q: want postgres or sqlite", b)
		}
	}
	if o.Out != "" {
		if err := os.MkdirAll(o.Out, 0o755); err != nil {
			return err
		}
	}
	// The garbage collector as the service sets it (runtime.gogc's
	// default, or GOGC when set: GOGC=100 measures Go's own default).
	gogc, gcFrom := ops.TuneGC(config.DefaultGOGC, getenv)
	fmt.Fprintf(stdout, "chuyenhoa bench: %s, %s/%s, %d CPU, %s RAM; sizes %v; %d runs each; seed %d; GOGC %s (%s)\n\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), memTotal(), o.Sizes, o.Runs, o.Seed, gogc, gcFrom)

	var rows []Row
	var mails []mailRow
	var imports []importRow
	for _, b := range o.Backends {
		if *importMB > 0 {
			r, err := benchImport(ctx, o, b, *importMB, stderr)
			if err != nil {
				return fmt.Errorf("%s import: %w", b, err)
			}
			imports = append(imports, r)
		}
		for _, sz := range o.Sizes {
			r, err := benchSize(ctx, o, b, sz, stderr)
			if err != nil {
				return fmt.Errorf("%s %s: %w", b, sz, err)
			}
			rows = append(rows, r)
		}
		for _, rtt := range o.MailRTTs {
			if o.Mail == 0 {
				break
			}
			m, err := benchMail(ctx, o, b, rtt)
			if err != nil {
				return fmt.Errorf("%s mail (round trip %s): %w", b, rtt, err)
			}
			mails = append(mails, m)
		}
	}
	PrintRecompute(stdout, rows)
	fmt.Fprintln(stdout)
	PrintTargets(stdout, rows)
	if len(mails) > 0 {
		fmt.Fprintln(stdout)
		PrintMail(stdout, mails)
	}
	if len(imports) > 0 {
		fmt.Fprintln(stdout)
		PrintImport(stdout, imports)
	}
	return nil
}

func benchSize(ctx context.Context, o Options, backend string, sz Size, log io.Writer) (Row, error) {
	row := Row{Backend: backend, Size: sz, Units: sz.Mult * BaseUnits}
	_, s, done, err := openTarget(ctx, backend, o.Postgres, log)
	if err != nil {
		return row, err
	}
	defer done()
	fmt.Fprintf(log, "%s %s: generating %d communes…\n", backend, sz, row.Units)
	c, err := Generate(ctx, s, o.Seed, row.Units, sz.Years)
	if err != nil {
		return row, err
	}
	row.Rows, row.Gen = c.Rows, c.Gen
	fmt.Fprintf(log, "%s %s: %d statistic rows in %s; measuring…\n", backend, sz, c.Rows, c.Gen.Round(time.Second))

	// One untimed round first: both then start from warm caches, and each
	// measured recompute finds what a day's first run finds (NewDay): the
	// findings of the jobs whose period spans days, none for the others.
	if row.Findings, err = c.Recompute(ctx); err != nil {
		return row, err
	}
	if _, err = c.Baseline(ctx); err != nil {
		return row, err
	}
	if _, err = c.BaselineSideBySide(ctx); err != nil {
		return row, err
	}
	var rec, base, side []Sample
	jobTimes := map[finding.Job][]time.Duration{}
	const (
		doRecompute = iota
		doBaseline
		doSideBySide
		kinds
	)
	for i := range o.Runs {
		// Rotate which goes first, so none always follows another.
		for k := range kinds {
			var smp Sample
			switch (i + k) % kinds {
			case doBaseline:
				smp, err = Measure(func() error { _, err := c.Baseline(ctx); return err })
				base = append(base, smp)
			case doSideBySide:
				smp, err = Measure(func() error { _, err := c.BaselineSideBySide(ctx); return err })
				side = append(side, smp)
			case doRecompute:
				if err := c.NewDay(ctx); err != nil {
					return row, err
				}
				var took map[finding.Job]time.Duration
				smp, err = Measure(func() error {
					var err error
					_, took, err = c.recompute(ctx)
					return err
				})
				rec = append(rec, smp)
				for j, d := range took {
					jobTimes[j] = append(jobTimes[j], d)
				}
			}
			if err != nil {
				return row, err
			}
		}
	}
	row.Recompute, row.Baseline, row.SideBySide = median(rec), median(base), median(side)
	for i := range rec {
		row.Ratios = append(row.Ratios, rec[i].Wall.Seconds()/base[i].Wall.Seconds())
		row.SideRatios = append(row.SideRatios, rec[i].Wall.Seconds()/side[i].Wall.Seconds())
	}
	row.Jobs = map[finding.Job]time.Duration{}
	for j, ds := range jobTimes {
		row.Jobs[j] = middle(ds)
	}

	if o.Out != "" {
		name := fmt.Sprintf("%s-%dx-%dy", backend, sz.Mult, sz.Years)
		// Each round starts from the store as a day's first round finds
		// it; the profiles count NewDay's few statements too.
		rounds := func() error {
			for range o.ProfileRounds {
				if err := c.NewDay(ctx); err != nil {
					return err
				}
				if _, err := c.Recompute(ctx); err != nil {
					return err
				}
			}
			return nil
		}
		if err := profile(filepath.Join(o.Out, "recompute-"+name+".pprof"), rounds); err != nil {
			return row, err
		}
		if backend == store.Postgres {
			plan, err := c.Explain(ctx)
			if err != nil {
				return row, err
			}
			if err := os.WriteFile(filepath.Join(o.Out, "explain-"+name+".txt"), []byte(plan), 0o644); err != nil {
				return row, err
			}
		}
	}
	return row, nil
}

// profile runs fn with the CPU profiled into path, and writes the
// allocation profiles before and after it beside (PATH-allocs-base.pprof,
// PATH-allocs.pprof): the allocation profile counts from the start of the
// program, so the one before is the base to subtract (pprof -diff_base).
func profile(path string, fn func() error) error {
	allocs := strings.TrimSuffix(path, ".pprof") + "-allocs"
	if err := writeAllocs(allocs + "-base.pprof"); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	err = fn()
	pprof.StopCPUProfile()
	if werr := writeAllocs(allocs + ".pprof"); err == nil {
		err = werr
	}
	return err
}

// writeAllocs writes the allocation profile so far to path.
func writeAllocs(path string) error {
	runtime.GC() // the profile is as of the last collection
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

type mailRow struct {
	Backend string
	MailResult
}

// EmptyMail deletes what BenchMail leaves behind: a store as it wants it.
func EmptyMail(ctx context.Context, s *store.Store) error {
	for _, table := range []string{"outbox", "alerts", "notify_groups", "digests", "units", "districts"} {
		if _, err := s.DB().ExecContext(ctx, "DELETE FROM "+table); err != nil {
			return fmt.Errorf("empty %s: %w", table, err)
		}
	}
	return nil
}

// maxDelayedMail bounds the digests sent through a delay line: at a few
// milliseconds each, 1,000 would take a minute a run for the same ratio.
const maxDelayedMail = 200

func benchMail(ctx context.Context, o Options, backend string, rtt time.Duration) (mailRow, error) {
	n := o.Mail
	if rtt > 0 {
		n = min(n, maxDelayedMail)
	}
	_, s, done, err := openTarget(ctx, backend, o.Postgres, io.Discard)
	if err != nil {
		return mailRow{}, err
	}
	defer done()
	// Each run starts from an empty store; the median run is reported. The
	// digest log goes too: a digest time recorded done is not composed
	// again.
	var comp, send, plain []Sample
	var rtts []time.Duration
	for range o.Runs {
		if err := EmptyMail(ctx, s); err != nil {
			return mailRow{}, err
		}
		m, err := BenchMail(ctx, s, n, rtt)
		if err != nil {
			return mailRow{}, err
		}
		comp, send, plain = append(comp, m.Compose), append(send, m.Send), append(plain, m.Plain)
		rtts = append(rtts, m.Measured)
	}
	return mailRow{Backend: backend, MailResult: MailResult{Messages: n, RTT: rtt, Measured: middle(rtts),
		Compose: median(comp), Send: median(send), Plain: median(plain)}}, nil
}

// PrintRecompute writes the recompute table.
func PrintRecompute(w io.Writer, rows []Row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	// "side by side": the baseline with the windows aggregated at the same
	// time, as the recompute sums them.
	// "CPU here": the recompute's processor time in this process, all
	// cores, against its wall time.
	fmt.Fprintln(tw, "backend\tsize\tunits\tstat rows\tgen\trecompute\tCPU here\tbaseline\tratio\tside by side\tratio\theap peak\talloc\tRSS peak Δ\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%.2f×\t%s\t%.2f×\t%s\t%s\t%s\t\n", r.Backend, r.Size, r.Units, r.Rows,
			r.Gen.Round(100*time.Millisecond), ms(r.Recompute.Wall), ms(r.Recompute.CPU), ms(r.Baseline.Wall), r.Ratio(), ms(r.SideBySide.Wall), r.SideRatio(),
			mib(int64(r.Recompute.HeapPeak)), mib(int64(r.Recompute.Alloc)), mib(r.Recompute.RSSPeak))
	}
	tw.Flush()
	fmt.Fprintln(w)
	// The whole machine's processor time (the database server's
	// included) in each: on a machine whose cores the aggregations keep
	// busy, what the recompute adds to it is what its wall time can hide.
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "backend\tsize\tmachine CPU: recompute\tbaseline\tside by side\tGC here: recompute\tcollections\t")
	busy := func(s Sample) string {
		if s.Busy < 0 {
			return "n/a"
		}
		return ms(s.Busy)
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t\n", r.Backend, r.Size, busy(r.Recompute), busy(r.Baseline), busy(r.SideBySide), ms(r.Recompute.GC), r.Recompute.GCs)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "backend\tsize")
	for _, j := range Jobs {
		fmt.Fprintf(tw, "\t%s", j)
	}
	fmt.Fprintln(tw, "\tfindings\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s", r.Backend, r.Size)
		total := 0
		for _, j := range Jobs {
			fmt.Fprintf(tw, "\t%s", ms(r.Jobs[j]))
			total += r.Findings[j]
		}
		fmt.Fprintf(tw, "\t%d\t\n", total)
	}
	tw.Flush()
	// Growth from the smallest to the largest size of each backend with
	// the same years.
	for i, a := range rows {
		for _, b := range rows[i+1:] {
			if a.Backend == b.Backend && a.Size.Years == b.Size.Years && b.Size.Mult > a.Size.Mult && a.Size.Mult == 1 {
				fmt.Fprintf(w, "%s %d× → %d× (%dy): %.1f× the rows, recompute %.1f× the time, baseline %.1f×, side by side %.1f×\n", a.Backend, a.Size.Mult, b.Size.Mult, a.Size.Years,
					float64(b.Rows)/float64(a.Rows), b.Recompute.Wall.Seconds()/a.Recompute.Wall.Seconds(), b.Baseline.Wall.Seconds()/a.Baseline.Wall.Seconds(),
					b.SideBySide.Wall.Seconds()/a.SideBySide.Wall.Seconds())
			}
		}
	}
}

// Targets of the recompute (BENCHMARKS.md, "Targets").
const (
	// TargetRatio bounds the full recompute's time over the baseline's.
	TargetRatio = 1.3
	// TargetGrowth bounds the recompute's time at 16× over its time at 1×.
	TargetGrowth = 17
	// TargetMail is the least rate of our whole mail path against the
	// plain go-mail loop.
	TargetMail = 0.8
)

// PrintTargets states each recompute target against this run's figures:
// the ratio at every size, against the baseline and (the same bound, a
// stricter floor) against the side-by-side baseline, the growth from 1×
// to 16× (same years), and whether the heap peak stays when the statistic
// rows grow at one size.
func PrintTargets(w io.Writer, rows []Row) {
	for _, r := range rows {
		fmt.Fprintf(w, "target %s %s: recompute %.2f× the baseline (≤ %.1f×): %s\n", r.Backend, r.Size, r.Ratio(), TargetRatio, verdict(r.Ratio() <= TargetRatio))
		fmt.Fprintf(w, "target %s %s: recompute %.2f× the side-by-side baseline (≤ %.1f×): %s\n", r.Backend, r.Size, r.SideRatio(), TargetRatio, verdict(r.SideRatio() <= TargetRatio))
	}
	for i, a := range rows {
		for _, b := range rows[i+1:] {
			if a.Backend != b.Backend || a.Size.Years != b.Size.Years {
				continue
			}
			if a.Size.Mult == 1 && b.Size.Mult == 16 {
				g := b.Recompute.Wall.Seconds() / a.Recompute.Wall.Seconds()
				fmt.Fprintf(w, "target %s 1× → 16× (%dy): %.1f× the time for %.1f× the rows (≤ %d×): %s\n", a.Backend, a.Size.Years, g,
					float64(b.Rows)/float64(a.Rows), TargetGrowth, verdict(g <= TargetGrowth))
			}
		}
		for _, b := range rows {
			if a.Backend == b.Backend && a.Size.Mult == b.Size.Mult && a.Size.Years < b.Size.Years {
				// The same communes, more statistic rows (and more years of
				// decisions): a heap that held the rows would grow as they
				// do. Met when it grows by less than a quarter of that: the
				// rest is the decisions and the garbage collector's timing.
				ha, hb := float64(a.Recompute.HeapPeak), float64(b.Recompute.HeapPeak)
				rr := float64(b.Rows) / float64(a.Rows)
				fmt.Fprintf(w, "target %s %d×, %dy → %dy: %.1f× the rows, heap peak %s → %s (%.2f×; independent of the rows: < %.2f×): %s\n",
					a.Backend, a.Size.Mult, a.Size.Years, b.Size.Years, rr, mib(int64(a.Recompute.HeapPeak)), mib(int64(b.Recompute.HeapPeak)),
					hb/ha, 1+(rr-1)/4, verdict(hb < ha*(1+(rr-1)/4)))
			}
		}
	}
}

// verdict says whether a target is met.
func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// PrintMail writes the mail table and the mail target's line per row.
func PrintMail(w io.Writer, rows []mailRow) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "backend\tserver\tNOOP\tdigests\tcompose+queue\tsend (Sender)\tours msgs/s\tsend-only msgs/s\tplain go-mail msgs/s\tratio ours/plain\tratio send/plain\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%.0f\t%.0f\t%.0f\t%.2f×\t%.2f×\t\n", r.Backend, rttName(r.RTT), us(r.Measured), r.Messages, ms(r.Compose.Wall), ms(r.Send.Wall),
			r.Ours(), r.SendOnly(), r.PlainRate(), r.Ours()/r.PlainRate(), r.SendOnly()/r.PlainRate())
	}
	tw.Flush()
	fmt.Fprintln(w)
	for _, r := range rows {
		ratio := r.Ours() / r.PlainRate()
		fmt.Fprintf(w, "target mail %s, server %s: compose, queue and send at %.2f× the plain go-mail loop (≥ %.1f×): %s\n",
			r.Backend, rttName(r.RTT), ratio, TargetMail, verdict(ratio >= TargetMail))
	}
}

// rttName names a round trip to the SMTP server for the tables.
func rttName(rtt time.Duration) string {
	if rtt == 0 {
		return "loopback"
	}
	return rtt.String() + " RTT"
}

func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond)) }

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }

func mib(b int64) string {
	if b < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}

func memTotal() string {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err == nil {
				return fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
			}
		}
	}
	return "?"
}
