package rules

import (
	"fmt"
	"sort"
	"time"
)

// PeriodKind is the reporting period of an obligation not owed per unit.
type PeriodKind string

// The reporting periods.
const (
	PeriodYear  PeriodKind = "year"
	PeriodHalf1 PeriodKind = "half1"
	PeriodHalf2 PeriodKind = "half2"
)

// Obligation is a report a committee owes: the configurable reporting
// calendar (the schedule of plan 67 is missing from the seed).
type Obligation struct {
	Code, Name string
	// PerUnit obligations (e.g. the transformation plan) are owed for each
	// selected commune, due DueAfterDecisionDays after Selection.DecidedOn;
	// their period key is "YYYY".
	PerUnit              bool
	DueAfterDecisionDays int
	// For !PerUnit: the period keys "YYYY" (year), "YYYY-H1", "YYYY-H2";
	// due on DueMonth/DueDay of the selection year.
	Period   PeriodKind
	DueMonth time.Month
	DueDay   int
	// Reminders start ReminderDays before due; after GraceDays past due it
	// is overdue; after EscalateDays more it goes to the province.
	ReminderDays, GraceDays, EscalateDays int
}

// PeriodKey names the period of a !PerUnit obligation in year, e.g.
// "2026-H1". PerUnit obligations and PeriodYear use "2026".
func (o Obligation) PeriodKey(year int) string {
	if !o.PerUnit {
		switch o.Period {
		case PeriodHalf1:
			return fmt.Sprintf("%04d-H1", year)
		case PeriodHalf2:
			return fmt.Sprintf("%04d-H2", year)
		}
	}
	return fmt.Sprintf("%04d", year)
}

// DeadlineState is where an obligation instance stands on a day.
type DeadlineState string

// The deadline states, in the order a missing report passes through them.
const (
	DeadlinePending       DeadlineState = "pending"
	DeadlineUpcoming      DeadlineState = "upcoming"
	DeadlineDue           DeadlineState = "due"
	DeadlineOverdue       DeadlineState = "overdue"
	DeadlineEscalated     DeadlineState = "escalated"
	DeadlineSubmitted     DeadlineState = "submitted"
	DeadlineSubmittedLate DeadlineState = "submitted_late"
)

// Deadline is one obligation instance and its state on a day.
type Deadline struct {
	Obligation Obligation
	// Committee owes it: the district of the unit (or units) it is about,
	// or without a district the commune-level body of that unit; the
	// province for a unit it does not know. Stored under its old name, so
	// the payloads of district committees read as before.
	Committee   Committee `json:"District"`
	Unit        string    // PerUnit only
	Year        int
	Period      string
	Due         time.Time
	EscalateOn  time.Time // Due + Grace + Escalate + 1 day: the first escalated day
	SubmittedOn time.Time // zero when missing
	State       DeadlineState
	DaysLate    int // missing: max(0, today-due); late: submitted-due; else 0
}

// DeadlineStatus is the state on day today of an obligation due on due.
// A submission dated after today is not known yet and counts as missing.
//
// Missing: today < due-Reminder → pending; due-Reminder ≤ today < due →
// upcoming; due ≤ today ≤ due+Grace → due; due+Grace < today ≤
// due+Grace+Escalate → overdue; later → escalated. Submitted: on or
// before due → submitted, else submitted_late.
func DeadlineStatus(o Obligation, due, submittedOn, today time.Time) DeadlineState {
	if !submittedOn.IsZero() && !submittedOn.After(today) {
		if submittedOn.After(due) {
			return DeadlineSubmittedLate
		}
		return DeadlineSubmitted
	}
	switch {
	case today.Before(due.AddDate(0, 0, -o.ReminderDays)):
		return DeadlinePending
	case today.Before(due):
		return DeadlineUpcoming
	case !today.After(due.AddDate(0, 0, o.GraceDays)):
		return DeadlineDue
	case !today.After(due.AddDate(0, 0, o.GraceDays+o.EscalateDays)):
		return DeadlineOverdue
	}
	return DeadlineEscalated
}

