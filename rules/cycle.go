package rules

import (
	"fmt"
	"sort"
	"time"
)

// Stage is where an area stands in its yearly life cycle: proposed (by the
// computation or a district), selected by the provincial committee, worked
// on during the year, assessed, then watched for relapse.
type Stage string

// The stages of an area in the year of work. A proposal that was not
// selected never becomes an area; see ProposalCheck.
const (
	StageInProgress     Stage = "in_progress"     // selected (or carried over), no verdict yet
	StageNotTransformed Stage = "not_transformed" // assessed as not transformed: carries over
	StageWatched        Stage = "watched"         // transformed, inside the watch window
	StageStable         Stage = "stable"          // transformed, watch window over without relapse
	StageRelapsed       Stage = "relapsed"        // transformed, found complex again at some check
)

// CycleParams configure the yearly cycle.
type CycleParams struct {
	WatchMonths int // months a transformed area is watched; 0 = always
	Targets     TargetParams
}

// CycleArea is one area in one year of work.
type CycleArea struct {
	Unit string
	Year int // the year of work
	// CarriedOver marks an area in this year's work because it was not
	// transformed the year before and was not selected again: it is worked
	// on and assessed beside the new selection but is not in the year's
	// rate. Origin is the year it was first selected.
	CarriedOver bool
	Origin      int
	// Reselected marks an area selected this year after a verdict of not
	// transformed the year before: in the rate, like any selection.
	Reselected bool
	// Categories are those of the selection that brought it in (sorted,
	// never empty), DecidedOn that selection's earliest decision day.
	// Category is Categories[0], kept like Area.Category.
	Category   Category
	Categories []Category
	DecidedOn  time.Time
	// Verdict of the year (Transformed, AssessedOn), when known on the day
	// of the cycle; HasVerdict is false before the committee decides.
	HasVerdict  bool
	Transformed bool
	AssessedOn  time.Time
	Stage       Stage
	// CarriesOver is true for a not-transformed area that is not selected
	// for the next year (as known on the day): it carries over.
	CarriesOver bool
	// WatchEnds is the last day of the watch window of a transformed area;
	// zero when areas are watched for ever.
	WatchEnds time.Time
}

// Key identifies the area's year of work.
func (a CycleArea) Key() AreaKey { return AreaKey{Unit: a.Unit, Year: a.Year} }

// CycleCount counts the areas of one kind in a year of work.
type CycleCount struct {
	Areas, Assessed, Transformed, NotTransformed, Relapsed int
}

// YearCycle is a year of work as known on one day.
type YearCycle struct {
	Year int
	On   time.Time
	// Areas lists the selected areas by unit code, then the carried-over
	// ones by unit code.
	Areas []CycleArea
	// Selected counts the year's selections; Carried the areas carried over.
	Selected, Carried CycleCount
	// The yearly rate as provinces report it: transformed ÷ selected that
	// year (carried-over areas shown separately), against the 60% target;
	// and the selected areas transformed and not relapsed against 85%.
	TransformedRate             float64
	TransformedNeeded           int
	TransformedMet              bool
	StableRate                  float64
	StableNeeded                int
	StableMet                   bool
	HasSelected, HasTransformed bool
}

type verdictKey = AreaKey

// latestVerdicts keeps the latest assessment per (year, unit) known on day
// on; on a tie the later in input stands, as in YearProgress.
func latestVerdicts(as []Assessment, on time.Time) map[verdictKey]Assessment {
	out := map[verdictKey]Assessment{}
	for _, a := range as {
		if !on.IsZero() && a.AssessedOn.After(on) {
			continue
		}
		k := verdictKey{Unit: a.Unit, Year: a.Year}
		if prev, ok := out[k]; ok && a.AssessedOn.Before(prev.AssessedOn) {
			continue
		}
		out[k] = a
	}
	return out
}

