package synth

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// carryOver handles the areas found not transformed for the year before
// y: they carry over into y's work beside the new selection, so the
// committee does not select them again; worked on for another year, they
// cool down like a selected area (but without a verdict: the committee
// does not assess them again). Hot spots that appeared during the
// reference year take their place in the pool the selection draws from.
// dec is y's selection decision. An area whose commune merged carries
// over as the commune it merged into, whichever code its verdict is on.
func (g *gen) carryOver(y int, dec time.Time) {
	carried := map[*unit]bool{}
	for _, a := range g.ds.Assessments {
		if a.Year == y-1 && !a.Transformed {
			carried[g.at(g.byCode[a.Unit], dec)] = true
		}
	}
	var cool []*unit
	for _, u := range g.live() {
		if carried[u] && u.isHot() {
			cool = append(cool, u)
		}
	}
	// Spawn first: the carried areas are still hot and so not drawn.
	ys := g.yearStart(y)
	g.spawn(len(cool), ys-12, ys-10, dec, 0.5)
	decIdx := g.monthIndex(dec)
	for _, u := range cool {
		for _, k := range rules.Categories {
			if u.hot[k] > 0 {
				u.ramp(k, decIdx, ys+9, u.lift(0.8))
				u.hot[k] = 0
			}
		}
	}
}

// streamCycle numbers the PCG stream of the cycle data, apart from the
// story and the statistics so that neither shifts when this one changes.
const streamCycle = 0x6379636c65000001

// Serious offences: murder is especially serious, drug trafficking and
// robbery by snatching are at least very serious in most cases.
var seriousOffence = map[string]bool{"BLHS123": true, "BLHS171": true, "BLHS251": true}

// Cycle generates the yearly cycle's data for a province made by Province
// with the same seed and options: the district committees' proposals and
// monthly case-handling statistics. It follows the same story:
//
//   - every district proposes at least one commune a year in January
//     (mostly those the committee then selects; districts with none
//     selected propose their busiest commune), some a few days late; in
//     the last year one district proposes a commune that fails the
//     eligibility gate and another proposes nothing. Without districts
//     (after the reform) the communes the committee then selects propose
//     themselves, with the best-ranked commune it does not select, and in
//     the last year one commune that fails the gate;
//   - case statistics per commune and statistical month (on its last
//     day, under the commune existing then): crimes as in the offence
//     statistics, most detected, reports handled, few released prisoners
//     re-offending. Areas the committee found not transformed had missed
//     the detection target that year, and in the last year two areas of
//     the year's work are behind on the indicators: one on detection, one
//     on reports and re-offending.
func Cycle(seed int64, opts Options, ds *store.Dataset) *store.CycleDataset {
	o := opts.normalise()
	r := rand.New(rand.NewPCG(uint64(seed), streamCycle))
	cal := period.Calendar{Cutoff: period.DefaultCutoff}
	out := &store.CycleDataset{}
	if len(ds.Units) == 0 {
		return out
	}
	terr := rules.NewTerritory(ds.Units, ds.Districts, ds.Successions, true)
	lagging := laggingAreas(o, ds, terr)
	out.Proposals = proposals(r, o, cal, ds, terr)
	out.CaseStats = caseStats(r, o, cal, ds, terr, lagging)
	return out
}

// lag says how an area falls behind the indicators in a year.
type lag int

const (
	lagNone      lag = iota
	lagDetection     // detects 6 crimes in 10
	lagReports       // leaves reports unhandled, released prisoners re-offend
)

// laggingAreas picks, by (unit, year), the areas behind on the
// indicators: every area assessed not transformed, in its year (under
// every code its commune had that year); and in the last year the first
// two areas of the year's work by code that are selected that year (the
// demo's early warnings).
func laggingAreas(o Options, ds *store.Dataset, terr *rules.Territory) map[rules.AreaKey]lag {
	out := map[rules.AreaKey]lag{}
	for _, a := range ds.Assessments {
		if a.Transformed {
			continue
		}
		out[rules.AreaKey{Unit: a.Unit, Year: a.Year}] = lagDetection
		to := terr.Resolve(a.Unit, a.AssessedOn).Code
		for _, s := range ds.Selections {
			if s.Year == a.Year && terr.Resolve(s.Unit, a.AssessedOn).Code == to {
				out[rules.AreaKey{Unit: s.Unit, Year: a.Year}] = lagDetection
				out[rules.AreaKey{Unit: to, Year: a.Year}] = lagDetection
			}
		}
	}
	c := rules.YearCycleOf(rules.CycleParams{}, o.ToYear, o.Today, ds.Selections, ds.Assessments, nil)
	kinds := []lag{lagDetection, lagReports}
	for _, a := range c.Areas {
		if len(kinds) == 0 {
			break
		}
		if !a.CarriedOver && !a.HasVerdict && a.DecidedOn.Month() == time.March {
			out[a.Key()] = kinds[0]
			kinds = kinds[1:]
		}
	}
	return out
}

