package finding

import (
	"encoding/json"
	"slices"
	"testing"

	"chuyenhoa/rules"
)

func enc[T Payload](t *testing.T, v T) json.RawMessage {
	t.Helper()
	_, b, err := Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withField adds a field the payload type does not know, as a newer
// version of the jobs would write it.
func withField(t *testing.T, b json.RawMessage) json.RawMessage {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["AddedLater"] = 42
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSame(t *testing.T) {
	obl := rules.Obligation{Code: "plan", Name: "Kế hoạch chuyển hóa", PerUnit: true, DueAfterDecisionDays: 30, ReminderDays: 7, GraceDays: 5, EscalateDays: 10}
	dl := rules.Deadline{Obligation: obl, Committee: rules.DistrictCommittee("D01"), Unit: "X01", Year: 2026, Period: "2026", Due: day,
		EscalateOn: day.AddDate(0, 0, 16), State: rules.DeadlineOverdue, DaysLate: 3}
	pd := rules.ProposalDeadline{Deadline: dl, Proposed: 1, Required: 2}
	rel := RelapseItem{RelapseResult: rules.RelapseResult{Area: rules.Area{Unit: "X01", Year: 2024, Category: 2, TransformedOn: day.AddDate(-1, 0, 0)},
		Checked: true, Relapsed: true, ByCategory: true, Counts: rules.Counts{SocialOrder: 7, ByCategory: [5]int{0, 1, 4, 2, 0}},
		ProvinceAvg: 3.5, DistrictAvg: 4, CatProvinceAvg: 1.2, CatDistrictAvg: 1.5}, Changed: true, Since: day, EverRelapsed: true, Window: win}
	// rel2 is rel's area selected in categories 2 and 4.
	rel2 := rel
	rel2.Area.Categories = []rules.Category{2, 4}
	rel2.CategoryChecks = []rules.CategoryCheck{{Category: 2, Count: 4, ProvinceAvg: 1.2, DistrictAvg: 1.5, Complex: true}, {Category: 4, Count: 0, ProvinceAvg: 0.4, DistrictAvg: 0.5}}
	ind := []rules.Indicator{{Code: rules.IndDetection, Num: 6, Den: 10, Percent: 70, Applicable: true, Rate: 60, Short: 1}}
	area := CycleItem{CycleArea: rules.CycleArea{Unit: "X01", Year: 2026, Category: 1, DecidedOn: day, Stage: "selected"}, District: "D01",
		Window: win, HasWindow: true, Indicators: rules.IndicatorResult{HasData: true, Counts: rules.CaseCounts{Crimes: 10, Detected: 6, Rows: 3}, Indicators: ind},
		State: CycleAtRisk, YearEnd: day.AddDate(1, 0, 0)}
	proj := ProjectionItem{Target: PassTarget, Percent: 60, Projection: rules.Projection{Year: 2026, On: day, Selected: 10, Meeting: 4, Below: 6,
		Passing: 4, HasPass: true, PassRate: 40, PassNeeded: 6}}

	for _, c := range []struct {
		name string
		kind AlertKind
		a, b json.RawMessage
		same bool
	}{
		{"deadline unchanged", AlertDeadline, enc(t, dl), enc(t, dl), true},
		{"deadline with a field added later", AlertDeadline, enc(t, dl), withField(t, enc(t, dl)), true},
		{"deadline: selection year not shown", AlertDeadline, enc(t, dl), enc(t, func() rules.Deadline { d := dl; d.Year = 2027; return d }()), true},
		{"deadline: one more day late", AlertDeadline, enc(t, dl), enc(t, func() rules.Deadline { d := dl; d.DaysLate++; return d }()), false},
		{"deadline: due day moved", AlertDeadline, enc(t, dl), enc(t, func() rules.Deadline { d := dl; d.Due = d.Due.AddDate(0, 0, 1); return d }()), false},
		{"deadline: escalation day moved", AlertDeadline, enc(t, dl), enc(t, func() rules.Deadline { d := dl; d.EscalateOn = d.EscalateOn.AddDate(0, 0, 1); return d }()), false},
		{"deadline: report arrived", AlertDeadline, enc(t, dl), enc(t, func() rules.Deadline { d := dl; d.SubmittedOn = day; return d }()), false},
		{"deadline: grace days in the rule", AlertDeadline, enc(t, dl), enc(t, func() rules.Deadline { d := dl; d.Obligation.GraceDays = 6; return d }()), false},
		{"escalation: one more day late", AlertEscalation, enc(t, dl), enc(t, func() rules.Deadline { d := dl; d.DaysLate++; return d }()), false},
		{"deadline: payload does not decode", AlertDeadline, enc(t, dl), json.RawMessage(`{"DaysLate":"three"}`), false},
		{"proposal unchanged but for a new field", AlertProposal, enc(t, pd), withField(t, enc(t, pd)), true},
		{"proposal: one more proposal in", AlertProposal, enc(t, pd), enc(t, func() rules.ProposalDeadline { p := pd; p.Proposed++; return p }()), false},
		{"proposal escalation: one more day late", AlertProposalEscalation, enc(t, pd), enc(t, func() rules.ProposalDeadline { p := pd; p.DaysLate++; return p }()), false},
		{"relapse: no longer the check that changed it", AlertRelapse, enc(t, rel), enc(t, func() RelapseItem { r := rel; r.Changed = false; return r }()), true},
		{"relapse: another category's count", AlertRelapse, enc(t, rel), enc(t, func() RelapseItem { r := rel; r.Counts.ByCategory[3]++; return r }()), true},
		{"relapse: its own category's count", AlertRelapse, enc(t, rel), enc(t, func() RelapseItem { r := rel; r.Counts.ByCategory[2]++; return r }()), false},
		{"relapse: a second category's count", AlertRelapse, enc(t, rel2), enc(t, func() RelapseItem {
			r := rel2
			r.CategoryChecks = slices.Clone(r.CategoryChecks)
			r.CategoryChecks[1].Count++
			return r
		}()), false},
		{"relapse: complex again in the second category too", AlertRelapse, enc(t, rel2), enc(t, func() RelapseItem {
			r := rel2
			r.CategoryChecks = slices.Clone(r.CategoryChecks)
			r.CategoryChecks[1].Complex = true
			return r
		}()), false},
		{"relapse: a category added", AlertRelapse, enc(t, rel), enc(t, rel2), false},
		{"relapse: committee now the commune's", AlertRelapse, enc(t, rel), enc(t, func() RelapseItem { r := rel; r.Committee = rules.CommuneCommittee("X01"); return r }()), false},
		{"deadline: owed by the commune now", AlertDeadline, enc(t, dl), enc(t, func() rules.Deadline { d := dl; d.Committee = rules.CommuneCommittee("X01"); return d }()), false},
		{"relapse: province average", AlertRelapse, enc(t, rel), enc(t, func() RelapseItem { r := rel; r.ProvinceAvg = 3.6; return r }()), false},
		{"relapse: window moved a month", AlertRelapse, enc(t, rel), enc(t, func() RelapseItem { r := rel; r.Window.To = r.Window.To.AddDate(0, 1, 0); return r }()), false},
		{"at risk: raw case counts not shown", AlertAtRisk, enc(t, area), enc(t, func() CycleItem { a := area; a.Indicators.Counts.Rows++; return a }()), true},
		{"at risk: with a field added later", AlertAtRisk, enc(t, area), withField(t, enc(t, area)), true},
		{"at risk: one more case detected", AlertAtRisk, enc(t, area), enc(t, func() CycleItem {
			a := area
			a.Indicators.Indicators = []rules.Indicator{ind[0]}
			a.Indicators.Indicators[0].Num, a.Indicators.Indicators[0].Rate = 7, 70
			return a
		}()), false},
		{"at risk: window reaches another month", AlertAtRisk, enc(t, area), enc(t, func() CycleItem { a := area; a.Window.To = a.Window.To.AddDate(0, 1, 0); return a }()), false},
		{"projection: made on another day", AlertProjection, enc(t, proj), enc(t, func() ProjectionItem { p := proj; p.On = p.On.AddDate(0, 0, 1); return p }()), true},
		{"projection: one more area passing", AlertProjection, enc(t, proj), enc(t, func() ProjectionItem { p := proj; p.Passing, p.PassRate = 5, 50; return p }()), false},
		{"unknown kind: bytes", AlertKind("other"), json.RawMessage(`{"a":1}`), json.RawMessage(`{"a":1}`), true},
		{"unknown kind: other bytes", AlertKind("other"), json.RawMessage(`{"a":1}`), json.RawMessage(`{"a":1,"b":2}`), false},
	} {
		if got := Same(c.kind, c.a, c.b); got != c.same {
			t.Errorf("%s: Same = %v, want %v", c.name, got, c.same)
		}
	}
}
