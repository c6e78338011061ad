package jobs

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"time"

	"chuyenhoa/contract"
	"chuyenhoa/finding"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// CycleReport is the year of work as it stands on one day: its areas with
// their indicators, the projection of the yearly targets, and the district
// proposals for the coming selection beside the computed candidates.
type CycleReport struct {
	On   time.Time
	Year int
	// Window is the indicator window: from the start of the statistical
	// year to the end of the last month closed on On (at most the year's
	// end). HasWindow is false before the first month closes.
	Window    period.Range
	HasWindow bool
	// SixMonths is the end of the year's first statistical half; Warn is
	// true once the window reaches it: from then on an area missing an
	// indicator is warned to its district committee.
	SixMonths time.Time
	Warn      bool
	Cycle     rules.YearCycle
	Areas     []finding.CycleItem // Cycle.Areas with their indicators, in order
	// Previous holds the year before's areas with their full-year
	// indicators: a warning stays until the committee's verdict settles it.
	Previous   []finding.CycleItem
	Projection rules.Projection

	// The proposals for ProposalYear, computed over Reference among the
	// communes and districts of day Among (the decision's, once the year's
	// list is decided), and the district committees' own, checked by the
	// same rules.
	ProposalYear      int
	Reference         period.Range
	Among             time.Time
	Proposal          rules.Proposal
	Proposals         []rules.ProposalCheck
	ProposalDeadlines []rules.ProposalDeadline // every committee owing one, pending ones included
	// Grouped is set when the units of the proposal's day have districts:
	// the work goes through district committees (rules.Grouped).
	Grouped bool
	// Decision is the committee's recorded selection of ProposalYear (the
	// decisions known on On) checked against the plan's rules among the
	// communes of its day, with the new-rural certifications known then;
	// HasDecision is false before the year's list is decided.
	Decision    rules.DecisionCheck
	HasDecision bool
	// The decisions and relapse states the cycle was computed from, each
	// attributed to the communes of On; Relapsed marks the areas found
	// relapsed by a check on or before On.
	Selections  []rules.Selection
	Assessments []rules.Assessment
	States      map[rules.AreaKey]store.RelapseState
	Relapsed    map[rules.AreaKey]bool
}

// RelapsedBy marks the areas of states found relapsed by a check on or
// before day (store.RelapseState.RelapsedBy): what a year's figures count
// as relapsed when they are computed for that day.
func RelapsedBy(states map[rules.AreaKey]store.RelapseState, day time.Time) map[rules.AreaKey]bool {
	out := map[rules.AreaKey]bool{}
	for k, st := range states {
		if st.RelapsedBy(day) {
			out[k] = true
		}
	}
	return out
}

// CycleQuery says which year of work and which proposals to compute.
type CycleQuery struct {
	On time.Time
	// Year is the year of work; 0 takes rules.CycleYear on On (the latest
	// year with a selection decided by then).
	Year int
	// ProposalYear is the selection year of the proposals; 0 takes the
	// statistical year containing On, as the candidates job does.
	ProposalYear int
}

// cyclePeriod keys a cycle run by day: deadlines and warnings move daily.
func cyclePeriod(_ period.Calendar, day time.Time) string { return day.Format(time.DateOnly) }

// CycleOf computes the year of work and the proposals on q.On from the
// store. It writes nothing.
func (r *Runner) CycleOf(ctx context.Context, q CycleQuery) (*CycleReport, error) {
	return r.cycleOf(ctx, q, r.Source(q.On))
}