// proposals draws the proposals of each selection year: the districts'
// while there are districts on the due day, else the communes' own.
func proposals(r *rand.Rand, o Options, cal period.Calendar, ds *store.Dataset, terr *rules.Territory) []rules.DistrictProposal {
	offence := map[string]store.Offence{}
	for _, of := range ds.Offences {
		offence[of.Code] = of
	}
	var out []rules.DistrictProposal
	for y := o.FromYear; y <= o.ToYear; y++ {
		due := period.Date(y, time.January, 31)
		if !due.Before(o.Today) {
			break
		}
		last := y == o.ToYear
		// The communes existing on the due day, with their districts then,
		// and the year before's statistics counted for them.
		district := map[string]string{}
		byDistrict := map[string][]string{}
		var units []rules.Unit
		grouped := false
		for _, row := range ds.Units {
			u, ok := terr.UnitOn(row.Code, due)
			if !ok || u.Code != row.Code {
				continue
			}
			district[u.Code] = u.District
			byDistrict[u.District] = append(byDistrict[u.District], u.Code)
			units = append(units, u)
			grouped = grouped || u.District != ""
		}
		counts, _ := rules.Attribute(terr, due, socialOrderCounts(ds, offence, cal.Year(y-1)), func(a, b rules.Counts) rules.Counts { return a.Add(b) })
		prop := rules.Propose(rules.SelectionParams{Year: y, AsOf: due, Grouped: true, CapPercent: 15, NTMRule: rules.NTMAlways}, units, counts)
		cand := map[string]rules.Candidate{}
		for _, c := range prop.Candidates {
			cand[c.Unit.Code] = c
		}
		if !grouped {
			out = append(out, communeProposals(r, terr, y, due, last, ds.Selections, prop)...)
			continue
		}
		// What each district puts forward: the communes selected in March
		// (the province decides among the proposals), else its busiest
		// commune not certified new-rural.
		picks := map[string][]string{}
		for _, s := range ds.Selections {
			if s.Year == y && s.DecidedOn.Month() == time.March {
				picks[district[s.Unit]] = append(picks[district[s.Unit]], s.Unit)
			}
		}
		var dists []string
		for d := range byDistrict {
			dists = append(dists, d)
		}
		slices.Sort(dists)
		failing, silent := "", ""
		if last {
			// The district that proposes a commune failing the gate: the
			// first by code with a commune above its own district's
			// average but not the province's (a plausible local choice);
			// the silent one: the last district by code without a
			// selection this year.
			for _, d := range dists {
				if failing == "" && belowGateCandidate(d, byDistrict, cand) != "" {
					failing = d
				}
			}
			for _, d := range slices.Backward(dists) {
				if d != failing && len(picks[d]) == 0 {
					silent = d
					break
				}
			}
		}
		for _, d := range dists {
			if d == silent {
				continue
			}
			units := append([]string(nil), picks[d]...)
			if len(units) == 0 {
				units = append(units, busiest(byDistrict[d], cand))
			}
			if d == failing {
				units = append(units, belowGateCandidate(d, byDistrict, cand))
			}
			on := period.Date(y, time.January, 5+r.IntN(24))
			if r.Float64() < 0.12 {
				on = due.AddDate(0, 0, 1+r.IntN(10)) // a few days late
			}
			for _, u := range units {
				out = append(out, rules.DistrictProposal{Year: y, District: d, Unit: u, ProposedOn: on})
			}
		}
	}
	slices.SortFunc(out, func(a, b rules.DistrictProposal) int {
		return cmp.Or(cmp.Compare(a.Year, b.Year), strings.Compare(a.District, b.District), strings.Compare(a.Unit, b.Unit))
	})
	return slices.CompactFunc(out, func(a, b rules.DistrictProposal) bool {
		return a.Year == b.Year && a.District == b.District && a.Unit == b.Unit
	})
}

