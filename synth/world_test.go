package synth

import (
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
	"time"
)

// world reads a generated province as the jobs do: on a day, with the
// communes existing then and the rows of the communes merged into them.
type world struct {
	ds   *store.Dataset
	terr *rules.Territory
	cal  period.Calendar
}

func newWorld(ds *store.Dataset) world {
	return world{ds: ds, terr: rules.NewTerritory(ds.Units, ds.Districts, ds.Successions, true), cal: period.Calendar{Cutoff: 15}}
}

// units are the communes existing on day, with their districts in force.
func (w world) units(day time.Time) []rules.Unit {
	var out []rules.Unit
	for _, r := range w.ds.Units {
		if u, ok := w.terr.UnitOn(r.Code, day); ok && u.Code == r.Code {
			out = append(out, u)
		}
	}
	return out
}

// counts sums the statistics over r for the communes of day.
func (w world) counts(r period.Range, day time.Time) map[string]rules.Counts {
	out, _ := rules.Attribute(w.terr, day, counts(w.ds, r), func(a, b rules.Counts) rules.Counts { return a.Add(b) })
	return out
}

func (w world) selections(day time.Time) []rules.Selection {
	out, _ := rules.FollowSelections(w.terr, day, w.ds.Selections)
	return out
}

func (w world) assessments(day time.Time) []rules.Assessment {
	out, _ := rules.FollowAssessments(w.terr, day, w.ds.Assessments)
	return out
}

func (w world) unitAt(code string, day time.Time) (rules.Unit, bool) { return w.terr.UnitOn(code, day) }

// relapse checks every transformed area on the last day of the last closed
// month before day, as the relapse job does.
func (w world) relapse(day time.Time) []rules.RelapseResult {
	window := w.cal.RollingYear(day)
	on := window.To
	return rules.CheckRelapse(rules.RelapseParams{Grouped: true, CategoryFactor: 1, CategoryMinCount: 1}, on,
		rules.TransformedAreas(w.selections(on), w.assessments(on)), w.units(on), w.counts(window, on))
}
