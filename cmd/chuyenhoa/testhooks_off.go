//go:build !chuyenhoa_testhooks

package main

import (
	"context"
	"time"

	"chuyenhoa/finding"
)

// The shipped binary has no test hooks (see testhooks.go, built only with
// the tag chuyenhoa_testhooks): the real clock, and no fault point.

func (a *app) testClock() (func() time.Time, error) { return nil, nil }

func (a *app) faultHook() (func(ctx context.Context, job finding.Job, period string) error, error) {
	return nil, nil
}
