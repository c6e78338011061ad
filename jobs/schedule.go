package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"
	"github.com/robfig/cron/v3"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/leader"
	"chuyenhoa/notify"
	"chuyenhoa/period"
	"chuyenhoa/store"
)

// CatchUp is the name of the scheduler's own job that looks for missed
// occurrences and failed runs (see Scheduler), as events report it. It is
// no job of the configuration's: it computes nothing itself.
const CatchUp finding.Job = "catch-up"

// Triggers of a run, as reported in Event.Trigger.
const (
	TriggerSchedule = "schedule" // the job's own cron occurrence
	TriggerCatchUp  = "catch-up" // start-up or the periodic catch-up pass
)

// Results reported in Event.Result.
const (
	ResultOK      = "ok"
	ResultFailed  = "failed"
	ResultSkipped = "skipped"
)

// Reasons a trigger did not run a job, reported in Event.Reason.
const (
	ReasonNotLeader        = "not leader"
	ReasonUpToDate         = "up to date"
	ReasonBusy             = "already running in this process"
	ReasonRunningElsewhere = "running in another process"
	ReasonStopping         = "stopping"
	ReasonCheckFailed      = "could not read job_runs"
	// ReasonWaitingForJobs: the digest waits for a recompute job that is
	// due or running, so that it mails the day's states.
	ReasonWaitingForJobs = "waiting for the recompute jobs"
)

// DigestWait is how long after its digest time (or after the start, for a
// round caught up then) a digest waits for the recompute jobs that are due
// or running; then it goes with the states as they stand (and says so in
// the log).
const DigestWait = time.Hour

// Mailer drains the outbox; *notify.Sender is one.
type Mailer interface {
	Drain(ctx context.Context) (notify.DrainStats, error)
}

// Dispatcher composes the digests of a digest time and records its round
// in job_runs (job digest, the digest time's key); *notify.Composer is one.
type Dispatcher interface {
	Dispatch(ctx context.Context, slot time.Time) (notify.Composed, error)
}

// Event is what the scheduler did with one trigger of one job. Observers
// (metrics, tests) get every one.
type Event struct {
	Job     finding.Job
	Trigger string
	Result  string // ok | failed | skipped
	Reason  string // why it was skipped
	Period  string // recompute jobs
	RunID   string // recompute jobs, when a run was recorded
	Err     error
	// At is when the trigger was handled (scheduler clock); Duration is
	// the wall time the run took.
	At       time.Time
	Duration time.Duration
	Mail     notify.DrainStats // send job
	Digests  notify.Composed   // digest job
}

// SchedulerOptions tune a Scheduler; the zero value serves production.
type SchedulerOptions struct {
	// Clock drives gocron's timers and the "now" of every run; tests pass a
	// clockwork fake clock. Default: the real clock.
	Clock clockwork.Clock
	// Elector, when set, is asked before every run; only the replica it
	// names leader runs anything (leader.PGElector). Nil: this process is
	// the only one (SQLite mode, guarded by leader.LockFile).
	Elector gocron.Elector
	// Jobs limits the scheduled jobs to these names. Default: every job in
	// the configuration's schedule, and the digest at mail.digest_times.
	Jobs []finding.Job
	// Dispatcher composes the digests for the digest job; required when
	// the digest is scheduled (by default it is).
	Dispatcher Dispatcher
	// CatchUpEvery is how often the catch-up pass runs after the one at
	// start. Default 5 minutes.
	CatchUpEvery time.Duration
	// StopTimeout is how long Stop lets a running job finish before it
	// cancels it. Default 60 seconds.
	StopTimeout time.Duration
	// StaleAfter is the age after which a run recorded as "running" by
	// another process is taken for dead (that process crashed) and the
	// period is run again. Default 1 hour.
	StaleAfter time.Duration
	// Observe, when set, is called synchronously with every Event; it must
	// be quick and safe for concurrent use.
	Observe func(Event)
	Log     *slog.Logger
}

