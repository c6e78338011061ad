package jobs_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/leader"
	"chuyenhoa/notify"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

var hcm = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err)
	}
	return loc
}()

// recorder collects scheduler events; tests wait on them instead of
// sleeping.
type recorder struct{ ch chan jobs.Event }

func newRecorder() *recorder { return &recorder{ch: make(chan jobs.Event, 256)} }

func (r *recorder) observe(e jobs.Event) { r.ch <- e }

func (r *recorder) next(t *testing.T) jobs.Event {
	t.Helper()
	select {
	case e := <-r.ch:
		return e
	case <-time.After(30 * time.Second):
		t.Fatal("no scheduler event within 30s")
		return jobs.Event{}
	}
}

// noMore checks that nothing else was reported by now.
func (r *recorder) noMore(t *testing.T) {
	t.Helper()
	select {
	case e := <-r.ch:
		t.Errorf("unexpected event %+v", e)
	default:
	}
}

func countHook(n *atomic.Int32) jobs.Hook {
	return func(context.Context, *store.Tx, finding.Job, string, []store.Finding) error {
		n.Add(1)
		return nil
	}
}

func waitTimers(t *testing.T, c *clockwork.FakeClock, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.BlockUntilContext(ctx, n); err != nil {
		t.Fatalf("waiting for %d scheduler timers: %v", n, err)
	}
}

func newScheduler(t *testing.T, r *jobs.Runner, m jobs.Mailer, opt jobs.SchedulerOptions) *jobs.Scheduler {
	t.Helper()
	s, err := jobs.NewScheduler(r, m, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return s
}

func runOf(t *testing.T, s *store.Store, job finding.Job, per string) store.JobRun {
	t.Helper()
	r, ok, err := s.RunOf(context.Background(), job, per)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Fatalf("no job_runs row for %s %s", job, per)
	}
	return r
}

// Two replicas on one PostgreSQL schema, one fake clock: at start one
// becomes leader and catches up; the 07:00 occurrence then runs on the
// leader only.
func TestTwoReplicasRunAnOccurrenceOnce(t *testing.T) {
	url := storetest.PostgresURL(t)
	ctx := context.Background()
	stores := []*store.Store{storetest.Open(t, url, true), storetest.Open(t, url, false)}
	clock := clockwork.NewFakeClockAt(time.Date(2026, 3, 2, 6, 58, 0, 0, hcm))
	cfg := config.Default()

	var runs [2]atomic.Int32
	recs := [2]*recorder{newRecorder(), newRecorder()}
	var scheds [2]*jobs.Scheduler
	var electors [2]*leader.PGElector
	for i, s := range stores {
		el, err := leader.NewPGElector(ctx, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { el.Close() })
		electors[i] = el
		r := &jobs.Runner{Store: s, Config: cfg, AfterFindings: countHook(&runs[i])}
		scheds[i] = newScheduler(t, r, nil, jobs.SchedulerOptions{
			Clock: clock, Elector: el, Jobs: []finding.Job{finding.JobDeadlines}, Observe: recs[i].observe,
		})
	}
	scheds[0].Start()
	scheds[1].Start()

	// Start-up: the leader catches deadlines up, the other is vetoed.
	started := [2]jobs.Event{recs[0].next(t), recs[1].next(t)}
	leader := 0
	if started[1].Result == jobs.ResultOK {
		leader = 1
	}
	other := 1 - leader
	if e := started[leader]; e.Job != finding.JobDeadlines || e.Trigger != jobs.TriggerCatchUp || e.Result != jobs.ResultOK || e.Period != "2026-03-02" {
		t.Fatalf("leader start event = %+v, want deadlines caught up for 2026-03-02", e)
	}
	if e := started[other]; e.Result != jobs.ResultSkipped || e.Reason != jobs.ReasonNotLeader {
		t.Fatalf("standby start event = %+v, want skipped: not leader", e)
	}
	if !electors[leader].Leader() || electors[other].Leader() {
		t.Fatalf("Leader() = %v, %v; want only replica %d", electors[0].Leader(), electors[1].Leader(), leader)
	}

	// Each replica has its deadlines and catch-up timers; 06:58 → 07:01
	// passes the 07:00 occurrence and not the 07:03 catch-up.
	waitTimers(t, clock, 4)
	clock.Advance(3 * time.Minute)
	ticked := [2]jobs.Event{recs[0].next(t), recs[1].next(t)}
	if e := ticked[leader]; e.Job != finding.JobDeadlines || e.Trigger != jobs.TriggerSchedule || e.Result != jobs.ResultOK {
		t.Errorf("leader 07:00 event = %+v, want deadlines run on schedule", e)
	}
	if e := ticked[other]; e.Job != finding.JobDeadlines || e.Result != jobs.ResultSkipped || e.Reason != jobs.ReasonNotLeader {
		t.Errorf("standby 07:00 event = %+v, want deadlines skipped: not leader", e)
	}
	if got, want := runs[leader].Load(), int32(2); got != want {
		t.Errorf("leader ran %d times, want %d (catch-up + 07:00)", got, want)
	}
	if got := runs[other].Load(); got != 0 {
		t.Errorf("standby ran %d times, want 0", got)
	}
	// One row for the day, two attempts: the catch-up and the occurrence.
	if r := runOf(t, stores[0], finding.JobDeadlines, "2026-03-02"); r.Attempts != 2 || r.Status != store.RunOK {
		t.Errorf("job_runs = %+v, want ok after 2 attempts", r)
	}
	recs[0].noMore(t)
	recs[1].noMore(t)
}

