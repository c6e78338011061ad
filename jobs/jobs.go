// Package jobs holds the worker's jobs: each reads the store, applies the
// rules and writes its findings for one statistical period in one
// transaction, so a run either leaves its whole result or nothing, and
// rerunning a period replaces the result instead of adding to it.
package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/contract"
	"chuyenhoa/finding"
	"chuyenhoa/period"
	"chuyenhoa/store"
)

// Hook runs inside a job's transaction after its findings are written; the
// notifier moves the alerts there (and queues the mail of kinds mailed at
// once), so findings and alert states stay consistent. A preview runs the
// whole run in a rehearsal (store.Rehearse), which keeps nothing.
type Hook func(ctx context.Context, tx *store.Tx, job finding.Job, period string, findings []store.Finding) error

// Runner runs jobs against one store with one configuration.
type Runner struct {
	Store  *store.Store
	Config *config.Config
	Log    *slog.Logger
	Now    func() time.Time
	// AfterFindings, when set, runs in each job's transaction.
	AfterFindings Hook
	// BeforeCommit, when set, runs in each job's transaction after the
	// findings and the mail are written and before the run is recorded as
	// finished; an error rolls everything back. It is a fault point for
	// the end-to-end tests (the binary sets it only from CHUYENHOA_FAULT),
	// where a run is killed or its database connections cut right there.
	BeforeCommit func(ctx context.Context, job finding.Job, period string) error

	// shared is the round's reads of the data contract (see Round); nil
	// when each run reads alone.
	shared *contract.Shared
	// await is waitFor's, for a job of a round (RunRound); nil otherwise.
	await awaitFunc
	// proposed is the round's proposals (propose); nil outside a round.
	proposed *proposed
}

// Round returns a runner for one round of jobs (run-once all, notify, a
// catch-up; see RunRound): they read each relation of the data contract
// once, and a window of statistics they share is aggregated once
// (contract.Shared). Each job still checks what it reads and reports its
// own data errors. Use it for one round only: a later round must read the
// data afresh.
func (r *Runner) Round() *Runner {
	rr := *r
	rr.shared, rr.proposed = contract.NewShared(), &proposed{}
	return &rr
}

// Prefetch starts, side by side in the background, the aggregations the
// jobs of r's round will read when run on day (contract.Source.Prefetch):
// each window of statistics they sum is being summed while the jobs
// before its own run, instead of after them. Call it on a round (Round)
// before its jobs, from the goroutine that runs them, and call the stop
// it returns when the round ends, a failed job included (defer
// r.Prefetch(ctx, day, jobs...)()): it cancels what is still running and
// waits for it. It changes no job's result: a job finds the sums it would
// have read itself, and reports their data problems as its own. Outside a
// round, or on a rehearsal's view of the store, it does nothing.
func (r *Runner) Prefetch(ctx context.Context, day time.Time, jobs ...finding.Job) (stop func()) {
	if r.shared == nil {
		return func() {}
	}
	cal := r.Config.Calendar()
	var windows []period.Range
	for _, j := range jobs {
		if e, ok := registry[j]; ok && e.sums != nil {
			windows = append(windows, e.sums(cal, day)...)
		}
	}
	stop, err := r.Source(day).Prefetch(ctx, windows...)
	if err != nil {
		// The jobs read for themselves, and meet the error in their run.
		r.logger().Warn("could not prefetch the round's statistics; its jobs read them in turn", "err", err)
	}
	return stop
}

// RunRound runs jobs for day as one round (Round, unless r is one):
// the windows of statistics they sum are summed side by side from the
// start (Prefetch), and the jobs run side by side as well, so that one
// job's rules run while another's aggregation or transaction keeps the
// database busy. A job that reads what another of the round writes waits
// for that one's run to finish, if it is listed before it, before it
// settles on what it read (the cycle reads the relapse states the relapse
// check writes: it works its year out meanwhile, then reads them again
// and starts over if they moved; waitFor, runCycle). Each
// job thus finds what it would find run one after the other in the order
// given, as the scheduler runs it: a failed job does not stop the others,
// and one that reads its writes reads what is stored. On a rehearsal's
// view (one transaction) they run one after the other. The results come
// in the order of jobs, nil for a job that failed, with every failure in
// the error.
func (r *Runner) RunRound(ctx context.Context, day time.Time, jobs ...finding.Job) ([]*Result, error) {
	if r.shared == nil {
		r = r.Round()
	}
	defer r.Prefetch(ctx, day, jobs...)()
	res := make([]*Result, len(jobs))
	errs := make([]error, len(jobs))
	inRound(jobs, !r.Store.Rehearsing(), func(i int, await awaitFunc) {
		res[i], errs[i] = r.awaiting(await).Run(ctx, jobs[i], day)
	})
	return res, errors.Join(errs...)
}

// awaitFunc waits until the run of job in the same round has finished
// (waitFor).
type awaitFunc func(ctx context.Context, job finding.Job) error