// Scheduler runs the jobs on their cron specs in the configured time zone,
// and the digest at the digest times (mail.digest_times).
//
// gocron only triggers: it never replays occurrences missed while the
// process was down. The period logic is ours. A recompute job is due when
// its latest scheduled occurrence (at or before now) has not been handled,
// i.e. no successful run, for the period of that occurrence's day or for
// today's period, started at or after the occurrence. A due job runs once,
// for today's period only (like Kubernetes CronJob, the most recent missed
// run, not one per missed tick). The check runs at start, at each of the
// job's own occurrences and in a catch-up pass every CatchUpEvery, so a
// failed run (recorded as failed with its error) is retried at the next
// pass. Judging by occurrences rather than by "today's period has no run"
// keeps a daily job at its configured hour: deadlines at 07:00 does not run
// at 00:05 just because the day changed.
//
// The same check fences replicas: a replica whose clock lags and fires an
// occurrence another already ran finds it handled and skips it.
//
// The digest job's period is its digest time ("2026-11-25T08:00"): it is
// due while the latest digest time has no successful round in job_runs,
// so a round missed while the process was down goes out at start (the
// latest one only), after the catch-up of the recompute jobs, and a
// manual notify's round counts. It waits for recompute jobs that are due
// or running (up to DigestWait), so it mails the day's states.
type Scheduler struct {
	runner  Runner
	mailer  Mailer
	cfg     *config.Config
	loc     *time.Location
	clock   clockwork.Clock
	log     *slog.Logger
	observe func(Event)
	opt     SchedulerOptions

	cron      gocron.Scheduler
	specs     map[finding.Job]cron.Schedule
	recompute []finding.Job // scheduled recompute jobs, in finding.RecomputeJobs order
	sendJob   gocron.Job
	digest    bool         // the digest job is scheduled
	slots     notify.Slots // its digest times
	started   time.Time    // when Start was called (scheduler clock)

	runCtx     context.Context
	cancelRuns context.CancelFunc

	mu       sync.Mutex
	stopping bool
	stopped  chan struct{} // closed when Stop begins
	busy     map[finding.Job]bool
	inflight sync.WaitGroup
}

