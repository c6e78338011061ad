package store_test

import (
	"context"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"chuyenhoa/period"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// The statistics' sums run without JIT on PostgreSQL, in a transaction
// of their own (so the pool's connections keep the server's setting),
// also inside a rehearsal; SQLite has no such setting and runs them as
// they are.
func TestAggregateRunsWithoutJIT(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if s.Dialect() == store.SQLite {
			var n int
			if err := s.Aggregate(ctx, `SELECT 1 + 1`, nil, func(r *sqlx.Rows) error { return r.Scan(&n) }); err != nil || n != 2 {
				t.Fatalf("Aggregate on SQLite: %d, %v", n, err)
			}
			return
		}
		// A setting as a sum sees it (over three rows, with an argument)
		// and as the pool's connections do.
		inside := func(ctx context.Context, v *store.Store, name string) string {
			t.Helper()
			var got []string
			err := v.Aggregate(ctx, `SELECT current_setting($1) FROM generate_series(1, $2::int)`, []any{name, 3}, func(r *sqlx.Rows) error {
				var x string
				err := r.Scan(&x)
				got = append(got, x)
				return err
			})
			if err != nil || len(got) != 3 {
				t.Fatalf("Aggregate: rows %v, %v", got, err)
			}
			return got[0]
		}
		outside := func(name string) string {
			t.Helper()
			var x string
			if err := s.DB().GetContext(ctx, &x, `SELECT current_setting($1)`, name); err != nil {
				t.Fatal(err)
			}
			return x
		}
		if before := outside("jit"); before != "on" {
			t.Skipf("this server has jit=%s already: nothing to tell apart", before)
		}
		if got := inside(ctx, s, "jit"); got != "off" {
			t.Errorf("jit during the aggregation = %q, want off", got)
		}
		// Every idle connection of the pool: the setting went with the
		// transaction.
		for i := 0; i < 4; i++ {
			if after := outside("jit"); after != "on" {
				t.Errorf("jit after the aggregation = %q, want the server's on", after)
			}
		}
		err := s.Rehearse(ctx, func(v *store.Store) error {
			if got := inside(ctx, v, "jit"); got != "off" {
				t.Errorf("jit during a rehearsal's aggregation = %q, want off", got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// One of two sums side by side: on a server on this machine, at
		// most ⌊cores/2⌋−1 workers, never more than the server's; alone, the
		// server's.
		const workers = "max_parallel_workers_per_gather"
		server := outside(workers)
		want := server
		if c := store.Cores(s); c > 0 {
			n, err := strconv.Atoi(server)
			if err != nil {
				t.Fatal(err)
			}
			want = strconv.Itoa(min(n, max(0, c/2-1)))
		}
		if got := inside(store.SideBySide(ctx, 2), s, workers); got != want {
			t.Errorf("workers of one of two sums side by side = %s, want %s (server %s, cores here %d)", got, want, server, store.Cores(s))
		}
		if got := inside(store.SideBySide(ctx, 1), s, workers); got != server {
			t.Errorf("workers of a sum alone = %s, want the server's %s", got, server)
		}
		if got := inside(ctx, s, workers); got != server {
			t.Errorf("workers of a sum = %s, want the server's %s", got, server)
		}
		if err := s.Aggregate(ctx, `SELECT no_such_column FROM units`, nil, func(*sqlx.Rows) error { return nil }); err == nil {
			t.Error("a query that fails: no error")
		}
	})
}

// A server on this machine is one every host of the DSN names as a Unix
// socket, localhost or a loopback address.
func TestLocalCores(t *testing.T) {
	for _, v := range []string{"PGHOST", "PGHOSTADDR"} {
		t.Setenv(v, "") // restored at the end
		os.Unsetenv(v)
	}
	here := runtime.NumCPU()
	for dsn, want := range map[string]int{
		"postgres://postgres@127.0.0.1:5432/test?sslmode=disable":       here,
		"postgres://u@localhost/db":                                     here,
		"postgres://u@[::1]:5432/db":                                    here,
		"host=/var/run/postgresql dbname=x":                             here,
		"postgres://u@127.0.0.1,localhost/db":                           here,
		"postgres://chuyenhoa:secret@db:5432/chuyenhoa?sslmode=require": 0,
		"postgres://u@10.0.0.5/db":                                      0,
		"postgres://u@127.0.0.1,db.example/db":                          0,
		"host=localhost hostaddr=10.1.2.3 dbname=x":                     0,
		"postgres://u@%zz/db":                                           0, // unreadable: not counted as here
	} {
		if got := store.LocalCores(dsn); got != want {
			t.Errorf("LocalCores(%q) = %d, want %d", dsn, got, want)
		}
	}
}

// The probe of countsFlagged reads the index of the unusable rows, which
// holds none of a clean table's, instead of the window's rows: the index's
// predicate is the probe's condition (it would not be used otherwise).
// Over a province's view the migration builds no index and succeeds.
func TestUnusableCountsIndex(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, storetest.PostgresURL(t), true)
	mustLoad(t, s, fixture())
	// On a table of a few rows a sequential scan costs less than any
	// index: without it the planner takes the partial index when the
	// probe's condition lets it, and the index of days otherwise.
	tx, err := s.DB().BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var plan []string
	if _, err := tx.ExecContext(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	if err := tx.SelectContext(ctx, &plan, `EXPLAIN SELECT FROM crime_stats WHERE day >= $1 AND day <= $2 AND (`+store.UnusableProbe+`)`, "2025-01-01", "2025-12-31"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(plan, "\n"), "crime_stats_unusable") {
		t.Errorf("the probe does not read crime_stats_unusable:\n%s", strings.Join(plan, "\n"))
	}
	var rows int
	if err := s.DB().GetContext(ctx, &rows, `SELECT COUNT(*) FROM crime_stats WHERE `+store.UnusableProbe); err != nil || rows != 0 {
		t.Fatalf("unusable rows in the fixture: %d, %v", rows, err)
	}

	v := storetest.Open(t, storetest.PostgresURL(t), false)
	if err := store.MigrateTo(ctx, v, 9); err != nil {
		t.Fatal(err)
	}
	exec(t, v, `ALTER TABLE crime_stats RENAME TO crime_stats_base`,
		`CREATE VIEW crime_stats AS SELECT * FROM crime_stats_base`)
	if err := v.Migrate(ctx); err != nil {
		t.Fatalf("migrate over a view of crime_stats: %v", err)
	}
	var indexes int
	if err := v.DB().GetContext(ctx, &indexes, `SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'crime_stats_unusable'`); err != nil || indexes != 0 {
		t.Errorf("indexes crime_stats_unusable over the view: %d, %v", indexes, err)
	}
}

// CountsSideBySide gives each window what CountsChecked gives it alone,
// with every sum knowing how many run at once (the parallel workers of
// sumSettings depend on it); a sum alone knows of no other.
func TestCountsSideBySide(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mustLoad(t, s, fixture())
		var (
			mu   sync.Mutex
			seen []int
		)
		store.SetSumHook(s, func(ctx context.Context) {
			mu.Lock()
			seen = append(seen, store.SideBySideOf(ctx))
			mu.Unlock()
		})
		rs := []period.Range{{From: d(2025, 1, 1), To: d(2025, 1, 31)}, {From: d(2024, 12, 1), To: d(2025, 3, 31)}}
		got := make([]*store.CheckedCounts, len(rs))
		s.CountsSideBySide(ctx, rs, func(i int, c *store.CheckedCounts, err error) {
			if err != nil {
				t.Errorf("%s: %v", rs[i], err)
			}
			got[i] = c
		})()
		if !slices.Equal(seen, []int{2, 2}) {
			t.Errorf("sums side by side knew of %v running at once, want [2 2]", seen)
		}
		seen = nil
		for i, r := range rs {
			alone, err := s.CountsChecked(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if got[i] == nil || !reflect.DeepEqual(*got[i], *alone) {
				t.Errorf("%s side by side: %+v, alone: %+v", r, got[i], alone)
			}
		}
		if !slices.Equal(seen, []int{0, 0}) {
			t.Errorf("sums alone knew of %v running at once, want [0 0]", seen)
		}
		if !reflect.DeepEqual(got[0].Counts, januaryCounts) {
			t.Errorf("January side by side: %+v, want %+v", got[0].Counts, januaryCounts)
		}
	})
}