// inRound calls run for each of a round's jobs (its index in jobs), side
// by side when together is set, one after the other in their order
// otherwise, and returns when all have returned. The await it gives a
// job's run waits for the run of a job listed before it, and returns at
// once for any other job: jobs run in turn would not have run that one
// yet.
func inRound(jobs []finding.Job, together bool, run func(i int, await awaitFunc)) {
	done := make([]chan struct{}, len(jobs))
	for i := range done {
		done[i] = make(chan struct{})
	}
	var wg sync.WaitGroup
	for i := range jobs {
		await := func(ctx context.Context, j finding.Job) error {
			k := slices.Index(jobs[:i], j)
			if k < 0 {
				return nil
			}
			select {
			case <-done[k]:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		one := func() {
			defer close(done[i])
			run(i, await)
		}
		if together {
			wg.Go(one)
		} else {
			one()
		}
	}
	wg.Wait()
}

// awaiting returns r for a job of a round whose waitFor is await.
func (r *Runner) awaiting(await awaitFunc) *Runner {
	rr := *r
	rr.await = await
	return &rr
}

// waitFor is where a job about to read what job writes waits for job's
// run of the round to finish, when the round runs it before this one
// (RunRound); outside a round it returns at once.
func (r *Runner) waitFor(ctx context.Context, job finding.Job) error {
	if r.await == nil {
		return nil
	}
	if err := r.await(ctx, job); err != nil {
		return fmt.Errorf("wait for the %s run of the round: %w", job, err)
	}
	return nil
}

// Result is what one job run produced.
type Result struct {
	Job           finding.Job
	Period, RunID string
	Findings      []store.Finding
	// Report is the job's typed result: *CandidatesReport, *RelapseReport,
	// *DeadlinesReport or *CycleReport.
	Report any
	Took   time.Duration // from the run's start to its commit
}

// outcome is a job's computed result before it is stored.
type outcome struct {
	findings []store.Finding
	apply    func(ctx context.Context, tx *store.Tx) error
	report   any
	// settle, when set, waits for what the outcome was worked out from to
	// be final (another job of the round) and returns the outcome again
	// if that moved, nil if it stands (runCycle). On PostgreSQL execute
	// calls it with the findings written and not yet committed, so that
	// their write overlaps the wait; on SQLite, whose one writer is the
	// job waited for, before it begins the transaction.
	settle func(ctx context.Context) (*outcome, error)
}

// jobFunc computes a job's outcome, reading the data contract through src.
type jobFunc func(ctx context.Context, r *Runner, src *contract.Source, day time.Time) (*outcome, error)

// registry holds the recompute jobs (finding.RecomputeJobs).
var registry = map[finding.Job]struct {
	period func(c period.Calendar, day time.Time) string
	run    jobFunc
	// sums are the windows of statistics the job sums when run on day
	// (contract.Source.Counts): what Prefetch starts ahead.
	sums func(c period.Calendar, day time.Time) []period.Range
}{
	finding.JobCandidates: {candidatesPeriod, runCandidates, referenceYear},
	finding.JobRelapse:    {relapsePeriod, runRelapse, relapseWindow},
	finding.JobDeadlines:  {deadlinesPeriod, runDeadlines, nil},
	// The cycle's proposal sums the candidates' reference year.
	finding.JobCycle: {cyclePeriod, runCycle, referenceYear},
}

// PeriodOf returns the period key job covers when run on day.
func (r *Runner) PeriodOf(job finding.Job, day time.Time) (string, error) {
	j, ok := registry[job]
	if !ok {
		return "", fmt.Errorf("unknown job %q (known: %v)", job, finding.RecomputeJobs())
	}
	return j.period(r.Config.Calendar(), day), nil
}

// Today is the current day in the province.
func (r *Runner) Today() time.Time {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	return period.Day(now(), r.Config.Location())
}

// Run runs job for the period that contains day. The run is recorded in
// job_runs; its findings (and any hook's writes) land in one transaction
// with the run's completion, so a crash leaves the previous result intact.
func (r *Runner) Run(ctx context.Context, job finding.Job, day time.Time) (*Result, error) {
	j, ok := registry[job]
	if !ok {
		return nil, fmt.Errorf("unknown job %q (known: %v)", job, finding.RecomputeJobs())
	}
	per := j.period(r.Config.Calendar(), day)
	runID := store.NewRunID()
	log := r.logger().With("job", job, "period", per, "run_id", runID)
	now := r.clock()
	if _, err := r.Store.StartRun(ctx, job, per, runID, now()); err != nil {
		return nil, fmt.Errorf("%s %s: record start: %w", job, per, err)
	}
	log.Info("job started", "day", day.Format(time.DateOnly))
	start := time.Now()
	res, err := r.execute(ctx, j.run, job, per, runID, day)
	if err != nil {
		if store.ConnectionLost(err) {
			// What a database restart or a network cut looks like from
			// here. The transaction was rolled back: nothing of this run
			// was stored, and the period is run again next time.
			err = fmt.Errorf("database connection lost (server restarted or network cut); nothing of this run was stored, run the period again (the service does at its next catch-up): %w", err)
		}
		log.Error("job failed", "err", err, "duration", time.Since(start).Round(time.Millisecond).String())
		// Record the failure on a fresh context: the run's own may be the
		// reason it failed.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if ferr := r.Store.FailRun(fctx, job, per, runID, now(), err); ferr != nil {
			log.Error("record job failure", "err", ferr)
		}
		return nil, fmt.Errorf("%s %s: %w", job, per, err)
	}
	res.Took = time.Since(start)
	log.Info("job finished", "findings", len(res.Findings), "duration", res.Took.Round(time.Millisecond).String())
	return res, nil
}

func (r *Runner) execute(ctx context.Context, run jobFunc, job finding.Job, per, runID string, day time.Time) (*Result, error) {
	src := r.Source(day)
	out, err := run(ctx, r, src, day)
	if err != nil {
		return nil, err
	}
	// settled makes out the outcome that stands once out.settle has
	// waited, and tells whether it is a new one.
	settled := func(ctx context.Context) (bool, error) {
		again, err := out.settle(ctx)
		out.settle = nil
		if err != nil || again == nil {
			return false, err
		}
		out = again
		return true, nil
	}
	if out.settle != nil && r.Store.Dialect() != store.Postgres {
		if _, err := settled(ctx); err != nil {
			return nil, err
		}
	}
	if err := r.complete(out, src, job, per, runID); err != nil {
		return nil, err
	}
	err = r.Store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.ReplaceFindings(ctx, job, per, out.findings); err != nil {
			return fmt.Errorf("write findings: %w", err)
		}
		if out.settle != nil {
			// Written, not committed: the wait overlaps the write, and
			// an outcome worked out again replaces what was written.
			// Nothing else is done in this transaction before, so it
			// holds no lock the awaited job's could wait for.
			moved, err := settled(ctx)
			if err != nil {
				return err
			}
			if moved {
				if err := r.complete(out, src, job, per, runID); err != nil {
					return err
				}
				if err := tx.ReplaceFindings(ctx, job, per, out.findings); err != nil {
					return fmt.Errorf("write findings: %w", err)
				}
			}
		}
		if out.apply != nil {
			if err := out.apply(ctx, tx); err != nil {
				return err
			}
		}
		if r.AfterFindings != nil {
			if err := r.AfterFindings(ctx, tx, job, per, out.findings); err != nil {
				return err
			}
		}
		if r.BeforeCommit != nil {
			if err := r.BeforeCommit(ctx, job, per); err != nil {
				return err
			}
		}
		return tx.FinishRun(ctx, job, per, runID, r.clock()())
	})
	if err != nil {
		return nil, err
	}
	return &Result{Job: job, Period: per, RunID: runID, Findings: out.findings, Report: out.report}, nil
}

