package rules

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

var targets6085 = TargetParams{TransformedPercent: 60, StablePercent: 85}

// cycleData is five years of one province's decisions:
//
//	2024: a, b, c selected; verdicts a ✓, b ✗, c ✗
//	2025: d, e, c selected (c again after failing: reselected); b carried
//	      over (failed 2024, not selected); verdicts d ✓, e ✗, c ✓, b ✗
//	2026: f, g, h, i, j selected (10/03); b carried again (✗ in 2025), e
//	      carried (✗ in 2025); k decided only on 01/12/2026.
//	      Verdicts recorded on 15/01/2027: f ✓ g ✓ h ✓ i ✗, b ✓ (carried).
//
// Relapse checks found a (2024) and f (2026) relapsed.
func cycleData() ([]Selection, []Assessment, map[AreaKey]bool) {
	s := func(y int, u string, k Category, on time.Time) Selection {
		return Selection{Year: y, Unit: u, Category: k, DecidedOn: on}
	}
	v := func(y int, u string, ok bool, on time.Time) Assessment {
		return Assessment{Year: y, Unit: u, Transformed: ok, AssessedOn: on}
	}
	sel := []Selection{
		s(2024, "a", Cat1, day(2024, 3, 1)), s(2024, "b", Cat4, day(2024, 3, 1)), s(2024, "c", Cat1, day(2024, 3, 1)),
		s(2025, "d", Cat1, day(2025, 3, 5)), s(2025, "e", Cat3, day(2025, 3, 5)), s(2025, "c", Cat2, day(2025, 3, 5)),
		s(2026, "f", Cat1, day(2026, 3, 10)), s(2026, "g", Cat1, day(2026, 3, 10)), s(2026, "h", Cat1, day(2026, 3, 10)),
		s(2026, "i", Cat1, day(2026, 3, 10)), s(2026, "j", Cat1, day(2026, 3, 10)), s(2026, "k", Cat1, day(2026, 12, 1)),
	}
	as := []Assessment{
		v(2024, "a", true, day(2025, 1, 10)), v(2024, "b", false, day(2025, 1, 10)), v(2024, "c", false, day(2025, 1, 10)),
		v(2025, "d", true, day(2026, 1, 12)), v(2025, "e", false, day(2026, 1, 12)), v(2025, "c", true, day(2026, 1, 12)),
		v(2025, "b", false, day(2026, 1, 12)),
		v(2026, "f", true, day(2027, 1, 15)), v(2026, "g", true, day(2027, 1, 15)), v(2026, "h", true, day(2027, 1, 15)),
		v(2026, "i", false, day(2027, 1, 15)), v(2026, "b", true, day(2027, 1, 15)),
	}
	relapsed := map[AreaKey]bool{{Unit: "a", Year: 2024}: true, {Unit: "f", Year: 2026}: true}
	return sel, as, relapsed
}

type areaView struct {
	Unit        string
	Carried     bool
	Origin      int
	Reselected  bool
	Categories  []Category
	Stage       Stage
	CarriesOver bool
}

func view(c YearCycle) []areaView {
	var out []areaView
	for _, a := range c.Areas {
		out = append(out, areaView{a.Unit, a.CarriedOver, a.Origin, a.Reselected, a.Categories, a.Stage, a.CarriesOver})
	}
	return out
}

