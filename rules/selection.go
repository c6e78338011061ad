package rules

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"time"
)

// NTMRule says which new-rural (nông thôn mới) communes are kept out of the
// selection. Provinces differ, so it is configuration.
type NTMRule string

// The NTM exclusion rules. NTMAlways is Quảng Ngãi's: a certified commune is
// never selected.
const (
	NTMAlways       NTMRule = "always"
	NTMPreviousYear NTMRule = "previous_year"
	NTMNone         NTMRule = "none"
)

// Valid reports whether r is one of the known rules. The empty rule is
// valid and means NTMAlways, the default of plan 67.
func (r NTMRule) Valid() bool {
	switch r {
	case "", NTMAlways, NTMPreviousYear, NTMNone:
		return true
	}
	return false
}

// SelectionParams configures one candidate proposal.
type SelectionParams struct {
	Year       int
	AsOf       time.Time // day the proposal is computed
	Grouped    bool      // false: no district level; gate and category tests use the province average alone
	CapPercent int       // 15
	NTMRule    NTMRule
	// CategoryFactor: a unit is complex in category k when count_k >
	// factor*avg_k for the province AND the district (default 1.0 when 0).
	CategoryFactor float64
	// CategoryMinCount: and count_k >= this (default 1 when below 1).
	CategoryMinCount int
}

// Validate rejects parameters that would silently propose nothing or
// apply a rule nobody configured.
func (p SelectionParams) Validate() error {
	if p.CapPercent < 1 || p.CapPercent > 100 {
		return fmt.Errorf("cap percent %d: must be between 1 and 100 (plan 67: 15)", p.CapPercent)
	}
	if !p.NTMRule.Valid() {
		return fmt.Errorf("NTM rule %q: must be %q, %q or %q", p.NTMRule, NTMAlways, NTMPreviousYear, NTMNone)
	}
	if p.CategoryFactor < 0 {
		return fmt.Errorf("category factor %v: must not be negative", p.CategoryFactor)
	}
	if p.CategoryMinCount < 0 {
		return fmt.Errorf("category minimum count %d: must not be negative", p.CategoryMinCount)
	}
	return nil
}

// GroupAverages are the totals and per-unit averages of one area (the
// province or one district). Averages divide by every unit of the area,
// those with zero counts included (plan 67, II.1.a).
type GroupAverages struct {
	Units    int
	Total    int
	Avg      float64
	CatTotal [5]int
	CatAvg   [5]float64
}

func (g *GroupAverages) add(c Counts) {
	g.Units++
	g.Total += c.SocialOrder
	for _, k := range Categories {
		g.CatTotal[k] += c.ByCategory[k]
	}
}

func (g *GroupAverages) finish() {
	if g.Units == 0 {
		return
	}
	n := float64(g.Units)
	g.Avg = float64(g.Total) / n
	for _, k := range Categories {
		g.CatAvg[k] = float64(g.CatTotal[k]) / n
	}
}

// Baseline holds the averages the gate and the category tests compare to.
type Baseline struct {
	Province  GroupAverages
	Districts map[string]GroupAverages // by district code; units without a district are in none
}

// ComputeBaseline averages over all units given, zeros included; a unit
// missing from counts counts 0. Counts of codes not among units are
// ignored: they are not communes of this province on this day.
func ComputeBaseline(units []Unit, counts map[string]Counts) Baseline {
	b := Baseline{Districts: map[string]GroupAverages{}}
	for _, u := range units {
		c := counts[u.Code]
		b.Province.add(c)
		if u.District != "" {
			g := b.Districts[u.District]
			g.add(c)
			b.Districts[u.District] = g
		}
	}
	b.Province.finish()
	for k, g := range b.Districts {
		g.finish()
		b.Districts[k] = g
	}
	return b
}

// Status is where a unit ended in a proposal.
type Status string

// The proposal statuses.
const (
	StatusProposed     Status = "proposed"
	StatusCutByCap     Status = "cut_by_cap"
	StatusExcludedNTM  Status = "excluded_ntm"
	StatusBelowAverage Status = "below_average"
)

// Candidate is one unit's evaluation in a proposal, with the numbers its
// reasons quote.
type Candidate struct {
	Unit          Unit
	Counts        Counts
	ProvinceAvg   float64
	HasDistrict   bool // grouped and unit.District != ""
	DistrictAvg   float64
	AboveProvince bool
	AboveDistrict bool       // true when !HasDistrict
	Eligible      bool       // passes the gate (strictly above both)
	Complex       []Category // categories complex, ascending
	// Primary is the complex category with the highest count/max(avgs)
	// ratio (ties: lower code); Cat1 when none is complex.
	Primary Category
	// Severity is SocialOrder / max(ProvinceAvg, DistrictAvg); 0 when not
	// eligible.
	Severity float64
	// Rank is the 1-based position among eligible, not-excluded units in
	// priority order; 0 otherwise.
	Rank   int
	Status Status
	// NTM is true when the unit's NTM certification falls under the
	// configured rule, whether or not it passes the gate: a below-average
	// certified unit is below_average, and its reason can still say NTM.
	NTM bool
}

