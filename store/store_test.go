package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh without a system zoneinfo

	"chuyenhoa/finding"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

var ctx = context.Background()

func d(y int, m time.Month, day int) time.Time { return period.Date(y, m, day) }

// fixture has a row of every kind, with NULL and non-NULL dates, both
// boolean values and an empty grouping code.
func fixture() *store.Dataset {
	return &store.Dataset{
		Districts: []rules.District{
			{Code: "D2", Name: "Thành phố Quảng Ngãi", Kind: "thanh_pho"},
			{Code: "D1", Name: "Huyện Bình Sơn", Kind: "huyen"},
		},
		Units: []store.UnitRow{
			{Unit: rules.Unit{Code: "U2", Name: "Phường Lê Hồng Phong", Kind: "phuong", District: "D2"}},
			{Unit: rules.Unit{Code: "U1", Name: "Xã Bình Châu", Kind: "xa", District: "D1", NTMCertifiedOn: d(2023, 12, 29)},
				ValidFrom: d(2020, 1, 1), ValidTo: d(2025, 6, 30)},
			{Unit: rules.Unit{Code: "U3", Name: "Xã Tịnh Khê", Kind: "xa"}, ValidFrom: d(2025, 7, 1)},
		},
		Offences: []store.Offence{
			{Code: "TT", Name: "Cướp tài sản", Category: rules.Cat1, SocialOrder: true},
			{Code: "KT", Name: "Buôn lậu", Category: rules.Cat2, SocialOrder: false},
			{Code: "MT", Name: "Tàng trữ trái phép chất ma túy", Category: rules.Cat4, SocialOrder: true},
		},
		Stats: []store.Stat{
			{Unit: "U1", Day: d(2024, 12, 31), Offence: "TT", Count: 5},
			{Unit: "U1", Day: d(2025, 1, 1), Offence: "TT", Count: 2},
			{Unit: "U1", Day: d(2025, 1, 15), Offence: "TT", Count: 3},
			{Unit: "U1", Day: d(2025, 1, 31), Offence: "KT", Count: 4},
			{Unit: "U1", Day: d(2025, 2, 1), Offence: "KT", Count: 7},
			{Unit: "U2", Day: d(2025, 1, 10), Offence: "MT", Count: 1},
			{Unit: "U2", Day: d(2025, 1, 10), Offence: "KT", Count: 6},
			{Unit: "U3", Day: d(2025, 3, 1), Offence: "TT", Count: 9},
		},
		Selections: []rules.Selection{
			{Year: 2026, Unit: "U2", Category: rules.Cat4, DecidedOn: d(2026, 3, 2)},
			{Year: 2025, Unit: "U1", Category: rules.Cat1, DecidedOn: d(2025, 2, 28)},
		},
		Assessments: []rules.Assessment{
			{Year: 2025, Unit: "U1", Transformed: true, AssessedOn: d(2026, 1, 20)},
			{Year: 2025, Unit: "U2", Transformed: false, AssessedOn: d(2026, 1, 20)},
		},
		Submissions: []store.SubmissionRow{
			{District: "D1", Obligation: "plan", Period: "2025", Unit: "U1", SubmittedAt: time.Date(2026, 6, 20, 18, 30, 0, 123456000, time.UTC)},
			{District: "D1", Obligation: "half", Period: "2026-H1", SubmittedAt: time.Date(2026, 6, 20, 16, 59, 59, 0, time.UTC)},
		},
	}
}

func mustLoad(t *testing.T, s *store.Store, ds *store.Dataset) {
	t.Helper()
	if err := s.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
}

// snapshot is everything readable from the contract tables.
type snapshot struct {
	Districts   []rules.District
	Units       []store.UnitRow
	Offences    []store.Offence
	Stats       []store.Stat
	Selections  []rules.Selection
	Assessments []rules.Assessment
	Submissions []store.SubmissionRow
}

func snap(t *testing.T, s *store.Store) snapshot {
	t.Helper()
	var (
		sn  snapshot
		err error
	)
	check := func() {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	sn.Districts, err = s.Districts(ctx)
	check()
	sn.Units, err = s.AllUnits(ctx)
	check()
	sn.Offences, err = s.Offences(ctx)
	check()
	sn.Stats, err = s.Stats(ctx, period.Range{From: d(1900, 1, 1), To: d(2999, 1, 1)})
	check()
	sn.Selections, err = s.Selections(ctx)
	check()
	sn.Assessments, err = s.Assessments(ctx)
	check()
	sn.Submissions, err = s.SubmissionRows(ctx)
	check()
	return sn
}

func rowCounts(t *testing.T, s *store.Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tbl := range []string{"districts", "units", "offence_types", "crime_stats", "selections", "assessments", "submissions"} {
		var n int
		if err := s.DB().GetContext(ctx, &n, "SELECT COUNT(*) FROM "+tbl); err != nil {
			t.Fatal(err)
		}
		out[tbl] = n
	}
	return out
}

func TestOpenErrors(t *testing.T) {
	_, err := store.Open(ctx, "mysql://root@localhost/x")
	if err == nil || !strings.Contains(err.Error(), `"mysql"`) {
		t.Errorf("unknown scheme: got %v, want an error naming \"mysql\"", err)
	}
	if _, err := store.Open(ctx, "sqlite::memory:"); err == nil {
		t.Error("in-memory SQLite accepted; every pooled connection would see its own database")
	}
	if _, err := store.Open(ctx, "no-scheme.db"); err == nil {
		t.Error("URL without scheme accepted")
	}
}

func TestMigrateTwice(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		cur, latest, err := s.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if cur != latest || latest < 1 {
			t.Fatalf("after migrate: current %d, latest %d; want equal and >= 1", cur, latest)
		}
		mustLoad(t, s, fixture())
		before := snap(t, s)
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		cur2, latest2, err := s.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if cur2 != cur || latest2 != latest {
			t.Errorf("second migrate moved versions: %d/%d -> %d/%d", cur, latest, cur2, latest2)
		}
		if after := snap(t, s); !reflect.DeepEqual(before, after) {
			t.Errorf("second migrate changed data:\nbefore %+v\nafter  %+v", before, after)
		}
	})
}

