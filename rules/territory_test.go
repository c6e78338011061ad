package rules

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// reform is a small province through the 2025 reform:
//
//	A1, A2 (district D1, to 30/06/2025) merge into B on 01/07/2025;
//	B merges into C on 01/01/2027 (a chain A1→B→C);
//	K keeps its code across the reform, in D1 while D1 exists;
//	S (to 30/06/2025) is recorded with two successors, X and Y: a split;
//	G ended on 31/12/2024 with no successor;
//	L1 and L2 (both ended) name each other as successor: a loop.
func reform(dated bool) *Territory {
	var open time.Time
	june, july := day(2025, 6, 30), day(2025, 7, 1)
	du := func(code, dist string, from, to time.Time) DatedUnit {
		return DatedUnit{Unit: Unit{Code: code, District: dist}, ValidFrom: from, ValidTo: to}
	}
	units := []DatedUnit{
		du("A1", "D1", open, june), du("A2", "D1", open, june),
		du("B", "", july, day(2026, 12, 31)), du("C", "", day(2027, 1, 1), open),
		du("K", "D1", open, open),
		du("S", "D1", open, june), du("X", "", july, open), du("Y", "", july, open),
		du("G", "D1", open, day(2024, 12, 31)),
		du("L1", "D1", open, june), du("L2", "D1", open, june),
	}
	districts := []District{{Code: "D1", ValidTo: june}}
	succ := []Succession{
		{"A1", "B", july}, {"A2", "B", july}, {"B", "C", day(2027, 1, 1)},
		{"S", "X", july}, {"S", "Y", july},
		{"L1", "L2", july}, {"L2", "L1", july},
		// Recorded twice: counts from the earlier day. A code to itself
		// is ignored.
		{"A2", "B", day(2025, 8, 1)}, {"K", "K", july},
	}
	return NewTerritory(units, districts, succ, dated)
}

var (
	beforeMerger = day(2025, 6, 14)
	afterMerger  = day(2025, 12, 14)
	afterChain   = day(2027, 2, 1)
)

func TestResolve(t *testing.T) {
	tr := reform(true)
	for _, c := range []struct {
		code string
		on   time.Time
		want Resolution
	}{
		{"A1", beforeMerger, Resolution{Code: "A1", Outcome: OutcomeValid}},
		{"A1", afterMerger, Resolution{Code: "B", Outcome: OutcomeSucceeded}},
		{"A2", afterMerger, Resolution{Code: "B", Outcome: OutcomeSucceeded}},
		{"B", afterMerger, Resolution{Code: "B", Outcome: OutcomeValid}},
		// The chain A1→B→C resolves.
		{"A1", afterChain, Resolution{Code: "C", Outcome: OutcomeSucceeded}},
		{"B", afterChain, Resolution{Code: "C", Outcome: OutcomeSucceeded}},
		// B before it exists is no error: its rows are of a later day.
		{"B", beforeMerger, Resolution{Outcome: OutcomeNotYet, At: "B"}},
		{"K", beforeMerger, Resolution{Code: "K", Outcome: OutcomeValid}},
		{"K", afterMerger, Resolution{Code: "K", Outcome: OutcomeValid}},
		{"S", beforeMerger, Resolution{Code: "S", Outcome: OutcomeValid}},
		{"S", afterMerger, Resolution{Outcome: OutcomeSplit, At: "S", Successors: []string{"X", "Y"}}},
		{"G", beforeMerger, Resolution{Outcome: OutcomeGone, At: "G"}},
		// L1 → L2 → (L1 again): the loop is not followed round.
		{"L1", afterMerger, Resolution{Outcome: OutcomeGone, At: "L2"}},
		{"ZZ", afterMerger, Resolution{Outcome: OutcomeUnknown, At: "ZZ"}},
		// A2's second record (01/08) does not delay its succession.
		{"A2", day(2025, 7, 15), Resolution{Code: "B", Outcome: OutcomeSucceeded}},
	} {
		if got := tr.Resolve(c.code, c.on); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Resolve(%s, %s) = %+v, want %+v", c.code, c.on.Format(time.DateOnly), got, c.want)
		}
	}
	want := []Split{{Predecessor: "S", Successors: []Succession{{"S", "X", day(2025, 7, 1)}, {"S", "Y", day(2025, 7, 1)}}}}
	if got := tr.Splits(); !reflect.DeepEqual(got, want) {
		t.Errorf("Splits = %+v, want %+v", got, want)
	}
	if got, want := tr.Predecessors("B", afterMerger), []string{"A1", "A2", "B"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Predecessors(B) = %v, want %v", got, want)
	}
}

