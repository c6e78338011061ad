package rules

import (
	"fmt"
	"testing"
)

// yearData selects n units u1..un for year and assesses the first
// transformed of them as transformed and the next failed as not.
func yearData(year, n, transformed, failed int) ([]Selection, []Assessment) {
	var sel []Selection
	var as []Assessment
	for i := 1; i <= n; i++ {
		u := fmt.Sprintf("u%d", i)
		sel = append(sel, Selection{Year: year, Unit: u, Category: Cat1, DecidedOn: day(year, 3, 1)})
		switch {
		case i <= transformed:
			as = append(as, Assessment{Year: year, Unit: u, Transformed: true, AssessedOn: day(year+1, 1, 15)})
		case i <= transformed+failed:
			as = append(as, Assessment{Year: year, Unit: u, Transformed: false, AssessedOn: day(year+1, 1, 15)})
		}
	}
	return sel, as
}

func relapsedUnits(year int, us ...string) map[AreaKey]bool {
	m := map[AreaKey]bool{}
	for _, u := range us {
		m[AreaKey{Unit: u, Year: year}] = true
	}
	return m
}

func TestYearProgress(t *testing.T) {
	tp := TargetParams{TransformedPercent: 60, StablePercent: 85}
	type data struct {
		sel      []Selection
		as       []Assessment
		relapsed map[AreaKey]bool
	}
	mk := func(n, tr, failed int, relapsed ...string) data {
		s, a := yearData(2026, n, tr, failed)
		return data{s, a, relapsedUnits(2026, relapsed...)}
	}
	// Noise that must not count for 2026: another year's selection,
	// assessment and relapse, an assessment of an unselected unit, and a
	// relapse mark on a unit that was not transformed (u6 failed).
	noisy := mk(7, 5, 1, "u2")
	noisy.sel = append(noisy.sel, Selection{Year: 2025, Unit: "old", Category: Cat1})
	noisy.as = append(noisy.as,
		Assessment{Year: 2025, Unit: "old", Transformed: true},
		Assessment{Year: 2026, Unit: "stray", Transformed: true},
	)
	noisy.relapsed[AreaKey{Unit: "old", Year: 2025}] = true
	noisy.relapsed[AreaKey{Unit: "u3", Year: 2025}] = true
	noisy.relapsed[AreaKey{Unit: "u6", Year: 2026}] = true

	for _, tc := range []struct {
		name string
		d    data
		want Progress
	}{
		{
			// 7 selected, 5 transformed, 1 not, 1 not assessed yet.
			// Transformed: 5*100 = 500 >= 60*7 = 420, met; rate 500/7 =
			// 71.43%; needed ceil(420/100) = ceil(4.2) = 5.
			// Stable: 5 - 1 relapsed = 4; 4*100 = 400 < 85*5 = 425, not
			// met; rate 4/5 = 80%; needed ceil(425/100) = ceil(4.25) = 5.
			name: "7 selected, 5 transformed, 1 relapsed",
			d:    noisy,
			want: Progress{Year: 2026, Selected: 7, Assessed: 6, Transformed: 5, Relapsed: 1, Stable: 4,
				TransformedRate: 500.0 / 7, StableRate: 80, TransformedNeeded: 5, StableNeeded: 5,
				TransformedMet: true, StableMet: false, HasSelected: true, HasTransformed: true},
		},
		{
			// Exactly 60%: 3*100 = 300 >= 60*5 = 300; needed ceil(3.0) = 3.
			// Stable 3/3: 300 >= 85*3 = 255; needed ceil(2.55) = 3.
			name: "exactly 60%",
			d:    mk(5, 3, 2),
			want: Progress{Year: 2026, Selected: 5, Assessed: 5, Transformed: 3, Stable: 3,
				TransformedRate: 60, StableRate: 100, TransformedNeeded: 3, StableNeeded: 3,
				TransformedMet: true, StableMet: true, HasSelected: true, HasTransformed: true},
		},
		{
			// 2*100 = 200 < 300: not met; 40%; still 3 needed.
			// Stable 2/2: 200 >= 170; needed ceil(1.7) = 2.
			name: "just below 60%",
			d:    mk(5, 2, 3),
			want: Progress{Year: 2026, Selected: 5, Assessed: 5, Transformed: 2, Stable: 2,
				TransformedRate: 40, StableRate: 100, TransformedNeeded: 3, StableNeeded: 2,
				TransformedMet: false, StableMet: true, HasSelected: true, HasTransformed: true},
		},
		{
			// 20 of 20 transformed, 3 relapsed: stable 17, 1700 >= 85*20 =
			// 1700, met at exactly 85%; needed 17. Transformed needed
			// ceil(1200/100) = 12.
			name: "exactly 85%",
			d:    mk(20, 20, 0, "u1", "u2", "u3"),
			want: Progress{Year: 2026, Selected: 20, Assessed: 20, Transformed: 20, Relapsed: 3, Stable: 17,
				TransformedRate: 100, StableRate: 85, TransformedNeeded: 12, StableNeeded: 17,
				TransformedMet: true, StableMet: true, HasSelected: true, HasTransformed: true},
		},
		{
			// Nothing selected: no denominators, nothing met, nothing needed.
			name: "no selection",
			d:    data{},
			want: Progress{Year: 2026},
		},
		{
			// 3 selected, 2 failed, none transformed: needed ceil(180/100)
			// = 2; no stable denominator.
			name: "none transformed",
			d:    mk(3, 0, 2),
			want: Progress{Year: 2026, Selected: 3, Assessed: 2, TransformedNeeded: 2, HasSelected: true},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := YearProgress(tp, 2026, tc.d.sel, tc.d.as, tc.d.relapsed)
			w := tc.want
			if !near(got.TransformedRate, w.TransformedRate) || !near(got.StableRate, w.StableRate) {
				t.Errorf("rates %v %v, want %v %v", got.TransformedRate, got.StableRate, w.TransformedRate, w.StableRate)
			}
			got.TransformedRate, got.StableRate = w.TransformedRate, w.StableRate
			if got != w {
				t.Errorf("\n got %+v\nwant %+v", got, w)
			}
		})
	}
}

// A unit assessed twice counts once, by its latest verdict.
func TestYearProgressLatestVerdict(t *testing.T) {
	sel := []Selection{{Year: 2026, Unit: "a"}, {Year: 2026, Unit: "b"}}
	as := []Assessment{
		{Year: 2026, Unit: "a", Transformed: false, AssessedOn: day(2026, 12, 1)},
		{Year: 2026, Unit: "a", Transformed: true, AssessedOn: day(2027, 1, 15)},
		{Year: 2026, Unit: "b", Transformed: true, AssessedOn: day(2027, 1, 15)},
		{Year: 2026, Unit: "b", Transformed: false, AssessedOn: day(2027, 1, 10)},
	}
	p := YearProgress(TargetParams{TransformedPercent: 60, StablePercent: 85}, 2026, sel, as, nil)
	// 2 of 2: 200 >= 120.
	if p.Assessed != 2 || p.Transformed != 2 || !p.TransformedMet {
		t.Errorf("%+v: want 2 assessed, 2 transformed, met", p)
	}
}
