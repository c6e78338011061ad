package notify

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/labels"
	"chuyenhoa/names"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// reconcile keeps an alert's stored payload when finding.Same says the new
// one tells a reader nothing new, so the digest renders the stored one. This
// holds finding.Same to the digest: every field of every payload is changed
// in turn, and wherever that changes the line a digest shows, Same must see
// a change; otherwise a repeated digest would show stale numbers.
func TestSameCoversWhatTheDigestShows(t *testing.T) {
	d := period.Date
	dir := names.New(labels.DefaultBodies(),
		[]rules.Unit{{Code: "D03X04", Name: "Xã Bình Châu", District: "D03"}},
		[]rules.District{{Code: "D03", Name: "Huyện Bình Sơn", Kind: "huyen"}},
	)
	plan := rules.Obligation{Code: "plan", Name: "Kế hoạch chuyển hóa địa bàn", PerUnit: true, DueAfterDecisionDays: 30, ReminderDays: 7, GraceDays: 3, EscalateDays: 10}
	dl := rules.Deadline{Obligation: plan, Committee: rules.DistrictCommittee("D03"), Unit: "D03X04", Year: 2026, Period: "2026", Due: d(2026, 11, 20),
		EscalateOn: d(2026, 12, 4), SubmittedOn: d(2026, 11, 24), State: rules.DeadlineOverdue, DaysLate: 5}
	pd := rules.ProposalDeadline{Deadline: dl, Proposed: 1, Required: 2}
	pd.Unit = ""
	rel := finding.RelapseItem{RelapseResult: rules.RelapseResult{
		Area:    rules.Area{Unit: "D03X04", Year: 2024, Category: rules.Cat2, Categories: []rules.Category{rules.Cat2, rules.Cat3}, TransformedOn: d(2025, 1, 20)},
		Checked: true, Relapsed: true, ByGate: true, ByCategory: true,
		Counts:      rules.Counts{SocialOrder: 42, ByCategory: [5]int{0, 30, 8, 2, 2}},
		ProvinceAvg: 60.9, DistrictAvg: 108.4, CatProvinceAvg: 6.7, CatDistrictAvg: 11.3,
		CategoryChecks: []rules.CategoryCheck{{Category: rules.Cat2, Count: 8, ProvinceAvg: 6.7, DistrictAvg: 11.3},
			{Category: rules.Cat3, Count: 2, ProvinceAvg: 0.4, DistrictAvg: 0.9, Complex: true}},
	}, Changed: true, Since: d(2026, 11, 14), EverRelapsed: true, Window: period.Range{From: d(2025, 11, 15), To: d(2026, 11, 14)}}
	ind := []rules.Indicator{
		{Code: rules.IndDetection, Num: 6, Den: 10, Percent: 70, Applicable: true, Rate: 60, Short: 1},
		{Code: rules.IndReoffending, Num: 1, Den: 4, Percent: 15, Below: true, Applicable: true, Rate: 25, Short: 1},
	}
	area := finding.CycleItem{CycleArea: rules.CycleArea{Unit: "D03X04", Year: 2026, Category: rules.Cat1, Categories: []rules.Category{rules.Cat1, rules.Cat3}, DecidedOn: d(2026, 1, 10),
		HasVerdict: true, AssessedOn: d(2026, 12, 10), Stage: rules.StageInProgress},
		District: "D03", Window: period.Range{From: d(2025, 12, 15), To: d(2026, 6, 14)}, HasWindow: true,
		Indicators: rules.IndicatorResult{HasData: true, Indicators: ind}, State: finding.CycleAtRisk, YearEnd: d(2026, 12, 14)}
	carried := area
	carried.CarriedOver, carried.Origin = true, 2025
	proj := finding.ProjectionItem{Target: finding.PassTarget, Percent: 60, Projection: rules.Projection{Year: 2026, On: d(2026, 11, 25),
		Selected: 10, Assessed: 2, Transformed: 1, Meeting: 3, Below: 5, NoData: 1, Passing: 4, HasPass: true, PassRate: 40, PassNeeded: 6,
		AllTransformed: 8, Relapsed: 2, Stable: 6, HasStable: true, StableRate: 75, StableNeeded: 7}}
	stable := proj
	stable.Target = finding.StableTarget

	for _, c := range []struct {
		kind  finding.AlertKind
		state finding.State
		v     any
	}{
		{finding.AlertDeadline, finding.DeadlineState(rules.DeadlineOverdue), dl},
		{finding.AlertDeadline, finding.DeadlineState(rules.DeadlineUpcoming), dl},
		{finding.AlertDeadline, finding.DeadlineState(rules.DeadlineDue), dl},
		{finding.AlertEscalation, finding.DeadlineState(rules.DeadlineEscalated), dl},
		{finding.AlertProposal, finding.DeadlineState(rules.DeadlineOverdue), pd},
		{finding.AlertProposalEscalation, finding.DeadlineState(rules.DeadlineEscalated), pd},
		{finding.AlertRelapse, finding.Relapsed, rel},
		{finding.AlertAtRisk, finding.CycleAtRisk, area},
		{finding.AlertAtRisk, finding.CycleAtRisk, carried},
		{finding.AlertProjection, finding.ProjectionBelow, proj},
		{finding.AlertProjection, finding.ProjectionBelow, stable},
	} {
		// Open, and closed as its finding settles it, since a closed line
		// shows other fields (the day the report arrived, the verdict).
		for _, a := range []store.Alert{
			{Committee: "D03", Key: string(c.kind) + "/k", Kind: c.kind, State: c.state, Open: true},
			{Committee: "D03", Key: string(c.kind) + "/k", Kind: c.kind, State: closingState(c.kind), Open: false},
		} {
			base := payload(t, c.v)
			a.Payload = base
			want, err := item(dir, a, true)
			if err != nil {
				t.Fatal(err)
			}
			shown := 0
			for path, mutated := range mutations(t, c.v) {
				a.Payload = mutated
				got, err := item(dir, a, true)
				if err != nil {
					t.Fatalf("%s %s: %v", c.kind, path, err)
				}
				if got == want {
					continue
				}
				shown++
				if finding.Same(c.kind, base, mutated) {
					t.Errorf("%s alert (open %v): the digest shows %s, but finding.Same ignores it", c.kind, a.Open, path)
				}
			}
			if shown == 0 {
				t.Errorf("%s alert (open %v): no field changed the digest line; the test checks nothing", c.kind, a.Open)
			}
		}
	}
}

