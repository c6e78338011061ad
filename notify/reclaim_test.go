package notify_test

import (
	"context"
	"fmt"
	"slices"
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
		snd.MarkEvery = 1                               // each recorded as it is accepted
		snd.Observe = func(outcome string) { cancel() } // stop once the first is recorded
		st, err := snd.Drain(ctx)
		if err == nil || st.Sent != 1 {
			t.Fatalf("stopped drain: %+v, %v; want 1 sent and the cancellation", st, err)
		}
		counts, err := s.OutboxCounts(context.Background())
		if err != nil || counts[store.OutboxSending] != 0 || counts[store.OutboxPending] != 3 {
			t.Fatalf("after the stop the outbox holds %v, %v; want 3 pending, none leased", counts, err)
		}
		if st, err := senderOn(t, s, srv, now.Add(time.Second)).Drain(context.Background()); err != nil || st.Sent != 3 {
			t.Errorf("the next drain a second later: %+v, %v; want the other 3", st, err)
		}
	})
}

// The crash bound: the sender marks what the server accepted every
// MarkEvery messages, so at any moment at most MarkEvery messages are
// accepted and not yet marked (the most a crash repeats, each under its
// own Message-ID; e2e's kill tests show the repeat).
func TestAcceptedMailIsMarkedEveryMarkEvery(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		srv := smtptest.Start(t)
		now := time.Date(2026, 11, 25, 7, 0, 0, 0, time.UTC)
		enqueue(t, s, now, 7)
		const every = 3
		var unmarked []int
		var accepted int
		srv.OnMessage(func(smtptest.Received) {
			// The server holds message accepted+1: count what it accepted
			// before and the store has not marked.
			counts, err := s.OutboxCounts(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			unmarked = append(unmarked, accepted-counts[store.OutboxSent])
			accepted++
		})
		snd := senderOn(t, s, srv, now)
		snd.MarkEvery = every
		st, err := snd.Drain(context.Background())
		if err != nil || st.Sent != 7 {
			t.Fatalf("drain = %+v, %v", st, err)
		}
		// Before each message: 0, 1, 2 unmarked, then marked (0), 1, 2, 0.
		want := []int{0, 1, 2, 0, 1, 2, 0}
		if !slices.Equal(unmarked, want) {
			t.Errorf("accepted but unmarked before each message: %v, want %v (never more than %d)", unmarked, want, every-1)
		}
		if counts, err := s.OutboxCounts(context.Background()); err != nil || counts[store.OutboxSent] != 7 {
			t.Errorf("after the drain: %v, %v; want all 7 marked sent", counts, err)
		}
	})
}
