package store_test

import (
	"errors"
	"iter"
	"reflect"
	"slices"
	"strings"
	"testing"

	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// streamed splits the fixture into its small tables and its statistics.
func streamed() (*store.Dataset, []store.Stat) {
	ds := fixture()
	stats := ds.Stats
	ds.Stats = nil
	return ds, stats
}

// januaryCounts are the fixture's counts over January 2025; see TestCounts
// for the arithmetic.
var januaryCounts = map[string]rules.Counts{
	"U1": {SocialOrder: 5, ByCategory: [5]int{0, 5, 4, 0, 0}},
	"U2": {SocialOrder: 1, ByCategory: [5]int{0, 0, 6, 0, 1}},
}

// wantJanuary checks that s sums January 2025 as the fixture does; when
// says after what, in a failure.
func wantJanuary(t *testing.T, s *store.Store, when string) {
	t.Helper()
	got, err := s.Counts(ctx, period.Range{From: d(2025, 1, 1), To: d(2025, 1, 31)})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, januaryCounts) {
		t.Errorf("counts%s:\ngot  %+v\nwant %+v", when, got, januaryCounts)
	}
}

func TestLoadStream(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ds, stats := streamed()
		n, err := s.LoadStream(ctx, ds, slices.Values(stats))
		if err != nil {
			t.Fatal(err)
		}
		if n != 8 {
			t.Errorf("LoadStream wrote %d statistic rows, want 8", n)
		}
		want := map[string]int{"districts": 2, "units": 3, "offence_types": 3, "crime_stats": 8, "selections": 2, "assessments": 2, "submissions": 2}
		if got := rowCounts(t, s); !reflect.DeepEqual(got, want) {
			t.Errorf("rows %v, want %v", got, want)
		}
		// The streamed days and counts read back as Load's do.
		wantJanuary(t, s, "")
	})
}

func TestLoadStreamBadRowWritesNothing(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ds, stats := streamed()
		stats[1].Count = -1 // U1, 1/1/2025, TT
		_, err := s.LoadStream(ctx, ds, slices.Values(stats))
		if err == nil || !strings.Contains(err.Error(), "statistic row 1 (U1, 2025-01-01, TT): negative count -1") {
			t.Fatalf("err = %v, want the bad row named", err)
		}
		for tbl, n := range rowCounts(t, s) {
			if n != 0 {
				t.Errorf("%s has %d rows after a failed load, want 0", tbl, n)
			}
		}
	})
}

func TestLoadStreamExistingKeyWritesNothing(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		mustLoad(t, s, fixture())
		before := rowCounts(t, s)
		ds := &store.Dataset{Districts: []rules.District{{Code: "D9", Name: "Huyện Lý Sơn", Kind: "huyen"}}}
		again := fixture().Stats[:2] // already stored: statistics are not upserted
		if _, err := s.LoadStream(ctx, ds, slices.Values(again)); err == nil {
			t.Fatal("streaming a key already stored: no error")
		}
		if after := rowCounts(t, s); !reflect.DeepEqual(after, before) {
			t.Errorf("rows %v after a failed load, want %v", after, before)
		}
	})
}

// Counts gives the same numbers without migration 00003's index (a
// database whose crime_stats is a view has none): SQLite then runs the
// query without naming it.
func TestCountsWithoutIndex(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		mustLoad(t, s, fixture())
		if _, err := s.DB().ExecContext(ctx, "DROP INDEX IF EXISTS crime_stats_unit_offence_day"); err != nil {
			t.Fatal(err)
		}
		wantJanuary(t, s, "")
	})
}

// numbered numbers rows as a CSV does, the first data row being row 2.
func numbered(rows []store.Stat) iter.Seq2[int, store.Stat] {
	return func(yield func(int, store.Stat) bool) {
		for i, r := range rows {
			if !yield(i+2, r) {
				return
			}
		}
	}
}

func noProblem() error { return nil }

// replays are the two ways UpsertStats may be given rows: once only, or
// readable again (which PostgreSQL first tries to copy straight in).
func replays(rows []store.Stat) map[string]func() (iter.Seq2[int, store.Stat], error) {
	return map[string]func() (iter.Seq2[int, store.Stat], error){
		"once":   nil,
		"replay": func() (iter.Seq2[int, store.Stat], error) { return numbered(rows), nil },
	}
}

// UpsertStats stores streamed rows as Load does: a row already stored is
// updated, and the same rows again change nothing.
func TestUpsertStats(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ds, stats := streamed()
		mustLoad(t, s, ds)
		first := slices.Clone(stats[:5])
		first[1].Count = 99 // U1, 1/1/2025, TT: corrected below
		if n, err := s.UpsertStats(ctx, numbered(first), noProblem, replays(first)["replay"]); err != nil || n != 5 {
			t.Fatalf("UpsertStats = %d, %v; want 5 rows", n, err)
		}
		for _, again := range replays(stats) {
			if n, err := s.UpsertStats(ctx, numbered(stats), noProblem, again); err != nil || n != 8 {
				t.Fatalf("UpsertStats = %d, %v; want 8 rows", n, err)
			}
		}
		if n := rowCounts(t, s)["crime_stats"]; n != 8 {
			t.Errorf("crime_stats holds %d rows, want 8", n)
		}
		wantJanuary(t, s, "")
	})
}

