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
// With a reform day (Options.Reform, on in Demo) the province goes
// through the 2025 reform: until the day before, its districts and old
// communes; from that day on no districts, and the old communes merged
// into new ones with new codes (unit_successions). The story carries on
// across the merger: a new commune has the crimes of its parts, is hot
// where one of them was, and is watched for the areas transformed in
// them; the next selections are made among the new communes, and their
// bodies owe the reports.
//
// Everything is drawn from math/rand/v2 PCG streams seeded with the seed,
// so one seed always gives the same dataset.
package synth

import (
	"cmp"
	"fmt"
	"maps"
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
	// Reform is the first day of the two-tier local government: from it
	// on the old communes are merged into new ones (mostly two to four
	// each; see merge) without districts. Zero, or a day outside the
	// statistics up to Today, keeps the three-tier province throughout.
	Reform time.Time
}

// ReformDay is when the 2025 reform took effect: 1 July 2025.
func ReformDay() time.Time { return period.Date(2025, time.July, 1) }

// Demo returns the demo province's options: 13 districts and 170 communes
// until the reform of 1 July 2025, selection years 2021–2026, today 25
// November 2026.
func Demo() Options {
	o := ThreeTier()
	o.Reform = ReformDay()
	return o
}

// ThreeTier returns the options of the demo province without the reform:
// its 13 districts and 170 communes to this day, as the demo showed before
// the reform was built.
func ThreeTier() Options {
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
	if !o.Reform.IsZero() {
		o.Reform = period.Date(o.Reform.Date())
		if !o.Reform.After(period.Date(o.FromYear-1, time.December, 15)) || o.Reform.After(o.Today) {
			o.Reform = time.Time{}
		}
	}
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
	// The reform merges about three old communes into one (Quảng Ngãi:
	// 173 into 56 on its old territory), never more than maxMerge.
	mergeRatio = 170.0 / 56
	maxMerge   = 6
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

	// With the reform: an old commune's validity ends the day before and
	// next is the new commune it merged into; a new commune's begins on
	// the reform day, preds are the old communes merged into it and share
	// is one old commune's share of it. Story factors (hot, the level a
	// transformed area cools to) are an old commune's: lift scales them
	// to the share of a new one.
	from, to time.Time
	next     *unit
	preds    []*unit
	share    float64
}

// lift turns a story factor of one old commune's territory into the
// multiplier of u: the factor itself for a commune of the old size, less
// for a merged one, of which that territory is only a part.
func (u *unit) lift(f float64) float64 {
	if u.share == 0 || u.share == 1 {
		return f
	}
	return 1 + (f-1)*u.share
}

// validOn reports whether u exists on day.
func (u *unit) validOn(day time.Time) bool {
	return (u.from.IsZero() || !u.from.After(day)) && (u.to.IsZero() || !u.to.Before(day))
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
	units  []*unit // the old communes, then the new ones
	byCode map[string]*unit
	// merged is set once the new communes have taken over the story of
	// the old ones (takeOver); newCode alternates the codes the reform
	// year's verdicts are recorded on.
	merged, newCode bool
}

// live lists the communes the story works on now: before the reform the
// old ones, after it the new ones; all of them without a reform.
func (g *gen) live() []*unit {
	if g.o.Reform.IsZero() {
		return g.units
	}
	var out []*unit
	for _, u := range g.units {
		if g.merged == (len(u.preds) > 0) {
			out = append(out, u)
		}
	}
	return out
}

// targetFor is how many communes a selection takes among n.
func targetFor(n int) int { return max(1, int(math.Round(selectShare*float64(n)))) }

// Province generates the demo dataset for seed. Zero option fields take the
// Demo values, but for Reform: a zero reform day is no reform.
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
	}
	g.rows()
	if g.months > 0 {
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
		if !g.o.Reform.IsZero() && len(p.names) > 0 {
			// Real names only: the reform's new communes are named after them.
			weights[i] = float64(len(p.names))
		}
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
			kind := kindOf(name)
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
	g.byCode = map[string]*unit{}
	for _, u := range g.units {
		g.byCode[u.code] = u
	}
}