func TestMigrationStatusFresh(t *testing.T) {
	for name, url := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite:" + t.TempDir() + "/fresh.db" },
		"postgres": storetest.PostgresURL,
	} {
		t.Run(name, func(t *testing.T) {
			s, err := store.Open(ctx, url(t))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			cur, latest, err := s.MigrationStatus(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if cur != 0 || latest < 1 {
				t.Errorf("fresh database: current %d, latest %d; want 0 and >= 1", cur, latest)
			}
		})
	}
}

// Two replicas starting together against one PostgreSQL schema: the
// session lock makes one wait, and both end up at the latest version.
func TestMigrateConcurrentPostgres(t *testing.T) {
	url := storetest.PostgresURL(t)
	var stores []*store.Store
	for range 3 {
		s, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores = append(stores, s)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(stores))
	for i, s := range stores {
		wg.Go(func() { errs[i] = s.Migrate(ctx) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
	cur, latest, err := stores[0].MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cur != latest {
		t.Errorf("current %d, latest %d", cur, latest)
	}
	// Each migration recorded once. Versions need not be contiguous: a
	// branch may hold 00006 while 00005 is written on another.
	var applied struct {
		Rows     int   `db:"n"`
		Versions int   `db:"versions"`
		Max      int64 `db:"max"`
	}
	if err := stores[0].DB().GetContext(ctx, &applied, "SELECT COUNT(*) AS n, COUNT(DISTINCT version_id) AS versions, MAX(version_id) AS max FROM goose_db_version WHERE version_id > 0"); err != nil {
		t.Fatal(err)
	}
	if applied.Rows != applied.Versions || applied.Max != latest {
		t.Errorf("%d migrations recorded for %d versions up to %d, want each once up to %d", applied.Rows, applied.Versions, applied.Max, latest)
	}
}

func TestLoadReadBack(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		mustLoad(t, s, fixture())
		got := snap(t, s)
		want := snapshot{
			Districts: []rules.District{
				{Code: "D1", Name: "Huyện Bình Sơn", Kind: "huyen"},
				{Code: "D2", Name: "Thành phố Quảng Ngãi", Kind: "thanh_pho"},
			},
			Units: []store.UnitRow{
				{Unit: rules.Unit{Code: "U1", Name: "Xã Bình Châu", Kind: "xa", District: "D1", NTMCertifiedOn: d(2023, 12, 29)},
					ValidFrom: d(2020, 1, 1), ValidTo: d(2025, 6, 30)},
				{Unit: rules.Unit{Code: "U2", Name: "Phường Lê Hồng Phong", Kind: "phuong", District: "D2"}},
				{Unit: rules.Unit{Code: "U3", Name: "Xã Tịnh Khê", Kind: "xa"}, ValidFrom: d(2025, 7, 1)},
			},
			Offences: []store.Offence{
				{Code: "KT", Name: "Buôn lậu", Category: rules.Cat2, SocialOrder: false},
				{Code: "MT", Name: "Tàng trữ trái phép chất ma túy", Category: rules.Cat4, SocialOrder: true},
				{Code: "TT", Name: "Cướp tài sản", Category: rules.Cat1, SocialOrder: true},
			},
			Stats: []store.Stat{
				{Unit: "U1", Day: d(2024, 12, 31), Offence: "TT", Count: 5},
				{Unit: "U1", Day: d(2025, 1, 1), Offence: "TT", Count: 2},
				{Unit: "U1", Day: d(2025, 1, 15), Offence: "TT", Count: 3},
				{Unit: "U1", Day: d(2025, 1, 31), Offence: "KT", Count: 4},
				{Unit: "U1", Day: d(2025, 2, 1), Offence: "KT", Count: 7},
				{Unit: "U2", Day: d(2025, 1, 10), Offence: "KT", Count: 6},
				{Unit: "U2", Day: d(2025, 1, 10), Offence: "MT", Count: 1},
				{Unit: "U3", Day: d(2025, 3, 1), Offence: "TT", Count: 9},
			},
			Selections: []rules.Selection{
				{Year: 2025, Unit: "U1", Category: rules.Cat1, DecidedOn: d(2025, 2, 28)},
				{Year: 2026, Unit: "U2", Category: rules.Cat4, DecidedOn: d(2026, 3, 2)},
			},
			Assessments: []rules.Assessment{
				{Year: 2025, Unit: "U1", Transformed: true, AssessedOn: d(2026, 1, 20)},
				{Year: 2025, Unit: "U2", Transformed: false, AssessedOn: d(2026, 1, 20)},
			},
			Submissions: []store.SubmissionRow{
				{District: "D1", Obligation: "half", Period: "2026-H1", SubmittedAt: time.Date(2026, 6, 20, 16, 59, 59, 0, time.UTC)},
				{District: "D1", Obligation: "plan", Period: "2025", Unit: "U1", SubmittedAt: time.Date(2026, 6, 20, 18, 30, 0, 123456000, time.UTC)},
			},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("read back:\ngot  %+v\nwant %+v", got, want)
		}
		// Dates come back as 00:00 UTC values, not merely equal instants.
		for _, u := range got.Units {
			for _, tm := range []time.Time{u.NTMCertifiedOn, u.ValidFrom, u.ValidTo} {
				if !tm.IsZero() && (tm.Location() != time.UTC || tm.Hour() != 0) {
					t.Errorf("unit %s: date %v is not 00:00 UTC", u.Code, tm)
				}
			}
		}
	})
}

func TestUnitsValidOn(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ds := &store.Dataset{Units: []store.UnitRow{
			{Unit: rules.Unit{Code: "A", Name: "always", Kind: "xa"}},
			{Unit: rules.Unit{Code: "B", Name: "from 1/7/2025", Kind: "xa"}, ValidFrom: d(2025, 7, 1)},
			{Unit: rules.Unit{Code: "C", Name: "to 30/6/2025", Kind: "xa"}, ValidTo: d(2025, 6, 30)},
			{Unit: rules.Unit{Code: "D", Name: "2025 only", Kind: "xa"}, ValidFrom: d(2025, 1, 1), ValidTo: d(2025, 12, 31)},
		}}
		mustLoad(t, s, ds)
		for _, tc := range []struct {
			on   time.Time
			want string
		}{
			{d(2024, 12, 31), "A C"},   // before D starts, C still valid
			{d(2025, 1, 1), "A C D"},   // D's first day counts
			{d(2025, 6, 30), "A C D"},  // C's last day counts, B not yet
			{d(2025, 7, 1), "A B D"},   // B's first day, C gone
			{d(2025, 12, 31), "A B D"}, // D's last day
			{d(2026, 1, 1), "A B"},
		} {
			us, err := s.Units(ctx, tc.on)
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, u := range us {
				codes = append(codes, u.Code)
			}
			if got := strings.Join(codes, " "); got != tc.want {
				t.Errorf("units on %s: got %q, want %q", tc.on.Format(time.DateOnly), got, tc.want)
			}
		}
	})
}

