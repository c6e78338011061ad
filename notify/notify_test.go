package notify_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/notify"
	"chuyenhoa/notify/smtptest"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

func day(y int, m time.Month, d int) time.Time { return period.Date(y, m, d) }

// province: D1 (Huyện Bình Sơn) has Xã Bình Châu (A, hot) and Xã Bình
// Thạnh (B); D2 (Huyện Ba Tơ) has Xã Ba Vì (C) and Xã Ba Tô (D). On
// 01/03/2026 (reminder 7, grace 3, escalate 10 days):
//   - D1's 2026 plan for A (decided 01/02, due 03/03) is upcoming;
//   - D2's 2025 yearly report (due 20/12/2025) is missing: escalated since
//     03/01/2026, so the province hears of it too;
//   - A, transformed in 2024, has 10 social-order crimes in the window
//     against averages 3.0 (province) and 5.0 (D1): relapsed.
func province() *store.Dataset {
	u := func(code, name, dist string) store.UnitRow {
		return store.UnitRow{Unit: rules.Unit{Code: code, Name: name, Kind: "xa", District: dist}}
	}
	st := func(unit string, n int) store.Stat {
		return store.Stat{Unit: unit, Day: day(2025, 6, 1), Offence: "TT", Count: n}
	}
	return &store.Dataset{
		Districts: []rules.District{{Code: "D1", Name: "Huyện Bình Sơn", Kind: "huyen"}, {Code: "D2", Name: "Huyện Ba Tơ", Kind: "huyen"}},
		Units:     []store.UnitRow{u("A", "Xã Bình Châu", "D1"), u("B", "Xã Bình Thạnh", "D1"), u("C", "Xã Ba Vì", "D2"), u("D", "Xã Ba Tô", "D2")},
		Offences:  []store.Offence{{Code: "TT", Name: "Trộm cắp tài sản", Category: rules.Cat1, SocialOrder: true}},
		Stats:     []store.Stat{st("A", 10), st("C", 1), st("D", 1)},
		Selections: []rules.Selection{
			{Year: 2024, Unit: "A", Category: rules.Cat1, DecidedOn: day(2024, 3, 1)},
			{Year: 2025, Unit: "C", Category: rules.Cat1, DecidedOn: day(2025, 2, 1)},
			{Year: 2026, Unit: "A", Category: rules.Cat1, DecidedOn: day(2026, 2, 1)},
		},
		Assessments: []rules.Assessment{{Year: 2024, Unit: "A", Transformed: true, AssessedOn: day(2025, 1, 15)}},
		Submissions: []store.SubmissionRow{
			{District: "D2", Obligation: "plan", Period: "2025", Unit: "C", SubmittedAt: time.Date(2025, 2, 20, 3, 0, 0, 0, time.UTC)},
			{District: "D2", Obligation: "report_h1", Period: "2025-H1", SubmittedAt: time.Date(2025, 6, 10, 3, 0, 0, 0, time.UTC)},
		},
	}
}

// env is one running service: store, runner with the composer's hook,
// the dispatcher, sender.
type env struct {
	t      *testing.T
	s      *store.Store
	cfg    *config.Config
	srv    *smtptest.Server
	mu     sync.Mutex
	now    time.Time
	comp   *notify.Composer
	runner *jobs.Runner
	sender *notify.Sender
}

func newEnv(t *testing.T, s *store.Store, srv *smtptest.Server) *env {
	cfg := config.Default()
	cfg.Mail.Transport = "smtp"
	cfg.Mail.SMTP.Host = srv.Host()
	cfg.Mail.SMTP.Port = srv.Port()
	cfg.Mail.SMTP.TLS = "none"
	cfg.Mail.SMTP.Auth = "none"
	cfg.Mail.SMTP.Timeout = config.Duration{Duration: 5 * time.Second}
	cfg.Mail.From = "Ban Chỉ đạo 138 tỉnh <bcd138@congan.quangngai.gov.vn>"
	cfg.Recipients.Province = []string{"tinh@congan.quangngai.gov.vn"}
	cfg.Recipients.Districts = map[string][]string{
		"D1": {"binhson@quangngai.gov.vn"},
		"D2": {"bato@quangngai.gov.vn", "bato.pho@quangngai.gov.vn"},
	}
	// The fixture keeps no district proposals; the tests of the proposal
	// obligation turn it back on.
	cfg.Proposals.MinPerDistrict = 0
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, s: s, cfg: cfg, srv: srv, now: time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC)}
	e.restart()
	return e
}

