package synth

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// NationalOptions size a synthetic country for benchmarks: Units communes
// grouped in districts of about ten, and Years years of daily statistics
// ending on Today.
type NationalOptions struct {
	Units int // commune-level units; the country has about 10,600
	Years int // years of daily statistics, ending on Today
	// Today is the last day with statistics; zero means 25 November 2026,
	// the demo's day.
	Today time.Time
}

// National sizes.
const (
	NationalUnits    = 10600
	unitsPerDistrict = 10
	// nationalScale multiplies the demo's offence rates so that an ordinary
	// commune has about three statistic rows a week: a national statistics
	// system also counts the minor violations of categories 2 and 3.
	nationalScale = 1.9
	streamUnits   = 0x756e697473000001 // per-unit statistics streams start here
)

// National is a synthetic country whose statistics are generated on demand,
// commune by commune, so that ten thousand communes and years of daily
// statistics never sit in memory at once: what it keeps per commune is its
// usual rate and the few months where its hot-spot multipliers change. The
// story is the demo's, simplified: hot spots appear during the statistical
// year before a selection, about a tenth of the communes are selected in
// March among them (never new-rural ones), seven in ten are recognised as
// transformed in January and cool down, a few relapse, and district
// committees send their reports mostly on time.
//
// The same seed and options always give the same rows, in the same order.
type National struct {
	seed   int64
	o      NationalOptions
	cal    period.Calendar
	first  time.Time // first day with statistics
	base   int       // statistical month number (year*12+month-1) of first
	months int       // statistical months from first's to Today's
	r      *rand.Rand
	units  []*natUnit
	ds     *store.Dataset
	target int // selections per year
	offs   []offence
}

type natUnit struct {
	code     string
	kind     string
	district int
	no       int // number within the district, from 1
	rate     float64
	ntm      time.Time
	steps    []step     // multiplier changes, in the order they were made
	hot      [5]float64 // current hot factor by category; 0 when not hot
	area     *transformed
	relapsed bool
}

// step sets category cat's multiplier to factor from statistical month
// month on (until a later step for the same category).
type step struct {
	month  int32
	cat    int8
	factor float32
}

// NewNational plans a country for seed: places, offence types, the story
// of selections and assessments, and the reports sent. Statistics come
// later, from Stats.
func NewNational(seed int64, o NationalOptions) (*National, error) {
	if o.Units < 2 {
		return nil, fmt.Errorf("national: %d units, want at least 2", o.Units)
	}
	if o.Years < 1 || o.Years > 30 {
		return nil, fmt.Errorf("national: %d years of statistics, want 1..30", o.Years)
	}
	if o.Today.IsZero() {
		o.Today = period.Date(2026, time.November, 25)
	}
	o.Today = period.Date(o.Today.Date())
	n := &National{
		seed: seed,
		o:    o,
		cal:  period.Calendar{Cutoff: period.DefaultCutoff},
		r:    rand.New(rand.NewPCG(uint64(seed), streamStory)),
		ds:   &store.Dataset{},
	}
	n.first = o.Today.AddDate(-o.Years, 0, 1)
	n.base = n.monthNumber(n.first)
	n.months = n.monthNumber(o.Today) - n.base + 1
	n.offs = slices.Clone(offences)
	slices.SortFunc(n.offs, func(a, b offence) int { return strings.Compare(a.code, b.code) })
	for _, of := range n.offs {
		n.ds.Offences = append(n.ds.Offences, store.Offence{Code: of.code, Name: of.name, Category: of.cat, SocialOrder: of.socialOrder})
	}
	n.places()
	n.story()
	slices.SortFunc(n.ds.Selections, func(a, b rules.Selection) int {
		return cmp.Or(cmp.Compare(a.Year, b.Year), strings.Compare(a.Unit, b.Unit))
	})
	slices.SortFunc(n.ds.Assessments, func(a, b rules.Assessment) int {
		return cmp.Or(cmp.Compare(a.Year, b.Year), strings.Compare(a.Unit, b.Unit))
	})
	slices.SortFunc(n.ds.Submissions, func(a, b store.SubmissionRow) int {
		return cmp.Or(strings.Compare(a.District, b.District), strings.Compare(a.Obligation, b.Obligation),
			strings.Compare(a.Period, b.Period), strings.Compare(a.Unit, b.Unit))
	})
	return n, nil
}