// decidedBy groups the selections decided on or before on (all when on is
// zero) into one area per (year, unit), by year and unit: a category
// decided after on is not known on on.
func decidedBy(sel []Selection, on time.Time) map[int]map[string]SelectedArea {
	var known []Selection
	for _, s := range sel {
		if on.IsZero() || !s.DecidedOn.After(on) {
			known = append(known, s)
		}
	}
	out := map[int]map[string]SelectedArea{}
	for _, a := range GroupSelections(known) {
		if out[a.Year] == nil {
			out[a.Year] = map[string]SelectedArea{}
		}
		out[a.Year][a.Unit] = a
	}
	return out
}

// programmeEntry is how an area entered a year of work.
type programmeEntry struct {
	origin     int
	categories []Category
	decidedOn  time.Time
	carried    bool
	reselected bool
}

// programme is the set of areas worked on in year: its selections, and
// the areas of year−1's work whose verdict was "not transformed" and that
// were not selected again. An area keeps carrying over while each year's
// verdict says "not transformed"; without a verdict it does not carry
// (the committee has not decided it failed).
func programme(year int, selected map[int]map[string]SelectedArea, verdicts map[verdictKey]Assessment) map[string]programmeEntry {
	first := year
	for y := range selected {
		first = min(first, y)
	}
	prev := map[string]programmeEntry{}
	for y := first; y <= year; y++ {
		cur := map[string]programmeEntry{}
		failed := func(u string) bool {
			v, ok := verdicts[verdictKey{Unit: u, Year: y - 1}]
			return ok && !v.Transformed
		}
		for u, s := range selected[y] {
			_, wasIn := prev[u]
			cur[u] = programmeEntry{origin: y, categories: s.Categories, decidedOn: s.DecidedOn, reselected: wasIn && failed(u)}
		}
		for u, e := range prev {
			if _, again := cur[u]; again || !failed(u) {
				continue
			}
			e.carried, e.reselected = true, false
			cur[u] = e
		}
		prev = cur
	}
	return prev
}

// YearCycleOf builds year's work as known on day on: selections decided and
// verdicts recorded on or before on (all of them when on is zero).
// relapsed marks transformed areas found relapsed at any check, keyed by
// the verdict's year.
func YearCycleOf(p CycleParams, year int, on time.Time, sel []Selection, as []Assessment, relapsed map[AreaKey]bool) YearCycle {
	selected := decidedBy(sel, on)
	verdicts := latestVerdicts(as, on)
	prog := programme(year, selected, verdicts)
	c := YearCycle{Year: year, On: on}
	for u, e := range prog {
		a := CycleArea{
			Unit: u, Year: year, CarriedOver: e.carried, Origin: e.origin, Reselected: e.reselected,
			Categories: AreaCategories(e.categories), DecidedOn: e.decidedOn, Stage: StageInProgress,
		}
		a.Category = a.Categories[0]
		count := &c.Selected
		if a.CarriedOver {
			count = &c.Carried
		}
		count.Areas++
		if v, ok := verdicts[a.Key()]; ok {
			a.HasVerdict, a.Transformed, a.AssessedOn = true, v.Transformed, v.AssessedOn
			count.Assessed++
			if v.Transformed {
				count.Transformed++
				if p.WatchMonths > 0 {
					a.WatchEnds = v.AssessedOn.AddDate(0, p.WatchMonths, 0)
				}
				switch {
				case relapsed[a.Key()]:
					a.Stage = StageRelapsed
					count.Relapsed++
				case !a.WatchEnds.IsZero() && !on.IsZero() && on.After(a.WatchEnds):
					a.Stage = StageStable
				default:
					a.Stage = StageWatched
				}
			} else {
				count.NotTransformed++
				a.Stage = StageNotTransformed
				_, again := selected[year+1][u]
				a.CarriesOver = !again
			}
		}
		c.Areas = append(c.Areas, a)
	}
	sort.Slice(c.Areas, func(i, j int) bool {
		a, b := c.Areas[i], c.Areas[j]
		if a.CarriedOver != b.CarriedOver {
			return !a.CarriedOver
		}
		return a.Unit < b.Unit
	})
	s := c.Selected
	c.HasSelected, c.HasTransformed = s.Areas > 0, s.Transformed > 0
	c.TransformedRate, c.TransformedNeeded, c.TransformedMet = target(s.Transformed, s.Areas, p.Targets.TransformedPercent)
	c.StableRate, c.StableNeeded, c.StableMet = target(s.Transformed-s.Relapsed, s.Transformed, p.Targets.StablePercent)
	return c
}

