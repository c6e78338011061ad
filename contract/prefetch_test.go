package contract

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"chuyenhoa/period"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

var (
	prefetchNow = time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC)
	prefetchDay = period.Date(2026, 3, 1)
	prefetchSet = Settings{Location: time.UTC}
	// The 2025 statistical year and the relapse check's rolling year of
	// 01/03/2026.
	refYear = period.Range{From: period.Date(2024, 12, 15), To: period.Date(2025, 12, 14)}
	rolling = period.Range{From: period.Date(2025, 2, 15), To: period.Date(2026, 2, 14)}
)

// prefetchProvince is the reform province with rows in the statistics
// table that the aggregation leaves out and the check reports: the
// prefetched sums must come with the same data errors.
func prefetchProvince(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	if err := st.Load(ctx, storetest.ReformProvince()); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO crime_stats VALUES ('A1', '2025-03-02', 'TT', -4)`,
		`INSERT INTO crime_stats VALUES ('X', '2025-09-02', 'XX', 5)`,
		`INSERT INTO crime_stats VALUES ('ZZ', '2026-01-02', 'TT', 7)`,
	} {
		if _, err := st.DB().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// countsOf is what src hands over for window w, written short, with the
// data errors it reported.
func countsOf(t *testing.T, ctx context.Context, src *Source, w period.Range) string {
	t.Helper()
	cs, err := src.Counts(ctx, w, prefetchDay)
	if err != nil {
		t.Fatalf("counts %s: %v", w, err)
	}
	out := ""
	for _, code := range slices.Sorted(maps.Keys(cs)) {
		out += fmt.Sprintf("%s=%v ", code, cs[code])
	}
	for _, e := range src.Errors() {
		out += fmt.Sprintf("| %s %s %d ", e.Key, e.Action, e.Rows)
	}
	return out
}

// The sums Prefetch starts are the ones Counts then uses, with the data
// errors Counts reports when it reads alone; stopped before they are
// used, Counts reads them itself.
func TestPrefetchedSumsAreWhatCountsReads(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		prefetchProvince(t, st)
		want := map[period.Range]string{}
		for _, w := range []period.Range{refYear, rolling} {
			want[w] = countsOf(t, ctx, New(st, prefetchSet, prefetchNow, prefetchDay), w)
		}
		for _, stopFirst := range []bool{false, true} {
			sh := NewShared()
			pre := New(st, prefetchSet, prefetchNow, prefetchDay).Share(sh)
			stop, err := pre.Prefetch(ctx, refYear, rolling)
			if err != nil {
				t.Fatal(err)
			}
			// Each window is being summed, or has been already.
			var started []*pending
			for _, w := range []period.Range{refYear, rolling} {
				sh.mu.Lock()
				v, ok := sh.vals[countsKey(pre.window(statsRelation, w))]
				sh.mu.Unlock()
				switch v := v.(type) {
				case *pending:
					started = append(started, v)
				case *store.CheckedCounts:
				default:
					t.Fatalf("Prefetch started no aggregation of %s (found %v, %T)", w, ok, v)
				}
			}
			if stopFirst {
				stop()
				for _, p := range started {
					select {
					case <-p.done:
					default:
						t.Error("stop returned with an aggregation still running")
					}
				}
			}
			// Each window through a Source of its own, as two jobs do.
			for _, w := range []period.Range{refYear, rolling} {
				if got := countsOf(t, ctx, New(st, prefetchSet, prefetchNow, prefetchDay).Share(sh), w); got != want[w] {
					t.Errorf("stopped first %t, %s: %s\nalone: %s", stopFirst, w, got, want[w])
				}
			}
			stop()
		}
	})
}

// A Counts waiting for prefetched sums gives up when its own context
// ends.
func TestWaitForPrefetchEndsWithTheContext(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, st *store.Store) {
		prefetchProvince(t, st)
		sh := NewShared()
		src := New(st, prefetchSet, prefetchNow, prefetchDay).Share(sh)
		// Everything but the window's sums read already.
		countsOf(t, context.Background(), src, rolling)
		never := &pending{done: make(chan struct{})}
		sh.mu.Lock()
		sh.vals[countsKey(src.window(statsRelation, refYear))] = never
		sh.mu.Unlock()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := src.Counts(ctx, refYear, prefetchDay); !errors.Is(err, context.Canceled) {
			t.Errorf("Counts on a cancelled context, its sums never coming: %v, want context.Canceled", err)
		}
	})
}

// A rehearsal's view is one transaction: Prefetch starts nothing beside
// it, and the reads are made in turn as without it.
func TestNoPrefetchInARehearsal(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		prefetchProvince(t, st)
		want := countsOf(t, ctx, New(st, prefetchSet, prefetchNow, prefetchDay), refYear)
		err := st.Rehearse(ctx, func(v *store.Store) error {
			sh := NewShared()
			stop, err := New(v, prefetchSet, prefetchNow, prefetchDay).Share(sh).Prefetch(ctx, refYear, rolling)
			defer stop()
			if err != nil {
				return err
			}
			// No window summed, running or done.
			sh.mu.Lock()
			for k := range sh.vals {
				if strings.HasPrefix(k, countsKey("")) {
					t.Errorf("Prefetch in a rehearsal started %s", k)
				}
			}
			sh.mu.Unlock()
			if got := countsOf(t, ctx, New(v, prefetchSet, prefetchNow, prefetchDay).Share(sh), refYear); got != want {
				t.Errorf("in a rehearsal: %s\nalone: %s", got, want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