// The second fence: a replica whose clock lags fires an occurrence that
// another already ran (gocron #841) and finds it handled.
func TestLaggingReplicaSkipsHandledOccurrence(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		cfg := config.Default()
		var runsA, runsB atomic.Int32
		clockA := clockwork.NewFakeClockAt(time.Date(2026, 3, 2, 6, 59, 30, 0, hcm))
		clockB := clockwork.NewFakeClockAt(time.Date(2026, 3, 2, 6, 59, 0, 0, hcm))
		recA, recB := newRecorder(), newRecorder()
		a := newScheduler(t, &jobs.Runner{Store: s, Config: cfg, AfterFindings: countHook(&runsA)}, nil,
			jobs.SchedulerOptions{Clock: clockA, Jobs: []finding.Job{finding.JobDeadlines}, Observe: recA.observe})
		b := newScheduler(t, &jobs.Runner{Store: s, Config: cfg, AfterFindings: countHook(&runsB)}, nil,
			jobs.SchedulerOptions{Clock: clockB, Jobs: []finding.Job{finding.JobDeadlines}, Observe: recB.observe})

		a.Start()
		if e := recA.next(t); e.Result != jobs.ResultOK {
			t.Fatalf("A start = %+v, want the catch-up run", e)
		}
		b.Start()
		if e := recB.next(t); e.Result != jobs.ResultSkipped || e.Reason != jobs.ReasonUpToDate {
			t.Fatalf("B start = %+v, want skipped: up to date", e)
		}
		// A reaches 07:00 first and runs the occurrence.
		waitTimers(t, clockA, 2)
		clockA.Advance(time.Minute)
		if e := recA.next(t); e.Trigger != jobs.TriggerSchedule || e.Result != jobs.ResultOK {
			t.Fatalf("A 07:00 = %+v, want a scheduled run", e)
		}
		// B reaches its 07:00 thirty seconds later by the wall clock.
		waitTimers(t, clockB, 2)
		clockB.Advance(time.Minute)
		if e := recB.next(t); e.Trigger != jobs.TriggerSchedule || e.Result != jobs.ResultSkipped || e.Reason != jobs.ReasonUpToDate {
			t.Fatalf("B 07:00 = %+v, want skipped: up to date", e)
		}
		if a, b := runsA.Load(), runsB.Load(); a != 2 || b != 0 {
			t.Errorf("runs A=%d B=%d, want 2 and 0", a, b)
		}
		if r := runOf(t, s, finding.JobDeadlines, "2026-03-02"); r.Attempts != 2 {
			t.Errorf("attempts = %d, want 2", r.Attempts)
		}
	})
}