// closingState is a state that closes an alert of kind k with the payload
// kept (rather than finding.Resolved, which shows no numbers).
func closingState(k finding.AlertKind) finding.State {
	switch k {
	case finding.AlertDeadline, finding.AlertEscalation, finding.AlertProposal, finding.AlertProposalEscalation:
		return finding.DeadlineState(rules.DeadlineSubmittedLate)
	case finding.AlertRelapse:
		return finding.Normal
	case finding.AlertAtRisk:
		return finding.CycleAssessed
	case finding.AlertProjection:
		return finding.ProjectionMet
	}
	return finding.Resolved
}

// mutations returns v's JSON with one leaf field changed, by the field's
// path: a flag flipped, a number or a day moved on, a text lengthened.
func mutations(t *testing.T, v any) map[string]json.RawMessage {
	t.Helper()
	out := map[string]json.RawMessage{}
	// change stores v with the field that at reaches changed by m.
	change := func(path string, at func(reflect.Value) reflect.Value, m func(reflect.Value)) {
		// A fresh deep copy per change, so slices are not shared with v.
		cp := reflect.New(reflect.TypeOf(v))
		if err := json.Unmarshal(payload(t, v), cp.Interface()); err != nil {
			t.Fatal(err)
		}
		m(at(cp.Elem()))
		out[path] = payload(t, cp.Elem().Interface())
	}
	var walk func(path string, x reflect.Value, at func(reflect.Value) reflect.Value)
	walk = func(path string, x reflect.Value, at func(reflect.Value) reflect.Value) {
		switch {
		case x.Type() == reflect.TypeFor[time.Time]():
			change(path, at, func(f reflect.Value) { f.Set(reflect.ValueOf(f.Interface().(time.Time).AddDate(0, 0, 1))) })
		case x.Kind() == reflect.Struct:
			for i := range x.NumField() {
				if sf := x.Type().Field(i); sf.IsExported() {
					walk(path+"."+sf.Name, x.Field(i), func(r reflect.Value) reflect.Value { return at(r).Field(i) })
				}
			}
		case x.Kind() == reflect.Slice || x.Kind() == reflect.Array:
			for i := range x.Len() {
				walk(fmt.Sprintf("%s[%d]", path, i), x.Index(i), func(r reflect.Value) reflect.Value { return at(r).Index(i) })
			}
		case x.Kind() == reflect.Bool:
			change(path, at, func(f reflect.Value) { f.SetBool(!f.Bool()) })
		case x.CanInt():
			change(path, at, func(f reflect.Value) { f.SetInt(f.Int() + 1) })
		case x.CanFloat():
			change(path, at, func(f reflect.Value) { f.SetFloat(f.Float() + 0.5) })
		case x.Kind() == reflect.String:
			change(path, at, func(f reflect.Value) { f.SetString(f.String() + "x") })
		default:
			t.Fatalf("%s: cannot change a %s", path, x.Type())
		}
	}
	walk("", reflect.ValueOf(v), func(r reflect.Value) reflect.Value { return r })
	return out
}

