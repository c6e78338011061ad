package store_test

import (
	"context"
	"testing"
	"time"

	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

func TestRunOf(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, ok, err := s.RunOf(ctx, "deadlines", "2026-03-02"); err != nil || ok {
			t.Fatalf("RunOf on an empty table = %v, %v; want not found", ok, err)
		}
		at := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
		if _, err := s.StartRun(ctx, "deadlines", "2026-03-01", "r0", at.Add(-24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.StartRun(ctx, "deadlines", "2026-03-02", "r1", at); err != nil {
			t.Fatal(err)
		}
		if err := s.FailRun(ctx, "deadlines", "2026-03-02", "r1", at.Add(time.Minute), context.DeadlineExceeded); err != nil {
			t.Fatal(err)
		}
		r, ok, err := s.RunOf(ctx, "deadlines", "2026-03-02")
		if err != nil || !ok {
			t.Fatalf("RunOf = %v, %v", ok, err)
		}
		if r.RunID != "r1" || r.Status != store.RunFailed || r.Error != "context deadline exceeded" ||
			!r.StartedAt.Equal(at) || !r.FinishedAt.Equal(at.Add(time.Minute)) || r.Attempts != 1 {
			t.Errorf("RunOf = %+v", r)
		}
		if _, ok, _ := s.RunOf(ctx, "relapse", "2026-03-02"); ok {
			t.Error("RunOf found another job's run")
		}
	})
}