func TestYearCycleCarryOver(t *testing.T) {
	sel, as, relapsed := cycleData()
	p := CycleParams{Targets: targets6085}

	// 2025 as known at the end of 2026: b carried over from 2024 (its
	// category, Cat4, and origin stay those of 2024); c reselected.
	c := YearCycleOf(p, 2025, day(2026, 12, 31), sel, as, relapsed)
	want := []areaView{
		{"c", false, 2025, true, []Category{Cat2}, StageWatched, false},
		{"d", false, 2025, false, []Category{Cat1}, StageWatched, false},
		{"e", false, 2025, false, []Category{Cat3}, StageNotTransformed, true},
		{"b", true, 2024, false, []Category{Cat4}, StageNotTransformed, true},
	}
	if got := view(c); !reflect.DeepEqual(got, want) {
		t.Errorf("2025 areas\n got %+v\nwant %+v", got, want)
	}
	// Rate over the 3 selected: 2 transformed (c, d) → 2/3 = 66.7% ≥ 60%
	// (200 ≥ 180), needed ⌈60×3/100⌉ = ⌈1.8⌉ = 2. b is shown apart.
	if c.Selected != (CycleCount{Areas: 3, Assessed: 3, Transformed: 2, NotTransformed: 1}) ||
		c.Carried != (CycleCount{Areas: 1, Assessed: 1, NotTransformed: 1}) {
		t.Errorf("2025 counts: selected %+v carried %+v", c.Selected, c.Carried)
	}
	if !c.TransformedMet || c.TransformedNeeded != 2 || math.Abs(c.TransformedRate-200.0/3) > 1e-9 {
		t.Errorf("2025 rate %.4f needed %d met %v, want 66.67%%, 2, met", c.TransformedRate, c.TransformedNeeded, c.TransformedMet)
	}
	// Stable: 2 transformed, none relapsed → 100% ≥ 85%.
	if !c.StableMet || c.StableRate != 100 {
		t.Errorf("2025 stable %.1f met %v", c.StableRate, c.StableMet)
	}

	// 2026 on 30/11/2026: k not decided yet, no verdicts yet. b carries
	// over a second time (✗ in 2025), e for the first time.
	c = YearCycleOf(p, 2026, day(2026, 11, 30), sel, as, relapsed)
	want = []areaView{
		{"f", false, 2026, false, []Category{Cat1}, StageInProgress, false},
		{"g", false, 2026, false, []Category{Cat1}, StageInProgress, false},
		{"h", false, 2026, false, []Category{Cat1}, StageInProgress, false},
		{"i", false, 2026, false, []Category{Cat1}, StageInProgress, false},
		{"j", false, 2026, false, []Category{Cat1}, StageInProgress, false},
		{"b", true, 2024, false, []Category{Cat4}, StageInProgress, false},
		{"e", true, 2025, false, []Category{Cat3}, StageInProgress, false},
	}
	if got := view(c); !reflect.DeepEqual(got, want) {
		t.Errorf("2026 areas on 30/11\n got %+v\nwant %+v", got, want)
	}
	if c.Selected.Areas != 5 || c.Carried.Areas != 2 || c.Selected.Assessed != 0 || c.TransformedMet {
		t.Errorf("2026 on 30/11: %+v / %+v met %v", c.Selected, c.Carried, c.TransformedMet)
	}

	// 2026 on 31/01/2027 with a six-month watch: k decided; f ✓ but
	// relapsed, g h ✓ watched until 15/07/2027, i ✗ (carries over: nothing
	// selected for 2027), j no verdict; b transformed at last, e no verdict.
	p.WatchMonths = 6
	c = YearCycleOf(p, 2026, day(2027, 1, 31), sel, as, relapsed)
	want = []areaView{
		{"f", false, 2026, false, []Category{Cat1}, StageRelapsed, false},
		{"g", false, 2026, false, []Category{Cat1}, StageWatched, false},
		{"h", false, 2026, false, []Category{Cat1}, StageWatched, false},
		{"i", false, 2026, false, []Category{Cat1}, StageNotTransformed, true},
		{"j", false, 2026, false, []Category{Cat1}, StageInProgress, false},
		{"k", false, 2026, false, []Category{Cat1}, StageInProgress, false},
		{"b", true, 2024, false, []Category{Cat4}, StageWatched, false},
		{"e", true, 2025, false, []Category{Cat3}, StageInProgress, false},
	}
	if got := view(c); !reflect.DeepEqual(got, want) {
		t.Errorf("2026 areas on 31/01/2027\n got %+v\nwant %+v", got, want)
	}
	// Rate: 3 transformed (f, g, h) of 6 selected = 50% < 60% (300 < 360),
	// needed ⌈3.6⌉ = 4. Stable: 3 − 1 relapsed = 2 of 3 = 66.7% < 85%,
	// needed ⌈85×3/100⌉ = ⌈2.55⌉ = 3. b's success is not in the rate.
	if c.Selected != (CycleCount{Areas: 6, Assessed: 4, Transformed: 3, NotTransformed: 1, Relapsed: 1}) ||
		c.Carried != (CycleCount{Areas: 2, Assessed: 1, Transformed: 1}) {
		t.Errorf("2026 counts: selected %+v carried %+v", c.Selected, c.Carried)
	}
	if c.TransformedMet || c.TransformedNeeded != 4 || c.TransformedRate != 50 || c.StableMet || c.StableNeeded != 3 {
		t.Errorf("2026 targets: rate %.1f needed %d met %v; stable %.1f needed %d met %v",
			c.TransformedRate, c.TransformedNeeded, c.TransformedMet, c.StableRate, c.StableNeeded, c.StableMet)
	}
	var g CycleArea
	for _, a := range c.Areas {
		if a.Unit == "g" {
			g = a
		}
	}
	if !g.WatchEnds.Equal(day(2027, 7, 15)) || !g.AssessedOn.Equal(day(2027, 1, 15)) {
		t.Errorf("g watch ends %v, assessed %v", g.WatchEnds, g.AssessedOn)
	}
	// After the watch window g and h are stable.
	c = YearCycleOf(p, 2026, day(2027, 7, 16), sel, as, relapsed)
	for _, a := range c.Areas {
		if (a.Unit == "g" || a.Unit == "h") && a.Stage != StageStable {
			t.Errorf("%s on 16/07/2027: %s, want stable", a.Unit, a.Stage)
		}
	}

	// 2027: i carries over (✗ 2026); b was transformed and leaves; e had no
	// 2026 verdict and so does not carry.
	c = YearCycleOf(p, 2027, day(2027, 2, 1), sel, as, relapsed)
	if got := view(c); !reflect.DeepEqual(got, []areaView{{"i", true, 2026, false, []Category{Cat1}, StageInProgress, false}}) {
		t.Errorf("2027 areas %+v", got)
	}
	if c.HasSelected || c.TransformedMet {
		t.Errorf("2027 without selections: %+v", c)
	}
}

