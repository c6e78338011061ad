package rules

import (
	"math"
	"reflect"
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// cats builds ByCategory from category → count pairs.
func cats(kv ...int) [5]int {
	var c [5]int
	for i := 0; i+1 < len(kv); i += 2 {
		c[kv[i]] = kv[i+1]
	}
	return c
}

func byCode(cs []Candidate) map[string]Candidate {
	m := map[string]Candidate{}
	for _, c := range cs {
		m[c.Unit.Code] = c
	}
	return m
}

func codes(cs []Candidate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Unit.Code)
	}
	return out
}

// gateData is eight units in two districts.
//
//	D1: a1=10, a2=2, a3=0, a4=4  → total 16, avg 16/4 = 4
//	D2: b1=5,  b2=3, b3=0, b4=–  → total  8, avg  8/4 = 2 (b4 has no counts: 0)
//	province: 24 over 8 units    → avg 3 (not 24/5 = 4.8: zeros count)
//
// Category 1: a1=2 → province 2/8 = 0.25, D1 2/4 = 0.5.
// Category 4: a1=1, b1=3 → province 4/8 = 0.5, D1 1/4 = 0.25, D2 3/4 = 0.75.
func gateData() ([]Unit, map[string]Counts) {
	units := []Unit{
		{Code: "a1", District: "D1"}, {Code: "a2", District: "D1"}, {Code: "a3", District: "D1"}, {Code: "a4", District: "D1"},
		{Code: "b1", District: "D2"}, {Code: "b2", District: "D2"}, {Code: "b3", District: "D2"}, {Code: "b4", District: "D2"},
	}
	counts := map[string]Counts{
		"a1": {SocialOrder: 10, ByCategory: cats(1, 2, 4, 1)},
		"a2": {SocialOrder: 2},
		"a3": {SocialOrder: 0},
		"a4": {SocialOrder: 4},
		"b1": {SocialOrder: 5, ByCategory: cats(4, 3)},
		"b2": {SocialOrder: 3},
		"b3": {SocialOrder: 0},
		// A commune of another province, or merged away: not averaged.
		"zz": {SocialOrder: 1000, ByCategory: cats(1, 1000)},
	}
	return units, counts
}

func TestComputeBaseline(t *testing.T) {
	units, counts := gateData()
	b := ComputeBaseline(units, counts)
	for _, tc := range []struct {
		name    string
		got     GroupAverages
		units   int
		total   int
		avg     float64
		cat1Avg float64
		cat4Avg float64
	}{
		// 24 / 8 = 3; cat1 2/8 = 0.25; cat4 4/8 = 0.5.
		{"province", b.Province, 8, 24, 3, 0.25, 0.5},
		// 16 / 4 = 4; cat1 2/4 = 0.5; cat4 1/4 = 0.25.
		{"D1", b.Districts["D1"], 4, 16, 4, 0.5, 0.25},
		// 8 / 4 = 2, b4 counted though absent from counts; cat4 3/4.
		{"D2", b.Districts["D2"], 4, 8, 2, 0, 0.75},
	} {
		g := tc.got
		if g.Units != tc.units || g.Total != tc.total || !near(g.Avg, tc.avg) || !near(g.CatAvg[1], tc.cat1Avg) || !near(g.CatAvg[4], tc.cat4Avg) {
			t.Errorf("%s: %+v, want units %d total %d avg %v cat1 %v cat4 %v", tc.name, g, tc.units, tc.total, tc.avg, tc.cat1Avg, tc.cat4Avg)
		}
	}
	if len(b.Districts) != 2 {
		t.Errorf("districts %v, want D1 and D2 only", b.Districts)
	}

	// Units without a district are in the province only; no units at all
	// gives zero averages, not NaN.
	b = ComputeBaseline([]Unit{{Code: "x"}, {Code: "y", District: "D"}}, map[string]Counts{"x": {SocialOrder: 3}, "y": {SocialOrder: 1}})
	if b.Province.Avg != 2 || len(b.Districts) != 1 || b.Districts["D"].Avg != 1 {
		t.Errorf("mixed baseline %+v: want province 4/2 = 2, D 1/1 = 1", b)
	}
	b = ComputeBaseline(nil, nil)
	if b.Province.Avg != 0 || b.Province.Units != 0 {
		t.Errorf("empty baseline %+v", b.Province)
	}
}