// A process down for days catches each job up once at start, for today's
// period only; started again, it has nothing to catch up; and a daily job
// does not run just because the day changed before its hour.
func TestCatchUpOnceAtStart(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		cfg := config.Default()
		// Last run before the outage: deadlines on Thursday 26/02 at 07:00.
		before := &jobs.Runner{Store: s, Config: cfg, Now: func() time.Time { return time.Date(2026, 2, 26, 7, 0, 0, 0, hcm) }}
		if _, err := before.Run(ctx, finding.JobDeadlines, d(2026, 2, 26)); err != nil {
			t.Fatal(err)
		}

		var runs atomic.Int32
		start := func(at time.Time) *recorder {
			rec := newRecorder()
			sc, err := jobs.NewScheduler(&jobs.Runner{Store: s, Config: cfg, AfterFindings: countHook(&runs)}, nil,
				jobs.SchedulerOptions{Clock: clockwork.NewFakeClockAt(at), Jobs: finding.RecomputeJobs(), Observe: rec.observe})
			if err != nil {
				t.Fatal(err)
			}
			sc.Start()
			defer func() {
				if err := sc.Stop(); err != nil {
					t.Errorf("stop: %v", err)
				}
			}()
			for range finding.RecomputeJobs() {
				rec.next(t)
			}
			return rec
		}

		// Monday 02/03 10:00: every job's latest occurrence was missed
		// (candidates Mon 06:00, relapse 15/02 05:00, deadlines 07:00,
		// and the others by their default specs).
		start(time.Date(2026, 3, 2, 10, 0, 0, 0, hcm))
		n := int32(len(finding.RecomputeJobs()))
		if got := runs.Load(); got != n {
			t.Fatalf("first start ran %d jobs, want %d", got, n)
		}
		for _, j := range finding.RecomputeJobs() {
			r, _, err := s.LastRun(ctx, j)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != store.RunOK || r.Attempts != 1 {
				t.Errorf("%s: %+v, want one ok attempt", j, r)
			}
		}
		// Deadlines ran once, for today; the days in between get no run.
		all, err := s.Runs(ctx, finding.JobDeadlines, 0)
		if err != nil {
			t.Fatal(err)
		}
		var periods []string
		for _, r := range all {
			periods = append(periods, r.Period)
		}
		if got := strings.Join(periods, " "); got != "2026-03-02 2026-02-26" {
			t.Errorf("deadlines periods = %s, want 2026-03-02 2026-02-26", got)
		}

		// Restarted ten minutes later: nothing to do.
		start(time.Date(2026, 3, 2, 10, 10, 0, 0, hcm))
		if got := runs.Load(); got != n {
			t.Errorf("second start ran %d more jobs, want 0", got-n)
		}
		// Tuesday 00:05: a new day, but deadlines' 07:00 has not come.
		start(time.Date(2026, 3, 3, 0, 5, 0, 0, hcm))
		if got := runs.Load(); got != n {
			t.Errorf("start at 00:05 ran %d jobs, want 0 (deadlines waits for 07:00)", got-n)
		}
	})
}