// communeProposals draws the proposals of year y without districts: each
// commune the committee then selects in March proposes itself in January,
// some a few days late, and so does the best-ranked commune it does not
// select (nor worked on the year before); in the last year also the
// commune with the most crimes among those not above the province's
// average (a local worry that fails the gate). prop is the computed
// proposal over the year before.
func communeProposals(r *rand.Rand, terr *rules.Territory, y int, due time.Time, last bool, sel []rules.Selection, prop rules.Proposal) []rules.DistrictProposal {
	var units []string
	worked := map[string]bool{}
	for _, s := range sel {
		switch {
		case s.Year == y && s.DecidedOn.Month() == time.March:
			units = append(units, s.Unit)
		case s.Year == y-1:
			worked[terr.Resolve(s.Unit, due).Code] = true
		}
	}
	best := ""
	var below *rules.Candidate
	for i, c := range prop.Candidates {
		switch {
		case c.Eligible && !c.NTM && best == "" && !slices.Contains(units, c.Unit.Code) && !worked[c.Unit.Code]:
			best = c.Unit.Code
		case !c.AboveProvince && !c.NTM && (below == nil || c.Counts.SocialOrder > below.Counts.SocialOrder):
			below = &prop.Candidates[i]
		}
	}
	if best != "" {
		units = append(units, best)
	}
	if last && below != nil {
		units = append(units, below.Unit.Code)
	}
	slices.Sort(units)
	var out []rules.DistrictProposal
	for _, u := range slices.Compact(units) {
		on := period.Date(y, time.January, 5+r.IntN(24))
		if r.Float64() < 0.12 {
			on = due.AddDate(0, 0, 1+r.IntN(10))
		}
		out = append(out, rules.DistrictProposal{Year: y, Unit: u, ProposedOn: on})
	}
	return out
}

// belowGateCandidate is district d's commune with the most crimes among
// those above the district's average but not the province's ("" if none).
func belowGateCandidate(d string, byDistrict map[string][]string, cand map[string]rules.Candidate) string {
	best := ""
	for _, u := range byDistrict[d] {
		c := cand[u]
		if c.AboveDistrict && !c.AboveProvince && !c.NTM && (best == "" || c.Counts.SocialOrder > cand[best].Counts.SocialOrder) {
			best = u
		}
	}
	return best
}

// busiest is the commune with the most crimes among those not excluded as
// new-rural (the first by code on a tie).
func busiest(codes []string, cand map[string]rules.Candidate) string {
	best := ""
	for _, u := range codes {
		c := cand[u]
		if c.NTM {
			continue
		}
		if best == "" || c.Counts.SocialOrder > cand[best].Counts.SocialOrder {
			best = u
		}
	}
	if best == "" {
		best = codes[0]
	}
	return best
}

func socialOrderCounts(ds *store.Dataset, offence map[string]store.Offence, r period.Range) map[string]rules.Counts {
	out := map[string]rules.Counts{}
	for _, s := range ds.Stats {
		if !r.Contains(s.Day) {
			continue
		}
		c := out[s.Unit]
		of := offence[s.Offence]
		c.ByCategory[of.Category] += s.Count
		if of.SocialOrder {
			c.SocialOrder += s.Count
		}
		out[s.Unit] = c
	}
	return out
}

// caseStats draws one row per commune and closed statistical month, for
// the communes existing on the month's last day: the month the reform
// cuts is the new commune's, with its predecessors' crimes of the month.
func caseStats(r *rand.Rand, o Options, cal period.Calendar, ds *store.Dataset, terr *rules.Territory, lagging map[rules.AreaKey]lag) []store.CaseStat {
	type key struct {
		unit string
		day  time.Time
	}
	crimes := map[key][2]int{} // all, serious
	for _, s := range ds.Stats {
		_, _, m := cal.MonthOf(s.Day)
		k := key{terr.Resolve(s.Unit, m.To).Code, m.To}
		c := crimes[k]
		c[0] += s.Count
		if seriousOffence[s.Offence] {
			c[1] += s.Count
		}
		crimes[k] = c
	}
	var out []store.CaseStat
	for _, u := range ds.Units {
		for y := o.FromYear; y <= o.ToYear; y++ {
			for m := time.January; m <= time.December; m++ {
				rg := cal.Month(y, m)
				if rg.To.After(o.Today) {
					break
				}
				if !u.ValidOn(rg.To) {
					continue
				}
				c := crimes[key{u.Code, rg.To}]
				st := store.CaseStat{Unit: u.Code, Day: rg.To, Crimes: c[0], SeriousCrimes: c[1]}
				// Most crimes are detected within the month; serious ones
				// nearly always.
				st.Detected = c[0] - binomial(r, c[0], 0.08)
				st.SeriousDetected = min(c[1], st.Detected)
				st.ReportsReceived = c[0] + r.IntN(3)
				st.ReportsHandled = st.ReportsReceived
				if r.Float64() < 0.25 {
					st.Released = 1 + r.IntN(2)
				}
				switch lagging[rules.AreaKey{Unit: u.Code, Year: y}] {
				case lagDetection:
					st.Detected = c[0] * 6 / 10
					st.SeriousDetected = min(c[1], st.Detected)
				case lagReports:
					if st.ReportsReceived > 0 {
						st.ReportsHandled = st.ReportsReceived - 1
					}
					if m%3 == 0 {
						st.Released = max(st.Released, 1)
						st.Reoffended = 1
					}
				}
				out = append(out, st)
			}
		}
	}
	return out
}

// binomial draws the number of successes in n trials of probability p.
func binomial(r *rand.Rand, n int, p float64) int {
	k := 0
	for range n {
		if r.Float64() < p {
			k++
		}
	}
	return k
}
