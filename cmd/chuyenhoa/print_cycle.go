package main

import (
	"fmt"
	"slices"
	"strings"

	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/labels"
	"chuyenhoa/rules"
)

// cycle prints the year of work: areas and indicators, the projection of
// the targets, the district proposals beside the computed candidates and
// the proposal obligation.
func (p *printer) cycle(r *jobs.CycleReport) {
	c := r.Cycle
	b := p.dir.Bodies()
	p.heading(labels.CycleHeading(r.Year, r.On))
	fmt.Fprintln(p.w, b.CycleWindow(r.Year, r.HasWindow, r.Window, r.SixMonths, r.Warn, r.Grouped))
	tw := p.table()
	var indicators []rules.Indicator
	if len(r.Areas) > 0 {
		indicators = r.Areas[0].Indicators.Indicators
	}
	writeRow(tw, b.CycleColumns(indicators, r.Grouped))
	states := map[finding.State]int{}
	for _, it := range r.Areas {
		states[it.State]++
		row := []string{it.Unit, fmt.Sprint(it.Year), p.dir.District(it.District), labels.Categories(it.Categories), labels.Origin(it.CycleArea), labels.Date(it.DecidedOn)}
		if !r.Grouped {
			row = slices.Delete(row, 2, 3)
		}
		for _, in := range it.Indicators.Indicators {
			row = append(row, labels.IndicatorCell(in, it.HasWindow && it.Indicators.HasData))
		}
		state := labels.CycleState(it.State)
		if it.HasVerdict {
			state = labels.Stage(it.Stage)
		}
		if it.State == finding.CycleAtRisk {
			state = strings.ToUpper(state)
		}
		writeRow(tw, append(row, state))
	}
	tw.Flush()
	fmt.Fprintln(p.w, labels.CycleSummary(r.Year, c.Selected.Areas, c.Carried.Areas, states))

	t := p.cfg.Targets
	p.heading(labels.ProjectionHeading(r.Year, r.On))
	fmt.Fprintln(p.w, labels.PassProjection(r.Projection, t.TransformedPercent))
	fmt.Fprintln(p.w, labels.StableProjection(r.Projection, t.StablePercent))

	p.proposals(r)
	p.decision(r)
}

// decision prints the committee's recorded selection of the proposal
// year against the plan's rules: each departure with its numbers.
func (p *printer) decision(r *jobs.CycleReport) {
	if !r.HasDecision {
		return
	}
	d := r.Decision
	p.heading(labels.DecisionHeading(d.Year))
	for _, rec := range d.Decisions {
		fmt.Fprintln(p.w, labels.DecisionRecord(rec))
	}
	fmt.Fprintln(p.w, labels.DecisionCap(d))
	for _, x := range d.Departures {
		fmt.Fprintf(p.w, "  %s: %s\n", p.dir.UnitName(x.Unit), p.dir.Bodies().Departure(x))
	}
}

// proposals prints the district proposals beside the computed candidates:
// every commune the computation proposes (or cuts by the cap) and every
// commune a district put forward, with the numbers of the gate.
func (p *printer) proposals(r *jobs.CycleReport) {
	pr := r.Proposal
	b := p.dir.Bodies()
	g := r.Grouped
	p.heading(b.ProposalsHeading(r.ProposalYear, g))
	fmt.Fprintln(p.w, labels.ProposalsIntro(r.Reference, pr.Baseline.Province.Avg))
	byUnit := map[string][]rules.ProposalCheck{}
	for _, c := range r.Proposals {
		byUnit[c.Proposal.Unit] = append(byUnit[c.Proposal.Unit], c)
	}
	tw := p.table()
	writeRow(tw, b.ProposalColumns(g))
	shown := map[string]bool{}
	row := func(c rules.Candidate, checks []rules.ProposalCheck) {
		dist := labels.None
		if c.HasDistrict {
			dist = labels.Num(c.DistrictAvg)
		}
		by, note := labels.None, ""
		if len(checks) > 0 {
			var who []string
			for _, ch := range checks {
				who = append(who, labels.ProposedBy(p.proposer(ch.Proposal), ch.Proposal.ProposedOn))
			}
			by = strings.Join(who, "; ")
			note = b.ProposalNote(checks[0], pr, p.cfg.Selection.CapPercent)
		}
		if !g {
			writeRow(tw, []string{c.Unit.Code, c.Unit.Name, fmt.Sprint(c.Counts.SocialOrder), labels.Num(c.ProvinceAvg), labels.Computed(c), by, note})
			return
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", c.Unit.Code, c.Unit.Name, p.dir.District(c.Unit.District),
			c.Counts.SocialOrder, labels.Num(c.ProvinceAvg), dist, labels.Computed(c), by, note)
	}
	for _, c := range pr.Candidates {
		if c.Status == rules.StatusProposed || c.Status == rules.StatusCutByCap || len(byUnit[c.Unit.Code]) > 0 {
			row(c, byUnit[c.Unit.Code])
			shown[c.Unit.Code] = true
		}
	}
	for _, c := range r.Proposals {
		if !shown[c.Proposal.Unit] {
			shown[c.Proposal.Unit] = true
			n := labels.None
			by, note := labels.ProposedBy(p.proposer(c.Proposal), c.Proposal.ProposedOn), b.ProposalNote(c, pr, p.cfg.Selection.CapPercent)
			if !g {
				writeRow(tw, []string{c.Proposal.Unit, n, n, n, n, by, note})
				continue
			}
			writeRow(tw, []string{c.Proposal.Unit, n, p.dir.District(c.Proposal.District), n, n, n, n, by, note})
		}
	}
	tw.Flush()
	bad := 0
	for _, c := range r.Proposals {
		if !c.Acceptable() {
			bad++
		}
	}
	fmt.Fprintln(p.w, b.ProposalsSummary(len(r.Proposals), bad, g))

	if len(r.ProposalDeadlines) == 0 {
		return
	}
	o := p.cfg.Proposals
	tw = p.table()
	fmt.Fprintf(p.w, "\n%s\n", b.ProposalObligation(o.MinPerDistrict, r.ProposalDeadlines[0].Due, g))
	writeRow(tw, labels.ProposalObligationColumns(g))
	for _, d := range r.ProposalDeadlines {
		fmt.Fprintf(tw, "%s\t%d/%d\t%s\t%s\t%d\n", p.dir.Owner(d.Committee), d.Proposed, d.Required, labels.Date(d.SubmittedOn), b.Deadline(d.State), d.DaysLate)
	}
	tw.Flush()
}

// proposer names who made a proposal: its district, or without one the
// commune's own body.
func (p *printer) proposer(pr rules.DistrictProposal) string {
	return p.dir.Owner(rules.CommitteeFor(pr.District, pr.Unit))
}