// K stays in D1 while D1 exists; after 30/06/2025 it is in no district
// (the province average alone), unless districts' validity is ignored.
func TestUnitOnFollowsTheDistrictInForce(t *testing.T) {
	for _, c := range []struct {
		dated bool
		code  string
		on    time.Time
		want  string // code/district, "-" when none
	}{
		{true, "K", beforeMerger, "K/D1"},
		{true, "K", afterMerger, "K/"},
		{false, "K", afterMerger, "K/D1"},
		{true, "A1", beforeMerger, "A1/D1"},
		{true, "A1", afterMerger, "B/"},
		{true, "S", afterMerger, "-"},
	} {
		got := "-"
		if u, ok := reform(c.dated).UnitOn(c.code, c.on); ok {
			got = u.Code + "/" + u.District
		}
		if got != c.want {
			t.Errorf("dated %t: UnitOn(%s, %s) = %s, want %s", c.dated, c.code, c.on.Format(time.DateOnly), got, c.want)
		}
	}
}

// The reference year 15/12/2024–14/12/2025 of a proposal made after the
// merger: A1 had 5 crimes against social order before July, A2 3, B 2
// after; S 4 and G 1. B counts 5+3+2 = 10 (2 by its own code alone); S's
// and G's stay under their codes, no unit of the day.
func TestAttributeSumsPredecessorsIntoTheSuccessor(t *testing.T) {
	c := func(n, cat4 int) Counts { return Counts{SocialOrder: n, ByCategory: [5]int{1: n, 4: cat4}} }
	counts := map[string]Counts{"A1": c(5, 1), "A2": c(3, 0), "B": c(2, 2), "K": c(1, 0), "S": c(4, 0), "G": c(1, 0)}
	got, unresolved := Attribute(reform(true), afterMerger, counts, Counts.Add)
	want := map[string]Counts{"B": c(10, 3), "K": c(1, 0), "S": c(4, 0), "G": c(1, 0)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("attributed %+v, want %+v", got, want)
	}
	wantU := map[string]Resolution{
		"S": {Outcome: OutcomeSplit, At: "S", Successors: []string{"X", "Y"}},
		"G": {Outcome: OutcomeGone, At: "G"},
	}
	if !reflect.DeepEqual(unresolved, wantU) {
		t.Errorf("unresolved %+v, want %+v", unresolved, wantU)
	}
	// Before the merger every code is its own.
	if got, _ := Attribute(reform(true), beforeMerger, counts, Counts.Add); got["A1"].SocialOrder != 5 || got["A2"].SocialOrder != 3 || got["B"].SocialOrder != 2 {
		t.Errorf("before the merger %+v", got)
	}
	// After the second merger A1, A2 and B are C's: 10.
	if got, _ := Attribute(reform(true), afterChain, counts, Counts.Add); got["C"].SocialOrder != 10 || len(got) != 4 {
		t.Errorf("after the chain %+v", got)
	}
}