// rows writes the units, their successions and the districts' end.
func (g *gen) rows() {
	end := g.o.Reform.AddDate(0, 0, -1)
	for _, u := range g.units {
		row := store.UnitRow{Unit: rules.Unit{Code: u.code, Name: u.name, Kind: u.kind, NTMCertifiedOn: u.ntm}, ValidFrom: u.from, ValidTo: u.to}
		if u.district >= 0 {
			row.District = g.ds.Districts[u.district].Code
		}
		g.ds.Units = append(g.ds.Units, row)
		if u.next != nil {
			g.ds.Successions = append(g.ds.Successions, rules.Succession{Predecessor: u.code, Successor: u.next.code, EffectiveOn: g.o.Reform})
		}
	}
	if g.merged {
		for i := range g.ds.Districts {
			g.ds.Districts[i].ValidTo = end
		}
	}
}

// merge creates the new communes of the reform, on its day, from the old
// communes as the story has left them. Within each old district (and a
// few across, reformAcross) the old communes merge into groups of about
// the same usual crime, as the reform formed communes of comparable size:
// two where the district is busy, up to maxMerge in the quiet mountains,
// an island into one special zone. Which communes merge is the
// generator's choice, made so that the story stays readable across the
// merger: areas transformed before it merge with each other and with
// ordinary communes rather than with a hot spot, hot spots with ordinary
// communes, and no two communes selected in one year merge (each year's
// areas stay as many as were selected). Each new commune is named by
// reformQuangNgai.
func (g *gen) merge() {
	byDistrict := make([][]*unit, len(g.ds.Districts))
	total := 0.0
	for _, u := range g.units {
		byDistrict[u.district] = append(byDistrict[u.district], u)
		total += u.rate
	}
	island := func(d int) bool { return d < len(reformQuangNgai) && reformQuangNgai[d].island }
	for _, a := range reformAcross {
		from, to := a[0], a[1]
		if from >= len(byDistrict) || to >= len(byDistrict) || len(byDistrict[from]) < 3 || island(from) || island(to) {
			continue
		}
		last := byDistrict[from][len(byDistrict[from])-1]
		byDistrict[from] = byDistrict[from][:len(byDistrict[from])-1]
		byDistrict[to] = append([]*unit{last}, byDistrict[to]...)
	}
	// The target crime of a new commune: the one that gives the number of
	// new communes the ratio asks for (the story's wishes cut some groups
	// short, so it is searched for, not computed).
	want := math.Max(1, math.Round(float64(len(g.units))/mergeRatio))
	cut := func(target float64) [][][]*unit {
		out := make([][][]*unit, len(byDistrict))
		for d, us := range byDistrict {
			out[d] = [][]*unit{us}
			if !island(d) {
				out[d] = balanced(storyOrder(us), target)
			}
		}
		return out
	}
	var plan [][][]*unit
	bestDiff := math.Inf(1)
	for f := 1.0; f <= 2; f += 0.05 {
		p := cut(f * total / want)
		n := 0
		for _, gs := range p {
			n += len(gs)
		}
		if d := math.Abs(float64(n) - want); d < bestDiff {
			plan, bestDiff = p, d
		}
	}
	used := map[string]bool{}
	end := g.o.Reform.AddDate(0, 0, -1)
	made := 0
	for d, groups := range plan {
		for _, preds := range groups {
			made++
			n := &unit{code: fmt.Sprintf("X%02d", made), district: -1, from: g.o.Reform,
				preds: preds, share: 1 / float64(len(preds)), relapsed: map[int]bool{}, selected: map[int]string{}}
			n.name, n.kind = g.newName(d, preds, island(d), used)
			for _, p := range preds {
				p.next, p.to = n, end
				n.rate += p.rate
			}
			n.ntm = keptNewRural(n, g.o.Reform)
			for k := range n.mult {
				n.mult[k] = make([]float64, g.months)
				for m := range n.mult[k] {
					n.mult[k][m] = 1
				}
			}
			g.units = append(g.units, n)
			g.byCode[n.code] = n
		}
	}
}

