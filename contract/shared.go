package contract

import (
	"context"
	"sync"
)

// Shared holds the reads of the data contract that the jobs of one round
// (run-once all, the scheduler's catch-up, the benchmark's recompute) have
// in common: each relation is read once per round instead of once per
// job, and a window of statistics aggregated once however many jobs sum
// it (the proposal's reference year is summed by candidates and cycle).
// Only the rows as read are shared; each job's Source checks them again
// and reports its own data errors, so a job's findings are what they are
// when it runs alone. The worker's own state (relapse states, written by
// one job of the round and read by the next) is never shared. A Shared is
// for one round: the data it holds is as the round's first job read it.
type Shared struct {
	mu   sync.Mutex
	vals map[string]any
}

// NewShared returns an empty Shared for one round.
func NewShared() *Shared { return &Shared{vals: map[string]any{}} }

// shared returns the value read under key in src's round, reading it with
// read on first use; without a round (src.shared nil) it just reads.
// Values must not be changed by their users.
func shared[T any](ctx context.Context, src *Source, key string, read func(context.Context) (T, error)) (T, error) {
	sh := src.shared
	if sh == nil {
		return read(ctx)
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if v, ok := sh.vals[key]; ok {
		return v.(T), nil
	}
	v, err := read(ctx)
	if err != nil {
		return v, err
	}
	sh.vals[key] = v
	return v, nil
}
