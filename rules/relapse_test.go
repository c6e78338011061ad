package rules

import (
	"reflect"
	"testing"
	"time"
)

func TestTransformedAreas(t *testing.T) {
	sel := []Selection{
		{Year: 2024, Unit: "r2", Category: Cat3},
		{Year: 2025, Unit: "r1", Category: Cat4},
		{Year: 2025, Unit: "r2", Category: Cat2},
		{Year: 2025, Unit: "r3", Category: Cat2},
		{Year: 2025, Unit: "r4", Category: Cat1},
	}
	as := []Assessment{
		{Year: 2025, Unit: "r2", Transformed: true, AssessedOn: day(2026, 1, 20)},
		{Year: 2024, Unit: "r2", Transformed: true, AssessedOn: day(2025, 1, 15)},
		{Year: 2025, Unit: "r1", Transformed: true, AssessedOn: day(2026, 1, 20)},
		// Not transformed: no area.
		{Year: 2025, Unit: "r3", Transformed: false, AssessedOn: day(2026, 1, 20)},
		// No selection recorded: still watched, in Cat1.
		{Year: 2025, Unit: "x9", Transformed: true, AssessedOn: day(2026, 1, 21)},
		// A later corrected verdict for r1 moves the date; for r4 it
		// withdraws the transformation.
		{Year: 2025, Unit: "r1", Transformed: true, AssessedOn: day(2026, 1, 25)},
		{Year: 2025, Unit: "r4", Transformed: false, AssessedOn: day(2026, 2, 1)},
		{Year: 2025, Unit: "r4", Transformed: true, AssessedOn: day(2026, 1, 10)},
	}
	want := []Area{
		{Unit: "r1", Year: 2025, Category: Cat4, Categories: []Category{Cat4}, TransformedOn: day(2026, 1, 25)},
		{Unit: "r2", Year: 2024, Category: Cat3, Categories: []Category{Cat3}, TransformedOn: day(2025, 1, 15)},
		{Unit: "r2", Year: 2025, Category: Cat2, Categories: []Category{Cat2}, TransformedOn: day(2026, 1, 20)},
		{Unit: "x9", Year: 2025, Category: Cat1, Categories: []Category{Cat1}, TransformedOn: day(2026, 1, 21)},
	}
	got := TransformedAreas(sel, as)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("areas\n got %+v\nwant %+v", got, want)
	}
	if k := got[0].Key(); k != (AreaKey{Unit: "r1", Year: 2025}) {
		t.Errorf("key %+v", k)
	}
	if got := TransformedAreas(sel, nil); len(got) != 0 {
		t.Errorf("no assessments: %+v", got)
	}
}

// relapseData: six units over the rolling window.
//
//	D1: r1 9 (cat1 5), r2 1 (cat1 1), r3 0, r4 3 (cat4 1) → 13, avg 3.25
//	D2: s1 2 (cat4 3), s2 0                               →  2, avg 1
//	province 15/6 = 2.5
//	cat1: 6 → province 6/6 = 1, D1 6/4 = 1.5, D2 0
//	cat4: 4 → province 4/6 = 0.667, D1 1/4 = 0.25, D2 3/2 = 1.5
func relapseData() ([]Unit, map[string]Counts) {
	units := []Unit{
		{Code: "r1", District: "D1"}, {Code: "r2", District: "D1"}, {Code: "r3", District: "D1"}, {Code: "r4", District: "D1"},
		{Code: "s1", District: "D2"}, {Code: "s2", District: "D2"},
	}
	counts := map[string]Counts{
		"r1": {SocialOrder: 9, ByCategory: cats(1, 5)},
		"r2": {SocialOrder: 1, ByCategory: cats(1, 1)},
		"r4": {SocialOrder: 3, ByCategory: cats(4, 1)},
		"s1": {SocialOrder: 2, ByCategory: cats(4, 3)},
	}
	return units, counts
}