// storyOrder orders a district's old communes for merging: the
// transformed areas first, then the ordinary communes with the hot spots
// spread among them.
func storyOrder(us []*unit) []*unit {
	var areas, plain, hot []*unit
	for _, u := range us {
		switch {
		case u.isHot():
			hot = append(hot, u)
		case len(u.areas) > 0:
			areas = append(areas, u)
		default:
			plain = append(plain, u)
		}
	}
	out := areas
	every := max(1, len(plain)/max(len(hot), 1))
	for i, u := range plain {
		if i%every == 0 && len(hot) > 0 {
			out, hot = append(out, hot[0]), hot[1:]
		}
		out = append(out, u)
	}
	return append(out, hot...)
}

// balanced cuts us, in order, into groups of one to maxMerge communes
// whose usual rates sum as near target as can be (dynamic programming
// over the cuts), a commune alone only when it is big enough on its own,
// and seldom a hot spot with a transformed area or two communes selected
// in one year.
func balanced(us []*unit, target float64) [][]*unit {
	cost := func(group []*unit) float64 {
		sum := 0.0
		hot, area := false, false
		years := map[int]bool{}
		c := 0.0
		for _, u := range group {
			sum += u.rate
			hot = hot || u.isHot()
			area = area || (len(u.areas) > 0 && !u.isHot())
			for y := range u.selected {
				if years[y] {
					c += 5
				}
				years[y] = true
			}
		}
		c += (sum/target - 1) * (sum/target - 1)
		if len(group) == 1 {
			c += 0.25
		}
		if hot && area {
			c += 2
		}
		return c
	}
	best := make([]float64, len(us)+1)
	cut := make([]int, len(us)+1)
	for i := 1; i <= len(us); i++ {
		best[i] = math.Inf(1)
		for j := max(0, i-maxMerge); j < i; j++ {
			if c := best[j] + cost(us[j:i]); c < best[i] {
				best[i], cut[i] = c, j
			}
		}
	}
	var groups [][]*unit
	for i := len(us); i > 0; i = cut[i] {
		groups = append(groups, us[cut[i]:i])
	}
	slices.Reverse(groups)
	return groups
}

// newName names the new commune merged from preds in old district d: by
// the district's anchors, else after its busiest predecessor, with the
// kind its name says (a phường where a predecessor was one).
func (g *gen) newName(d int, preds []*unit, island bool, used map[string]bool) (name, kind string) {
	kind = "xa"
	switch {
	case island:
		kind = "dac_khu"
	case slices.ContainsFunc(preds, func(p *unit) bool { return p.kind == "phuong" }):
		kind = "phuong"
	}
	if d < len(reformQuangNgai) {
		for _, a := range reformQuangNgai[d].anchors {
			if !used[a[0]] && slices.ContainsFunc(preds, func(p *unit) bool { return p.name == a[1] && p.district == d }) {
				used[a[0]] = true
				return a[0], kindOf(a[0])
			}
		}
	}
	prefix := map[string]string{"xa": "Xã ", "phuong": "Phường ", "dac_khu": "Đặc khu "}[kind]
	byRate := slices.Clone(preds)
	slices.SortStableFunc(byRate, func(a, b *unit) int { return cmp.Compare(b.rate, a.rate) })
	for i := 0; ; i++ {
		for _, p := range byRate {
			name = prefix + baseName(p.name)
			if i > 0 {
				name = fmt.Sprintf("%s %d", name, i+1)
			}
			if !used[name] {
				used[name] = true
				return name, kind
			}
		}
	}
}

// kindOf is the unit kind a name says.
func kindOf(name string) string {
	switch {
	case strings.HasPrefix(name, "Phường "):
		return "phuong"
	case strings.HasPrefix(name, "Thị trấn "):
		return "thi_tran"
	case strings.HasPrefix(name, "Đặc khu "):
		return "dac_khu"
	}
	return "xa"
}

// baseName is a commune's name without its kind.
func baseName(name string) string {
	for _, p := range []string{"Phường ", "Thị trấn ", "Xã ", "Đặc khu "} {
		if s, ok := strings.CutPrefix(name, p); ok {
			return s
		}
	}
	return name
}