func TestProposeGate(t *testing.T) {
	type row struct {
		aboveProv, aboveDist, eligible bool
		hasDistrict                    bool
		distAvg                        float64
		status                         Status
		rank                           int
		severity                       float64
		complex                        []Category
	}
	units, counts := gateData()
	for _, tc := range []struct {
		name    string
		grouped bool
		order   []string
		want    map[string]row
	}{
		{
			// Cap: 8*15/100 = 120/100 = 1.
			name:    "grouped",
			grouped: true,
			// a1 and b1 ranked; the rest below average by count desc, then code.
			order: []string{"a1", "b1", "a4", "b2", "a2", "a3", "b3", "b4"},
			want: map[string]row{
				// 10 > 3 and 10 > 4. Severity 10 / max(3, 4) = 2.5.
				// Cat1 2 > 0.25 and > 0.5; cat4 1 > 0.5 and > 0.25.
				"a1": {true, true, true, true, 4, StatusProposed, 1, 2.5, []Category{Cat1, Cat4}},
				// 5 > 3 and 5 > 2. Severity 5 / max(3, 2) = 5/3.
				// Cat4 3 > 0.5 and > 0.75. One category: after a1.
				"b1": {true, true, true, true, 2, StatusCutByCap, 2, 5.0 / 3, []Category{Cat4}},
				// Above the province (4 > 3), not its district (4 > 4 is false).
				"a4": {true, false, false, true, 4, StatusBelowAverage, 0, 0, nil},
				// Above its district (3 > 2), not the province (3 > 3 is false).
				"b2": {false, true, false, true, 2, StatusBelowAverage, 0, 0, nil},
				"a2": {false, false, false, true, 4, StatusBelowAverage, 0, 0, nil},
				"a3": {false, false, false, true, 4, StatusBelowAverage, 0, 0, nil},
				"b3": {false, false, false, true, 2, StatusBelowAverage, 0, 0, nil},
				"b4": {false, false, false, true, 2, StatusBelowAverage, 0, 0, nil},
			},
		},
		{
			// Without districts only the province average 3 counts, so a4
			// (4 > 3) becomes eligible; had zeros been left out of the
			// average (24/5 = 4.8) it would not be.
			name:  "ungrouped",
			order: []string{"a1", "b1", "a4", "b2", "a2", "a3", "b3", "b4"},
			want: map[string]row{
				// Severity 10/3; category tests against the province only.
				"a1": {true, true, true, false, 0, StatusProposed, 1, 10.0 / 3, []Category{Cat1, Cat4}},
				"b1": {true, true, true, false, 0, StatusCutByCap, 2, 5.0 / 3, []Category{Cat4}},
				"a4": {true, true, true, false, 0, StatusCutByCap, 3, 4.0 / 3, nil},
				// 3 > 3 is false: equality is not above.
				"b2": {false, true, false, false, 0, StatusBelowAverage, 0, 0, nil},
				"a2": {false, true, false, false, 0, StatusBelowAverage, 0, 0, nil},
				"a3": {false, true, false, false, 0, StatusBelowAverage, 0, 0, nil},
				"b3": {false, true, false, false, 0, StatusBelowAverage, 0, 0, nil},
				"b4": {false, true, false, false, 0, StatusBelowAverage, 0, 0, nil},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Propose(SelectionParams{Year: 2026, AsOf: day(2026, 2, 1), Grouped: tc.grouped, CapPercent: 15, NTMRule: NTMAlways}, units, counts)
			if p.TotalUnits != 8 || p.Cap != 1 || p.Year != 2026 {
				t.Errorf("total %d cap %d year %d, want 8, 1, 2026", p.TotalUnits, p.Cap, p.Year)
			}
			if got := codes(p.Candidates); !reflect.DeepEqual(got, tc.order) {
				t.Errorf("order %v, want %v", got, tc.order)
			}
			got := byCode(p.Candidates)
			for code, w := range tc.want {
				c := got[code]
				if c.AboveProvince != w.aboveProv || c.AboveDistrict != w.aboveDist || c.Eligible != w.eligible ||
					c.HasDistrict != w.hasDistrict || !near(c.DistrictAvg, w.distAvg) || !near(c.ProvinceAvg, 3) ||
					c.Status != w.status || c.Rank != w.rank || !near(c.Severity, w.severity) || !reflect.DeepEqual(c.Complex, w.complex) {
					t.Errorf("%s: got above prov %v dist %v eligible %v hasDist %v distAvg %v provAvg %v status %s rank %d severity %v complex %v; want %+v",
						code, c.AboveProvince, c.AboveDistrict, c.Eligible, c.HasDistrict, c.DistrictAvg, c.ProvinceAvg, c.Status, c.Rank, c.Severity, c.Complex, w)
				}
			}
		})
	}
}

