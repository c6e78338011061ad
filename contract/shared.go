package contract

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// Shared holds the reads of the data contract that the jobs of one round
// (run-once all, the scheduler's catch-up, the benchmark's recompute) have
// in common: each relation is read once per round instead of once per
// job, and a window of statistics aggregated once however many jobs sum
// it (the proposal's reference year is summed by candidates and cycle).
// What is shared is the rows as read, and what the check made of units
// and districts with the problems it found; each job's Source reports
// every problem it meets as its own data error, so a job's findings are
// what they are when it runs alone. The worker's own state (relapse
// states, written by one job of the round and read by the next) is never
// shared. A Shared is for one round, whose jobs may run side by side
// (jobs.Runner.RunRound), beside Prefetch's background work: each value
// is read once, by the first job to need it, while the others that need
// it wait for it; the data it holds is as that job read it.
type Shared struct {
	mu   sync.Mutex
	vals map[string]any // a value, or a *pending one
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
	for {
		mine, v := sh.claim(key)
		if mine != nil {
			return readSettled(ctx, sh, key, mine, read)
		}
		p, ok := v.(*pending)
		if !ok {
			return v.(T), nil
		}
		select {
		case <-p.done:
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		}
		if p.err == nil {
			return p.v.(T), nil
		}
		// A read that failed or was stopped (another job's, or a
		// prefetch) is as though never made: this job reads for itself,
		// and an error is its own.
	}
}

// claim makes the caller the reader of key when the round has neither
// its value nor a read of it under way: it returns the pending read to
// make (and settle). Otherwise it returns what the round holds, a value
// or another's pending read.
func (sh *Shared) claim(key string) (mine *pending, held any) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if v, ok := sh.vals[key]; ok {
		return nil, v
	}
	p := &pending{done: make(chan struct{})}
	sh.vals[key] = p
	return p, nil
}

// readSettled makes the pending read p of key with read. A read that
// panics (the scheduler recovers a job's panic) settles as failed on its
// way out, so that the round's other jobs waiting for the key read it for
// themselves instead of waiting for good.
func readSettled[T any](ctx context.Context, sh *Shared, key string, p *pending, read func(context.Context) (T, error)) (x T, err error) {
	settled := false
	defer func() {
		if !settled {
			sh.settle(key, p, nil, errors.New("the read panicked"))
		}
	}()
	x, err = read(ctx)
	sh.settle(key, p, x, err)
	settled = true
	return x, err
}

// settle ends the pending read p of key with its value or error: a value
// is kept for the round, an error forgotten, so that the next to need the
// key reads it again.
func (sh *Shared) settle(key string, p *pending, v any, err error) {
	sh.mu.Lock()
	if err != nil {
		delete(sh.vals, key)
	} else {
		sh.vals[key] = v
	}
	p.v, p.err = v, err
	sh.mu.Unlock()
	close(p.done)
}

// pending is a value of the round still being read, by a job or in the
// background (Source.Prefetch); done is closed once v or err is set.
type pending struct {
	done chan struct{}
	v    any
	err  error
}

