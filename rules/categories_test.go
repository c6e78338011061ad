package rules

import (
	"reflect"
	"testing"
	"time"
)

func TestAreaCategories(t *testing.T) {
	for _, tc := range []struct {
		in, want []Category
	}{
		{[]Category{Cat3, Cat1}, []Category{Cat1, Cat3}},
		{[]Category{Cat4, Cat1, Cat4, Cat1}, []Category{Cat1, Cat4}},
		{[]Category{Cat2}, []Category{Cat2}},
		// Invalid ones are dropped; none left means the default Cat1.
		{[]Category{0, Cat3, 7}, []Category{Cat3}},
		{[]Category{9}, []Category{Cat1}},
		{nil, []Category{Cat1}},
	} {
		in := append([]Category(nil), tc.in...)
		if got := AreaCategories(in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("AreaCategories(%v) = %v, want %v", tc.in, got, tc.want)
		}
		if !reflect.DeepEqual(in, tc.in) {
			t.Errorf("AreaCategories changed its input %v to %v", tc.in, in)
		}
	}
}

func TestGroupSelections(t *testing.T) {
	sel := []Selection{
		{Year: 2026, Unit: "m", Category: Cat3, DecidedOn: day(2026, 4, 20)},
		{Year: 2026, Unit: "n", Category: Cat2, DecidedOn: day(2026, 3, 10)},
		{Year: 2025, Unit: "m", Category: Cat1, DecidedOn: day(2025, 3, 1)},
		// Category 1 was decided first; category 3 added on 20/04.
		{Year: 2026, Unit: "m", Category: Cat1, DecidedOn: day(2026, 3, 10)},
	}
	want := []SelectedArea{
		{Year: 2025, Unit: "m", Categories: []Category{Cat1}, DecidedOn: day(2025, 3, 1)},
		{Year: 2026, Unit: "m", Categories: []Category{Cat1, Cat3}, DecidedOn: day(2026, 3, 10)},
		{Year: 2026, Unit: "n", Categories: []Category{Cat2}, DecidedOn: day(2026, 3, 10)},
	}
	if got := GroupSelections(sel); !reflect.DeepEqual(got, want) {
		t.Errorf("groups\n got %+v\nwant %+v", got, want)
	}
	if got := GroupSelections(nil); len(got) != 0 {
		t.Errorf("no selections: %+v", got)
	}
}

// twoCategoryData: six units over the rolling window; a1 was selected for
// 2025 in categories 1 and 3 and transformed on 20/01/2026.
//
//	            SO   cat1  cat3
//	D1: a1       2     2     5
//	    a2       6     6     1
//	    a3       2     2     0
//	    a4       0     0     0     → SO 10/4 = 2.5, cat1 10/4 = 2.5, cat3 6/4 = 1.5
//	D2: b1       6     4     2     (and 2 of category 4)
//	    b2       0     0     0
//	province: SO 16/6 = 2.667, cat1 14/6 = 2.333, cat3 8/6 = 1.333
//
// a1: gate 2 > 2.667 no; cat1 2 > 2.333 no; cat3 5 > 1.333 and 5 > 1.5:
// complex again in its second category only.
// a2: gate 6 > 2.667 and 6 > 2.5; cat1 6 > 2.333 and 6 > 2.5; cat3 1 no.
func twoCategoryData() ([]Unit, map[string]Counts) {
	units := []Unit{
		{Code: "a1", District: "D1"}, {Code: "a2", District: "D1"}, {Code: "a3", District: "D1"}, {Code: "a4", District: "D1"},
		{Code: "b1", District: "D2"}, {Code: "b2", District: "D2"},
	}
	counts := map[string]Counts{
		"a1": {SocialOrder: 2, ByCategory: cats(1, 2, 3, 5)},
		"a2": {SocialOrder: 6, ByCategory: cats(1, 6, 3, 1)},
		"a3": {SocialOrder: 2, ByCategory: cats(1, 2)},
		"b1": {SocialOrder: 6, ByCategory: cats(1, 4, 3, 2, 4, 2)},
	}
	return units, counts
}

