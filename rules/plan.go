package rules

import (
	"maps"
	"slices"
	"time"
)

// AsDecided prepares the decisions of past years to be counted as they
// were made (the 2023 list among the communes of 2023), while the verdicts
// and the relapse watch follow the territory: sel and as are the rows as
// recorded, relapsed marks the areas found relapsed keyed by the communes
// of the day (as the relapse watch keys them), and now names the commune a
// recorded code belongs to on that day ("" when none can be named).
//
// It returns the verdicts with, for each recorded area whose verdict was
// recorded on the code of the commune it became (a verdict given after a
// merger), a copy on its own code; and the relapse marks keyed by the
// codes as recorded. Two areas of one year that merged into one commune
// stay two areas; they share the verdict recorded on the new code, and its
// watch.
func AsDecided(sel []Selection, as []Assessment, relapsed map[AreaKey]bool, now func(code string) string) ([]Assessment, map[AreaKey]bool) {
	own := map[AreaKey]bool{}
	for _, a := range as {
		own[AreaKey{Unit: a.Unit, Year: a.Year}] = true
	}
	units := map[string]bool{}
	for _, s := range sel {
		units[s.Unit] = true
	}
	codes := slices.Sorted(maps.Keys(units))
	out := slices.Clone(as)
	marks := map[AreaKey]bool{}
	for k, v := range relapsed {
		if v {
			marks[k] = true
		}
	}
	for _, u := range codes {
		n := now(u)
		if n == "" || n == u {
			continue
		}
		for _, a := range as {
			if a.Unit == n && !own[AreaKey{Unit: u, Year: a.Year}] {
				c := a
				c.Unit = u
				out = append(out, c)
			}
		}
		for k, v := range relapsed {
			if v && k.Unit == n {
				marks[AreaKey{Unit: u, Year: k.Year}] = true
			}
		}
	}
	return out, marks
}

// PeriodOutcome is where a commune selected in a plan period stands at
// the end of it (or on the day of the summary): by the verdict of the
// latest year it was worked on.
type PeriodOutcome string

// The outcomes of a period's communes.
const (
	PeriodStable         PeriodOutcome = "stable"          // transformed, not found complex again since
	PeriodRelapsed       PeriodOutcome = "relapsed"        // transformed, found complex again at some check
	PeriodNotTransformed PeriodOutcome = "not_transformed" // its latest year's verdict: not transformed
	PeriodPending        PeriodOutcome = "pending"         // its latest year awaits the verdict
)

// PlanYear is one year of a plan period: its work as decided, with the
// year's selections counted by category (an area of several categories
// counts in each; Several counts those areas).
type PlanYear struct {
	YearCycle
	ByCategory [5]int
	Several    int
}

// PeriodStep is one year a commune was worked on in a period.
type PeriodStep struct {
	Year                    int
	CarriedOver             bool
	HasVerdict, Transformed bool
	Relapsed                bool // transformed that year and found complex again since
}

// PeriodArea is one commune selected in a plan period, as it was selected.
type PeriodArea struct {
	Unit       string
	Categories []Category // of every year it was selected
	Steps      []PeriodStep
	Outcome    PeriodOutcome
	// TransformedYear is the latest year it was found transformed; 0 when
	// never.
	TransformedYear int
}

// Period is a plan period (From..To) as known on day On: each year as
// decided, the sums over the years, the targets over the period, and every
// commune selected in it with where it ended.
type Period struct {
	From, To int
	On       time.Time
	Years    []PlanYear
	// Selected and Carried sum the years' counts (area-years: an area
	// selected in two years counts in each).
	Selected, Carried CycleCount
	ByCategory        [5]int
	// The rates over the period are the years' summed as each year's are:
	// the selections transformed ÷ selected, and of those transformed the
	// share not found complex again; carried-over areas are in neither (as
	// in each year's), and counted in Carried and in Areas.
	TransformedRate   float64
	TransformedNeeded int
	TransformedMet    bool
	StableRate        float64
	StableNeeded      int
	StableMet         bool
	Areas             []PeriodArea // by unit code
}

// PeriodOf sums the years from..to of a plan, judged by p's targets, as
// known on day on, over decisions prepared by AsDecided (relapsed keyed
// as recorded).
func PeriodOf(p CycleParams, from, to int, on time.Time, sel []Selection, as []Assessment, relapsed map[AreaKey]bool) Period {
	per := Period{From: from, To: to, On: on}
	byUnit := map[string]*PeriodArea{}
	for y := from; y <= to; y++ {
		yc := PlanYear{YearCycle: YearCycleOf(p, y, on, sel, as, relapsed)}
		for _, a := range yc.Areas {
			pa, ok := byUnit[a.Unit]
			if !ok {
				pa = &PeriodArea{Unit: a.Unit}
				byUnit[a.Unit] = pa
			}
			step := PeriodStep{Year: y, CarriedOver: a.CarriedOver, HasVerdict: a.HasVerdict, Transformed: a.Transformed,
				Relapsed: a.Stage == StageRelapsed}
			pa.Steps = append(pa.Steps, step)
			if !a.CarriedOver {
				pa.Categories = AreaCategories(append(pa.Categories, a.Categories...))
				for _, k := range a.Categories {
					yc.ByCategory[k]++
					per.ByCategory[k]++
				}
				if len(a.Categories) > 1 {
					yc.Several++
				}
			}
			if a.HasVerdict && a.Transformed {
				pa.TransformedYear = y
			}
		}
		add(&per.Selected, yc.Selected)
		add(&per.Carried, yc.Carried)
		per.Years = append(per.Years, yc)
	}
	s := per.Selected
	per.TransformedRate, per.TransformedNeeded, per.TransformedMet = target(s.Transformed, s.Areas, p.Targets.TransformedPercent)
	per.StableRate, per.StableNeeded, per.StableMet = target(s.Transformed-s.Relapsed, s.Transformed, p.Targets.StablePercent)

	for _, u := range slices.Sorted(maps.Keys(byUnit)) {
		pa := byUnit[u]
		last := pa.Steps[len(pa.Steps)-1]
		switch {
		case last.HasVerdict && last.Transformed && last.Relapsed:
			pa.Outcome = PeriodRelapsed
		case last.HasVerdict && last.Transformed:
			pa.Outcome = PeriodStable
		case last.HasVerdict:
			pa.Outcome = PeriodNotTransformed
		default:
			pa.Outcome = PeriodPending
		}
		per.Areas = append(per.Areas, *pa)
	}
	return per
}

func add(sum *CycleCount, c CycleCount) {
	sum.Areas += c.Areas
	sum.Assessed += c.Assessed
	sum.Transformed += c.Transformed
	sum.NotTransformed += c.NotTransformed
	sum.Relapsed += c.Relapsed
}

// AllAssessed reports whether every area of the year's work (selected and
// carried over) has its verdict: the year's figures are final.
func (c YearCycle) AllAssessed() bool {
	return c.Selected.Assessed == c.Selected.Areas && c.Carried.Assessed == c.Carried.Areas
}
