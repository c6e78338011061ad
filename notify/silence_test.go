package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/notify/smtptest"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// A silence is stored, so it holds across restarts: added on 01/03 for
// D1's report obligations until 08/03, the process restarts (the database
// reopened); on 03/03 D1's plan falls due — a change the alert goes
// through, and no mail. Restarted again, someone expires the silence on
// 04/03; D1's next digest, on 05/03, has the plan back as news, due, and
// says the silence ended, by whom and why. The province's mail is not
// touched by it.
func TestSilenceHoldsAcrossRestarts(t *testing.T) {
	for name, url := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite:" + t.TempDir() + "/t.db" },
		"postgres": storetest.PostgresURL,
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			u := url(t)
			srv := smtptest.Start(t)
			// start opens the database as a new process does, with the
			// clock at 08:00 (01:00 UTC) of day d of March 2026.
			start := func(d int) *env {
				s, err := store.Open(ctx, u)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				if err := s.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				e := newEnv(t, s, srv)
				e.now = time.Date(2026, 3, d, 1, 0, 0, 0, time.UTC)
				return e
			}
			e := start(1)
			if err := e.s.Load(ctx, province()); err != nil {
				t.Fatal(err)
			}
			e.run(finding.JobDeadlines)
			e.drain()
			d1 := func() []smtptest.Received { return byRecipient(srv.Messages())["binhson@quangngai.gov.vn"] }
			if n := len(d1()); n != 1 {
				t.Fatalf("D1 got %d mails on 01/03, want its digest", n)
			}
			d1com, kind := "D1", finding.AlertDeadline
			id, err := e.s.AddSilence(ctx, store.Silence{Matchers: store.Matchers{Committee: &d1com, Kind: &kind},
				StartsAt: e.clock(), EndsAt: e.clock().Add(7 * 24 * time.Hour), CreatedBy: "Nguyễn Văn A", Reason: "huyện xin gia hạn kế hoạch"})
			if err != nil {
				t.Fatal(err)
			}
			e.s.Close()

			e = start(3)
			e.run(finding.JobDeadlines)
			e.drain()
			if n := len(d1()); n != 1 {
				t.Errorf("silenced D1 got %d mails by 03/03, want still 1", n)
			}
			open, err := e.s.OpenAlerts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range open {
				if a.Committee == "D1" && a.Kind == finding.AlertDeadline && a.State != "due" {
					t.Errorf("the silenced alert %s is %s on 03/03, want due: a silence keeps the life cycle", a.Key, a.State)
				}
			}
			e.s.Close()

			e = start(4)
			if _, err := e.s.ExpireSilence(ctx, id, e.clock().Add(2*time.Hour)); err != nil {
				t.Fatal(err)
			}
			e.s.Close()

			e = start(5)
			e.run(finding.JobDeadlines)
			e.drain()
			ms := d1()
			if len(ms) != 2 {
				t.Fatalf("D1 got %d mails by 05/03, want 2: the silence's end brings its plan back", len(ms))
			}
			m := ms[1]
			if !strings.Contains(m.Subject, "1 đến hạn") {
				t.Errorf("D1's digest after the silence: subject %q", m.Subject)
			}
			for _, part := range []string{m.Text, m.HTML} {
				mustContain(t, "D1 after the silence", part, "MỚI", "Đến hạn", "Tạm ngừng thông báo số 1", "Nguyễn Văn A", "huyện xin gia hạn kế hoạch",
					"được dỡ bỏ lúc 04/03/2026 10:00", "1 mục trở lại")
			}
			mustContain(t, "D1 after the silence", m.Text, "TẠM NGỪNG THÔNG BÁO ĐÃ KẾT THÚC")
			if strings.Contains(m.Text, "[MỚI]") && !strings.Contains(m.Text, "[MỚI] Kế hoạch") {
				t.Errorf("what is new in D1's digest is not the plan:\n%s", m.Text)
			}
			// The province heard of D2's escalation once, on 01/03.
			if n := len(byRecipient(srv.Messages())["tinh@congan.quangngai.gov.vn"]); n != 1 {
				t.Errorf("province got %d mails, want 1", n)
			}
		})
	}
}
