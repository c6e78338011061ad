package jobs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/notify"
	"chuyenhoa/store"
)

// countingDispatcher records the digest times it was asked for.
type countingDispatcher struct {
	s     *store.Store
	clock clockwork.Clock
	slots chan string
}

func (d *countingDispatcher) Dispatch(ctx context.Context, slot time.Time) (notify.Composed, error) {
	key := slot.In(hcm).Format("2006-01-02T15:04")
	runID := store.NewRunID()
	if _, err := d.s.StartRun(ctx, finding.JobDigest, key, runID, d.clock.Now()); err != nil {
		return notify.Composed{}, err
	}
	err := d.s.InTx(ctx, func(tx *store.Tx) error { return tx.FinishRun(ctx, finding.JobDigest, key, runID, d.clock.Now()) })
	d.slots <- key
	return notify.Composed{Slot: key, RunID: runID}, err
}

// The digest runs at its digest time, after the day's jobs: at start it
// waits while deadlines is due (it failed), goes once deadlines has run at
// the next catch-up tick, and is not run again for the same digest time by
// the 08:00 trigger nor by a second process.
func TestDigestWaitsForTheJobsAndRunsOncePerDigestTime(t *testing.T) {
	s := storetestSQLite(t)
	cfg := config.Default()
	clock := clockwork.NewFakeClockAt(time.Date(2026, 3, 2, 7, 50, 0, 0, hcm))
	disp := &countingDispatcher{s: s, clock: clock, slots: make(chan string, 10)}
	var calls atomic.Int32
	hook := func(context.Context, *store.Tx, finding.Job, string, []store.Finding) error {
		if calls.Add(1) == 1 {
			return errors.New("database busy")
		}
		return nil
	}
	rec := newRecorder()
	sc := newScheduler(t, &jobs.Runner{Store: s, Config: cfg, AfterFindings: hook}, nil, jobs.SchedulerOptions{
		Clock: clock, Jobs: []finding.Job{finding.JobDeadlines, finding.JobDigest}, Dispatcher: disp, Observe: rec.observe,
	})
	if got := sc.Jobs(); len(got) != 2 || got[1] != finding.JobDigest {
		t.Errorf("scheduled jobs %v", got)
	}
	sc.Start()
	// 07:50: deadlines fails; the digest of yesterday's 08:00 waits for it.
	if e := rec.next(t); e.Job != finding.JobDeadlines || e.Result != jobs.ResultFailed {
		t.Fatalf("first event %+v, want deadlines failed", e)
	}
	if e := rec.next(t); e.Job != finding.JobDigest || e.Result != jobs.ResultSkipped || e.Reason != jobs.ReasonWaitingForJobs || e.Period != "2026-03-01T08:00" {
		t.Fatalf("digest at start: %+v, want skipped waiting for the jobs", e)
	}
	// 07:55: the catch-up tick reruns deadlines, then the digest goes.
	waitTimers(t, clock, 3)
	clock.Advance(5 * time.Minute)
	if e := rec.next(t); e.Job != finding.JobDeadlines || e.Result != jobs.ResultOK {
		t.Fatalf("07:55 %+v, want deadlines ok", e)
	}
	if e := rec.next(t); e.Job != finding.JobDigest || e.Result != jobs.ResultOK || e.Period != "2026-03-01T08:00" || e.RunID == "" {
		t.Fatalf("07:55 digest %+v, want yesterday's 08:00 round", e)
	}
	if got := <-disp.slots; got != "2026-03-01T08:00" {
		t.Errorf("dispatched %s", got)
	}
	// 08:00: the digest time, and the catch-up tick; one round.
	waitTimers(t, clock, 3)
	clock.Advance(5 * time.Minute)
	ok := 0
	for range 3 { // the 08:00 trigger; the tick's deadlines and digest
		e := rec.next(t)
		if e.Job == finding.JobDigest && e.Result == jobs.ResultOK {
			ok++
			if e.Period != "2026-03-02T08:00" {
				t.Errorf("08:00 round for %s", e.Period)
			}
		}
	}
	if ok != 1 {
		t.Errorf("%d digest rounds at 08:00, want 1", ok)
	}
	if got := <-disp.slots; got != "2026-03-02T08:00" {
		t.Errorf("dispatched %s", got)
	}
	// A second process started at 08:10 finds the round done.
	rec2 := newRecorder()
	other := newScheduler(t, &jobs.Runner{Store: s, Config: cfg}, nil, jobs.SchedulerOptions{
		Clock: clockwork.NewFakeClockAt(time.Date(2026, 3, 2, 8, 10, 0, 0, hcm)), Jobs: []finding.Job{finding.JobDigest}, Dispatcher: disp, Observe: rec2.observe,
	})
	other.Start()
	if e := rec2.next(t); e.Job != finding.JobDigest || e.Result != jobs.ResultSkipped || e.Reason != jobs.ReasonUpToDate {
		t.Errorf("second process: %+v, want up to date", e)
	}
	select {
	case k := <-disp.slots:
		t.Errorf("dispatched %s again", k)
	default:
	}
	if r := runOf(t, s, finding.JobDigest, "2026-03-02T08:00"); r.Status != store.RunOK || r.Attempts != 1 {
		t.Errorf("job_runs %+v, want one ok attempt", r)
	}
}

// The digest job is scheduled by default and needs a dispatcher.
func TestDigestNeedsADispatcher(t *testing.T) {
	s := storetestSQLite(t)
	_, err := jobs.NewScheduler(&jobs.Runner{Store: s, Config: config.Default()}, &fakeMailer{}, jobs.SchedulerOptions{})
	if err == nil || err.Error() != "scheduler: the digest job is scheduled (mail.digest_times) but no dispatcher was given" {
		t.Errorf("err = %v", err)
	}
}