func TestTransformedAreasCarriedCategory(t *testing.T) {
	sel, as, _ := cycleData()
	// b's 2026 verdict has no 2026 selection: it takes Cat4 from its 2024
	// selection, not the default Cat1.
	for _, a := range TransformedAreas(sel, as) {
		if a.Unit == "b" && (a.Year != 2026 || !reflect.DeepEqual(a.Categories, []Category{Cat4})) {
			t.Errorf("carried-over area b: %+v, want 2026 in Cat4", a)
		}
	}
	// CarryOverCategories added b's two carried-over years (its 2025 ✗ and
	// 2026 ✓ verdicts have no selection of their year), in Cat4.
	extra := CarryOverCategories(sel, as)[len(sel):]
	want := []Selection{
		{Year: 2025, Unit: "b", Category: Cat4, DecidedOn: day(2024, 3, 1)},
		{Year: 2026, Unit: "b", Category: Cat4, DecidedOn: day(2024, 3, 1)},
	}
	if !reflect.DeepEqual(extra, want) {
		t.Errorf("extra selections %+v", extra)
	}
}

func TestCycleYear(t *testing.T) {
	sel, _, _ := cycleData()
	for _, tc := range []struct {
		on   time.Time
		want int
	}{
		{day(2026, 1, 20), 2025},  // 2026 list not decided yet: still 2025's work
		{day(2026, 3, 10), 2026},  // decided that day
		{day(2026, 12, 31), 2026}, // k (01/12) changes nothing
		{day(2027, 5, 1), 2026},   // no 2027 selection
		{day(2023, 6, 1), 2023},   // before any selection: the calendar year
	} {
		if got := CycleYear(tc.on, sel); got != tc.want {
			t.Errorf("CycleYear(%s) = %d, want %d", tc.on.Format(time.DateOnly), got, tc.want)
		}
	}
}

