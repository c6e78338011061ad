package notify_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/notify"
	"chuyenhoa/notify/smtptest"
	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// busyMonth is a province stepped from 25/11 to 24/12/2026, as serve runs
// it: relapse on the 15th at 05:00 (and at the start), deadlines at 07:00,
// cycle at 07:30, the digest at 08:00 (mail.digest_times default), and on
// some days data arriving at 10:00 with an operator running `notify` at
// 10:05. Escalations are mailed at once (mail.immediate_kinds).
//
//	D1 (Huyện Bình Sơn): A (Xã Bình Châu, transformed 2024, watched for
//	   relapse), B (Xã Bình Thạnh, selected 20/10/2026: plan due 19/11,
//	   overdue from 23/11, escalated from 19/11 + 3 + 10 + 1 = 03/12; sent
//	   05/12 at 09:00, imported at 10:00).
//	D2 (Huyện Ba Tơ): C and D (Xã Ba Vì, Xã Ba Tô; selected 01/02/2026,
//	   plans sent): D detects 6 of 10 crimes (60% < 80%): at risk all
//	   along until detections dated 01/12 (10 of 10) arrive on 14/12 at
//	   10:00, after the day's runs: on 15/12 16/20 = 80%;
//	   C detects 18 of 20 until 10 more crimes, none detected, dated 01/11
//	   arrive on 02/12 at 10:00 (18/30 = 60%): at risk from the 10:05 run.
//	Both owe the 2026 yearly report (due 20/12, reminder 5 days: upcoming
//	   from 15/12, due 20–23/12, overdue from 24/12); D1 sends it on 21/12
//	   before 07:00, D2 never.
//	A has 1 social-order crime until 10 more dated 01/12 arrive on 14/12;
//	   the relapse check of 15/12 (window 15/12/2025–14/12/2026) counts 11
//	   against the province's average 14/4 = 3,5 and D1's 12/2 = 6:
//	   relapsed.
//
// So on 15/12 the relapse (D1, province), the deadlines (D1, D2) and the
// cycle (D2, province) findings all change: each committee gets one
// digest. On 03/12 the province gets the escalation at 07:00 and its
// digest at 08:00, which shows the escalation in the same state.
func busyMonth() (*store.Dataset, *store.CycleDataset) {
	u := func(code, name, dist string) store.UnitRow {
		return store.UnitRow{Unit: rules.Unit{Code: code, Name: name, Kind: "xa", District: dist}}
	}
	st := func(unit string, y int, m time.Month, d, n int) store.Stat {
		return store.Stat{Unit: unit, Day: day(y, m, d), Offence: "TT", Count: n}
	}
	sub := func(dist, obl, per, unit string, at time.Time) store.SubmissionRow {
		return store.SubmissionRow{District: dist, Obligation: obl, Period: per, Unit: unit, SubmittedAt: at}
	}
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 3, 0, 0, 0, time.UTC) }
	ds := &store.Dataset{
		Districts: []rules.District{{Code: "D1", Name: "Huyện Bình Sơn", Kind: "huyen"}, {Code: "D2", Name: "Huyện Ba Tơ", Kind: "huyen"}},
		Units:     []store.UnitRow{u("A", "Xã Bình Châu", "D1"), u("B", "Xã Bình Thạnh", "D1"), u("C", "Xã Ba Vì", "D2"), u("D", "Xã Ba Tô", "D2")},
		Offences:  []store.Offence{{Code: "TT", Name: "Trộm cắp tài sản", Category: rules.Cat1, SocialOrder: true}},
		Stats:     []store.Stat{st("A", 2026, 6, 1, 1), st("B", 2026, 6, 1, 1), st("C", 2026, 6, 1, 1), st("D", 2026, 6, 1, 1)},
		Selections: []rules.Selection{
			{Year: 2024, Unit: "A", Category: rules.Cat1, DecidedOn: day(2024, 3, 1)},
			{Year: 2026, Unit: "C", Category: rules.Cat1, DecidedOn: day(2026, 2, 1)},
			{Year: 2026, Unit: "D", Category: rules.Cat1, DecidedOn: day(2026, 2, 1)},
			{Year: 2026, Unit: "B", Category: rules.Cat1, DecidedOn: day(2026, 10, 20)},
		},
		Assessments: []rules.Assessment{{Year: 2024, Unit: "A", Transformed: true, AssessedOn: day(2025, 1, 15)}},
		Submissions: []store.SubmissionRow{
			sub("D2", "plan", "2026", "C", at(2026, 2, 20)), sub("D2", "plan", "2026", "D", at(2026, 2, 20)),
			sub("D1", "report_h1", "2026-H1", "", at(2026, 6, 15)), sub("D2", "report_h1", "2026-H1", "", at(2026, 6, 18)),
		},
	}
	cy := &store.CycleDataset{CaseStats: []store.CaseStat{
		{Unit: "C", Day: day(2026, 3, 14), Crimes: 20, Detected: 18, ReportsReceived: 5, ReportsHandled: 5},
		{Unit: "D", Day: day(2026, 3, 14), Crimes: 10, Detected: 6, ReportsReceived: 5, ReportsHandled: 5},
	}}
	return ds, cy
}

