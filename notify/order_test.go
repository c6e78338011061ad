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

// A backlog goes out in each recipient's queue order, once, even when it
// spans several batches (the first batch fails and backs off while the
// next ones are still due) and when one message of a recipient is
// deferred in the middle of a batch. Before the order fence, a's mail
// arrived as a2, a3, a1 in both cases.
func TestBacklogKeepsEachRecipientsOrder(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		srv := smtptest.Start(t)
		var mu sync.Mutex
		now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
		var mc config.Mail
		mc.Transport, mc.From = config.TransportSMTP, "bcd138@localhost"
		mc.SMTP.Host, mc.SMTP.Port, mc.SMTP.TLS, mc.SMTP.Auth = srv.Host(), srv.Port(), config.TLSNone, config.AuthNone
		mc.SMTP.Timeout = config.Duration{Duration: 5 * time.Second}
		tr, err := notify.NewTransport(mc)
		if err != nil {
			t.Fatal(err)
		}
		// Two messages a batch: the backlog needs three connections.
		snd := &notify.Sender{Store: s, Transport: tr, Now: clock, Batch: 2}

		queue := func(round int) []string {
			var ids []string
			err := s.InTx(ctx, func(tx *store.Tx) error {
				for _, m := range []struct{ id, to string }{{"a1", "a"}, {"b1", "b"}, {"a2", "a"}, {"a3", "a"}, {"b2", "b"}} {
					id := fmt.Sprintf("%s.r%d@chuyenhoa.test", m.id, round)
					ids = append(ids, id)
					if err := tx.Enqueue(ctx, store.OutboxMessage{MessageID: id, Committee: m.to, Recipient: m.to + "@quangngai.gov.vn",
						Sender: "bcd138@localhost", Subject: "[CHUYENHOA] " + m.id, Text: "thư " + m.id, HTML: "<p>" + m.id + "</p>",
						Headers: map[string]string{}, CreatedAt: clock()}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return ids
		}
		// order lists, per recipient, the Message-IDs received from index
		// from on.
		order := func(from int) map[string][]string {
			out := map[string][]string{}
			for _, m := range srv.Messages()[from:] {
				out[m.To[0]] = append(out[m.To[0]], m.MessageID)
			}
			return out
		}
		want := func(ids []string) map[string][]string {
			return map[string][]string{
				"a@quangngai.gov.vn": {ids[0], ids[2], ids[3]},
				"b@quangngai.gov.vn": {ids[1], ids[4]},
			}
		}

		// 1. The server is down: the first batch fails and backs off.
		ids := queue(1)
		srv.Stop()
		if st, err := snd.Drain(ctx); err == nil || st.Retried != 2 {
			t.Fatalf("drain with the server down = %+v, %v; want the first batch deferred and an error", st, err)
		}
		srv.Restart(t)
		// The server is back but a1 and b1 wait for their retry: their
		// followers must not overtake them.
		if st, err := snd.Drain(ctx); err != nil || st.Sent != 0 {
			t.Fatalf("drain inside the backoff = %+v, %v; want nothing sent (a2 would overtake a1)", st, err)
		}
		advance(time.Minute)
		if st, err := snd.Drain(ctx); err != nil || st.Sent != 5 {
			t.Fatalf("drain after the backoff = %+v, %v; want all 5 sent", st, err)
		}
		if got := order(0); !mapsEqual(got, want(ids)) {
			t.Errorf("after the outage each recipient got %v, want %v", got, want(ids))
		}

		// 2. One message is deferred (451) in the middle of a batch: that
		// recipient's later messages in the batch wait for it.
		before := len(srv.Messages())
		ids = queue(2)
		snd.Batch = 10
		srv.FailData(451, 1)
		if st, err := snd.Drain(ctx); err != nil || st.Retried != 1 || st.Sent != 2 {
			t.Fatalf("drain with a1 deferred = %+v, %v; want 1 deferred, b1 and b2 sent", st, err)
		}
		advance(time.Minute)
		if st, err := snd.Drain(ctx); err != nil || st.Sent != 3 {
			t.Fatalf("drain after a1's backoff = %+v, %v; want a1, a2, a3 sent", st, err)
		}
		if got := order(before); !mapsEqual(got, want(ids)) {
			t.Errorf("after a deferral each recipient got %v, want %v", got, want(ids))
		}

		// Once each: every message of both rounds arrived exactly once.
		seen := map[string]int{}
		for _, m := range srv.Messages() {
			seen[m.MessageID]++
		}
		if len(seen) != 10 {
			t.Errorf("%d distinct messages arrived, want 10", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("%s arrived %d times", id, n)
			}
		}
	})
}

func mapsEqual(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}
