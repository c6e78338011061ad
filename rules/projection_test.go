package rules

import (
	"math"
	"testing"
	"time"
)

func TestProjectPass(t *testing.T) {
	sel, as, relapsed := cycleData()
	p := CycleParams{Targets: targets6085}
	met := IndicatorResult{HasData: true, Met: true}
	below := IndicatorResult{HasData: true, Met: false}
	for _, tc := range []struct {
		name string
		on   time.Time
		ind  map[string]IndicatorResult
		// expected
		passing, selected, needed int
		meeting, below, noData    int
		has, met                  bool
	}{
		// 30/11/2026: 5 selected (f..j), no verdicts. f g h meet, i below, j
		// no data; b and e (carried over) do not count even when meeting.
		// Passing 3 of 5 = 60% ≥ 60% (300 ≥ 300): met, needed ⌈3⌉ = 3.
		{"exactly 60%", day(2026, 11, 30),
			map[string]IndicatorResult{"f": met, "g": met, "h": met, "i": below, "b": met, "e": met},
			3, 5, 3, 3, 1, 1, true, true},
		// h below too: 2 of 5 = 40% < 60%.
		{"40%", day(2026, 11, 30),
			map[string]IndicatorResult{"f": met, "g": met, "h": below, "i": below},
			2, 5, 3, 2, 2, 1, true, false},
		// No data for any selected area and no verdict: nothing to project.
		{"no data", day(2026, 11, 30), map[string]IndicatorResult{"b": met},
			0, 5, 0, 0, 0, 5, false, false},
		// 31/01/2027: k decided (6 selected); verdicts f g h ✓ i ✗ replace
		// the indicators (i "met" is ignored); j meets, k has no data.
		// Passing 3 + 1 = 4 of 6 = 66.7% ≥ 60% (400 ≥ 360), needed ⌈3.6⌉ = 4.
		{"verdicts count", day(2027, 1, 31),
			map[string]IndicatorResult{"f": below, "i": met, "j": met},
			4, 6, 4, 1, 0, 1, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := YearCycleOf(p, 2026, tc.on, sel, as, relapsed)
			pr := Project(targets6085, c, tc.ind, TransformedAreas(sel, as), relapsed)
			if pr.Passing != tc.passing || pr.Selected != tc.selected || pr.Meeting != tc.meeting || pr.Below != tc.below ||
				pr.NoData != tc.noData || pr.HasPass != tc.has || pr.PassMet != tc.met || pr.PassNeeded != tc.needed {
				t.Errorf("projection %+v\nwant passing %d/%d needed %d, meeting %d below %d no data %d, has %v met %v",
					pr, tc.passing, tc.selected, tc.needed, tc.meeting, tc.below, tc.noData, tc.has, tc.met)
			}
			if tc.has && math.Abs(pr.PassRate-float64(tc.passing)*100/float64(tc.selected)) > 1e-9 {
				t.Errorf("rate %.4f", pr.PassRate)
			}
		})
	}
}

func TestProjectStable(t *testing.T) {
	sel, as, relapsed := cycleData()
	p := CycleParams{Targets: targets6085}
	areas := TransformedAreas(sel, as)
	for _, tc := range []struct {
		name             string
		on               time.Time
		relapsed         map[AreaKey]bool
		all, rel, needed int
		rate             float64
		met              bool
	}{
		// 30/11/2026: transformed so far a (10/01/2025), d and c
		// (12/01/2026) = 3; a relapsed → 2/3 = 66.7% < 85% (200 < 255),
		// needed ⌈2.55⌉ = 3.
		{"before the 2026 verdicts", day(2026, 11, 30), relapsed, 3, 1, 3, 200.0 / 3, false},
		// 31/01/2027: plus f g h b (15/01/2027) = 7; a and f relapsed → 5/7
		// = 71.4% < 85% (500 < 595), needed ⌈5.95⌉ = 6.
		{"after", day(2027, 1, 31), relapsed, 7, 2, 6, 500.0 / 7, false},
		// Without f's relapse: 6/7 = 85.7% ≥ 85% (600 ≥ 595).
		{"one relapse", day(2027, 1, 31), map[AreaKey]bool{{Unit: "a", Year: 2024}: true}, 7, 1, 6, 600.0 / 7, true},
		// A relapse mark on an area not transformed (i) or of another year
		// does not count.
		{"stray marks", day(2027, 1, 31), map[AreaKey]bool{{Unit: "i", Year: 2026}: true, {Unit: "a", Year: 2025}: true}, 7, 0, 6, 100, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := YearCycleOf(p, 2026, tc.on, sel, as, tc.relapsed)
			pr := Project(targets6085, c, nil, areas, tc.relapsed)
			if pr.AllTransformed != tc.all || pr.Relapsed != tc.rel || pr.Stable != tc.all-tc.rel || pr.StableNeeded != tc.needed ||
				pr.StableMet != tc.met || !pr.HasStable || math.Abs(pr.StableRate-tc.rate) > 1e-9 {
				t.Errorf("stable %+v\nwant %d transformed, %d relapsed, needed %d, rate %.2f, met %v", pr, tc.all, tc.rel, tc.needed, tc.rate, tc.met)
			}
		})
	}
	// Before any transformation there is nothing to project.
	pr := Project(targets6085, YearCycleOf(p, 2024, day(2024, 12, 1), sel, as, relapsed), nil, areas, relapsed)
	if pr.HasStable || pr.StableMet || pr.AllTransformed != 0 {
		t.Errorf("2024: %+v", pr)
	}
}
