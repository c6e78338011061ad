package rules

import (
	"slices"
	"sort"
	"time"
)

// SelectedArea is the provincial committee's selection of one unit for one
// year: every selections row of that (year, unit) together, one row per
// category (plan 67 lets an area be complex in several categories at
// once, and the committee records each).
type SelectedArea struct {
	Year int
	Unit string
	// Categories are the rows' categories: sorted, distinct, never empty
	// (see AreaCategories).
	Categories []Category
	// DecidedOn is the earliest decision day of the rows: the area was
	// selected from then on, whatever category was added later.
	DecidedOn time.Time
}

// Key identifies the area.
func (a SelectedArea) Key() AreaKey { return AreaKey{Unit: a.Unit, Year: a.Year} }

// GroupSelections gathers the rows of each (year, unit) into one area,
// sorted by year, then unit. Counting areas, not rows, is what the targets
// and the cap are about.
func GroupSelections(sel []Selection) []SelectedArea {
	byKey := map[AreaKey]*SelectedArea{}
	var out []*SelectedArea
	for _, s := range sel {
		k := AreaKey{Unit: s.Unit, Year: s.Year}
		a, ok := byKey[k]
		if !ok {
			a = &SelectedArea{Year: s.Year, Unit: s.Unit, DecidedOn: s.DecidedOn}
			byKey[k] = a
			out = append(out, a)
		}
		a.Categories = append(a.Categories, s.Category)
		if s.DecidedOn.Before(a.DecidedOn) {
			a.DecidedOn = s.DecidedOn
		}
	}
	res := make([]SelectedArea, len(out))
	for i, a := range out {
		a.Categories = AreaCategories(a.Categories)
		res[i] = *a
	}
	sort.Slice(res, func(i, j int) bool {
		if res[i].Year != res[j].Year {
			return res[i].Year < res[j].Year
		}
		return res[i].Unit < res[j].Unit
	})
	return res
}

// AreaCategories returns the valid categories of cs sorted and without
// repeats, in a new slice; [Cat1] when none is valid, since areas meeting
// only other criteria are attached to category 1 by default and an area
// must never drop out of a check for want of a category.
func AreaCategories(cs []Category) []Category {
	out := make([]Category, 0, len(cs))
	for _, c := range cs {
		if c.Valid() {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) == 0 {
		out = append(out, Cat1)
	}
	return out
}

// CategoryCheck is a transformed area measured in one of its categories
// over the relapse window: its count and the averages per commune of that
// category, and whether it is complex in it again.
type CategoryCheck struct {
	Category                 Category
	Count                    int
	ProvinceAvg, DistrictAvg float64 // DistrictAvg is 0 without a district
	// Complex is the category test of the selection rules; set only when
	// the result is Checked.
	Complex bool
}