func TestCheckRelapseEachCategory(t *testing.T) {
	units, counts := twoCategoryData()
	on := day(2026, 11, 14)
	before := day(2026, 1, 20)
	area := func(u string, cs ...Category) Area {
		return Area{Unit: u, Year: 2025, Categories: cs, TransformedOn: before}
	}
	for _, tc := range []struct {
		name           string
		p              RelapseParams
		area           Area
		gate, relapsed bool
		checks         []CategoryCheck
		again          []Category
	}{
		{"two categories, relapsed in the second", RelapseParams{Grouped: true}, area("a1", Cat1, Cat3), false, true,
			[]CategoryCheck{{Cat1, 2, 14.0 / 6, 2.5, false}, {Cat3, 5, 8.0 / 6, 1.5, true}}, []Category{Cat3}},
		// The same commune transformed from category 1 alone stays normal:
		// the relapse comes from category 3.
		{"first category alone", RelapseParams{Grouped: true}, area("a1", Cat1), false, false,
			[]CategoryCheck{{Cat1, 2, 14.0 / 6, 2.5, false}}, nil},
		// Given unsorted and twice, checked once each, in order.
		{"unsorted, repeated", RelapseParams{Grouped: true}, area("a1", Cat3, Cat1, Cat3), false, true,
			[]CategoryCheck{{Cat1, 2, 14.0 / 6, 2.5, false}, {Cat3, 5, 8.0 / 6, 1.5, true}}, []Category{Cat3}},
		// Without districts: cat3 5 > 1.333 still; district averages 0.
		{"ungrouped", RelapseParams{}, area("a1", Cat1, Cat3), false, true,
			[]CategoryCheck{{Cat1, 2, 14.0 / 6, 0, false}, {Cat3, 5, 8.0 / 6, 0, true}}, []Category{Cat3}},
		// A minimum count of 6 makes cat3 5 not complex.
		{"second below min count", RelapseParams{Grouped: true, CategoryMinCount: 6}, area("a1", Cat1, Cat3), false, false,
			[]CategoryCheck{{Cat1, 2, 14.0 / 6, 2.5, false}, {Cat3, 5, 8.0 / 6, 1.5, false}}, nil},
		{"gate and first category", RelapseParams{Grouped: true}, area("a2", Cat1, Cat3), true, true,
			[]CategoryCheck{{Cat1, 6, 14.0 / 6, 2.5, true}, {Cat3, 1, 8.0 / 6, 1.5, false}}, []Category{Cat1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := CheckRelapse(tc.p, on, []Area{tc.area}, units, counts)[0]
			if !r.Checked || r.ByGate != tc.gate || r.Relapsed != tc.relapsed || r.ByCategory != (len(tc.again) > 0) {
				t.Errorf("checked %v gate %v by category %v relapsed %v; want gate %v relapsed %v in %v",
					r.Checked, r.ByGate, r.ByCategory, r.Relapsed, tc.gate, tc.relapsed, tc.again)
			}
			if len(r.CategoryChecks) != len(tc.checks) {
				t.Fatalf("categories %+v, want %+v", r.CategoryChecks, tc.checks)
			}
			for i, w := range tc.checks {
				g := r.CategoryChecks[i]
				if g.Category != w.Category || g.Count != w.Count || !near(g.ProvinceAvg, w.ProvinceAvg) || !near(g.DistrictAvg, w.DistrictAvg) || g.Complex != w.Complex {
					t.Errorf("category check %d = %+v, want %+v", i, g, w)
				}
			}
			if got := r.ComplexAgain(); !reflect.DeepEqual(got, tc.again) {
				t.Errorf("complex again in %v, want %v", got, tc.again)
			}
			// The single-category fields of stored findings hold the first.
			if !near(r.CatProvinceAvg, tc.checks[0].ProvinceAvg) || !near(r.CatDistrictAvg, tc.checks[0].DistrictAvg) {
				t.Errorf("first category's averages %v %v, want %+v", r.CatProvinceAvg, r.CatDistrictAvg, tc.checks[0])
			}
		})
	}
	// An area built with the single Category only is checked in it.
	r0 := CheckRelapse(RelapseParams{Grouped: true}, on, []Area{{Unit: "a1", Year: 2025, Category: Cat3, TransformedOn: before}}, units, counts)[0]
	if len(r0.CategoryChecks) != 1 || r0.CategoryChecks[0].Category != Cat3 || !r0.CategoryChecks[0].Complex || !r0.Relapsed {
		t.Errorf("area with Category 3 only: %+v", r0)
	}
	// Not checked (transformed on the check day): numbers, no verdicts.
	r := CheckRelapse(RelapseParams{Grouped: true}, on, []Area{{Unit: "a1", Year: 2026, Categories: []Category{Cat1, Cat3}, TransformedOn: on}}, units, counts)[0]
	if r.Checked || r.Relapsed || len(r.CategoryChecks) != 2 || r.CategoryChecks[1].Count != 5 || r.CategoryChecks[1].Complex || r.ComplexAgain() != nil {
		t.Errorf("unchecked area judged: %+v", r)
	}
}