func TestCounts(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		mustLoad(t, s, fixture())
		got, err := s.Counts(ctx, period.Range{From: d(2025, 1, 1), To: d(2025, 1, 31)})
		if err != nil {
			t.Fatal(err)
		}
		// In range 1/1–31/1/2025 (TT: cat 1 social; KT: cat 2; MT: cat 4 social):
		// U1: TT 2 (1/1, first day) + TT 3 (15/1) = cat1 5, social 5;
		//     KT 4 (31/1, last day) = cat2 4; TT 5 on 31/12 and KT 7 on 1/2 are out.
		// U2: MT 1 = cat4 1, social 1; KT 6 = cat2 6.
		// U3: only 1/3, out of range: absent. (januaryCounts)
		if !reflect.DeepEqual(got, januaryCounts) {
			t.Errorf("counts:\ngot  %+v\nwant %+v", got, januaryCounts)
		}
	})
}

// CountsChecked sums what Counts sums and tells a window holding rows the
// sums leave out: counts out of range, an unknown offence. Such rows are
// written here past the loader, as a province's own import could.
// On PostgreSQL both forms of the pass are checked: with the index of the
// unusable rows (migration 00010) and, as over a province's view, without.
func TestCountsChecked(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		mustLoad(t, s, fixture())
		countsChecked(t, s)
		if s.Dialect() == store.Postgres {
			if err := store.MigrateTo(ctx, s, 9); err != nil {
				t.Fatal(err)
			}
			t.Run("without the index", func(t *testing.T) { countsChecked(t, s) })
		}
	})
}