func TestFollowDecisions(t *testing.T) {
	tr := reform(true)
	sel := []Selection{
		{Year: 2025, Unit: "A1", Category: Cat1, DecidedOn: day(2025, 3, 10)},
		{Year: 2025, Unit: "A2", Category: Cat1, DecidedOn: day(2025, 3, 1)},
		{Year: 2025, Unit: "A2", Category: Cat4, DecidedOn: day(2025, 3, 1)},
		{Year: 2025, Unit: "S", Category: Cat1, DecidedOn: day(2025, 3, 1)},
	}
	// A1 and A2 in Loại 1 are one selection of B, decided 01/03; A2's
	// Loại 4 stays a selection of its own; S splits and stays S.
	gotSel, unresolved := FollowSelections(tr, afterMerger, sel)
	wantSel := []Selection{
		{Year: 2025, Unit: "B", Category: Cat1, DecidedOn: day(2025, 3, 1)},
		{Year: 2025, Unit: "B", Category: Cat4, DecidedOn: day(2025, 3, 1)},
		{Year: 2025, Unit: "S", Category: Cat1, DecidedOn: day(2025, 3, 1)},
	}
	if !reflect.DeepEqual(gotSel, wantSel) {
		t.Errorf("selections %+v, want %+v", gotSel, wantSel)
	}
	if len(unresolved) != 1 || unresolved["S"].Outcome != OutcomeSplit {
		t.Errorf("unresolved %+v", unresolved)
	}
	// The 2025 verdict recorded on the old code and on the new one, on one
	// day: the new code's record stands; a later one stands whatever code.
	as := []Assessment{
		{Year: 2025, Unit: "B", Transformed: true, AssessedOn: day(2026, 1, 15)},
		{Year: 2025, Unit: "A1", Transformed: false, AssessedOn: day(2026, 1, 15)},
	}
	if got, _ := FollowAssessments(tr, day(2026, 2, 1), as); len(got) != 1 || got[0].Unit != "B" || !got[0].Transformed {
		t.Errorf("tie: %+v", got)
	}
	as[1].AssessedOn = day(2026, 1, 20)
	if got, _ := FollowAssessments(tr, day(2026, 2, 1), as); len(got) != 1 || got[0].Transformed {
		t.Errorf("later verdict on the old code: %+v", got)
	}
	ps := []DistrictProposal{{Year: 2026, Unit: "A1", ProposedOn: day(2025, 12, 20)}, {Year: 2026, Unit: "B", ProposedOn: day(2025, 12, 18)}}
	if got, _ := FollowProposals(tr, afterMerger, ps); len(got) != 1 || got[0].Unit != "B" || !got[0].ProposedOn.Equal(day(2025, 12, 18)) {
		t.Errorf("proposals: %+v", got)
	}
}

// Obligations are owed on their due day (reform: D1 until 30/06/2025).
// A1 and A2 selected on 20/05/2025 owe their plans (30 days: 19/06) to D1,
// one each; selected on 20/06 their plans fall due on 20/07, after the
// merger: one plan of B, owed by the province (no district then), met by
// the report A2 sent on 10/07 under its old code. The half-year report
// (20/06) is D1's, the year report (20/12) the province's.
func TestDeadlinesOnFollowTheDueDay(t *testing.T) {
	plan := Obligation{Code: "plan", PerUnit: true, DueAfterDecisionDays: 30}
	half := Obligation{Code: "report_h1", Period: PeriodHalf1, DueMonth: time.June, DueDay: 20}
	year := Obligation{Code: "report_year", Period: PeriodYear, DueMonth: time.December, DueDay: 20}
	at := reform(true).UnitOn
	for _, c := range []struct {
		decided time.Time
		subs    []Submission
		want    string
	}{
		{day(2025, 5, 20), nil, "D1/plan/2025/A1 due 2025-06-19; D1/plan/2025/A2 due 2025-06-19; D1/report_h1/2025-H1 due 2025-06-20; xa:B/report_year/2025 due 2025-12-20"},
		{day(2025, 6, 20), []Submission{{Obligation: "plan", Period: "2025", Unit: "A2", SubmittedOn: day(2025, 7, 10)}},
			"D1/report_h1/2025-H1 due 2025-06-20; xa:B/plan/2025/B due 2025-07-20 submitted; xa:B/report_year/2025 due 2025-12-20"},
	} {
		sel := []Selection{{Year: 2025, Unit: "A1", Category: Cat1, DecidedOn: c.decided}, {Year: 2025, Unit: "A2", Category: Cat1, DecidedOn: c.decided}}
		var got []string
		for _, d := range DeadlinesOn(2025, day(2026, 1, 5), true, []Obligation{plan, half, year}, sel, at, c.subs) {
			s := fmt.Sprintf("%s/%s/%s", d.Committee, d.Obligation.Code, d.Period)
			if d.Unit != "" {
				s += "/" + d.Unit
			}
			s += " due " + d.Due.Format(time.DateOnly)
			if d.State == DeadlineSubmitted {
				s += " submitted"
			}
			got = append(got, s)
		}
		if strings.Join(got, "; ") != c.want {
			t.Errorf("decided %s:\n%s\nwant\n%s", c.decided.Format(time.DateOnly), strings.Join(got, "; "), c.want)
		}
	}
}
