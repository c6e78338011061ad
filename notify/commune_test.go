package notify_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/notify/smtptest"
	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// twoTier is a province after the 2025 reform: no districts, three
// communes. On 01/03/2026 (reminder 7, grace 3, escalate 10 days):
//   - X1's 2026 plan (decided 01/02, due 03/03) is upcoming, owed by
//     Công an xã Bình Châu;
//   - X2's 2025 yearly report (due 20/12/2025) is missing: escalated since
//     20/12 + 3 + 10 + 1 = 03/01/2026, 71 days late (11 + 31 + 28 + 1),
//     so the province hears of it too; X2's plan and six-month report of
//     2025 arrived in time, filed under the commune with no district;
//   - X3's 2026 plan (decided 05/02, due 07/03) is upcoming, but its body
//     has no address: the province gets it to pass on;
//   - X1, transformed in 2024, has 10 social-order crimes in the window
//     against the province's average (10 + 1 + 1) / 3 = 4.0: relapsed.
func twoTier() *store.Dataset {
	u := func(code, name, kind string) store.UnitRow {
		return store.UnitRow{Unit: rules.Unit{Code: code, Name: name, Kind: kind}, ValidFrom: day(2025, 7, 1)}
	}
	st := func(unit string, n int) store.Stat {
		return store.Stat{Unit: unit, Day: day(2025, 8, 1), Offence: "TT", Count: n}
	}
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 3, 0, 0, 0, time.UTC) }
	return &store.Dataset{
		Units:    []store.UnitRow{u("X1", "Xã Bình Châu", "xa"), u("X2", "Phường Trần Phú", "phuong"), u("X3", "Đặc khu Lý Sơn", "dac_khu")},
		Offences: []store.Offence{{Code: "TT", Name: "Trộm cắp tài sản", Category: rules.Cat1, SocialOrder: true}},
		Stats:    []store.Stat{st("X1", 10), st("X2", 1), st("X3", 1)},
		Selections: []rules.Selection{
			{Year: 2024, Unit: "X1", Category: rules.Cat1, DecidedOn: day(2024, 3, 1)},
			{Year: 2025, Unit: "X2", Category: rules.Cat1, DecidedOn: day(2025, 2, 1)},
			{Year: 2026, Unit: "X1", Category: rules.Cat1, DecidedOn: day(2026, 2, 1)},
			{Year: 2026, Unit: "X3", Category: rules.Cat4, DecidedOn: day(2026, 2, 5)},
		},
		Assessments: []rules.Assessment{{Year: 2024, Unit: "X1", Transformed: true, AssessedOn: day(2025, 1, 15)}},
		Submissions: []store.SubmissionRow{
			{Obligation: "plan", Period: "2025", Unit: "X2", SubmittedAt: at(2025, 2, 20)},
			{Obligation: "report_h1", Period: "2025", Unit: "X2", SubmittedAt: at(2025, 6, 10)}, // wrong period: not the six-month report
			{Obligation: "report_h1", Period: "2025-H1", Unit: "X2", SubmittedAt: at(2025, 6, 10)},
		},
	}
}