func countsChecked(t *testing.T, s *store.Store) {
	t.Helper()
	jan := period.Range{From: d(2025, 1, 1), To: d(2025, 1, 31)}
	check := func(what string, wantSuspect bool, want map[string]rules.Counts) {
		t.Helper()
		got, err := s.CountsChecked(ctx, jan)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got.Suspect != wantSuspect || !reflect.DeepEqual(got.Counts, want) {
			t.Errorf("%s: suspect %t, counts %+v\nwant suspect %t, counts %+v", what, got.Suspect, got.Counts, wantSuspect, want)
		}
	}
	want := maps.Clone(januaryCounts)
	check("clean", false, want)
	for _, row := range []string{
		`('U1', '2025-01-02', 'TT', 1000001)`, // above valid.MaxCount
		`('U2', '2025-01-03', 'KT', -3)`,
		`('U2', '2025-01-04', 'ZZ', 8)`, // no such offence type
	} {
		exec(t, s, `INSERT INTO crime_stats (unit_code, day, offence_code, count) VALUES `+row)
		check("with "+row, true, want)
		exec(t, s, `DELETE FROM crime_stats WHERE day IN ('2025-01-02', '2025-01-03', '2025-01-04')`)
	}
	// The largest valid counts are summed exactly: 3 × 1,000,000.
	exec(t, s, `INSERT INTO crime_stats (unit_code, day, offence_code, count) VALUES
		('U3', '2025-01-05', 'TT', 1000000), ('U3', '2025-01-06', 'TT', 1000000), ('U3', '2025-01-07', 'TT', 1000000)`)
	want["U3"] = rules.Counts{SocialOrder: 3000000, ByCategory: [5]int{0, 3000000, 0, 0, 0}}
	check("largest counts", false, want)
	// Beside a bad row of its own group the valid ones still count.
	exec(t, s, `INSERT INTO crime_stats (unit_code, day, offence_code, count) VALUES ('U3', '2025-01-08', 'TT', -1)`)
	check("largest counts and a negative one", true, want)
	exec(t, s, `DELETE FROM crime_stats WHERE unit_code = 'U3' AND day BETWEEN '2025-01-05' AND '2025-01-08'`)
	check("clean again", false, januaryCounts)
}

// Enough rows to need several INSERT batches of different sizes.
func TestLoadManyStats(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ds := &store.Dataset{Offences: []store.Offence{{Code: "TT", Name: "x", Category: rules.Cat1, SocialOrder: true}}}
		from := d(2025, 1, 1)
		for u := range 3 {
			for day := range 411 {
				ds.Stats = append(ds.Stats, store.Stat{Unit: fmt.Sprintf("U%d", u), Day: from.AddDate(0, 0, day), Offence: "TT", Count: u + 1})
			}
		}
		mustLoad(t, s, ds)
		// 3 units × 411 days = 1233 rows; over all 411 days unit U<u> sums
		// 411 × (u+1): 411, 822, 1233. Over 1/1–31/1/2025 (31 days): 31, 62, 93.
		got, err := s.Counts(ctx, period.Range{From: from, To: from.AddDate(0, 0, 410)})
		if err != nil {
			t.Fatal(err)
		}
		for u, want := range []int{411, 822, 1233} {
			if c := got[fmt.Sprintf("U%d", u)]; c.SocialOrder != want || c.ByCategory[1] != want {
				t.Errorf("U%d over all days: %+v, want %d", u, c, want)
			}
		}
		got, err = s.Counts(ctx, period.Range{From: from, To: d(2025, 1, 31)})
		if err != nil {
			t.Fatal(err)
		}
		for u, want := range []int{31, 62, 93} {
			if c := got[fmt.Sprintf("U%d", u)]; c.ByCategory[1] != want {
				t.Errorf("U%d in January: %+v, want %d", u, c, want)
			}
		}
		if n := rowCounts(t, s)["crime_stats"]; n != 1233 {
			t.Errorf("%d stat rows, want 1233", n)
		}
	})
}

func TestLoadIdempotent(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		mustLoad(t, s, fixture())
		counts, first := rowCounts(t, s), snap(t, s)
		mustLoad(t, s, fixture())
		if again := rowCounts(t, s); !reflect.DeepEqual(again, counts) {
			t.Errorf("re-load changed row counts: %v -> %v", counts, again)
		}
		if again := snap(t, s); !reflect.DeepEqual(again, first) {
			t.Errorf("re-load changed data:\n%+v\n%+v", first, again)
		}
		// A changed row replaces the stored one instead of adding one.
		ds := &store.Dataset{
			Stats: []store.Stat{{Unit: "U1", Day: d(2025, 1, 1), Offence: "TT", Count: 20}},
			Units: []store.UnitRow{{Unit: rules.Unit{Code: "U1", Name: "Xã Bình Châu", Kind: "xa", District: "D1"}}},
		}
		mustLoad(t, s, ds)
		if again := rowCounts(t, s); !reflect.DeepEqual(again, counts) {
			t.Errorf("update changed row counts: %v -> %v", counts, again)
		}
		c, err := s.Counts(ctx, period.Range{From: d(2025, 1, 1), To: d(2025, 1, 1)})
		if err != nil {
			t.Fatal(err)
		}
		if c["U1"].ByCategory[1] != 20 {
			t.Errorf("U1 on 1/1/2025: %+v, want cat1 20", c["U1"])
		}
		all, err := s.AllUnits(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if u := all[0]; u.Code != "U1" || !u.NTMCertifiedOn.IsZero() || !u.ValidFrom.IsZero() || !u.ValidTo.IsZero() {
			t.Errorf("U1 after update: %+v, want dates cleared to NULL", u)
		}
	})
}