func TestCheckRelapse(t *testing.T) {
	units, counts := relapseData()
	on := day(2026, 11, 14)
	before := day(2026, 1, 20) // transformed before the check
	grouped := RelapseParams{Grouped: true}
	for _, tc := range []struct {
		name                          string
		p                             RelapseParams
		area                          Area
		checked, byGate, byCat, relap bool
	}{
		// 9 > 2.5 and 9 > 3.25; cat1 5 > 1 and 5 > 1.5.
		{"gate and category", grouped, Area{Unit: "r1", Year: 2025, Categories: []Category{Cat1}, TransformedOn: before}, true, true, true, true},
		// 1 > 2.5 no; cat1 1 > 1 is false (equality).
		{"neither", grouped, Area{Unit: "r2", Year: 2025, Categories: []Category{Cat1}, TransformedOn: before}, true, false, false, false},
		// 3 > 2.5 but 3 > 3.25 no; cat4 1 > 0.667 and 1 > 0.25.
		{"category only", grouped, Area{Unit: "r4", Year: 2025, Categories: []Category{Cat4}, TransformedOn: before}, true, false, true, true},
		// Same, but a minimum count of 2 makes cat4 1 not complex.
		{"category below min count", RelapseParams{Grouped: true, CategoryMinCount: 2}, Area{Unit: "r4", Year: 2025, Categories: []Category{Cat4}, TransformedOn: before}, true, false, false, false},
		// Without districts only 3 > 2.5 matters: relapsed by the gate.
		{"gate ungrouped", RelapseParams{}, Area{Unit: "r4", Year: 2025, Categories: []Category{Cat4}, TransformedOn: before}, true, true, true, true},
		// s1: 2 > 2.5 no; cat4 3 > 0.667 and 3 > 1.5.
		{"other district, category", grouped, Area{Unit: "s1", Year: 2025, Categories: []Category{Cat4}, TransformedOn: before}, true, false, true, true},
		// Transformed from cat2, where s1 has 0: complex in cat4 does not count.
		{"complex in another category", grouped, Area{Unit: "s1", Year: 2025, Categories: []Category{Cat2}, TransformedOn: before}, true, false, false, false},
		// Not checked on or before the transformation day.
		{"transformed on the check day", grouped, Area{Unit: "r1", Year: 2026, Categories: []Category{Cat1}, TransformedOn: on}, false, false, false, false},
		{"transformed the day before", grouped, Area{Unit: "r1", Year: 2026, Categories: []Category{Cat1}, TransformedOn: day(2026, 11, 13)}, true, true, true, true},
		{"transformed after the check", grouped, Area{Unit: "r1", Year: 2026, Categories: []Category{Cat1}, TransformedOn: day(2027, 1, 10)}, false, false, false, false},
		// Watch six months: 14/05 + 6 months = 14/11 = on, still watched;
		// 13/05 + 6 months = 13/11 < on, expired.
		{"watch window last day", RelapseParams{Grouped: true, WatchMonths: 6}, Area{Unit: "r1", Year: 2026, Categories: []Category{Cat1}, TransformedOn: day(2026, 5, 14)}, true, true, true, true},
		{"watch window expired", RelapseParams{Grouped: true, WatchMonths: 6}, Area{Unit: "r1", Year: 2026, Categories: []Category{Cat1}, TransformedOn: day(2026, 5, 13)}, false, false, false, false},
		{"watch forever", grouped, Area{Unit: "r1", Year: 2020, Categories: []Category{Cat1}, TransformedOn: day(2021, 1, 1)}, true, true, true, true},
		// A unit that no longer exists (merged) cannot be judged.
		{"unknown unit", grouped, Area{Unit: "zz", Year: 2025, Categories: []Category{Cat1}, TransformedOn: before}, false, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := CheckRelapse(tc.p, on, []Area{tc.area}, units, counts)
			if len(res) != 1 {
				t.Fatalf("%d results", len(res))
			}
			r := res[0]
			if !reflect.DeepEqual(r.Area, tc.area) || r.Checked != tc.checked || r.ByGate != tc.byGate || r.ByCategory != tc.byCat || r.Relapsed != tc.relap {
				t.Errorf("checked %v gate %v category %v relapsed %v; want %v %v %v %v",
					r.Checked, r.ByGate, r.ByCategory, r.Relapsed, tc.checked, tc.byGate, tc.byCat, tc.relap)
			}
		})
	}
}

func TestCheckRelapseNumbers(t *testing.T) {
	units, counts := relapseData()
	areas := []Area{
		{Unit: "s1", Year: 2025, Category: Cat4, Categories: []Category{Cat4}, TransformedOn: day(2026, 1, 20)},
		{Unit: "r1", Year: 2025, Category: Cat1, Categories: []Category{Cat1}, TransformedOn: day(2026, 1, 20)},
		{Unit: "r1", Year: 2026, Categories: []Category{Cat1}, TransformedOn: day(2027, 1, 20)}, // not checked yet, numbers still shown
		{Unit: "zz", Year: 2025, Category: Cat1, Categories: []Category{Cat1}, TransformedOn: day(2026, 1, 20)},
	}
	res := CheckRelapse(RelapseParams{Grouped: true}, day(2026, 11, 14), areas, units, counts)
	for i, w := range []struct {
		so                          int
		prov, dist, catProv, catDis float64
	}{
		// s1: province 15/6 = 2.5, D2 2/2 = 1; cat4 4/6, D2 3/2.
		{2, 2.5, 1, 4.0 / 6, 1.5},
		// r1: D1 13/4 = 3.25; cat1 6/6 = 1, D1 6/4 = 1.5.
		{9, 2.5, 3.25, 1, 1.5},
		{9, 2.5, 3.25, 1, 1.5},
		// Unknown: nothing to show.
		{0, 0, 0, 0, 0},
	} {
		r := res[i]
		var cat CategoryCheck
		if len(r.CategoryChecks) > 0 {
			cat = r.CategoryChecks[0]
		}
		if !reflect.DeepEqual(r.Area, areas[i]) || r.Counts.SocialOrder != w.so || !near(r.ProvinceAvg, w.prov) || !near(r.DistrictAvg, w.dist) ||
			!near(cat.ProvinceAvg, w.catProv) || !near(cat.DistrictAvg, w.catDis) {
			t.Errorf("result %d (%s): count %d avgs %v %v cat %v %v; want %+v", i, r.Area.Unit,
				r.Counts.SocialOrder, r.ProvinceAvg, r.DistrictAvg, cat.ProvinceAvg, cat.DistrictAvg, w)
		}
	}
	if res[2].Checked || res[2].Relapsed {
		t.Errorf("future area judged: %+v", res[2])
	}
}

func TestCheckRelapseUngroupedDistrictAvg(t *testing.T) {
	units, counts := relapseData()
	res := CheckRelapse(RelapseParams{}, day(2026, 11, 14), []Area{{Unit: "r1", Year: 2025, Categories: []Category{Cat1}, TransformedOn: time.Time{}}}, units, counts)
	// No district level: district averages stay 0.
	if r := res[0]; r.DistrictAvg != 0 || r.CategoryChecks[0].DistrictAvg != 0 || !near(r.ProvinceAvg, 2.5) || !r.Relapsed {
		t.Errorf("ungrouped %+v", r)
	}
}