// Proposal is the ranked list of candidate areas for a selection year.
type Proposal struct {
	Year       int
	TotalUnits int // all units given (eligible or not)
	Cap        int // floor(TotalUnits*CapPercent/100)
	Baseline   Baseline
	// Candidates has every unit once: proposed (by rank), cut_by_cap (by
	// rank), excluded_ntm and below_average (each by SocialOrder desc, then
	// code).
	Candidates []Candidate
}

// ExcludedByNTM reports whether u's new-rural certification keeps it out
// of the selection under p.NTMRule. The empty rule is NTMAlways.
func ExcludedByNTM(p SelectionParams, u Unit) bool {
	if u.NTMCertifiedOn.IsZero() {
		return false
	}
	switch p.NTMRule {
	case NTMNone:
		return false
	case NTMPreviousYear:
		return u.NTMCertifiedOn.Year() == p.Year-1
	default:
		// A certification after the proposal day is not known yet.
		return !u.NTMCertifiedOn.After(p.AsOf)
	}
}

// Propose evaluates every unit against the gate, the NTM exclusion and the
// cap, and ranks the rest. Priority: more complex categories first, then
// higher Severity, then higher SocialOrder, then unit code ascending.
// Comparisons are done in exact rational arithmetic so that "strictly
// above" at equality and severity ties do not depend on float rounding.
func Propose(p SelectionParams, units []Unit, counts map[string]Counts) Proposal {
	b := ComputeBaseline(units, counts)
	th := newThresholds(p.CategoryFactor, p.CategoryMinCount)
	prop := Proposal{
		Year:       p.Year,
		TotalUnits: len(units),
		Cap:        max(0, len(units)*p.CapPercent/100),
		Baseline:   b,
	}
	type entry struct {
		c   Candidate
		sev *big.Rat
	}
	var ranked, excluded, below []entry
	for _, u := range units {
		c := counts[u.Code]
		ev := evaluate(p.Grouped, th, b, u, c)
		cand := Candidate{
			Unit:          u,
			Counts:        c,
			ProvinceAvg:   ev.provAvg,
			HasDistrict:   ev.hasDistrict,
			DistrictAvg:   ev.distAvg,
			AboveProvince: ev.aboveProv,
			AboveDistrict: ev.aboveDist,
			Eligible:      ev.eligible(),
			Complex:       ev.complex,
			Primary:       ev.primary,
			NTM:           ExcludedByNTM(p, u),
		}
		switch {
		case !cand.Eligible:
			cand.Status = StatusBelowAverage
			below = append(below, entry{c: cand})
		case cand.NTM:
			cand.Severity, _ = ev.severity.Float64()
			cand.Status = StatusExcludedNTM
			excluded = append(excluded, entry{c: cand})
		default:
			cand.Severity, _ = ev.severity.Float64()
			ranked = append(ranked, entry{c: cand, sev: ev.severity})
		}
	}
	sort.SliceStable(ranked, func(i, j int) bool {
		a, b := ranked[i], ranked[j]
		if len(a.c.Complex) != len(b.c.Complex) {
			return len(a.c.Complex) > len(b.c.Complex)
		}
		if s := a.sev.Cmp(b.sev); s != 0 {
			return s > 0
		}
		if a.c.Counts.SocialOrder != b.c.Counts.SocialOrder {
			return a.c.Counts.SocialOrder > b.c.Counts.SocialOrder
		}
		return a.c.Unit.Code < b.c.Unit.Code
	})
	byCount := func(es []entry) {
		sort.SliceStable(es, func(i, j int) bool {
			a, b := es[i].c, es[j].c
			if a.Counts.SocialOrder != b.Counts.SocialOrder {
				return a.Counts.SocialOrder > b.Counts.SocialOrder
			}
			return a.Unit.Code < b.Unit.Code
		})
	}
	byCount(excluded)
	byCount(below)

	prop.Candidates = make([]Candidate, 0, len(units))
	for i, e := range ranked {
		e.c.Rank = i + 1
		e.c.Status = StatusProposed
		if e.c.Rank > prop.Cap {
			e.c.Status = StatusCutByCap
		}
		prop.Candidates = append(prop.Candidates, e.c)
	}
	for _, e := range excluded {
		prop.Candidates = append(prop.Candidates, e.c)
	}
	for _, e := range below {
		prop.Candidates = append(prop.Candidates, e.c)
	}
	return prop
}