// Fill writes the country into s in one transaction, the statistics
// streamed (see store.LoadStream), and then refreshes the database's
// planner statistics (and on PostgreSQL the visibility map, so that
// index-only scans work at once, as they would after autovacuum). The
// database must not hold units or statistics yet: synthetic rows mixed
// into real ones would be worse than useless. It returns the number of
// statistic rows written.
func (n *National) Fill(ctx context.Context, s *store.Store) (int64, error) {
	for _, table := range []string{"units", "crime_stats"} {
		var found int
		err := s.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM "+table+" LIMIT 1) x").Scan(&found)
		if err != nil {
			return 0, fmt.Errorf("check %s is empty: %w", table, err)
		}
		if found > 0 {
			return 0, fmt.Errorf("table %s already has rows: generate into an empty database (or PostgreSQL schema)", table)
		}
	}
	rows, err := s.LoadStream(ctx, n.ds, n.Stats())
	if err != nil {
		return 0, err
	}
	analyze := []string{"ANALYZE"}
	if s.Dialect() == store.Postgres {
		analyze = []string{"VACUUM (ANALYZE) crime_stats", "ANALYZE"}
	}
	for _, q := range analyze {
		if _, err := s.DB().ExecContext(ctx, q); err != nil {
			return rows, fmt.Errorf("%s after loading: %w", q, err)
		}
	}
	return rows, nil
}

// Dataset returns every table but the statistics. It is the generator's
// own: callers must not change it.
func (n *National) Dataset() *store.Dataset { return n.ds }

// Span is the range of days with statistics.
func (n *National) Span() period.Range { return period.Range{From: n.first, To: n.o.Today} }

func (n *National) monthNumber(day time.Time) int {
	y, m, _ := n.cal.MonthOf(day)
	return y*12 + int(m) - 1
}

// monthIndex numbers statistical months from first's (0).
func (n *National) monthIndex(day time.Time) int { return n.monthNumber(day) - n.base }

func (n *National) between(lo, hi float64) float64 { return lo + (hi-lo)*n.r.Float64() }

func (n *National) places() {
	nd := (n.o.Units + unitsPerDistrict - 1) / unitsPerDistrict
	for d := range nd {
		kind, prefix := "huyen", "Huyện "
		switch p := n.r.Float64(); {
		case p < 0.06:
			kind, prefix = "thanh_pho", "Thành phố "
		case p < 0.14:
			kind, prefix = "thi_xa", "Thị xã "
		}
		code := fmt.Sprintf("H%04d", d+1)
		n.ds.Districts = append(n.ds.Districts, rules.District{Code: code, Name: prefix + numbered(extraNames, d), Kind: kind})
	}
	busy := make([]float64, nd)
	for d := range busy {
		busy[d] = math.Exp(0.35 * n.r.NormFloat64())
		switch n.ds.Districts[d].Kind {
		case "thanh_pho":
			busy[d] *= 1.6
		case "thi_xa":
			busy[d] *= 1.3
		}
	}
	// Communes are dealt out in order, ten to a district, the last
	// district taking what is left.
	for i := range n.o.Units {
		d, j := min(i/unitsPerDistrict, nd-1), i%unitsPerDistrict
		if i >= nd*unitsPerDistrict {
			j = unitsPerDistrict + i - nd*unitsPerDistrict
		}
		dk := n.ds.Districts[d].Kind
		kind := "xa"
		switch p := n.r.Float64(); {
		case dk == "thanh_pho" && p < 0.6, dk == "thi_xa" && p < 0.5:
			kind = "phuong"
		case dk == "huyen" && j == 0:
			kind = "thi_tran"
		}
		rate := busy[d] * math.Exp(0.3*n.r.NormFloat64())
		switch kind {
		case "phuong":
			rate *= 1.3
		case "thi_tran":
			rate *= 1.2
		}
		n.units = append(n.units, &natUnit{
			code: fmt.Sprintf("%sX%02d", n.ds.Districts[d].Code, j+1), kind: kind, district: d, no: j + 1, rate: rate,
		})
	}
	// About a third of the communes are certified new-rural: a third of
	// those before the statistics start, the rest spread over the span.
	var xa []*natUnit
	for _, u := range n.units {
		if u.kind == "xa" {
			xa = append(xa, u)
		}
	}
	cnt := min(len(xa), int(math.Round(ntmShare*float64(len(n.units)))))
	perm := n.r.Perm(len(xa))
	span := int(n.o.Today.Sub(n.first).Hours() / 24)
	for i := range cnt {
		u := xa[perm[i]]
		if i < (cnt+2)/3 {
			u.ntm = n.first.AddDate(0, 0, -1-n.r.IntN(4*365))
		} else {
			u.ntm = n.first.AddDate(0, 0, n.r.IntN(span+1))
		}
	}
	for _, u := range n.units {
		n.ds.Units = append(n.ds.Units, store.UnitRow{Unit: rules.Unit{
			Code: u.code, Name: natUnitName(u), Kind: u.kind, District: n.ds.Districts[u.district].Code, NTMCertifiedOn: u.ntm,
		}})
	}
}