// A unit without a district in a grouped deployment is judged against the
// province alone.
//
//	x1 (D1) 6, x2 (D1) 6, y1 (none) 5, y2 (none) 1: province 18/4 = 4.5, D1 12/2 = 6.
func TestProposeUnitWithoutDistrict(t *testing.T) {
	units := []Unit{{Code: "x1", District: "D1"}, {Code: "x2", District: "D1"}, {Code: "y1"}, {Code: "y2"}}
	counts := map[string]Counts{"x1": {SocialOrder: 6}, "x2": {SocialOrder: 6}, "y1": {SocialOrder: 5}, "y2": {SocialOrder: 1}}
	p := Propose(SelectionParams{Year: 2026, Grouped: true, CapPercent: 15}, units, counts)
	got := byCode(p.Candidates)
	// x1: 6 > 4.5 but 6 > 6 is false.
	if x := got["x1"]; !x.HasDistrict || !x.AboveProvince || x.AboveDistrict || x.Eligible {
		t.Errorf("x1 %+v: want above province only", x)
	}
	// y1: 5 > 4.5, no district: eligible; severity 5/4.5 = 1.111…; cap 4*15/100 = 0.
	if y := got["y1"]; y.HasDistrict || !y.AboveDistrict || !y.Eligible || y.Status != StatusCutByCap || y.Rank != 1 || !near(y.Severity, 5/4.5) {
		t.Errorf("y1 %+v: want eligible without district, rank 1 cut by cap 0", y)
	}
}

func TestProposeCap(t *testing.T) {
	for _, tc := range []struct {
		units, pct, want int
	}{
		{7, 15, 1},    // 105/100 = 1.05 → 1
		{20, 15, 3},   // 300/100 = 3
		{8, 15, 1},    // 120/100 → 1
		{6, 15, 0},    // 90/100 → 0
		{34, 15, 5},   // 510/100 → 5
		{100, 15, 15}, // 1500/100
		{0, 15, 0},
		{10, 0, 0},
	} {
		units := make([]Unit, tc.units)
		counts := map[string]Counts{}
		for i := range units {
			units[i].Code = string(rune('A'+i/26)) + string(rune('a'+i%26))
			// Every unit but the first has 0: the first is far above, so
			// exactly one unit is eligible and the cap alone decides it.
			if i == 0 {
				counts[units[i].Code] = Counts{SocialOrder: 50}
			}
		}
		p := Propose(SelectionParams{Year: 2026, CapPercent: tc.pct}, units, counts)
		if p.Cap != tc.want || p.TotalUnits != tc.units {
			t.Errorf("%d units at %d%%: cap %d (total %d), want %d", tc.units, tc.pct, p.Cap, p.TotalUnits, tc.want)
		}
		if tc.units > 1 {
			wantStatus := StatusProposed
			if tc.want == 0 {
				wantStatus = StatusCutByCap
			}
			if s := p.Candidates[0].Status; s != wantStatus {
				t.Errorf("%d units at %d%%: first unit %s, want %s", tc.units, tc.pct, s, wantStatus)
			}
		}
	}
}