// mailed is one message as the month test reads it.
type mailed struct {
	day   time.Time
	job   string // X-Chuyenhoa-Job: digest, or the job of an immediate mail
	to    string
	subj  string
	items map[string]string // item (title | committee) → state, from the text
}

// itemStates reads a digest's plain text: each item's title (with the
// committee the provincial digest names) and its state.
func itemStates(text string) map[string]string {
	out := map[string]string{}
	var title, unit string
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(line, "   Đơn vị: "):
			unit = strings.TrimPrefix(line, "   Đơn vị: ")
		case strings.HasPrefix(line, "   Tình trạng: "):
			out[title+" | "+unit] = strings.TrimPrefix(line, "   Tình trạng: ")
		case line != "" && !strings.HasPrefix(line, " "):
			title, unit = strings.TrimPrefix(line, "[MỚI] "), ""
		}
	}
	return out
}

func TestBusyMonthOneDigestPerCommitteePerDigestTime(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ds, cy := busyMonth()
		if err := s.Load(ctx, ds); err != nil {
			t.Fatal(err)
		}
		if err := s.LoadCycle(ctx, cy); err != nil {
			t.Fatal(err)
		}
		srv := smtptest.Start(t)
		e := newEnv(t, s, srv)
		e.cfg.Mail.ImmediateKinds = []finding.AlertKind{finding.AlertEscalation}
		for i := range e.cfg.Obligations {
			if e.cfg.Obligations[i].Code == "report_year" {
				e.cfg.Obligations[i].ReminderDays = 5
			}
		}
		if err := e.cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		loc := e.cfg.Location()
		slots := notify.SlotsOf(e.cfg)
		var (
			mails []mailed
			today time.Time
		)
		set := func(h, m int) {
			e.mu.Lock()
			e.now = time.Date(today.Year(), today.Month(), today.Day(), h, m, 0, 0, loc)
			e.mu.Unlock()
		}
		drain := func() {
			seen := len(srv.Messages())
			e.drain()
			for _, m := range srv.Messages()[seen:] {
				mails = append(mails, mailed{day: today, job: m.Get("X-Chuyenhoa-Job"), to: m.To[0], subj: m.Subject, items: itemStates(m.Text)})
			}
		}
		job := func(j finding.Job) {
			t.Helper()
			if _, err := e.runner.Run(ctx, j, today); err != nil {
				t.Fatalf("%s %s: %v", j, today.Format(time.DateOnly), err)
			}
			drain() // immediate mail goes out at once
		}
		dispatch := func() {
			t.Helper()
			if _, err := e.comp.Dispatch(ctx, slots.Latest(e.clock())); err != nil {
				t.Fatalf("dispatch %s: %v", e.clock(), err)
			}
			drain()
		}
		// What arrives at 10:00, after which an operator runs notify
		// (but on 14/12: the next day's runs see it).
		arrivals := map[string]func(){
			"2026-12-02": func() {
				if err := s.LoadCycle(ctx, &store.CycleDataset{CaseStats: []store.CaseStat{{Unit: "C", Day: day(2026, 11, 1), Crimes: 10, Detected: 0}}}); err != nil {
					t.Fatal(err)
				}
			},
			"2026-12-05": func() {
				if err := s.Load(ctx, &store.Dataset{Submissions: []store.SubmissionRow{
					{District: "D1", Obligation: "plan", Period: "2026", Unit: "B", SubmittedAt: time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC)}}}); err != nil {
					t.Fatal(err)
				}
			},
			"2026-12-14": func() {
				if err := s.Load(ctx, &store.Dataset{Stats: []store.Stat{{Unit: "A", Day: day(2026, 12, 1), Offence: "TT", Count: 10}}}); err != nil {
					t.Fatal(err)
				}
				if err := s.LoadCycle(ctx, &store.CycleDataset{CaseStats: []store.CaseStat{{Unit: "D", Day: day(2026, 12, 1), Crimes: 10, Detected: 10}}}); err != nil {
					t.Fatal(err)
				}
			},
		}
		first := day(2026, 11, 25)
		for today = first; !today.After(day(2026, 12, 24)); today = today.AddDate(0, 0, 1) {
			if today.Equal(day(2026, 12, 21)) {
				set(6, 0)
				if err := s.Load(ctx, &store.Dataset{Submissions: []store.SubmissionRow{
					{District: "D1", Obligation: "report_year", Period: "2026", SubmittedAt: time.Date(2026, 12, 20, 23, 0, 0, 0, time.UTC)}}}); err != nil {
					t.Fatal(err)
				}
			}
			if today.Equal(first) || today.Day() == 15 {
				set(5, 0)
				job(finding.JobRelapse)
			}
			set(7, 0)
			job(finding.JobDeadlines)
			set(7, 30)
			job(finding.JobCycle)
			set(8, 0)
			dispatch()
			if f, ok := arrivals[today.Format(time.DateOnly)]; ok {
				set(10, 0)
				f()
				if today.Day() == 14 {
					continue
				}
				set(10, 5)
				for _, j := range []finding.Job{finding.JobRelapse, finding.JobDeadlines, finding.JobCycle} {
					job(j)
				}
				dispatch()
			}
		}

		const (
			d1, d2, d2b, prov = "binhson@quangngai.gov.vn", "bato@quangngai.gov.vn", "bato.pho@quangngai.gov.vn", "tinh@congan.quangngai.gov.vn"
		)
		key := func(d time.Time) string { return d.Format("02/01") }
		// One digest per committee per digest time (one a day), and no
		// other mail but the province's immediate escalation on 03/12.
		digests := map[string]map[string][]mailed{} // recipient → day → digests
		for _, m := range mails {
			if m.job != string(finding.JobDigest) {
				if m.to != prov || key(m.day) != "03/12" || m.job != string(finding.JobDeadlines) {
					t.Errorf("%s on %s: unexpected %s mail %q", m.to, key(m.day), m.job, m.subj)
				}
				continue
			}
			if digests[m.to] == nil {
				digests[m.to] = map[string][]mailed{}
			}
			digests[m.to][key(m.day)] = append(digests[m.to][key(m.day)], m)
		}
		for to, days := range digests {
			for d, ms := range days {
				if len(ms) != 1 {
					var subj []string
					for _, m := range ms {
						subj = append(subj, m.subj)
					}
					t.Errorf("%s got %d digests on %s: %q", to, len(ms), d, subj)
				}
			}
		}
		// No conflicting states: an item all the mails of one day to one
		// recipient show is in one state.
		type dayTo struct{ day, to string }
		state := map[dayTo]map[string]string{}
		for _, m := range mails {
			k := dayTo{key(m.day), m.to}
			if state[k] == nil {
				state[k] = map[string]string{}
			}
			for it, s := range m.items {
				if was, ok := state[k][it]; ok && was != s {
					t.Errorf("%s on %s: %q is %q in one mail and %q in another", m.to, k.day, it, was, s)
				}
				state[k][it] = s
			}
		}
		// The days that matter, as worked out above.
		got := func(to, d string) map[string]string {
			ms := digests[to][d]
			if len(ms) == 0 {
				t.Errorf("%s got no digest on %s", to, d)
				return nil
			}
			return ms[0].items
		}
		// want checks the states of the items whose title starts as
		// given, with the committee the provincial digest names.
		want := func(to, d string, items map[string]string) {
			t.Helper()
			have := got(to, d)
			for it, s := range items {
				prefix, com, _ := strings.Cut(it, " | ")
				found := false
				for k, v := range have {
					title, c, _ := strings.Cut(k, " | ")
					if strings.HasPrefix(title, prefix) && c == com {
						found = true
						if v != s {
							t.Errorf("%s on %s: %q is %q, want %q", to, d, k, v, s)
						}
					}
				}
				if !found {
					t.Errorf("%s on %s: no item %q in %v", to, d, it, have)
				}
			}
		}
		plan := "Kế hoạch chuyển hóa địa bàn: Xã Bình Thạnh (B), kỳ 2026 | "
		year := "Báo cáo tổng kết năm, kỳ 2026 | "
		want(d1, "25/11", map[string]string{plan: "Quá hạn"})
		want(d2, "25/11", map[string]string{"Xã Ba Tô (D) — | ": "Có nguy cơ không đạt"})
		// 03/12: the plan escalates (fresh, not yesterday's "Quá hạn"); the
		// province's immediate mail and its digest say the same.
		want(d1, "03/12", map[string]string{plan: "Quá hạn, báo cáo Ban Chỉ đạo tỉnh"})
		want(d2, "03/12", map[string]string{"Xã Ba Vì (C) — | ": "Có nguy cơ không đạt"})
		esc := "Kế hoạch chuyển hóa địa bàn: Xã Bình Thạnh (B), kỳ 2026 | Ban Chỉ đạo 138 huyện Bình Sơn"
		want(prov, "03/12", map[string]string{esc: "Quá hạn, báo cáo Ban Chỉ đạo tỉnh"})
		var immediate []mailed
		for _, m := range mails {
			if m.job == string(finding.JobDeadlines) {
				immediate = append(immediate, m)
			}
		}
		if len(immediate) != 1 || immediate[0].items[esc] != "Quá hạn, báo cáo Ban Chỉ đạo tỉnh" || len(immediate[0].items) != 1 {
			t.Errorf("immediate mail: %+v, want one on 03/12 with the escalation alone", immediate)
		}
		// 05/12: the plan arrives at 10:00; the 10:05 run closes it, and
		// as nobody had their 08:00 digest yet, D1 and the province hear
		// at once.
		want(d1, "05/12", map[string]string{plan: "Đã nộp muộn"})
		want(prov, "05/12", map[string]string{esc: "Đã nộp muộn"})
		// 15/12: three jobs change, one digest each.
		want(d1, "15/12", map[string]string{year: "Sắp đến hạn", "Xã Bình Châu (A) — | ": "Phức tạp trở lại"})
		want(d2, "15/12", map[string]string{year: "Sắp đến hạn", "Xã Ba Tô (D) — | ": "Đã đạt các tiêu chí"})
		want(prov, "15/12", map[string]string{
			"Xã Bình Châu (A) — | Ban Chỉ đạo 138 huyện Bình Sơn": "Phức tạp trở lại",
			"Xã Ba Tô (D) — | Ban Chỉ đạo 138 huyện Ba Tơ":        "Đã đạt các tiêu chí",
		})
		want(d1, "20/12", map[string]string{year: "Đến hạn"})
		want(d2, "20/12", map[string]string{year: "Đến hạn"})
		want(d1, "21/12", map[string]string{year: "Đã nộp muộn"})
		want(d2, "24/12", map[string]string{year: "Quá hạn"})
		// Both D2 addresses got the same digests.
		if len(digests[d2]) != len(digests[d2b]) {
			t.Errorf("D2's addresses got digests on %d and %d days", len(digests[d2]), len(digests[d2b]))
		}
		var days []string
		for to, ds := range digests {
			var ks []string
			for k := range ds {
				ks = append(ks, k)
			}
			sort.Strings(ks)
			days = append(days, fmt.Sprintf("%s: %s", to, strings.Join(ks, " ")))
		}
		sort.Strings(days)
		t.Logf("%d mails in the month; digests on\n%s", len(mails), strings.Join(days, "\n"))
	})
}
