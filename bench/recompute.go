package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/sync/errgroup"

	"chuyenhoa/config"
	"chuyenhoa/dburl"
	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/period"
	"chuyenhoa/store"
	"chuyenhoa/synth"
)

// Jobs are the jobs of the full recompute, in the order a full run takes
// them: every recompute job (finding.RecomputeJobs), the daily cycle
// included.
var Jobs = finding.RecomputeJobs()

// Target is a database the benchmark owns: a SQLite file in a temporary
// folder or a fresh PostgreSQL schema, removed by Drop.
type Target struct {
	Backend string // store.Postgres or store.SQLite
	URL     string
	drop    func() error
}

// NewTarget creates an empty database for backend. pgURL is the
// PostgreSQL server to create a schema in.
func NewTarget(ctx context.Context, backend, pgURL string) (*Target, error) {
	switch backend {
	case store.SQLite:
		dir, err := os.MkdirTemp("", "chuyenhoa-bench-")
		if err != nil {
			return nil, err
		}
		return &Target{Backend: backend, URL: "sqlite:" + filepath.Join(dir, "bench.db"), drop: func() error { return os.RemoveAll(dir) }}, nil
	case store.Postgres:
		// dburl's error, unlike url.Parse's, does not repeat the password.
		pg, err := dburl.Parse(pgURL)
		if err == nil && pg.Dialect != dburl.Postgres {
			err = fmt.Errorf("%q is not a PostgreSQL URL", pg)
		}
		if err != nil {
			return nil, fmt.Errorf("benchmark PostgreSQL server: %w", err)
		}
		u, err := url.Parse(pgURL)
		if err != nil {
			return nil, err // dburl.Parse has read it
		}
		admin, err := sql.Open("postgres", pgURL)
		if err != nil {
			return nil, err
		}
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		schema := "bench_" + hex.EncodeToString(b)
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			admin.Close()
			return nil, fmt.Errorf("create schema on %s: %w", dburl.Redact(pgURL), err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return &Target{Backend: backend, URL: u.String(), drop: func() error {
			defer admin.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			_, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
			return err
		}}, nil
	}
	return nil, fmt.Errorf("unknown backend %q (want postgres or sqlite)", backend)
}

// Drop removes the database.
func (t *Target) Drop() error { return t.drop() }

// openTarget makes a fresh database for backend and opens it; done closes
// it and removes the database, saying so on log if that fails.
func openTarget(ctx context.Context, backend, pgURL string, log io.Writer) (t *Target, s *store.Store, done func(), err error) {
	if t, err = NewTarget(ctx, backend, pgURL); err != nil {
		return nil, nil, nil, err
	}
	if s, err = t.Open(ctx); err != nil {
		t.Drop()
		return nil, nil, nil, err
	}
	return t, s, func() {
		s.Close()
		if err := t.Drop(); err != nil {
			fmt.Fprintf(log, "bench: remove %s database: %v\n", backend, err)
		}
	}, nil
}

// Open opens and migrates the target.
func (t *Target) Open(ctx context.Context) (*store.Store, error) {
	s, err := store.Open(ctx, t.URL)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Country is a generated country in a store, with what the recompute
// needs to run on it.
type Country struct {
	Store  *store.Store
	Config *config.Config
	Units  int
	Rows   int64
	Gen    time.Duration
	Day    time.Time // the day the recompute runs as of: the last day with statistics
	// Windows are the statistical periods the jobs aggregate: the
	// reference year of the candidate proposal and the rolling year of
	// the relapse check.
	Windows []period.Range
}

// Generate fills s with units communes and years of statistics.
func Generate(ctx context.Context, s *store.Store, seed int64, units, years int) (*Country, error) {
	start := time.Now()
	n, err := synth.NewNational(seed, synth.NationalOptions{Units: units, Years: years})
	if err != nil {
		return nil, err
	}
	rows, err := n.Fill(ctx, s)
	if err != nil {
		return nil, fmt.Errorf("generate %d units × %d years: %w", units, years, err)
	}
	cfg := config.Default()
	day := n.Span().To
	cal := cfg.Calendar()
	year, _, _ := cal.MonthOf(day)
	return &Country{
		Store: s, Config: cfg, Units: units, Rows: rows, Gen: time.Since(start), Day: day,
		Windows: []period.Range{cal.Year(year - 1), cal.RollingYear(day)},
	}, nil
}

// Runner is the job runner the CLI would use, without mail: composing is
// measured apart. Its clock stands at 07:00 of the run day, so findings
// do not depend on when the benchmark runs.
func (c *Country) Runner() *jobs.Runner {
	at := time.Date(c.Day.Year(), c.Day.Month(), c.Day.Day(), 7, 0, 0, 0, c.Config.Location())
	return &jobs.Runner{Store: c.Store, Config: c.Config, Now: func() time.Time { return at }}
}

// Recompute runs every job of the full recompute once, as jobs.Runner.Run
// does for the scheduler (each in its own transaction, recorded in
// job_runs), and returns how many findings each wrote.
func (c *Country) Recompute(ctx context.Context) (map[finding.Job]int, error) {
	n, _, err := c.recompute(ctx)
	return n, err
}

// NewDay makes the store as it is before the run day's first recompute:
// a job whose period changes every day (deadlines, cycle) has nothing
// stored for the day yet, so its findings and run record of the day are
// removed. A job whose period spans days (the candidates of a year, the
// relapse check of a month) keeps them, as its runs of the days before
// left them. Call it before each measured recompute: without it every
// run but the first would find the day's findings of the run before.
func (c *Country) NewDay(ctx context.Context) error {
	r := c.Runner()
	for _, j := range Jobs {
		per, err := r.PeriodOf(j, c.Day)
		if err != nil {
			return err
		}
		before, err := r.PeriodOf(j, c.Day.AddDate(0, 0, -1))
		if err != nil {
			return err
		}
		if per == before {
			continue
		}
		for _, table := range []string{"findings", "job_runs"} {
			if _, err := c.Store.DB().ExecContext(ctx, c.Store.DB().Rebind(`DELETE FROM `+table+` WHERE job = ? AND period = ?`), string(j), per); err != nil {
				return fmt.Errorf("new day: %w", err)
			}
		}
	}
	return nil
}

// recompute is Recompute that also times each job. The jobs run as one
// round (jobs.Runner.RunRound): side by side, with the round's windows
// summed side by side from its start, as run-once all runs them. A job's
// time is from its start to its commit, waits for a window being summed
// or for the job it reads from included.
func (c *Country) recompute(ctx context.Context) (map[finding.Job]int, map[finding.Job]time.Duration, error) {
	rs, err := c.Runner().RunRound(ctx, c.Day, Jobs...)
	if err != nil {
		return nil, nil, err
	}
	n, took := map[finding.Job]int{}, map[finding.Job]time.Duration{}
	for _, res := range rs {
		n[res.Job], took[res.Job] = len(res.Findings), res.Took
	}
	return n, took, nil
}

// BaselineSQL is the one aggregation a recompute cannot do without, per
// dialect: each unit's statistics over a window summed per offence
// category and for offences against social order, which is what the gate
// and the category tests read. It is the fastest form we found for each
// database (see BENCHMARKS.md), and the one store.Counts sends.
func BaselineSQL(dialect string) string {
	if dialect == store.SQLite {
		return `SELECT unit_code, offence_code, SUM(count) FROM crime_stats INDEXED BY crime_stats_unit_offence_day
			WHERE day >= ? AND day <= ? GROUP BY unit_code, offence_code`
	}
	return `SELECT cs.unit_code, ot.category, ot.social_order, SUM(cs.count)
		FROM crime_stats cs JOIN offence_types ot ON ot.code = cs.offence_code
		WHERE cs.day >= $1 AND cs.day <= $2
		GROUP BY cs.unit_code, ot.category, ot.social_order`
}

// Baseline runs BaselineSQL once for each window the jobs read, one after
// the other, draining the rows and doing nothing else with them. It
// returns the rows read.
func (c *Country) Baseline(ctx context.Context) (int, error) {
	n := 0
	for _, w := range c.Windows {
		k, err := c.baselineWindow(ctx, w)
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// BaselineSideBySide is Baseline with the windows' aggregations run at the
// same time, each on a connection of its own and known to run so
// (store.SideBySide), as the round's are: the floor for a recompute that
// sums its windows side by side (jobs.Runner.Prefetch), as the sequential
// Baseline, each sum alone with the server's parallel workers, is for one
// that sums them in turn.
func (c *Country) BaselineSideBySide(ctx context.Context) (int, error) {
	g, ctx := errgroup.WithContext(store.SideBySide(ctx, len(c.Windows)))
	ns := make([]int, len(c.Windows))
	for i, w := range c.Windows {
		g.Go(func() error {
			var err error
			ns[i], err = c.baselineWindow(ctx, w)
			return err
		})
	}
	err := g.Wait()
	n := 0
	for _, k := range ns {
		n += k
	}
	return n, err
}

// baselineWindow runs BaselineSQL over w and drains its rows, as the
// store runs its own sums (Store.Aggregate: on PostgreSQL without JIT).
func (c *Country) baselineWindow(ctx context.Context, w period.Range) (int, error) {
	var (
		unit, key string
		sum       int64
		a, b      any
	)
	dest := []any{&unit, &key, &sum}
	if c.Store.Dialect() == store.Postgres {
		dest = []any{&unit, &a, &b, &sum}
	}
	n := 0
	err := c.Store.Aggregate(ctx, BaselineSQL(c.Store.Dialect()), []any{w.From.Format(time.DateOnly), w.To.Format(time.DateOnly)}, func(rows *sqlx.Rows) error {
		n++
		return rows.Scan(dest...)
	})
	if err != nil {
		return n, fmt.Errorf("baseline %s: %w", w, err)
	}
	return n, nil
}

// Explain returns PostgreSQL's EXPLAIN (ANALYZE, BUFFERS) of the baseline
// aggregation for each window, run as the baseline runs it.
func (c *Country) Explain(ctx context.Context) (string, error) {
	if c.Store.Dialect() != store.Postgres {
		return "", fmt.Errorf("explain: only on PostgreSQL")
	}
	var b strings.Builder
	for _, w := range c.Windows {
		fmt.Fprintf(&b, "-- window %s\nEXPLAIN (ANALYZE, BUFFERS)\n%s;\n\n", w, strings.ReplaceAll(
			strings.ReplaceAll(BaselineSQL(store.Postgres), "$1", "'"+w.From.Format(time.DateOnly)+"'"),
			"$2", "'"+w.To.Format(time.DateOnly)+"'"))
		err := c.Store.Aggregate(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+BaselineSQL(store.Postgres), []any{w.From.Format(time.DateOnly), w.To.Format(time.DateOnly)}, func(rows *sqlx.Rows) error {
			var line string
			err := rows.Scan(&line)
			b.WriteString(line + "\n")
			return err
		})
		if err != nil {
			return "", fmt.Errorf("explain %s: %w", w, err)
		}
		b.WriteString("\n")
	}
	return b.String(), nil
}
