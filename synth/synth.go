// Package synth builds a demo province: districts and communes with real
// Quảng Ngãi names, daily offence statistics with hot spots, past
// selections, assessments and report submissions, all following one story
// so that every feature of the service has something to show on the demo
// day: candidates cut by the cap or excluded as new-rural communes,
// transformed areas that relapsed, late and missing reports.
//
// The story, year by year: hot spots (a few times the usual rate in one or
// more categories) are hot during the statistical year before a selection;
// in March the provincial committee selects about a tenth of the communes
// among them; during the year the selected areas cool down, and those
// recognised as transformed in January stay well below their old rate
// unless they relapse; those that failed carry over into the next year and
// cool down while they are worked on. New hot spots appear every year, some
// of them in communes certified new-rural, which the selection skips.
//
// Everything is drawn from math/rand/v2 PCG streams seeded with the seed,
// so one seed always gives the same dataset.
package synth

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// Options size the province and its history.
type Options struct {
	Districts, Units int
	// FromYear..ToYear are the selection years; statistics start on
	// 15 December of FromYear-1, the first day of statistical FromYear.
	FromYear, ToYear int
	// Today is the last day with statistics and the demo's "now".
	Today time.Time
}

// Demo returns the demo province's options: 13 districts, 170 communes,
// selection years 2021–2026, today 25 November 2026.
func Demo() Options {
	return Options{Districts: 13, Units: 170, FromYear: 2021, ToYear: 2026, Today: period.Date(2026, time.November, 25)}
}

// normalise fills zero fields from Demo and repairs impossible sizes: at
// least two communes per district, ToYear not before FromYear, and Today
// defaulting to 25 November of ToYear.
func (o Options) normalise() Options {
	d := Demo()
	if o.Districts <= 0 {
		o.Districts = d.Districts
	}
	if o.Units <= 0 {
		o.Units = d.Units
	}
	o.Units = max(o.Units, 2*o.Districts)
	if o.FromYear == 0 {
		o.FromYear = d.FromYear
	}
	if o.ToYear == 0 {
		o.ToYear = d.ToYear
	}
	o.ToYear = max(o.ToYear, o.FromYear)
	if o.Today.IsZero() {
		o.Today = period.Date(o.ToYear, time.November, 25)
	}
	o.Today = period.Date(o.Today.Date())
	return o
}

// ict is Vietnam's time, UTC+7 without daylight saving since 1975: exact
// for every date generated here, and needs no zone database.
var ict = time.FixedZone("ICT", 7*3600)

// Obligation settings the submissions are generated against: the defaults
// of the config package.
const (
	planDueDays = 30
	planCode    = "plan"
	h1Code      = "report_h1"
	yearCode    = "report_year"
)

// Story parameters.
const (
	selectShare     = 0.10 // communes selected per year
	ntmShare        = 0.35 // communes certified new-rural (xã only)
	transformRate   = 0.70 // selected areas recognised as transformed
	afterTransform  = 0.55 // rate of a transformed area, relative to its usual rate
	minHot, spanHot = 3.0, 3.0
)

// Stream numbers of the PCG generators: the statistics have their own
// stream so that the story does not shift when the statistics change.
const (
	streamStory = 0x63687579656e686f // "chuyenho"
	streamStats = 0x7374617473000001
)

type unit struct {
	code     string
	district int
	name     string
	kind     string
	ntm      time.Time
	rate     float64        // usual rate relative to an ordinary commune
	mult     [5][]float64   // by category, by statistical month: rate multiplier
	hot      [5]float64     // current hot factor by category; 0 when not hot
	areas    []transformed  // transformations recognised, oldest first
	relapsed map[int]bool   // by transformation year
	selected map[int]string // by year: "" or "supplementary"
}

type transformed struct {
	year     int
	category rules.Category
	on       time.Time
}

type gen struct {
	o      Options
	r      *rand.Rand
	cal    period.Calendar
	months int // statistical months from January of FromYear to Today's
	target int // selections per year
	ds     *store.Dataset
	units  []*unit
}

// Province generates the demo dataset for seed. Zero option fields take the
// Demo values.
func Province(seed int64, opts Options) *store.Dataset {
	g := &gen{
		o:   opts.normalise(),
		r:   rand.New(rand.NewPCG(uint64(seed), streamStory)),
		cal: period.Calendar{Cutoff: period.DefaultCutoff},
		ds:  &store.Dataset{},
	}
	g.months = max(0, g.monthIndex(g.o.Today)+1)
	g.places()
	g.offenceTypes()
	if g.months > 0 {
		g.story()
		g.submissions()
		g.stats(rand.New(rand.NewPCG(uint64(seed), streamStats)))
	}
	g.sortRows()
	return g.ds
}