// An obligation owed and mailed at commune level: without districts each
// selected commune's body owes its plan and its reports and gets its own
// digest over SMTP, the province gets the escalations and the items of a
// body without an address, and no text speaks of districts.
func TestCommuneCommitteesOverSMTP(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ds := twoTier()
		if err := s.Load(ctx, ds); err != nil {
			t.Fatal(err)
		}
		srv := smtptest.Start(t)
		e := newEnv(t, s, srv)
		e.cfg.Grouping = "none"
		e.cfg.Recipients.Districts = nil
		e.cfg.Recipients.Units = map[string][]string{
			"X1": {"ca.binhchau@congan.quangngai.gov.vn"},
			"X2": {"ca.tranphu@congan.quangngai.gov.vn"},
		}
		if err := e.cfg.Validate(); err != nil {
			t.Fatal(err)
		}

		e.run(finding.JobDeadlines)
		if st := e.drain(); st.Sent != 3 || st.Failed != 0 {
			t.Fatalf("drain = %+v, want 3 sent (X1, X2, province)", st)
		}
		got := byRecipient(srv.Messages())
		checkSubjects(t, got, map[string]string{
			"ca.binhchau@congan.quangngai.gov.vn": "[CHUYENHOA] Công an xã Bình Châu: 1 sắp đến hạn (01/03/2026)",
			"ca.tranphu@congan.quangngai.gov.vn":  "[CHUYENHOA] Công an phường Trần Phú: 1 quá hạn (01/03/2026)",
			"tinh@congan.quangngai.gov.vn":        "[CHUYENHOA] Ban Chỉ đạo 138 tỉnh: 1 nghĩa vụ quá hạn chuyển tỉnh, 1 mục chuyển tiếp (01/03/2026)",
		}, 0)
		noDistrict := []string{"huyện", "Huyện", "HUYỆN"}
		x2 := got["ca.tranphu@congan.quangngai.gov.vn"][0]
		for _, part := range []string{x2.Text, x2.HTML} {
			mustContain(t, "X2 mail", part, "Kính gửi: ", "Công an phường Trần Phú", "Báo cáo tổng kết năm, kỳ 2025", "Hạn nộp 20/12/2025; chưa nhận được, trễ 71 ngày",
				"đã báo cáo Ban Chỉ đạo 138 tỉnh từ 03/01/2026", "Gửi báo cáo tổng kết năm về Ban Chỉ đạo 138 tỉnh")
			mustNotContain(t, "X2 mail", part, append(noDistrict, "Bình Châu", "Lý Sơn", "(X1)", "(X3)", "Mỗi Ban Chỉ đạo")...)
		}
		if h := x2.Get("X-Chuyenhoa-Committee"); h != "xa:X2" {
			t.Errorf("X2 committee header %q, want xa:X2", h)
		}
		if !strings.HasPrefix(x2.MessageID, "digest.xa-x2.") {
			t.Errorf("X2 Message-ID %q, want digest.xa-x2.…", x2.MessageID)
		}
		x1 := got["ca.binhchau@congan.quangngai.gov.vn"][0]
		mustContain(t, "X1 mail", x1.Text, "Kế hoạch chuyển hóa địa bàn: Xã Bình Châu (X1), kỳ 2026", "Hạn: 03/03/2026", "Gửi kế hoạch chuyển hóa địa bàn của Xã Bình Châu (X1) về Ban Chỉ đạo 138 tỉnh")
		mustNotContain(t, "X1 mail", x1.Text, append(noDistrict, "Trần Phú", "Lý Sơn")...)
		p := got["tinh@congan.quangngai.gov.vn"][0]
		for _, part := range []string{p.Text, p.HTML} {
			mustContain(t, "province mail", part, "Công an phường Trần Phú", "Đôn đốc Công an phường Trần Phú nộp ngay", "Công an đặc khu Lý Sơn (1 mục)",
				"Kế hoạch chuyển hóa địa bàn: Đặc khu Lý Sơn (X3), kỳ 2026", "Mỗi đơn vị chỉ nhận")
			mustNotContain(t, "province mail", part, append(noDistrict, "Bình Châu")...)
		}
		mustContain(t, "province mail", p.Text, "ĐƠN VỊ CHƯA CÓ ĐỊA CHỈ THƯ — ĐỀ NGHỊ CHUYỂN TIẾP")
		// The alerts are kept under the commune committees.
		alerts, err := s.OpenAlerts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, a := range alerts {
			keys = append(keys, a.Committee+" "+a.Key)
		}
		want := []string{" escalation/xa:X2/report_year/2025", "xa:X1 deadline/xa:X1/plan/2026/X1", "xa:X2 deadline/xa:X2/report_year/2025", "xa:X3 deadline/xa:X3/plan/2026/X3"}
		if strings.Join(slices.Sorted(slices.Values(keys)), "; ") != strings.Join(want, "; ") {
			t.Errorf("open alerts %q, want %q", keys, want)
		}

		// The relapse check: X1's body and the province hear of it, with
		// the province's average alone.
		e.run(finding.JobRelapse)
		if st := e.drain(); st.Sent != 2 {
			t.Fatalf("relapse drain = %+v, want 2 sent (X1, province)", st)
		}
		got = byRecipient(srv.Messages())
		checkSubjects(t, got, map[string]string{
			"ca.binhchau@congan.quangngai.gov.vn": "[CHUYENHOA] Công an xã Bình Châu: 1 sắp đến hạn, 1 phức tạp trở lại (01/03/2026)",
		}, 1)
		x1 = got["ca.binhchau@congan.quangngai.gov.vn"][1]
		for _, part := range []string{x1.Text, x1.HTML} {
			mustContain(t, "X1 relapse", part, "Xã Bình Châu (X1) — chuyển hóa năm 2024", "10 vụ phạm tội xâm phạm TTXH (BQ tỉnh 4,0); loại 1: 10 vụ (BQ tỉnh 4,0)",
				"số vụ cao hơn bình quân một xã của tỉnh; phức tạp trở lại về loại 1")
			mustNotContain(t, "X1 relapse", part, append(noDistrict, "Trần Phú", "Lý Sơn")...)
		}
		p = got["tinh@congan.quangngai.gov.vn"][1]
		mustContain(t, "province relapse", p.Text, "ĐỊA BÀN PHỨC TẠP TRỞ LẠI (1)", "Đơn vị: Công an xã Bình Châu")

		// X2 sends its yearly report as a commune's body does, with no
		// district: next day X2 and the province hear once that it closed.
		err = s.Load(ctx, &store.Dataset{Submissions: []store.SubmissionRow{
			{Obligation: "report_year", Period: "2025", Unit: "X2", SubmittedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}}})
		if err != nil {
			t.Fatal(err)
		}
		// X1's body is muted from now on: its plan falls due on 03/03 but
		// nobody is mailed.
		e.cfg.Recipients.Muted = []string{"xa:X1"}
		e.advance(48 * time.Hour)
		before := len(got["ca.binhchau@congan.quangngai.gov.vn"])
		e.run(finding.JobDeadlines)
		e.drain()
		got = byRecipient(srv.Messages())
		res := got["ca.tranphu@congan.quangngai.gov.vn"]
		if len(res) != 2 {
			t.Fatalf("X2 got %d mails, want 2 (alert, then resolved)", len(res))
		}
		mustContain(t, "X2 resolved", res[1].Text, "ĐÃ KHẮC PHỤC", "Đã nộp muộn", "Đã nhận ngày 01/03/2026, muộn 71 ngày")
		if n := len(got["ca.binhchau@congan.quangngai.gov.vn"]); n != before {
			t.Errorf("muted X1 got %d more mails", n-before)
		}
		if p := got["tinh@congan.quangngai.gov.vn"]; !strings.Contains(p[len(p)-1].Subject, "1 đã khắc phục") {
			t.Errorf("province's last subject %q, want the escalation resolved", p[len(p)-1].Subject)
		}
	})
}