func TestLoadInvalidRowWritesNothing(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		mustLoad(t, s, fixture())
		counts, before := rowCounts(t, s), snap(t, s)
		ds := fixture()
		ds.Districts = append(ds.Districts, rules.District{Code: "D9", Name: "new", Kind: "huyen"})
		ds.Stats[0].Count = 99
		ds.Offences[1].Category = 9
		err := s.Load(ctx, ds)
		if err == nil || !strings.Contains(err.Error(), "Offences[1] (KT): category 9") {
			t.Fatalf("got %v, want an error naming Offences[1] and its category", err)
		}
		if after := rowCounts(t, s); !reflect.DeepEqual(after, counts) {
			t.Errorf("row counts %v -> %v", counts, after)
		}
		if after := snap(t, s); !reflect.DeepEqual(after, before) {
			t.Errorf("data changed:\n%+v\n%+v", before, after)
		}
	})
}

func TestLoadDuplicateKey(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ds := fixture()
		ds.Stats = append(ds.Stats, store.Stat{Unit: "U1", Day: d(2025, 1, 15), Offence: "TT", Count: 1})
		err := s.Load(ctx, ds)
		if err == nil || !strings.Contains(err.Error(), "Stats[8] (U1, 2025-01-15, TT): same key as Stats[2]") {
			t.Fatalf("got %v, want the duplicate stat named", err)
		}
		if n := rowCounts(t, s); n["crime_stats"]+n["districts"] != 0 {
			t.Errorf("rows written: %v", n)
		}
	})
}

// A failure after some tables were written (here: injected after the
// statistics) rolls back the whole load, updates included.
func TestLoadFailureMidwayRollsBack(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		mustLoad(t, s, fixture())
		counts, before := rowCounts(t, s), snap(t, s)
		ds := fixture()
		ds.Districts = append(ds.Districts, rules.District{Code: "D9", Name: "new", Kind: "huyen"})
		ds.Stats[1].Count = 99
		ds.Stats = append(ds.Stats, store.Stat{Unit: "U9", Day: d(2025, 5, 5), Offence: "TT", Count: 1})
		boom := errors.New("boom")
		var written []string
		store.SetLoadHook(s, func(table string) error {
			written = append(written, table)
			if table == "crime_stats" {
				return boom
			}
			return nil
		})
		defer store.SetLoadHook(s, nil)
		if err := s.Load(ctx, ds); !errors.Is(err, boom) {
			t.Fatalf("got %v, want the injected failure", err)
		}
		if want := []string{"districts", "units", "offence_types", "crime_stats"}; !reflect.DeepEqual(written, want) {
			t.Fatalf("tables written before the failure: %v, want %v", written, want)
		}
		if after := rowCounts(t, s); !reflect.DeepEqual(after, counts) {
			t.Errorf("row counts %v -> %v", counts, after)
		}
		if after := snap(t, s); !reflect.DeepEqual(after, before) {
			t.Errorf("data changed:\n%+v\n%+v", before, after)
		}
	})
}

func TestSubmissionDayInProvince(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		mustLoad(t, s, fixture())
		loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
		if err != nil {
			t.Fatal(err)
		}
		subs, err := s.Submissions(ctx, loc)
		if err != nil {
			t.Fatal(err)
		}
		// UTC+7: 20/6 16:59:59Z is 20/6 23:59:59 there; 20/6 18:30Z is 21/6 01:30.
		want := []rules.Submission{
			{District: "D1", Obligation: "half", Period: "2026-H1", SubmittedOn: d(2026, 6, 20)},
			{District: "D1", Obligation: "plan", Period: "2025", Unit: "U1", SubmittedOn: d(2026, 6, 21)},
		}
		if !reflect.DeepEqual(subs, want) {
			t.Errorf("submissions:\ngot  %+v\nwant %+v", subs, want)
		}
	})
}

func testFinding(kind finding.Kind, key string, state finding.State) store.Finding {
	return store.Finding{Kind: kind, Key: key, District: "D1", Unit: key, State: state, Payload: json.RawMessage(`{"n":1}`)}
}

