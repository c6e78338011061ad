package jobs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"chuyenhoa/contract"
	"chuyenhoa/finding"
	"chuyenhoa/period"
	"chuyenhoa/rules"
)

// DeadlinesReport lists the reporting obligations of the committees below
// the province (districts', or without districts communes') and their
// state on one day.
type DeadlinesReport struct {
	On        time.Time
	Deadlines []rules.Deadline // every obligation past its reminder start
	// Grouped is set when the units of the day have districts, whose
	// committees then owe (rules.Grouped).
	Grouped bool
}

// deadlinesPeriod keys a deadline check by day: states move daily.
func deadlinesPeriod(_ period.Calendar, day time.Time) string {
	return day.Format(time.DateOnly)
}

func runDeadlines(ctx context.Context, r *Runner, src *contract.Source, day time.Time) (*outcome, error) {
	// The units of the day are read for their check; each obligation is
	// owed by the committee of its commune on its due day (at).
	units, err := src.Units(ctx, day)
	if err != nil {
		return nil, fmt.Errorf("load units: %w", err)
	}
	at, err := src.UnitAt(ctx)
	if err != nil {
		return nil, fmt.Errorf("load units: %w", err)
	}
	// As recorded: at follows each commune to the due day.
	sel, err := src.Selections(ctx, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("load selections: %w", err)
	}
	subs, err := src.Submissions(ctx)
	if err != nil {
		return nil, fmt.Errorf("load submissions: %w", err)
	}
	obl := r.Config.RuleObligations()
	rep := &DeadlinesReport{On: day, Grouped: rules.Grouped(r.Config.Grouped(), units)}
	// Last year's obligations still matter in January: the yearly report is
	// due 20 December and escalates into the new year.
	for _, y := range []int{day.Year() - 1, day.Year()} {
		for _, d := range rules.DeadlinesOn(y, day, r.Config.Grouped(), obl, sel, at, subs) {
			if d.State == rules.DeadlinePending {
				continue
			}
			rep.Deadlines = append(rep.Deadlines, d)
		}
	}
	out := &outcome{report: rep}
	for _, d := range rep.Deadlines {
		f, err := newFinding(DeadlineKey(d), d.Committee.String(), d.Unit, finding.DeadlineState(d.State), d)
		if err != nil {
			return nil, err
		}
		out.findings = append(out.findings, f)
	}
	return out, nil
}

// DeadlineKey identifies one obligation instance across runs:
// committee/obligation/period[/unit], the committee in its string form
// (a district's code, xa:<unit>, or empty for the province).
func DeadlineKey(d rules.Deadline) string {
	parts := []string{d.Committee.String(), d.Obligation.Code, d.Period}
	if d.Unit != "" {
		parts = append(parts, d.Unit)
	}
	return strings.Join(parts, "/")
}
