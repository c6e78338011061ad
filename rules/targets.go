package rules

// TargetParams are the yearly targets of plan 67, I.3, in percent.
type TargetParams struct {
	TransformedPercent int // 60: share of the selected areas to transform
	StablePercent      int // 85: share of the transformed that must not relapse
}

// Progress is one selection year measured against the targets.
type Progress struct {
	Year int
	// Selected counts the year's selections; Assessed and Transformed count
	// assessments of selected units only, since the target is a share of
	// the areas selected for the year. Relapsed counts the transformed of
	// that year found relapsed; Stable = Transformed - Relapsed.
	Selected, Assessed, Transformed, Relapsed, Stable int
	// Rates are in percent (0–100): Transformed/Selected and
	// Stable/Transformed; 0 when the denominator is 0.
	TransformedRate, StableRate float64
	// Needed is ceil(pct*denominator/100) in integer arithmetic.
	TransformedNeeded, StableNeeded int
	// Met is count*100 >= pct*denominator; false when the denominator is 0.
	TransformedMet, StableMet   bool
	HasSelected, HasTransformed bool
}

// YearProgress measures year against the targets. relapsed marks areas
// that have relapsed (at any check since their transformation: a relapse
// counts against the 85% target even after the area returns to normal).
// A unit selected or assessed twice for the same year counts once.
func YearProgress(p TargetParams, year int, sel []Selection, as []Assessment, relapsed map[AreaKey]bool) Progress {
	pr := Progress{Year: year}
	selected := map[string]bool{}
	for _, s := range sel {
		if s.Year == year {
			selected[s.Unit] = true
		}
	}
	// The latest verdict per unit stands; input order breaks a tie.
	verdict := map[string]Assessment{}
	for _, a := range as {
		if a.Year != year || !selected[a.Unit] {
			continue
		}
		if prev, ok := verdict[a.Unit]; ok && a.AssessedOn.Before(prev.AssessedOn) {
			continue
		}
		verdict[a.Unit] = a
	}
	pr.Selected = len(selected)
	pr.Assessed = len(verdict)
	for u, a := range verdict {
		if !a.Transformed {
			continue
		}
		pr.Transformed++
		if relapsed[AreaKey{Unit: u, Year: year}] {
			pr.Relapsed++
		}
	}
	pr.Stable = pr.Transformed - pr.Relapsed
	pr.HasSelected = pr.Selected > 0
	pr.HasTransformed = pr.Transformed > 0

	pr.TransformedRate, pr.TransformedNeeded, pr.TransformedMet = target(pr.Transformed, pr.Selected, p.TransformedPercent)
	pr.StableRate, pr.StableNeeded, pr.StableMet = target(pr.Stable, pr.Transformed, p.StablePercent)
	return pr
}

// target measures count out of den against pct in integer arithmetic, so
// exactly 60% is met and never misses by a rounding error.
func target(count, den, pct int) (rate float64, needed int, met bool) {
	if den <= 0 {
		return 0, 0, false
	}
	rate = float64(count) * 100 / float64(den)
	needed = (pct*den + 99) / 100
	met = count*100 >= pct*den
	return rate, needed, met
}