// restart builds a fresh runner and sender over the same store, as a
// process restart would.
func (e *env) restart() {
	tr, err := notify.NewTransport(e.cfg.Mail)
	if err != nil {
		e.t.Fatal(err)
	}
	e.comp = &notify.Composer{Store: e.s, Config: e.cfg, Now: e.clock}
	e.runner = &jobs.Runner{Store: e.s, Config: e.cfg, Now: e.clock, AfterFindings: e.comp.Hook}
	e.sender = &notify.Sender{Store: e.s, Transport: tr, Now: e.clock}
}

func (e *env) clock() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }

func (e *env) advance(d time.Duration) { e.mu.Lock(); e.now = e.now.Add(d); e.mu.Unlock() }

// run runs the jobs for today, then the dispatcher once (see dispatch).
func (e *env) run(jobNames ...finding.Job) {
	e.t.Helper()
	today := period.Day(e.clock(), e.cfg.Location())
	for _, j := range jobNames {
		if _, err := e.runner.Run(context.Background(), j, today); err != nil {
			e.t.Fatalf("run %s: %v", j, err)
		}
	}
	e.dispatch()
}

// dispatch runs the dispatcher a minute later, as a digest time of its
// own: each call is a new digest time, so a test that runs one job after
// the other sees each job's news mailed as it comes.
func (e *env) dispatch() notify.Composed {
	e.t.Helper()
	e.advance(time.Minute)
	out, err := e.comp.Dispatch(context.Background(), e.clock())
	if err != nil {
		e.t.Fatalf("dispatch: %v", err)
	}
	return out
}

func (e *env) drain() notify.DrainStats {
	e.t.Helper()
	st, err := e.sender.Drain(context.Background())
	if err != nil {
		e.t.Fatalf("drain: %v", err)
	}
	return st
}

func byRecipient(msgs []smtptest.Received) map[string][]smtptest.Received {
	out := map[string][]smtptest.Received{}
	for _, m := range msgs {
		for _, to := range m.To {
			out[to] = append(out[to], m)
		}
	}
	return out
}

