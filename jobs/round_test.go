package jobs_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// roundFindings is each job's findings in the results of a round of
// every recompute job, as runEach gives them.
func roundFindings(t *testing.T, res []*jobs.Result) map[finding.Job]string {
	t.Helper()
	out := map[finding.Job]string{}
	for i, j := range finding.RecomputeJobs() {
		if res[i] == nil || res[i].Job != j {
			t.Fatalf("result %d = %+v, want %s's", i, res[i], j)
		}
		out[j] = findingsJSON(t, res[i].Findings)
	}
	return out
}

// runJSON runs job alone with r and returns its findings as findingsJSON.
func runJSON(t *testing.T, ctx context.Context, r *jobs.Runner, job finding.Job, day time.Time) string {
	t.Helper()
	res, err := r.Run(ctx, job, day)
	if err != nil {
		t.Fatal(err)
	}
	return findingsJSON(t, res.Findings)
}

// A round run side by side (RunRound) stores, on a fresh store, what its
// jobs store run one after the other in their order: the cycle, which
// reads the relapse states the relapse check writes, waits for it. The
// data has bad statistics rows too, so that every job reports data errors
// of the windows it shares with the others.
func TestRoundSideBySideGivesTheFindingsOfJobsInTurn(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.Load(ctx, smallProvince()); err != nil {
			t.Fatal(err)
		}
		for _, q := range badTableStats {
			if _, err := s.DB().ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		day := d(2026, 3, 1)
		var inTurn map[finding.Job]string
		var cycleFirst string
		if err := s.Rehearse(ctx, func(v *store.Store) error {
			// The cycle run before the relapse check finds other states:
			// this test would see a cycle that did not wait.
			cycleFirst = runJSON(t, ctx, newRunner(t, v), finding.JobCycle, day)
			inTurn = runEach(t, ctx, newRunner(t, v), day)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if cycleFirst == inTurn[finding.JobCycle] {
			t.Fatal("the cycle finds the same before and after the relapse check: the data cannot tell whether it waited")
		}
		if !strings.Contains(inTurn[finding.JobCandidates], `"crime_stats`) {
			t.Fatal("no data error of crime_stats in the candidates' findings")
		}
		r := newRunner(t, s)
		res, err := r.RunRound(ctx, day, finding.RecomputeJobs()...)
		if err != nil {
			t.Fatal(err)
		}
		got := roundFindings(t, res)
		for _, j := range finding.RecomputeJobs() {
			if got[j] != inTurn[j] {
				t.Errorf("%s side by side differs from in turn:\n%s\n%s", j, got[j], inTurn[j])
			}
			stored, err := s.Findings(ctx, j, res[slices.Index(finding.RecomputeJobs(), j)].Period)
			if err != nil {
				t.Fatal(err)
			}
			if b := findingsJSON(t, stored); b != inTurn[j] {
				t.Errorf("%s stored side by side differs from in turn:\n%s\n%s", j, b, inTurn[j])
			}
		}
	})
}

// On a later day of the month the relapse check stores the states it
// finds stored, and the cycle of a round keeps what it worked out from
// them while the check ran: its findings are those of the jobs in turn.
func TestRoundCycleOverStatesLeftAsTheyWere(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.Load(ctx, smallProvince()); err != nil {
			t.Fatal(err)
		}
		if _, err := newRunner(t, s).RunRound(ctx, d(2026, 3, 1), finding.RecomputeJobs()...); err != nil {
			t.Fatal(err)
		}
		day := d(2026, 3, 2)
		var inTurn map[finding.Job]string
		if err := s.Rehearse(ctx, func(v *store.Store) error {
			inTurn = runEach(t, ctx, newRunner(t, v), day)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		before, err := s.RelapseStates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(before) == 0 {
			t.Fatal("no relapse states stored: the cycle would not depend on them")
		}
		res, err := newRunner(t, s).RunRound(ctx, day, finding.RecomputeJobs()...)
		if err != nil {
			t.Fatal(err)
		}
		after, err := s.RelapseStates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.EqualFunc(before, after, store.RelapseState.Equal) {
			t.Fatal("the relapse check moved the states: this is the other case")
		}
		got := roundFindings(t, res)
		for _, j := range finding.RecomputeJobs() {
			if got[j] != inTurn[j] {
				t.Errorf("%s side by side differs from in turn:\n%s\n%s", j, got[j], inTurn[j])
			}
		}
	})
}

// A failed job of a round does not stop the others: the cycle, which
// waits for the relapse check, still runs over the states stored, and the
// error names the job that failed.
func TestRoundGoesOnPastAFailedJob(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.Load(ctx, smallProvince()); err != nil {
			t.Fatal(err)
		}
		day := d(2026, 3, 1)
		var alone string
		if err := s.Rehearse(ctx, func(v *store.Store) error {
			// What the cycle finds over no relapse states.
			alone = runJSON(t, ctx, newRunner(t, v), finding.JobCycle, day)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		broken := errors.New("broken on purpose")
		r := newRunner(t, s)
		r.BeforeCommit = func(_ context.Context, j finding.Job, _ string) error {
			if j == finding.JobRelapse {
				return broken
			}
			return nil
		}
		all := finding.RecomputeJobs()
		res, err := r.RunRound(ctx, day, all...)
		if !errors.Is(err, broken) || !strings.Contains(err.Error(), string(finding.JobRelapse)) {
			t.Fatalf("err = %v, want the relapse check's failure", err)
		}
		for i, j := range all {
			if (res[i] == nil) != (j == finding.JobRelapse) {
				t.Errorf("%s: result %+v", j, res[i])
			}
		}
		cyc := res[slices.Index(all, finding.JobCycle)]
		if b := findingsJSON(t, cyc.Findings); b != alone {
			t.Errorf("cycle after a failed relapse check:\n%s\nwant as over no states:\n%s", b, alone)
		}
		states, err := s.RelapseStates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(states) != 0 {
			t.Errorf("relapse states after a failed relapse check: %+v", states)
		}
	})
}
