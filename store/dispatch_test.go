package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

func queue(t *testing.T, s *store.Store, at time.Time, msgs ...store.OutboxMessage) {
	t.Helper()
	err := s.InTx(ctx, func(tx *store.Tx) error {
		for _, m := range msgs {
			m.Sender, m.Subject, m.Text, m.CreatedAt = "bcd138@localhost", "[CHUYENHOA] thư", "thư", at
			if err := tx.Enqueue(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Pending mail can be cancelled, with the reason kept; a cancelled message
// is never claimed; mail being sent or sent cannot be cancelled, and a
// selection with one such message changes nothing.
func TestCancelOutbox(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		now := time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)
		queue(t, s, now,
			store.OutboxMessage{MessageID: "a@x", Committee: "D01", Recipient: "d01@x.vn"},
			store.OutboxMessage{MessageID: "a@x", Committee: "D01", Recipient: "d01.pho@x.vn"},
			store.OutboxMessage{MessageID: "b@x", Committee: "D02", Recipient: "d02@x.vn"},
			store.OutboxMessage{MessageID: "c@x", Committee: "", Recipient: "tinh@x.vn"})
		all, err := s.Outbox(ctx, 0)
		if err != nil || len(all) != 4 {
			t.Fatalf("outbox %d, %v", len(all), err)
		}
		// D01's first copy is being sent.
		claimed, err := s.ClaimOutbox(ctx, now, time.Minute, 1)
		if err != nil || len(claimed) != 1 || claimed[0].ID != all[0].ID {
			t.Fatalf("claim: %v %v", claimed, err)
		}
		if _, err := s.CancelOutbox(ctx, store.OutboxSelection{IDs: []int64{all[2].ID, claimed[0].ID}}, "sai ngày", now); !errors.Is(err, store.ErrNotCancellable) {
			t.Fatalf("cancel of a message being sent: %v, want ErrNotCancellable", err)
		}
		if n, _ := s.OutboxCounts(ctx); n[store.OutboxCancelled] != 0 {
			t.Fatalf("a refused cancellation cancelled %d", n[store.OutboxCancelled])
		}
		if _, err := s.CancelOutbox(ctx, store.OutboxSelection{IDs: []int64{999}}, "x", now); err == nil || !strings.Contains(err.Error(), "no message 999") {
			t.Errorf("cancel of an unknown id: %v", err)
		}
		if _, err := s.CancelOutbox(ctx, store.OutboxSelection{IDs: []int64{all[3].ID}}, " ", now); err == nil {
			t.Error("a cancellation without a reason was accepted")
		}

		got, err := s.CancelOutbox(ctx, store.OutboxSelection{AllOf: true, Committee: "D01"}, "chạy nhầm ngày --at (Nguyễn Văn A)", now.Add(time.Minute))
		if err != nil || len(got) != 1 || got[0].ID != all[1].ID {
			t.Fatalf("cancel D01: %+v, %v; want the copy waiting, not the one being sent", got, err)
		}
		for _, m := range got {
			if m.Status != store.OutboxCancelled || m.CancelReason != "chạy nhầm ngày --at (Nguyễn Văn A)" || !m.CancelledAt.Equal(now.Add(time.Minute)) {
				t.Errorf("cancelled message %+v", m)
			}
		}
		got, err = s.CancelOutbox(ctx, store.OutboxSelection{IDs: []int64{all[3].ID, all[2].ID}}, "trùng", now)
		if err != nil || len(got) != 2 || got[0].Recipient != "d02@x.vn" || got[1].Recipient != "tinh@x.vn" {
			t.Fatalf("cancel by id: %+v, %v", got, err)
		}
		if _, err := s.CancelOutbox(ctx, store.OutboxSelection{IDs: []int64{all[3].ID}}, "again", now); !errors.Is(err, store.ErrNotCancellable) {
			t.Errorf("cancelling twice: %v", err)
		}
		// Nothing cancelled is ever claimed, however late: only the copy
		// whose sender's lease ran out.
		if c, err := s.ClaimOutbox(ctx, now.Add(48*time.Hour), time.Minute, 50); err != nil || len(c) != 1 || c[0].ID != all[0].ID {
			t.Errorf("claim after the cancellations: %+v, %v; want the leased copy only", c, err)
		}
		n, _ := s.OutboxCounts(ctx)
		if n[store.OutboxCancelled] != 3 || n[store.OutboxSending] != 1 {
			t.Errorf("counts %v", n)
		}
	})
}

// The digest log reads back what each recorded mail became in the outbox:
// live while a copy is not cancelled, accepted when the server took one,
// waiting while one is queued; one digest per committee per digest time.
func TestDigestLog(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		now := time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)
		items := []store.DigestItem{{Key: "deadline/D01/plan/2026/X", State: "overdue", Open: true}, {Key: "relapse/X/2024", State: "normal"}}
		rec := func(r store.DigestRecord) error {
			return s.InTx(ctx, func(tx *store.Tx) error { return tx.RecordDigests(ctx, []store.DigestRecord{r}) })
		}
		for _, r := range []store.DigestRecord{
			{Committee: "D01", Kind: store.MailDigest, Slot: "2026-11-25T08:00", MessageID: "a@x", Reason: "news", ComposedAt: now, Items: items},
			{Committee: "D09", Kind: store.MailDigest, Slot: "2026-11-25T08:00", MessageID: "p@x", Reason: "news", ComposedAt: now},
			{Committee: "", Kind: store.MailDigest, Slot: "2026-11-25T08:00", MessageID: "p@x", Reason: "news", ComposedAt: now},
			{Committee: "", Kind: store.MailImmediate, Slot: "2026-11-25T07:00:00", MessageID: "i@x", Reason: "immediate", ComposedAt: now.Add(-time.Hour)},
		} {
			if err := rec(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := rec(store.DigestRecord{Committee: "D01", Kind: store.MailDigest, Slot: "2026-11-25T08:00", MessageID: "a2@x", Reason: "news", ComposedAt: now}); err == nil {
			t.Error("a second digest for D01 at 08:00 was recorded")
		}
		queue(t, s, now,
			store.OutboxMessage{MessageID: "a@x", Committee: "D01", Recipient: "d01@x.vn"},
			store.OutboxMessage{MessageID: "p@x", Committee: "", Recipient: "tinh@x.vn"},
			store.OutboxMessage{MessageID: "i@x", Committee: "", Recipient: "tinh@x.vn"})
		ms, _ := s.Outbox(ctx, 0)
		if err := s.MarkSent(ctx, now.Add(time.Minute), ms[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CancelOutbox(ctx, store.OutboxSelection{IDs: []int64{ms[2].ID}}, "thử", now); err != nil {
			t.Fatal(err)
		}
		var log []store.DigestRecord
		var got map[int64][]store.DigestItem
		err := s.InTx(ctx, func(tx *store.Tx) error {
			var err error
			if log, err = tx.DigestLog(ctx); err != nil {
				return err
			}
			got, err = tx.DigestItems(ctx, []int64{log[1].ID})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		type flags struct {
			com, kind      string
			live, waiting  bool
			accepted       bool
			acceptedAtMin1 bool
		}
		var have []flags
		for _, r := range log {
			have = append(have, flags{r.Committee, r.Kind, r.Live, r.Waiting, r.Accepted(), r.AcceptedAt.Equal(now.Add(time.Minute))})
		}
		want := []flags{
			{"", store.MailDigest, true, true, false, false},
			{"", store.MailImmediate, false, false, false, false},
			{"D01", store.MailDigest, true, false, true, true},
			{"D09", store.MailDigest, true, true, false, false},
		}
		if len(have) != len(want) {
			t.Fatalf("log %+v", have)
		}
		for i := range want {
			if have[i] != want[i] {
				t.Errorf("log[%d] = %+v, want %+v", i, have[i], want[i])
			}
		}
		if g := got[log[1].ID]; len(g) != 0 {
			t.Errorf("items of the immediate mail %v, want none", g)
		}
		err = s.InTx(ctx, func(tx *store.Tx) error {
			got, err = tx.DigestItems(ctx, []int64{log[2].ID})
			return err
		})
		if err != nil || len(got[log[2].ID]) != 2 || got[log[2].ID][0] != items[0] || got[log[2].ID][1] != items[1] {
			t.Errorf("items of D01's digest %v, %v; want %v", got, err, items)
		}
		// Pruning forgets what was composed before the moment given.
		err = s.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.PruneDigests(ctx, now); err != nil {
				return err
			}
			log, err = tx.DigestLog(ctx)
			return err
		})
		if err != nil || len(log) != 3 {
			t.Errorf("after pruning before 01:00: %d records, %v; want the immediate mail of 00:00 gone", len(log), err)
		}
	})
}

// Silences are stored with their matchers (NULL = any, "" the provincial
// committee), listed while active, expired once, and survive reopening.
func TestSilences(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		now := time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)
		str := func(v string) *string { return &v }
		kind := finding.AlertRelapse
		if _, err := s.AddSilence(ctx, store.Silence{StartsAt: now, EndsAt: now.Add(time.Hour), CreatedBy: "a", Reason: "b"}); err == nil {
			t.Error("a silence without a matcher was accepted")
		}
		if _, err := s.AddSilence(ctx, store.Silence{Matchers: store.Matchers{Unit: str("X")}, StartsAt: now, EndsAt: now, CreatedBy: "a", Reason: "b"}); err == nil {
			t.Error("a silence ending as it starts was accepted")
		}
		id1, err := s.AddSilence(ctx, store.Silence{Matchers: store.Matchers{Committee: str(""), Kind: &kind}, StartsAt: now, EndsAt: now.Add(72 * time.Hour),
			CreatedBy: "Trần Thị B", Reason: "đã họp bàn, chờ kết quả xác minh"})
		if err != nil {
			t.Fatal(err)
		}
		id2, err := s.AddSilence(ctx, store.Silence{Matchers: store.Matchers{Key: str("deadline/D01/plan/2026/D01X04"), Unit: str("D01X04")}, StartsAt: now,
			EndsAt: now.Add(24 * time.Hour), CreatedBy: "Nguyễn Văn A", Reason: "đã gia hạn"})
		if err != nil {
			t.Fatal(err)
		}
		act, err := s.ActiveSilences(ctx, now.Add(30*time.Hour))
		if err != nil || len(act) != 1 || act[0].ID != id1 {
			t.Fatalf("active after 30 h: %+v, %v; want only the first", act, err)
		}
		m := act[0].Matchers
		if m.Committee == nil || *m.Committee != "" || m.Kind == nil || *m.Kind != kind || m.Key != nil || m.Unit != nil ||
			act[0].CreatedBy != "Trần Thị B" || act[0].Reason != "đã họp bàn, chờ kết quả xác minh" || !act[0].EndsAt.Equal(now.Add(72*time.Hour)) {
			t.Errorf("read back %+v with matchers %+v", act[0], m)
		}
		ex, err := s.ExpireSilence(ctx, id1, now.Add(31*time.Hour))
		if err != nil || !ex.EndsAt.Equal(now.Add(31*time.Hour)) || !ex.ExpiredAt.Equal(ex.EndsAt) {
			t.Fatalf("expire: %+v, %v", ex, err)
		}
		if _, err := s.ExpireSilence(ctx, id1, now.Add(32*time.Hour)); err == nil || !strings.Contains(err.Error(), "ended") {
			t.Errorf("expiring twice: %v", err)
		}
		if _, err := s.ExpireSilence(ctx, 999, now); !errors.Is(err, store.ErrNoSilence) {
			t.Errorf("expiring an unknown silence: %v", err)
		}
		if act, _ := s.ActiveSilences(ctx, now.Add(31*time.Hour)); len(act) != 0 {
			t.Errorf("%d active after the expiry", len(act))
		}
		all, err := s.Silences(ctx)
		if err != nil || len(all) != 2 || all[1].ID != id2 || *all[1].Matchers.Key != "deadline/D01/plan/2026/D01X04" || *all[1].Matchers.Unit != "D01X04" || !all[1].ExpiredAt.IsZero() {
			t.Errorf("all silences %+v, %v", all, err)
		}
	})
}