func TestReplaceFindings(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		replace := func(job finding.Job, period string, fs ...store.Finding) {
			t.Helper()
			if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.ReplaceFindings(ctx, job, period, fs) }); err != nil {
				t.Fatal(err)
			}
		}
		replace("deadlines", "2026-06", testFinding("overdue", "U1", "open"), testFinding("overdue", "U2", "open"), testFinding("due", "U3", "open"))
		replace("deadlines", "2026-05", testFinding("due", "U9", "open"))
		replace("deadlines", "2026-06", testFinding("overdue", "U2", "closed"), testFinding("escalated", "U1", "open"))

		got, err := s.Findings(ctx, "deadlines", "2026-06")
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, f := range got {
			keys = append(keys, string(f.Kind)+"/"+f.Key+"/"+string(f.State))
			if f.Job != "deadlines" || f.Period != "2026-06" || f.District != "D1" || string(f.Payload) != `{"n":1}` {
				t.Errorf("finding read back as %+v", f)
			}
		}
		if want := "escalated/U1/open overdue/U2/closed"; strings.Join(keys, " ") != want {
			t.Errorf("after second replace: %q, want %q", strings.Join(keys, " "), want)
		}
		other, err := s.Findings(ctx, "deadlines", "2026-05")
		if err != nil {
			t.Fatal(err)
		}
		if len(other) != 1 || other[0].Key != "U9" {
			t.Errorf("other period touched: %+v", other)
		}
		// An empty set clears the period.
		replace("deadlines", "2026-06")
		if got, err := s.Findings(ctx, "deadlines", "2026-06"); err != nil || len(got) != 0 {
			t.Errorf("after empty replace: %+v, %v", got, err)
		}
		err = s.InTx(ctx, func(tx *store.Tx) error {
			return tx.ReplaceFindings(ctx, "deadlines", "2026-06", []store.Finding{testFinding("due", "U1", "open"), testFinding("due", "U1", "open")})
		})
		if err == nil || !strings.Contains(err.Error(), "appears twice") {
			t.Errorf("duplicate finding: got %v", err)
		}
	})
}

func TestRuns(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		t0 := time.Date(2026, 6, 21, 1, 0, 0, 123456000, time.UTC)
		r, err := s.StartRun(ctx, "deadlines", "2026-06-21", "run-a", t0)
		if err != nil {
			t.Fatal(err)
		}
		if r.ID == 0 || r.Status != store.RunRunning || r.Attempts != 1 || r.RunID != "run-a" || !r.StartedAt.Equal(t0) || !r.FinishedAt.IsZero() {
			t.Fatalf("first start: %+v", r)
		}
		if err := s.FailRun(ctx, "deadlines", "2026-06-21", "run-a", t0.Add(time.Minute), errors.New("smtp down")); err != nil {
			t.Fatal(err)
		}
		last, ok, err := s.LastRun(ctx, "deadlines")
		if err != nil || !ok {
			t.Fatalf("last run: %v %v", ok, err)
		}
		if last.Status != store.RunFailed || last.Error != "smtp down" || !last.FinishedAt.Equal(t0.Add(time.Minute)) || last.ID != r.ID {
			t.Errorf("after fail: %+v", last)
		}

		t1 := t0.Add(time.Hour)
		r2, err := s.StartRun(ctx, "deadlines", "2026-06-21", "run-b", t1)
		if err != nil {
			t.Fatal(err)
		}
		if r2.ID != r.ID || r2.Attempts != 2 || r2.Status != store.RunRunning || r2.Error != "" || !r2.FinishedAt.IsZero() || !r2.StartedAt.Equal(t1) {
			t.Errorf("second start: %+v", r2)
		}
		// The superseded run can no longer record an outcome.
		if err := s.FailRun(ctx, "deadlines", "2026-06-21", "run-a", t1, errors.New("late")); !errors.Is(err, store.ErrRunSuperseded) {
			t.Errorf("fail of superseded run: %v", err)
		}
		err = s.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.ReplaceFindings(ctx, "deadlines", "2026-06-21", []store.Finding{testFinding("due", "U1", "open")}); err != nil {
				return err
			}
			return tx.FinishRun(ctx, "deadlines", "2026-06-21", "run-b", t1.Add(time.Second))
		})
		if err != nil {
			t.Fatal(err)
		}
		// A superseded run's findings are rolled back with its FinishRun.
		err = s.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.ReplaceFindings(ctx, "deadlines", "2026-06-21", nil); err != nil {
				return err
			}
			return tx.FinishRun(ctx, "deadlines", "2026-06-21", "run-a", t1.Add(2*time.Second))
		})
		if !errors.Is(err, store.ErrRunSuperseded) {
			t.Errorf("finish of superseded run: %v", err)
		}

		// A later run of another period, still running.
		t2 := t1.Add(24 * time.Hour)
		if _, err := s.StartRun(ctx, "deadlines", "2026-06-22", "run-c", t2); err != nil {
			t.Fatal(err)
		}
		if _, err := s.StartRun(ctx, "relapse", "2026-06", "run-d", t2.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		last, ok, err = s.LastRun(ctx, "deadlines")
		if err != nil || !ok || last.RunID != "run-c" || last.Status != store.RunRunning {
			t.Errorf("last run: %+v %v %v", last, ok, err)
		}
		runs, err := s.Runs(ctx, "deadlines", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 2 || runs[0].RunID != "run-c" || runs[1].RunID != "run-b" || runs[1].Status != store.RunOK ||
			!runs[1].FinishedAt.Equal(t1.Add(time.Second)) || runs[1].Error != "" {
			t.Errorf("runs: %+v", runs)
		}
		if runs, err := s.Runs(ctx, "", 1); err != nil || len(runs) != 1 || runs[0].RunID != "run-d" {
			t.Errorf("latest run of any job: %+v %v", runs, err)
		}
		// Latest findings come from the latest ok run, not the running one.
		p, fs, err := s.LatestFindings(ctx, "deadlines")
		if err != nil {
			t.Fatal(err)
		}
		if p != "2026-06-21" || len(fs) != 1 || fs[0].Key != "U1" {
			t.Errorf("latest findings: %q %+v", p, fs)
		}
		if p, fs, err := s.LatestFindings(ctx, "relapse"); err != nil || p != "" || fs != nil {
			t.Errorf("latest findings of a job never ok: %q %+v %v", p, fs, err)
		}
		if _, ok, err := s.LastRun(ctx, "never"); err != nil || ok {
			t.Errorf("last run of unknown job: %v %v", ok, err)
		}
	})
}