// twoCategoryCycle: m is selected for 2026 in category 1 (10/03) and, by a
// later decision, category 3 (20/04); n in categories 2 and 4 (10/03).
// Verdicts of 15/01/2027: m transformed, n not. n carries over into 2027
// with both its categories and is transformed on 20/01/2028.
func twoCategoryCycle() ([]Selection, []Assessment) {
	sel := []Selection{
		{Year: 2026, Unit: "m", Category: Cat1, DecidedOn: day(2026, 3, 10)},
		{Year: 2026, Unit: "m", Category: Cat3, DecidedOn: day(2026, 4, 20)},
		{Year: 2026, Unit: "n", Category: Cat4, DecidedOn: day(2026, 3, 10)},
		{Year: 2026, Unit: "n", Category: Cat2, DecidedOn: day(2026, 3, 10)},
	}
	as := []Assessment{
		{Year: 2026, Unit: "m", Transformed: true, AssessedOn: day(2027, 1, 15)},
		{Year: 2026, Unit: "n", Transformed: false, AssessedOn: day(2027, 1, 15)},
		{Year: 2027, Unit: "n", Transformed: true, AssessedOn: day(2028, 1, 20)},
	}
	return sel, as
}

func TestYearCycleTwoCategories(t *testing.T) {
	sel, as := twoCategoryCycle()
	p := CycleParams{Targets: targets6085}
	type view struct {
		Unit       string
		Categories []Category
		DecidedOn  string
		Carried    bool
		Stage      Stage
	}
	views := func(c YearCycle) []view {
		var out []view
		for _, a := range c.Areas {
			out = append(out, view{a.Unit, a.Categories, a.DecidedOn.Format("02/01"), a.CarriedOver, a.Stage})
		}
		return out
	}
	for _, tc := range []struct {
		name string
		year int
		on   time.Time
		want []view
		sel  CycleCount
	}{
		// On 31/03 category 3 of m is not decided yet.
		{"before the second decision", 2026, day(2026, 3, 31), []view{
			{"m", []Category{Cat1}, "10/03", false, StageInProgress},
			{"n", []Category{Cat2, Cat4}, "10/03", false, StageInProgress},
		}, CycleCount{Areas: 2}},
		// Four rows, two areas; m decided from its first decision.
		{"after it", 2026, day(2026, 4, 30), []view{
			{"m", []Category{Cat1, Cat3}, "10/03", false, StageInProgress},
			{"n", []Category{Cat2, Cat4}, "10/03", false, StageInProgress},
		}, CycleCount{Areas: 2}},
		{"verdicts", 2026, day(2027, 1, 31), []view{
			{"m", []Category{Cat1, Cat3}, "10/03", false, StageWatched},
			{"n", []Category{Cat2, Cat4}, "10/03", false, StageNotTransformed},
		}, CycleCount{Areas: 2, Assessed: 2, Transformed: 1, NotTransformed: 1}},
		// n carries over into 2027 with both categories.
		{"carried over", 2027, day(2027, 2, 1), []view{
			{"n", []Category{Cat2, Cat4}, "10/03", true, StageInProgress},
		}, CycleCount{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := YearCycleOf(p, tc.year, tc.on, sel, as, nil)
			if got := views(c); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("areas\n got %+v\nwant %+v", got, tc.want)
			}
			if c.Selected != tc.sel {
				t.Errorf("selected %+v, want %+v", c.Selected, tc.sel)
			}
		})
	}
	// 2026: 1 transformed of 2 areas (not of 4 rows) = 50% < 60%, needed
	// ⌈60×2/100⌉ = ⌈1.2⌉ = 2.
	c := YearCycleOf(p, 2026, day(2027, 1, 31), sel, as, nil)
	if c.TransformedRate != 50 || c.TransformedNeeded != 2 || c.TransformedMet {
		t.Errorf("2026 rate %.1f needed %d met %v, want 50, 2, not met", c.TransformedRate, c.TransformedNeeded, c.TransformedMet)
	}
}