// A rehearsal runs transactions, reads its own writes and keeps nothing.
func TestRehearseKeepsNothing(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		now := time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)
		queue(t, s, now, store.OutboxMessage{MessageID: "kept@x", Committee: "D01", Recipient: "d01@x.vn"})
		boom := errors.New("boom")
		err := s.Rehearse(ctx, func(v *store.Store) error {
			queue(t, v, now, store.OutboxMessage{MessageID: "rehearsed@x", Committee: "D01", Recipient: "d01@x.vn"})
			// A failed transaction inside rolls back only itself.
			if err := v.InTx(ctx, func(tx *store.Tx) error {
				if err := tx.Enqueue(ctx, store.OutboxMessage{MessageID: "failed@x", Recipient: "x", CreatedAt: now}); err != nil {
					return err
				}
				return boom
			}); !errors.Is(err, boom) {
				t.Errorf("InTx in a rehearsal: %v", err)
			}
			ms, err := v.Outbox(ctx, 0)
			if err != nil || len(ms) != 2 || ms[1].MessageID != "rehearsed@x" {
				t.Errorf("inside the rehearsal the outbox holds %+v, %v; want the kept and the rehearsed message", ms, err)
			}
			if _, err := v.StartRun(ctx, finding.JobDigest, "2026-11-25T08:00", "r1", now); err != nil {
				return err
			}
			return v.Close() // a view closes nothing
		})
		if err != nil {
			t.Fatal(err)
		}
		ms, err := s.Outbox(ctx, 0)
		if err != nil || len(ms) != 1 || ms[0].MessageID != "kept@x" {
			t.Errorf("after the rehearsal the outbox holds %+v, %v; want only the kept message", ms, err)
		}
		if _, ok, err := s.RunOf(ctx, finding.JobDigest, "2026-11-25T08:00"); ok || err != nil {
			t.Errorf("the rehearsal's job run was kept (%v)", err)
		}
	})
}