// priorityData is twenty units in two districts.
//
//	DA (A01–A10): 10, 10, 10, 6, 4, 0×5 → 40, avg 4
//	DB (B01–B10): 18, 12, 7, 6, 5, 5, 4, 3, 0, 0 → 60, avg 6
//	province 100/20 = 5. DA units must exceed max(5, 4) = 5, DB units max(5, 6) = 6.
//
// Category 1: A01 3, A02 2, A03 2, B01 4, B02 2 = 13 → province 0.65,
// DA 7/10 = 0.7, DB 6/10 = 0.6: every unit with a count ≥ 1 is complex.
// Category 3: A01 1 → province 0.05, DA 0.1.
func priorityData() ([]Unit, map[string]Counts) {
	so := map[string]int{
		"A01": 10, "A02": 10, "A03": 10, "A04": 6, "A05": 4,
		"B01": 18, "B02": 12, "B03": 7, "B04": 6, "B05": 5, "B06": 5, "B07": 4, "B08": 3,
	}
	cs := map[string][5]int{
		"A01": cats(1, 3, 3, 1), "A02": cats(1, 2), "A03": cats(1, 2),
		"B01": cats(1, 4), "B02": cats(1, 2),
	}
	var units []Unit
	counts := map[string]Counts{}
	for _, d := range []string{"A", "B"} {
		for i := 1; i <= 10; i++ {
			code := d + string(rune('0'+i/10)) + string(rune('0'+i%10))
			units = append(units, Unit{Code: code, District: "D" + d})
			if so[code] > 0 {
				counts[code] = Counts{SocialOrder: so[code], ByCategory: cs[code]}
			}
		}
	}
	return units, counts
}

func TestProposePriority(t *testing.T) {
	units, counts := priorityData()
	p := Propose(SelectionParams{Year: 2026, Grouped: true, CapPercent: 15, NTMRule: NTMNone}, units, counts)
	// Cap 20*15/100 = 3 although only 7 units are eligible: the cap counts
	// all units.
	if p.Cap != 3 {
		t.Fatalf("cap %d, want 3", p.Cap)
	}
	type row struct {
		code     string
		ncomplex int
		severity float64
		primary  Category
		rank     int
		status   Status
	}
	want := []row{
		// Two categories beat a higher severity: 10 / 5 = 2.
		{"A01", 2, 2, Cat3, 1, StatusProposed},
		// One category, severity 18 / 6 = 3.
		{"B01", 1, 3, Cat1, 2, StatusProposed},
		// One category, severity 12 / 6 = 2 ties A02 and A03 (10 / 5 = 2);
		// the higher count 12 goes first.
		{"B02", 1, 2, Cat1, 3, StatusProposed},
		// Same categories, severity and count: by code.
		{"A02", 1, 2, Cat1, 4, StatusCutByCap},
		{"A03", 1, 2, Cat1, 5, StatusCutByCap},
		// No category: severity 6 / 5 = 1.2 beats B03's 7 / 6 = 1.1667
		// although B03 has the higher count.
		{"A04", 0, 1.2, Cat1, 6, StatusCutByCap},
		{"B03", 0, 7.0 / 6, Cat1, 7, StatusCutByCap},
	}
	for i, w := range want {
		c := p.Candidates[i]
		if c.Unit.Code != w.code || len(c.Complex) != w.ncomplex || !near(c.Severity, w.severity) || c.Primary != w.primary || c.Rank != w.rank || c.Status != w.status {
			t.Errorf("position %d: %s complex %v severity %v primary %d rank %d %s; want %+v",
				i, c.Unit.Code, c.Complex, c.Severity, c.Primary, c.Rank, c.Status, w)
		}
	}
	// Below average by count desc, then code: B04 6 (6 > 6 false), B05
	// and B06 5 (5 > 5 false), A05 and B07 4, B08 3, then the zeros.
	wantBelow := []string{"B04", "B05", "B06", "A05", "B07", "B08", "A06", "A07", "A08", "A09", "A10", "B09", "B10"}
	if got := codes(p.Candidates[len(want):]); !reflect.DeepEqual(got, wantBelow) {
		t.Errorf("below average %v, want %v", got, wantBelow)
	}
	for _, c := range p.Candidates[len(want):] {
		if c.Status != StatusBelowAverage || c.Rank != 0 || c.Severity != 0 {
			t.Errorf("%s: %s rank %d severity %v, want below_average 0 0", c.Unit.Code, c.Status, c.Rank, c.Severity)
		}
	}
}