// CycleYear is the year of work on day on: the latest year up to on's
// calendar year with a selection decided by on. Until the provincial
// committee decides a new year's list (February–April), the previous
// year's areas are still the ones being worked on and assessed.
func CycleYear(on time.Time, sel []Selection) int {
	year := 0
	for _, s := range sel {
		if s.Year <= on.Year() && !s.DecidedOn.After(on) {
			year = max(year, s.Year)
		}
	}
	if year == 0 {
		return on.Year()
	}
	return year
}

// CarryOverCategories returns sel plus, for each verdict recorded without
// a selection of its year (a carried-over area is assessed in the year it
// carried into), selections of that year in the categories of the unit's
// latest earlier selection, one per category, as its rows were.
// TransformedAreas reads categories through it.
func CarryOverCategories(sel []Selection, as []Assessment) []Selection {
	have := map[AreaKey]bool{}
	byUnit := map[string][]Selection{}
	for _, s := range sel {
		have[AreaKey{Unit: s.Unit, Year: s.Year}] = true
		byUnit[s.Unit] = append(byUnit[s.Unit], s)
	}
	out := append([]Selection(nil), sel...)
	for _, a := range as {
		k := AreaKey{Unit: a.Unit, Year: a.Year}
		if have[k] {
			continue
		}
		best := 0
		for _, s := range byUnit[a.Unit] {
			if s.Year < a.Year && s.Year > best {
				best = s.Year
			}
		}
		if best == 0 {
			continue
		}
		have[k] = true
		for _, s := range byUnit[a.Unit] {
			if s.Year == best {
				out = append(out, Selection{Year: a.Year, Unit: a.Unit, Category: s.Category, DecidedOn: s.DecidedOn})
			}
		}
	}
	return out
}

// DistrictProposal is a district committee proposing a commune for a
// selection year.
type DistrictProposal struct {
	Year       int
	District   string
	Unit       string
	ProposedOn time.Time
}

// ProposalCheck is a district proposal measured by the rules that compute
// the candidates, with the numbers.
type ProposalCheck struct {
	Proposal DistrictProposal
	// Known is false when the unit is not a commune on the day of the
	// computation (unknown code, merged away).
	Known bool
	// Candidate is the unit's evaluation in the computed proposal: counts,
	// averages, eligibility, status, rank.
	Candidate Candidate
	// OtherDistrict is set when the unit belongs to another district than
	// the proposing committee.
	OtherDistrict bool
	FailsGate     bool // not strictly above both averages
	ExcludedNTM   bool // certified new-rural under the configured rule
	Selected      bool // the provincial committee selected it for the year
}

// Acceptable reports whether nothing is wrong with the proposal.
func (c ProposalCheck) Acceptable() bool {
	return c.Known && !c.OtherDistrict && !c.FailsGate && !c.ExcludedNTM
}