func TestDigestsOverSMTP(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.Load(ctx, province()); err != nil {
			t.Fatal(err)
		}
		srv := smtptest.Start(t)
		e := newEnv(t, s, srv)
		// Each job run mails each committee concerned once: deadlines first.
		e.run(finding.JobDeadlines)
		if st := e.drain(); st.Sent != 4 || st.Failed != 0 {
			t.Fatalf("drain = %+v, want 4 sent (D1, D2 ×2, province)", st)
		}
		got := byRecipient(srv.Messages())
		want := map[string]string{
			"binhson@quangngai.gov.vn":     "[CHUYENHOA] Ban Chỉ đạo 138 huyện Bình Sơn: 1 sắp đến hạn (01/03/2026)",
			"bato@quangngai.gov.vn":        "[CHUYENHOA] Ban Chỉ đạo 138 huyện Ba Tơ: 1 quá hạn (01/03/2026)",
			"bato.pho@quangngai.gov.vn":    "[CHUYENHOA] Ban Chỉ đạo 138 huyện Ba Tơ: 1 quá hạn (01/03/2026)",
			"tinh@congan.quangngai.gov.vn": "[CHUYENHOA] Ban Chỉ đạo 138 tỉnh: 1 nghĩa vụ quá hạn chuyển tỉnh (01/03/2026)",
		}
		checkSubjects(t, got, want, 0)
		// Each district reads only its own communes.
		d2 := got["bato@quangngai.gov.vn"][0]
		for _, part := range []string{d2.Text, d2.HTML} {
			mustContain(t, "D2 mail", part, "Báo cáo tổng kết năm", "20/12/2025", "trễ 71 ngày", "Ban Chỉ đạo 138 tỉnh")
			mustNotContain(t, "D2 mail", part, "Bình Sơn", "Bình Châu", "Bình Thạnh", "(A)", "(B)")
		}
		// The two addresses of D2 got the same mail, one Message-ID.
		if d2.MessageID != got["bato.pho@quangngai.gov.vn"][0].MessageID {
			t.Error("the two D2 addresses got different Message-IDs")
		}

		// Then the relapse check: D1 and the province hear of Xã Bình Châu.
		e.run(finding.JobRelapse)
		if st := e.drain(); st.Sent != 2 {
			t.Fatalf("relapse drain = %+v, want 2 sent (D1, province)", st)
		}
		got = byRecipient(srv.Messages())
		checkSubjects(t, got, map[string]string{
			"binhson@quangngai.gov.vn":     "[CHUYENHOA] Ban Chỉ đạo 138 huyện Bình Sơn: 1 sắp đến hạn, 1 phức tạp trở lại (01/03/2026)",
			"tinh@congan.quangngai.gov.vn": "[CHUYENHOA] Ban Chỉ đạo 138 tỉnh: 1 nghĩa vụ quá hạn chuyển tỉnh, 1 phức tạp trở lại (01/03/2026)",
		}, 1)
		d1 := got["binhson@quangngai.gov.vn"][1]
		for _, part := range []string{d1.Text, d1.HTML} {
			mustContain(t, "D1 mail", part, "Xã Bình Châu (A)", "Phức tạp trở lại", "10 vụ phạm tội xâm phạm TTXH", "BQ tỉnh 3,0", "BQ huyện 5,0")
			mustNotContain(t, "D1 mail", part, "Ba Tơ", "Ba Vì", "(C)", "(D)")
		}
		// The province sees the escalation, the relapse and the targets.
		p := got["tinh@congan.quangngai.gov.vn"][1]
		mustContain(t, "province mail", p.Text, "Ban Chỉ đạo 138 huyện Ba Tơ", "Năm 2024", "Xã Bình Châu (A)", "TIẾN ĐỘ CHỈ TIÊU")

		// The year-of-work check: no case statistics, so nobody is at risk,
		// but the only transformed area relapsed: 0 of 1 stable < 85%, and
		// the province hears of the projection.
		e.run(finding.JobCycle)
		if st := e.drain(); st.Sent != 1 {
			t.Fatalf("cycle drain = %+v, want 1 sent (province)", st)
		}
		p = byRecipient(srv.Messages())["tinh@congan.quangngai.gov.vn"][2]
		if !strings.Contains(p.Subject, "1 dự báo không đạt chỉ tiêu") {
			t.Errorf("projection subject = %q", p.Subject)
		}
		mustContain(t, "projection mail", p.Text, "DỰ BÁO KHÔNG ĐẠT CHỈ TIÊU", "0/1 địa bàn đã chuyển hóa không phức tạp trở lại (0,0%); 1 phức tạp trở lại", "tức 1/1 địa bàn")

		// Running again the same day and after a restart adds nothing.
		e.run(finding.RecomputeJobs()...)
		e.restart()
		e.run(finding.RecomputeJobs()...)
		if st := e.drain(); st.Sent != 0 {
			t.Errorf("second and third runs sent %d mails, want 0", st.Sent)
		}
		if n := len(srv.Messages()); n != 7 {
			t.Errorf("server holds %d mails after reruns, want 7", n)
		}

		// D2 sends its yearly report: next day it hears once that the item
		// closed (late), then nothing more.
		err := s.Load(ctx, &store.Dataset{Submissions: []store.SubmissionRow{
			{District: "D2", Obligation: "report_year", Period: "2025", SubmittedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}}})
		if err != nil {
			t.Fatal(err)
		}
		e.advance(24 * time.Hour)
		e.run(finding.JobDeadlines)
		e.drain()
		got = byRecipient(srv.Messages())
		if n := len(got["bato@quangngai.gov.vn"]); n != 2 {
			t.Fatalf("D2 got %d mails, want 2 (alert, then resolved)", n)
		}
		res := got["bato@quangngai.gov.vn"][1]
		mustContain(t, "resolved mail", res.Text, "ĐÃ KHẮC PHỤC", "Đã nộp muộn", "Đã nhận ngày 01/03/2026, muộn 71 ngày")
		if !strings.Contains(res.Subject, "1 đã khắc phục") {
			t.Errorf("resolved subject = %q", res.Subject)
		}
		if n := len(got["tinh@congan.quangngai.gov.vn"]); n != 4 {
			t.Errorf("province got %d mails, want 4 (escalation, relapse, projection, then resolved)", n)
		}
		// A day later D1's plan falls due (news for D1); D2 and the province
		// have nothing new and hear nothing.
		before := byRecipient(srv.Messages())
		e.advance(24 * time.Hour)
		e.run(finding.JobDeadlines)
		e.drain()
		after := byRecipient(srv.Messages())
		for _, to := range []string{"bato@quangngai.gov.vn", "tinh@congan.quangngai.gov.vn"} {
			if len(after[to]) != len(before[to]) {
				t.Errorf("%s got %d mails a day later, want none", to, len(after[to])-len(before[to]))
			}
		}
		if d1 := after["binhson@quangngai.gov.vn"]; len(d1) != len(before["binhson@quangngai.gov.vn"])+1 || !strings.Contains(d1[len(d1)-1].Subject, "1 đến hạn") {
			t.Errorf("D1 did not get one mail for its plan falling due")
		}

		// 10/03: D1's plan is overdue (a state change: news). The province
		// has nothing new, but its open relapse was last mailed on 02/03,
		// more than the repeat interval (168 h) ago: it gets a reminder.
		before = byRecipient(srv.Messages())
		e.advance(7 * 24 * time.Hour)
		e.run(finding.JobDeadlines)
		e.drain()
		after = byRecipient(srv.Messages())
		d1m := after["binhson@quangngai.gov.vn"]
		if len(d1m) != len(before["binhson@quangngai.gov.vn"])+1 || !strings.Contains(d1m[len(d1m)-1].Subject, "1 quá hạn") {
			t.Errorf("D1 did not get one mail for its overdue plan")
		}
		prov := after["tinh@congan.quangngai.gov.vn"]
		if len(prov) != len(before["tinh@congan.quangngai.gov.vn"])+1 {
			t.Fatalf("province got %d mails on 10/03, want 1 reminder", len(prov)-len(before["tinh@congan.quangngai.gov.vn"]))
		}
		mustContain(t, "province reminder", prov[len(prov)-1].Text, "Nhắc lại", "Xã Bình Châu (A)")
		mustNotContain(t, "province reminder", prov[len(prov)-1].Text, "[MỚI]")
		// And not again the next day.
		before = after
		e.advance(24 * time.Hour)
		e.run(finding.JobDeadlines)
		e.drain()
		if n := len(byRecipient(srv.Messages())["tinh@congan.quangngai.gov.vn"]); n != len(prov) {
			t.Errorf("province got another reminder the next day")
		}
	})
}

