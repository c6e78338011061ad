package rules

import "time"

// Projection estimates, on one day, where the yearly targets will land.
type Projection struct {
	Year int
	On   time.Time

	// The pass projection covers the areas selected for Year (carried-over
	// areas are not in the rate): an area with a verdict counts as its
	// verdict says; one without counts as passing when it meets every
	// indicator now, and as failing when it misses one or has no data.
	Selected              int
	Assessed, Transformed int // with a verdict
	Meeting, Below        int // without a verdict: meeting every indicator now, or not
	NoData                int // without a verdict or case statistics
	Passing               int // Transformed + Meeting
	// HasPass is false when no selected area has a verdict or indicator
	// data: then nothing can be projected.
	HasPass    bool
	PassRate   float64 // Passing ÷ Selected, percent
	PassNeeded int
	PassMet    bool

	// The stable projection covers every area recorded as transformed on or
	// before On, of any year: the share not found relapsed at any check.
	AllTransformed int
	Relapsed       int
	Stable         int
	HasStable      bool
	StableRate     float64
	StableNeeded   int
	StableMet      bool
}

// Project computes the projection for c's year on c.On. ind holds the
// indicators of the areas by unit (absent: no data); areas are the
// transformed areas (TransformedAreas) and relapsed marks those found
// relapsed at any check.
func Project(p TargetParams, c YearCycle, ind map[string]IndicatorResult, areas []Area, relapsed map[AreaKey]bool) Projection {
	pr := Projection{Year: c.Year, On: c.On}
	for _, a := range c.Areas {
		if a.CarriedOver {
			continue
		}
		pr.Selected++
		if a.HasVerdict {
			pr.Assessed++
			if a.Transformed {
				pr.Transformed++
			}
			continue
		}
		r, ok := ind[a.Unit]
		switch {
		case !ok || !r.HasData:
			pr.NoData++
		case r.Met:
			pr.Meeting++
		default:
			pr.Below++
		}
	}
	pr.Passing = pr.Transformed + pr.Meeting
	pr.HasPass = pr.Assessed+pr.Meeting+pr.Below > 0
	if pr.HasPass {
		pr.PassRate, pr.PassNeeded, pr.PassMet = target(pr.Passing, pr.Selected, p.TransformedPercent)
	}

	for _, a := range areas {
		if !c.On.IsZero() && a.TransformedOn.After(c.On) {
			continue
		}
		pr.AllTransformed++
		if relapsed[a.Key()] {
			pr.Relapsed++
		}
	}
	pr.Stable = pr.AllTransformed - pr.Relapsed
	pr.HasStable = pr.AllTransformed > 0
	pr.StableRate, pr.StableNeeded, pr.StableMet = target(pr.Stable, pr.AllTransformed, p.StablePercent)
	return pr
}
