package rules

import (
	"slices"
	"strings"
	"time"
)

// DatedUnit is a unit with the days it exists: merged units keep their
// rows, with ValidTo set, and the new units begin on ValidFrom.
type DatedUnit struct {
	Unit
	ValidFrom, ValidTo time.Time // both included; zero: open-ended
}

// ValidOn reports whether the unit exists on day.
func (u DatedUnit) ValidOn(day time.Time) bool { return validOn(u.ValidFrom, u.ValidTo, day) }

// ValidOn reports whether the district exists on day.
func (d District) ValidOn(day time.Time) bool { return validOn(d.ValidFrom, d.ValidTo, day) }

func validOn(from, to, day time.Time) bool {
	return (from.IsZero() || !from.After(day)) && (to.IsZero() || !to.Before(day))
}

// Succession records that from EffectiveOn on, the territory of
// Predecessor (a merged or renamed commune) belongs to Successor: its
// statistics, decisions and obligations are the successor's.
type Succession struct {
	Predecessor, Successor string
	EffectiveOn            time.Time
}

// Outcome is how a unit code resolved on a day.
type Outcome string

// The outcomes of Territory.Resolve.
const (
	OutcomeValid     Outcome = "valid"     // the code is a unit valid on the day
	OutcomeSucceeded Outcome = "succeeded" // followed successions to a unit valid on the day
	OutcomeNotYet    Outcome = "not_yet"   // the unit begins after the day and has no successor by then
	OutcomeGone      Outcome = "gone"      // outside its validity with no successor valid on the day
	OutcomeSplit     Outcome = "split"     // a code on the way has two or more successors
	OutcomeUnknown   Outcome = "unknown"   // in no units row
)

// Resolution is what a unit code stands for on a day.
type Resolution struct {
	// Code is the unit valid on the day the code's rows belong to; "" unless
	// the outcome is valid or succeeded.
	Code    string
	Outcome Outcome
	// At is the code where following stopped (gone, split): the code itself
	// or one of its successors.
	At string
	// Successors are At's successors by the day when it split, ascending.
	Successors []string
}

// Found reports whether the code stands for a unit valid on the day.
func (r Resolution) Found() bool { return r.Outcome == OutcomeValid || r.Outcome == OutcomeSucceeded }

// Territory is the province's map over time: which communes exist on a
// day, which district each belongs to while that district exists, and
// which commune took over the territory of one that ended. A province's
// database holds years under communes and districts that no longer exist;
// the territory tells the rules, for any day, whose rows are whose.
type Territory struct {
	units     map[string][]DatedUnit
	districts map[string][]District
	next      map[string][]Succession // by predecessor, ascending by successor
	// dated: a unit belongs to its district only on the days the district
	// exists (grouping auto); otherwise districts' validity is ignored.
	dated bool
}

// NewTerritory builds the territory from every unit and district row
// (whatever their validity) and the successions. With dated set, a unit
// belongs to its district only on the days that district is valid; a
// district code that is in no districts row is kept as it is (the data
// check reports it). A succession of a code to itself is ignored; one
// recorded twice counts from its earliest day.
func NewTerritory(units []DatedUnit, districts []District, successions []Succession, dated bool) *Territory {
	t := &Territory{units: map[string][]DatedUnit{}, districts: map[string][]District{}, next: map[string][]Succession{}, dated: dated}
	for _, u := range units {
		t.units[u.Code] = append(t.units[u.Code], u)
	}
	for _, d := range districts {
		t.districts[d.Code] = append(t.districts[d.Code], d)
	}
	for _, s := range successions {
		if s.Predecessor == s.Successor {
			continue
		}
		ss := t.next[s.Predecessor]
		i, found := slices.BinarySearchFunc(ss, s.Successor, func(x Succession, code string) int { return strings.Compare(x.Successor, code) })
		switch {
		case !found:
			t.next[s.Predecessor] = slices.Insert(ss, i, s)
		case s.EffectiveOn.Before(ss[i].EffectiveOn):
			ss[i].EffectiveOn = s.EffectiveOn
		}
	}
	return t
}

// Known reports whether code is in a units row.
func (t *Territory) Known(code string) bool { return len(t.units[code]) > 0 }

