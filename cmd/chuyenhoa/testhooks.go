//go:build chuyenhoa_testhooks

package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"chuyenhoa/finding"
)

// Test hooks. The end-to-end tests (package e2e) run this binary as a
// process and need two things a user never sets. They are compiled in only
// with the build tag chuyenhoa_testhooks, which the e2e package builds
// with; the shipped binary has testhooks_off.go instead and knows neither
// variable. Even here both are inert unless their variable is set, and
// both are read only by run-once, notify and send.
//
//	CHUYENHOA_FAULT=pause-before-commit:JOB
//	    the JOB run stops inside its transaction, after its findings and
//	    mail are written and before it commits; it prints
//	    "chuyenhoa-fault: paused before commit job=JOB period=P" on stderr
//	    and waits for a line on stdin (then goes on) or for the process to
//	    end. The tests kill it there, or cut its database connections.
//	CHUYENHOA_TEST_CLOCK_OFFSET=DURATION
//	    the jobs and the sender see the clock moved by DURATION (e.g. 3m),
//	    so a test can step past a mail lease or a retry backoff without
//	    waiting for it.
const (
	envFault       = "CHUYENHOA_FAULT"
	envClockOffset = "CHUYENHOA_TEST_CLOCK_OFFSET"
)

// testClock returns the clock moved by CHUYENHOA_TEST_CLOCK_OFFSET, or
// nil (the real clock) when it is unset.
func (a *app) testClock() (func() time.Time, error) {
	v := a.getenv(envClockOffset)
	if v == "" {
		return nil, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return nil, usageError{fmt.Sprintf("%s=%q: give a duration such as 3m", envClockOffset, v)}
	}
	return func() time.Time { return time.Now().Add(d) }, nil
}

// faultHook returns the fault point named by CHUYENHOA_FAULT, or nil.
func (a *app) faultHook() (func(ctx context.Context, job finding.Job, period string) error, error) {
	spec := a.getenv(envFault)
	if spec == "" {
		return nil, nil
	}
	point, job, _ := strings.Cut(spec, ":")
	if point != "pause-before-commit" || !finding.Job(job).Recomputes() {
		return nil, usageError{fmt.Sprintf("%s=%q: use pause-before-commit:JOB with JOB one of %s", envFault, spec, strings.Join(finding.Strings(finding.RecomputeJobs()), ", "))}
	}
	return func(ctx context.Context, j finding.Job, per string) error {
		if j != finding.Job(job) {
			return nil
		}
		fmt.Fprintf(a.stderr, "chuyenhoa-fault: paused before commit job=%s period=%s\n", j, per)
		resume := make(chan struct{})
		go func() {
			_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
			close(resume)
		}()
		select {
		case <-resume:
			fmt.Fprintf(a.stderr, "chuyenhoa-fault: resumed job=%s period=%s\n", j, per)
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}, nil
}
