package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"chuyenhoa/store"
)

// Sender drains the outbox through a transport. Each message the server
// accepts is marked sent in its own transaction, and that commit overlaps
// the next message's transfer: the sender waits for it before the end of
// the next message's DATA (see Batch.Send). So at any moment at most one
// accepted message is not yet recorded, and a crash repeats at most the
// message in flight, under the Message-ID of its first copy
// (at-least-once, never twice for anything already recorded).
type Sender struct {
	Store     *store.Store
	Transport Transport
	Log       *slog.Logger
	Now       func() time.Time
	// Lease is how long a claimed message is reserved for this sender
	// before another may take it over (a crashed sender's messages return
	// to the queue after it). Default 2 minutes.
	Lease time.Duration
	// Batch is how many messages are claimed at a time. Default 100.
	Batch int

	// Observe, when set, is told the outcome of every message: "sent",
	// "retry" or "failed" (metrics).
	Observe func(outcome string)
	// Exclusive, when set, makes this sender the only one draining the
	// outbox while a Drain runs: Drain takes it first and calls the
	// release it returns at the end. Holding it, Drain puts back every
	// message still claimed (sending) before it claims any: with one
	// sender at a time, whoever claimed them has died or stopped, so they
	// go out now, not when the dead sender's lease runs out. The one in
	// flight when it died may repeat, under the same Message-ID, as
	// always. SQLite mode sets it (an flock beside the database file);
	// PostgreSQL replicas drain side by side, leave it nil and keep the
	// lease rule.
	Exclusive func(ctx context.Context) (release func(), err error)
}

// DrainStats counts what one Drain did.
type DrainStats struct {
	Sent, Retried, Failed int
}