// ValidOn reports whether code is a unit valid on day.
func (t *Territory) ValidOn(code string, day time.Time) bool {
	_, ok := t.row(code, day)
	return ok
}

// row is code's first units row valid on day.
func (t *Territory) row(code string, day time.Time) (DatedUnit, bool) {
	return validRow(t.units[code], day)
}

// validRow is the first of rows valid on day.
func validRow(rows []DatedUnit, day time.Time) (DatedUnit, bool) {
	for _, u := range rows {
		if u.ValidOn(day) {
			return u, true
		}
	}
	return DatedUnit{}, false
}

// DistrictInForce reports whether a unit of district code belongs to it on
// day: always when districts are not dated or the code is in no districts
// row, else when a districts row of the code is valid on day.
func (t *Territory) DistrictInForce(code string, day time.Time) bool {
	rows, ok := t.districts[code]
	if !t.dated || !ok {
		return true
	}
	for _, d := range rows {
		if d.ValidOn(day) {
			return true
		}
	}
	return false
}

// Resolve tells which unit valid on day the rows recorded on code belong
// to: code itself when it is valid then; otherwise its successor by day,
// and so on along a chain (A→B→C), never around a loop. A code with two
// or more successors by day is a split: nobody can tell whose its rows
// are until the province decides, so it resolves to nothing.
func (t *Territory) Resolve(code string, day time.Time) Resolution {
	// Nearly every code asked about is a unit of the day: one lookup.
	rows := t.units[code]
	if len(rows) == 0 {
		return Resolution{Outcome: OutcomeUnknown, At: code}
	}
	if _, ok := validRow(rows, day); ok {
		return Resolution{Code: code, Outcome: OutcomeValid}
	}
	seen := map[string]bool{}
	for cur := code; ; {
		if cur != code && t.ValidOn(cur, day) {
			return Resolution{Code: cur, Outcome: OutcomeSucceeded}
		}
		seen[cur] = true
		var succ []string
		for _, s := range t.next[cur] {
			if !s.EffectiveOn.After(day) {
				succ = append(succ, s.Successor)
			}
		}
		switch {
		case len(succ) > 1:
			return Resolution{Outcome: OutcomeSplit, At: cur, Successors: succ}
		case len(succ) == 1 && !seen[succ[0]] && t.Known(succ[0]):
			cur = succ[0]
		case len(succ) == 0 && cur == code && t.startsAfter(code, day):
			return Resolution{Outcome: OutcomeNotYet, At: code}
		default:
			return Resolution{Outcome: OutcomeGone, At: cur}
		}
	}
}

// startsAfter reports whether every row of code begins after day.
func (t *Territory) startsAfter(code string, day time.Time) bool {
	for _, u := range t.units[code] {
		if u.ValidFrom.IsZero() || !u.ValidFrom.After(day) {
			return false
		}
	}
	return true
}

// UnitOn is the unit that code's rows belong to on day, as the units of
// that day are: resolved along its successions, with its district only
// while that district is in force. ok is false when code resolves to no
// unit valid on day.
func (t *Territory) UnitOn(code string, day time.Time) (Unit, bool) {
	r := t.Resolve(code, day)
	if !r.Found() {
		return Unit{}, false
	}
	u, _ := t.row(r.Code, day)
	if u.District != "" && !t.DistrictInForce(u.District, day) {
		u.District = ""
	}
	return u.Unit, true
}

// Split is a commune recorded with two or more successors.
type Split struct {
	Predecessor string
	Successors  []Succession // ascending by successor
}

// Splits lists the codes with two or more successors, whatever the day,
// by predecessor.
func (t *Territory) Splits() []Split {
	var out []Split
	for code, ss := range t.next {
		if len(ss) > 1 {
			out = append(out, Split{Predecessor: code, Successors: slices.Clone(ss)})
		}
	}
	slices.SortFunc(out, func(a, b Split) int { return strings.Compare(a.Predecessor, b.Predecessor) })
	return out
}