func TestCheckProposals(t *testing.T) {
	// gateData: province avg 3, D1 avg 4, D2 avg 2; a1 (10) and b1 (5)
	// eligible, a4 (4 > 3 but not > 4) fails the gate, b2 (3 > 2 but not
	// > 3) fails it too; cap floor(8×15/100) = 1.
	units, counts := gateData()
	prop := Propose(SelectionParams{Year: 2026, AsOf: day(2026, 1, 1), Grouped: true, CapPercent: 15}, units, counts)
	ps := []DistrictProposal{
		{Year: 2026, District: "D2", Unit: "b2", ProposedOn: day(2026, 1, 20)},
		{Year: 2026, District: "D1", Unit: "a1", ProposedOn: day(2026, 1, 10)},
		{Year: 2026, District: "D1", Unit: "a4", ProposedOn: day(2026, 1, 10)},
		{Year: 2026, District: "D1", Unit: "b1", ProposedOn: day(2026, 1, 11)}, // D2's commune
		{Year: 2026, District: "D2", Unit: "zz", ProposedOn: day(2026, 1, 20)}, // not a commune
		{Year: 2025, District: "D2", Unit: "b1", ProposedOn: day(2025, 1, 20)}, // another year
	}
	got := CheckProposals(prop, ps, []Selection{{Year: 2026, Unit: "a1", Category: Cat1}})
	type row struct {
		unit                                      string
		known, other, fails, selected, acceptable bool
		count                                     int
		provAvg, distAvg                          float64
	}
	var rows []row
	for _, c := range got {
		rows = append(rows, row{c.Proposal.Unit, c.Known, c.OtherDistrict, c.FailsGate, c.Selected, c.Acceptable(),
			c.Candidate.Counts.SocialOrder, c.Candidate.ProvinceAvg, c.Candidate.DistrictAvg})
	}
	want := []row{
		{"a1", true, false, false, true, true, 10, 3, 4},
		{"a4", true, false, true, false, false, 4, 3, 4},
		{"b1", true, true, false, false, false, 5, 3, 2},
		{"b2", true, false, true, false, false, 3, 3, 2},
		{"zz", false, false, false, false, false, 0, 0, 0},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("checks\n got %+v\nwant %+v", rows, want)
	}
}

func TestProposalDeadlines(t *testing.T) {
	o := Obligation{Code: "proposal", Name: "Đề xuất địa bàn", Period: PeriodYear, DueMonth: time.January, DueDay: 31, ReminderDays: 7, GraceDays: 3, EscalateDays: 10}
	// The 2027 window opens on 15/12/2026: 31/01 falls in 2027; with a
	// due of 20/12 it would fall in 2026.
	due := DueOnOrAfter(day(2026, 12, 15), time.January, 31)
	if !due.Equal(day(2027, 1, 31)) {
		t.Fatalf("due %v", due)
	}
	if d := DueOnOrAfter(day(2026, 12, 15), time.December, 20); !d.Equal(day(2026, 12, 20)) {
		t.Errorf("due 12-20 = %v", d)
	}
	ps := []DistrictProposal{
		{Year: 2027, District: "D1", Unit: "a", ProposedOn: day(2027, 1, 20)},
		{Year: 2027, District: "D1", Unit: "b", ProposedOn: day(2027, 1, 25)},
		{Year: 2027, District: "D2", Unit: "c", ProposedOn: day(2027, 2, 5)},
		{Year: 2027, District: "D3", Unit: "d", ProposedOn: day(2027, 3, 1)}, // after the day: unknown
		{Year: 2026, District: "D3", Unit: "e", ProposedOn: day(2026, 1, 5)}, // another year
	}
	// The districts of the units on the day: D4 has a commune and no
	// proposal, D3's only proposal is not known yet.
	units := []Unit{{Code: "d", District: "D3"}, {Code: "a", District: "D1"}, {Code: "b", District: "D1"}, {Code: "c", District: "D2"}, {Code: "f", District: "D4"}}
	states := func(today time.Time, required int) map[string]ProposalDeadline {
		out := map[string]ProposalDeadline{}
		for _, d := range ProposalDeadlines(o, 2027, due, today, ProposalsRequired{PerDistrict: required, PerUnit: 1}, true, units, ps) {
			if d.Committee.Level != LevelDistrict {
				t.Errorf("committee %v of a grouped province", d.Committee)
			}
			out[d.Committee.Code] = d
		}
		return out
	}
	// On 20/02/2027, one required: D1 on time (20/01), D2 late by 5 days
	// (05/02); D3 and D4 missing 20 days past due, beyond grace (3) and
	// escalation (10): escalated from 31/01+14 = 14/02.
	got := states(day(2027, 2, 20), 1)
	check := func(dist string, st DeadlineState, late, proposed int) {
		t.Helper()
		d := got[dist]
		if d.State != st || d.DaysLate != late || d.Proposed != proposed || d.Period != "2027" || !d.EscalateOn.Equal(day(2027, 2, 14)) {
			t.Errorf("%s: %+v, want %s late %d proposed %d", dist, d, st, late, proposed)
		}
	}
	check("D1", DeadlineSubmitted, 0, 2)
	check("D2", DeadlineSubmittedLate, 5, 1)
	check("D3", DeadlineEscalated, 20, 0)
	check("D4", DeadlineEscalated, 20, 0)
	if len(got) != 4 {
		t.Errorf("%d deadlines, want one per district", len(got))
	}
	// Two required, on 03/02: D1's second came 25/01 (on time); D2's one
	// proposal (05/02) is not made yet, and 03/02 is 3 days past due,
	// within grace: due.
	got = states(day(2027, 2, 3), 2)
	check("D1", DeadlineSubmitted, 0, 2)
	check("D2", DeadlineDue, 3, 0)
	if !got["D1"].SubmittedOn.Equal(day(2027, 1, 25)) {
		t.Errorf("D1 met on %v, want the second proposal's day 25/01", got["D1"].SubmittedOn)
	}
	// Reminder from 24/01: on 23/01 D4 is pending, on 24/01 upcoming.
	if s := states(day(2027, 1, 23), 1)["D4"].State; s != DeadlinePending {
		t.Errorf("D4 on 23/01: %s", s)
	}
	if s := states(day(2027, 1, 24), 1)["D4"].State; s != DeadlineUpcoming {
		t.Errorf("D4 on 24/01: %s", s)
	}
	// No obligation when none is required.
	if ds := ProposalDeadlines(o, 2027, due, day(2027, 2, 20), ProposalsRequired{PerUnit: 1}, true, units, ps); ds != nil {
		t.Errorf("required 0: %+v", ds)
	}
}

