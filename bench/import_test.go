package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"chuyenhoa/period"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// The generated file has the size asked for, one row per unit, day and
// offence type, from 2021-01-01.
func TestWriteStatsCSV(t *testing.T) {
	var b bytes.Buffer
	rows, err := WriteStatsCSV(&b, 10_000, 2, 3, period.Date(2026, 11, 25))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	// 10,000 bytes / 2 units / (3 offences × 24 bytes) = 69 days a unit:
	// 2 × 69 × 3 = 414 rows of 24 bytes and the header.
	if rows != 414 || len(lines) != 415 || lines[0] != "unit_code,day,offence_code,count" || lines[1] != "U00001,2021-01-01,O01,8" {
		t.Errorf("%d rows, %d lines, starting %q", rows, len(lines), lines[:2])
	}
	if int64(b.Len()) < 9_900 {
		t.Errorf("%d bytes, want about 10,000", b.Len())
	}
}

// The import benchmark imports its file and, on PostgreSQL, copies it
// with psql, at a size that runs in a second.
func TestSmokeImport(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		o := Options{Runs: 1, Postgres: storetest.PostgresURL(t)}
		if s.Dialect() == store.SQLite {
			o.Postgres = ""
		}
		r, err := benchImport(context.Background(), o, s.Dialect(), 1, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if r.Rows != 663*5*12 || r.Again.Wall <= 0 || r.Ours.Wall <= 0 || (s.Dialect() == store.Postgres) != (len(r.Ratios) == 1) {
			t.Errorf("import row %+v", r)
		}
		var buf bytes.Buffer
		PrintImport(&buf, []importRow{r})
		if !strings.Contains(buf.String(), s.Dialect()) {
			t.Errorf("imports table lacks the backend:\n%s", buf.String())
		}
	})
}