// thresholds are the category test's settings after defaults.
type thresholds struct {
	factor   *big.Rat
	minCount int
}

func newThresholds(factor float64, minCount int) thresholds {
	if factor <= 0 {
		factor = 1
	}
	// The factor comes from a config file as a decimal such as 1.2; taking
	// its shortest decimal form keeps 6 > 1.2*5 false, as the user means.
	f, ok := new(big.Rat).SetString(strconv.FormatFloat(factor, 'g', -1, 64))
	if !ok {
		f = new(big.Rat).SetFloat64(factor)
	}
	return thresholds{factor: f, minCount: max(1, minCount)}
}

var ratOne = big.NewRat(1, 1)

// above reports count > factor * total/units, exactly. An empty area has
// no average to be above.
func above(count, units, total int, factor *big.Rat) bool {
	if units == 0 {
		return false
	}
	lhs := new(big.Rat).SetInt64(int64(count) * int64(units))
	rhs := new(big.Rat).Mul(factor, new(big.Rat).SetInt64(int64(total)))
	return lhs.Cmp(rhs) > 0
}

// avgRat is total/units as an exact fraction (0 for an empty area).
func avgRat(total, units int) *big.Rat {
	if units == 0 {
		return new(big.Rat)
	}
	return big.NewRat(int64(total), int64(units))
}

// over is count / avg, or nil when avg is 0 (read as infinitely far above).
func over(count int, avg *big.Rat) *big.Rat {
	if avg.Sign() == 0 {
		return nil
	}
	return new(big.Rat).Quo(new(big.Rat).SetInt64(int64(count)), avg)
}

// greater compares two results of over, nil being +infinity.
func greater(a, b *big.Rat) bool {
	switch {
	case a == nil:
		return b != nil
	case b == nil:
		return false
	}
	return a.Cmp(b) > 0
}

func maxRat(a, b *big.Rat) *big.Rat {
	if a.Cmp(b) >= 0 {
		return a
	}
	return b
}

// evaluation is one unit measured against a baseline: the part of the
// selection rules that relapse checks reuse.
type evaluation struct {
	provAvg, distAvg     float64
	hasDistrict          bool
	prov, dist           GroupAverages
	aboveProv, aboveDist bool
	complex              []Category
	primary              Category
	severity             *big.Rat // nil when not eligible
}

func (e evaluation) eligible() bool { return e.aboveProv && e.aboveDist }

// isComplex is the category test for k, against both levels when there is
// a district.
func (e evaluation) isComplex(th thresholds, c Counts, k Category) bool {
	n := c.ByCategory[k]
	if n < th.minCount || !above(n, e.prov.Units, e.prov.CatTotal[k], th.factor) {
		return false
	}
	return !e.hasDistrict || above(n, e.dist.Units, e.dist.CatTotal[k], th.factor)
}

// catMaxAvg is max(province, district) average of category k.
func (e evaluation) catMaxAvg(k Category) *big.Rat {
	a := avgRat(e.prov.CatTotal[k], e.prov.Units)
	if e.hasDistrict {
		a = maxRat(a, avgRat(e.dist.CatTotal[k], e.dist.Units))
	}
	return a
}

func evaluate(grouped bool, th thresholds, b Baseline, u Unit, c Counts) evaluation {
	e := evaluation{prov: b.Province, provAvg: b.Province.Avg, primary: Cat1}
	if grouped && u.District != "" {
		e.hasDistrict = true
		e.dist = b.Districts[u.District]
		e.distAvg = e.dist.Avg
	}
	e.aboveProv = above(c.SocialOrder, e.prov.Units, e.prov.Total, ratOne)
	e.aboveDist = !e.hasDistrict || above(c.SocialOrder, e.dist.Units, e.dist.Total, ratOne)

	var best *big.Rat
	for _, k := range Categories {
		if !e.isComplex(th, c, k) {
			continue
		}
		r := over(c.ByCategory[k], e.catMaxAvg(k))
		// Strictly greater keeps the lower code on a tie.
		if len(e.complex) == 0 || greater(r, best) {
			best, e.primary = r, k
		}
		e.complex = append(e.complex, k)
	}

	if e.eligible() {
		m := avgRat(e.prov.Total, e.prov.Units)
		if e.hasDistrict {
			m = maxRat(m, avgRat(e.dist.Total, e.dist.Units))
		}
		// Eligible means strictly above m >= 0, and the unit's own count
		// is in the totals, so m > 0 here.
		if m.Sign() > 0 {
			e.severity = new(big.Rat).Quo(new(big.Rat).SetInt64(int64(c.SocialOrder)), m)
		} else {
			e.severity = new(big.Rat)
		}
	}
	return e
}