// Without districts a commune's body proposes its own area: with PerUnit 1
// each commune owes one proposal, and a proposal with no district is the
// commune's own. With PerUnit 0 (the default) nobody owes one.
func TestProposalDeadlinesCommunes(t *testing.T) {
	o := Obligation{Code: "proposal", Name: "Đề xuất địa bàn", Period: PeriodYear, DueMonth: time.January, DueDay: 31, ReminderDays: 7, GraceDays: 3, EscalateDays: 10}
	due := day(2027, 1, 31)
	// X2 keeps its old district code in the data, but the province is
	// not grouped (no district in force): it is a commune like the others.
	units := []Unit{{Code: "X1"}, {Code: "X2", District: "D1"}, {Code: "X3"}}
	ps := []DistrictProposal{
		{Year: 2027, Unit: "X1", ProposedOn: day(2027, 1, 10)},
		{Year: 2027, Unit: "X3", ProposedOn: day(2027, 2, 4)},                 // 4 days late
		{Year: 2027, District: "D1", Unit: "X2", ProposedOn: day(2027, 1, 5)}, // the old district's, not X2's own
	}
	got := ProposalDeadlines(o, 2027, due, day(2027, 2, 20), ProposalsRequired{PerDistrict: 1, PerUnit: 1}, false, units, ps)
	var lines []string
	for _, d := range got {
		lines = append(lines, fmt.Sprintf("%s %s late %d %d/%d", d.Committee, d.State, d.DaysLate, d.Proposed, d.Required))
	}
	// 31/01 → 20/02 is 20 days; escalated from 31/01 + 3 + 10 + 1 = 14/02.
	want := "xa:X1 submitted late 0 1/1; xa:X2 escalated late 20 0/1; xa:X3 submitted_late late 4 1/1"
	if strings.Join(lines, "; ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(lines, "; "), want)
	}
	if ds := ProposalDeadlines(o, 2027, due, day(2027, 2, 20), ProposalsRequired{PerDistrict: 1}, false, units, ps); ds != nil {
		t.Errorf("communes owe no proposal by default: %+v", ds)
	}
}