// complete adds to out's findings the data errors src found and stamps
// them with job and period, in the order they are stored.
func (r *Runner) complete(out *outcome, src *contract.Source, job finding.Job, per, runID string) error {
	dataErrs, err := dataErrors(src)
	if err != nil {
		return err
	}
	if len(dataErrs) > 0 {
		// The run proceeds without the rows it could not use; the
		// findings say which and why.
		r.logger().Warn("data errors in the province's data; the rows concerned were left out or counted once",
			"job", job, "period", per, "run_id", runID, "data_errors", len(dataErrs), "first", dataErrs[0].Key)
		out.findings = append(out.findings, dataErrs...)
	}
	for i := range out.findings {
		out.findings[i].Job, out.findings[i].Period = job, per
	}
	slices.SortFunc(out.findings, func(a, b store.Finding) int {
		return cmp.Or(strings.Compare(string(a.Kind), string(b.Kind)), strings.Compare(a.Key, b.Key))
	})
	return nil
}

// Source reads the data contract for a run for day, checked.
func (r *Runner) Source(day time.Time) *contract.Source {
	set := contract.Settings{Location: r.Config.Location(), Grouped: r.Config.Grouped(), DatedGrouping: r.Config.DatedGrouping(),
		WatchMonths: r.Config.Relapse.WatchMonths}
	return contract.New(r.Store, set, r.clock()(), day).Share(r.shared)
}

// dataErrors returns what src found wrong in the data as data_error
// findings, ordered by key.
func dataErrors(src *contract.Source) ([]store.Finding, error) {
	errs := src.Errors()
	out := make([]store.Finding, 0, len(errs))
	for _, e := range errs {
		f, err := newFinding(e.Key, e.District, e.Unit, e.Problem, e.DataError)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

func (r *Runner) logger() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (r *Runner) clock() func() time.Time {
	if r.Now != nil {
		return r.Now
	}
	return time.Now
}

// newFinding builds a store finding with payload v; its kind is v's.
func newFinding[T finding.Payload](key, district, unit string, state finding.State, v T) (store.Finding, error) {
	kind, b, err := finding.Encode(v)
	if err != nil {
		return store.Finding{}, fmt.Errorf("encode %s %s: %w", kind, key, err)
	}
	return store.Finding{Kind: kind, Key: key, District: district, Unit: unit, State: state, Payload: b}, nil
}