// Prefetch starts the aggregations of crime_stats that Counts will run
// for windows in s's round, side by side in the background, each on a
// connection of its own, so that the round's jobs work while a window
// they will sum later is being summed: on SQLite an aggregation is one
// core's work in this process, on PostgreSQL the server's while the rules
// run here. A Counts that needs a window waits for its sums (its own ctx
// still bounding the wait); one that failed or was stopped is read again
// by Counts as without a prefetch. Only the store's query is made ahead,
// and only when Counts would make it (a table with its unique key,
// offence types with nothing to leave out): the checks stay with each
// job's Source, which reports what it finds as its own.
//
// Call it from the round's goroutine before its jobs, and call stop when
// the round ends, whatever happened: it cancels what is still running and
// waits for it. Without a round, or on a rehearsal's view (one
// transaction, nothing may run beside it), it does nothing and the jobs
// read in turn. An error is of the reads that decide what Counts will
// run; nothing was started then. The sums know how many run at once
// (store.CountsSideBySide), which on a database server on this machine
// decides their parallel workers.
func (s *Source) Prefetch(ctx context.Context, windows ...period.Range) (stop func(), err error) {
	nothing := func() {}
	if s.shared == nil || s.st.Rehearsing() || len(windows) == 0 {
		return nothing, nil
	}
	unique, err := s.uniqueKey(ctx, statsRelation)
	if err != nil {
		return nothing, err
	}
	if err := s.loadOffences(ctx); err != nil {
		return nothing, err
	}
	if !unique || s.offTrouble {
		return nothing, nil
	}
	// The windows this Prefetch claimed (rs), each with its key and
	// pending read.
	type claimed struct {
		key string
		p   *pending
	}
	var (
		mine []claimed
		rs   []period.Range
	)
	sh := s.shared
	for _, r := range windows {
		key := countsKey(s.window(statsRelation, r))
		if p, _ := sh.claim(key); p != nil {
			mine, rs = append(mine, claimed{key, p}), append(rs, r)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	wait := s.st.CountsSideBySide(ctx, rs, func(i int, v *store.CheckedCounts, err error) {
		sh.settle(mine[i].key, mine[i].p, v, err)
	})
	return func() {
		cancel()
		wait()
	}, nil
}

// unitsChecked is what readUnits makes of units, districts and
// unit_successions: the jobs of a round share it (sharedChecked), each
// reporting its problems again as its own.
type unitsChecked struct {
	units     []store.Raw[store.UnitRow]
	unitCodes map[string]bool
	districts map[string]bool
	terr      *rules.Territory
	// unitsByCode's: the units of a day by code, by day and by which dated
	// rows are valid that day (days that agree on those list the same
	// units).
	mu    sync.Mutex // the jobs of a round fill byDay and bySig side by side
	byDay map[time.Time]map[string]rules.Unit
	bySig map[string]map[string]rules.Unit
	dated [][2]time.Time // validity of the units and districts rows that have one
}

// loadUnits makes units, districts and the territory ready once per run,
// and once per round when the run is part of one.
func (s *Source) loadUnits(ctx context.Context) error {
	if s.unitsRead {
		return nil
	}
	u, err := sharedChecked(ctx, s, "units checked", func(ctx context.Context) (*unitsChecked, error) {
		if err := s.readUnits(ctx); err != nil {
			return nil, err
		}
		ds, err := shared(ctx, s, "districts", s.st.RawDistricts)
		if err != nil {
			return nil, err
		}
		u := &unitsChecked{units: s.units, unitCodes: s.unitCodes, districts: s.districts, terr: s.terr,
			byDay: map[time.Time]map[string]rules.Unit{}, bySig: map[string]map[string]rules.Unit{}}
		dated := func(from, to time.Time) {
			if !from.IsZero() || !to.IsZero() {
				u.dated = append(u.dated, [2]time.Time{from, to})
			}
		}
		for _, x := range s.units {
			dated(x.Row.ValidFrom, x.Row.ValidTo)
		}
		for _, x := range ds {
			dated(x.Row.ValidFrom, x.Row.ValidTo)
		}
		return u, nil
	})
	if err != nil {
		return err
	}
	s.checkedUnits = u
	s.units, s.unitCodes, s.districts, s.terr = u.units, u.unitCodes, u.districts, u.terr
	s.unitsRead = true
	return nil
}

// sharedUnitsOn is unitsOn(on) reporting its problems, computed once per
// round and day.
func (s *Source) sharedUnitsOn(ctx context.Context, on time.Time) ([]rules.Unit, error) {
	us, err := sharedChecked(ctx, s, "units on "+on.Format(time.DateOnly), func(context.Context) ([]rules.Unit, error) {
		return s.unitsOn(on, s.report), nil
	})
	return slices.Clone(us), err
}

// unitsByCode is the units of day by code, as Units lists them, without
// reporting anything: UnitAt's, once per round and day.
func (s *Source) unitsByCode(day time.Time) map[string]rules.Unit {
	c := s.checkedUnits
	c.mu.Lock()
	defer c.mu.Unlock()
	if m, ok := c.byDay[day]; ok {
		return m
	}
	// Which units a day lists depends on the day only through which rows
	// of units and districts are valid then (unitsOn): most due days of a
	// run share one list.
	sig := make([]byte, len(c.dated))
	for i, v := range c.dated {
		if (rules.District{ValidFrom: v[0], ValidTo: v[1]}).ValidOn(day) {
			sig[i] = 1
		}
	}
	m, ok := c.bySig[string(sig)]
	if !ok {
		us := s.unitsOn(day, func(problem) {})
		m = make(map[string]rules.Unit, len(us))
		for _, u := range us {
			m[u.Code] = u
		}
		c.bySig[string(sig)] = m
	}
	c.byDay[day] = m
	return m
}

// record makes s collect what it reports into *into until stop is
// called; a recording already under way gets the problems as well.
func (s *Source) record(into *[]problem) (stop func()) {
	outer := s.recording
	s.recording = into
	return func() {
		s.recording = outer
		if outer != nil {
			*outer = append(*outer, *into...)
		}
	}
}

// withProblems is a value computed by one Source of a round and the
// problems it reported meanwhile.
type withProblems[T any] struct {
	v        T
	problems []problem
}

// sharedChecked is shared for a value whose computation reports problems:
// the round's first Source computes it, the others get it and report the
// same problems as their own.
func sharedChecked[T any](ctx context.Context, s *Source, key string, compute func(context.Context) (T, error)) (T, error) {
	first := false
	x, err := shared(ctx, s, key, func(ctx context.Context) (withProblems[T], error) {
		first = true
		var out withProblems[T]
		stop := s.record(&out.problems)
		v, err := compute(ctx)
		stop()
		out.v = v
		return out, err
	})
	if err != nil || first {
		return x.v, err
	}
	for _, p := range x.problems {
		s.report(p)
	}
	return x.v, nil
}