func TestPrimaryCategory(t *testing.T) {
	for _, tc := range []struct {
		name    string
		counts  map[string]Counts
		complex []Category
		primary Category
	}{
		{
			// Cat2 2/(2/4 = 0.5) = 4 and cat4 2/0.5 = 4: a tie goes to
			// the lower code.
			name:    "tie",
			counts:  map[string]Counts{"t1": {ByCategory: cats(2, 2, 4, 2)}},
			complex: []Category{Cat2, Cat4},
			primary: Cat2,
		},
		{
			// t2 raises cat2's average to 4/4 = 1: cat2 ratio 2/1 = 2,
			// cat4 2/0.5 = 4, so cat4 though its code is higher.
			name:    "highest ratio",
			counts:  map[string]Counts{"t1": {ByCategory: cats(2, 2, 4, 2)}, "t2": {ByCategory: cats(2, 2)}},
			complex: []Category{Cat2, Cat4},
			primary: Cat4,
		},
		{
			name:    "none complex",
			counts:  map[string]Counts{"t1": {SocialOrder: 9}},
			primary: Cat1,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			units := []Unit{{Code: "t1"}, {Code: "t2"}, {Code: "t3"}, {Code: "t4"}}
			p := Propose(SelectionParams{Year: 2026, CapPercent: 15}, units, tc.counts)
			c := byCode(p.Candidates)["t1"]
			if !reflect.DeepEqual(c.Complex, tc.complex) || c.Primary != tc.primary {
				t.Errorf("complex %v primary %d, want %v %d", c.Complex, c.Primary, tc.complex, tc.primary)
			}
		})
	}
}

func TestCategoryThresholds(t *testing.T) {
	// Four units, no districts. u1: cat1 3, cat2 2, cat3 1; u2: cat1 1.
	// Averages: cat1 4/4 = 1, cat2 2/4 = 0.5, cat3 1/4 = 0.25.
	four := []Unit{{Code: "u1"}, {Code: "u2"}, {Code: "u3"}, {Code: "u4"}}
	fourCounts := map[string]Counts{"u1": {ByCategory: cats(1, 3, 2, 2, 3, 1)}, "u2": {ByCategory: cats(1, 1)}}
	// Two units with cat1 6 and 4: average 5.
	two := []Unit{{Code: "u1"}, {Code: "u2"}}
	twoCounts := map[string]Counts{"u1": {ByCategory: cats(1, 6)}, "u2": {ByCategory: cats(1, 4)}}
	for _, tc := range []struct {
		name   string
		factor float64
		min    int
		units  []Unit
		counts map[string]Counts
		want   []Category
	}{
		// Defaults (0 → factor 1, min 1): 3 > 1, 2 > 0.5, 1 > 0.25.
		{"defaults", 0, 0, four, fourCounts, []Category{Cat1, Cat2, Cat3}},
		// Factor 1.5: 3 > 1.5, 2 > 0.75, 1 > 0.375; min 2 drops cat3 (1 < 2).
		{"factor 1.5 min 2", 1.5, 2, four, fourCounts, []Category{Cat1, Cat2}},
		// Factor 4: 3 > 4 no, 2 > 2 no, 1 > 1 no.
		{"factor 4", 4, 1, four, fourCounts, nil},
		// 6 > 1.2 * 5 = 6 is false: exact, not float-rounded.
		{"factor 1.2 at equality", 1.2, 1, two, twoCounts, nil},
		// 6 > 1.19 * 5 = 5.95.
		{"factor 1.19", 1.19, 1, two, twoCounts, []Category{Cat1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Propose(SelectionParams{Year: 2026, CapPercent: 15, CategoryFactor: tc.factor, CategoryMinCount: tc.min}, tc.units, tc.counts)
			if got := byCode(p.Candidates)["u1"].Complex; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("complex %v, want %v", got, tc.want)
			}
		})
	}
}

