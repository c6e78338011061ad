package rules

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestDeadlineStatus(t *testing.T) {
	// Reminder 7, grace 5, escalate 10; due 20/06/2026:
	//   pending   ..12/06   (before 20 - 7 = 13/06)
	//   upcoming  13/06–19/06
	//   due       20/06–25/06 (20 + 5)
	//   overdue   26/06–05/07 (25/06 + 10)
	//   escalated 06/07..     (= EscalateOn, due + 5 + 10 + 1)
	o := Obligation{Code: "so_ket", ReminderDays: 7, GraceDays: 5, EscalateDays: 10}
	due := day(2026, 6, 20)
	none := time.Time{}
	for _, tc := range []struct {
		name  string
		o     Obligation
		sub   time.Time
		today time.Time
		want  DeadlineState
	}{
		{"day before reminder", o, none, day(2026, 6, 12), DeadlinePending},
		{"first reminder day", o, none, day(2026, 6, 13), DeadlineUpcoming},
		{"day before due", o, none, day(2026, 6, 19), DeadlineUpcoming},
		{"due day", o, none, day(2026, 6, 20), DeadlineDue},
		{"last grace day", o, none, day(2026, 6, 25), DeadlineDue},
		{"first overdue day", o, none, day(2026, 6, 26), DeadlineOverdue},
		{"last overdue day", o, none, day(2026, 7, 5), DeadlineOverdue},
		{"first escalated day", o, none, day(2026, 7, 6), DeadlineEscalated},
		{"long after", o, none, day(2027, 1, 1), DeadlineEscalated},
		{"submitted on the due day", o, day(2026, 6, 20), day(2026, 7, 10), DeadlineSubmitted},
		{"submitted early, before reminders", o, day(2026, 6, 1), day(2026, 6, 5), DeadlineSubmitted},
		{"submitted a day late", o, day(2026, 6, 21), day(2026, 6, 21), DeadlineSubmittedLate},
		{"submitted after escalation", o, day(2026, 7, 20), day(2026, 7, 20), DeadlineSubmittedLate},
		// Dated after today: not known yet, counts as missing.
		{"submission dated tomorrow", o, day(2026, 6, 27), day(2026, 6, 26), DeadlineOverdue},
		// No reminder, grace or escalation: pending until the due day,
		// escalated the day after.
		{"no reminder, day before", Obligation{}, none, day(2026, 6, 19), DeadlinePending},
		{"no grace, due day", Obligation{}, none, day(2026, 6, 20), DeadlineDue},
		{"no grace, day after", Obligation{}, none, day(2026, 6, 21), DeadlineEscalated},
	} {
		if got := DeadlineStatus(tc.o, due, tc.sub, tc.today); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

var (
	oblPlan = Obligation{Code: "ke_hoach", Name: "Kế hoạch chuyển hóa", PerUnit: true, DueAfterDecisionDays: 30,
		ReminderDays: 7, GraceDays: 5, EscalateDays: 10}
	oblHalf = Obligation{Code: "so_ket", Name: "Báo cáo sơ kết 6 tháng", Period: PeriodHalf1, DueMonth: time.June, DueDay: 20,
		ReminderDays: 7, GraceDays: 5, EscalateDays: 10}
	oblYear = Obligation{Code: "tong_ket", Name: "Báo cáo tổng kết năm", Period: PeriodYear, DueMonth: time.December, DueDay: 20,
		ReminderDays: 7, GraceDays: 5, EscalateDays: 10}
)

func deadlineData() ([]Unit, []Selection, []Submission) {
	units := []Unit{{Code: "u1", District: "D1"}, {Code: "u2", District: "D1"}, {Code: "u3", District: "D2"}, {Code: "u4", District: "D3"}}
	sel := []Selection{
		{Year: 2026, Unit: "u3", Category: Cat4, DecidedOn: day(2026, 4, 1)},
		{Year: 2026, Unit: "u1", Category: Cat1, DecidedOn: day(2026, 3, 10)},
		{Year: 2026, Unit: "u2", Category: Cat1, DecidedOn: day(2026, 3, 20)},
		// Another year: D3 owes nothing for 2026.
		{Year: 2025, Unit: "u4", Category: Cat1, DecidedOn: day(2025, 3, 1)},
	}
	subs := []Submission{
		{District: "D1", Obligation: "ke_hoach", Period: "2026", Unit: "u1", SubmittedOn: day(2026, 4, 12)},
		{District: "D1", Obligation: "so_ket", Period: "2026-H1", SubmittedOn: day(2026, 4, 14)},
		// Wrong period: not this year's half-year report.
		{District: "D2", Obligation: "so_ket", Period: "2025-H1", SubmittedOn: day(2026, 4, 1)},
		// Dated 20/04: unknown before that day.
		{District: "D2", Obligation: "ke_hoach", Period: "2026", Unit: "u3", SubmittedOn: day(2026, 4, 20)},
		// Filed under the wrong district: does not count when grouped.
		{District: "D3", Obligation: "ke_hoach", Period: "2026", Unit: "u1", SubmittedOn: day(2026, 4, 1)},
	}
	return units, sel, subs
}

// describe renders a deadline as district/code/period/unit due state late sub.
func describe(d Deadline) string {
	sub := "-"
	if !d.SubmittedOn.IsZero() {
		sub = d.SubmittedOn.Format(time.DateOnly)
	}
	return fmt.Sprintf("%s/%s/%s/%s due %s esc %s %s late %d sub %s", d.Committee, d.Obligation.Code, d.Period, d.Unit,
		d.Due.Format(time.DateOnly), d.EscalateOn.Format(time.DateOnly), d.State, d.DaysLate, sub)
}

func TestDeadlines(t *testing.T) {
	units, sel, subs := deadlineData()
	obl := []Obligation{oblPlan, oblHalf, oblYear}
	// Plan due dates, decision + 30 days:
	//   u1 10/03 + 30 = 09/04 (21 days to 31/03, 9 more); escalates 09/04 + 16 = 25/04
	//   u2 20/03 + 30 = 19/04 (11 to 31/03, 19 more);     escalates 05/05
	//   u3 01/04 + 30 = 01/05 (April has 30 days);        escalates 17/05
	// Half-year due 20/06, escalates 06/07; year due 20/12, escalates 05/01/2027.
	for _, tc := range []struct {
		name    string
		today   time.Time
		grouped bool
		want    []string
	}{
		{
			name: "grouped mid April", today: day(2026, 4, 15), grouped: true,
			want: []string{
				// Sent 12/04, due 09/04: 3 days late (the D3 filing does not count).
				"D1/ke_hoach/2026/u1 due 2026-04-09 esc 2026-04-25 submitted_late late 3 sub 2026-04-12",
				// 15/04 is within 19/04 - 7 = 12/04 .. 18/04.
				"D1/ke_hoach/2026/u2 due 2026-04-19 esc 2026-05-05 upcoming late 0 sub -",
				"D1/so_ket/2026-H1/ due 2026-06-20 esc 2026-07-06 submitted late 0 sub 2026-04-14",
				"D1/tong_ket/2026/ due 2026-12-20 esc 2027-01-05 pending late 0 sub -",
				// 01/05 - 7 = 24/04 is after 15/04; the 20/04 filing is not known yet.
				"D2/ke_hoach/2026/u3 due 2026-05-01 esc 2026-05-17 pending late 0 sub -",
				"D2/so_ket/2026-H1/ due 2026-06-20 esc 2026-07-06 pending late 0 sub -",
				"D2/tong_ket/2026/ due 2026-12-20 esc 2027-01-05 pending late 0 sub -",
			},
		},
		{
			name: "grouped end of April", today: day(2026, 4, 30), grouped: true,
			want: []string{
				"D1/ke_hoach/2026/u1 due 2026-04-09 esc 2026-04-25 submitted_late late 3 sub 2026-04-12",
				// Missing: 19/04 + 5 = 24/04 < 30/04 ≤ 04/05: overdue, 11 days.
				"D1/ke_hoach/2026/u2 due 2026-04-19 esc 2026-05-05 overdue late 11 sub -",
				"D1/so_ket/2026-H1/ due 2026-06-20 esc 2026-07-06 submitted late 0 sub 2026-04-14",
				"D1/tong_ket/2026/ due 2026-12-20 esc 2027-01-05 pending late 0 sub -",
				// Sent 20/04, before its due day 01/05.
				"D2/ke_hoach/2026/u3 due 2026-05-01 esc 2026-05-17 submitted late 0 sub 2026-04-20",
				"D2/so_ket/2026-H1/ due 2026-06-20 esc 2026-07-06 pending late 0 sub -",
				"D2/tong_ket/2026/ due 2026-12-20 esc 2027-01-05 pending late 0 sub -",
			},
		},
		{
			name: "grouped after year end", today: day(2027, 1, 5), grouped: true,
			want: []string{
				"D1/ke_hoach/2026/u1 due 2026-04-09 esc 2026-04-25 submitted_late late 3 sub 2026-04-12",
				// 19/04/2026 → 05/01/2027: 11 + 31 + 30 + 31 + 31 + 30 + 31 + 30 + 31 + 5 = 261.
				"D1/ke_hoach/2026/u2 due 2026-04-19 esc 2026-05-05 escalated late 261 sub -",
				"D1/so_ket/2026-H1/ due 2026-06-20 esc 2026-07-06 submitted late 0 sub 2026-04-14",
				// 20/12 → 05/01: 16 days, the first escalated day.
				"D1/tong_ket/2026/ due 2026-12-20 esc 2027-01-05 escalated late 16 sub -",
				"D2/ke_hoach/2026/u3 due 2026-05-01 esc 2026-05-17 submitted late 0 sub 2026-04-20",
				// 20/06 → 05/01: 10 + 31 + 31 + 30 + 31 + 30 + 31 + 5 = 199.
				"D2/so_ket/2026-H1/ due 2026-06-20 esc 2026-07-06 escalated late 199 sub -",
				"D2/tong_ket/2026/ due 2026-12-20 esc 2027-01-05 escalated late 16 sub -",
			},
		},
		{
			// No district in force: each selected commune's own body owes
			// its plan and its reports, and a report counts when it names
			// the commune, whatever district it was filed under: the D3
			// filing for u1 (01/04, before its due day 09/04) is the
			// earliest and counts. D1's six-month report names no commune
			// and counts for none; u4 was selected in 2025 only.
			name: "ungrouped mid April", today: day(2026, 4, 15), grouped: false,
			want: []string{
				"xa:u1/ke_hoach/2026/u1 due 2026-04-09 esc 2026-04-25 submitted late 0 sub 2026-04-01",
				"xa:u1/so_ket/2026-H1/ due 2026-06-20 esc 2026-07-06 pending late 0 sub -",
				"xa:u1/tong_ket/2026/ due 2026-12-20 esc 2027-01-05 pending late 0 sub -",
				"xa:u2/ke_hoach/2026/u2 due 2026-04-19 esc 2026-05-05 upcoming late 0 sub -",
				"xa:u2/so_ket/2026-H1/ due 2026-06-20 esc 2026-07-06 pending late 0 sub -",
				"xa:u2/tong_ket/2026/ due 2026-12-20 esc 2027-01-05 pending late 0 sub -",
				"xa:u3/ke_hoach/2026/u3 due 2026-05-01 esc 2026-05-17 pending late 0 sub -",
				"xa:u3/so_ket/2026-H1/ due 2026-06-20 esc 2026-07-06 pending late 0 sub -",
				"xa:u3/tong_ket/2026/ due 2026-12-20 esc 2027-01-05 pending late 0 sub -",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := Deadlines(2026, tc.today, tc.grouped, obl, sel, units, subs)
			var got []string
			for _, d := range ds {
				got = append(got, describe(d))
				if d.Year != 2026 {
					t.Errorf("year %d", d.Year)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("\n got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestDeadlinesEdgeCases(t *testing.T) {
	units, sel, subs := deadlineData()
	// No selection in 2024: nothing owed.
	if ds := Deadlines(2024, day(2024, 12, 31), true, []Obligation{oblPlan, oblHalf, oblYear}, sel, units, subs); len(ds) != 0 {
		t.Errorf("2024: %d deadlines, want 0", len(ds))
	}
	// Obligation order as given decides within a district, and the second
	// half-year report is keyed H2.
	h2 := Obligation{Code: "h2", Period: PeriodHalf2, DueMonth: time.December, DueDay: 20}
	ds := Deadlines(2026, day(2026, 4, 15), true, []Obligation{oblYear, h2, oblPlan}, sel, units, subs)
	var got []string
	for _, d := range ds {
		got = append(got, d.Committee.String()+"/"+d.Obligation.Code+"/"+d.Period+"/"+d.Unit)
	}
	want := "D1/tong_ket/2026/ D1/h2/2026-H2/ D1/ke_hoach/2026/u1 D1/ke_hoach/2026/u2 D2/tong_ket/2026/ D2/h2/2026-H2/ D2/ke_hoach/2026/u3"
	if strings.Join(got, " ") != want {
		t.Errorf("order %v, want %s", got, want)
	}
	// A selection without a decision date has no plan due date; its
	// district still owes the periodic reports. A selected unit missing
	// from units is owed by the province ("").
	sel2 := []Selection{{Year: 2026, Unit: "u1"}, {Year: 2026, Unit: "gone", DecidedOn: day(2026, 3, 1)}}
	ds = Deadlines(2026, day(2026, 4, 15), true, []Obligation{oblPlan, oblYear}, sel2, units, nil)
	got = got[:0]
	for _, d := range ds {
		got = append(got, d.Committee.String()+"/"+d.Obligation.Code+"/"+d.Unit)
	}
	if want := "/ke_hoach/gone /tong_ket/ D1/tong_ket/"; strings.Join(got, " ") != want {
		t.Errorf("got %v, want %s", got, want)
	}
}

// A commune selected after a report's due day owes the plan but not that
// report: X2, selected on 20/10/2026, owes no six-month report due
// 20/06/2026 (it would be escalated for a year it was not yet in), but the
// year report due 20/12/2026; X1, selected in March, owes both.
func TestLateSelectionOwesNoEarlierReport(t *testing.T) {
	units := []Unit{{Code: "X1"}, {Code: "X2"}}
	sel := []Selection{
		{Year: 2026, Unit: "X1", Category: Cat1, DecidedOn: day(2026, 3, 10)},
		{Year: 2026, Unit: "X2", Category: Cat1, DecidedOn: day(2026, 10, 20)},
	}
	var got []string
	for _, d := range Deadlines(2026, day(2026, 11, 25), true, []Obligation{oblPlan, oblHalf, oblYear}, sel, units, nil) {
		got = append(got, d.Committee.String()+"/"+d.Obligation.Code+"/"+d.Period)
	}
	want := "xa:X1/ke_hoach/2026 xa:X1/so_ket/2026-H1 xa:X1/tong_ket/2026 xa:X2/ke_hoach/2026 xa:X2/tong_ket/2026"
	if strings.Join(got, " ") != want {
		t.Errorf("got %v, want %s", got, want)
	}
}

// A province part grouped, part not (a commune whose district is no longer
// in force): the district owes for its communes, the commune's own body for
// itself, and a commune's reports are those filed naming it.
func TestDeadlinesCommuneLevel(t *testing.T) {
	units := []Unit{{Code: "u1", District: "D1"}, {Code: "X1"}, {Code: "X2"}}
	sel := []Selection{
		{Year: 2026, Unit: "X1", Category: Cat1, DecidedOn: day(2026, 3, 10)},
		{Year: 2026, Unit: "u1", Category: Cat1, DecidedOn: day(2026, 3, 10)},
		{Year: 2026, Unit: "X2", Category: Cat4, DecidedOn: day(2026, 3, 20)},
	}
	subs := []Submission{
		// X1's plan and six-month report, filed with no district.
		{Obligation: "ke_hoach", Period: "2026", Unit: "X1", SubmittedOn: day(2026, 4, 2)},
		{Obligation: "so_ket", Period: "2026-H1", Unit: "X1", SubmittedOn: day(2026, 6, 22)},
		// X2's six-month report for the wrong period.
		{Obligation: "so_ket", Period: "2025-H1", Unit: "X2", SubmittedOn: day(2026, 6, 15)},
		// A district's six-month report names no commune: D1's, not X2's.
		{District: "D1", Obligation: "so_ket", Period: "2026-H1", SubmittedOn: day(2026, 6, 19)},
	}
	// On 30/06/2026. Plans: X1 due 09/04, sent 02/04; u1 due 09/04,
	// missing: 09/04 → 30/06 = 21 + 31 + 30 = 82 days, escalated from
	// 09/04 + 16 = 25/04; X2 due 19/04, missing, 72 days, escalated from
	// 05/05. Six-month report due 20/06: X1 sent 22/06 (2 days late), D1
	// 19/06, X2 missing 10 days, past the grace to 25/06: overdue.
	ds := Deadlines(2026, day(2026, 6, 30), true, []Obligation{oblPlan, oblHalf}, sel, units, subs)
	var got []string
	for _, d := range ds {
		got = append(got, describe(d))
	}
	want := []string{
		"D1/ke_hoach/2026/u1 due 2026-04-09 esc 2026-04-25 escalated late 82 sub -",
		"D1/so_ket/2026-H1/ due 2026-06-20 esc 2026-07-06 submitted late 0 sub 2026-06-19",
		"xa:X1/ke_hoach/2026/X1 due 2026-04-09 esc 2026-04-25 submitted late 0 sub 2026-04-02",
		"xa:X1/so_ket/2026-H1/ due 2026-06-20 esc 2026-07-06 submitted_late late 2 sub 2026-06-22",
		"xa:X2/ke_hoach/2026/X2 due 2026-04-19 esc 2026-05-05 escalated late 72 sub -",
		"xa:X2/so_ket/2026-H1/ due 2026-06-20 esc 2026-07-06 overdue late 10 sub -",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("\n got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestCommitteeStringForm(t *testing.T) {
	for _, tc := range []struct {
		c    Committee
		s    string
		slug string
	}{
		{ProvinceCommittee(), "", "tinh"},
		{DistrictCommittee("D01"), "D01", "d01"},
		{CommuneCommittee("X01"), "xa:X01", "xa-x01"},
		{DistrictCommittee(""), "", "tinh"},
		{CommuneCommittee(""), "", "tinh"},
	} {
		if got := tc.c.String(); got != tc.s {
			t.Errorf("%+v: string %q, want %q", tc.c, got, tc.s)
		}
		if got := ParseCommittee(tc.s); got != tc.c {
			t.Errorf("parse %q: %+v, want %+v", tc.s, got, tc.c)
		}
		if got := tc.c.Slug(); got != tc.slug {
			t.Errorf("%+v: slug %q, want %q", tc.c, got, tc.slug)
		}
	}
	if c := CommitteeOf(false, Unit{Code: "X1", District: "D1"}); c != CommuneCommittee("X1") {
		t.Errorf("ungrouped unit with a district code: %v", c)
	}
	if c := CommitteeOf(true, Unit{Code: "X1"}); c != CommuneCommittee("X1") {
		t.Errorf("unit without a district: %v", c)
	}
	if c := CommitteeFor("", ""); !c.IsProvince() {
		t.Errorf("a row naming nobody: %v", c)
	}
}
