package rules

import (
	"cmp"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"slices"
	"strconv"
	"strings"
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

// SameProposal reports whether Propose gives the same proposal with a
// and with b over units, whatever the counts: the parameters differ at
// most in AsOf, which Propose reads only for the NTM exclusion, and that
// excludes the same units on both days.
func SameProposal(a, b SelectionParams, units []Unit) bool {
	x, y := a, b
	x.AsOf, y.AsOf = time.Time{}, time.Time{}
	if x != y {
		return false
	}
	for _, u := range units {
		if ExcludedByNTM(a, u) != ExcludedByNTM(b, u) {
			return false
		}
	}
	return true
}

// Propose evaluates every unit against the gate, the NTM exclusion and the
// cap, and ranks the rest. Priority: more complex categories first, then
// higher Severity, then higher SocialOrder, then unit code ascending.
// Comparisons are done in exact rational arithmetic so that "strictly
// above" at equality and severity ties do not depend on float rounding
// (see exact).
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
		sev exact
	}
	// The three lists share one array, sized once (candidates are large).
	buf := make([]entry, 0, len(units))
	var ranked, excluded, below []int // indexes into buf
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
		e := entry{c: cand}
		switch {
		case !cand.Eligible:
			e.c.Status = StatusBelowAverage
			below = append(below, len(buf))
		case cand.NTM:
			e.c.Severity = ev.severity.float()
			e.c.Status = StatusExcludedNTM
			excluded = append(excluded, len(buf))
		default:
			e.c.Severity = ev.severity.float()
			e.sev = ev.severity
			ranked = append(ranked, len(buf))
		}
		buf = append(buf, e)
	}
	// Candidates are large: sort pointers to them, not the structs.
	sorted := func(idx []int, order func(a, b *entry) int) []*entry {
		ps := make([]*entry, len(idx))
		for i, k := range idx {
			ps[i] = &buf[k]
		}
		slices.SortStableFunc(ps, order)
		return ps
	}
	byCount := func(a, b *entry) int {
		if a.c.Counts.SocialOrder != b.c.Counts.SocialOrder {
			return cmp.Compare(b.c.Counts.SocialOrder, a.c.Counts.SocialOrder)
		}
		return strings.Compare(a.c.Unit.Code, b.c.Unit.Code)
	}
	byPriority := func(a, b *entry) int {
		if len(a.c.Complex) != len(b.c.Complex) {
			return cmp.Compare(len(b.c.Complex), len(a.c.Complex))
		}
		if s := a.sev.cmp(b.sev); s != 0 {
			return -s
		}
		return byCount(a, b)
	}

	prop.Candidates = make([]Candidate, 0, len(units))
	for i, e := range sorted(ranked, byPriority) {
		e.c.Rank = i + 1
		e.c.Status = StatusProposed
		if e.c.Rank > prop.Cap {
			e.c.Status = StatusCutByCap
		}
		prop.Candidates = append(prop.Candidates, e.c)
	}
	for _, e := range sorted(excluded, byCount) {
		prop.Candidates = append(prop.Candidates, e.c)
	}
	for _, e := range sorted(below, byCount) {
		prop.Candidates = append(prop.Candidates, e.c)
	}
	return prop
}

// thresholds are the category test's settings after defaults.
type thresholds struct {
	factor   exact
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
	return thresholds{factor: exactRat(f), minCount: max(1, minCount)}
}

// exact is a fraction n/d computed and compared exactly. The rules only
// divide sums of counts by numbers of units, so nearly always n and d are
// small non-negative integers, kept as such and compared through 128-bit
// products, without allocating: the candidate ranking compares thousands
// of them. Anything else (a negative count from a province's view, a
// product beyond 64 bits) is kept as a big.Rat and compared as one. A
// zero d with no big.Rat stands for +infinity: a count over an average
// of zero.
type exact struct {
	n, d uint64
	r    *big.Rat // when set, the value (n and d are unused)
}

var (
	exactZero = exact{n: 0, d: 1}
	exactOne  = exact{n: 1, d: 1}
	exactInf  = exact{n: 1, d: 0}
)

// exactRat is r as an exact, in the small form when it fits.
func exactRat(r *big.Rat) exact {
	if r.Sign() >= 0 && r.Num().IsUint64() && r.Denom().IsUint64() {
		return exact{n: r.Num().Uint64(), d: r.Denom().Uint64()}
	}
	return exact{r: new(big.Rat).Set(r)}
}

// frac is a*b/c for integers; c must not be 0.
func frac(a, b, c int) exact {
	if a >= 0 && b >= 0 && c > 0 {
		if hi, lo := bits.Mul64(uint64(a), uint64(b)); hi == 0 {
			return exact{n: lo, d: uint64(c)}
		}
	}
	return exact{r: new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(int64(a)), big.NewInt(int64(b))), big.NewInt(int64(c)))}
}

