package contract_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"chuyenhoa/contract"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// successions loads a province whose communes changed twice:
//
//	P (D1, to 30/06/2025) → Q (01/07/2025–30/06/2026) → R (from 01/07/2026)
//	S (D1, to 30/06/2025) → T and U (from 01/07/2025): a split
//	G (D1, to 31/12/2024) has no successor
//	K (D1, always) keeps its code; D1 exists until 30/06/2025
//
// with statistics P 3 (01/03/2025), Q 2 (01/09/2025), R 1 (01/08/2026),
// S 4 (01/03/2025), T 1 (01/09/2025), G 5 (01/06/2024), K 7 (01/06/2024),
// and decisions on G (2023, transformed), P (2024, transformed) and S
// (2024, transformed).
func successions(t *testing.T, s *store.Store) {
	t.Helper()
	var open time.Time
	june, july := d(2025, 6, 30), d(2025, 7, 1)
	u := func(code, dist string, from, to time.Time) store.UnitRow {
		return store.UnitRow{Unit: rules.Unit{Code: code, Name: "Xã " + code, Kind: "xa", District: dist}, ValidFrom: from, ValidTo: to}
	}
	stat := func(unit string, day time.Time, n int) store.Stat {
		return store.Stat{Unit: unit, Day: day, Offence: "TT", Count: n}
	}
	transformed := func(year int, unit string, on time.Time) rules.Assessment {
		return rules.Assessment{Year: year, Unit: unit, Transformed: true, AssessedOn: on}
	}
	sel := func(year int, unit string) rules.Selection {
		return rules.Selection{Year: year, Unit: unit, Category: rules.Cat1, DecidedOn: d(year, 3, 1)}
	}
	err := s.Load(context.Background(), &store.Dataset{
		Districts: []rules.District{{Code: "D1", Name: "Huyện Một", Kind: "huyen", ValidTo: june}},
		Units: []store.UnitRow{u("P", "D1", open, june), u("Q", "", july, d(2026, 6, 30)), u("R", "", d(2026, 7, 1), open),
			u("S", "D1", open, june), u("T", "", july, open), u("U", "", july, open), u("G", "D1", open, d(2024, 12, 31)), u("K", "D1", open, open)},
		Offences: []store.Offence{{Code: "TT", Name: "Trộm cắp tài sản", Category: rules.Cat1, SocialOrder: true}},
		Stats: []store.Stat{stat("P", d(2025, 3, 1), 3), stat("Q", d(2025, 9, 1), 2), stat("R", d(2026, 8, 1), 1),
			stat("S", d(2025, 3, 1), 4), stat("T", d(2025, 9, 1), 1), stat("G", d(2024, 6, 1), 5), stat("K", d(2024, 6, 1), 7)},
		Selections:  []rules.Selection{sel(2023, "G"), sel(2024, "P"), sel(2024, "S")},
		Assessments: []rules.Assessment{transformed(2023, "G", d(2024, 1, 10)), transformed(2024, "P", d(2025, 1, 10)), transformed(2024, "S", d(2025, 1, 10))},
		Successions: []rules.Succession{{Predecessor: "P", Successor: "Q", EffectiveOn: july}, {Predecessor: "Q", Successor: "R", EffectiveOn: d(2026, 7, 1)},
			{Predecessor: "S", Successor: "T", EffectiveOn: july}, {Predecessor: "S", Successor: "U", EffectiveOn: july}},
	})
	if err != nil {
		t.Fatal(err)
	}
}

var dated = contract.Settings{Location: time.UTC, Grouped: true, DatedGrouping: true}

func counts(cs map[string]rules.Counts) string {
	var out []string
	for _, code := range slices.Sorted(maps.Keys(cs)) {
		out = append(out, fmt.Sprintf("%s=%d", code, cs[code].SocialOrder))
	}
	return strings.Join(out, " ")
}

