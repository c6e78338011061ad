package report

import (
	"context"
	"fmt"
	"time"

	"chuyenhoa/jobs"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// decided is the province's decisions as they were made, for figures of
// past years (rules.AsDecided): each year's selection among the communes
// of its day, its verdicts and relapse watch followed across the merger.
type decided struct {
	sel      []rules.Selection
	as       []rules.Assessment
	relapsed map[rules.AreaKey]bool
	// states are the relapse watch's, keyed by the communes of the day.
	states map[rules.AreaKey]store.RelapseState
	// now names the commune a recorded code belongs to on the day ("" when
	// it cannot be followed).
	now func(code string) string
}

func loadDecided(ctx context.Context, r *jobs.Runner, day time.Time) (*decided, error) {
	src := r.Source(day)
	sel, err := src.Selections(ctx, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("load selections: %w", err)
	}
	as, err := src.Assessments(ctx, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("load assessments: %w", err)
	}
	states, err := src.RelapseStates(ctx, day)
	if err != nil {
		return nil, fmt.Errorf("load relapse states: %w", err)
	}
	terr, err := src.Territory(ctx)
	if err != nil {
		return nil, fmt.Errorf("load units: %w", err)
	}
	now := func(code string) string {
		if res := terr.Resolve(code, day); res.Found() {
			return res.Code
		}
		return ""
	}
	d := &decided{sel: sel, now: now, states: states}
	d.as, d.relapsed = rules.AsDecided(sel, as, jobs.RelapsedBy(states, day), now)
	return d, nil
}

// period is years from..to as decided, judged by targets t, as known on day.
func (d *decided) period(p rules.CycleParams, from, to int, day time.Time) rules.Period {
	return rules.PeriodOf(p, from, to, day, d.sel, d.as, d.relapsed)
}

// firstYear is the first year with a selection, or year when none is
// earlier.
func (d *decided) firstYear(year int) int {
	for _, s := range d.sel {
		year = min(year, s.Year)
	}
	return year
}

// progress is a year's figures as the target chart draws them.
func progress(y rules.YearCycle) rules.Progress {
	s := y.Selected
	return rules.Progress{Year: y.Year, Selected: s.Areas, Assessed: s.Assessed, Transformed: s.Transformed, Relapsed: s.Relapsed,
		Stable: s.Transformed - s.Relapsed, TransformedRate: y.TransformedRate, StableRate: y.StableRate,
		TransformedNeeded: y.TransformedNeeded, StableNeeded: y.StableNeeded, TransformedMet: y.TransformedMet, StableMet: y.StableMet,
		HasSelected: y.HasSelected, HasTransformed: y.HasTransformed}
}