func TestTransformedAreasTwoCategories(t *testing.T) {
	sel, as := twoCategoryCycle()
	// m: one area with both rows' categories. n 2026 was not transformed;
	// its 2027 verdict (carried over, no 2027 selection) takes both
	// categories of its 2026 selection.
	want := []Area{
		{Unit: "m", Year: 2026, Category: Cat1, Categories: []Category{Cat1, Cat3}, TransformedOn: day(2027, 1, 15)},
		{Unit: "n", Year: 2027, Category: Cat2, Categories: []Category{Cat2, Cat4}, TransformedOn: day(2028, 1, 20)},
	}
	if got := TransformedAreas(sel, as); !reflect.DeepEqual(got, want) {
		t.Errorf("areas\n got %+v\nwant %+v", got, want)
	}
	extra := CarryOverCategories(sel, as)[len(sel):]
	wantExtra := []Selection{
		{Year: 2027, Unit: "n", Category: Cat4, DecidedOn: day(2026, 3, 10)},
		{Year: 2027, Unit: "n", Category: Cat2, DecidedOn: day(2026, 3, 10)},
	}
	if !reflect.DeepEqual(extra, wantExtra) {
		t.Errorf("carried-over selections %+v, want %+v", extra, wantExtra)
	}
}

func TestTargetsCountAreasNotRows(t *testing.T) {
	sel, as := twoCategoryCycle()
	relapsed := map[AreaKey]bool{{Unit: "m", Year: 2026}: true}

	// Four rows, two areas: m transformed (and relapsed), n not.
	// 1/2 = 50% < 60%, needed ⌈1.2⌉ = 2; stable 0/1 = 0%.
	pr := YearProgress(targets6085, 2026, sel, as, relapsed)
	if pr.Selected != 2 || pr.Assessed != 2 || pr.Transformed != 1 || pr.Relapsed != 1 || pr.Stable != 0 ||
		pr.TransformedRate != 50 || pr.TransformedNeeded != 2 || pr.TransformedMet || pr.StableNeeded != 1 {
		t.Errorf("2026 progress %+v", pr)
	}

	// On 30/06/2026, no verdicts: m meets every indicator, n misses one.
	// Passing 1 of 2 areas = 50%, needed 2.
	p := CycleParams{Targets: targets6085}
	c := YearCycleOf(p, 2026, day(2026, 6, 30), sel, as, relapsed)
	ind := map[string]IndicatorResult{"m": {HasData: true, Met: true}, "n": {HasData: true}}
	proj := Project(targets6085, c, ind, TransformedAreas(sel, as), relapsed)
	if proj.Selected != 2 || proj.Meeting != 1 || proj.Below != 1 || proj.Passing != 1 || proj.PassRate != 50 || proj.PassNeeded != 2 || proj.PassMet {
		t.Errorf("pass projection %+v", proj)
	}
	// On 01/02/2028 both areas are transformed (m 2026, n 2027 carried
	// over), m relapsed: stable 1/2 = 50%, needed ⌈85×2/100⌉ = ⌈1.7⌉ = 2.
	c = YearCycleOf(p, 2027, day(2028, 2, 1), sel, as, relapsed)
	proj = Project(targets6085, c, nil, TransformedAreas(sel, as), relapsed)
	if proj.AllTransformed != 2 || proj.Relapsed != 1 || proj.Stable != 1 || proj.StableRate != 50 || proj.StableNeeded != 2 || proj.StableMet {
		t.Errorf("stable projection %+v", proj)
	}
}