// natUnitName names a commune from the made-up list, shifted by district
// so that neighbouring districts do not repeat each other's names.
func natUnitName(u *natUnit) string {
	prefix := map[string]string{"xa": "Xã ", "phuong": "Phường ", "thi_tran": "Thị trấn "}[u.kind]
	return prefix + numbered(extraNames, u.district*3+u.no-1)
}

func (u *natUnit) ntmBy(day time.Time) bool { return !u.ntm.IsZero() && !u.ntm.After(day) }

func (u *natUnit) isHot() bool {
	return slices.ContainsFunc(u.hot[1:], func(f float64) bool { return f > 0 })
}

func (u *natUnit) set(k rules.Category, month int, f float64) {
	u.steps = append(u.steps, step{month: int32(max(month, 0)), cat: int8(k), factor: float32(f)})
}

func (n *National) heat(u *natUnit, onset int, cats ...rules.Category) {
	for _, k := range cats {
		u.hot[k] = n.between(minHot, minHot+spanHot)
		u.set(k, onset, u.hot[k])
	}
}

// spawn makes up to cnt communes that are not hot, not new-rural by asOf
// and never transformed into hot spots from a month in lo..hi; busier
// communes are likelier (weighted sampling without replacement).
func (n *National) spawn(cnt, lo, hi int, asOf time.Time) {
	type keyed struct {
		u   *natUnit
		key float64
	}
	var free []keyed
	for _, u := range n.units {
		if !u.isHot() && !u.ntmBy(asOf) && u.area == nil {
			free = append(free, keyed{u, math.Pow(n.r.Float64(), 1/math.Sqrt(u.rate))})
		}
	}
	slices.SortStableFunc(free, func(a, b keyed) int { return cmp.Compare(b.key, a.key) })
	for _, f := range free[:min(max(cnt, 0), len(free))] {
		n.heat(f.u, lo+n.r.IntN(max(hi-lo+1, 1)), hotCats(n.r)...)
	}
}

func (n *National) story() {
	n.target = max(1, int(math.Round(selectShare*float64(len(n.units)))))
	g := func(share float64) int { return max(1, int(math.Round(share*float64(len(n.units))))) }
	// Hot from the start: selectable hot spots, hot new-rural communes
	// (never selected, so they stay hot) and a few complex in one
	// category other than social order.
	n.spawn(n.target+g(0.03), 0, 0, n.first)
	var ntm, side []*natUnit
	for _, u := range n.units {
		switch {
		case u.isHot():
		case u.ntmBy(n.first):
			ntm = append(ntm, u)
		case u.ntm.IsZero():
			side = append(side, u)
		}
	}
	n.r.Shuffle(len(ntm), func(i, j int) { ntm[i], ntm[j] = ntm[j], ntm[i] })
	for _, u := range ntm[:min(len(ntm), g(0.02))] {
		n.heat(u, 0, hotCats(n.r)...)
	}
	n.r.Shuffle(len(side), func(i, j int) { side[i], side[j] = side[j], side[i] })
	for _, u := range side[:min(len(side), g(0.015))] {
		n.heat(u, 0, rules.Category(2+n.r.IntN(3)))
	}

	for y := n.first.Year(); y <= n.o.Today.Year(); y++ {
		dec := period.Date(y, time.March, 1+n.r.IntN(28))
		if dec.After(n.o.Today) || dec.Before(n.first.AddDate(0, 2, 0)) {
			continue
		}
		decIdx := n.monthIndex(dec)
		pool := n.pool(dec)
		assessed := period.Date(y+1, time.January, 8+n.r.IntN(20))
		for _, u := range pool[:min(n.target, len(pool))] {
			n.choose(u, y, dec, decIdx, assessed)
		}
		n.relapse(decIdx+1, decIdx+6, relapseShare)
		// Hot spots for next year's selection, appearing during the
		// statistical year that will be its reference period.
		apr := n.monthIndex(period.Date(y, time.April, 1))
		next := period.Date(y+1, time.March, 31)
		n.spawn(n.target+g(0.03)-len(n.pool(next)), apr, apr+3, next)
	}
	n.submissions()
}

