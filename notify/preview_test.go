package notify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/notify"
	"chuyenhoa/notify/smtptest"
	"chuyenhoa/period"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// A preview is the real run rehearsed: on two copies of one database (the
// same data and the same history of runs and mail), notify's round —
// relapse, deadlines and cycle, then the dispatcher — rehearsed on one
// (store.Rehearse, what notify --dry-run does) shows exactly the messages
// the real round queues on the other: Message-ID, recipients, subject,
// text and HTML; and the rehearsed copy is left as it was. The round runs
// on 03/12 of the busy month, when the plan escalates (an immediate mail
// and the digests) after a week of history.
func TestPreviewIsTheRealRun(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, real *store.Store) {
		dry := storetest.Open(t, freshURL(t, real), true)
		srv := smtptest.Start(t)
		var envs []*env
		for _, s := range []*store.Store{real, dry} {
			ds, cy := busyMonth()
			if err := s.Load(context.Background(), ds); err != nil {
				t.Fatal(err)
			}
			if err := s.LoadCycle(context.Background(), cy); err != nil {
				t.Fatal(err)
			}
			e := newEnv(t, s, srv)
			e.cfg.Mail.ImmediateKinds = []finding.AlertKind{finding.AlertEscalation}
			envs = append(envs, e)
			// A week of history, sent and all.
			for d := 25; d <= 32; d++ {
				e.now = time.Date(2026, 11, d, 1, 0, 0, 0, time.UTC)
				round(t, e, e.runner, e.comp)
				e.drain()
			}
		}
		ctx := context.Background()
		at := time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC)
		for _, e := range envs {
			e.now = at
		}

		before := snapshot(t, dry)
		var previewed []store.OutboxMessage
		err := dry.Rehearse(ctx, func(v *store.Store) error {
			e := envs[1]
			comp := &notify.Composer{Store: v, Config: e.cfg, Now: e.clock, Sink: func(m store.OutboxMessage) { previewed = append(previewed, m) }}
			round(t, e, &jobs.Runner{Store: v, Config: e.cfg, Now: e.clock, AfterFindings: comp.Hook}, comp)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if after := snapshot(t, dry); after != before {
			t.Errorf("the rehearsal changed the database:\nbefore %s\nafter  %s", before, after)
		}

		e := envs[0]
		seen, err := real.Outbox(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		round(t, e, e.runner, e.comp)
		all, err := real.Outbox(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		queued := all[len(seen):]
		immediate := 0
		for _, q := range queued {
			if q.Headers["X-Chuyenhoa-Job"] == string(finding.JobDeadlines) {
				immediate++
			}
		}
		if len(queued) != 3 || immediate != 1 {
			t.Fatalf("the real round queued %d messages, %d immediate; want D1's and the province's digests and the escalation", len(queued), immediate)
		}
		if len(previewed) != len(queued) {
			t.Fatalf("the preview showed %d messages, the real round queued %d", len(previewed), len(queued))
		}
		for i, q := range queued {
			p := previewed[i]
			if p.MessageID != q.MessageID || p.Recipient != q.Recipient || p.Sender != q.Sender || p.Subject != q.Subject ||
				p.Text != q.Text || p.HTML != q.HTML || fmt.Sprint(p.Headers) != fmt.Sprint(q.Headers) || !p.CreatedAt.Equal(q.CreatedAt) {
				t.Errorf("message %d: the preview showed\n%s to %s: %s\nthe real round queued\n%s to %s: %s", i, p.MessageID, p.Recipient, p.Subject, q.MessageID, q.Recipient, q.Subject)
			}
		}
		t.Logf("%d messages previewed and queued alike", len(queued))
	})
}

// round is notify's: the jobs for the day of the clock, then the
// dispatcher for the day's digest time.
func round(t *testing.T, e *env, r *jobs.Runner, comp *notify.Composer) {
	t.Helper()
	ctx := context.Background()
	today := period.Day(e.clock(), e.cfg.Location())
	for _, j := range []finding.Job{finding.JobRelapse, finding.JobDeadlines, finding.JobCycle} {
		if _, err := r.Run(ctx, j, today); err != nil {
			t.Fatalf("%s: %v", j, err)
		}
	}
	if _, err := comp.Dispatch(ctx, notify.SlotsOf(e.cfg).Latest(e.clock())); err != nil {
		t.Fatal(err)
	}
}

// snapshot counts the rows of the service's own tables.
func snapshot(t *testing.T, s *store.Store) string {
	t.Helper()
	out := ""
	for _, table := range []string{"findings", "job_runs", "relapse_state", "alerts", "notify_groups", "outbox", "digests"} {
		var n int
		if err := s.DB().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprintf("%s=%d ", table, n)
	}
	return out
}

// freshURL is a new empty database of the same kind as s.
func freshURL(t *testing.T, s *store.Store) string {
	if s.Dialect() == store.Postgres {
		return storetest.PostgresURL(t)
	}
	return "sqlite:" + t.TempDir() + "/copy.db"
}
