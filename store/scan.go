package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
)

// civilDate scans a DATE column (NULL gives the zero time) into a day at
// 00:00 UTC. Drivers hand dates over as time.Time (lib/pq, and modernc for
// columns declared DATE) or as text when a province's view computes them.
type civilDate struct{ T time.Time }

func (d *civilDate) Scan(src any) error {
	t, err := scanTime(src, "date", civilDay, parseDate)
	if err != nil {
		return err
	}
	d.T = t
	return nil
}

// civilDay is the day as written, whatever zone the driver attached.
func civilDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func parseDate(s string) (time.Time, error) {
	// "2006-01-02", possibly followed by a time of day that does not belong
	// to a civil date ("2006-01-02 00:00:00", "2006-01-02T00:00:00Z").
	if len(s) >= 10 {
		if t, err := time.Parse(time.DateOnly, s[:10]); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("scan date: %q is not a date (want YYYY-MM-DD)", s)
}

// instant scans a TIMESTAMPTZ (PostgreSQL) or text (SQLite) column holding
// an instant into UTC; NULL gives the zero time.
type instant struct{ T time.Time }

// instantLayouts are accepted when reading text. Text without a zone is
// taken as UTC, as SQLite's own date functions write it.
var instantLayouts = []string{
	instantFormat,
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999-07",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
}

func (i *instant) Scan(src any) error {
	t, err := scanTime(src, "instant", time.Time.UTC, parseInstant)
	if err != nil {
		return err
	}
	i.T = t
	return nil
}

func parseInstant(s string) (time.Time, error) {
	for _, l := range instantLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("scan instant: %q is not a timestamp (want %s)", s, instantFormat)
}

// scanTime is the Scan of civilDate and instant: NULL gives the zero time,
// a time.Time goes through conv and text through parse; what names the
// kind of value in errors.
func scanTime(src any, what string, conv func(time.Time) time.Time, parse func(string) (time.Time, error)) (time.Time, error) {
	switch v := src.(type) {
	case nil:
		return time.Time{}, nil
	case time.Time:
		return conv(v), nil
	case string:
		return parse(v)
	case []byte:
		return parse(string(v))
	}
	return time.Time{}, fmt.Errorf("scan %s: unsupported type %T", what, src)
}

// eachRow runs query and calls fn with the rows positioned on each result
// row in turn: the one loop over query results in this package.
func eachRow(ctx context.Context, x sqlx.QueryerContext, query string, args []any, fn func(*sqlx.Rows) error) error {
	rows, err := x.QueryxContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Aggregate runs query, an aggregation over a window of the statistics,
// and calls fn with the rows positioned on each result row in turn, as
// eachRow does. On PostgreSQL it runs in a read-only transaction of its
// own with settings made for it (SET LOCAL, which a connection pooler in
// transaction mode keeps to the transaction; see sumSettings). The
// benchmark's baselines run their sums through it too.
func (s *Store) Aggregate(ctx context.Context, query string, args []any, fn func(*sqlx.Rows) error) error {
	if s.sumHook != nil {
		s.sumHook(ctx)
	}
	if s.dialect != Postgres {
		return eachRow(ctx, s.db, query, args, fn)
	}
	sum := func(x sqlx.ExtContext) error {
		if _, err := x.ExecContext(ctx, s.sumSettings(ctx)); err != nil {
			return fmt.Errorf("settings of the sum: %w", err)
		}
		return eachRow(ctx, x, query, args, fn)
	}
	if s.rehearsal != nil {
		// Already a transaction: the settings last until the rehearsal's end.
		return sum(s.db)
	}
	tx, err := s.pool.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := sum(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// sumSettings is the SQL that sets up a transaction for one of
// Aggregate's sums, in one round trip:
//
//   - JIT compilation off: compiling the sum's expressions costs the
//     server 40–160 ms of CPU per window, in every worker, more than it
//     saves over a country's 1.6 million rows of a year (BENCHMARKS.md);
//     a server without the setting (before PostgreSQL 11) has none to
//     turn off.
//   - For one of n sums run at the same time (SideBySide) on a server on
//     this machine, at most ⌊cores/n⌋−1 parallel workers: each worker is
//     a process of its own, and with every core already summing a window
//     they only add the work of splitting the rows and merging their
//     partial sums (on 2 cores, two national windows side by side took
//     0.71–0.88 s without workers, 0.90–1.03 s with the server's two).
//     The server's own setting stays when it is lower, when the sum runs
//     alone (the workers then use cores nothing else needs), and on a
//     server elsewhere, whose cores are unknown here.
func (s *Store) sumSettings(ctx context.Context) string {
	set := `SELECT set_config('jit', 'off', true) WHERE current_setting('jit', true) IS NOT NULL`
	if n, _ := ctx.Value(sideBySideKey{}).(int); n > 1 && s.cores > 0 {
		set += `; SELECT set_config('max_parallel_workers_per_gather', LEAST(current_setting('max_parallel_workers_per_gather')::int, ` +
			strconv.Itoa(max(0, s.cores/n-1)) + `)::text, true)`
	}
	return set
}

type sideBySideKey struct{}

// SideBySide returns ctx for one of n aggregations of the statistics run
// at the same time, each on a connection of its own (see sumSettings).
func SideBySide(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, sideBySideKey{}, n)
}

// scanned is a struct that sqlx fills from a result row by its db tags. It
// holds a civilDate, instant or text field where the driver's value cannot
// go straight into the field of T (a time.Time, a json.RawMessage), often
// shadowing that field of an embedded T; value makes the T.
type scanned[T any] interface{ value() T }

// selectRows reads every row of query into an R and returns their values
// in order, nil when there are none.
func selectRows[R scanned[T], T any](ctx context.Context, x sqlx.QueryerContext, query string, args ...any) ([]T, error) {
	var out []T
	err := eachRow(ctx, x, query, args, func(rows *sqlx.Rows) error {
		var r R
		if err := rows.StructScan(&r); err != nil {
			return err
		}
		out = append(out, r.value())
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