// pool lists the selectable hot spots on day dec, the committee's
// preference first.
func (n *National) pool(dec time.Time) []*natUnit {
	type scored struct {
		u *natUnit
		s float64
	}
	var ps []scored
	for _, u := range n.units {
		if u.hot[rules.Cat1] > 0 && !u.ntmBy(dec) {
			sum, cnt := 0.0, 0
			for _, f := range u.hot[1:] {
				if f > 0 {
					sum += f
					cnt++
				}
			}
			// The committee goes by the numbers: how busy the commune is
			// and how hot, in how many categories.
			ps = append(ps, scored{u, u.rate * (2*float64(cnt) + sum) * n.between(0.9, 1.1)})
		}
	}
	slices.SortStableFunc(ps, func(a, b scored) int {
		return cmp.Or(cmp.Compare(b.s, a.s), strings.Compare(a.u.code, b.u.code))
	})
	out := make([]*natUnit, len(ps))
	for i, p := range ps {
		out[i] = p.u
	}
	return out
}

// choose records the selection of u for year y and its outcome: a
// transformed area cools down over the nine months after the decision,
// a failed one only somewhat and stays hot.
func (n *National) choose(u *natUnit, y int, dec time.Time, decIdx int, assessed time.Time) {
	cat := rules.Cat1
	for k := rules.Cat2; k <= rules.Cat4; k++ {
		if u.hot[k] > u.hot[cat] {
			cat = k
		}
	}
	n.ds.Selections = append(n.ds.Selections, rules.Selection{Year: y, Unit: u.code, Category: cat, DecidedOn: dec})
	ok := n.r.Float64() < transformRate
	// A transformed area ends well below its usual rate and below an
	// ordinary commune's: a busy commune at half its usual rate would
	// still be above the averages, and counted as relapsed at once.
	cool := min(afterTransform, 0.7/u.rate)
	for _, k := range rules.Categories {
		switch {
		case ok:
			from := max(u.hot[k], 1)
			u.set(k, decIdx+3, from+(cool-from)/3)
			u.set(k, decIdx+6, from+2*(cool-from)/3)
			u.set(k, decIdx+9, cool)
			u.hot[k] = 0
		case u.hot[k] > 0:
			u.hot[k] = max(2.5, 0.75*u.hot[k])
			u.set(k, decIdx+6, u.hot[k])
		}
	}
	if assessed.After(n.o.Today) {
		return
	}
	n.ds.Assessments = append(n.ds.Assessments, rules.Assessment{Year: y, Unit: u.code, Transformed: ok, AssessedOn: assessed})
	if ok {
		u.area = &transformed{year: y, category: cat, on: assessed}
	}
}

// relapseShare of the transformed areas watched relapse each year: few
// enough that most years meet the 85% target.
const relapseShare = 0.05

// relapse makes a share of the transformed areas that have not relapsed
// hot again from a month in lo..hi, in the category they were transformed
// from.
func (n *National) relapse(lo, hi int, share float64) {
	onsetDay := n.first.AddDate(0, lo, 0)
	var cands []*natUnit
	for _, u := range n.units {
		if u.area != nil && !u.relapsed && !u.isHot() && u.area.on.Before(onsetDay) {
			cands = append(cands, u)
		}
	}
	n.r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	cnt := int(math.Round(share * float64(len(cands))))
	if len(cands) > 0 {
		cnt = max(cnt, 1)
	}
	for _, u := range cands[:cnt] {
		u.relapsed = true
		cats := []rules.Category{u.area.category}
		if u.area.category != rules.Cat1 && n.r.Float64() < 0.5 {
			cats = append(cats, rules.Cat1)
		}
		n.heat(u, lo+n.r.IntN(hi-lo+1), cats...)
	}
}

