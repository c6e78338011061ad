package rules

import (
	"sort"
	"time"
)

// Area is a unit recorded as transformed for a selection year: what the
// relapse check watches.
type Area struct {
	Unit string
	Year int
	// Category is Categories[0]: all that findings stored before an area
	// could have several categories hold, and kept in their shape for
	// whoever reads them. Read Categories.
	Category Category
	// Categories are those it was selected (and transformed) in: sorted,
	// never empty (see AreaCategories).
	Categories    []Category
	TransformedOn time.Time
}

// categories is a's categories as the checks take them: Categories, or
// Category alone for an area built with that field only.
func (a Area) categories() []Category {
	if len(a.Categories) == 0 {
		return AreaCategories([]Category{a.Category})
	}
	return AreaCategories(a.Categories)
}

// AreaKey identifies an area: one unit in one selection year.
type AreaKey struct {
	Unit string
	Year int
}

// Key returns the area's identity.
func (a Area) Key() AreaKey { return AreaKey{Unit: a.Unit, Year: a.Year} }

// TransformedAreas joins the assessments with Transformed=true to the
// selections of the same (year, unit) for the categories: one area per
// (year, unit), with every category it was selected in. A verdict on an
// area carried over (no selection that year) takes the categories of the
// unit's latest earlier selection. An assessment without any selection (or
// with invalid categories only) still yields an area, in Cat1, the
// category other criteria are attached to by default: a transformed area
// must not drop out of the watch because of a missing row. When one (year, unit)
// has several assessments the latest AssessedOn stands (on a tie, the
// later in input), as in YearProgress: a corrected verdict of "not
// transformed" removes the area. Sorted by unit, then year.
func TransformedAreas(sel []Selection, as []Assessment) []Area {
	cats := make(map[AreaKey][]Category, len(sel))
	for _, s := range CarryOverCategories(sel, as) {
		k := AreaKey{Unit: s.Unit, Year: s.Year}
		cats[k] = append(cats[k], s.Category)
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
		cs := AreaCategories(cats[k])
		byKey[k] = Area{Unit: a.Unit, Year: a.Year, Category: cs[0], Categories: cs, TransformedOn: a.AssessedOn}
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
	ByCategory bool // complex again in at least one of Area.Categories
	Counts     Counts

	ProvinceAvg, DistrictAvg float64
	// CatProvinceAvg and CatDistrictAvg are CategoryChecks[0]'s averages,
	// kept, like Area.Category, in the shape of stored findings.
	CatProvinceAvg, CatDistrictAvg float64
	// CategoryChecks holds the check in each of the area's categories, in
	// order.
	CategoryChecks []CategoryCheck
}

// ComplexAgain lists the area's categories in which it is complex again,
// in order; none unless Checked.
func (r RelapseResult) ComplexAgain() []Category {
	var out []Category
	for _, c := range r.CategoryChecks {
		if c.Complex {
			out = append(out, c.Category)
		}
	}
	return out
}

// CheckRelapse re-checks each area on day on. counts are over the rolling
// statistical year ending at on and units are the communes existing then:
// the averages are recomputed from them exactly as for a selection. An
// area is complex again in a category by the category test of the
// selection, in each of its categories separately. Results are in the
// order of areas.
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
		r.Counts = c
		r.ProvinceAvg, r.DistrictAvg = ev.provAvg, ev.distAvg
		r.Checked = on.After(a.TransformedOn) &&
			(p.WatchMonths <= 0 || !on.After(a.TransformedOn.AddDate(0, p.WatchMonths, 0)))
		for _, k := range a.categories() {
			cc := CategoryCheck{Category: k, Count: c.ByCategory[k], ProvinceAvg: ev.prov.CatAvg[k]}
			if ev.hasDistrict {
				cc.DistrictAvg = ev.dist.CatAvg[k]
			}
			if r.Checked {
				cc.Complex = ev.isComplex(th, c, k)
				r.ByCategory = r.ByCategory || cc.Complex
			}
			r.CategoryChecks = append(r.CategoryChecks, cc)
		}
		r.CatProvinceAvg, r.CatDistrictAvg = r.CategoryChecks[0].ProvinceAvg, r.CategoryChecks[0].DistrictAvg
		if r.Checked {
			r.ByGate = ev.eligible()
			r.Relapsed = r.ByGate || r.ByCategory
		}
		out = append(out, r)
	}
	return out
}
