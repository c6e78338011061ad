package rules

import (
	"reflect"
	"testing"
	"time"
)

// A decision measured against the plan's rules, by hand. Ten communes
// without districts, reference counts U01 8, U02 6, U03 4, U04 1, the rest
// 0: province average 19/10 = 1.9, cap floor(10 × 15%) = 1. U03 is
// certified new-rural (13/05/2024). The committee selects U01, U02 (in
// categories 1 and 4), U03 and U04 by decision 12/QĐ-BCĐ of 01/03/2026,
// and the unknown ZZ by 15/QĐ-BCĐ of 01/04/2026: five areas, four beyond
// the cap; U03 departs from the exclusion, U04 (1 ≤ 1.9) from the gate,
// ZZ is no commune.
func TestCheckDecision(t *testing.T) {
	counts := map[string]Counts{"U01": {SocialOrder: 8}, "U02": {SocialOrder: 6}, "U03": {SocialOrder: 4}, "U04": {SocialOrder: 1}}
	var units []Unit
	for _, c := range []string{"U01", "U02", "U03", "U04", "U05", "U06", "U07", "U08", "U09", "U10"} {
		u := Unit{Code: c, Name: "Xã " + c, Kind: "xa"}
		if c == "U03" {
			u.NTMCertifiedOn = day(2024, 5, 13)
		}
		units = append(units, u)
	}
	prop := Propose(SelectionParams{Year: 2026, AsOf: day(2026, 3, 1), CapPercent: 15, NTMRule: NTMAlways}, units, counts)
	dec := func(unit string, c Category, number, signer string, m, d int) Selection {
		return Selection{Year: 2026, Unit: unit, Category: c, DecidedOn: day(2026, time.Month(m), d), Number: number, Signer: signer}
	}
	sel := []Selection{
		dec("U01", Cat1, "12/QĐ-BCĐ", "Nguyễn Văn A", 3, 1), dec("U02", Cat1, "12/QĐ-BCĐ", "Nguyễn Văn A", 3, 1),
		dec("U02", Cat4, "12/QĐ-BCĐ", "", 3, 1), dec("U03", Cat1, "12/QĐ-BCĐ", "", 3, 1), dec("U04", Cat2, "12/QĐ-BCĐ", "", 3, 1),
		dec("ZZ", Cat1, "15/QĐ-BCĐ", "Trần Thị B", 4, 1),
		{Year: 2025, Unit: "U05", Category: Cat1, DecidedOn: day(2025, 3, 1)}, // another year: not counted
	}
	got, ok := CheckDecision(prop, 15, sel)
	if !ok {
		t.Fatal("no decision found for 2026")
	}
	wantDocs := []DecisionRecord{
		{Number: "12/QĐ-BCĐ", DecidedOn: day(2026, 3, 1), Signer: "Nguyễn Văn A", Areas: 4},
		{Number: "15/QĐ-BCĐ", DecidedOn: day(2026, 4, 1), Signer: "Trần Thị B", Areas: 1},
	}
	if !reflect.DeepEqual(got.Decisions, wantDocs) {
		t.Errorf("decisions %+v, want %+v", got.Decisions, wantDocs)
	}
	if got.Areas != 5 || got.TotalUnits != 10 || got.Cap != 1 || got.OverCap != 4 || got.CapPercent != 15 || !got.Departs() {
		t.Errorf("cap: %d areas of %d units, cap %d, over %d; want 5 of 10, cap 1, over 4", got.Areas, got.TotalUnits, got.Cap, got.OverCap)
	}
	var rules []string
	for _, x := range got.Departures {
		rules = append(rules, x.Unit+" "+string(x.Rule))
	}
	if want := []string{"U03 ntm", "U04 gate", "ZZ unknown_unit"}; !reflect.DeepEqual(rules, want) {
		t.Errorf("departures %v, want %v", rules, want)
	}
	if g := got.Departures[1].Candidate; g.Counts.SocialOrder != 1 || g.ProvinceAvg != 1.9 || g.AboveProvince {
		t.Errorf("U04's numbers: %d vs %v (above %v), want 1 vs 1.9, not above", g.Counts.SocialOrder, g.ProvinceAvg, g.AboveProvince)
	}

	// Within the cap and the rules: U01 alone departs from nothing.
	ok1, _ := CheckDecision(prop, 15, sel[:1])
	if ok1.Departs() || ok1.Areas != 1 {
		t.Errorf("U01 alone: %+v, want no departure", ok1)
	}
	if _, ok := CheckDecision(prop, 15, sel[6:]); ok {
		t.Error("a decision found for 2026 among 2025's selections")
	}
}