func TestExcludedByNTM(t *testing.T) {
	asOf := day(2026, 2, 1)
	for _, tc := range []struct {
		name string
		rule NTMRule
		cert time.Time
		want bool
	}{
		{"always, never certified", NTMAlways, time.Time{}, false},
		{"always, certified before", NTMAlways, day(2025, 6, 1), true},
		{"always, certified on the day", NTMAlways, asOf, true},
		{"always, certified after the day", NTMAlways, day(2026, 2, 2), false},
		{"always, long ago", NTMAlways, day(2015, 1, 1), true},
		{"empty rule is always", "", day(2025, 6, 1), true},
		{"previous year, in 2025", NTMPreviousYear, day(2025, 6, 1), true},
		{"previous year, first day of 2025", NTMPreviousYear, day(2025, 1, 1), true},
		{"previous year, last day of 2025", NTMPreviousYear, day(2025, 12, 31), true},
		{"previous year, 2024", NTMPreviousYear, day(2024, 12, 31), false},
		{"previous year, this year", NTMPreviousYear, day(2026, 1, 10), false},
		{"previous year, never", NTMPreviousYear, time.Time{}, false},
		{"none", NTMNone, day(2025, 6, 1), false},
	} {
		p := SelectionParams{Year: 2026, AsOf: asOf, NTMRule: tc.rule}
		if got := ExcludedByNTM(p, Unit{Code: "u", NTMCertifiedOn: tc.cert}); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// ntmData is seven units without districts: 9, 8, 7, 1, 0, 0, 2 → 27,
// average 27/7 = 3.857. U1–U3 are eligible; cap 7*15/100 = 1. U4 (count 1)
// is certified NTM since 2020 and below average.
func TestProposeNTM(t *testing.T) {
	base := []Unit{{Code: "U1"}, {Code: "U2"}, {Code: "U3"}, {Code: "U4", NTMCertifiedOn: day(2020, 5, 5)}, {Code: "U5"}, {Code: "U6"}, {Code: "U7"}}
	counts := map[string]Counts{"U1": {SocialOrder: 9}, "U2": {SocialOrder: 8}, "U3": {SocialOrder: 7}, "U4": {SocialOrder: 1}, "U7": {SocialOrder: 2}}
	asOf := day(2026, 2, 1)
	excluded := []string{"U2", "U3", "U1", "U7", "U4", "U5", "U6"}
	kept := []string{"U1", "U2", "U3", "U7", "U4", "U5", "U6"}
	for _, tc := range []struct {
		name     string
		rule     NTMRule
		cert     time.Time
		order    []string
		u1       Status
		u1Rank   int
		u2Status Status
		u4NTM    bool
	}{
		{"always, certified before", NTMAlways, day(2025, 6, 1), excluded, StatusExcludedNTM, 0, StatusProposed, true},
		{"always, certified on AsOf", NTMAlways, asOf, excluded, StatusExcludedNTM, 0, StatusProposed, true},
		{"always, certified after AsOf", NTMAlways, day(2026, 2, 2), kept, StatusProposed, 1, StatusCutByCap, true},
		{"previous year, 2025", NTMPreviousYear, day(2025, 6, 1), excluded, StatusExcludedNTM, 0, StatusProposed, false},
		{"previous year, 2024", NTMPreviousYear, day(2024, 12, 31), kept, StatusProposed, 1, StatusCutByCap, false},
		{"previous year, 2026", NTMPreviousYear, day(2026, 1, 10), kept, StatusProposed, 1, StatusCutByCap, false},
		{"none", NTMNone, day(2025, 6, 1), kept, StatusProposed, 1, StatusCutByCap, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			units := append([]Unit(nil), base...)
			units[0].NTMCertifiedOn = tc.cert
			p := Propose(SelectionParams{Year: 2026, AsOf: asOf, CapPercent: 15, NTMRule: tc.rule}, units, counts)
			if got := codes(p.Candidates); !reflect.DeepEqual(got, tc.order) {
				t.Errorf("order %v, want %v", got, tc.order)
			}
			got := byCode(p.Candidates)
			u1 := got["U1"]
			// An excluded unit passed the gate: it keeps its severity
			// 9 / (27/7) = 63/27 = 2.333.
			if u1.Status != tc.u1 || u1.Rank != tc.u1Rank || !u1.Eligible || !near(u1.Severity, 63.0/27) {
				t.Errorf("U1 %s rank %d eligible %v severity %v, want %s rank %d", u1.Status, u1.Rank, u1.Eligible, u1.Severity, tc.u1, tc.u1Rank)
			}
			if s := got["U2"].Status; s != tc.u2Status {
				t.Errorf("U2 %s, want %s", s, tc.u2Status)
			}
			// U4 is below average whatever its certification; NTM is kept
			// for its reason.
			if u4 := got["U4"]; u4.Status != StatusBelowAverage || u4.NTM != tc.u4NTM {
				t.Errorf("U4 %s NTM %v, want below_average NTM %v", u4.Status, u4.NTM, tc.u4NTM)
			}
		})
	}
}

func TestSelectionParamsValidate(t *testing.T) {
	ok := SelectionParams{Year: 2026, CapPercent: 15, NTMRule: NTMAlways, CategoryFactor: 1, CategoryMinCount: 1}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid params: %v", err)
	}
	for name, mut := range map[string]func(*SelectionParams){
		"cap 0":          func(p *SelectionParams) { p.CapPercent = 0 },
		"cap 101":        func(p *SelectionParams) { p.CapPercent = 101 },
		"unknown rule":   func(p *SelectionParams) { p.NTMRule = "sometimes" },
		"negative":       func(p *SelectionParams) { p.CategoryFactor = -1 },
		"negative count": func(p *SelectionParams) { p.CategoryMinCount = -1 },
	} {
		p := ok
		mut(&p)
		if err := p.Validate(); err == nil {
			t.Errorf("%s: Validate() accepted %+v", name, p)
		}
	}
}