// monthIndex numbers statistical months from January of FromYear (0).
func (g *gen) monthIndex(day time.Time) int {
	y, m, _ := g.cal.MonthOf(day)
	return (y-g.o.FromYear)*12 + int(m) - 1
}

func (g *gen) yearStart(y int) int { return (y - g.o.FromYear) * 12 }

func (g *gen) between(lo, hi float64) float64 { return lo + (hi-lo)*g.r.Float64() }

// day picks a day of month m of year y (1..28, so it exists in every month).
func (g *gen) day(y int, m time.Month) time.Time { return period.Date(y, m, 1+g.r.IntN(28)) }

// places creates districts and communes. The first thirteen districts are
// Quảng Ngãi's with their real communes; communes are shared out in
// proportion to the real counts, with made-up names past the real lists.
func (g *gen) places() {
	type plan struct {
		code, name, kind string
		busy             float64
		names            []string
	}
	plans := make([]plan, g.o.Districts)
	weights := make([]float64, g.o.Districts)
	var total float64
	for i := range plans {
		p := &plans[i]
		p.code = fmt.Sprintf("D%02d", i+1)
		if i < len(quangNgai) {
			d := quangNgai[i]
			p.name, p.kind, p.names = d.name, d.kind, d.units
			p.busy = d.busy * g.between(0.9, 1.1)
		} else {
			p.name, p.kind = "Huyện "+numbered(extraNames, i-len(quangNgai)), "huyen"
			p.busy = g.between(0.5, 1.6)
		}
		weights[i] = float64(max(len(p.names), 10))
		total += weights[i]
	}
	counts := apportion(g.o.Units, weights, total)

	for i, p := range plans {
		g.ds.Districts = append(g.ds.Districts, rules.District{Code: p.code, Name: p.name, Kind: p.kind})
		for j := range counts[i] {
			name := ""
			if j < len(p.names) {
				name = p.names[j]
			} else {
				name = "Xã " + numbered(extraNames, j-len(p.names))
			}
			kind := "xa"
			switch {
			case strings.HasPrefix(name, "Phường "):
				kind = "phuong"
			case strings.HasPrefix(name, "Thị trấn "):
				kind = "thi_tran"
			}
			rate := p.busy * math.Exp(0.3*g.r.NormFloat64())
			switch kind {
			case "phuong":
				rate *= 1.3
			case "thi_tran":
				rate *= 1.2
			}
			u := &unit{
				code: fmt.Sprintf("%sX%02d", p.code, j+1), district: i, name: name, kind: kind, rate: rate,
				relapsed: map[int]bool{}, selected: map[int]string{},
			}
			for k := range u.mult {
				u.mult[k] = make([]float64, g.months)
				for m := range u.mult[k] {
					u.mult[k][m] = 1
				}
			}
			g.units = append(g.units, u)
		}
	}
	g.newRural()
	for _, u := range g.units {
		g.ds.Units = append(g.ds.Units, store.UnitRow{Unit: rules.Unit{
			Code: u.code, Name: u.name, Kind: u.kind, District: g.ds.Districts[u.district].Code, NTMCertifiedOn: u.ntm,
		}})
	}
}

// numbered returns the i-th name, with a number once the list runs out.
func numbered(names []string, i int) string {
	if i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("%s %d", names[i%len(names)], i/len(names)+1)
}

// apportion shares n out by weight (largest remainder), at least two each.
func apportion(n int, w []float64, total float64) []int {
	out := make([]int, len(w))
	rem := make([]int, len(w))
	left := n
	for i := range w {
		out[i] = max(2, int(float64(n)*w[i]/total))
		left -= out[i]
		rem[i] = i
	}
	slices.SortStableFunc(rem, func(a, b int) int {
		fa := float64(n)*w[a]/total - math.Floor(float64(n)*w[a]/total)
		fb := float64(n)*w[b]/total - math.Floor(float64(n)*w[b]/total)
		return cmp.Compare(fb, fa)
	})
	for i := 0; left > 0; i = (i + 1) % len(w) {
		out[rem[i]]++
		left--
	}
	for i := len(w) - 1; left < 0; i = (i + len(w) - 1) % len(w) {
		if out[i] > 2 {
			out[i]--
			left++
		}
	}
	return out
}

