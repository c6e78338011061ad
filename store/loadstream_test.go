package store_test

import (
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
		got, err := s.Counts(ctx, period.Range{From: d(2025, 1, 1), To: d(2025, 1, 31)})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, januaryCounts) {
			t.Errorf("counts:\ngot  %+v\nwant %+v", got, januaryCounts)
		}
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
		got, err := s.Counts(ctx, period.Range{From: d(2025, 1, 1), To: d(2025, 1, 31)})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, januaryCounts) {
			t.Errorf("counts:\ngot  %+v\nwant %+v", got, januaryCounts)
		}
	})
}
