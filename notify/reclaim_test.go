package notify_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/notify"
	"chuyenhoa/notify/smtptest"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// senderOn is a sender to srv with a fixed clock at now.
func senderOn(t *testing.T, s *store.Store, srv *smtptest.Server, now time.Time) *notify.Sender {
	t.Helper()
	var mc config.Mail
	mc.Transport, mc.From = config.TransportSMTP, "bcd138@localhost"
	mc.SMTP.Host, mc.SMTP.Port, mc.SMTP.TLS, mc.SMTP.Auth = srv.Host(), srv.Port(), config.TLSNone, config.AuthNone
	mc.SMTP.Timeout = config.Duration{Duration: 5 * time.Second}
	tr, err := notify.NewTransport(mc)
	if err != nil {
		t.Fatal(err)
	}
	return &notify.Sender{Store: s, Transport: tr, Now: func() time.Time { return now }}
}

func enqueue(t *testing.T, s *store.Store, now time.Time, n int) {
	t.Helper()
	ctx := context.Background()
	err := s.InTx(ctx, func(tx *store.Tx) error {
		for i := range n {
			to := fmt.Sprintf("d%d@quangngai.gov.vn", i%2)
			if err := tx.Enqueue(ctx, store.OutboxMessage{MessageID: fmt.Sprintf("m%d@chuyenhoa.test", i), Committee: "D01", Recipient: to,
				Sender: "bcd138@localhost", Subject: "[CHUYENHOA] thư", Text: "thư", Headers: map[string]string{}, CreatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A sender that is the only one (Exclusive, SQLite mode) sends at once
// what a dead sender left claimed; without Exclusive (PostgreSQL
// replicas) those messages wait for the dead sender's lease.
func TestExclusiveSenderReclaimsADeadSendersLease(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		srv := smtptest.Start(t)
		now := time.Date(2026, 11, 25, 7, 0, 0, 0, time.UTC)
		enqueue(t, s, now, 4)
		// The dead sender: it claimed everything and sent nothing.
		if got, err := s.ClaimOutbox(ctx, now, 2*time.Minute, 50); err != nil || len(got) != 4 {
			t.Fatalf("claim: %d, %v", len(got), err)
		}

		// A replica (no Exclusive) keeps the lease rule.
		if st, err := senderOn(t, s, srv, now.Add(time.Second)).Drain(ctx); err != nil || st.Sent != 0 {
			t.Fatalf("a sender without Exclusive inside the lease: %+v, %v; want nothing sent", st, err)
		}

		snd := senderOn(t, s, srv, now.Add(time.Second))
		var held, released int
		var mu sync.Mutex
		snd.Exclusive = func(context.Context) (func(), error) {
			mu.Lock()
			held++
			mu.Unlock()
			return func() { mu.Lock(); released++; mu.Unlock() }, nil
		}
		st, err := snd.Drain(ctx)
		if err != nil || st.Sent != 4 {
			t.Fatalf("the only sender, one second after the claim: %+v, %v; want all 4 sent at once", st, err)
		}
		if held != 1 || released != 1 {
			t.Errorf("Exclusive taken %d times, released %d; want once each", held, released)
		}
		counts, err := s.OutboxCounts(ctx)
		if err != nil || counts[store.OutboxSent] != 4 {
			t.Errorf("outbox after the drain: %v, %v", counts, err)
		}
		for _, m := range srv.Messages() {
			t.Logf("delivered %s to %s", m.MessageID, m.To[0])
		}
		if n := len(srv.Messages()); n != 4 {
			t.Errorf("%d messages delivered, want 4", n)
		}
	})
}

// A drain stopped in the middle of a batch puts the untried rest back at
// once instead of leaving them leased.
func TestStoppedDrainReleasesTheRest(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		srv := smtptest.Start(t)
		now := time.Date(2026, 11, 25, 7, 0, 0, 0, time.UTC)
		enqueue(t, s, now, 4)
		ctx, cancel := context.WithCancel(context.Background())
		snd := senderOn(t, s, srv, now)
		// Stop once the first is recorded: its mark overlaps the second's
		// transfer, so by then the second is accepted too (and recorded
		// before Drain returns).
		snd.Observe = func(outcome string) { cancel() }
		st, err := snd.Drain(ctx)
		if err == nil || st.Sent != 2 {
			t.Fatalf("stopped drain: %+v, %v; want 2 sent and the cancellation", st, err)
		}
		counts, err := s.OutboxCounts(context.Background())
		if err != nil || counts[store.OutboxSending] != 0 || counts[store.OutboxPending] != 2 || counts[store.OutboxSent] != 2 {
			t.Fatalf("after the stop the outbox holds %v, %v; want 2 sent, 2 pending, none leased", counts, err)
		}
		if st, err := senderOn(t, s, srv, now.Add(time.Second)).Drain(context.Background()); err != nil || st.Sent != 2 {
			t.Errorf("the next drain a second later: %+v, %v; want the other 2", st, err)
		}
	})
}

// The crash bound: a message is accepted only once every message the
// server accepted before it is marked sent, so at any moment at most one
// accepted message is unrecorded (the one a crash repeats, under its
// Message-ID; e2e's kill tests show the repeat). Each mark is held up in
// the database (a transaction locks the row while the server accepts the
// message), so a sender that did not wait for the mark before ending the
// next message's DATA would let the server accept that one first.
func TestAcceptedMailIsMarkedBeforeTheNextIsAccepted(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		srv := smtptest.Start(t)
		now := time.Date(2026, 11, 25, 7, 0, 0, 0, time.UTC)
		const n = 5
		enqueue(t, s, now, n)
		var unmarked []int
		var accepted int
		var holders sync.WaitGroup
		srv.OnMessage(func(r smtptest.Received) {
			// The server holds message accepted+1: count what it accepted
			// before and the store has not marked.
			counts, err := s.OutboxCounts(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			unmarked = append(unmarked, accepted-counts[store.OutboxSent])
			accepted++
			// Hold this message's mark up for a while: lock its row
			// before the server answers (on SQLite, the write lock).
			locked := make(chan struct{})
			holders.Go(func() {
				err := s.InTx(context.Background(), func(tx *store.Tx) error {
					if _, err := tx.Sqlx().ExecContext(context.Background(),
						tx.Rebind(`UPDATE outbox SET last_error = last_error WHERE message_id = ?`), r.MessageID); err != nil {
						return err
					}
					close(locked)
					time.Sleep(300 * time.Millisecond)
					return nil
				})
				if err != nil {
					t.Errorf("hold the mark of %s: %v", r.MessageID, err)
					close(locked)
				}
			})
			<-locked
		})
		st, err := senderOn(t, s, srv, now).Drain(context.Background())
		holders.Wait()
		if err != nil || st.Sent != n {
			t.Fatalf("drain = %+v, %v", st, err)
		}
		if want := make([]int, n); !slices.Equal(unmarked, want) {
			t.Errorf("accepted but unmarked as the server took each message: %v, want %v (all before it marked)", unmarked, want)
		}
		if counts, err := s.OutboxCounts(context.Background()); err != nil || counts[store.OutboxSent] != n {
			t.Errorf("after the drain: %v, %v; want all %d marked sent", counts, err, n)
		}
	})
}

// A mark that fails stops the drain: the next message, already on its way,
// is abandoned before the end of its DATA, nothing more goes out, and the
// message whose mark failed is the only one a later drain repeats (under
// the same Message-ID).
func TestFailedMarkStopsTheDrain(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		srv := smtptest.Start(t)
		now := time.Date(2026, 11, 25, 7, 0, 0, 0, time.UTC)
		enqueue(t, s, now, 4)
		// The database refuses to mark m1 sent.
		when := fmt.Sprintf("NEW.status = '%s' AND NEW.message_id = 'm1@chuyenhoa.test'", store.OutboxSent)
		ddl := []string{`CREATE TRIGGER mark_fails BEFORE UPDATE OF status ON outbox WHEN ` + when +
			` BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`}
		if s.Dialect() == store.Postgres {
			ddl = []string{`CREATE FUNCTION mark_fails() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk on fire'; END $$`,
				`CREATE TRIGGER mark_fails BEFORE UPDATE OF status ON outbox FOR EACH ROW WHEN (` + when + `) EXECUTE FUNCTION mark_fails()`}
		}
		for _, q := range ddl {
			if _, err := s.DB().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		st, err := senderOn(t, s, srv, now).Drain(ctx)
		t.Logf("drain: %v", err)
		if err == nil || !strings.Contains(err.Error(), "disk on fire") || !strings.Contains(err.Error(), "m1@chuyenhoa.test") || st.Sent != 1 {
			t.Fatalf("drain = %+v, %v; want 1 sent and the failed mark of m1", st, err)
		}
		var got []string
		for _, m := range srv.Messages() {
			got = append(got, m.MessageID)
		}
		if want := []string{"m0@chuyenhoa.test", "m1@chuyenhoa.test"}; !slices.Equal(got, want) {
			t.Fatalf("the server accepted %v, want %v (m2 abandoned before the end of DATA)", got, want)
		}
		counts, err := s.OutboxCounts(ctx)
		if err != nil || counts[store.OutboxSent] != 1 {
			t.Fatalf("after the failed mark: %v, %v; want only m0 sent", counts, err)
		}

		drop := `DROP TRIGGER mark_fails`
		if s.Dialect() == store.Postgres {
			drop += ` ON outbox`
		}
		if _, err := s.DB().ExecContext(ctx, drop); err != nil {
			t.Fatal(err)
		}
		// After the lease, a drain sends the rest; m1 goes again.
		if st, err := senderOn(t, s, srv, now.Add(3*time.Minute)).Drain(ctx); err != nil || st.Sent != 3 {
			t.Fatalf("the drain after the lease: %+v, %v; want m1, m2, m3 sent", st, err)
		}
		times := map[string]int{}
		for _, m := range srv.Messages() {
			times[m.MessageID]++
		}
		want := map[string]int{"m0@chuyenhoa.test": 1, "m1@chuyenhoa.test": 2, "m2@chuyenhoa.test": 1, "m3@chuyenhoa.test": 1}
		if !maps.Equal(times, want) {
			t.Errorf("deliveries by Message-ID: %v, want %v (only m1, whose mark failed, twice)", times, want)
		}
	})
}