// newRural certifies about a third of the xã: a third of those before the
// first selection year, the rest spread over the years up to today.
func (g *gen) newRural() {
	var xa []*unit
	for _, u := range g.units {
		if u.kind == "xa" {
			xa = append(xa, u)
		}
	}
	n := min(len(xa), int(math.Round(ntmShare*float64(len(g.units)))))
	perm := g.r.Perm(len(xa))
	early := (n + 2) / 3
	for i := range n {
		u := xa[perm[i]]
		var y int
		if i < early {
			y = g.o.FromYear - 4 + g.r.IntN(4)
		} else {
			y = g.o.FromYear + g.r.IntN(g.o.ToYear-g.o.FromYear+1)
		}
		d := g.day(y, time.Month(1+g.r.IntN(12)))
		if d.After(g.o.Today) {
			d = g.o.Today.AddDate(0, 0, -1-g.r.IntN(300))
		}
		u.ntm = d
	}
}

// ntmBy reports whether u is certified new-rural on or before day.
func (u *unit) ntmBy(day time.Time) bool { return !u.ntm.IsZero() && !u.ntm.After(day) }

func (u *unit) isHot() bool {
	return slices.ContainsFunc(u.hot[1:], func(f float64) bool { return f > 0 })
}

func (u *unit) nHot() int {
	n := 0
	for _, f := range u.hot[1:] {
		if f > 0 {
			n++
		}
	}
	return n
}

// setFrom sets category k's multiplier to f from month i on.
func (u *unit) setFrom(k rules.Category, i int, f float64) {
	for m := max(i, 0); m < len(u.mult[k]); m++ {
		u.mult[k][m] = f
	}
}

// ramp moves category k's multiplier linearly from its value at month
// from to f over the months from..to, and holds f afterwards.
func (u *unit) ramp(k rules.Category, from, to int, f float64) {
	if from >= len(u.mult[k]) {
		return
	}
	start := u.mult[k][max(from, 0)]
	steps := max(to-from, 1)
	for m := max(from, 0); m < len(u.mult[k]); m++ {
		s := min(m-from+1, steps)
		u.mult[k][m] = start + (f-start)*float64(s)/float64(steps)
	}
}

// heat makes u a hot spot from month onset in the given categories.
func (g *gen) heat(u *unit, onset int, cats ...rules.Category) {
	for _, k := range cats {
		u.hot[k] = g.between(minHot, minHot+spanHot)
		u.setFrom(k, onset, u.hot[k])
	}
}

// hotCats draws the categories of a new hot spot that can be selected:
// social-order crime always (the eligibility gate counts it), often more.
func (g *gen) hotCats() []rules.Category {
	cats := []rules.Category{rules.Cat1}
	// A slice, not a map: map order would change the draws between runs.
	for _, kp := range []struct {
		k rules.Category
		p float64
	}{{rules.Cat2, 0.25}, {rules.Cat3, 0.2}, {rules.Cat4, 0.35}} {
		if g.r.Float64() < kp.p {
			cats = append(cats, kp.k)
		}
	}
	return cats
}

// spawn makes n new selectable hot spots with onset in months lo..hi among
// communes that are not hot, not certified new-rural by asOf and never
// transformed (a transformed area coming back is a relapse, not a new
// hot spot). Busier communes are likelier to become hot spots: the weight
// is the usual rate raised to bias.
func (g *gen) spawn(n, lo, hi int, asOf time.Time, bias float64) {
	type keyed struct {
		u   *unit
		key float64
	}
	var free []keyed
	for _, u := range g.units {
		if !u.isHot() && !u.ntmBy(asOf) && len(u.areas) == 0 {
			// Weighted sampling without replacement (Efraimidis–Spirakis):
			// the n largest U^(1/w).
			free = append(free, keyed{u, math.Pow(g.r.Float64(), 1/math.Pow(u.rate, bias))})
		}
	}
	slices.SortStableFunc(free, func(a, b keyed) int { return cmp.Compare(b.key, a.key) })
	for _, f := range free[:min(max(n, 0), len(free))] {
		g.heat(f.u, lo+g.r.IntN(max(hi-lo+1, 1)), g.hotCats()...)
	}
}

