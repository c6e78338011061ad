package store_test

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"

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
		var before string
		if err := s.DB().GetContext(ctx, &before, `SELECT current_setting('jit')`); err != nil {
			t.Fatal(err)
		}
		if before != "on" {
			t.Skipf("this server has jit=%s already: nothing to tell apart", before)
		}
		inside := func(s *store.Store) string {
			t.Helper()
			var got []string
			err := s.Aggregate(ctx, `SELECT current_setting('jit') FROM generate_series(1, $1::int)`, []any{3}, func(r *sqlx.Rows) error {
				var v string
				err := r.Scan(&v)
				got = append(got, v)
				return err
			})
			if err != nil || len(got) != 3 {
				t.Fatalf("Aggregate: rows %v, %v", got, err)
			}
			return got[0]
		}
		if got := inside(s); got != "off" {
			t.Errorf("jit during the aggregation = %q, want off", got)
		}
		// Every idle connection of the pool: the setting went with the
		// transaction.
		for i := 0; i < 4; i++ {
			var after string
			if err := s.DB().GetContext(ctx, &after, `SELECT current_setting('jit')`); err != nil || after != "on" {
				t.Errorf("jit after the aggregation = %q (%v), want the server's on", after, err)
			}
		}
		err := s.Rehearse(ctx, func(v *store.Store) error {
			if got := inside(v); got != "off" {
				t.Errorf("jit during a rehearsal's aggregation = %q, want off", got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Aggregate(ctx, `SELECT no_such_column FROM units`, nil, func(*sqlx.Rows) error { return nil }); err == nil {
			t.Error("a query that fails: no error")
		}
	})
}