// Migration 00007 keeps the outbox as it was (SQLite builds the table
// anew to allow the status cancelled): rows, ids, and the id sequence;
// down again it drops only the cancelled mail.
func TestMigration00007KeepsTheOutbox(t *testing.T) {
	for name, url := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite:" + t.TempDir() + "/old.db" },
		"postgres": storetest.PostgresURL,
	} {
		t.Run(name, func(t *testing.T) {
			s := storetest.Open(t, url(t), false)
			if err := store.MigrateTo(ctx, s, 6); err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)
			queue(t, s, now, store.OutboxMessage{MessageID: "a@x", Committee: "D01", Recipient: "d01@x.vn"},
				store.OutboxMessage{MessageID: "b@x", Committee: "", Recipient: "tinh@x.vn"})
			var before []struct {
				ID      int64  `db:"id"`
				Subject string `db:"subject"`
			}
			if err := s.DB().SelectContext(ctx, &before, `SELECT id, subject FROM outbox ORDER BY id`); err != nil || len(before) != 2 {
				t.Fatal(len(before), err)
			}
			if err := s.MarkSent(ctx, now, before[0].ID); err != nil {
				t.Fatal(err)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			after, err := s.Outbox(ctx, 0)
			if err != nil || len(after) != 2 || after[0].ID != before[0].ID || after[0].Status != store.OutboxSent || after[1].ID != before[1].ID ||
				after[1].Status != store.OutboxPending || after[1].Subject != before[1].Subject {
				t.Fatalf("outbox after 00007: %+v, %v", after, err)
			}
			queue(t, s, now, store.OutboxMessage{MessageID: "c@x", Committee: "D02", Recipient: "d02@x.vn"})
			if _, err := s.CancelOutbox(ctx, store.OutboxSelection{IDs: []int64{after[1].ID}}, "thử", now); err != nil {
				t.Fatal(err)
			}
			all, _ := s.Outbox(ctx, 0)
			if len(all) != 3 || all[2].ID <= after[1].ID {
				t.Fatalf("a message queued after 00007 took id %d after %d", all[2].ID, after[1].ID)
			}
			if err := store.MigrateTo(ctx, s, 6); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&n); err != nil || n != 2 {
				t.Errorf("after 00007 down the outbox holds %d rows (%v), want 2: the cancelled one gone", n, err)
			}
		})
	}
}