// story draws hot spots, selections, assessments and relapses year by year.
func (g *gen) story() {
	n := len(g.units)
	g.target = max(1, int(math.Round(selectShare*float64(n))))
	first := period.Date(g.o.FromYear, time.March, 31)

	// At the start: selectable hot spots, hot spots in communes already
	// certified new-rural (never selected, so they stay hot), and a few
	// communes complex in one category only.
	g.spawn(g.target+3, 0, 0, first, 0.5)
	var ntm, side []*unit
	for _, u := range g.units {
		switch {
		case u.isHot():
		case u.ntmBy(period.Date(g.o.FromYear-1, time.December, 31)):
			ntm = append(ntm, u)
		case u.ntm.IsZero():
			side = append(side, u)
		}
	}
	g.r.Shuffle(len(ntm), func(i, j int) { ntm[i], ntm[j] = ntm[j], ntm[i] })
	for _, u := range ntm[:min(len(ntm), max(1, int(math.Round(0.02*float64(n)))))] {
		g.heat(u, 0, g.hotCats()...)
	}
	g.r.Shuffle(len(side), func(i, j int) { side[i], side[j] = side[j], side[i] })
	for _, u := range side[:min(len(side), max(1, int(math.Round(0.015*float64(n)))))] {
		g.heat(u, 0, rules.Category(2+g.r.IntN(3)))
	}

	for y := g.o.FromYear; y <= g.o.ToYear; y++ {
		ys := g.yearStart(y)
		dec := g.day(y, time.March)
		if dec.After(g.o.Today) {
			break
		}
		decIdx := g.monthIndex(dec)
		g.carryOver(y, dec)
		pool := g.pool(dec)
		chosen := pool[:min(g.target, len(pool))]
		assessed := period.Date(y+1, time.January, 8+g.r.IntN(20))
		for _, u := range chosen {
			g.choose(u, y, dec, decIdx, ys+9, assessed)
		}
		if y == g.o.ToYear {
			g.supplementary(y, dec, pool[len(chosen):])
			g.relapse(y, decIdx+1, min(decIdx+3, g.months-5), max(1, int(math.Round(0.02*float64(n)))))
			g.spawn(g.target+3, ys, min(ys+3, g.months-6), g.o.Today, 1)
			continue
		}
		if y > g.o.FromYear {
			g.relapse(y, ys+3, ys+7, 1)
		}
		// Enough hot spots for next year's selection, appearing during this
		// statistical year (the reference period of the next selection).
		next := period.Date(y+1, time.March, 31)
		g.spawn(g.target+3-len(g.pool(next)), ys, ys+5, next, 0.5)
	}
}

// pool lists the selectable hot spots on day dec, the committee's
// preference first: several categories, then how hot, with some judgement.
func (g *gen) pool(dec time.Time) []*unit {
	type scored struct {
		u *unit
		s float64
	}
	var ps []scored
	for _, u := range g.units {
		if u.hot[rules.Cat1] > 0 && !u.ntmBy(dec) {
			sum := 0.0
			for _, f := range u.hot[1:] {
				sum += f
			}
			ps = append(ps, scored{u, 2*float64(u.nHot()) + sum*g.between(0.8, 1.2)})
		}
	}
	slices.SortStableFunc(ps, func(a, b scored) int {
		if c := cmp.Compare(b.s, a.s); c != 0 {
			return c
		}
		return strings.Compare(a.u.code, b.u.code)
	})
	out := make([]*unit, len(ps))
	for i, p := range ps {
		out[i] = p.u
	}
	return out
}

// choose records the selection of u for year y and its outcome: a
// transformed area cools down to well below its usual rate by the year-end
// review (month end), a failed one only somewhat and stays hot.
func (g *gen) choose(u *unit, y int, dec time.Time, decIdx, end int, assessed time.Time) {
	cat := rules.Cat1
	for k := rules.Cat2; k <= rules.Cat4; k++ {
		if u.hot[k] > u.hot[cat] {
			cat = k
		}
	}
	u.selected[y] = ""
	g.ds.Selections = append(g.ds.Selections, rules.Selection{Year: y, Unit: u.code, Category: cat, DecidedOn: dec})
	ok := g.r.Float64() < transformRate
	for _, k := range rules.Categories {
		switch {
		case ok:
			u.ramp(k, decIdx, end, afterTransform)
			u.hot[k] = 0
		case u.hot[k] > 0:
			u.hot[k] = max(2.5, 0.75*u.hot[k])
			u.ramp(k, decIdx, end, u.hot[k])
		}
	}
	if assessed.After(g.o.Today) {
		return
	}
	g.ds.Assessments = append(g.ds.Assessments, rules.Assessment{Year: y, Unit: u.code, Transformed: ok, AssessedOn: assessed})
	if ok {
		u.areas = append(u.areas, transformed{year: y, category: cat, on: assessed})
	}
}