// keptNewRural is the new-rural certification of a new commune: a xã most
// of whose predecessors were certified by the reform keeps the standard,
// recognised on the reform day.
func keptNewRural(n *unit, reform time.Time) time.Time {
	certified := 0
	for _, p := range n.preds {
		if p.ntmBy(reform) {
			certified++
		}
	}
	if n.kind != "xa" || 2*certified <= len(n.preds) {
		return time.Time{}
	}
	return reform
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
		u.setFrom(k, onset, u.lift(u.hot[k]))
	}
}

// hotCats draws the categories of a new hot spot that can be selected:
// social-order crime always (the eligibility gate counts it), often more.
func hotCats(r *rand.Rand) []rules.Category {
	cats := []rules.Category{rules.Cat1}
	// A slice, not a map: map order would change the draws between runs.
	for _, kp := range []struct {
		k rules.Category
		p float64
	}{{rules.Cat2, 0.25}, {rules.Cat3, 0.2}, {rules.Cat4, 0.35}} {
		if r.Float64() < kp.p {
			cats = append(cats, kp.k)
		}
	}
	return cats
}

// spawn makes n new selectable hot spots with onset in months lo..hi among
// communes that are not hot, not certified new-rural by asOf and never
// transformed (a transformed area coming back is a relapse, not a new
// hot spot). Busier communes are likelier to become hot spots: the weight
// is the usual rate raised to bias. A new commune's hot spot appears after
// the reform, early in the months asked for.
func (g *gen) spawn(n, lo, hi int, asOf time.Time, bias float64) {
	type keyed struct {
		u   *unit
		key float64
	}
	var free []keyed
	for _, u := range g.live() {
		if !u.isHot() && !u.ntmBy(asOf) && len(u.areas) == 0 {
			// Weighted sampling without replacement (Efraimidis–Spirakis):
			// the n largest U^(1/w).
			free = append(free, keyed{u, math.Pow(g.r.Float64(), 1/math.Pow(u.rate*u.share0(), bias))})
		}
	}
	slices.SortStableFunc(free, func(a, b keyed) int { return cmp.Compare(b.key, a.key) })
	for _, f := range free[:min(max(n, 0), len(free))] {
		l, h := lo, hi
		if first := g.firstMonth(f.u); !f.u.from.IsZero() && l < first {
			l, h = first, first+min(hi-lo, 2)
		}
		g.heat(f.u, l+g.r.IntN(max(h-l+1, 1)), hotCats(g.r)...)
	}
}

// share0 is the share of one old commune in u, 1 for an old one: a new
// commune is as likely to have a hot spot as one of its parts.
func (u *unit) share0() float64 {
	if u.share == 0 {
		return 1
	}
	return u.share
}

// firstMonth is the first statistical month u has statistics in.
func (g *gen) firstMonth(u *unit) int {
	if u.from.IsZero() {
		return 0
	}
	return max(g.monthIndex(u.from), 0)
}