// Two proposal days give the same proposal unless a commune's NTM
// certification falls between them (under the rule that reads the day) or
// another parameter differs; when SameProposal says so, Propose agrees.
func TestSameProposal(t *testing.T) {
	units, counts := gateData()
	march, nov := day(2026, 3, 10), day(2026, 11, 25)
	base := SelectionParams{Year: 2026, AsOf: march, Grouped: true, CapPercent: 15, NTMRule: NTMAlways}
	with := func(code string, on time.Time) []Unit {
		us := append([]Unit(nil), units...)
		for i := range us {
			if us[i].Code == code {
				us[i].NTMCertifiedOn = on
			}
		}
		return us
	}
	later := base
	later.AsOf = nov
	otherCap := later
	otherCap.CapPercent = 20
	prevYear, prevYearLater := base, later
	prevYear.NTMRule, prevYearLater.NTMRule = NTMPreviousYear, NTMPreviousYear
	for _, tc := range []struct {
		name  string
		a, b  SelectionParams
		units []Unit
		want  bool
	}{
		{"no certification", base, later, units, true},
		{"certified before both days", base, later, with("a1", day(2025, 6, 1)), true},
		{"certified after both days", base, later, with("a1", day(2026, 12, 1)), true},
		{"certified between the days", base, later, with("a1", day(2026, 7, 1)), false},
		{"between the days, rule not reading the day", prevYear, prevYearLater, with("a1", day(2026, 7, 1)), true},
		{"another cap", base, otherCap, units, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := SameProposal(tc.a, tc.b, tc.units); got != tc.want {
				t.Fatalf("SameProposal = %v, want %v", got, tc.want)
			}
			same := reflect.DeepEqual(Propose(tc.a, tc.units, counts), Propose(tc.b, tc.units, counts))
			if tc.want && !same {
				t.Errorf("SameProposal said the same, Propose differs")
			}
			if tc.name == "certified between the days" && same {
				t.Errorf("the data does not make the proposals differ")
			}
		})
	}
}