// supplementary adds two late decisions in the last year, 36 and 26 days
// before today, so that a plan is overdue and another coming due on the
// demo day. They go to districts that already have selections.
func (g *gen) supplementary(y int, dec time.Time, rest []*unit) {
	has := map[int]bool{}
	for _, u := range g.units {
		if _, ok := u.selected[y]; ok {
			has[u.district] = true
		}
	}
	var cands []*unit
	for _, u := range rest {
		if has[u.district] {
			cands = append(cands, u)
		}
	}
	if len(cands) < 2 {
		for _, u := range g.units {
			_, sel := u.selected[y]
			if has[u.district] && !sel && !u.ntmBy(g.o.Today) && !slices.Contains(cands, u) {
				cands = append(cands, u)
			}
		}
	}
	for i, ago := range []int{36, 26} {
		day := g.o.Today.AddDate(0, 0, -ago)
		if i >= len(cands) || day.Year() != y || !day.After(dec.AddDate(0, 0, planDueDays+15)) {
			return
		}
		u := cands[i]
		u.selected[y] = "supplementary"
		cat := rules.Cat1
		if u.hot[rules.Cat4] > u.hot[cat] {
			cat = rules.Cat4
		}
		g.ds.Selections = append(g.ds.Selections, rules.Selection{Year: y, Unit: u.code, Category: cat, DecidedOn: day})
	}
}

// relapse makes n transformed areas hot again from a month in lo..hi, in
// the category they were transformed from (and often social-order crime
// too). Areas under selection this year are left alone.
func (g *gen) relapse(y, lo, hi, n int) {
	if hi < lo {
		hi = lo
	}
	onsetDay := g.cal.Month(g.o.FromYear, time.Month(lo+1)).From
	var cands []*unit
	for _, u := range g.units {
		_, sel := u.selected[y]
		if len(u.areas) == 0 || sel || u.isHot() {
			continue
		}
		a := u.areas[len(u.areas)-1]
		if a.on.Before(onsetDay) && !u.relapsed[a.year] {
			cands = append(cands, u)
		}
	}
	g.r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	for _, u := range cands[:min(n, len(cands))] {
		a := u.areas[len(u.areas)-1]
		u.relapsed[a.year] = true
		onset := lo + g.r.IntN(hi-lo+1)
		cats := []rules.Category{a.category}
		if a.category != rules.Cat1 && g.r.Float64() < 0.5 {
			cats = append(cats, rules.Cat1)
		}
		g.heat(u, onset, cats...)
	}
}

// submissions records the reports district committees sent: the plan for
// each selected commune (due 30 days after the decision), the six-month
// report (20 June) and the yearly one (20 December). Most arrive on time,
// some late, a few never; in the last year two plans and two six-month
// reports are missing so that the demo day has escalations.
func (g *gen) submissions() {
	unitOf := map[string]*unit{}
	for _, u := range g.units {
		unitOf[u.code] = u
	}
	for y := g.o.FromYear; y <= g.o.ToYear; y++ {
		var sel []rules.Selection
		for _, s := range g.ds.Selections {
			if s.Year == y {
				sel = append(sel, s)
			}
		}
		if len(sel) == 0 {
			continue
		}
		last := y == g.o.ToYear
		var districts []int
		var main []rules.Selection
		for _, s := range sel {
			u := unitOf[s.Unit]
			if !slices.Contains(districts, u.district) {
				districts = append(districts, u.district)
			}
			if u.selected[y] == "" {
				main = append(main, s)
			}
		}
		slices.Sort(districts)

		missingPlans := map[string]bool{}
		if last {
			perm := g.r.Perm(len(main))
			for _, i := range perm[:min(2, len(main))] {
				missingPlans[main[i].Unit] = true
			}
		}
		for _, s := range main {
			u := unitOf[s.Unit]
			due := s.DecidedOn.AddDate(0, 0, planDueDays)
			if missingPlans[s.Unit] {
				continue
			}
			g.submit(u.district, planCode, fmt.Sprintf("%04d", y), s.Unit, s.DecidedOn.AddDate(0, 0, 7), due, last)
		}

		missingH1 := map[int]bool{}
		if last {
			perm := g.r.Perm(len(districts))
			for _, i := range perm[:min(2, len(districts)-1)] {
				missingH1[districts[i]] = true
			}
		}
		for _, d := range districts {
			if !missingH1[d] {
				g.submit(d, h1Code, fmt.Sprintf("%04d-H1", y), "", period.Date(y, time.June, 8), period.Date(y, time.June, 20), last)
			}
			g.submit(d, yearCode, fmt.Sprintf("%04d", y), "", period.Date(y, time.December, 8), period.Date(y, time.December, 20), last)
		}
	}
}