// PutAlerts writes many alerts in few statements; an alert listed twice is
// written as its last listing says.
func TestPutAlerts(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		now := time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)
		var as []store.Alert
		for i := range 450 {
			as = append(as, store.Alert{Committee: "D01", Key: fmt.Sprintf("deadline/D01/plan/2026/X%03d", i), Kind: finding.AlertDeadline,
				State: "overdue", Open: true, OpenedAt: now, UpdatedAt: now})
		}
		as = append(as, store.Alert{Committee: "D01", Key: "deadline/D01/plan/2026/X000", Kind: finding.AlertDeadline, State: "escalated", Open: true,
			OpenedAt: now, UpdatedAt: now, NotifiedState: "escalated", NotifiedAt: now})
		if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.PutAlerts(ctx, as) }); err != nil {
			t.Fatal(err)
		}
		got, err := s.OpenAlerts(ctx)
		if err != nil || len(got) != 450 {
			t.Fatalf("%d open alerts, %v; want 450", len(got), err)
		}
		if got[0].Key != "deadline/D01/plan/2026/X000" || got[0].State != "escalated" || got[0].NotifiedState != "escalated" || !got[0].NotifiedAt.Equal(now) {
			t.Errorf("the alert listed twice reads %+v", got[0])
		}
	})
}

// A mark that failed (here its context was cancelled, on PostgreSQL before
// its statement was ever prepared) leaves the next one working; a
// rehearsal's mark is rolled back with it.
func TestMarkSentAfterAFailedMark(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		now := time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)
		queue(t, s, now,
			store.OutboxMessage{MessageID: "a@x", Committee: "D01", Recipient: "d01@x.vn"},
			store.OutboxMessage{MessageID: "b@x", Committee: "D02", Recipient: "d02@x.vn"})
		ms, err := s.Outbox(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		if err := s.MarkSent(cancelled, now, ms[0].ID); err == nil {
			t.Fatal("MarkSent with a cancelled context: no error")
		}
		err = s.Rehearse(ctx, func(view *store.Store) error { return view.MarkSent(ctx, now, ms[1].ID) })
		if err != nil {
			t.Fatalf("MarkSent in a rehearsal: %v", err)
		}
		if err := s.MarkSent(ctx, now, ms[0].ID); err != nil {
			t.Fatalf("MarkSent after a failed one: %v", err)
		}
		sent, err := s.Outbox(ctx, 0, store.OutboxSent)
		if err != nil {
			t.Fatal(err)
		}
		if len(sent) != 1 || sent[0].MessageID != "a@x" {
			t.Errorf("sent: %+v, want a@x only (the rehearsal's mark rolled back)", sent)
		}
	})
}