// NewScheduler builds the schedule of every configured job from r's
// configuration. r is copied; its Now is replaced by the scheduler's clock.
// m drains the outbox for the send job and may be nil when send is not
// scheduled.
func NewScheduler(r *Runner, m Mailer, opt SchedulerOptions) (*Scheduler, error) {
	if r == nil || r.Store == nil || r.Config == nil {
		return nil, errors.New("scheduler: runner needs a store and a configuration")
	}
	if opt.Clock == nil {
		opt.Clock = clockwork.NewRealClock()
	}
	if opt.CatchUpEvery <= 0 {
		opt.CatchUpEvery = 5 * time.Minute
	}
	if opt.StopTimeout <= 0 {
		opt.StopTimeout = 60 * time.Second
	}
	if opt.StaleAfter <= 0 {
		opt.StaleAfter = time.Hour
	}
	log := opt.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := r.Config
	s := &Scheduler{
		runner: *r, mailer: m, cfg: cfg, loc: cfg.Location(), clock: opt.Clock,
		log: log, observe: opt.Observe, opt: opt,
		specs: map[finding.Job]cron.Schedule{}, busy: map[finding.Job]bool{}, stopped: make(chan struct{}),
	}
	s.runner.Now = s.clock.Now
	if s.runner.Log == nil {
		s.runner.Log = log
	}
	s.runCtx, s.cancelRuns = context.WithCancel(context.Background())

	names := opt.Jobs
	if names == nil {
		for _, j := range finding.Jobs() {
			if _, ok := cfg.Schedule[j]; ok || j == finding.JobDigest {
				names = append(names, j)
			}
		}
	}
	for _, j := range names {
		if j == finding.JobDigest {
			s.digest, s.slots = true, notify.SlotsOf(cfg)
			if len(cfg.Mail.DigestClock()) == 0 {
				return nil, errors.New("scheduler: mail.digest_times: no digest time configured")
			}
			continue
		}
		spec, ok := cfg.Schedule[j]
		if !ok {
			return nil, fmt.Errorf("scheduler: schedule.%s: no cron spec configured", j)
		}
		if j != finding.JobSend && !j.Recomputes() {
			return nil, fmt.Errorf("scheduler: schedule.%s: unknown job; use one of %s", j, strings.Join(finding.Strings(finding.Jobs()), ", "))
		}
		sched, err := ParseSpec(spec, s.loc)
		if err != nil {
			return nil, fmt.Errorf("scheduler: schedule.%s: %w", j, err)
		}
		s.specs[j] = sched
	}
	if _, ok := s.specs[finding.JobSend]; ok && m == nil {
		return nil, errors.New("scheduler: the send job is scheduled but no mailer was given")
	}
	if s.digest && opt.Dispatcher == nil {
		return nil, errors.New("scheduler: the digest job is scheduled (mail.digest_times) but no dispatcher was given")
	}
	for _, j := range finding.RecomputeJobs() {
		if _, ok := s.specs[j]; ok {
			s.recompute = append(s.recompute, j)
		}
	}

	opts := []gocron.SchedulerOption{
		gocron.WithLocation(s.loc),
		gocron.WithClock(s.clock),
		gocron.WithLogger(log.With("component", "gocron")),
		gocron.WithStopTimeout(opt.StopTimeout),
	}
	if opt.Elector != nil {
		opts = append(opts, gocron.WithDistributedElector(observedElector{inner: opt.Elector, s: s}))
	}
	c, err := gocron.NewScheduler(opts...)
	if err != nil {
		return nil, fmt.Errorf("scheduler: %w", err)
	}
	s.cron = c
	if err := s.define(); err != nil {
		_ = c.Shutdown()
		return nil, err
	}
	return s, nil
}

type jobKey struct{}

// jobCtx labels a gocron job's context with its name, so the elector
// wrapper can say which job it skipped.
func jobCtx(name finding.Job) context.Context {
	return context.WithValue(context.Background(), jobKey{}, name)
}

// singleton makes a job still running at its next occurrence skip that
// occurrence instead of queueing a second run behind it.
func singleton() gocron.JobOption { return gocron.WithSingletonMode(gocron.LimitModeReschedule) }

func (s *Scheduler) define() error {
	for _, j := range s.recompute {
		_, err := s.cron.NewJob(gocron.CronJob(s.cfg.Schedule[j], false),
			gocron.NewTask(func() { s.runIfDue(&s.runner, j, TriggerSchedule) }),
			gocron.WithName(string(j)), gocron.WithContext(jobCtx(j)), singleton())
		if err != nil {
			return fmt.Errorf("scheduler: schedule.%s %q: %w", j, s.cfg.Schedule[j], err)
		}
	}
	if s.digest {
		for _, at := range s.cfg.Mail.DigestClock() {
			spec := fmt.Sprintf("%d %d * * *", int(at%time.Hour/time.Minute), int(at/time.Hour))
			_, err := s.cron.NewJob(gocron.CronJob(spec, false),
				gocron.NewTask(func() { s.digestIfDue(TriggerSchedule) }),
				gocron.WithName(string(finding.JobDigest)), gocron.WithContext(jobCtx(finding.JobDigest)), singleton())
			if err != nil {
				return fmt.Errorf("scheduler: mail.digest_times %q: %w", spec, err)
			}
		}
	}
	if len(s.recompute) > 0 || s.digest {
		// Starts immediately: this is the catch-up at start. Not a
		// gocron singleton: a pass that overlaps the previous one finds
		// its jobs busy (enter) and skips them, instead of gocron
		// silently dropping the whole tick.
		_, err := s.cron.NewJob(gocron.DurationJob(s.opt.CatchUpEvery),
			gocron.NewTask(s.catchUp),
			gocron.WithName(string(CatchUp)), gocron.WithContext(jobCtx(CatchUp)),
			gocron.WithStartAt(gocron.WithStartImmediately()))
		if err != nil {
			return fmt.Errorf("scheduler: catch-up: %w", err)
		}
	}
	if _, ok := s.specs[finding.JobSend]; ok {
		// Mail left in the outbox by the last process goes out at start.
		job, err := s.cron.NewJob(gocron.CronJob(s.cfg.Schedule[finding.JobSend], false),
			gocron.NewTask(func() { s.send(TriggerSchedule) }),
			gocron.WithName(string(finding.JobSend)), gocron.WithContext(jobCtx(finding.JobSend)), singleton(),
			gocron.WithStartAt(gocron.WithStartImmediately()))
		if err != nil {
			return fmt.Errorf("scheduler: schedule.%s %q: %w", finding.JobSend, s.cfg.Schedule[finding.JobSend], err)
		}
		s.sendJob = job
	}
	return nil
}