func (x exact) inf() bool { return x.r == nil && x.d == 0 }

// rat is x as a big.Rat; x must be finite.
func (x exact) rat() *big.Rat {
	if x.r != nil {
		return x.r
	}
	return new(big.Rat).SetFrac(new(big.Int).SetUint64(x.n), new(big.Int).SetUint64(x.d))
}

// cmp compares x and y: -1, 0 or +1.
func (x exact) cmp(y exact) int {
	switch {
	case x.inf() && y.inf():
		return 0
	case x.inf():
		return 1
	case y.inf():
		return -1
	case x.r == nil && y.r == nil:
		// x.n/x.d ? y.n/y.d  <=>  x.n*y.d ? y.n*x.d, both sides < 2^128.
		h1, l1 := bits.Mul64(x.n, y.d)
		h2, l2 := bits.Mul64(y.n, x.d)
		switch {
		case h1 != h2:
			return cmpUint(h1, h2)
		default:
			return cmpUint(l1, l2)
		}
	}
	return x.rat().Cmp(y.rat())
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// float is x rounded to the nearest float64, as big.Rat.Float64 gives it
// (a quotient of two integers below 2^53 is exact before the one rounding
// of the division).
func (x exact) float() float64 {
	switch {
	case x.inf():
		return math.Inf(1)
	case x.r == nil && x.n < 1<<53 && x.d < 1<<53:
		return float64(x.n) / float64(x.d)
	}
	f, _ := x.rat().Float64()
	return f
}

// avg is total/units as an exact fraction (0 for an empty area).
func avg(total, units int) exact {
	if units == 0 {
		return exactZero
	}
	return frac(total, 1, units)
}

// above reports count > factor * total/units, exactly. An empty area has
// no average to be above.
func above(count, units, total int, factor exact) bool {
	if units == 0 {
		return false
	}
	// count > factor*total/units  <=>  count*units > factor*total.
	return frac(count, units, 1).cmp(mulInt(factor, total)) > 0
}

// mulInt is x*k for a finite x.
func mulInt(x exact, k int) exact {
	if x.r == nil && k >= 0 {
		if hi, lo := bits.Mul64(x.n, uint64(k)); hi == 0 {
			return exact{n: lo, d: x.d}
		}
	}
	return exact{r: new(big.Rat).Mul(x.rat(), new(big.Rat).SetInt64(int64(k)))}
}

// over is count / a, +infinity when a is 0.
func over(count int, a exact) exact {
	switch {
	case a.inf():
		return exactZero
	case a.r == nil && a.n == 0:
		return exactInf
	case a.r == nil && count >= 0:
		// count / (n/d) = count*d / n.
		if hi, lo := bits.Mul64(uint64(count), a.d); hi == 0 {
			return exact{n: lo, d: a.n}
		}
	}
	if a.rat().Sign() == 0 {
		return exactInf
	}
	return exactRat(new(big.Rat).Quo(new(big.Rat).SetInt64(int64(count)), a.rat()))
}

func maxExact(a, b exact) exact {
	if a.cmp(b) >= 0 {
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
	severity             exact // 0 when not eligible
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
func (e evaluation) catMaxAvg(k Category) exact {
	a := avg(e.prov.CatTotal[k], e.prov.Units)
	if e.hasDistrict {
		a = maxExact(a, avg(e.dist.CatTotal[k], e.dist.Units))
	}
	return a
}

func evaluate(grouped bool, th thresholds, b Baseline, u Unit, c Counts) evaluation {
	e := evaluation{prov: b.Province, provAvg: b.Province.Avg, primary: Cat1, severity: exactZero}
	if grouped && u.District != "" {
		e.hasDistrict = true
		e.dist = b.Districts[u.District]
		e.distAvg = e.dist.Avg
	}
	e.aboveProv = above(c.SocialOrder, e.prov.Units, e.prov.Total, exactOne)
	e.aboveDist = !e.hasDistrict || above(c.SocialOrder, e.dist.Units, e.dist.Total, exactOne)

	var best exact
	for _, k := range Categories {
		if !e.isComplex(th, c, k) {
			continue
		}
		r := over(c.ByCategory[k], e.catMaxAvg(k))
		// Strictly greater keeps the lower code on a tie.
		if len(e.complex) == 0 || r.cmp(best) > 0 {
			best, e.primary = r, k
		}
		e.complex = append(e.complex, k)
	}

	if e.eligible() {
		m := avg(e.prov.Total, e.prov.Units)
		if e.hasDistrict {
			m = maxExact(m, avg(e.dist.Total, e.dist.Units))
		}
		// Eligible means strictly above m >= 0, and the unit's own count
		// is in the totals, so m > 0 here.
		if m.cmp(exactZero) > 0 {
			e.severity = over(c.SocialOrder, m)
		}
	}
	return e
}