// CheckProposals evaluates the district proposals of prop.Year against the
// computed proposal prop (made with the same rules and data). sel marks the
// ones the committee selected. Sorted by district, then unit.
func CheckProposals(prop Proposal, proposals []DistrictProposal, sel []Selection) []ProposalCheck {
	byUnit := make(map[string]Candidate, len(prop.Candidates))
	for _, c := range prop.Candidates {
		byUnit[c.Unit.Code] = c
	}
	selected := map[string]bool{}
	for _, s := range sel {
		if s.Year == prop.Year {
			selected[s.Unit] = true
		}
	}
	var out []ProposalCheck
	for _, p := range proposals {
		if p.Year != prop.Year {
			continue
		}
		c, ok := byUnit[p.Unit]
		pc := ProposalCheck{Proposal: p, Known: ok, Candidate: c, Selected: selected[p.Unit]}
		if ok {
			pc.OtherDistrict = c.Unit.District != "" && p.District != "" && c.Unit.District != p.District
			pc.FailsGate = !c.Eligible
			pc.ExcludedNTM = c.NTM
		}
		out = append(out, pc)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Proposal, out[j].Proposal
		if a.District != b.District {
			return a.District < b.District
		}
		return a.Unit < b.Unit
	})
	return out
}

// DueOnOrAfter is the first day on or after from that falls on month m,
// day d: the due date of a yearly obligation in the window opening on from.
func DueOnOrAfter(from time.Time, m time.Month, d int) time.Time {
	due := time.Date(from.Year(), m, d, 0, 0, 0, 0, time.UTC)
	if due.Before(from) {
		due = due.AddDate(1, 0, 0)
	}
	return due
}

// ProposalDeadline is one committee's proposal obligation for a
// selection year: at least Required proposals by the due day.
type ProposalDeadline struct {
	Deadline
	Proposed int // proposals known on the day
	Required int
}

// ProposalsRequired says how many proposals a committee owes a year: each
// district committee PerDistrict, each commune-level body of a unit
// without a district PerUnit. A commune's body proposes its own area, so
// PerUnit is 0 (no obligation: the province's own candidates stand) or 1;
// 0 turns a level's obligation off.
type ProposalsRequired struct {
	PerDistrict, PerUnit int
}

// ProposalDeadlines states, on day today, the proposal obligation o of
// each committee responsible for units (CommitteeOf) for selection year:
// it is met on the day the committee's required-th proposal was made
// (proposals dated after today are not known yet), and moves through the
// states of DeadlineStatus. A proposal is the district's when it names
// one, else the commune's own (CommitteeFor). A level whose requirement is
// below 1 owes nothing. Sorted by committee.
func ProposalDeadlines(o Obligation, year int, due, today time.Time, req ProposalsRequired, grouped bool, units []Unit, proposals []DistrictProposal) []ProposalDeadline {
	required := map[Committee]int{}
	for _, u := range units {
		c := CommitteeOf(grouped, u)
		n := req.PerUnit
		if c.Level == LevelDistrict {
			n = req.PerDistrict
		}
		if n >= 1 {
			required[c] = n
		}
	}
	if len(required) == 0 {
		return nil
	}
	byCommittee := map[Committee][]time.Time{}
	for _, p := range proposals {
		if p.Year != year || p.ProposedOn.IsZero() || p.ProposedOn.After(today) {
			continue
		}
		c := CommitteeFor(p.District, p.Unit)
		byCommittee[c] = append(byCommittee[c], p.ProposedOn)
	}
	cs := make([]Committee, 0, len(required))
	for c := range required {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].String() < cs[j].String() })
	out := make([]ProposalDeadline, 0, len(cs))
	for _, c := range cs {
		days := byCommittee[c]
		n := required[c]
		sort.Slice(days, func(a, b int) bool { return days[a].Before(days[b]) })
		d := Deadline{
			Obligation: o, Committee: c, Year: year, Period: fmt.Sprintf("%04d", year), Due: due,
			EscalateOn: due.AddDate(0, 0, o.GraceDays+o.EscalateDays+1),
		}
		if len(days) >= n {
			d.SubmittedOn = days[n-1]
		}
		d.State, d.DaysLate = standing(o, due, d.SubmittedOn, today)
		out = append(out, ProposalDeadline{Deadline: d, Proposed: len(days), Required: n})
	}
	return out
}