func TestInTxRollback(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		keep := []store.Finding{testFinding("due", "U1", "open")}
		if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.ReplaceFindings(ctx, "j", "p", keep) }); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		err := s.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.ReplaceFindings(ctx, "j", "p", []store.Finding{testFinding("due", "U2", "open")}); err != nil {
				return err
			}
			if err := tx.PutRelapseState(ctx, store.RelapseState{Unit: "U1", Year: 2025, CheckedOn: d(2026, 1, 1)}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("got %v, want fn's error", err)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Error("panic swallowed")
				}
			}()
			_ = s.InTx(ctx, func(tx *store.Tx) error {
				if err := tx.ReplaceFindings(ctx, "j", "p", nil); err != nil {
					return err
				}
				panic("kaboom")
			})
		}()
		got, err := s.Findings(ctx, "j", "p")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Key != "U1" {
			t.Errorf("findings after rolled back transactions: %+v", got)
		}
		states, err := s.RelapseStates(ctx)
		if err != nil || len(states) != 0 {
			t.Errorf("relapse states after rollback: %+v %v", states, err)
		}
		// The pool is usable after the panic (the connection went back).
		if err := s.InTx(ctx, func(tx *store.Tx) error { return nil }); err != nil {
			t.Errorf("after panic: %v", err)
		}
	})
}