// reconcile rewrites an open alert when its state or something the digest
// shows changed, and leaves it alone when only a field nobody reads did.
func TestReconcileComparesWhatMatters(t *testing.T) {
	now := time.Date(2026, 11, 25, 7, 0, 0, 0, time.UTC)
	dl := rules.Deadline{Committee: rules.DistrictCommittee("D03"), Period: "2026", Due: period.Date(2026, 11, 20), State: rules.DeadlineOverdue, DaysLate: 5}
	stored := store.Alert{Committee: "D03", Key: "deadline/k", Kind: finding.AlertDeadline, State: finding.DeadlineState(dl.State),
		Open: true, Payload: payload(t, dl), OpenedAt: now.Add(-24 * time.Hour), UpdatedAt: now.Add(-24 * time.Hour), NotifiedState: finding.DeadlineState(dl.State)}
	withNewField := func(b json.RawMessage) json.RawMessage {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		m["AddedLater"] = true
		return payload(t, m)
	}
	later := dl
	later.DaysLate = 6
	for _, c := range []struct {
		name    string
		payload json.RawMessage
		state   finding.State
		changed bool
	}{
		{"same payload", payload(t, dl), stored.State, false},
		{"a field the digest does not know", withNewField(payload(t, dl)), stored.State, false},
		{"one more day late", payload(t, later), stored.State, true},
		{"escalated", payload(t, dl), finding.DeadlineState(rules.DeadlineEscalated), true},
	} {
		found := []store.Alert{{Committee: "D03", Key: "deadline/k", Kind: finding.AlertDeadline, State: c.state, Payload: c.payload}}
		got := reconcile(now, finding.JobDeadlines.Manages(), found, nil, []store.Alert{stored})
		if (len(got) == 1) != c.changed || len(got) > 1 {
			t.Errorf("%s: reconcile changed %d alerts, want changed %v", c.name, len(got), c.changed)
			continue
		}
		if c.changed && (string(got[0].Payload) != string(c.payload) || got[0].State != c.state || !got[0].UpdatedAt.Equal(now) || !got[0].OpenedAt.Equal(stored.OpenedAt)) {
			t.Errorf("%s: reconciled to %+v", c.name, got[0])
		}
	}
}