// On 14/12/2026 the chain P→Q→R resolves: R counts P's 3, Q's 2 and its own
// 1 = 6. S split into T and U: its 4 count for neither (they stay under S,
// no unit of the day) and the split is one data error naming both. G's 5
// stay under G, reported: it ended with no successor. The verdicts follow
// too: P's 2024 area is R's; G's and S's transformed areas cannot be
// watched.
func TestSuccessionsAreFollowed(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		successions(t, s)
		ctx := context.Background()
		day := d(2026, 12, 14)
		src := contract.New(s, dated, now, day)
		cs, err := src.Counts(ctx, period.Range{From: d(2024, 1, 1), To: day}, day)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := counts(cs), "G=5 K=7 R=6 S=4 T=1"; got != want {
			t.Errorf("counts on 14/12/2026: %s, want %s", got, want)
		}
		as, err := src.Assessments(ctx, day)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range as {
			got = append(got, fmt.Sprintf("%d/%s", a.Year, a.Unit))
		}
		if strings.Join(got, " ") != "2023/G 2024/R 2024/S" {
			t.Errorf("assessments %v, want 2023/G 2024/R 2024/S", got)
		}
		sel, err := src.Selections(ctx, day)
		if err != nil {
			t.Fatal(err)
		}
		got = nil
		for _, x := range sel {
			got = append(got, fmt.Sprintf("%d/%s", x.Year, x.Unit))
		}
		if strings.Join(got, " ") != "2023/G 2024/R 2024/S" {
			t.Errorf("selections %v, want 2023/G 2024/R 2024/S", got)
		}
		want := map[string]string{
			"unit_successions/split/S":            "split left_out 2",
			"crime_stats/no_successor/G":          "no_successor left_out 1",
			"selections/no_successor/G":           "no_successor kept 1",
			"assessments/area_not_watched/2023/G": "area_not_watched kept 1",
			"assessments/area_not_watched/2024/S": "area_not_watched kept 1",
		}
		if errs := errorsOf(src); !maps.Equal(errs, want) {
			t.Errorf("data errors\n%v, want\n%v", errs, want)
		}
		for _, e := range src.Errors() {
			if e.Key == "unit_successions/split/S" && !strings.Contains(e.Message, "S → T (01/07/2025), U (01/07/2025)") {
				t.Errorf("the split's message does not name both successors: %s", e.Message)
			}
		}

		// A year earlier the chain stops at Q: Q counts P's 3 and its own 2.
		src = contract.New(s, dated, now, d(2025, 12, 14))
		cs, err = src.Counts(ctx, period.Range{From: d(2024, 12, 15), To: d(2025, 12, 14)}, d(2025, 12, 14))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := counts(cs), "Q=5 S=4 T=1"; got != want {
			t.Errorf("counts on 14/12/2025: %s, want %s", got, want)
		}
	})
}

// K stays in D1 while D1 exists; from 01/07/2025 D1 is not in force, K is
// in no district and D1 is not reported for having no communes. With
// grouping district (dates not followed) K stays in D1.
func TestDistrictsInForceOnTheDay(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		successions(t, s)
		ctx := context.Background()
		for _, c := range []struct {
			set  contract.Settings
			on   time.Time
			want string
		}{
			{dated, d(2025, 5, 1), "K/D1 P/D1 S/D1"},
			{dated, d(2025, 8, 1), "K/ Q/ T/ U/"},
			{grouped, d(2025, 8, 1), "K/D1 Q/ T/ U/"},
		} {
			src := contract.New(s, c.set, now, c.on)
			us, err := src.Units(ctx, c.on)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range us {
				got = append(got, u.Code+"/"+u.District)
			}
			if strings.Join(got, " ") != c.want {
				t.Errorf("dated %t, %s: %v, want %s", c.set.DatedGrouping, c.on.Format(time.DateOnly), got, c.want)
			}
			if errs := errorsOf(src); len(errs) != 1 || errs["unit_successions/split/S"] == "" {
				t.Errorf("dated %t, %s: data errors %v, want the split alone", c.set.DatedGrouping, c.on.Format(time.DateOnly), errs)
			}
		}
	})
}

// A province's view of districts made before the reform, without
// valid_from and valid_to, reads as districts valid on every day.
func TestDistrictsViewWithoutValidity(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		successions(t, s)
		exec(t, s, `ALTER TABLE districts RENAME TO districts_base`, `CREATE VIEW districts AS SELECT code, name, kind FROM districts_base`)
		ctx := context.Background()
		ds, err := s.Districts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 || ds[0].Code != "D1" || !ds[0].ValidTo.IsZero() {
			t.Errorf("districts %+v, want D1 valid always", ds)
		}
		src := contract.New(s, dated, now, d(2025, 8, 1))
		us, err := src.Units(ctx, d(2025, 8, 1))
		if err != nil {
			t.Fatal(err)
		}
		if us[0].Code != "K" || us[0].District != "D1" {
			t.Errorf("units %+v, want K in D1", us)
		}
	})
}