// Start starts the timers. The catch-up pass and the send job run at once.
func (s *Scheduler) Start() {
	s.mu.Lock()
	s.started = s.clock.Now()
	s.mu.Unlock()
	s.cron.Start()
	for _, j := range s.cron.Jobs() {
		next, err := j.NextRun()
		if err != nil {
			continue
		}
		s.log.Info("job scheduled", "job", j.Name(), "next", next.In(s.loc).Format(time.RFC3339))
	}
}

// Run starts the scheduler, waits for ctx to end (SIGTERM, SIGINT) and
// stops it: no new run starts, a running one may finish within the stop
// timeout.
func (s *Scheduler) Run(ctx context.Context) error {
	s.Start()
	<-ctx.Done()
	s.log.Info("stopping scheduler", "stop_timeout", s.opt.StopTimeout.String())
	return s.Stop()
}

// cancelGrace is how long Stop waits for cancelled runs to return.
const cancelGrace = 15 * time.Second

// Stop stops triggering runs and waits up to the stop timeout for the
// running ones to finish. Runs still going then are cancelled (they record
// themselves as failed) and Stop reports that.
func (s *Scheduler) Stop() error {
	s.mu.Lock()
	already := s.stopping
	s.stopping = true
	s.mu.Unlock()
	if already {
		return nil
	}
	close(s.stopped)
	shut := make(chan error, 1)
	go func() { shut <- s.cron.Shutdown() }()
	done := make(chan struct{})
	go func() { s.inflight.Wait(); close(done) }()

	var err error
	t := time.NewTimer(s.opt.StopTimeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		s.log.Warn("running jobs did not finish within the stop timeout; cancelling them", "stop_timeout", s.opt.StopTimeout.String())
		s.cancelRuns()
		err = fmt.Errorf("stop: running jobs did not finish within %s and were cancelled", s.opt.StopTimeout)
		// A cancelled run returns as soon as its next database call sees
		// the cancellation and records the failure; do not wait forever
		// on one that does not.
		select {
		case <-done:
		case <-time.After(cancelGrace):
			return fmt.Errorf("stop: running jobs did not finish within %s, nor %s after being cancelled", s.opt.StopTimeout, cancelGrace)
		}
	}
	s.cancelRuns()
	if serr := <-shut; serr != nil && err == nil && !errors.Is(serr, gocron.ErrStopSchedulerTimedOut) {
		err = fmt.Errorf("stop scheduler: %w", serr)
	}
	return err
}

// enter marks job as running in this process unless it already is or the
// scheduler is stopping.
func (s *Scheduler) enter(job finding.Job) (ok bool, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return false, ReasonStopping
	}
	if s.busy[job] {
		return false, ReasonBusy
	}
	s.busy[job] = true
	s.inflight.Add(1)
	return true, ""
}

