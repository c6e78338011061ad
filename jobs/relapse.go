package jobs

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"chuyenhoa/contract"
	"chuyenhoa/finding"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// RelapseReport is one relapse check of every transformed area and the
// yearly target progress that follows from it.
type RelapseReport struct {
	On       time.Time    // the check date: last day of the last closed month
	Window   period.Range // the rolling statistical year checked
	Areas    []finding.RelapseItem
	Progress []rules.Progress // one per selection year, ascending
	// Grouped is set when the units checked have districts (rules.Grouped).
	Grouped bool
}

// relapsePeriod keys a check by the last statistical month closed on day,
// so daily runs inside one month are one period.
func relapsePeriod(c period.Calendar, day time.Time) string {
	y, m, _ := c.LastClosedMonth(day)
	return period.MonthKey(y, m)
}

func runRelapse(ctx context.Context, r *Runner, src *contract.Source, day time.Time) (*outcome, error) {
	window := relapseWindow(r.Config.Calendar(), day)[0]
	on := window.To
	// Everything is attributed to the communes of the check date: an area
	// transformed before a merger is watched as its successor, over the
	// statistics of all that merged into it.
	sel, err := src.Selections(ctx, on)
	if err != nil {
		return nil, fmt.Errorf("load selections: %w", err)
	}
	as, err := src.Assessments(ctx, on)
	if err != nil {
		return nil, fmt.Errorf("load assessments: %w", err)
	}
	prev, err := src.RelapseStates(ctx, on)
	if err != nil {
		return nil, fmt.Errorf("load relapse states: %w", err)
	}
	// Read last: in a round the window may still be being summed.
	units, counts, err := unitsAndCounts(ctx, src, window, on)
	if err != nil {
		return nil, err
	}
	results := rules.CheckRelapse(r.Config.RelapseParams(), on, rules.TransformedAreas(sel, as), units, counts)

	rep := &RelapseReport{On: on, Window: window, Grouped: rules.Grouped(r.Config.Grouped(), units)}
	var states []store.RelapseState
	// A relapse first found by a later check already stored (this run is a
	// late catch-up of an older month) does not count here.
	ever := RelapsedBy(prev, on)
	for _, res := range results {
		if !res.Checked {
			continue
		}
		was := prev[res.Area.Key()]
		item, st, write := nextState(res, was, window)
		if item.EverRelapsed {
			ever[res.Area.Key()] = true
		}
		// Within a month the checks of its days find the states as the
		// first one left them: those are not written again.
		if write && !st.Equal(was) {
			states = append(states, st)
		}
		rep.Areas = append(rep.Areas, item)
	}
	rep.Progress = progressByYear(r, sel, as, ever)

	out := &outcome{report: rep}
	grouped := r.Config.Grouped()
	for i := range rep.Areas {
		it := &rep.Areas[i]
		it.Committee = committeeOf(grouped, units, it.Area.Unit)
		state := finding.Normal
		if it.Relapsed {
			state = finding.Relapsed
		}
		key := it.Area.Unit + "/" + strconv.Itoa(it.Area.Year)
		f, err := newFinding(key, it.Committee.String(), it.Area.Unit, state, *it)
		if err != nil {
			return nil, err
		}
		out.findings = append(out.findings, f)
	}
	for _, p := range rep.Progress {
		state := finding.TargetPending
		switch {
		case p.HasTransformed && p.TransformedMet && p.StableMet:
			state = finding.TargetMet
		case p.Assessed > 0:
			state = finding.TargetNotMet
		}
		f, err := newFinding(strconv.Itoa(p.Year), "", "", state, p)
		if err != nil {
			return nil, err
		}
		out.findings = append(out.findings, f)
	}
	out.apply = func(ctx context.Context, tx *store.Tx) error {
		if err := tx.PutRelapseStates(ctx, states); err != nil {
			return fmt.Errorf("save relapse states: %w", err)
		}
		return nil
	}
	return out, nil
}

// relapseWindow is the rolling statistical year a check on day looks at.
func relapseWindow(c period.Calendar, day time.Time) []period.Range {
	return []period.Range{c.RollingYear(day)}
}

// nextState moves an area's stored state by one check. A rerun of the same
// check finds its own earlier write (CheckedOn == on) and must report the
// same change again, so Since == on marks "changed at this check". A check
// older than the stored one (a late catch-up) reports but does not rewind;
// it only moves the day the area was first found relapsed back to it.
func nextState(res rules.RelapseResult, prev store.RelapseState, window period.Range) (finding.RelapseItem, store.RelapseState, bool) {
	item := finding.RelapseItem{RelapseResult: res, Window: window}
	on := window.To
	had := !prev.CheckedOn.IsZero()
	if had && on.Before(prev.CheckedOn) {
		item.Since, item.EverRelapsed = prev.Since, prev.EverRelapsed || res.Relapsed
		if !res.Relapsed || (prev.EverRelapsed && (prev.FirstRelapsedOn.IsZero() || !prev.FirstRelapsedOn.After(on))) {
			return item, prev, false
		}
		prev.EverRelapsed, prev.FirstRelapsedOn = true, on
		return item, prev, true
	}
	st := store.RelapseState{Unit: res.Area.Unit, Year: res.Area.Year, Relapsed: res.Relapsed, CheckedOn: on}
	switch {
	case !had:
		// First check: only a relapse is news; a normal area stays quiet.
		st.Since = res.Area.TransformedOn
		if res.Relapsed {
			st.Since = on
		}
		item.Changed = res.Relapsed
	case prev.Relapsed != res.Relapsed:
		st.Since = on
		item.Changed = true
	default:
		st.Since = prev.Since
		item.Changed = prev.Since.Equal(on)
	}
	st.EverRelapsed = prev.EverRelapsed || res.Relapsed
	st.FirstRelapsedOn = prev.FirstRelapsedOn
	if res.Relapsed && !prev.EverRelapsed {
		st.FirstRelapsedOn = on
	}
	item.Since, item.EverRelapsed = st.Since, st.EverRelapsed
	return item, st, true
}

func progressByYear(r *Runner, sel []rules.Selection, as []rules.Assessment, ever map[rules.AreaKey]bool) []rules.Progress {
	years := map[int]bool{}
	for _, s := range sel {
		years[s.Year] = true
	}
	var ys []int
	for y := range years {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	t := r.Config.Targets
	var out []rules.Progress
	for _, y := range ys {
		out = append(out, rules.YearProgress(rules.TargetParams{
			TransformedPercent: t.TransformedPercent, StablePercent: t.StablePercent,
		}, y, sel, as, ever))
	}
	return out
}

// committeeOf is the committee responsible for the unit code among units
// (sorted by code, as the contract gives them): its district's when
// grouped, else its own body; the province's for a code not among them.
func committeeOf(grouped bool, units []rules.Unit, code string) rules.Committee {
	i := sort.Search(len(units), func(i int) bool { return units[i].Code >= code })
	if i < len(units) && units[i].Code == code {
		return rules.CommitteeOf(grouped, units[i])
	}
	return rules.ProvinceCommittee()
}
