package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/notify"
	"chuyenhoa/notify/smtptest"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// The outbox decides what a digest counts for. A cancelled digest is as if
// never composed: its news goes into the committee's next digest. A
// refused one (5xx) counts as composed — it is not composed again every
// day for a server that refuses it — but not as received: the next digest
// the committee gets marks new everything it never received.
func TestCancelledAndRefusedDigests(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.Load(ctx, province()); err != nil {
			t.Fatal(err)
		}
		srv := smtptest.Start(t)
		e := newEnv(t, s, srv)
		srv.RejectRcpt("binhson@quangngai.gov.vn", 550)

		// 01/03: D1 (plan upcoming, A relapsed) is refused; D2's digest is
		// cancelled before it goes.
		e.run(finding.JobDeadlines, finding.JobRelapse)
		got, err := s.CancelOutbox(ctx, store.OutboxSelection{AllOf: true, Committee: "D2"}, "thử hủy", e.clock())
		if err != nil || len(got) != 2 {
			t.Fatalf("cancel D2: %d, %v", len(got), err)
		}
		if st := e.drain(); st.Failed != 1 || st.Sent != 1 {
			t.Fatalf("01/03 drain = %+v, want D1 refused and the province sent", st)
		}
		// 02/03: nothing changed. D2 gets the digest it never had; D1 is
		// not mailed again.
		e.advance(24 * time.Hour)
		e.run(finding.JobDeadlines)
		e.drain()
		mails := byRecipient(srv.Messages())
		if n := len(mails["bato@quangngai.gov.vn"]); n != 1 {
			t.Fatalf("D2 got %d mails by 02/03, want the one its cancelled digest held", n)
		}
		mustContain(t, "D2 on 02/03", mails["bato@quangngai.gov.vn"][0].Text, "[MỚI] Báo cáo tổng kết năm, kỳ 2025", "tính đến ngày 02/03/2026")
		if failed, _ := s.Outbox(ctx, 0, store.OutboxFailed); len(failed) != 1 {
			t.Errorf("D1 was mailed again on 02/03: %d refused messages", len(failed))
		}
		// 03/03: the server takes D1's mail again and its plan falls due:
		// the relapse, unchanged but never received, is marked new too.
		srv.RejectRcpt("binhson@quangngai.gov.vn", 0)
		e.advance(24 * time.Hour)
		e.run(finding.JobDeadlines)
		e.drain()
		d1 := byRecipient(srv.Messages())["binhson@quangngai.gov.vn"]
		if len(d1) != 1 {
			t.Fatalf("D1 received %d mails, want its digest of 03/03", len(d1))
		}
		mustContain(t, "D1 on 03/03", d1[0].Text, "[MỚI] Kế hoạch chuyển hóa địa bàn", "[MỚI] Xã Bình Châu (A)", "Đến hạn")
		// 04/03: D1 has it all; nothing new for anyone.
		before := len(srv.Messages())
		e.advance(24 * time.Hour)
		e.run(finding.JobDeadlines)
		e.drain()
		if n := len(srv.Messages()) - before; n != 0 {
			t.Errorf("%d mails on 04/03, want none", n)
		}
	})
}

// The dispatcher records its round in job_runs under the digest time, and
// a committee gets one digest per digest time however often the round
// runs; the next digest time is a new round.
func TestOneDigestPerDigestTime(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.Load(ctx, province()); err != nil {
			t.Fatal(err)
		}
		srv := smtptest.Start(t)
		e := newEnv(t, s, srv)
		e.cfg.Mail.DigestTimes = []string{"08:00", "16:00"}
		slots := notify.SlotsOf(e.cfg)
		today := day(2026, 3, 1)
		dispatch := func() notify.Composed {
			t.Helper()
			out, err := e.comp.Dispatch(ctx, slots.Latest(e.clock()))
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		if _, err := e.runner.Run(ctx, finding.JobDeadlines, today); err != nil {
			t.Fatal(err)
		}
		out := dispatch() // 08:00
		if out.Slot != "2026-03-01T08:00" || out.Digests != 3 || out.Messages != 4 {
			t.Fatalf("08:00 round = %+v, want 3 digests (D1, D2, province), 4 messages", out)
		}
		if r, ok, err := s.RunOf(ctx, finding.JobDigest, "2026-03-01T08:00"); err != nil || !ok || r.Status != store.RunOK || r.RunID != out.RunID {
			t.Errorf("job_runs of the round: %+v, %v, %v", r, ok, err)
		}
		// Relapse at 10:00 is news for D1 and the province; the round runs
		// again at 10:00 for the 08:00 digest time: nobody gets a second.
		e.advance(2 * time.Hour)
		if _, err := e.runner.Run(ctx, finding.JobRelapse, today); err != nil {
			t.Fatal(err)
		}
		if out := dispatch(); out.Slot != "2026-03-01T08:00" || out.Digests != 0 {
			t.Errorf("second 08:00 round = %+v, want nothing", out)
		}
		// 16:00 is the next digest time: the relapse goes out.
		e.advance(6 * time.Hour)
		out = dispatch()
		if out.Slot != "2026-03-01T16:00" || out.Digests != 2 {
			t.Errorf("16:00 round = %+v, want D1 and the province", out)
		}
		e.drain()
		for to, ms := range byRecipient(srv.Messages()) {
			if strings.HasPrefix(to, "bato") && len(ms) != 1 || !strings.HasPrefix(to, "bato") && len(ms) != 2 {
				t.Errorf("%s got %d mails", to, len(ms))
			}
		}
		// A round before the first digest time belongs to yesterday's last.
		e.now = time.Date(2026, 3, 2, 0, 30, 0, 0, time.UTC) // 07:30
		if got := slots.Key(slots.Latest(e.clock())); got != "2026-03-01T16:00" {
			t.Errorf("at 07:30 the digest time is %s, want yesterday's 16:00", got)
		}
		if got := slots.Key(slots.Next(e.clock())); got != "2026-03-02T08:00" {
			t.Errorf("at 07:30 the next digest time is %s, want 08:00", got)
		}
	})
}