// story draws hot spots, selections, assessments and relapses year by year.
func (g *gen) story() {
	n := len(g.live())
	g.target = targetFor(n)
	first := period.Date(g.o.FromYear, time.March, 31)

	// At the start: selectable hot spots, hot spots in communes already
	// certified new-rural (never selected, so they stay hot), and a few
	// communes complex in one category only.
	g.spawn(g.target+3, 0, 0, first, 0.5)
	var ntm, side []*unit
	for _, u := range g.live() {
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
		g.heat(u, 0, hotCats(g.r)...)
	}
	g.r.Shuffle(len(side), func(i, j int) { side[i], side[j] = side[j], side[i] })
	for _, u := range side[:min(len(side), max(1, int(math.Round(0.015*float64(n)))))] {
		g.heat(u, 0, rules.Category(2+g.r.IntN(3)))
	}

	reform := g.o.Reform
	for y := g.o.FromYear; y <= g.o.ToYear; y++ {
		ys := g.yearStart(y)
		dec := g.day(y, time.March)
		if dec.After(g.o.Today) {
			break
		}
		if !reform.IsZero() && !g.merged && !reform.After(dec) {
			g.takeOver()
		}
		g.target = targetFor(len(g.live()))
		decIdx := g.monthIndex(dec)
		g.carryOver(y, dec)
		pool := g.pool(dec)
		chosen, rest := pool[:min(g.target, len(pool))], pool[min(g.target, len(pool)):]
		assessed := period.Date(y+1, time.January, 8+g.r.IntN(20))
		for _, u := range chosen {
			g.choose(u, y, dec, decIdx, ys+9, assessed)
		}
		if y == g.o.ToYear {
			g.supplementary(y, dec, rest)
			g.relapse(y, decIdx+1, min(decIdx+3, g.months-5), max(1, int(math.Round(0.02*float64(len(g.live()))))))
			g.spawn(g.target+3, ys, min(ys+3, g.months-6), g.o.Today, 1)
			continue
		}
		if y > g.o.FromYear {
			g.relapse(y, ys+3, ys+7, 1)
		}
		// Enough hot spots for next year's selection, appearing during this
		// statistical year (the reference period of the next selection);
		// when the reform comes first, for the new communes' selection.
		next := period.Date(y+1, time.March, 31)
		merging := !reform.IsZero() && !g.merged && !reform.After(next)
		want := g.target
		if merging {
			want = targetFor(int(math.Round(float64(len(g.live())) / mergeRatio)))
		}
		g.spawn(want+3-len(g.pool(next)), ys, ys+5, next, 0.5)
		if merging {
			g.takeOver()
		}
	}
	if !reform.IsZero() && !g.merged {
		g.takeOver()
	}
}

// at is the commune u's territory belongs to on day: u, or the new
// commune it merged into.
func (g *gen) at(u *unit, day time.Time) *unit {
	for u.next != nil && !day.Before(u.next.from) {
		u = u.next
	}
	return u
}

// takeOver hands the old communes' story to the new ones on the reform
// day. From that month on a new commune's multipliers are its
// predecessors' weighted by their usual rates (it has the crimes of its
// parts); it is hot in a category where one of them is, as hot as the
// hottest (in an old commune's terms, see lift), and it carries their
// transformed areas, relapses and selections, so that the story goes on
// with it: its areas are watched, and it can be selected.
func (g *gen) takeOver() {
	g.merge()
	// Verdicts given after the reform on communes that merged are recorded
	// on the new code or the old one, in turn, as provinces do both; one
	// per new commune and year.
	seen := map[rules.AreaKey]bool{}
	var as []rules.Assessment
	for _, a := range g.ds.Assessments {
		u := g.byCode[a.Unit]
		if n := g.at(u, a.AssessedOn); n != u {
			if g.newCode {
				a.Unit = n.code
			}
			g.newCode = !g.newCode
		}
		if k := (rules.AreaKey{Unit: a.Unit, Year: a.Year}); !seen[k] {
			seen[k] = true
			as = append(as, a)
		}
	}
	g.ds.Assessments = as
	m0 := max(g.monthIndex(g.o.Reform), 0)
	for _, n := range g.units {
		if len(n.preds) == 0 {
			continue
		}
		for k := range n.mult {
			for m := m0; m < len(n.mult[k]); m++ {
				s := 0.0
				for _, p := range n.preds {
					s += p.rate * p.mult[k][m]
				}
				n.mult[k][m] = s / n.rate
			}
		}
		for _, p := range n.preds {
			for k := range n.hot {
				n.hot[k] = max(n.hot[k], p.hot[k])
			}
			n.areas = append(n.areas, p.areas...)
			for y := range p.relapsed {
				n.relapsed[y] = true
			}
			for y, v := range p.selected {
				n.selected[y] = v
			}
		}
		slices.SortStableFunc(n.areas, func(a, b transformed) int { return a.on.Compare(b.on) })
	}
	g.merged = true
}

