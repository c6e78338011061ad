package period

import (
	"testing"
	"time"
)

var (
	cal15 = Calendar{Cutoff: 15}
	cal1  = Calendar{Cutoff: 1}
)

func rng(fy int, fm time.Month, fd, ty int, tm time.Month, td int) Range {
	return Range{From: Date(fy, fm, fd), To: Date(ty, tm, td)}
}

func sameRange(a, b Range) bool { return a.From.Equal(b.From) && a.To.Equal(b.To) }

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		cutoff int
		ok     bool
	}{
		{0, false}, {1, true}, {15, true}, {28, true}, {29, false}, {-3, false},
	} {
		err := Calendar{Cutoff: tc.cutoff}.Validate()
		if (err == nil) != tc.ok {
			t.Errorf("cut-off %d: Validate() = %v, want ok=%v", tc.cutoff, err, tc.ok)
		}
	}
}

func TestMonth(t *testing.T) {
	for _, tc := range []struct {
		name string
		cal  Calendar
		y    int
		m    time.Month
		want Range
		days int
	}{
		// November with cut-off 15: 15/10–14/11; 17 days of October
		// (15..31) + 14 of November = 31.
		{"c15 November", cal15, 2026, time.November, rng(2026, time.October, 15, 2026, time.November, 14), 31},
		// January starts in December of the year before: 17 + 14 = 31.
		{"c15 January crosses year", cal15, 2026, time.January, rng(2025, time.December, 15, 2026, time.January, 14), 31},
		// March holds the end of February: 14 (15..28 Feb) + 14 = 28.
		{"c15 March, common year", cal15, 2026, time.March, rng(2026, time.February, 15, 2026, time.March, 14), 28},
		// 2024 is a leap year: 15 (15..29 Feb) + 14 = 29.
		{"c15 March, leap year", cal15, 2024, time.March, rng(2024, time.February, 15, 2024, time.March, 14), 29},
		{"c15 December", cal15, 2026, time.December, rng(2026, time.November, 15, 2026, time.December, 14), 30},
		{"c1 February", cal1, 2026, time.February, rng(2026, time.February, 1, 2026, time.February, 28), 28},
		{"c1 February leap", cal1, 2024, time.February, rng(2024, time.February, 1, 2024, time.February, 29), 29},
		{"c1 December", cal1, 2026, time.December, rng(2026, time.December, 1, 2026, time.December, 31), 31},
		// Cut-off 20: April is 20/03–19/04: 12 (20..31) + 19 = 31.
		{"c20 April", Calendar{Cutoff: 20}, 2026, time.April, rng(2026, time.March, 20, 2026, time.April, 19), 31},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.cal.Month(tc.y, tc.m)
			if !sameRange(got, tc.want) {
				t.Errorf("Month(%d, %v) = %v, want %v", tc.y, tc.m, got, tc.want)
			}
			if got.Days() != tc.days {
				t.Errorf("Days() = %d, want %d", got.Days(), tc.days)
			}
		})
	}
}

func TestMonthOf(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cal   Calendar
		d     time.Time
		wantY int
		wantM time.Month
		want  Range
	}{
		// 14th is the last day of the month named after it, 15th the
		// first of the next.
		{"c15 14 Nov", cal15, Date(2026, time.November, 14), 2026, time.November, rng(2026, time.October, 15, 2026, time.November, 14)},
		{"c15 15 Nov", cal15, Date(2026, time.November, 15), 2026, time.December, rng(2026, time.November, 15, 2026, time.December, 14)},
		{"c15 14 Dec", cal15, Date(2026, time.December, 14), 2026, time.December, rng(2026, time.November, 15, 2026, time.December, 14)},
		// From 15 December the statistical year is the next one.
		{"c15 15 Dec", cal15, Date(2026, time.December, 15), 2027, time.January, rng(2026, time.December, 15, 2027, time.January, 14)},
		{"c15 20 Dec 2025", cal15, Date(2025, time.December, 20), 2026, time.January, rng(2025, time.December, 15, 2026, time.January, 14)},
		{"c15 31 Dec", cal15, Date(2025, time.December, 31), 2026, time.January, rng(2025, time.December, 15, 2026, time.January, 14)},
		{"c15 1 Jan", cal15, Date(2026, time.January, 1), 2026, time.January, rng(2025, time.December, 15, 2026, time.January, 14)},
		{"c15 14 Jan", cal15, Date(2026, time.January, 14), 2026, time.January, rng(2025, time.December, 15, 2026, time.January, 14)},
		{"c15 15 Jan", cal15, Date(2026, time.January, 15), 2026, time.February, rng(2026, time.January, 15, 2026, time.February, 14)},
		{"c1 31 Dec", cal1, Date(2025, time.December, 31), 2025, time.December, rng(2025, time.December, 1, 2025, time.December, 31)},
		{"c1 1 Jan", cal1, Date(2026, time.January, 1), 2026, time.January, rng(2026, time.January, 1, 2026, time.January, 31)},
		{"c1 15 Nov", cal1, Date(2026, time.November, 15), 2026, time.November, rng(2026, time.November, 1, 2026, time.November, 30)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y, m, r := tc.cal.MonthOf(tc.d)
			if y != tc.wantY || m != tc.wantM || !sameRange(r, tc.want) {
				t.Errorf("MonthOf(%s) = %d, %v, %v; want %d, %v, %v", tc.d.Format(time.DateOnly), y, m, r, tc.wantY, tc.wantM, tc.want)
			}
			if !r.Contains(tc.d) {
				t.Errorf("range %v does not contain %s", r, tc.d.Format(time.DateOnly))
			}
		})
	}
}