func (s *Scheduler) leave(job finding.Job) {
	s.mu.Lock()
	delete(s.busy, job)
	s.mu.Unlock()
	s.inflight.Done()
}

func (s *Scheduler) emit(e Event) {
	if e.At.IsZero() {
		e.At = s.clock.Now()
	}
	if s.observe != nil {
		s.observe(e)
	}
}

// catchUp runs every recompute job that is due, then the digest of the
// latest digest time when it has not gone out: the most recent missed one
// only, as for the jobs.
func (s *Scheduler) catchUp() {
	// One round: the jobs due read the data contract once between them,
	// the windows of statistics they sum are summed side by side from the
	// start (Runner.Prefetch), and they run side by side as RunRound runs
	// them.
	round := s.runner.Round()
	stop := round.Prefetch(s.runCtx, period.Day(s.clock.Now(), s.loc), s.dueNow()...)
	inRound(s.recompute, true, func(i int, await awaitFunc) { s.runIfDue(round.awaiting(await), s.recompute[i], TriggerCatchUp) })
	stop()
	if s.digest {
		s.digestIfDue(TriggerCatchUp)
	}
}

// dueNow lists the recompute jobs that are free and due now, for the
// catch-up's prefetch; runIfDue decides again for each (and reports a
// check that failed, which leaves its job out here).
func (s *Scheduler) dueNow() []finding.Job {
	var due []finding.Job
	_ = s.eachRecompute(s.clock.Now(), func(j finding.Job, busy, isDue bool) {
		if !busy && isDue {
			due = append(due, j)
		}
	}, false)
	return due
}

// eachRecompute tells fn, for each scheduled recompute job, whether it is
// running in this process and, when not, whether it is due at now (see
// due). With strict, the first job whose state cannot be told stops it
// with the error; without, that job is left out.
func (s *Scheduler) eachRecompute(now time.Time, fn func(j finding.Job, busy, due bool), strict bool) error {
	today := period.Day(now, s.loc)
	for _, j := range s.recompute {
		s.mu.Lock()
		busy := s.busy[j]
		s.mu.Unlock()
		if busy {
			fn(j, true, false)
			continue
		}
		per, err := s.runner.PeriodOf(j, today)
		var due bool
		if err == nil {
			due, _, err = s.due(j, per, now)
		}
		if err != nil {
			if strict {
				return err
			}
			continue
		}
		fn(j, false, due)
	}
	return nil
}

// runIfDue runs job with r (the scheduler's runner, or a catch-up's
// round) for today's period when its latest occurrence has not been
// handled yet. The event is reported once the job is released, so an
// observer that reacts to it finds the job free again.
func (s *Scheduler) runIfDue(r *Runner, job finding.Job, trigger string) {
	ok, reason := s.enter(job)
	if !ok {
		s.emit(Event{Job: job, Trigger: trigger, Result: ResultSkipped, Reason: reason})
		return
	}
	ev := s.runIfDueEntered(r, job, trigger)
	s.leave(job)
	s.emit(ev)
	s.afterRun(ev)
}

// afterRun sends at once what a successful run queued (immediate mail,
// digests) instead of at the next send tick.
func (s *Scheduler) afterRun(ev Event) {
	if ev.Result != ResultOK || s.sendJob == nil {
		return
	}
	s.mu.Lock()
	stopping := s.stopping
	s.mu.Unlock()
	if !stopping {
		if err := s.sendJob.RunNow(); err != nil {
			s.log.Debug("could not trigger the send job", "err", err)
		}
	}
}

