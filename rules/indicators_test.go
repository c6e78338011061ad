package rules

import (
	"math"
	"testing"
)

var plan1960 = IndicatorParams{DetectionPercent: 80, SeriousDetectionPercent: 95, ReportsHandledPercent: 100, ReoffendingBelowPercent: 15}

func TestIndicatorsEach(t *testing.T) {
	type want struct {
		applicable, met bool
		rate            float64
		short           int
	}
	for _, tc := range []struct {
		name string
		c    CaseCounts
		code IndicatorCode
		want want
	}{
		// Detection ≥ 80%: 16/20 = 80% exactly meets (1600 ≥ 1600).
		{"detection exactly 80%", CaseCounts{Crimes: 20, Detected: 16, Rows: 1}, IndDetection, want{true, true, 80, 0}},
		// 15/20 = 75%: needs ⌈80×20/100⌉ = 16, one short.
		{"detection 75%", CaseCounts{Crimes: 20, Detected: 15, Rows: 1}, IndDetection, want{true, false, 75, 1}},
		// 7/9 = 77.8%: needs ⌈720/100⌉ = ⌈7.2⌉ = 8, one short.
		{"detection 7 of 9", CaseCounts{Crimes: 9, Detected: 7, Rows: 1}, IndDetection, want{true, false, 700.0 / 9, 1}},
		// No crime: nothing to detect, met.
		{"detection no crime", CaseCounts{Rows: 1}, IndDetection, want{false, true, 0, 0}},
		// Serious ≥ 95%: 19/20 = 95% meets (1900 ≥ 1900).
		{"serious 19 of 20", CaseCounts{SeriousCrimes: 20, SeriousDetected: 19, Rows: 1}, IndSeriousDetection, want{true, true, 95, 0}},
		// 3/4 = 75%: needs ⌈95×4/100⌉ = ⌈3.8⌉ = 4, one short.
		{"serious 3 of 4", CaseCounts{SeriousCrimes: 4, SeriousDetected: 3, Rows: 1}, IndSeriousDetection, want{true, false, 75, 1}},
		// 1/2 = 50%: needs ⌈1.9⌉ = 2, one short; with one serious crime the
		// only way to meet 95% is to detect it.
		{"serious 1 of 2", CaseCounts{SeriousCrimes: 2, SeriousDetected: 1, Rows: 1}, IndSeriousDetection, want{true, false, 50, 1}},
		// Reports handled 100%: 41/42 misses (4100 < 4200), one short.
		{"reports 41 of 42", CaseCounts{ReportsReceived: 42, ReportsHandled: 41, Rows: 1}, IndReportsHandled, want{true, false, 4100.0 / 42, 1}},
		{"reports all handled", CaseCounts{ReportsReceived: 42, ReportsHandled: 42, Rows: 1}, IndReportsHandled, want{true, true, 100, 0}},
		// Re-offending < 15%: 3/20 = 15% exactly misses (300 < 300 false);
		// at most ⌈15×20/100⌉−1 = 2 may re-offend, one too many.
		{"reoffending exactly 15%", CaseCounts{Released: 20, Reoffended: 3, Rows: 1}, IndReoffending, want{true, false, 15, 1}},
		{"reoffending 10%", CaseCounts{Released: 20, Reoffended: 2, Rows: 1}, IndReoffending, want{true, true, 10, 0}},
		// 1/7 = 14.3% < 15% meets (100 < 105); 2/7 = 28.6% misses: at most
		// ⌈1.05⌉−1 = 1, one too many.
		{"reoffending 1 of 7", CaseCounts{Released: 7, Reoffended: 1, Rows: 1}, IndReoffending, want{true, true, 100.0 / 7, 0}},
		{"reoffending 2 of 7", CaseCounts{Released: 7, Reoffended: 2, Rows: 1}, IndReoffending, want{true, false, 200.0 / 7, 1}},
		// Nobody released: met.
		{"reoffending nobody released", CaseCounts{Rows: 1}, IndReoffending, want{false, true, 0, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := AssessIndicators(plan1960, tc.c)
			var got *Indicator
			for i := range r.Indicators {
				if r.Indicators[i].Code == tc.code {
					got = &r.Indicators[i]
				}
			}
			if got == nil {
				t.Fatalf("no indicator %s in %+v", tc.code, r.Indicators)
			}
			if got.Applicable != tc.want.applicable || got.Met != tc.want.met || math.Abs(got.Rate-tc.want.rate) > 1e-9 || got.Short != tc.want.short {
				t.Errorf("%s = %+v, want applicable %v met %v rate %.4f short %d", tc.code, *got, tc.want.applicable, tc.want.met, tc.want.rate, tc.want.short)
			}
		})
	}
}

func TestIndicatorsOverall(t *testing.T) {
	// An area over six months: 30 crimes, 25 detected (83.3% ≥ 80);
	// 2 serious, both detected (100% ≥ 95); 40 reports, 40 handled; 5
	// released, none re-offending. Every indicator met.
	good := CaseCounts{Crimes: 30, Detected: 25, SeriousCrimes: 2, SeriousDetected: 2, ReportsReceived: 40, ReportsHandled: 40, Released: 5, Rows: 6}
	r := AssessIndicators(plan1960, good)
	if !r.HasData || !r.Met || len(r.Failing()) != 0 || len(r.Indicators) != 4 {
		t.Errorf("good area: %+v", r)
	}
	// Same with 23 detected (76.7%) and one report pending: two failing,
	// in the fixed order.
	bad := good
	bad.Detected, bad.ReportsHandled = 23, 39
	r = AssessIndicators(plan1960, bad)
	f := r.Failing()
	if r.Met || len(f) != 2 || f[0].Code != IndDetection || f[1].Code != IndReportsHandled || f[0].Short != 1 {
		t.Errorf("bad area: met %v failing %+v", r.Met, f)
	}
	// No rows: nothing can be said, so not met, though nothing fails.
	r = AssessIndicators(plan1960, CaseCounts{})
	if r.HasData || r.Met || len(r.Failing()) != 0 {
		t.Errorf("no data: %+v", r)
	}
	// Sums add field by field.
	if s := good.Add(bad); s.Crimes != 60 || s.Detected != 48 || s.ReportsHandled != 79 || s.Rows != 12 {
		t.Errorf("Add = %+v", s)
	}
}