func (r *Runner) cycleOf(ctx context.Context, q CycleQuery, src *contract.Source) (*CycleReport, error) {
	cal := r.Config.Calendar()
	// The year of work as the communes of the day see it: selections,
	// verdicts and relapse watch recorded on a commune that merged belong
	// to its successor, so an area is never listed twice.
	sel, err := src.Selections(ctx, q.On)
	if err != nil {
		return nil, fmt.Errorf("load selections: %w", err)
	}
	as, err := src.Assessments(ctx, q.On)
	if err != nil {
		return nil, fmt.Errorf("load assessments: %w", err)
	}
	year := q.Year
	if year <= 0 {
		year = rules.CycleYear(q.On, sel)
	}
	rep := &CycleReport{On: q.On, Year: year, SixMonths: cal.Half(year, 1).To, Selections: sel, Assessments: as}
	states, err := src.RelapseStates(ctx, q.On)
	if err != nil {
		return nil, fmt.Errorf("load relapse states: %w", err)
	}
	relapsed := RelapsedBy(states, q.On)
	rep.States, rep.Relapsed = states, relapsed
	all, err := src.AllUnits(ctx)
	if err != nil {
		return nil, fmt.Errorf("load units: %w", err)
	}
	at, err := src.UnitAt(ctx)
	if err != nil {
		return nil, fmt.Errorf("load units: %w", err)
	}
	// The district of each area on the day (or the last one recorded for a
	// unit that is none of the day's), when the province is grouped: whose
	// committee is warned (without one, the commune's own body is).
	district := make(map[string]string, len(all))
	if r.Config.Grouped() {
		for _, u := range all {
			district[u.Code] = u.District
			if v, ok := at(u.Code, q.On); ok && v.Code == u.Code {
				district[u.Code] = v.District
			}
		}
	}

	rep.Cycle = rules.YearCycleOf(r.Config.CycleParams(), year, q.On, sel, as, relapsed)
	ind := map[string]rules.IndicatorResult{}
	rep.Areas, rep.Window, rep.HasWindow, err = r.cycleItems(ctx, src, rep.Cycle, q.On, district, ind)
	if err != nil {
		return nil, err
	}
	rep.Warn = rep.HasWindow && !rep.Window.To.Before(rep.SixMonths)
	prev := rules.YearCycleOf(r.Config.CycleParams(), year-1, q.On, sel, as, relapsed)
	if rep.Previous, _, _, err = r.cycleItems(ctx, src, prev, q.On, district, nil); err != nil {
		return nil, err
	}
	rep.Projection = rules.Project(r.Config.TargetParams(), rep.Cycle, ind, rules.TransformedAreas(sel, as), relapsed)
	// Last, because it waits for the reference year's sums: in a round the
	// rest of the cycle is worked out while they are being summed.
	if err := r.proposals(ctx, src, rep, q, sel); err != nil {
		return nil, err
	}
	return rep, nil
}

// cycleItems measures each area of c against the indicators over the
// window of c.Year as of on, filling ind (when not nil) by unit.
func (r *Runner) cycleItems(ctx context.Context, src *contract.Source, c rules.YearCycle, on time.Time, district map[string]string, ind map[string]rules.IndicatorResult) ([]finding.CycleItem, period.Range, bool, error) {
	cal := r.Config.Calendar()
	yr := cal.Year(c.Year)
	_, _, last := cal.LastClosedMonth(on)
	window := period.Range{From: yr.From, To: last.To}
	if window.To.After(yr.To) {
		window.To = yr.To
	}
	has := !window.To.Before(window.From)
	if len(c.Areas) == 0 {
		return nil, window, has, nil
	}
	counts := map[string]rules.CaseCounts{}
	if has {
		var err error
		if counts, err = src.CaseCounts(ctx, window, on); err != nil {
			return nil, window, has, fmt.Errorf("load case statistics %s: %w", window, err)
		}
	}
	warn := has && !window.To.Before(cal.Half(c.Year, 1).To)
	params := r.Config.IndicatorParams()
	items := make([]finding.CycleItem, 0, len(c.Areas))
	for _, a := range c.Areas {
		it := finding.CycleItem{CycleArea: a, District: district[a.Unit], Window: window, HasWindow: has, YearEnd: yr.To}
		it.Indicators = rules.AssessIndicators(params, counts[a.Unit])
		switch {
		case a.HasVerdict:
			it.State = finding.CycleAssessed
		case !has || !it.Indicators.HasData:
			it.State = finding.CycleNoData
		case it.Indicators.Met:
			it.State = finding.CycleOnTrack
		case warn:
			it.State = finding.CycleAtRisk
		default:
			it.State = finding.CycleBelow
		}
		if ind != nil && has {
			ind[a.Unit] = it.Indicators
		}
		items = append(items, it)
	}
	return items, window, has, nil
}

