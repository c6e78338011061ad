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

// Deadlines lists the obligation instances of selection year year on day
// today. PerUnit obligations have one instance per selection of year; the
// others one per committee with at least one selection that year. A
// selection is owed by the committee of its unit (CommitteeOf): the unit's
// district when grouped and the unit has one, else the unit's own
// commune-level body, so that without districts each selected commune
// owes its plan and its reports. A selection of a unit not among units is
// owed by the province, so it is not lost. A selection without a decision
// date has no due date for PerUnit obligations and yields none of them.
//
// A submission matches on obligation code, period and (PerUnit) unit, and
// on the committee: a district's instance takes its district's
// submissions, a commune's the submissions naming the commune (whatever
// their district), the province's any. The earliest dated on or before
// today counts. Sorted by committee, then obligation order as given, then
// unit.
func Deadlines(year int, today time.Time, grouped bool, obligations []Obligation, sel []Selection, units []Unit, subs []Submission) []Deadline {
	byCode := make(map[string]Unit, len(units))
	for _, u := range units {
		byCode[u.Code] = u
	}
	committee := func(unit string) Committee {
		u, ok := byCode[unit]
		if !ok {
			return ProvinceCommittee()
		}
		return CommitteeOf(grouped, u)
	}
	var yearSel []Selection
	seen := map[string]bool{}
	committees := map[Committee]bool{}
	for _, s := range sel {
		if s.Year != year || seen[s.Unit] {
			continue
		}
		seen[s.Unit] = true
		yearSel = append(yearSel, s)
		committees[committee(s.Unit)] = true
	}
	var cs []Committee
	for c := range committees {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].String() < cs[j].String() })

	// Submissions by obligation and period, then by district and by unit:
	// a country-wide list holds years of reports, and scanning all of it
	// for every instance would make this quadratic.
	type subKey struct{ obligation, period, by string }
	byDistrict, byUnit, byPeriod := map[subKey][]Submission{}, map[subKey][]Submission{}, map[subKey][]Submission{}
	for _, s := range subs {
		if s.SubmittedOn.IsZero() || s.SubmittedOn.After(today) {
			continue
		}
		byPeriod[subKey{s.Obligation, s.Period, ""}] = append(byPeriod[subKey{s.Obligation, s.Period, ""}], s)
		byDistrict[subKey{s.Obligation, s.Period, s.District}] = append(byDistrict[subKey{s.Obligation, s.Period, s.District}], s)
		byUnit[subKey{s.Obligation, s.Period, s.Unit}] = append(byUnit[subKey{s.Obligation, s.Period, s.Unit}], s)
	}
	submitted := func(o Obligation, c Committee, period, unit string) time.Time {
		var candidates []Submission
		switch c.Level {
		case LevelDistrict:
			candidates = byDistrict[subKey{o.Code, period, c.Code}]
		case LevelCommune:
			candidates = byUnit[subKey{o.Code, period, c.Code}]
		default:
			candidates = byPeriod[subKey{o.Code, period, ""}]
		}
		var first time.Time
		for _, s := range candidates {
			if o.PerUnit && s.Unit != unit {
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
			for _, s := range yearSel {
				if s.DecidedOn.IsZero() {
					continue
				}
				due := s.DecidedOn.AddDate(0, 0, o.DueAfterDecisionDays)
				all = append(all, keyed{build(o, committee(s.Unit), s.Unit, due), i})
			}
			continue
		}
		due := time.Date(year, o.DueMonth, o.DueDay, 0, 0, 0, 0, time.UTC)
		for _, c := range cs {
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