func (s *Scheduler) runIfDueEntered(r *Runner, job finding.Job, trigger string) Event {
	now := s.clock.Now()
	today := period.Day(now, s.loc)
	per, err := s.runner.PeriodOf(job, today)
	if err != nil {
		return Event{Job: job, Trigger: trigger, Result: ResultFailed, Err: err}
	}
	log := s.log.With("job", job, "period", per, "trigger", trigger)
	due, reason, err := s.due(job, per, now)
	if err != nil {
		log.Error("cannot tell whether the job is due", "err", err)
		return Event{Job: job, Trigger: trigger, Result: ResultFailed, Reason: ReasonCheckFailed, Period: per, Err: err}
	}
	if !due {
		log.Debug("job not due", "reason", reason)
		return Event{Job: job, Trigger: trigger, Result: ResultSkipped, Reason: reason, Period: per}
	}
	start := time.Now()
	res, err := s.safeRun(r, job, per, today, now)
	ev := Event{Job: job, Trigger: trigger, Period: per, Duration: time.Since(start), Err: err}
	if err != nil {
		ev.Result = ResultFailed
		// Runner.Run logged the failure with its run id; find the id for
		// the event.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if r, found, rerr := s.runner.Store.RunOf(ctx, job, per); rerr == nil && found && !r.StartedAt.Before(now) {
			ev.RunID = r.RunID
		}
		cancel()
		return ev
	}
	ev.Result, ev.RunID = ResultOK, res.RunID
	return ev
}

// digestIfDue composes the digests of the latest digest time unless that
// round is recorded done (by this process, another replica, or a manual
// notify). It waits while a recompute job is due or running, up to
// DigestWait after the digest time, so that a digest mails the day's
// states rather than yesterday's.
func (s *Scheduler) digestIfDue(trigger string) {
	job := finding.JobDigest
	ok, reason := s.enter(job)
	if !ok {
		s.emit(Event{Job: job, Trigger: trigger, Result: ResultSkipped, Reason: reason})
		return
	}
	ev := s.digestEntered(trigger)
	s.leave(job)
	s.emit(ev)
	s.afterRun(ev)
}

func (s *Scheduler) digestEntered(trigger string) Event {
	job := finding.JobDigest
	now := s.clock.Now()
	slot := s.slots.Latest(now)
	per := s.slots.Key(slot)
	log := s.log.With("job", job, "period", per, "trigger", trigger)
	ctx, cancel := context.WithTimeout(s.runCtx, 30*time.Second)
	r, found, err := s.runner.Store.RunOf(ctx, job, per)
	cancel()
	switch {
	case err != nil:
		log.Error("cannot tell whether the digest is due", "err", err)
		return Event{Job: job, Trigger: trigger, Result: ResultFailed, Reason: ReasonCheckFailed, Period: per, Err: err}
	case found && r.Status == store.RunOK:
		return Event{Job: job, Trigger: trigger, Result: ResultSkipped, Reason: ReasonUpToDate, Period: per}
	case found && r.Status == store.RunRunning && now.Sub(r.StartedAt) < s.opt.StaleAfter:
		return Event{Job: job, Trigger: trigger, Result: ResultSkipped, Reason: ReasonRunningElsewhere, Period: per}
	}
	pending, err := s.pendingJobs(now)
	if err != nil {
		log.Error("cannot tell whether the recompute jobs are done", "err", err)
		return Event{Job: job, Trigger: trigger, Result: ResultFailed, Reason: ReasonCheckFailed, Period: per, Err: err}
	}
	if len(pending) > 0 {
		// A round caught up at start waits as long as one on time.
		from := slot
		s.mu.Lock()
		if s.started.After(from) {
			from = s.started
		}
		s.mu.Unlock()
		if now.Sub(from) < DigestWait {
			log.Info("digest waits for the recompute jobs", "jobs", finding.Strings(pending))
			return Event{Job: job, Trigger: trigger, Result: ResultSkipped, Reason: ReasonWaitingForJobs, Period: per}
		}
		log.Warn("digest goes out although recompute jobs are not done; their alerts are as the last successful runs left them",
			"jobs", finding.Strings(pending), "waited", DigestWait.String())
	}
	start := time.Now()
	out, err := s.safeDispatch(slot)
	ev := Event{Job: job, Trigger: trigger, Period: per, Duration: time.Since(start), Err: err, Digests: out, RunID: out.RunID, Result: ResultOK}
	if err != nil {
		ev.Result = ResultFailed
	}
	return ev
}