// standing is the state on today of an obligation due on due and
// submitted on submittedOn (zero when missing), with its days late:
// max(0, today-due) while missing, submitted-due when late, else 0.
func standing(o Obligation, due, submittedOn, today time.Time) (DeadlineState, int) {
	st := DeadlineStatus(o, due, submittedOn, today)
	switch st {
	case DeadlineSubmittedLate:
		return st, daysBetween(due, submittedOn)
	case DeadlineSubmitted:
		return st, 0
	}
	return st, max(0, daysBetween(due, today))
}

// daysBetween counts calendar days from a to b (negative when b is
// earlier); rounding absorbs any stray time of day.
func daysBetween(a, b time.Time) int {
	return int(b.Sub(a).Round(24*time.Hour) / (24 * time.Hour))
}

// UnitAt tells which unit a code's rows belong to on a day, with the
// district it belongs to then; ok is false when the code is no unit of
// that day (Territory.UnitOn, over the data check's units).
type UnitAt func(code string, day time.Time) (u Unit, ok bool)

// Fixed is the UnitAt of a province whose units do not change: units on
// every day.
func Fixed(units []Unit) UnitAt {
	byCode := make(map[string]Unit, len(units))
	for _, u := range units {
		byCode[u.Code] = u
	}
	return func(code string, _ time.Time) (Unit, bool) {
		u, ok := byCode[code]
		return u, ok
	}
}

// Deadlines is DeadlinesOn for units that do not change.
func Deadlines(year int, today time.Time, grouped bool, obligations []Obligation, sel []Selection, units []Unit, subs []Submission) []Deadline {
	return DeadlinesOn(year, today, grouped, obligations, sel, Fixed(units), subs)
}