// submit draws when a report due on due was sent (from earliest on; late
// by up to three weeks; or never) and records it if that is before today.
// In the last year nothing goes missing by chance: the missing reports
// are chosen by the caller.
func (g *gen) submit(district int, obligation, periodKey, unitCode string, earliest, due time.Time, last bool) {
	var day time.Time
	p := g.r.Float64()
	switch {
	case p < 0.80:
		span := max(int(due.Sub(earliest).Hours()/24), 0)
		day = earliest.AddDate(0, 0, g.r.IntN(span+1))
		for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			day = day.AddDate(0, 0, -1) // sent on the Friday before
		}
	case p < 0.94 || last:
		day = due.AddDate(0, 0, 1+g.r.IntN(21))
		for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			day = day.AddDate(0, 0, 1) // sent on the Monday after
		}
	default:
		return
	}
	at := time.Date(day.Year(), day.Month(), day.Day(), 7+g.r.IntN(10), g.r.IntN(60), g.r.IntN(60), 0, ict).UTC()
	if !day.Before(g.o.Today) {
		return
	}
	g.ds.Submissions = append(g.ds.Submissions, store.SubmissionRow{
		District: g.ds.Districts[district].Code, Obligation: obligation, Period: periodKey, Unit: unitCode, SubmittedAt: at,
	})
}

// offenceTypes lists the offence types.
func (g *gen) offenceTypes() {
	for _, o := range offences {
		g.ds.Offences = append(g.ds.Offences, store.Offence{Code: o.code, Name: o.name, Category: o.cat, SocialOrder: o.socialOrder})
	}
}

// stats draws daily counts: Poisson with the offence's base rate times the
// commune's usual rate times its category multiplier for the month, a
// little higher around Tết for theft, fights, gambling and smuggling. Only
// days with a count are kept.
func (g *gen) stats(r *rand.Rand) {
	lam := make([]float64, len(offences))
	for _, u := range g.units {
		for i := range g.months {
			y, m := g.o.FromYear+i/12, time.Month(i%12+1)
			rg := g.cal.Month(y, m)
			for oi, o := range offences {
				lam[oi] = o.perYear / 365 * u.rate * u.mult[o.cat][i]
				if o.tet && (m == time.January || m == time.February) {
					lam[oi] *= 1.35
				}
				lam[oi] = math.Exp(-lam[oi]) // Knuth's method compares against e^-λ
			}
			for d := rg.From; !d.After(rg.To) && !d.After(g.o.Today); d = d.AddDate(0, 0, 1) {
				for oi, limit := range lam {
					if c := poisson(r, limit); c > 0 {
						g.ds.Stats = append(g.ds.Stats, store.Stat{Unit: u.code, Day: d, Offence: offences[oi].code, Count: c})
					}
				}
			}
		}
	}
}

// poisson draws a Poisson count by Knuth's method, given limit = e^-λ; fine
// for the small daily rates here.
func poisson(r *rand.Rand, limit float64) int {
	k, p := 0, r.Float64()
	for p > limit {
		k++
		p *= r.Float64()
	}
	return k
}

// sortRows puts every table in key order.
func (g *gen) sortRows() {
	ds := g.ds
	slices.SortFunc(ds.Selections, func(a, b rules.Selection) int {
		return cmp.Or(cmp.Compare(a.Year, b.Year), strings.Compare(a.Unit, b.Unit))
	})
	slices.SortFunc(ds.Assessments, func(a, b rules.Assessment) int {
		return cmp.Or(cmp.Compare(a.Year, b.Year), strings.Compare(a.Unit, b.Unit))
	})
	slices.SortFunc(ds.Submissions, func(a, b store.SubmissionRow) int {
		return cmp.Or(strings.Compare(a.District, b.District), strings.Compare(a.Obligation, b.Obligation),
			strings.Compare(a.Period, b.Period), strings.Compare(a.Unit, b.Unit))
	})
}
