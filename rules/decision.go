package rules

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Departure names a rule of plan 67 (II.1.a) that the committee's
// decision departs from for one area. The committee may depart: a
// departure is stated with its numbers, never refused.
type Departure string

// The rules a decided area can depart from.
const (
	DepartsGate    Departure = "gate"         // not strictly above the province's (and the district's) average
	DepartsNTM     Departure = "ntm"          // certified new-rural under the configured exclusion
	DepartsUnknown Departure = "unknown_unit" // not a commune on the decision's day
)

// DecisionRecord is one decision document as the selections rows name it:
// its number, day and signer, and how many areas it selected.
type DecisionRecord struct {
	Number    string
	DecidedOn time.Time
	Signer    string
	Areas     int
}

// DecidedArea is one area of the decision that departs from a rule, with
// the evaluation its numbers come from (zero for an unknown unit).
type DecidedArea struct {
	Unit       string
	Categories []Category
	Rule       Departure
	Candidate  Candidate
}

// DecisionCheck is the committee's recorded selection of a year measured
// by the plan's rules: the cap (at most CapPercent% of every commune on the
// decision's day, floor), the eligibility gate and the new-rural exclusion.
type DecisionCheck struct {
	Year       int
	Decisions  []DecisionRecord // by day, then number
	Areas      int              // areas selected (an area of several categories counts once)
	TotalUnits int
	CapPercent int
	Cap        int
	// OverCap is how many areas the decision selected beyond the cap; 0
	// within it.
	OverCap int
	// Departures lists the areas that depart from the gate or the
	// exclusion, or are no commune of the day, by unit code.
	Departures []DecidedArea
}

// Departs reports whether the decision departs from any rule.
func (d DecisionCheck) Departs() bool { return d.OverCap > 0 || len(d.Departures) > 0 }

// CheckDecision measures the selections of prop.Year in sel against the
// proposal computed with the same rules and data among the communes of the
// decision's day (prop). Only the selections of the year count; ok is false
// when the year has none.
func CheckDecision(prop Proposal, capPercent int, sel []Selection) (DecisionCheck, bool) {
	byUnit := make(map[string]Candidate, len(prop.Candidates))
	for _, c := range prop.Candidates {
		byUnit[c.Unit.Code] = c
	}
	var year []Selection
	for _, s := range sel {
		if s.Year == prop.Year {
			year = append(year, s)
		}
	}
	if len(year) == 0 {
		return DecisionCheck{}, false
	}
	d := DecisionCheck{Year: prop.Year, TotalUnits: prop.TotalUnits, CapPercent: capPercent, Cap: prop.Cap}
	// One record per decision document: rows that share a number and a
	// day (or, without a number, a day) are one decision.
	type docKey struct {
		number string
		day    time.Time
	}
	docs := map[docKey]*DecisionRecord{}
	counted := map[docKey]map[string]bool{}
	for _, s := range year {
		k := docKey{s.Number, s.DecidedOn}
		r, ok := docs[k]
		if !ok {
			r = &DecisionRecord{Number: s.Number, DecidedOn: s.DecidedOn}
			docs[k], counted[k] = r, map[string]bool{}
		}
		if r.Signer == "" {
			r.Signer = s.Signer
		}
		if !counted[k][s.Unit] {
			counted[k][s.Unit] = true
			r.Areas++
		}
	}
	for _, r := range docs {
		d.Decisions = append(d.Decisions, *r)
	}
	slices.SortFunc(d.Decisions, func(a, b DecisionRecord) int {
		return cmp.Or(a.DecidedOn.Compare(b.DecidedOn), strings.Compare(a.Number, b.Number))
	})

	areas := GroupSelections(year)
	d.Areas = len(areas)
	d.OverCap = max(0, d.Areas-d.Cap)
	for _, a := range areas {
		c, ok := byUnit[a.Unit]
		x := DecidedArea{Unit: a.Unit, Categories: a.Categories, Candidate: c}
		switch {
		case !ok:
			x.Rule = DepartsUnknown
		case !c.Eligible:
			x.Rule = DepartsGate
		case c.NTM:
			x.Rule = DepartsNTM
		default:
			continue
		}
		d.Departures = append(d.Departures, x) // by unit, as GroupSelections orders them
	}
	return d, true
}