// pendingJobs lists the scheduled recompute jobs that are running in this
// process or due (see due).
func (s *Scheduler) pendingJobs(now time.Time) ([]finding.Job, error) {
	var out []finding.Job
	err := s.eachRecompute(now, func(j finding.Job, busy, due bool) {
		if busy || due {
			out = append(out, j)
		}
	}, true)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// safeDispatch runs the dispatcher and turns a panic into a failed round.
func (s *Scheduler) safeDispatch(slot time.Time) (out notify.Composed, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("digest: panic: %v", p)
			s.log.Error("digest panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
	}()
	return s.opt.Dispatcher.Dispatch(s.runCtx, slot)
}

// due decides whether job must run now for period per (see Scheduler).
func (s *Scheduler) due(job finding.Job, per string, now time.Time) (bool, string, error) {
	ctx, cancel := context.WithTimeout(s.runCtx, 30*time.Second)
	defer cancel()
	periods := []string{per}
	// With no occurrence in the last five years, occ stays zero: only a
	// period never run successfully is due.
	occ, ok := PrevOccurrence(s.specs[job], now)
	if ok {
		occPer, err := s.runner.PeriodOf(job, period.Day(occ, s.loc))
		if err != nil {
			return false, "", err
		}
		if occPer != per {
			periods = append(periods, occPer)
		}
	}
	for _, p := range periods {
		r, found, err := s.runner.Store.RunOf(ctx, job, p)
		if err != nil {
			return false, "", err
		}
		if !found || r.StartedAt.Before(occ) {
			continue
		}
		switch r.Status {
		case store.RunOK:
			return false, ReasonUpToDate, nil
		case store.RunRunning:
			// This process's runs are excluded by enter; a recent running
			// record is another process's run in progress.
			if now.Sub(r.StartedAt) < s.opt.StaleAfter {
				return false, ReasonRunningElsewhere, nil
			}
		}
	}
	return true, "", nil
}

// safeRun runs the job and turns a panic into a failed run.
func (s *Scheduler) safeRun(run *Runner, job finding.Job, per string, day, now time.Time) (res *Result, err error) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		err = fmt.Errorf("%s %s: panic: %v", job, per, p)
		s.log.Error("job panicked", "job", job, "period", per, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if r, found, rerr := s.runner.Store.RunOf(ctx, job, per); rerr == nil && found && r.Status == store.RunRunning && !r.StartedAt.Before(now) {
			if ferr := s.runner.Store.FailRun(ctx, job, per, r.RunID, s.clock.Now(), err); ferr != nil {
				s.log.Error("record job failure", "job", job, "period", per, "err", ferr)
			}
		}
	}()
	return run.Run(s.runCtx, job, day)
}

// send drains the outbox.
func (s *Scheduler) send(trigger string) {
	ok, reason := s.enter(finding.JobSend)
	if !ok {
		s.emit(Event{Job: finding.JobSend, Trigger: trigger, Result: ResultSkipped, Reason: reason})
		return
	}
	start := time.Now()
	st, err := s.safeDrain()
	s.leave(finding.JobSend)
	ev := Event{Job: finding.JobSend, Trigger: trigger, Result: ResultOK, Duration: time.Since(start), Mail: st, Err: err}
	if err != nil {
		ev.Result = ResultFailed
		s.log.Error("sending mail failed", "job", finding.JobSend, "err", err, "sent", st.Sent, "retry", st.Retried, "failed", st.Failed)
	} else if st.Sent+st.Retried+st.Failed > 0 {
		s.log.Info("mail sent", "job", finding.JobSend, "sent", st.Sent, "retry", st.Retried, "failed", st.Failed)
	}
	s.emit(ev)
}