// Backoff is the wait before attempt n+1 after n temporary failures:
// 1, 2, 4 … minutes, at most an hour.
func Backoff(n int) time.Duration {
	d := time.Minute
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// Drain sends every message that is due, batch by batch, until none is left
// or the transport fails. A temporary failure (4xx, connection refused)
// puts the message back with a backoff; a permanent one (5xx) marks it
// failed without holding up the others. One connection carries batch after
// batch, until a temporary failure (the next batch opens a new one).
func (s *Sender) Drain(ctx context.Context) (DrainStats, error) {
	var st DrainStats
	lease, batch := s.Lease, s.Batch
	if lease <= 0 {
		lease = 2 * time.Minute
	}
	if batch <= 0 {
		batch = 100
	}
	if s.Exclusive != nil {
		release, err := s.Exclusive(ctx)
		if err != nil {
			return st, fmt.Errorf("wait for the other sender: %w", err)
		}
		defer release()
		n, err := s.Store.ReclaimOutbox(ctx)
		if err != nil {
			return st, err
		}
		if n > 0 {
			s.log().Warn("mail left claimed by a sender that stopped goes out now", "messages", n)
		}
	}
	var c conn
	defer c.close(s)
	for {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		msgs, err := s.Store.ClaimOutbox(ctx, s.now(), lease, batch)
		if err != nil {
			return st, err
		}
		if len(msgs) == 0 {
			return st, nil
		}
		if err := s.sendOn(ctx, &c, msgs, &st); err != nil {
			return st, err
		}
	}
}

// conn is a Drain's connection, opened when first needed.
type conn struct{ b Batch }

func (l *conn) close(s *Sender) {
	if l.b == nil {
		return
	}
	if err := l.b.Close(); err != nil {
		s.log().Warn("closing mail connection", "err", err)
	}
	l.b = nil
}

// sendOn sends msgs over connection l (opening it if need be), one after
// the other.
func (s *Sender) sendOn(ctx context.Context, l *conn, msgs []store.OutboxMessage, st *DrainStats) (err error) {
	if l.b == nil {
		b, err := s.Transport.Open(ctx)
		if err != nil {
			// The server is unreachable: every claimed message waits, in order.
			for _, m := range msgs {
				if rerr := s.retry(ctx, m, err, st); rerr != nil {
					return rerr
				}
			}
			return fmt.Errorf("open %s: %w", s.Transport.Name(), err)
		}
		l.b = b
	}
	// marking is the last accepted message while its mark commits; it is
	// recorded (waited for) before the next is accepted and, whatever
	// happens, before this returns.
	var marking *mark
	record := func() error {
		if marking == nil {
			return nil
		}
		m, err := marking.m, marking.wait()
		marking = nil
		if err != nil {
			return err
		}
		st.Sent++
		s.observe("sent")
		s.log().Info("mail sent", "message_id", m.MessageID, "to", m.Recipient, "committee", m.Committee)
		return nil
	}
	defer func() {
		if rerr := record(); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}()
	// Recipients whose message was just deferred: their later messages in
	// this batch wait too, so that each recipient's mail keeps its order.
	deferred := map[string]bool{}
	for i, m := range msgs {
		if deferred[m.Recipient] {
			mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			err := s.Store.ReleaseOutbox(mctx, m.ID)
			cancel()
			if err != nil {
				return err
			}
			continue
		}
		var ready func() error
		if marking != nil {
			ready = marking.wait
		}
		err := l.b.Send(ctx, Message{
			ID: m.MessageID, From: m.Sender, To: []string{m.Recipient}, Subject: m.Subject,
			Text: m.Text, HTML: m.HTML, Date: m.CreatedAt, Headers: m.Headers,
		}, ready)
		// The previous message is recorded first: if its mark failed, m
		// was abandoned unaccepted (or, when m failed before the end of
		// DATA, was not accepted either), and nothing more goes out.
		if rerr := record(); rerr != nil {
			return rerr
		}
		// Record the outcome even if ctx was just cancelled: the server may
		// have accepted the message.
		mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		switch {
		case err == nil:
			marking = s.startMark(ctx, m)
		case Temporary(err):
			deferred[m.Recipient] = true
			// The connection may be what failed: the next batch opens a
			// new one.
			defer l.close(s)
			err = s.retry(mctx, m, err, st)
		default:
			s.log().Error("mail refused", "message_id", m.MessageID, "to", m.Recipient, "err", err)
			st.Failed++
			s.observe("failed")
			err = s.Store.MarkFailed(mctx, m.ID, err.Error())
		}
		cancel()
		if err != nil {
			return err
		}
		if cerr := ctx.Err(); cerr != nil {
			// The rest go back to the queue untried, at once rather than
			// when their lease runs out.
			s.log().Info("stopping mail batch", "unsent", len(msgs)-i-1)
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			for _, rest := range msgs[i+1:] {
				if err := s.Store.ReleaseOutbox(rctx, rest.ID); err != nil {
					return errors.Join(cerr, err)
				}
			}
			return cerr
		}
	}
	return nil
}

// mark is one accepted message's MarkSent, committing in the background.
type mark struct {
	m    store.OutboxMessage
	done chan struct{}
	err  error // set before done is closed
}

// startMark marks m sent, even if ctx is cancelled meanwhile: the server
// has it.
func (s *Sender) startMark(ctx context.Context, m store.OutboxMessage) *mark {
	k := &mark{m: m, done: make(chan struct{})}
	now := s.now()
	go func() {
		defer close(k.done)
		mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		k.err = s.Store.MarkSent(mctx, now, m.ID)
	}()
	return k
}

// wait returns once the mark has committed or failed; it may be called
// more than once.
func (k *mark) wait() error {
	<-k.done
	if k.err != nil {
		return fmt.Errorf("record message %s to %s as sent (the server has it; it may go again): %w", k.m.MessageID, k.m.Recipient, k.err)
	}
	return nil
}

func (s *Sender) retry(ctx context.Context, m store.OutboxMessage, cause error, st *DrainStats) error {
	next := s.now().Add(Backoff(m.Attempts + 1))
	s.log().Warn("mail deferred", "message_id", m.MessageID, "to", m.Recipient, "attempt", m.Attempts+1, "next", next, "err", cause)
	st.Retried++
	s.observe("retry")
	if err := s.Store.MarkRetry(ctx, m.ID, next, cause.Error()); err != nil {
		return errors.Join(cause, err)
	}
	return nil
}

func (s *Sender) observe(outcome string) {
	if s.Observe != nil {
		s.Observe(outcome)
	}
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sender) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}