// submissions records the plan for each selected commune (due 30 days
// after the decision) and each district's six-month and yearly reports:
// four in five on time, most of the rest late, a few never.
func (n *National) submissions() {
	byUnit := map[string]*natUnit{}
	for _, u := range n.units {
		byUnit[u.code] = u
	}
	years := map[int][]rules.Selection{}
	for _, s := range n.ds.Selections {
		years[s.Year] = append(years[s.Year], s)
	}
	ys := make([]int, 0, len(years))
	for y := range years {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	for _, y := range ys {
		districts := map[int]bool{}
		for _, s := range years[y] {
			u := byUnit[s.Unit]
			districts[u.district] = true
			n.submit(u.district, planCode, fmt.Sprintf("%04d", y), s.Unit, s.DecidedOn.AddDate(0, 0, 7), s.DecidedOn.AddDate(0, 0, planDueDays))
		}
		ds := make([]int, 0, len(districts))
		for d := range districts {
			ds = append(ds, d)
		}
		slices.Sort(ds)
		for _, d := range ds {
			n.submit(d, h1Code, fmt.Sprintf("%04d-H1", y), "", period.Date(y, time.June, 8), period.Date(y, time.June, 20))
			n.submit(d, yearCode, fmt.Sprintf("%04d", y), "", period.Date(y, time.December, 8), period.Date(y, time.December, 20))
		}
	}
}

func (n *National) submit(district int, obligation, periodKey, unitCode string, earliest, due time.Time) {
	var day time.Time
	switch p := n.r.Float64(); {
	case p < 0.80:
		span := max(int(due.Sub(earliest).Hours()/24), 0)
		day = earliest.AddDate(0, 0, n.r.IntN(span+1))
	case p < 0.95:
		day = due.AddDate(0, 0, 1+n.r.IntN(21))
	default:
		return
	}
	if !day.Before(n.o.Today) {
		return
	}
	at := time.Date(day.Year(), day.Month(), day.Day(), 7+n.r.IntN(10), n.r.IntN(60), n.r.IntN(60), 0, ict).UTC()
	n.ds.Submissions = append(n.ds.Submissions, store.SubmissionRow{
		District: n.ds.Districts[district].Code, Obligation: obligation, Period: periodKey, Unit: unitCode, SubmittedAt: at,
	})
}

// Stats yields every statistic row, ordered by unit, day and offence code
// (the table's key order, which is the cheapest order to index). Only
// days with a count are yielded. Each commune draws from its own random
// stream, so a commune's rows depend on the seed and the story only.
//
// Counts are Poisson: the offence's base rate times the commune's usual
// rate times its category multiplier for the month, higher around Tết for
// some offences. The days between two counts of one offence are drawn
// directly (geometric gaps), so the work is proportional to the rows
// produced rather than to days × offences.
func (n *National) Stats() iter.Seq[store.Stat] {
	return func(yield func(store.Stat) bool) {
		days := int(n.o.Today.Sub(n.first).Hours()/24) + 1
		dayOf := make([]time.Time, days)
		for i := range dayOf {
			dayOf[i] = n.first.AddDate(0, 0, i)
		}
		// Day offsets (from first) of each statistical month, clipped to
		// the span.
		type monthSpan struct {
			from, to int
			tet      bool
		}
		ms := make([]monthSpan, n.months)
		for i := range ms {
			num := n.base + i
			r := n.cal.Month(num/12, time.Month(num%12+1))
			from := max(0, int(r.From.Sub(n.first).Hours()/24))
			to := min(days-1, int(r.To.Sub(n.first).Hours()/24))
			m := time.Month(num%12 + 1)
			ms[i] = monthSpan{from, to, m == time.January || m == time.February}
		}
		type row struct {
			day   int32
			off   int8
			count int32
		}
		var buf []row
		for ui, u := range n.units {
			r := rand.New(rand.NewPCG(uint64(n.seed), streamUnits+uint64(ui)))
			buf = buf[:0]
			mult := [5]float64{1, 1, 1, 1, 1}
			steps := slices.Clone(u.steps)
			slices.SortStableFunc(steps, func(a, b step) int { return cmp.Compare(a.month, b.month) })
			si := 0
			for mi, m := range ms {
				for si < len(steps) && int(steps[si].month) <= mi {
					mult[steps[si].cat] = float64(steps[si].factor)
					si++
				}
				for oi, of := range n.offs {
					lam := of.perYear * nationalScale / 365 * u.rate * mult[of.cat]
					if of.tet && m.tet {
						lam *= 1.35
					}
					if lam <= 0 {
						continue
					}
					// P(no count on a day) = e^-λ, so the gap to the next
					// day with a count is geometric: floor(Exp(1)/λ).
					for d := m.from - 1; ; {
						d += 1 + int(math.Min(r.ExpFloat64()/lam, float64(days)))
						if d > m.to {
							break
						}
						buf = append(buf, row{int32(d), int8(oi), int32(positivePoisson(r, lam))})
					}
				}
			}
			slices.SortFunc(buf, func(a, b row) int { return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.off, b.off)) })
			for _, x := range buf {
				if !yield(store.Stat{Unit: u.code, Day: dayOf[x.day], Offence: n.offs[x.off].code, Count: int(x.count)}) {
					return
				}
			}
		}
	}
}

// positivePoisson draws a Poisson(lam) count conditioned on being at least
// one, by inversion.
func positivePoisson(r *rand.Rand, lam float64) int {
	e := math.Exp(-lam)
	u := r.Float64() * (1 - e)
	p := e * lam // P(k=1)
	k := 1
	for u > p && k < 1000 {
		u -= p
		k++
		p *= lam / float64(k)
	}
	return k
}
