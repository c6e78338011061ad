package contract

import (
	"context"
	"testing"
	"time"
)

// A read of the round that panics (the scheduler recovers a job's panic)
// does not leave the key pending: the next job that needs it reads it for
// itself.
func TestSharedReadAfterOneThatPanicked(t *testing.T) {
	ctx := context.Background()
	sh := NewShared()
	first, second := &Source{shared: sh}, &Source{shared: sh}
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the read did not panic")
			}
		}()
		_, _ = shared(ctx, first, "k", func(context.Context) (int, error) { panic("broken on purpose") })
	}()
	got := make(chan int, 1)
	go func() {
		v, err := shared(ctx, second, "k", func(context.Context) (int, error) { return 7, nil })
		if err != nil {
			t.Error(err)
		}
		got <- v
	}()
	select {
	case v := <-got:
		if v != 7 {
			t.Errorf("read again: %d, want 7", v)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the second read still waits for the one that panicked")
	}
}
