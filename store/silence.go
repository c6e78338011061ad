package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"chuyenhoa/finding"
)

// Silence holds the alerts its matchers select back from mail from
// StartsAt until EndsAt, as an Alertmanager silence does: the alerts keep
// their life cycle, only the mail about them stops. Package notify
// decides which alerts a silence matches.
type Silence struct {
	ID       int64
	Matchers Matchers
	StartsAt time.Time
	EndsAt   time.Time
	// CreatedBy is who added it, Reason why.
	CreatedBy, Reason string
	// ExpiredAt is when someone expired it before its end (EndsAt then
	// equals it); zero otherwise.
	ExpiredAt time.Time
}

// Matchers select alerts: a silence holds an alert that every matcher
// given matches; a nil matcher matches any alert.
type Matchers struct {
	Key *string // the alert key, e.g. deadline/D01/plan/2026/D01X04
	// Unit is a commune's code: the alerts about it, and those of its
	// body (committee xa:<code>).
	Unit *string
	// Committee is the committee's string form (D01, xa:X01), "" the
	// provincial committee.
	Committee *string
	Kind      *finding.AlertKind
}

// Empty reports whether no matcher is given (such a silence would hold
// every alert, and is refused).
func (m Matchers) Empty() bool {
	return m.Key == nil && m.Unit == nil && m.Committee == nil && m.Kind == nil
}

// ActiveAt reports whether the silence holds alerts at t.
func (s Silence) ActiveAt(t time.Time) bool { return !t.Before(s.StartsAt) && t.Before(s.EndsAt) }

// silenceScan is a silences row as sqlx scans it.
type silenceScan struct {
	ID        int64          `db:"id"`
	Key       sql.NullString `db:"alert_key"`
	Unit      sql.NullString `db:"unit_code"`
	Committee sql.NullString `db:"committee"`
	Kind      sql.NullString `db:"kind"`
	StartsAt  instant        `db:"starts_at"`
	EndsAt    instant        `db:"ends_at"`
	CreatedBy string         `db:"created_by"`
	Reason    string         `db:"reason"`
	ExpiredAt instant        `db:"expired_at"`
}

func (r silenceScan) value() Silence {
	opt := func(v sql.NullString) *string {
		if !v.Valid {
			return nil
		}
		return &v.String
	}
	s := Silence{ID: r.ID, StartsAt: r.StartsAt.T, EndsAt: r.EndsAt.T, CreatedBy: r.CreatedBy, Reason: r.Reason, ExpiredAt: r.ExpiredAt.T,
		Matchers: Matchers{Key: opt(r.Key), Unit: opt(r.Unit), Committee: opt(r.Committee)}}
	if r.Kind.Valid {
		k := finding.AlertKind(r.Kind.String)
		s.Matchers.Kind = &k
	}
	return s
}

const silenceCols = `id, alert_key, unit_code, committee, kind, starts_at, ends_at, created_by, reason, expired_at`

// AddSilence stores a new silence and returns its id. It needs a matcher,
// an end after its start, who adds it and why.
func (s *Store) AddSilence(ctx context.Context, sl Silence) (int64, error) {
	switch {
	case sl.Matchers.Empty():
		return 0, errors.New("add silence: give at least one matcher (alert key, commune, committee or kind)")
	case !sl.EndsAt.After(sl.StartsAt):
		return 0, fmt.Errorf("add silence: it ends at %s, not after it starts (%s)", sl.EndsAt.Format(time.RFC3339), sl.StartsAt.Format(time.RFC3339))
	case strings.TrimSpace(sl.CreatedBy) == "":
		return 0, errors.New("add silence: say who adds it")
	case strings.TrimSpace(sl.Reason) == "":
		return 0, errors.New("add silence: give the reason")
	}
	arg := func(p *string) any {
		if p == nil {
			return nil
		}
		return *p
	}
	var kind any
	if sl.Matchers.Kind != nil {
		kind = string(*sl.Matchers.Kind)
	}
	var id int64
	err := s.db.QueryRowContext(ctx, s.db.Rebind(`
		INSERT INTO silences (alert_key, unit_code, committee, kind, starts_at, ends_at, created_by, reason)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		arg(sl.Matchers.Key), arg(sl.Matchers.Unit), arg(sl.Matchers.Committee), kind,
		instantArg(s.dialect, sl.StartsAt), instantArg(s.dialect, sl.EndsAt), sl.CreatedBy, sl.Reason).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add silence: %w", err)
	}
	return id, nil
}

// Silences lists every silence, active or ended, by id.
func (s *Store) Silences(ctx context.Context) ([]Silence, error) { return silences(ctx, s.db) }

// Silences lists every silence, for the dispatcher inside its transaction.
func (tx *Tx) Silences(ctx context.Context) ([]Silence, error) { return silences(ctx, tx.tx) }

func silences(ctx context.Context, x q) ([]Silence, error) {
	out, err := selectRows[silenceScan](ctx, x, `SELECT `+silenceCols+` FROM silences ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list silences: %w", err)
	}
	return out, nil
}

// ActiveSilences lists the silences that hold alerts at t, by id: what the
// status page shows.
func (s *Store) ActiveSilences(ctx context.Context, t time.Time) ([]Silence, error) {
	out, err := selectRows[silenceScan](ctx, s.db, s.db.Rebind(`SELECT `+silenceCols+` FROM silences WHERE starts_at <= ? AND ends_at > ? ORDER BY id`),
		instantArg(s.dialect, t), instantArg(s.dialect, t))
	if err != nil {
		return nil, fmt.Errorf("list active silences: %w", err)
	}
	return out, nil
}

// ErrNoSilence is returned by ExpireSilence for an id no silence has.
var ErrNoSilence = errors.New("no such silence")

// ExpireSilence ends silence id at t and returns it as it now stands. A
// silence that has already ended is left as it was, with an error saying
// when it ended.
func (s *Store) ExpireSilence(ctx context.Context, id int64, t time.Time) (Silence, error) {
	var out Silence
	err := s.InTx(ctx, func(tx *Tx) error {
		rows, err := selectRows[silenceScan](ctx, tx.tx, tx.Rebind(`SELECT `+silenceCols+` FROM silences WHERE id = ?`), id)
		if err != nil {
			return fmt.Errorf("expire silence %d: %w", id, err)
		}
		if len(rows) == 0 {
			return fmt.Errorf("expire silence %d: %w", id, ErrNoSilence)
		}
		if !rows[0].EndsAt.After(t) {
			return fmt.Errorf("expire silence %d: it ended at %s already", id, rows[0].EndsAt.Format(time.RFC3339))
		}
		if _, err := tx.tx.ExecContext(ctx, tx.Rebind(`UPDATE silences SET ends_at = ?, expired_at = ? WHERE id = ?`),
			instantArg(s.dialect, t), instantArg(s.dialect, t), id); err != nil {
			return fmt.Errorf("expire silence %d: %w", id, err)
		}
		out = rows[0]
		out.EndsAt, out.ExpiredAt = t.UTC(), t.UTC()
		return nil
	})
	return out, err
}