func TestDeliveryFaults(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.Load(ctx, province()); err != nil {
			t.Fatal(err)
		}
		srv := smtptest.Start(t)
		e := newEnv(t, s, srv)

		// A 5xx for one address does not block the others and shows failed.
		srv.RejectRcpt("bato.pho@quangngai.gov.vn", 550)
		// SMTP down: everything waits, nothing is lost.
		srv.Stop()
		e.run(finding.JobDeadlines)
		st, err := e.sender.Drain(ctx)
		if err == nil || st.Retried != 4 || st.Sent != 0 {
			t.Fatalf("drain with server down = %+v, %v; want 4 deferred and an error", st, err)
		}
		pending, err := s.Outbox(ctx, 0, store.OutboxPending)
		if err != nil || len(pending) != 4 {
			t.Fatalf("pending = %d (%v), want 4", len(pending), err)
		}
		// Before the backoff expires nothing is retried.
		if st := e.drain(); st.Sent+st.Retried+st.Failed != 0 {
			t.Errorf("drain inside backoff = %+v, want nothing", st)
		}
		srv.Restart(t)
		e.advance(time.Minute)
		st = e.drain()
		if st.Sent != 3 || st.Failed != 1 {
			t.Fatalf("drain after restart = %+v, want 3 sent, 1 failed", st)
		}
		failed, err := s.Outbox(ctx, 0, store.OutboxFailed)
		if err != nil || len(failed) != 1 || failed[0].Recipient != "bato.pho@quangngai.gov.vn" || !strings.Contains(failed[0].LastError, "550") {
			t.Fatalf("failed = %+v (%v), want bato.pho with the 550 reply", failed, err)
		}
		// Queue order is kept: mail arrives in the order it was composed.
		var ids []string
		for _, m := range srv.Messages() {
			ids = append(ids, m.To[0])
		}
		sent, _ := s.Outbox(ctx, 0, store.OutboxSent)
		for i, m := range sent {
			if i >= len(ids) || ids[i] != m.Recipient {
				t.Fatalf("arrival order %v differs from queue order", ids)
			}
		}

		// Crash after the server accepted but before the mark: the message
		// is sent again after the lease, under the same Message-ID, once.
		e.advance(8 * 24 * time.Hour) // past the repeat interval: new digests
		e.run(finding.JobDeadlines)
		claimed, err := s.ClaimOutbox(ctx, e.clock(), 2*time.Minute, 1)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim = %d, %v", len(claimed), err)
		}
		tr, _ := notify.NewTransport(e.cfg.Mail)
		b, err := tr.Open(ctx)
		if err != nil {
			t.Fatal(err)
		}
		m := claimed[0]
		if err := b.Send(ctx, notify.Message{ID: m.MessageID, From: m.Sender, To: []string{m.Recipient}, Subject: m.Subject, Text: m.Text, HTML: m.HTML, Date: m.CreatedAt, Headers: m.Headers}, nil); err != nil {
			t.Fatal(err)
		}
		b.Close()
		// "Restart": the lease of the dead sender has not run out yet, so
		// the in-flight message waits; the others go.
		e.restart()
		e.drain()
		e.advance(3 * time.Minute)
		e.drain()
		e.drain()
		count := 0
		for _, r := range srv.Messages() {
			if r.MessageID == m.MessageID && r.To[0] == m.Recipient {
				count++
			}
		}
		if count != 2 {
			t.Errorf("in-flight message delivered %d times, want exactly 2 (once more after the crash)", count)
		}
		if left, _ := s.Outbox(ctx, 0, store.OutboxPending, store.OutboxSending); len(left) != 0 {
			t.Errorf("%d messages left undelivered", len(left))
		}
	})
}

// checkSubjects asserts that each recipient's i-th mail has its subject,
// that it has text and HTML parts, and that nobody else got mail.
func checkSubjects(t *testing.T, got map[string][]smtptest.Received, want map[string]string, i int) {
	t.Helper()
	for to, subj := range want {
		ms := got[to]
		if len(ms) != i+1 {
			t.Errorf("%s got %d mails, want %d", to, len(ms), i+1)
			continue
		}
		m := ms[i]
		if m.Subject != subj {
			t.Errorf("%s subject = %q, want %q", to, m.Subject, subj)
		}
		if m.Text == "" || !strings.Contains(m.HTML, `lang="vi"`) {
			t.Errorf("%s: want both text and HTML parts", to)
		}
	}
	if i == 0 && len(got) != len(want) {
		t.Errorf("recipients = %v, want %d", keys(got), len(want))
	}
}

func keys(m map[string][]smtptest.Received) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func mustContain(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s lacks %q:\n%s", what, sub, s)
		}
	}
}

func mustNotContain(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			t.Errorf("%s leaks %q", what, sub)
		}
	}
}
