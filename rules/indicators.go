package rules

// CaseCounts are one area's case-handling statistics summed over a window:
// what the assessment indicators (tiêu chí chuyển hóa đạt) are computed
// from. Rows counts the statistics rows summed; 0 means the province has
// no such data for the area in the window.
type CaseCounts struct {
	Crimes, Detected                int // crimes recorded; of them detected (điều tra, khám phá)
	SeriousCrimes, SeriousDetected  int // very serious and especially serious crimes
	ReportsReceived, ReportsHandled int // crime reports and denunciations (tố giác, tin báo)
	Released, Reoffended            int // people back from prison; of them re-offending
	Rows                            int
}

// Add sums two counts.
func (c CaseCounts) Add(o CaseCounts) CaseCounts {
	return CaseCounts{
		Crimes: c.Crimes + o.Crimes, Detected: c.Detected + o.Detected,
		SeriousCrimes: c.SeriousCrimes + o.SeriousCrimes, SeriousDetected: c.SeriousDetected + o.SeriousDetected,
		ReportsReceived: c.ReportsReceived + o.ReportsReceived, ReportsHandled: c.ReportsHandled + o.ReportsHandled,
		Released: c.Released + o.Released, Reoffended: c.Reoffended + o.Reoffended,
		Rows: c.Rows + o.Rows,
	}
}

// IndicatorParams are the thresholds of the assessment indicators, in
// percent: Decision 1960/QĐ-BCA-C41 sets 80, 95 and 100; some districts add
// re-offending below 15.
type IndicatorParams struct {
	DetectionPercent        int // detected ÷ crimes ≥ this
	SeriousDetectionPercent int // serious detected ÷ serious crimes ≥ this
	ReportsHandledPercent   int // reports handled ÷ received ≥ this
	ReoffendingBelowPercent int // re-offending ÷ released < this
}

// IndicatorCode names one assessment indicator.
type IndicatorCode string

// The indicators, in the order results list them.
const (
	IndDetection        IndicatorCode = "detection"
	IndSeriousDetection IndicatorCode = "serious_detection"
	IndReportsHandled   IndicatorCode = "reports_handled"
	IndReoffending      IndicatorCode = "reoffending"
)

// Indicator is one indicator measured against its threshold.
type Indicator struct {
	Code     IndicatorCode
	Num, Den int
	Percent  int
	// Below marks a ceiling (re-offending must stay strictly below
	// Percent); the others are floors (at least Percent).
	Below bool
	// Applicable is false when Den is 0 (no serious crime, nobody
	// released…): there is nothing to miss, so the indicator is met.
	Applicable bool
	Rate       float64 // Num×100÷Den; 0 when not applicable
	Met        bool
	// Short is how far the area is from the threshold in cases: for a
	// floor, how many more of Num would meet it; for a ceiling, how many
	// fewer. 0 when met.
	Short int
}

// IndicatorResult is one area's indicators over a window.
type IndicatorResult struct {
	HasData    bool // Counts.Rows > 0
	Counts     CaseCounts
	Indicators []Indicator // IndDetection, IndSeriousDetection, IndReportsHandled, IndReoffending
	// Met is true when there is data and every applicable indicator is met.
	Met bool
}

// Failing lists the indicators not met.
func (r IndicatorResult) Failing() []Indicator {
	var out []Indicator
	for _, in := range r.Indicators {
		if !in.Met {
			out = append(out, in)
		}
	}
	return out
}

// AssessIndicators measures c against p in integer arithmetic, so that
// exactly 80% meets "at least 80%" and exactly 15% misses "below 15%".
func AssessIndicators(p IndicatorParams, c CaseCounts) IndicatorResult {
	r := IndicatorResult{HasData: c.Rows > 0, Counts: c}
	r.Indicators = []Indicator{
		atLeast(IndDetection, c.Detected, c.Crimes, p.DetectionPercent),
		atLeast(IndSeriousDetection, c.SeriousDetected, c.SeriousCrimes, p.SeriousDetectionPercent),
		atLeast(IndReportsHandled, c.ReportsHandled, c.ReportsReceived, p.ReportsHandledPercent),
		under(IndReoffending, c.Reoffended, c.Released, p.ReoffendingBelowPercent),
	}
	r.Met = r.HasData
	for _, in := range r.Indicators {
		r.Met = r.Met && in.Met
	}
	return r
}

// atLeast: num/den ≥ pct%, i.e. num×100 ≥ pct×den. The smallest num that
// meets it is ceil(pct×den/100).
func atLeast(code IndicatorCode, num, den, pct int) Indicator {
	in := Indicator{Code: code, Num: num, Den: den, Percent: pct, Applicable: den > 0, Met: true}
	if !in.Applicable {
		return in
	}
	in.Rate = float64(num) * 100 / float64(den)
	in.Met = num*100 >= pct*den
	in.Short = max(0, ceilDiv(pct*den, 100)-num)
	return in
}

// under: num/den < pct%, i.e. num×100 < pct×den. The largest num that
// meets it is ceil(pct×den/100) − 1.
func under(code IndicatorCode, num, den, pct int) Indicator {
	in := Indicator{Code: code, Num: num, Den: den, Percent: pct, Below: true, Applicable: den > 0, Met: true}
	if !in.Applicable {
		return in
	}
	in.Rate = float64(num) * 100 / float64(den)
	in.Met = num*100 < pct*den
	in.Short = max(0, num-(ceilDiv(pct*den, 100)-1))
	return in
}

// ceilDiv is ⌈a/b⌉ for a ≥ 0, b > 0.
func ceilDiv(a, b int) int { return (a + b - 1) / b }
