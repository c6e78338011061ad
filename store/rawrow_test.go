package store

import (
	"testing"
	"time"
)

// A row as read shows every column as the data error's example does:
// NULL, quoted text, numbers, days and instants, and nothing of a quiet
// optional column that is NULL.
func TestRawRowString(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	r := &rawRow{
		cols: []string{"code", "name", "raw", "count", "day", "at", "share", "ok", "note", "gone"},
		vals: []any{"X01", nil, []byte("a \"b\"\n"), int64(-7), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
			time.Date(2026, 3, 1, 8, 30, 0, 0, loc), 1.5, true, nil, nil},
		quiet: 1 << 9,
	}
	want := `code="X01", name=NULL, raw="a \"b\"\n", count=-7, day=2026-03-01, at=2026-03-01T01:30:00Z, share=1.5, ok=true, note=NULL`
	if got := r.String(); got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
	if got := (&rawRow{}).String(); got != "" {
		t.Errorf("no columns: %q", got)
	}
}
