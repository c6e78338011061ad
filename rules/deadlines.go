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
	Obligation  Obligation
	District    string // committee owing it: the unit's district; "" when ungrouped (provincial)
	Unit        string // PerUnit only
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

// daysBetween counts calendar days from a to b (negative when b is
// earlier); rounding absorbs any stray time of day.
func daysBetween(a, b time.Time) int {
	return int(b.Sub(a).Round(24*time.Hour) / (24 * time.Hour))
}

// Deadlines lists the obligation instances of selection year year on day
// today. PerUnit obligations have one instance per selection of year;
// the others one per district with at least one selection that year, or
// one provincial ("") instance when !grouped. A selection of a unit not
// among units is owed by the province (""), so it is not lost. A
// selection without a decision date has no due date for PerUnit
// obligations and yields none of them.
//
// A submission matches on obligation code, period and (PerUnit) unit, and
// on district when grouped; the earliest dated on or before today counts.
// Sorted by district, then obligation order as given, then unit.
func Deadlines(year int, today time.Time, grouped bool, obligations []Obligation, sel []Selection, units []Unit, subs []Submission) []Deadline {
	district := make(map[string]string, len(units))
	for _, u := range units {
		district[u.Code] = u.District
	}
	committee := func(unit string) string {
		if !grouped {
			return ""
		}
		return district[unit]
	}
	var yearSel []Selection
	seen := map[string]bool{}
	committees := map[string]bool{}
	for _, s := range sel {
		if s.Year != year || seen[s.Unit] {
			continue
		}
		seen[s.Unit] = true
		yearSel = append(yearSel, s)
		committees[committee(s.Unit)] = true
	}
	var ds []string
	for d := range committees {
		ds = append(ds, d)
	}
	sort.Strings(ds)

	// Submissions by obligation, period and (grouped) district: a
	// country-wide list holds years of reports, and scanning all of it
	// for every instance would make this quadratic.
	type subKey struct{ obligation, period, district string }
	key := func(obligation, period, district string) subKey {
		if !grouped {
			district = ""
		}
		return subKey{obligation, period, district}
	}
	byKey := map[subKey][]Submission{}
	for _, s := range subs {
		if s.SubmittedOn.IsZero() || s.SubmittedOn.After(today) {
			continue
		}
		k := key(s.Obligation, s.Period, s.District)
		byKey[k] = append(byKey[k], s)
	}
	submitted := func(o Obligation, dist, period, unit string) time.Time {
		var first time.Time
		for _, s := range byKey[key(o.Code, period, dist)] {
			if o.PerUnit && s.Unit != unit {
				continue
			}
			if first.IsZero() || s.SubmittedOn.Before(first) {
				first = s.SubmittedOn
			}
		}
		return first
	}
	build := func(o Obligation, dist, unit string, due time.Time) Deadline {
		d := Deadline{
			Obligation: o,
			District:   dist,
			Unit:       unit,
			Year:       year,
			Period:     o.PeriodKey(year),
			Due:        due,
			EscalateOn: due.AddDate(0, 0, o.GraceDays+o.EscalateDays+1),
		}
		d.SubmittedOn = submitted(o, dist, d.Period, unit)
		d.State = DeadlineStatus(o, due, d.SubmittedOn, today)
		switch d.State {
		case DeadlineSubmittedLate:
			d.DaysLate = daysBetween(due, d.SubmittedOn)
		case DeadlineSubmitted:
		default:
			d.DaysLate = max(0, daysBetween(due, today))
		}
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
		for _, dist := range ds {
			all = append(all, keyed{build(o, dist, "", due), i})
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.d.District != b.d.District {
			return a.d.District < b.d.District
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