// A key given twice names both rows, on both databases, and stores
// nothing; so does an error of the caller's check.
func TestUpsertStatsRefusals(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ds, stats := streamed()
		mustLoad(t, s, ds)
		rows := append(slices.Clone(stats), stats[1], stats[6]) // rows 10 and 11 repeat rows 3 and 8
		rows[9].Count = 1
		for how, again := range replays(rows) {
			_, err := s.UpsertStats(ctx, numbered(rows), noProblem, again)
			var dup *store.DuplicateRows
			if !errors.As(err, &dup) {
				t.Fatalf("%s: err = %v, want *DuplicateRows", how, err)
			}
			want := []store.KeyClash{{Row: 10, First: 3, Key: "U1|2025-01-01|TT"}, {Row: 11, First: 8, Key: "U2|2025-01-10|KT"}}
			if !reflect.DeepEqual(dup.Rows, want) {
				t.Errorf("%s: repeats %+v, want %+v", how, dup.Rows, want)
			}
			if n := rowCounts(t, s)["crime_stats"]; n != 0 {
				t.Errorf("%s: crime_stats holds %d rows after a refused load, want 0", how, n)
			}
			bad := errors.New("row 4: bad day")
			if _, err := s.UpsertStats(ctx, numbered(stats), func() error { return bad }, again); !errors.Is(err, bad) {
				t.Errorf("%s: err = %v, want the check's", how, err)
			}
			if n := rowCounts(t, s)["crime_stats"]; n != 0 {
				t.Errorf("%s: crime_stats holds %d rows after a refused load, want 0", how, n)
			}
		}
	})
}

// Over stored rows a key given twice is refused too, even when one of its
// rows (or both) repeats the stored count, which the merge leaves alone;
// and nothing stored changes.
func TestUpsertStatsRepeatOverStoredRows(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ds, stats := streamed()
		mustLoad(t, s, ds)
		if _, err := s.UpsertStats(ctx, numbered(stats), noProblem, nil); err != nil {
			t.Fatal(err)
		}
		same, changed := stats[1], stats[1]
		changed.Count += 7
		for name, repeat := range map[string][]store.Stat{"same then changed": {same, changed}, "changed then same": {changed, same}, "both same": {same, same}} {
			rows := append(slices.Clone(stats), repeat...) // rows 10 and 11; row 3 is the same key
			for how, again := range replays(rows) {
				_, err := s.UpsertStats(ctx, numbered(rows), noProblem, again)
				var dup *store.DuplicateRows
				if !errors.As(err, &dup) || len(dup.Rows) == 0 || dup.Rows[0].Key != "U1|2025-01-01|TT" {
					t.Fatalf("%s, %s: err = %v, want *DuplicateRows naming U1|2025-01-01|TT", name, how, err)
				}
			}
		}
		wantJanuary(t, s, " after refused loads")
	})
}

// A file sent again with one count corrected rewrites that row only: on
// PostgreSQL the other rows keep the transaction that wrote them (xmin).
func TestUpsertStatsWritesOnlyWhatChanged(t *testing.T) {
	s := storetest.Open(t, storetest.PostgresURL(t), true)
	ds, stats := streamed()
	mustLoad(t, s, ds)
	if _, err := s.UpsertStats(ctx, numbered(stats), noProblem, nil); err != nil {
		t.Fatal(err)
	}
	writers := func() map[string]string {
		t.Helper()
		rows, err := s.DB().QueryContext(ctx, `SELECT unit_code || '|' || day || '|' || offence_code, xmin::text FROM crime_stats`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]string{}
		for rows.Next() {
			var k, x string
			if err := rows.Scan(&k, &x); err != nil {
				t.Fatal(err)
			}
			out[k] = x
		}
		return out
	}
	before := writers()
	fixed := slices.Clone(stats)
	fixed[1].Count += 7 // U1, 1/1/2025, TT
	pass := 0
	for how, again := range replays(fixed) {
		pass++
		if _, err := s.UpsertStats(ctx, numbered(fixed), noProblem, again); err != nil {
			t.Fatalf("%s: %v", how, err)
		}
		after := writers()
		for k, x := range before {
			// The second pass finds the correction stored already.
			if rewritten := after[k] != x; rewritten != (k == "U1|2025-01-01|TT" && pass == 1) {
				t.Errorf("pass %d (%s): row %s rewritten: %t", pass, how, k, rewritten)
			}
		}
		before = after
	}
}

// On PostgreSQL a value the checks let through but the database refuses
// is named by its row and column: by COPY's report for a stream, by
// writing the rows again one by one for Load.
func TestRefusedValueNamesTheRow(t *testing.T) {
	s := storetest.Open(t, storetest.PostgresURL(t), true)
	ds, stats := streamed()
	mustLoad(t, s, ds)
	stats[4].Count = 1 << 40 // beyond PostgreSQL's integer
	var rf *store.RowFailure
	for how, again := range replays(stats) {
		_, err := s.UpsertStats(ctx, numbered(stats), noProblem, again)
		if !errors.As(err, &rf) || rf.Row != 6 || rf.Column != "count" || !strings.Contains(rf.Err.Error(), "out of range") {
			t.Errorf("UpsertStats (%s): err = %v, want row 6, column count, out of range", how, err)
		}
	}
	bad := fixture()
	bad.Units[2].Name = "Xã \x00 Tịnh Khê" // PostgreSQL text holds no NUL
	err := s.Load(ctx, bad)
	if !errors.As(err, &rf) || rf.Table != "units" || rf.Index != 2 {
		t.Errorf("Load: err = %v, want units row 2 named", err)
	}
	if n := rowCounts(t, s)["crime_stats"]; n != 0 {
		t.Errorf("crime_stats holds %d rows after refused loads, want 0", n)
	}
}