// DeadlinesOn lists the obligation instances of selection year year on day
// today. PerUnit obligations have one instance per selection of year; the
// others one per committee with at least one selection that year decided
// by the report's due day. An
// instance is owed by the committee responsible for its commune on the
// instance's due day, as at says (CommitteeOf): the unit's district when
// grouped and the unit has a district then, else the unit's own
// commune-level body. So the plan for a commune selected in spring 2025
// stays its old district's, while the 2025 year report, due in December
// after the merger, is owed by the body of the commune it merged into;
// without districts each selected commune owes its plan and its reports.
// sel are the selections as recorded. A selection of a unit that is no
// unit on the due day is owed by the province, so it is not lost. A
// selection without a decision date has no due date for PerUnit
// obligations and yields none of them.
//
// A submission matches on obligation code, period and (PerUnit) unit (the
// commune its rows belong to today, so a report sent under the new code
// counts for the old one), and on the committee: a district's instance
// takes its district's submissions, a commune's the submissions naming the
// commune (whatever their district), the province's any. The earliest
// dated on or before today counts. Sorted by committee, then obligation
// order as given, then unit.
func DeadlinesOn(year int, today time.Time, grouped bool, obligations []Obligation, sel []Selection, at UnitAt, subs []Submission) []Deadline {
	// owner is the commune of unit on day and the committee owing its
	// obligations then.
	owner := func(unit string, day time.Time) (string, Committee) {
		u, ok := at(unit, day)
		if !ok {
			return unit, ProvinceCommittee()
		}
		return u.Code, CommitteeOf(grouped, u)
	}
	// now is the unit a code's rows belong to today.
	now := func(unit string) string {
		if u, ok := at(unit, today); ok {
			return u.Code
		}
		return unit
	}
	var yearSel []Selection
	seen := map[string]bool{}
	for _, s := range sel {
		if s.Year != year || seen[s.Unit] {
			continue
		}
		seen[s.Unit] = true
		yearSel = append(yearSel, s)
	}
	// The committees owing the year's reports, on each report's due day: a
	// commune selected after it (a late decision) has nothing to report
	// on, so its committee does not owe that report (its district still
	// does for its other communes). A selection without a date counts.
	committees := func(due time.Time) []Committee {
		set := map[Committee]bool{}
		for _, s := range yearSel {
			if s.DecidedOn.After(due) {
				continue
			}
			_, c := owner(s.Unit, due)
			set[c] = true
		}
		out := make([]Committee, 0, len(set))
		for c := range set {
			out = append(out, c)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
		return out
	}

	// Submissions by obligation and period, then by district and by unit
	// (the unit its rows belong to today): a country-wide list holds years
	// of reports, and scanning all of it for every instance would make
	// this quadratic.
	type subKey struct{ obligation, period, by string }
	// Only the year's periods are looked up: the other years' reports
	// (most of a long list) are left out of the index.
	wanted := make(map[subKey]bool, len(obligations))
	for _, o := range obligations {
		wanted[subKey{o.Code, o.PeriodKey(year), ""}] = true
	}
	byDistrict, byUnit, byPeriod := map[subKey][]Submission{}, map[subKey][]Submission{}, map[subKey][]Submission{}
	for _, s := range subs {
		if s.SubmittedOn.IsZero() || s.SubmittedOn.After(today) || !wanted[subKey{s.Obligation, s.Period, ""}] {
			continue
		}
		byPeriod[subKey{s.Obligation, s.Period, ""}] = append(byPeriod[subKey{s.Obligation, s.Period, ""}], s)
		byDistrict[subKey{s.Obligation, s.Period, s.District}] = append(byDistrict[subKey{s.Obligation, s.Period, s.District}], s)
		u := now(s.Unit)
		byUnit[subKey{s.Obligation, s.Period, u}] = append(byUnit[subKey{s.Obligation, s.Period, u}], s)
	}
	submitted := func(o Obligation, c Committee, period, unit string) time.Time {
		var candidates []Submission
		switch c.Level {
		case LevelDistrict:
			candidates = byDistrict[subKey{o.Code, period, c.Code}]
		case LevelCommune:
			candidates = byUnit[subKey{o.Code, period, now(c.Code)}]
		default:
			candidates = byPeriod[subKey{o.Code, period, ""}]
		}
		var first time.Time
		for _, s := range candidates {
			if o.PerUnit && now(s.Unit) != now(unit) {
				continue
			}
			if first.IsZero() || s.SubmittedOn.Before(first) {
				first = s.SubmittedOn
			}
		}
		return first
	}
	build := func(o Obligation, c Committee, unit string, due time.Time) Deadline {
		d := Deadline{
			Obligation: o,
			Committee:  c,
			Unit:       unit,
			Year:       year,
			Period:     o.PeriodKey(year),
			Due:        due,
			EscalateOn: due.AddDate(0, 0, o.GraceDays+o.EscalateDays+1),
		}
		d.SubmittedOn = submitted(o, c, d.Period, unit)
		d.State, d.DaysLate = standing(o, due, d.SubmittedOn, today)
		return d
	}

	type keyed struct {
		d   Deadline
		obl int
	}
	var all []keyed
	for i, o := range obligations {
		if o.PerUnit {
			// Communes selected apart and merged by the due day owe one
			// plan, from the earliest decision.
			idx := map[string]int{}
			for _, s := range yearSel {
				if s.DecidedOn.IsZero() {
					continue
				}
				due := s.DecidedOn.AddDate(0, 0, o.DueAfterDecisionDays)
				unit, c := owner(s.Unit, due)
				k := c.String() + "\x00" + unit
				if j, dup := idx[k]; dup {
					if due.Before(all[j].d.Due) {
						all[j] = keyed{build(o, c, unit, due), i}
					}
					continue
				}
				idx[k] = len(all)
				all = append(all, keyed{build(o, c, unit, due), i})
			}
			continue
		}
		due := time.Date(year, o.DueMonth, o.DueDay, 0, 0, 0, 0, time.UTC)
		for _, c := range committees(due) {
			all = append(all, keyed{build(o, c, "", due), i})
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if ca, cb := a.d.Committee.String(), b.d.Committee.String(); ca != cb {
			return ca < cb
		}
		if a.obl != b.obl {
			return a.obl < b.obl
		}
		return a.d.Unit < b.d.Unit
	})
	out := make([]Deadline, len(all))
	for i, k := range all {
		out[i] = k.d
	}
	return out
}