func TestRelapseStates(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		a := store.RelapseState{Unit: "U1", Year: 2024, Relapsed: true, Since: d(2025, 11, 14), EverRelapsed: true, CheckedOn: d(2025, 11, 14),
			FirstRelapsedOn: d(2025, 11, 14)}
		b := store.RelapseState{Unit: "U2", Year: 2024, CheckedOn: d(2025, 11, 14)}
		err := s.InTx(ctx, func(tx *store.Tx) error {
			for _, st := range []store.RelapseState{a, b} {
				if err := tx.PutRelapseState(ctx, st); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// Back to normal a month later: the upsert replaces the row.
		a2 := a
		a2.Relapsed, a2.Since, a2.CheckedOn = false, d(2025, 12, 14), d(2025, 12, 14)
		err = s.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.PutRelapseState(ctx, a2); err != nil {
				return err
			}
			got, err := tx.RelapseStates(ctx)
			if err != nil {
				return err
			}
			if got[rules.AreaKey{Unit: "U1", Year: 2024}] != a2 {
				t.Errorf("inside tx: %+v", got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.RelapseStates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[rules.AreaKey]store.RelapseState{{Unit: "U1", Year: 2024}: a2, {Unit: "U2", Year: 2024}: b}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("relapse states:\ngot  %+v\nwant %+v", got, want)
		}
	})
}

// A rerun that changes a few findings of a period rewrites only those
// rows; what is stored afterwards is exactly the new set, whatever
// changed (payload, state, committee), was added or went.
func TestReplaceFindingsChangesOnlyWhatChanged(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		replace := func(fs []store.Finding) {
			t.Helper()
			if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.ReplaceFindings(ctx, "candidates", "2026", fs) }); err != nil {
				t.Fatal(err)
			}
		}
		var first []store.Finding
		for i := range 10 {
			first = append(first, testFinding("candidate", fmt.Sprintf("U%d", i), "below_average"))
		}
		// Which version of each row is stored: PostgreSQL's xmin, SQLite's
		// rowid (a row deleted and inserted again gets a new one).
		versions := func() map[string]string {
			t.Helper()
			col := "CAST(rowid AS TEXT)"
			if s.Dialect() == store.Postgres {
				col = "xmin::text"
			}
			out := map[string]string{}
			rows, err := s.DB().QueryContext(ctx, `SELECT key, `+col+` FROM findings WHERE job = 'candidates' AND period = '2026'`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var k, v string
				if err := rows.Scan(&k, &v); err != nil {
					t.Fatal(err)
				}
				out[k] = v
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			return out
		}
		replace(first)
		before := versions()
		second := slices.Clone(first)
		second[1].Payload = json.RawMessage(`{"n":2}`)
		second[2].State = "proposed"
		second[3].District = "D2"
		second = slices.Delete(second, 4, 5)                                                     // U4 goes
		second = append(second, testFinding("candidate", "U10", "proposed"))                     // U10 comes
		second = append(second, store.Finding{Kind: "candidate", Key: "U11", State: "proposed"}) // empty payload: {}
		replace(second)
		got, err := s.Findings(ctx, "candidates", "2026")
		if err != nil {
			t.Fatal(err)
		}
		show := func(fs []store.Finding) []string {
			var out []string
			for _, f := range fs {
				p := string(f.Payload)
				if p == "" {
					p = "{}"
				}
				out = append(out, strings.Join([]string{string(f.Kind), f.Key, f.District, f.Unit, string(f.State), p}, " "))
			}
			slices.Sort(out)
			return out
		}
		if g, w := show(got), show(second); !slices.Equal(g, w) {
			t.Errorf("after a partial rerun:\n%s\nwant\n%s", strings.Join(g, "\n"), strings.Join(w, "\n"))
		}
		// The rows that did not change were left as they were; the
		// changed ones were written again.
		after := versions()
		for _, k := range []string{"U0", "U5", "U6", "U7", "U8", "U9"} {
			if after[k] != before[k] {
				t.Errorf("unchanged %s was written again (%s → %s)", k, before[k], after[k])
			}
		}
		for _, k := range []string{"U1", "U2", "U3"} {
			if after[k] == before[k] {
				t.Errorf("changed %s kept its stored version %s", k, after[k])
			}
		}
		// A row stored before migration 00009 has no hash: the next run
		// writes it again, with its hash, though its payload is the same.
		if _, err := s.DB().ExecContext(ctx, `UPDATE findings SET payload_sha256 = NULL WHERE job = 'candidates' AND period = '2026' AND key = 'U5'`); err != nil {
			t.Fatal(err)
		}
		before = versions()
		replace(second)
		after = versions()
		if after["U5"] == before["U5"] {
			t.Errorf("U5, stored without a hash, kept its stored version %s", after["U5"])
		}
		if after["U6"] != before["U6"] {
			t.Errorf("unchanged U6 was written again (%s → %s)", before["U6"], after["U6"])
		}
		// Every row's hash is its payload's, as stored.
		rows, err := s.DB().QueryContext(ctx, `SELECT key, payload, payload_sha256 FROM findings WHERE job = 'candidates' AND period = '2026'`)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var k, p string
			var sum []byte
			if err := rows.Scan(&k, &p, &sum); err != nil {
				t.Fatal(err)
			}
			if want := sha256.Sum256([]byte(p)); !bytes.Equal(sum, want[:]) {
				t.Errorf("%s: stored hash %x, its payload %s hashes to %x", k, sum, p, want)
			}
			n++
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil || n != len(second) {
			t.Fatalf("read %d hashes of %d findings: %v", n, len(second), err)
		}
		// A payload that is not JSON fails the replace, and nothing moves.
		third := slices.Clone(second)
		third[0].Payload = json.RawMessage(`{"n":`)
		err = s.InTx(ctx, func(tx *store.Tx) error { return tx.ReplaceFindings(ctx, "candidates", "2026", third) })
		if err == nil || !strings.Contains(err.Error(), "not valid JSON") {
			t.Errorf("replace with a broken payload: %v, want not valid JSON", err)
		}
		if got, err = s.Findings(ctx, "candidates", "2026"); err != nil || !slices.Equal(show(got), show(second)) {
			t.Errorf("after a failed replace: %v, %v", show(got), err)
		}
	})
}

// Two runs replacing one period at once (run-once beside the service)
// both succeed, one after the other: the second compares with what the
// first committed instead of inserting a key the first has just written.
func TestReplaceFindingsConcurrently(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		var first []store.Finding
		for i := range 10 {
			first = append(first, testFinding("candidate", fmt.Sprintf("U%d", i), "below_average"))
		}
		if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.ReplaceFindings(ctx, "candidates", "2026", first) }); err != nil {
			t.Fatal(err)
		}
		a, b := slices.Clone(first), slices.Clone(first)
		a[0].State, b[0].State = "proposed", "cut_by_cap"
		a[1].Payload = json.RawMessage(`{"n":2}`)
		written := make(chan struct{})
		release := make(chan struct{})
		errs := make(chan error, 2)
		go func() {
			errs <- s.InTx(ctx, func(tx *store.Tx) error {
				if err := tx.ReplaceFindings(ctx, "candidates", "2026", a); err != nil {
					close(written)
					return err
				}
				close(written)
				<-release // commit only once the other run is under way
				return nil
			})
		}()
		<-written
		go func() {
			errs <- s.InTx(ctx, func(tx *store.Tx) error { return tx.ReplaceFindings(ctx, "candidates", "2026", b) })
		}()
		time.Sleep(200 * time.Millisecond) // the second run is waiting now
		close(release)
		for range 2 {
			if err := <-errs; err != nil {
				t.Errorf("concurrent replace: %v", err)
			}
		}
		got, err := s.Findings(ctx, "candidates", "2026")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 10 || got[0].State != "cut_by_cap" || string(got[1].Payload) != `{"n":1}` {
			t.Errorf("after both runs: %+v, want the second run's findings", got)
		}
	})
}