// proposals computes the candidates for the proposal year as the
// candidates job does, checks the proposals against them and states each
// committee's proposal obligation: each district's, and without districts
// each commune's when proposals.min_per_unit asks for one.
func (r *Runner) proposals(ctx context.Context, src *contract.Source, rep *CycleReport, q CycleQuery, sel []rules.Selection) error {
	cal := r.Config.Calendar()
	py := q.ProposalYear
	if py <= 0 {
		py, _, _ = cal.MonthOf(q.On)
	}
	rep.ProposalYear, rep.Reference = py, cal.Year(py-1)
	// The proposal as it stood on the day, or at the end of its year for a
	// past year's report.
	asOf := q.On
	if end := cal.Year(py).To; asOf.After(end) {
		asOf = end
	}
	// Once the year's list is decided, among the communes and districts of
	// the decision (the 2025 list was decided among the communes before the
	// merger, with their count, averages and cap).
	among := asOf
	if d, ok := decidedOn(sel, py); ok && d.Before(among) {
		among = d
	}
	rep.Among = among
	units, counts, err := unitsAndCounts(ctx, src, rep.Reference, among)
	if err != nil {
		return err
	}
	// The decision is checked against the proposal under the new-rural
	// rule of its own day when that sees other certifications. That one
	// is worked out first: in a round it then runs beside the candidates
	// job's proposal, which is the other one (propose) and is ready, or
	// nearly, when this asks for it.
	prop, own := rules.Proposal{}, false
	if p := r.Config.SelectionParams(py, among); asOf.After(among) && !rules.SameProposal(r.Config.SelectionParams(py, asOf), p, units) {
		prop, own = r.propose(p, units, counts), true
	}
	rep.Proposal = r.propose(r.Config.SelectionParams(py, asOf), units, counts)
	if !own {
		prop = rep.Proposal
	}
	ps, err := src.Proposals(ctx, py, among)
	if err != nil {
		return fmt.Errorf("load proposals: %w", err)
	}
	selAmong, err := src.Selections(ctx, among)
	if err != nil {
		return fmt.Errorf("load selections: %w", err)
	}
	rep.Proposals = rules.CheckProposals(rep.Proposal, ps, selAmong)
	rep.Grouped = rules.Grouped(r.Config.Grouped(), units)
	var decided []rules.Selection
	for _, x := range selAmong {
		if !x.DecidedOn.After(q.On) {
			decided = append(decided, x)
		}
	}
	rep.Decision, rep.HasDecision = rules.CheckDecision(prop, r.Config.Selection.CapPercent, decided)

	o := r.Config.ProposalObligation()
	due := rules.DueOnOrAfter(cal.Year(py).From, o.DueMonth, o.DueDay)
	// The committees owing proposals are those of the communes in force
	// on the due day, with the districts in force then.
	all, err := src.AllUnits(ctx)
	if err != nil {
		return fmt.Errorf("load units: %w", err)
	}
	at, err := src.UnitAt(ctx)
	if err != nil {
		return fmt.Errorf("load units: %w", err)
	}
	var owing []rules.Unit
	for _, u := range all {
		if v, ok := at(u.Code, due); ok && v.Code == u.Code {
			owing = append(owing, v)
		}
	}
	req := rules.ProposalsRequired{PerDistrict: r.Config.Proposals.MinPerDistrict, PerUnit: r.Config.Proposals.MinPerUnit}
	rep.ProposalDeadlines = rules.ProposalDeadlines(o, py, due, q.On, req, r.Config.Grouped(), owing, ps)
	return nil
}

// decidedOn is the day the provincial committee decided year's list: the
// earliest decision of a selection of year.
func decidedOn(sel []rules.Selection, year int) (time.Time, bool) {
	var first time.Time
	for _, s := range sel {
		if s.Year == year && !s.DecidedOn.IsZero() && (first.IsZero() || s.DecidedOn.Before(first)) {
			first = s.DecidedOn
		}
	}
	return first, !first.IsZero()
}