// A failed run stays recorded as failed with its error and is retried at
// the next catch-up tick.
func TestFailedRunRetriedNextTick(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		cfg := config.Default()
		var calls atomic.Int32
		hook := func(context.Context, *store.Tx, finding.Job, string, []store.Finding) error {
			if calls.Add(1) == 1 {
				return errors.New("mail server directory unavailable")
			}
			return nil
		}
		clock := clockwork.NewFakeClockAt(time.Date(2026, 3, 2, 10, 0, 0, 0, hcm))
		rec := newRecorder()
		sc := newScheduler(t, &jobs.Runner{Store: s, Config: cfg, AfterFindings: hook}, nil,
			jobs.SchedulerOptions{Clock: clock, Jobs: []finding.Job{finding.JobDeadlines}, Observe: rec.observe, CatchUpEvery: 5 * time.Minute})
		sc.Start()
		e := rec.next(t)
		if e.Result != jobs.ResultFailed || e.Err == nil || e.RunID == "" {
			t.Fatalf("first run = %+v, want failed with an error and a run id", e)
		}
		r := runOf(t, s, finding.JobDeadlines, "2026-03-02")
		if r.Status != store.RunFailed || !strings.Contains(r.Error, "mail server directory unavailable") || r.RunID != e.RunID {
			t.Fatalf("job_runs after failure = %+v", r)
		}
		waitTimers(t, clock, 2)
		clock.Advance(5 * time.Minute)
		if e := rec.next(t); e.Trigger != jobs.TriggerCatchUp || e.Result != jobs.ResultOK {
			t.Fatalf("retry = %+v, want ok on the catch-up tick", e)
		}
		if r := runOf(t, s, finding.JobDeadlines, "2026-03-02"); r.Status != store.RunOK || r.Attempts != 2 || r.Error != "" {
			t.Errorf("job_runs after retry = %+v, want ok after 2 attempts", r)
		}
	})
}

// Stop (SIGTERM) during a run lets the run finish, then returns.
func TestStopLetsRunningJobFinish(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		cfg := config.Default()
		entered, release := make(chan struct{}), make(chan struct{})
		var finished atomic.Bool
		hook := func(context.Context, *store.Tx, finding.Job, string, []store.Finding) error {
			close(entered)
			<-release
			finished.Store(true)
			return nil
		}
		rec := newRecorder()
		sc, err := jobs.NewScheduler(&jobs.Runner{Store: s, Config: cfg, AfterFindings: hook}, nil, jobs.SchedulerOptions{
			Clock: clockwork.NewFakeClockAt(time.Date(2026, 3, 2, 10, 0, 0, 0, hcm)),
			Jobs:  []finding.Job{finding.JobDeadlines}, Observe: rec.observe, StopTimeout: time.Minute,
		})
		if err != nil {
			t.Fatal(err)
		}
		type result struct {
			err      error
			finished bool
			status   string
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan result, 1)
		go func() {
			err := sc.Run(ctx)
			// What was true the moment Run returned.
			res := result{err: err, finished: finished.Load()}
			if r, ok, err := s.RunOf(context.Background(), finding.JobDeadlines, "2026-03-02"); err == nil && ok {
				res.status = r.Status
			}
			done <- res
		}()
		<-entered
		cancel()
		<-sc.Stopping()
		if r := runOf(t, s, finding.JobDeadlines, "2026-03-02"); r.Status != store.RunRunning {
			t.Fatalf("status during stop = %s, want running", r.Status)
		}
		close(release)
		res := <-done
		if res.err != nil {
			t.Fatalf("Run: %v", res.err)
		}
		if !res.finished || res.status != store.RunOK {
			t.Errorf("when Run returned: job finished=%v, status %q; want the run finished and recorded ok", res.finished, res.status)
		}
		if e := rec.next(t); e.Result != jobs.ResultOK {
			t.Errorf("event = %+v, want ok", e)
		}
	})
}

