package jobs

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"chuyenhoa/contract"
	"chuyenhoa/finding"
	"chuyenhoa/period"
	"chuyenhoa/rules"
)

// CandidatesReport is the proposal of candidate areas for a selection year.
type CandidatesReport struct {
	Year      int
	Reference period.Range // the statistical period the counts cover
	Proposal  rules.Proposal
	// Grouped is set when the units of the day have districts: the
	// proposal then quotes district averages (rules.Grouped).
	Grouped bool
}

// candidatesPeriod keys a proposal by its selection year: the statistical
// year that contains day. With cut-off 15 the proposal for 2027 starts on
// 15/12/2026, the day the 2026 statistics close.
func candidatesPeriod(c period.Calendar, day time.Time) string {
	y, _, _ := c.MonthOf(day)
	return strconv.Itoa(y)
}

func runCandidates(ctx context.Context, r *Runner, src *contract.Source, day time.Time) (*outcome, error) {
	cal := r.Config.Calendar()
	year, _, _ := cal.MonthOf(day)
	ref := referenceYear(cal, day)[0]
	// Units that exist on the day of the proposal: only those can be
	// selected, and the 15% cap counts them.
	// The reference year may span a merger: its statistics count for the
	// communes of the day.
	units, counts, err := unitsAndCounts(ctx, src, ref, day)
	if err != nil {
		return nil, err
	}
	p := r.propose(r.Config.SelectionParams(year, day), units, counts)
	rep := &CandidatesReport{Year: year, Reference: ref, Proposal: p, Grouped: rules.Grouped(r.Config.Grouped(), units)}
	out := &outcome{report: rep}
	for _, c := range p.Candidates {
		f, err := newFinding(c.Unit.Code, c.Unit.District, c.Unit.Code, finding.StatusState(c.Status), finding.CandidateItem{
			Year: year, Reference: ref, TotalUnits: p.TotalUnits, Cap: p.Cap, Candidate: c,
		})
		if err != nil {
			return nil, err
		}
		out.findings = append(out.findings, f)
	}
	return out, nil
}

// referenceYear is the statistical period a proposal made on day counts
// over: the statistical year before the selection year containing day.
func referenceYear(c period.Calendar, day time.Time) []period.Range {
	y, _, _ := c.MonthOf(day)
	return []period.Range{c.Year(y - 1)}
}

// unitsAndCounts reads the units valid on day on and the social-order
// counts of window w attributed to them: what the selection rules and the
// relapse check compare.
func unitsAndCounts(ctx context.Context, src *contract.Source, w period.Range, on time.Time) ([]rules.Unit, map[string]rules.Counts, error) {
	units, err := src.Units(ctx, on)
	if err != nil {
		return nil, nil, fmt.Errorf("load units: %w", err)
	}
	counts, err := src.Counts(ctx, w, on)
	if err != nil {
		return nil, nil, fmt.Errorf("load counts %s: %w", w, err)
	}
	return units, counts, nil
}