// Predecessors lists the codes whose rows belong to code on day, code
// itself included when it is valid then, ascending: the communes that
// merged into it.
func (t *Territory) Predecessors(code string, day time.Time) []string {
	var out []string
	for c := range t.units {
		if r := t.Resolve(c, day); r.Found() && r.Code == code {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

// Attribute sums the figures of each code in m into the unit the code's
// rows belong to on day (see Resolve): a merged commune's statistics count
// for its successor. A code that resolves to no unit of the day stays
// under its own code, where the rules, which only look at the units of the
// day, count it nowhere. unresolved holds those codes' resolutions, so
// that a data error can say why.
func Attribute[T any](t *Territory, day time.Time, m map[string]T, add func(T, T) T) (out map[string]T, unresolved map[string]Resolution) {
	out = make(map[string]T, len(m))
	for code, v := range m {
		r := t.Resolve(code, day)
		to := r.Code
		if !r.Found() {
			if unresolved == nil {
				unresolved = map[string]Resolution{}
			}
			unresolved[code] = r
			to = code
		}
		if prev, ok := out[to]; ok {
			v = add(prev, v)
		}
		out[to] = v
	}
	return out, unresolved
}

// follow attributes the code of each row of xs to the unit its rows belong
// to on day, as Attribute does, and keeps one row per key: merge(kept, x)
// tells which of two rows that fell on one key stands. Codes that resolve
// to nothing stay as they are, their resolutions in unresolved. own marks
// the rows whose code was already the unit of the day.
func follow[T any, K comparable](t *Territory, day time.Time, xs []T, code func(*T) *string, key func(T) K, merge func(a, b T, bOwn bool) T) (out []T, unresolved map[string]Resolution) {
	at := make(map[K]int, len(xs))
	if len(xs) > 0 {
		out = make([]T, 0, len(xs))
	}
	for _, x := range xs {
		c := code(&x)
		r := t.Resolve(*c, day)
		if r.Found() {
			*c = r.Code
		} else {
			if unresolved == nil {
				unresolved = map[string]Resolution{}
			}
			unresolved[*c] = r
		}
		k := key(x)
		if i, ok := at[k]; ok {
			out[i] = merge(out[i], x, r.Outcome == OutcomeValid)
			continue
		}
		at[k] = len(out)
		out = append(out, x)
	}
	return out, unresolved
}

// The keys rows of one area fall on once followed.
type (
	selectionKey struct {
		year     int
		unit     string
		category Category
	}
	proposalKey struct {
		year           int
		district, unit string
	}
)

// FollowSelections attributes each selection to the unit its commune
// belongs to on day: selections of communes that merged into one, for one
// year and category, are one selection, decided on the earliest of their
// days. The order of sel is kept (its first row of each key).
func FollowSelections(t *Territory, day time.Time, sel []Selection) ([]Selection, map[string]Resolution) {
	return follow(t, day, sel, func(s *Selection) *string { return &s.Unit },
		func(s Selection) selectionKey { return selectionKey{s.Year, s.Unit, s.Category} },
		func(a, b Selection, _ bool) Selection {
			if b.DecidedOn.Before(a.DecidedOn) {
				return b
			}
			return a
		})
}

// FollowAssessments attributes each verdict to the unit its commune belongs
// to on day, so that a verdict recorded on either the old or the new code
// closes the year's area: of the verdicts that fall on one year and unit
// the latest stands, and on a tie the one recorded on the unit's own code
// (the newer record).
func FollowAssessments(t *Territory, day time.Time, as []Assessment) ([]Assessment, map[string]Resolution) {
	return follow(t, day, as, func(a *Assessment) *string { return &a.Unit },
		func(a Assessment) verdictKey { return verdictKey{Unit: a.Unit, Year: a.Year} },
		func(a, b Assessment, bOwn bool) Assessment {
			if b.AssessedOn.After(a.AssessedOn) || (bOwn && b.AssessedOn.Equal(a.AssessedOn)) {
				return b
			}
			return a
		})
}

// FollowProposals attributes each district proposal to the unit its
// commune belongs to on day; proposals that fall on one key count from the
// earliest.
func FollowProposals(t *Territory, day time.Time, ps []DistrictProposal) ([]DistrictProposal, map[string]Resolution) {
	return follow(t, day, ps, func(p *DistrictProposal) *string { return &p.Unit },
		func(p DistrictProposal) proposalKey { return proposalKey{p.Year, p.District, p.Unit} },
		func(a, b DistrictProposal, _ bool) DistrictProposal {
			if b.ProposedOn.Before(a.ProposedOn) {
				return b
			}
			return a
		})
}