// TestMonthsTile walks every day of 2023–2025 for every cut-off: each day
// lies in the month MonthOf names, and consecutive days are either in the
// same month or the second starts the next month. A gap or overlap in the
// arithmetic around month ends, leap days or year ends would show here.
func TestMonthsTile(t *testing.T) {
	for cut := 1; cut <= 28; cut++ {
		c := Calendar{Cutoff: cut}
		prevY, prevM, prevR := c.MonthOf(Date(2022, time.December, 31))
		for d := Date(2023, time.January, 1); d.Year() < 2026; d = d.AddDate(0, 0, 1) {
			y, m, r := c.MonthOf(d)
			if !r.Contains(d) {
				t.Fatalf("cut-off %d: %s not in its month %v", cut, d.Format(time.DateOnly), r)
			}
			if y == prevY && m == prevM {
				continue
			}
			next := Date(prevY, prevM, 1).AddDate(0, 1, 0)
			if y != next.Year() || m != next.Month() || !r.From.Equal(d) || !prevR.To.Equal(d.AddDate(0, 0, -1)) {
				t.Fatalf("cut-off %d: %s starts %d-%v %v after %d-%v %v", cut, d.Format(time.DateOnly), y, m, r, prevY, prevM, prevR)
			}
			prevY, prevM, prevR = y, m, r
		}
	}
}

func TestYearAndHalf(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  Range
		want Range
		days int
	}{
		// 17 days of Dec 2025 + 348 days to 14 Dec 2026 = 365.
		{"c15 year 2026", cal15.Year(2026), rng(2025, time.December, 15, 2026, time.December, 14), 365},
		// 15/12/2023–14/12/2024 holds 29 Feb 2024: 366.
		{"c15 year 2024", cal15.Year(2024), rng(2023, time.December, 15, 2024, time.December, 14), 366},
		{"c1 year 2026", cal1.Year(2026), rng(2026, time.January, 1, 2026, time.December, 31), 365},
		// 17 (Dec) + 31 + 28 + 31 + 30 + 31 + 14 = 182.
		{"c15 half 1", cal15.Half(2026, 1), rng(2025, time.December, 15, 2026, time.June, 14), 182},
		// 16 (Jun 15..30) + 31 + 31 + 30 + 31 + 30 + 14 = 183; 182 + 183 = 365.
		{"c15 half 2", cal15.Half(2026, 2), rng(2026, time.June, 15, 2026, time.December, 14), 183},
		{"c1 half 1", cal1.Half(2026, 1), rng(2026, time.January, 1, 2026, time.June, 30), 181},
		{"c1 half 2", cal1.Half(2026, 2), rng(2026, time.July, 1, 2026, time.December, 31), 184},
	} {
		if !sameRange(tc.got, tc.want) || tc.got.Days() != tc.days {
			t.Errorf("%s: %v (%d days), want %v (%d days)", tc.name, tc.got, tc.got.Days(), tc.want, tc.days)
		}
	}
}

func TestLastClosedMonth(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cal   Calendar
		d     time.Time
		wantY int
		wantM time.Month
		want  Range
	}{
		// 14/11 is November's last day: November is closed that day.
		{"c15 14 Nov", cal15, Date(2026, time.November, 14), 2026, time.November, rng(2026, time.October, 15, 2026, time.November, 14)},
		{"c15 13 Nov", cal15, Date(2026, time.November, 13), 2026, time.October, rng(2026, time.September, 15, 2026, time.October, 14)},
		{"c15 15 Nov", cal15, Date(2026, time.November, 15), 2026, time.November, rng(2026, time.October, 15, 2026, time.November, 14)},
		// Early January: the last closed month is December of last year.
		{"c15 10 Jan", cal15, Date(2026, time.January, 10), 2025, time.December, rng(2025, time.November, 15, 2025, time.December, 14)},
		{"c15 14 Jan", cal15, Date(2026, time.January, 14), 2026, time.January, rng(2025, time.December, 15, 2026, time.January, 14)},
		{"c1 31 Jan", cal1, Date(2026, time.January, 31), 2026, time.January, rng(2026, time.January, 1, 2026, time.January, 31)},
		{"c1 30 Jan", cal1, Date(2026, time.January, 30), 2025, time.December, rng(2025, time.December, 1, 2025, time.December, 31)},
		{"c1 1 Jan", cal1, Date(2026, time.January, 1), 2025, time.December, rng(2025, time.December, 1, 2025, time.December, 31)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y, m, r := tc.cal.LastClosedMonth(tc.d)
			if y != tc.wantY || m != tc.wantM || !sameRange(r, tc.want) {
				t.Errorf("LastClosedMonth(%s) = %d, %v, %v; want %d, %v, %v", tc.d.Format(time.DateOnly), y, m, r, tc.wantY, tc.wantM, tc.want)
			}
		})
	}
}