func (s *Scheduler) safeDrain() (st notify.DrainStats, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("send: panic: %v", p)
			s.log.Error("send panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
	}()
	return s.mailer.Drain(s.runCtx)
}

// Jobs lists the scheduled job names (recompute jobs, digest, send).
func (s *Scheduler) Jobs() []finding.Job {
	out := slices.Clone(s.recompute)
	if s.digest {
		out = append(out, finding.JobDigest)
	}
	if s.sendJob != nil {
		out = append(out, finding.JobSend)
	}
	return out
}

// observedElector reports the runs the elector vetoes.
type observedElector struct {
	inner gocron.Elector
	s     *Scheduler
}

func (o observedElector) IsLeader(ctx context.Context) error {
	err := o.inner.IsLeader(ctx)
	if err != nil {
		job, _ := ctx.Value(jobKey{}).(finding.Job)
		if !errors.Is(err, leader.ErrNotLeader) {
			o.s.log.Warn("leader election failed; skipping the run", "job", job, "err", err)
		}
		o.s.emit(Event{Job: job, Trigger: TriggerSchedule, Result: ResultSkipped, Reason: ReasonNotLeader, Err: err})
	}
	return err
}

// ParseSpec parses a standard 5-field cron spec in loc, as gocron does
// (a spec that names its own CRON_TZ= or TZ= keeps it).
func ParseSpec(spec string, loc *time.Location) (cron.Schedule, error) {
	spec = strings.TrimSpace(spec)
	if !strings.HasPrefix(spec, "TZ=") && !strings.HasPrefix(spec, "CRON_TZ=") {
		spec = "CRON_TZ=" + loc.String() + " " + spec
	}
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("cron spec %q: %w", spec, err)
	}
	return sched, nil
}

// DigestSchedule is the digest job's schedule: each of the digest times
// (mail.digest_times) every day, in the province.
func DigestSchedule(cfg *config.Config) (cron.Schedule, error) {
	var each anyOf
	for _, at := range cfg.Mail.DigestClock() {
		sched, err := ParseSpec(fmt.Sprintf("%d %d * * *", int(at%time.Hour/time.Minute), int(at/time.Hour)), cfg.Location())
		if err != nil {
			return nil, fmt.Errorf("mail.digest_times: %w", err)
		}
		each = append(each, sched)
	}
	if len(each) == 0 {
		return nil, errors.New("mail.digest_times: no digest time configured")
	}
	return each, nil
}

// anyOf fires whenever one of its schedules does.
type anyOf []cron.Schedule

func (a anyOf) Next(t time.Time) time.Time {
	var next time.Time
	for _, s := range a {
		if n := s.Next(t); !n.IsZero() && (next.IsZero() || n.Before(next)) {
			next = n
		}
	}
	return next
}

// NextRuns lists the next n activations of sched after from.
func NextRuns(sched cron.Schedule, from time.Time, n int) []time.Time {
	out := make([]time.Time, 0, n)
	t := from
	for range n {
		t = sched.Next(t)
		if t.IsZero() {
			break
		}
		out = append(out, t)
	}
	return out
}

// PrevOccurrence returns sched's latest activation at or before now;
// false when there is none in the last five years. robfig/cron only
// computes forward, so it searches back over growing windows.
func PrevOccurrence(sched cron.Schedule, now time.Time) (time.Time, bool) {
	for _, span := range []time.Duration{2 * time.Minute, time.Hour, 25 * time.Hour, 32 * 24 * time.Hour, 367 * 24 * time.Hour, 5 * 366 * 24 * time.Hour} {
		t := sched.Next(now.Add(-span))
		if t.IsZero() || t.After(now) {
			continue
		}
		for {
			n := sched.Next(t)
			if n.IsZero() || n.After(now) {
				return t, true
			}
			t = n
		}
	}
	return time.Time{}, false
}
