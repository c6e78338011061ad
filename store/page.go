package store

import (
	"context"
	"fmt"
	"time"
)

// Version says what the status page last read: the count and the latest
// finish of successful runs (a run's findings and alerts are committed
// with its finish) and the count of refused mail (the sender marks it
// outside any run). The page rebuilds what it shows when it changes.
type Version struct {
	Runs       int
	LastOK     time.Time
	FailedMail int
	// SentMail and Silences change when the server accepts mail or a
	// silence is added or expired: the page shows both.
	SentMail, Silences, SilencesExpired int
}

// PageVersion reads the Version; a few cheap queries on indexed columns.
func (s *Store) PageVersion(ctx context.Context) (Version, error) {
	var v Version
	var last instant
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*), MAX(finished_at) FROM job_runs WHERE status = 'ok'`).Scan(&v.Runs, &last); err != nil {
		return Version{}, fmt.Errorf("read the latest runs: %w", err)
	}
	v.LastOK = last.T
	if err := s.db.QueryRowContext(ctx, s.db.Rebind(`SELECT COUNT(*) FROM outbox WHERE status = ?`), OutboxFailed).Scan(&v.FailedMail); err != nil {
		return Version{}, fmt.Errorf("count refused mail: %w", err)
	}
	if err := s.db.QueryRowContext(ctx, s.db.Rebind(`SELECT COUNT(*) FROM outbox WHERE status = ?`), OutboxSent).Scan(&v.SentMail); err != nil {
		return Version{}, fmt.Errorf("count accepted mail: %w", err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(expired_at) FROM silences`).Scan(&v.Silences, &v.SilencesExpired); err != nil {
		return Version{}, fmt.Errorf("count silences: %w", err)
	}
	return v, nil
}

// StatsReach is the last day with a statistic (crime_stats); ok is false
// when there is none.
func (s *Store) StatsReach(ctx context.Context) (time.Time, bool, error) {
	var d civilDate
	if err := s.db.QueryRowContext(ctx, `SELECT MAX(day) FROM crime_stats`).Scan(&d); err != nil {
		return time.Time{}, false, fmt.Errorf("read the last statistics day: %w", err)
	}
	return d.T, !d.T.IsZero(), nil
}

// FailedMail lists the refused messages, newest first, at most limit,
// without their bodies (a digest of a large province is big).
func (s *Store) FailedMail(ctx context.Context, limit int) ([]OutboxMessage, error) {
	type row struct {
		OutboxMessage
		CreatedAt instant `db:"created_at"`
	}
	var rows []row
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT id, message_id, committee, recipient, subject, created_at, status, attempts, last_error
		FROM outbox WHERE status = ? ORDER BY id DESC LIMIT ?`), OutboxFailed, limit)
	if err != nil {
		return nil, fmt.Errorf("list refused mail: %w", err)
	}
	out := make([]OutboxMessage, len(rows))
	for i, r := range rows {
		out[i] = r.OutboxMessage
		out[i].CreatedAt = r.CreatedAt.T
	}
	return out, nil
}