func runCycle(ctx context.Context, r *Runner, src *contract.Source, day time.Time) (*outcome, error) {
	q := CycleQuery{On: day}
	out, err := r.cycleOutcome(ctx, q, src)
	if err != nil || r.await == nil {
		return out, err
	}
	// In a round the relapse check may be writing the states this cycle
	// was worked out from. Once its run has ended the cycle stands if the
	// states stored then are the ones it read (nearly every day: only a
	// month's first check moves them), and is worked out again from them
	// otherwise: either way it rests on what the relapse check left, and
	// its rules and JSON ran beside the relapse check's writes and commit
	// instead of after them (and on PostgreSQL its own write too: execute).
	out.settle = func(ctx context.Context) (*outcome, error) {
		if err := r.waitFor(ctx, finding.JobRelapse); err != nil {
			return nil, err
		}
		states, err := src.RelapseStates(ctx, day)
		if err != nil {
			return nil, fmt.Errorf("load relapse states: %w", err)
		}
		if maps.EqualFunc(states, out.report.(*CycleReport).States, store.RelapseState.Equal) {
			return nil, nil
		}
		return r.cycleOutcome(ctx, q, src)
	}
	return out, nil
}

// cycleOutcome is the cycle of q and its findings, from the relapse states
// stored when it reads them.
func (r *Runner) cycleOutcome(ctx context.Context, q CycleQuery, src *contract.Source) (*outcome, error) {
	rep, err := r.cycleOf(ctx, q, src)
	if err != nil {
		return nil, err
	}
	out := &outcome{report: rep}
	add := func(f store.Finding, err error) error {
		if err != nil {
			return err
		}
		out.findings = append(out.findings, f)
		return nil
	}
	for _, items := range [][]finding.CycleItem{rep.Previous, rep.Areas} {
		for _, it := range items {
			com := rules.CommitteeFor(it.District, it.Unit).String()
			if err := add(newFinding(it.Unit+"/"+strconv.Itoa(it.Year), com, it.Unit, it.State, it)); err != nil {
				return nil, err
			}
		}
	}
	for _, c := range rep.Proposals {
		p := c.Proposal
		state := finding.ProposalAcceptable
		switch {
		case !c.Known:
			state = finding.ProposalUnknownUnit
		case c.OtherDistrict:
			state = finding.ProposalOtherDistrict
		case c.FailsGate:
			state = finding.ProposalFailsGate
		case c.ExcludedNTM:
			state = finding.ProposalExcludedNTM
		}
		com := rules.CommitteeFor(p.District, p.Unit).String()
		if err := add(newFinding(com+"/"+p.Unit+"/"+strconv.Itoa(p.Year), com, p.Unit, state, c)); err != nil {
			return nil, err
		}
	}
	if rep.HasDecision && rep.Decision.Departs() {
		// The province's matter: the committee may depart from the plan's
		// rules, and its digest says so with the numbers.
		if err := add(newFinding(strconv.Itoa(rep.Decision.Year), "", "", finding.DecisionDeparts, rep.Decision)); err != nil {
			return nil, err
		}
	}
	for _, d := range rep.ProposalDeadlines {
		if d.State == rules.DeadlinePending {
			continue
		}
		if err := add(newFinding(DeadlineKey(d.Deadline), d.Committee.String(), "", finding.DeadlineState(d.State), d)); err != nil {
			return nil, err
		}
	}
	pr := rep.Projection
	t := r.Config.Targets
	for _, p := range []struct {
		key, target string
		pct         int
		has, met    bool
	}{
		{strconv.Itoa(pr.Year) + "/" + finding.PassTarget, finding.PassTarget, t.TransformedPercent, pr.HasPass, pr.PassMet},
		{finding.StableTarget, finding.StableTarget, t.StablePercent, pr.HasStable, pr.StableMet},
	} {
		state := finding.ProjectionNoData
		switch {
		case p.has && p.met:
			state = finding.ProjectionMet
		case p.has:
			state = finding.ProjectionBelow
		}
		if err := add(newFinding(p.key, "", "", state, finding.ProjectionItem{Target: p.target, Percent: p.pct, Projection: pr})); err != nil {
			return nil, err
		}
	}
	return out, nil
}
