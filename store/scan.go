package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// civilDate scans a DATE column (NULL gives the zero time) into a day at
// 00:00 UTC. Drivers hand dates over as time.Time (lib/pq, and modernc for
// columns declared DATE) or as text when a province's view computes them.
type civilDate struct{ T time.Time }

func (d *civilDate) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		d.T = time.Time{}
	case time.Time:
		// The day as written, whatever zone the driver attached.
		y, m, dd := v.Date()
		d.T = time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	case string:
		return d.parse(v)
	case []byte:
		return d.parse(string(v))
	default:
		return fmt.Errorf("scan date: unsupported type %T", src)
	}
	return nil
}

func (d *civilDate) parse(s string) error {
	// "2006-01-02", possibly followed by a time of day that does not belong
	// to a civil date ("2006-01-02 00:00:00", "2006-01-02T00:00:00Z").
	if len(s) >= 10 {
		if t, err := time.Parse(time.DateOnly, s[:10]); err == nil {
			d.T = t
			return nil
		}
	}
	return fmt.Errorf("scan date: %q is not a date (want YYYY-MM-DD)", s)
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
	switch v := src.(type) {
	case nil:
		i.T = time.Time{}
	case time.Time:
		i.T = v.UTC()
	case string:
		return i.parse(v)
	case []byte:
		return i.parse(string(v))
	default:
		return fmt.Errorf("scan instant: unsupported type %T", src)
	}
	return nil
}

func (i *instant) parse(s string) error {
	for _, l := range instantLayouts {
		if t, err := time.Parse(l, s); err == nil {
			i.T = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("scan instant: %q is not a timestamp (want %s)", s, instantFormat)
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
