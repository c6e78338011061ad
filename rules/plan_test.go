package rules

import (
	"reflect"
	"testing"
)

// A plan period across the merger, by hand (the province of
// storetest.ReformProvince): 2023 A1 and B2 selected and both transformed,
// A1's area found relapsed after the merger as X; 2025 A2 and B1 selected,
// both not transformed, A2's verdict recorded on its new code X. On
// 25/01/2026 A1 and A2 are X, B1 is Y, B2 is Z.
//
//	2023: 2 selected, 2 transformed (100% ≥ 60%), 1 relapsed: 1 of 2
//	      stable = 50% < 85% (needs 2)
//	2024: nothing (no failure carried over)
//	2025: 2 selected, 0 transformed (0% < 60%, needs 2)
//	period: 2 of 4 = 50% < 60% (needs ⌈2.4⌉ = 3); 1 of 2 stable = 50%
//	areas: A1 relapsed, A2 and B1 not transformed, B2 stable
func TestPeriodAcrossTheMerger(t *testing.T) {
	sel := []Selection{
		{Year: 2023, Unit: "A1", Category: Cat1, DecidedOn: day(2023, 3, 1)}, {Year: 2023, Unit: "B2", Category: Cat1, DecidedOn: day(2023, 3, 1)},
		{Year: 2023, Unit: "B2", Category: Cat3, DecidedOn: day(2023, 3, 1)},
		{Year: 2025, Unit: "A2", Category: Cat4, DecidedOn: day(2025, 3, 1)}, {Year: 2025, Unit: "B1", Category: Cat1, DecidedOn: day(2025, 3, 1)},
	}
	as := []Assessment{
		{Year: 2023, Unit: "A1", Transformed: true, AssessedOn: day(2024, 1, 15)}, {Year: 2023, Unit: "B2", Transformed: true, AssessedOn: day(2024, 1, 15)},
		{Year: 2025, Unit: "X", Transformed: false, AssessedOn: day(2026, 1, 20)}, {Year: 2025, Unit: "B1", Transformed: false, AssessedOn: day(2026, 1, 20)},
	}
	now := map[string]string{"A1": "X", "A2": "X", "B1": "Y", "B2": "Z"}
	as2, relapsed := AsDecided(sel, as, map[AreaKey]bool{{Unit: "X", Year: 2023}: true}, func(c string) string { return now[c] })
	if !relapsed[AreaKey{Unit: "A1", Year: 2023}] || relapsed[AreaKey{Unit: "B2", Year: 2023}] {
		t.Errorf("relapse marks as recorded: %v, want A1/2023 and not B2/2023", relapsed)
	}
	p := CycleParams{Targets: TargetParams{TransformedPercent: 60, StablePercent: 85}}
	per := PeriodOf(p, 2021, 2025, day(2026, 1, 25), sel, as2, relapsed)

	type year struct{ selected, transformed, relapsed, carried int }
	var got []year
	for _, y := range per.Years {
		got = append(got, year{y.Selected.Areas, y.Selected.Transformed, y.Selected.Relapsed, y.Carried.Areas})
	}
	if want := []year{{}, {}, {2, 2, 1, 0}, {}, {2, 0, 0, 0}}; !reflect.DeepEqual(got, want) {
		t.Errorf("years %v, want %v", got, want)
	}
	y23 := per.Years[2]
	if !y23.TransformedMet || y23.StableMet || y23.StableRate != 50 || y23.StableNeeded != 2 || y23.ByCategory[1] != 2 || y23.ByCategory[3] != 1 || y23.Several != 1 {
		t.Errorf("2023: %+v", y23)
	}
	if y25 := per.Years[4]; y25.TransformedMet || y25.TransformedNeeded != 2 || !y25.AllAssessed() {
		t.Errorf("2025: %+v", y25)
	}
	if per.Selected.Areas != 4 || per.Selected.Transformed != 2 || per.TransformedRate != 50 || per.TransformedNeeded != 3 || per.TransformedMet ||
		per.StableRate != 50 || per.StableMet || per.ByCategory[1] != 3 || per.ByCategory[4] != 1 {
		t.Errorf("period: %+v", per)
	}
	var outcomes []string
	for _, a := range per.Areas {
		outcomes = append(outcomes, a.Unit+" "+string(a.Outcome))
	}
	if want := []string{"A1 relapsed", "A2 not_transformed", "B1 not_transformed", "B2 stable"}; !reflect.DeepEqual(outcomes, want) {
		t.Errorf("areas %v, want %v", outcomes, want)
	}
	if b2 := per.Areas[3]; b2.TransformedYear != 2023 || !reflect.DeepEqual(b2.Categories, []Category{Cat1, Cat3}) {
		t.Errorf("B2: %+v", b2)
	}

	// Before the verdicts of 2025 (01/12/2025) the relapse is not yet known
	// either (it is what the caller's marks say), and 2025 is pending.
	early := PeriodOf(p, 2021, 2025, day(2025, 12, 1), sel, as2, map[AreaKey]bool{})
	if a2 := early.Areas[1]; a2.Outcome != PeriodPending || early.Years[4].AllAssessed() || early.Years[4].Selected.Assessed != 0 {
		t.Errorf("on 01/12/2025: A2 %+v, 2025 %+v", a2, early.Years[4].Selected)
	}
}