// A run that outlasts the stop timeout is cancelled and recorded failed.
func TestStopTimeoutCancelsRun(t *testing.T) {
	s := storetestSQLite(t)
	cfg := config.Default()
	entered := make(chan struct{})
	hook := func(ctx context.Context, _ *store.Tx, _ finding.Job, _ string, _ []store.Finding) error {
		close(entered)
		<-ctx.Done()
		return ctx.Err()
	}
	sc, err := jobs.NewScheduler(&jobs.Runner{Store: s, Config: cfg, AfterFindings: hook}, nil, jobs.SchedulerOptions{
		Clock: clockwork.NewFakeClockAt(time.Date(2026, 3, 2, 10, 0, 0, 0, hcm)),
		Jobs:  []finding.Job{finding.JobDeadlines}, StopTimeout: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	sc.Start()
	<-entered
	err = sc.Stop()
	if err == nil || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("Stop = %v, want a cancellation error", err)
	}
	if r := runOf(t, s, finding.JobDeadlines, "2026-03-02"); r.Status != store.RunFailed || !strings.Contains(r.Error, "context canceled") {
		t.Errorf("job_runs = %+v, want failed: context canceled", r)
	}
}

// storetestSQLite runs the test on SQLite only (the behaviour under test
// does not depend on the database).
func storetestSQLite(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite:"+t.TempDir()+"/t.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

type fakeMailer struct{ n atomic.Int32 }

func (m *fakeMailer) Drain(context.Context) (notify.DrainStats, error) {
	m.n.Add(1)
	return notify.DrainStats{Sent: 1}, nil
}

// The send job runs at start, without waiting for its first occurrence.
func TestSendRunsAtStart(t *testing.T) {
	s := storetestSQLite(t)
	m := &fakeMailer{}
	rec := newRecorder()
	sc := newScheduler(t, &jobs.Runner{Store: s, Config: config.Default()}, m, jobs.SchedulerOptions{
		Clock: clockwork.NewFakeClockAt(time.Date(2026, 3, 2, 10, 1, 0, 0, hcm)),
		Jobs:  []finding.Job{finding.JobSend}, Observe: rec.observe,
	})
	sc.Start()
	if e := rec.next(t); e.Job != finding.JobSend || e.Result != jobs.ResultOK || e.Mail.Sent != 1 {
		t.Fatalf("event = %+v, want send ok", e)
	}
	if got := m.n.Load(); got != 1 {
		t.Errorf("Drain called %d times, want 1", got)
	}
}

func TestSchedulerRejectsBadSchedule(t *testing.T) {
	s := storetestSQLite(t)
	cfg := config.Default()
	cfg.Schedule[finding.JobDeadlines] = "0 25 * * *"
	_, err := jobs.NewScheduler(&jobs.Runner{Store: s, Config: cfg}, &fakeMailer{}, jobs.SchedulerOptions{})
	if err == nil || !strings.Contains(err.Error(), "schedule.deadlines") {
		t.Fatalf("err = %v, want one naming schedule.deadlines", err)
	}
	cfg = config.Default()
	_, err = jobs.NewScheduler(&jobs.Runner{Store: s, Config: cfg}, nil, jobs.SchedulerOptions{})
	if err == nil || !strings.Contains(err.Error(), "mailer") {
		t.Fatalf("err = %v, want one about the missing mailer", err)
	}
}

func TestPrevOccurrence(t *testing.T) {
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, hcm) }
	for _, c := range []struct {
		spec string
		now  time.Time
		want time.Time
	}{
		// Exactly on an occurrence: that occurrence.
		{"0 7 * * *", at(2026, 3, 2, 7, 0), at(2026, 3, 2, 7, 0)},
		// A minute before: yesterday's.
		{"0 7 * * *", at(2026, 3, 2, 6, 59), at(2026, 3, 1, 7, 0)},
		// Every 5 minutes, at 10:04: 10:00.
		{"*/5 * * * *", at(2026, 3, 2, 10, 4), at(2026, 3, 2, 10, 0)},
		// Mondays 06:00; 03/03/2026 is a Tuesday.
		{"0 6 * * 1", at(2026, 3, 3, 0, 5), at(2026, 3, 2, 6, 0)},
		// 15th 05:00, on 14/03: 15/02.
		{"0 5 15 * *", at(2026, 3, 14, 23, 0), at(2026, 2, 15, 5, 0)},
		// Yearly on 01/01: back across a year.
		{"0 0 1 1 *", at(2026, 12, 31, 0, 0), at(2026, 1, 1, 0, 0)},
	} {
		sched, err := jobs.ParseSpec(c.spec, hcm)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := jobs.PrevOccurrence(sched, c.now)
		if !ok || !got.Equal(c.want) {
			t.Errorf("PrevOccurrence(%q, %s) = %s %v, want %s", c.spec, c.now, got, ok, c.want)
		}
	}
}