func TestRollingYear(t *testing.T) {
	for _, tc := range []struct {
		name string
		cal  Calendar
		d    time.Time
		want Range
		days int
	}{
		// On 14/12 December closes: the window is statistical year 2026.
		{"c15 14 Dec", cal15, Date(2026, time.December, 14), rng(2025, time.December, 15, 2026, time.December, 14), 365},
		// On 20/01/2026 the last closed month is January 2026
		// (15/12/2025–14/01/2026); twelve months back start with February
		// 2025, which begins 15/01/2025.
		{"c15 20 Jan", cal15, Date(2026, time.January, 20), rng(2025, time.January, 15, 2026, time.January, 14), 365},
		// On 10/03/2026 February 2026 (15/01–14/02) is the last closed;
		// the window starts with March 2025: 15/02/2025.
		{"c15 10 Mar", cal15, Date(2026, time.March, 10), rng(2025, time.February, 15, 2026, time.February, 14), 365},
		// Across 29/02/2024: 15/03/2023–14/03/2024 has 366 days.
		{"c15 over leap day", cal15, Date(2024, time.March, 14), rng(2023, time.March, 15, 2024, time.March, 14), 366},
		{"c1 15 Mar", cal1, Date(2026, time.March, 15), rng(2025, time.March, 1, 2026, time.February, 28), 365},
		{"c1 31 Dec", cal1, Date(2026, time.December, 31), rng(2026, time.January, 1, 2026, time.December, 31), 365},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.cal.RollingYear(tc.d)
			if !sameRange(got, tc.want) || got.Days() != tc.days {
				t.Errorf("RollingYear(%s) = %v (%d days), want %v (%d days)", tc.d.Format(time.DateOnly), got, got.Days(), tc.want, tc.days)
			}
		})
	}
}

func TestDay(t *testing.T) {
	hcm, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatalf("load zone: %v", err)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatalf("load zone: %v", err)
	}
	for _, tc := range []struct {
		name string
		t    time.Time
		loc  *time.Location
		want time.Time
	}{
		// 17:30 UTC is 00:30 the next day in Vietnam (UTC+7): a report sent
		// then is dated the 15th, in the next statistical month.
		{"UTC evening is next day in Vietnam", time.Date(2026, 1, 14, 17, 30, 0, 0, time.UTC), hcm, Date(2026, time.January, 15)},
		{"one second before midnight in Vietnam", time.Date(2026, 1, 14, 16, 59, 59, 0, time.UTC), hcm, Date(2026, time.January, 14)},
		{"same instant in UTC", time.Date(2026, 1, 14, 17, 30, 0, 0, time.UTC), time.UTC, Date(2026, time.January, 14)},
		// 20:00 UTC on 31/12 is 03:00 on 1/1 in Vietnam, 15:00 on 31/12
		// in New York (UTC-5).
		{"year boundary in Vietnam", time.Date(2025, 12, 31, 20, 0, 0, 0, time.UTC), hcm, Date(2026, time.January, 1)},
		{"year boundary in New York", time.Date(2025, 12, 31, 20, 0, 0, 0, time.UTC), ny, Date(2025, time.December, 31)},
		// An instant given in Vietnamese time, read in UTC: 01:00 on the
		// 15th in Vietnam is 18:00 on the 14th UTC.
		{"Vietnamese instant read in UTC", time.Date(2026, 1, 15, 1, 0, 0, 0, hcm), time.UTC, Date(2026, time.January, 14)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Day(tc.t, tc.loc)
			if !got.Equal(tc.want) || got.Location() != time.UTC {
				t.Errorf("Day = %v, want %v at 00:00 UTC", got, tc.want)
			}
		})
	}
}

func TestRangeHelpers(t *testing.T) {
	r := rng(2025, time.December, 15, 2026, time.January, 14)
	for _, tc := range []struct {
		d    time.Time
		want bool
	}{
		{Date(2025, time.December, 14), false},
		{Date(2025, time.December, 15), true},
		{Date(2026, time.January, 14), true},
		{Date(2026, time.January, 15), false},
	} {
		if got := r.Contains(tc.d); got != tc.want {
			t.Errorf("Contains(%s) = %v, want %v", tc.d.Format(time.DateOnly), got, tc.want)
		}
	}
	if got, want := r.String(), "15/12/2025–14/01/2026"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := MonthKey(2026, time.January), "2026-01"; got != want {
		t.Errorf("MonthKey = %q, want %q", got, want)
	}
}
