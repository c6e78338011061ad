package rules

import (
	"sort"
	"time"
)

// Area is a unit recorded as transformed for a selection year: what the
// relapse check watches.
type Area struct {
	Unit          string
	Year          int
	Category      Category // the category it was selected (and transformed) in
	TransformedOn time.Time
}

// AreaKey identifies an area: one unit in one selection year.
type AreaKey struct {
	Unit string
	Year int
}

// Key returns the area's identity.
func (a Area) Key() AreaKey { return AreaKey{Unit: a.Unit, Year: a.Year} }

// TransformedAreas joins the assessments with Transformed=true to the
// selection of the same (year, unit) for the category. A verdict on an
// area carried over (no selection that year) takes the category of the
// unit's latest earlier selection. An assessment without any selection (or
// with an invalid category) still yields an area, in Cat1, the category
// other criteria are attached to by default: a transformed area must not
// drop out of the watch because of a missing row. When one (year, unit)
// has several assessments the latest AssessedOn stands (on a tie, the
// later in input), as in YearProgress: a corrected verdict of "not
// transformed" removes the area. Sorted by unit, then year.
func TransformedAreas(sel []Selection, as []Assessment) []Area {
	cat := make(map[AreaKey]Category, len(sel))
	for _, s := range CarryOverCategories(sel, as) {
		cat[AreaKey{Unit: s.Unit, Year: s.Year}] = s.Category
	}
	latest := map[AreaKey]Assessment{}
	for _, a := range as {
		k := AreaKey{Unit: a.Unit, Year: a.Year}
		if prev, ok := latest[k]; ok && a.AssessedOn.Before(prev.AssessedOn) {
			continue
		}
		latest[k] = a
	}
	byKey := map[AreaKey]Area{}
	for k, a := range latest {
		if !a.Transformed {
			continue
		}
		c := cat[k]
		if !c.Valid() {
			c = Cat1
		}
		byKey[k] = Area{Unit: a.Unit, Year: a.Year, Category: c, TransformedOn: a.AssessedOn}
	}
	out := make([]Area, 0, len(byKey))
	for _, a := range byKey {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Unit != out[j].Unit {
			return out[i].Unit < out[j].Unit
		}
		return out[i].Year < out[j].Year
	})
	return out
}

// RelapseParams configures the relapse check; the category settings are
// the selection's.
type RelapseParams struct {
	Grouped          bool
	CategoryFactor   float64
	CategoryMinCount int
	WatchMonths      int // 0 = watch forever
}

// RelapseResult is one area's check on one day.
type RelapseResult struct {
	Area Area
	// Checked is false when on <= TransformedOn, or WatchMonths > 0 and on
	// > TransformedOn.AddDate(0, WatchMonths, 0), or the unit is unknown.
	// The numbers below are filled whenever the unit is known; the
	// verdicts only when Checked.
	Checked    bool
	Relapsed   bool // ByGate || ByCategory
	ByGate     bool // passes the eligibility gate again over the window
	ByCategory bool // complex again in Area.Category
	Counts     Counts

	ProvinceAvg, DistrictAvg       float64
	CatProvinceAvg, CatDistrictAvg float64 // for Area.Category
}

// CheckRelapse re-checks each area on day on. counts are over the rolling
// statistical year ending at on and units are the communes existing then:
// the averages are recomputed from them exactly as for a selection.
// Results are in the order of areas.
func CheckRelapse(p RelapseParams, on time.Time, areas []Area, units []Unit, counts map[string]Counts) []RelapseResult {
	b := ComputeBaseline(units, counts)
	th := newThresholds(p.CategoryFactor, p.CategoryMinCount)
	byCode := make(map[string]Unit, len(units))
	for _, u := range units {
		byCode[u.Code] = u
	}
	out := make([]RelapseResult, 0, len(areas))
	for _, a := range areas {
		r := RelapseResult{Area: a}
		u, known := byCode[a.Unit]
		if !known {
			out = append(out, r)
			continue
		}
		c := counts[a.Unit]
		ev := evaluate(p.Grouped, th, b, u, c)
		k := a.Category
		if !k.Valid() {
			k = Cat1
		}
		r.Counts = c
		r.ProvinceAvg, r.DistrictAvg = ev.provAvg, ev.distAvg
		r.CatProvinceAvg = ev.prov.CatAvg[k]
		if ev.hasDistrict {
			r.CatDistrictAvg = ev.dist.CatAvg[k]
		}
		r.Checked = on.After(a.TransformedOn) &&
			(p.WatchMonths <= 0 || !on.After(a.TransformedOn.AddDate(0, p.WatchMonths, 0)))
		if r.Checked {
			r.ByGate = ev.eligible()
			r.ByCategory = ev.isComplex(th, c, k)
			r.Relapsed = r.ByGate || r.ByCategory
		}
		out = append(out, r)
	}
	return out
}
