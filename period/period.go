// Package period computes Vietnamese statistical reporting periods.
//
// State reporting (Decree 09/2019/NĐ-CP) cuts data from day 15 of the
// previous month to day 14: a statistical month is 15th–14th, the first half
// year 15 Dec–14 Jun, the year 15 Dec of the previous year–14 Dec. The
// cut-off day is configuration; cut-off 1 gives calendar periods.
//
// Days are time.Time values at 00:00 UTC standing for a calendar day in the
// province; Day converts an instant to one in a given time zone.
package period

import (
	"fmt"
	"time"
)

// DefaultCutoff is the statistical cut-off day of Decree 09/2019/NĐ-CP.
const DefaultCutoff = 15

// Day returns the calendar day of instant t in loc, as 00:00 UTC.
func Day(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Date builds a day value.
func Date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Range is an inclusive span of days.
type Range struct {
	From, To time.Time
}

// Contains reports whether day d lies in r.
func (r Range) Contains(d time.Time) bool {
	return !d.Before(r.From) && !d.After(r.To)
}

// Days is the number of days in r.
func (r Range) Days() int {
	return int(r.To.Sub(r.From).Hours()/24) + 1
}

func (r Range) String() string {
	return r.From.Format("02/01/2006") + "–" + r.To.Format("02/01/2006")
}

// Calendar cuts statistical periods at a cut-off day.
type Calendar struct {
	// Cutoff is the first day of a statistical month, 1..28. With 15 the
	// month "November" runs 15 Oct–14 Nov; with 1 it is the calendar month.
	Cutoff int
}

// Validate rejects a cut-off that some month lacks.
func (c Calendar) Validate() error {
	if c.Cutoff < 1 || c.Cutoff > 28 {
		return fmt.Errorf("cut-off day %d: must be between 1 and 28 (15 per Decree 09/2019, 1 for calendar months)", c.Cutoff)
	}
	return nil
}

// Month is the statistical month (y, m): with cut-off 15, (2026, November)
// is 15/10/2026–14/11/2026.
func (c Calendar) Month(y int, m time.Month) Range {
	if c.Cutoff == 1 {
		from := Date(y, m, 1)
		return Range{From: from, To: from.AddDate(0, 1, -1)}
	}
	to := Date(y, m, c.Cutoff-1)
	return Range{From: Date(y, m-1, c.Cutoff), To: to}
}

// MonthOf returns the statistical month that contains day d, as (year,
// month) and its range: with cut-off 15, 20/12/2025 lies in (2026, January).
func (c Calendar) MonthOf(d time.Time) (int, time.Month, Range) {
	y, m, day := d.Date()
	if c.Cutoff > 1 && day >= c.Cutoff {
		next := Date(y, m, 1).AddDate(0, 1, 0)
		y, m = next.Year(), next.Month()
	}
	return y, m, c.Month(y, m)
}

// Year is the statistical year y: 15/12/(y-1)–14/12/y with cut-off 15,
// 1/1–31/12 with cut-off 1.
func (c Calendar) Year(y int) Range {
	return Range{From: c.Month(y, time.January).From, To: c.Month(y, time.December).To}
}

// Half is half h (1 or 2) of statistical year y: with cut-off 15 the first
// half is 15/12/(y-1)–14/6/y, the second 15/6/y–14/12/y.
func (c Calendar) Half(y, h int) Range {
	if h == 1 {
		return Range{From: c.Month(y, time.January).From, To: c.Month(y, time.June).To}
	}
	return Range{From: c.Month(y, time.July).From, To: c.Month(y, time.December).To}
}

// LastClosedMonth is the latest statistical month that has ended on or
// before day d (a month ends on its last day, so on 14/11 with cut-off 15
// it is November itself, on 13/11 October).
func (c Calendar) LastClosedMonth(d time.Time) (int, time.Month, Range) {
	y, m, r := c.MonthOf(d)
	if r.To.After(d) {
		prev := Date(y, m, 1).AddDate(0, -1, 0)
		y, m = prev.Year(), prev.Month()
		r = c.Month(y, m)
	}
	return y, m, r
}

// RollingYear is the twelve statistical months ending with the last month
// closed on or before day d: the window of a relapse check made on d. Only
// closed months count, so a check never judges a half-reported month.
func (c Calendar) RollingYear(d time.Time) Range {
	y, m, r := c.LastClosedMonth(d)
	return Range{From: c.Month(y, m-11).From, To: r.To}
}

// MonthKey names a statistical month, e.g. "2026-11".
func MonthKey(y int, m time.Month) string { return fmt.Sprintf("%04d-%02d", y, int(m)) }