// pool lists the selectable hot spots on day dec, the committee's
// preference first: several categories, then how hot, with some judgement.
func (g *gen) pool(dec time.Time) []*unit {
	type scored struct {
		u *unit
		s float64
	}
	var ps []scored
	for _, u := range g.live() {
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
			u.ramp(k, decIdx, end, u.lift(afterTransform))
			u.hot[k] = 0
		case u.hot[k] > 0:
			u.hot[k] = max(2.5, 0.75*u.hot[k])
			u.ramp(k, decIdx, end, u.lift(u.hot[k]))
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
// demo day. They go to districts that already have selections (after the
// reform, to any commune: there are no districts).
func (g *gen) supplementary(y int, dec time.Time, rest []*unit) {
	has := map[int]bool{}
	for _, u := range g.live() {
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
		for _, u := range g.live() {
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
// too). Areas under selection this year are left alone. After the reform
// an area transformed before it relapses when there is one: watched as
// the new commune it is part of, it makes that commune complex again.
func (g *gen) relapse(y, lo, hi, n int) {
	if hi < lo {
		hi = lo
	}
	onsetDay := g.cal.Month(g.o.FromYear, time.Month(lo+1)).From
	var cands, before []*unit
	for _, u := range g.live() {
		_, sel := u.selected[y]
		if len(u.areas) == 0 || sel || u.isHot() {
			continue
		}
		a := u.areas[len(u.areas)-1]
		if a.on.Before(onsetDay) && !u.relapsed[a.year] {
			cands = append(cands, u)
			if len(u.preds) > 0 && a.on.Before(g.o.Reform) {
				before = append(before, u)
			}
		}
	}
	if len(before) > 0 {
		cands = before
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

// submissions records the reports committees sent: the plan for each
// selected commune (due 30 days after the decision), the six-month report
// (20 June) and the yearly one (20 December), each by the committee owing
// it on its due day (see owner). Most arrive on time, some late, a few
// never; in the last year two plans and two six-month reports are missing
// so that the demo day has escalations. From the year of the reform on
// nothing else goes missing: a district gone by the demo day is owed
// nothing.
func (g *gen) submissions() {
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
		sure := last || (!g.o.Reform.IsZero() && y >= g.o.Reform.Year())
		var main []rules.Selection
		for _, s := range sel {
			if g.byCode[s.Unit].selected[y] == "" {
				main = append(main, s)
			}
		}

		missingPlans := map[string]bool{}
		if last {
			perm := g.r.Perm(len(main))
			for _, i := range perm[:min(2, len(main))] {
				missingPlans[main[i].Unit] = true
			}
		}
		for _, s := range main {
			due := s.DecidedOn.AddDate(0, 0, planDueDays)
			if missingPlans[s.Unit] {
				continue
			}
			c := g.owner(g.byCode[s.Unit], due)
			unit := s.Unit
			if c.commune != nil {
				unit = c.commune.code
			}
			g.submit(c, planCode, fmt.Sprintf("%04d", y), unit, s.DecidedOn.AddDate(0, 0, 7), due, sure)
		}

		// The committees owing a report: those of the communes selected by
		// its due day, as they are on that day.
		owing := func(due time.Time) map[string]owner {
			out := map[string]owner{}
			for _, s := range sel {
				if !s.DecidedOn.After(due) {
					c := g.owner(g.byCode[s.Unit], due)
					out[g.key(c)] = c
				}
			}
			return out
		}
		h1Due, yearDue := period.Date(y, time.June, 20), period.Date(y, time.December, 20)
		h1, yr := owing(h1Due), owing(yearDue)
		keys := slices.Sorted(maps.Keys(h1))
		missingH1 := map[string]bool{}
		if last {
			perm := g.r.Perm(len(keys))
			for _, i := range perm[:min(2, len(keys)-1)] {
				missingH1[keys[i]] = true
			}
		}
		for k, c := range yr {
			h1[k] = c
		}
		for _, k := range slices.Sorted(maps.Keys(h1)) {
			c := h1[k]
			if slices.Contains(keys, k) && !missingH1[k] {
				g.submit(c, h1Code, fmt.Sprintf("%04d-H1", y), g.reporter(c), period.Date(y, time.June, 8), h1Due, sure)
			}
			if _, ok := yr[k]; ok {
				g.submit(c, yearCode, fmt.Sprintf("%04d", y), g.reporter(c), period.Date(y, time.December, 8), yearDue, sure)
			}
		}
	}
}

// owner is a committee owing reports: a district's (district >= 0), or
// the body of a commune.
type owner struct {
	district int
	commune  *unit
}

// owner is the committee owing the obligations about u due on day: its
// district's while the district exists, else the body of the commune its
// territory belongs to then.
func (g *gen) owner(u *unit, day time.Time) owner {
	if u.district >= 0 && (g.o.Reform.IsZero() || day.Before(g.o.Reform)) {
		return owner{district: u.district}
	}
	return owner{district: -1, commune: g.at(u, day)}
}

// key orders committees: districts by code, then communes by code.
func (g *gen) key(c owner) string {
	if c.commune != nil {
		return c.commune.code
	}
	return g.ds.Districts[c.district].Code
}

// reporter is the unit a report of committee c names: none for a
// district, its own commune for a commune's body.
func (g *gen) reporter(c owner) string {
	if c.commune != nil {
		return c.commune.code
	}
	return ""
}

// submit draws when a report due on due was sent (from earliest on; late
// by up to three weeks; or never) and records it if that is before today.
// With sure nothing goes missing by chance: the missing reports are chosen
// by the caller.
func (g *gen) submit(c owner, obligation, periodKey, unitCode string, earliest, due time.Time, sure bool) {
	var day time.Time
	p := g.r.Float64()
	switch {
	case p < 0.80:
		span := max(int(due.Sub(earliest).Hours()/24), 0)
		day = earliest.AddDate(0, 0, g.r.IntN(span+1))
		for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			day = day.AddDate(0, 0, -1) // sent on the Friday before
		}
	case p < 0.94 || sure:
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
	row := store.SubmissionRow{Obligation: obligation, Period: periodKey, Unit: unitCode, SubmittedAt: at}
	if c.district >= 0 {
		row.District = g.ds.Districts[c.district].Code
	}
	g.ds.Submissions = append(g.ds.Submissions, row)
}

// offenceTypes lists the offence types.
func (g *gen) offenceTypes() {
	for _, o := range offences {
		g.ds.Offences = append(g.ds.Offences, store.Offence{Code: o.code, Name: o.name, Category: o.cat, SocialOrder: o.socialOrder})
	}
}

// stats draws daily counts: Poisson with the offence's base rate times the
// commune's usual rate times its category multiplier for the month, a
// little higher around Tết for theft, fights, gambling and smuggling, on
// the days the commune exists. Only days with a count are kept.
func (g *gen) stats(r *rand.Rand) {
	lam := make([]float64, len(offences))
	for _, u := range g.units {
		for i := range g.months {
			y, m := g.o.FromYear+i/12, time.Month(i%12+1)
			rg := g.cal.Month(y, m)
			if (!u.from.IsZero() && rg.To.Before(u.from)) || (!u.to.IsZero() && rg.From.After(u.to)) {
				continue
			}
			for oi, o := range offences {
				lam[oi] = o.perYear / 365 * u.rate * u.mult[o.cat][i]
				if o.tet && (m == time.January || m == time.February) {
					lam[oi] *= 1.35
				}
				lam[oi] = math.Exp(-lam[oi]) // Knuth's method compares against e^-λ
			}
			for d := rg.From; !d.After(rg.To) && !d.After(g.o.Today); d = d.AddDate(0, 0, 1) {
				if !u.validOn(d) {
					continue
				}
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
	slices.SortFunc(ds.Successions, func(a, b rules.Succession) int { return strings.Compare(a.Predecessor, b.Predecessor) })
	slices.SortFunc(ds.Submissions, func(a, b store.SubmissionRow) int {
		return cmp.Or(strings.Compare(a.District, b.District), strings.Compare(a.Obligation, b.Obligation),
			strings.Compare(a.Period, b.Period), strings.Compare(a.Unit, b.Unit))
	})
}
