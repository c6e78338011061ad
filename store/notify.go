package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"chuyenhoa/finding"
)

// Alert is one open (or recently closed) matter for one committee: an
// overdue report, an area that relapsed. Its key is stable across runs so
// the notifier can tell an old alert from a new one.
type Alert struct {
	Committee string // district code; "" = provincial committee
	Key       string
	Kind      finding.AlertKind
	State     finding.State // the finding's state (overdue, escalated, relapsed…) or finding.Resolved
	Open      bool
	Payload   json.RawMessage
	OpenedAt  time.Time
	UpdatedAt time.Time
	// ResolvedAt is when the alert closed; zero while open.
	ResolvedAt time.Time
	// NotifiedState is the state last put in a digest ("" = never mailed).
	NotifiedState    finding.State
	NotifiedAt       time.Time
	ResolvedNotified bool
}

// Group is a committee's notification record: when a digest was last
// composed and when one was last accepted by the mail server.
type Group struct {
	Committee      string
	LastComposedAt time.Time
	LastSentAt     time.Time
}

// Outbox statuses.
const (
	OutboxPending = "pending"
	OutboxSending = "sending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"
)

// OutboxMessage is one rendered mail for one envelope recipient.
type OutboxMessage struct {
	ID            int64
	MessageID     string
	Committee     string
	Recipient     string
	Sender        string
	Subject       string
	Text, HTML    string
	Headers       map[string]string
	CreatedAt     time.Time // also the Date header, so a resend is identical
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LeaseUntil    time.Time
	LastError     string
	SentAt        time.Time
}

const alertCols = `committee, key, kind, state, open, payload, opened_at, updated_at, resolved_at, notified_state, notified_at, resolved_notified`

// Alerts lists every stored alert, ordered by committee and key.
func (tx *Tx) Alerts(ctx context.Context) ([]Alert, error) {
	return alerts(ctx, tx.tx, tx.dialect, "")
}

// OpenAlerts lists the open alerts (for status and metrics).
func (s *Store) OpenAlerts(ctx context.Context) ([]Alert, error) {
	return alerts(ctx, s.db, s.dialect, " WHERE open = ?")
}

func alerts(ctx context.Context, x q, dialect, where string) ([]Alert, error) {
	var args []any
	if where != "" {
		args = append(args, true)
	}
	rows, err := x.QueryxContext(ctx, x.Rebind(`SELECT `+alertCols+` FROM alerts`+where+
		` ORDER BY `+textOrder(dialect, "committee")+`, `+textOrder(dialect, "key")), args...)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	defer rows.Close()
	var out []Alert
	for rows.Next() {
		var (
			a                            Alert
			payload                      string
			opened, updated, res, notify instant
		)
		if err := rows.Scan(&a.Committee, &a.Key, &a.Kind, &a.State, &a.Open, &payload, &opened, &updated, &res, &a.NotifiedState, &notify, &a.ResolvedNotified); err != nil {
			return nil, fmt.Errorf("list alerts: %w", err)
		}
		a.Payload = json.RawMessage(payload)
		a.OpenedAt, a.UpdatedAt, a.ResolvedAt, a.NotifiedAt = opened.T, updated.T, res.T, notify.T
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	return out, nil
}

// PutAlert inserts or replaces an alert.
func (tx *Tx) PutAlert(ctx context.Context, a Alert) error {
	payload := string(a.Payload)
	if payload == "" {
		payload = "{}"
	}
	d := tx.dialect
	_, err := tx.tx.ExecContext(ctx, tx.Rebind(`
		INSERT INTO alerts (`+alertCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (committee, key) DO UPDATE SET kind = excluded.kind, state = excluded.state, open = excluded.open,
			payload = excluded.payload, opened_at = excluded.opened_at, updated_at = excluded.updated_at,
			resolved_at = excluded.resolved_at, notified_state = excluded.notified_state,
			notified_at = excluded.notified_at, resolved_notified = excluded.resolved_notified`),
		a.Committee, a.Key, a.Kind, a.State, a.Open, payload, instantArg(d, a.OpenedAt), instantArg(d, a.UpdatedAt),
		instantArg(d, a.ResolvedAt), a.NotifiedState, instantArg(d, a.NotifiedAt), a.ResolvedNotified)
	if err != nil {
		return fmt.Errorf("save alert %s %s: %w", a.Committee, a.Key, err)
	}
	return nil
}

// DeleteResolvedBefore forgets alerts that closed, and were announced as
// closed, before t. Callers keep them longer than the longest repeat
// interval so an old alert never looks new.
func (tx *Tx) DeleteResolvedBefore(ctx context.Context, t time.Time) error {
	_, err := tx.tx.ExecContext(ctx, tx.Rebind(`DELETE FROM alerts WHERE open = ? AND resolved_notified = ? AND resolved_at < ?`),
		false, true, instantArg(tx.dialect, t))
	if err != nil {
		return fmt.Errorf("forget old alerts: %w", err)
	}
	return nil
}

// Groups returns the notification record of every committee that has one.
func (tx *Tx) Groups(ctx context.Context) (map[string]Group, error) {
	rows, err := tx.tx.QueryxContext(ctx, `SELECT committee, last_composed_at, last_sent_at FROM notify_groups`)
	if err != nil {
		return nil, fmt.Errorf("list notify groups: %w", err)
	}
	defer rows.Close()
	out := map[string]Group{}
	for rows.Next() {
		var (
			g          Group
			comp, sent instant
		)
		if err := rows.Scan(&g.Committee, &comp, &sent); err != nil {
			return nil, fmt.Errorf("list notify groups: %w", err)
		}
		g.LastComposedAt, g.LastSentAt = comp.T, sent.T
		out[g.Committee] = g
	}
	return out, rows.Err()
}

// MarkComposed records that a digest for committee was composed at now.
func (tx *Tx) MarkComposed(ctx context.Context, committee string, now time.Time) error {
	_, err := tx.tx.ExecContext(ctx, tx.Rebind(`
		INSERT INTO notify_groups (committee, last_composed_at) VALUES (?, ?)
		ON CONFLICT (committee) DO UPDATE SET last_composed_at = excluded.last_composed_at`),
		committee, instantArg(tx.dialect, now))
	if err != nil {
		return fmt.Errorf("mark digest composed for %q: %w", committee, err)
	}
	return nil
}

// PendingCommittees lists committees with mail still waiting in the outbox.
func (tx *Tx) PendingCommittees(ctx context.Context) (map[string]bool, error) {
	var cs []string
	if err := tx.tx.SelectContext(ctx, &cs, tx.Rebind(`SELECT DISTINCT committee FROM outbox WHERE status IN (?, ?)`), OutboxPending, OutboxSending); err != nil {
		return nil, fmt.Errorf("list committees with pending mail: %w", err)
	}
	out := map[string]bool{}
	for _, c := range cs {
		out[c] = true
	}
	return out, nil
}

// Enqueue adds a rendered message to the outbox. The same (Message-ID,
// recipient) is queued once: composing again after a crash adds nothing.
func (tx *Tx) Enqueue(ctx context.Context, m OutboxMessage) error {
	h, err := json.Marshal(m.Headers)
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", m.MessageID, err)
	}
	d := tx.dialect
	_, err = tx.tx.ExecContext(ctx, tx.Rebind(`
		INSERT INTO outbox (message_id, committee, recipient, sender, subject, body_text, body_html, headers,
			created_at, status, attempts, next_attempt_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)
		ON CONFLICT (message_id, recipient) DO NOTHING`),
		m.MessageID, m.Committee, m.Recipient, m.Sender, m.Subject, m.Text, m.HTML, string(h),
		instantArg(d, m.CreatedAt), OutboxPending, instantArg(d, m.CreatedAt))
	if err != nil {
		return fmt.Errorf("enqueue %s to %s: %w", m.MessageID, m.Recipient, err)
	}
	return nil
}

const outboxCols = `id, message_id, committee, recipient, sender, subject, body_text, body_html, headers, created_at, status, attempts, next_attempt_at, lease_until, last_error, sent_at`

func scanOutbox(rows *sql.Rows) ([]OutboxMessage, error) {
	defer rows.Close()
	var out []OutboxMessage
	for rows.Next() {
		var (
			m                          OutboxMessage
			headers                    string
			created, next, lease, sent instant
		)
		if err := rows.Scan(&m.ID, &m.MessageID, &m.Committee, &m.Recipient, &m.Sender, &m.Subject, &m.Text, &m.HTML,
			&headers, &created, &m.Status, &m.Attempts, &next, &lease, &m.LastError, &sent); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(headers), &m.Headers); err != nil {
			return nil, fmt.Errorf("outbox %d headers: %w", m.ID, err)
		}
		m.CreatedAt, m.NextAttemptAt, m.LeaseUntil, m.SentAt = created.T, next.T, lease.T, sent.T
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// ClaimOutbox takes up to limit messages due at now (pending and due, or
// claimed by a sender whose lease ran out) and leases them until now+lease.
// On PostgreSQL, SKIP LOCKED lets replicas drain the outbox side by side
// without taking the same message; SQLite runs one process only. Messages
// come back in queue order.
//
// Each recipient gets its mail in queue order: a message is not due while
// an earlier one to the same recipient waits for its retry or is held by
// another sender, so after an outage the backlog goes out in the order it
// was composed, and an "overdue" digest never overtakes the "due" one
// before it.
func (s *Store) ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]OutboxMessage, error) {
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	d := s.dialect
	rows, err := s.db.QueryContext(ctx, s.db.Rebind(`
		UPDATE outbox SET status = ?, lease_until = ?
		WHERE id IN (
			SELECT o.id FROM outbox o
			WHERE ((o.status = ? AND o.next_attempt_at <= ?) OR (o.status = ? AND o.lease_until < ?))
				AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.recipient = o.recipient AND e.id < o.id
					AND ((e.status = ? AND e.next_attempt_at > ?) OR (e.status = ? AND e.lease_until >= ?)))
			ORDER BY o.id LIMIT ?`+lock+`)
		RETURNING `+outboxCols),
		OutboxSending, instantArg(d, now.Add(lease)),
		OutboxPending, instantArg(d, now), OutboxSending, instantArg(d, now),
		OutboxPending, instantArg(d, now), OutboxSending, instantArg(d, now), limit)
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	out, err := scanOutbox(rows)
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	return out, nil
}

// MarkSent records that the server accepted message id, and that its
// committee was notified at now (the repeat interval counts from here).
func (s *Store) MarkSent(ctx context.Context, id int64, now time.Time) error {
	return s.InTx(ctx, func(tx *Tx) error {
		var committee string
		d := s.dialect
		err := tx.tx.GetContext(ctx, &committee, tx.Rebind(`
			UPDATE outbox SET status = ?, sent_at = ?, lease_until = NULL, attempts = attempts + 1, last_error = ''
			WHERE id = ? RETURNING committee`), OutboxSent, instantArg(d, now), id)
		if err != nil {
			return fmt.Errorf("mark outbox %d sent: %w", id, err)
		}
		_, err = tx.tx.ExecContext(ctx, tx.Rebind(`
			INSERT INTO notify_groups (committee, last_sent_at) VALUES (?, ?)
			ON CONFLICT (committee) DO UPDATE SET last_sent_at = excluded.last_sent_at`), committee, instantArg(d, now))
		if err != nil {
			return fmt.Errorf("mark %q notified: %w", committee, err)
		}
		return nil
	})
}

// MarkRetry puts message id back in the queue until next after a
// temporary failure.
func (s *Store) MarkRetry(ctx context.Context, id int64, next time.Time, cause string) error {
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`
		UPDATE outbox SET status = ?, next_attempt_at = ?, lease_until = NULL, attempts = attempts + 1, last_error = ?
		WHERE id = ?`), OutboxPending, instantArg(s.dialect, next), cause, id)
	if err != nil {
		return fmt.Errorf("reschedule outbox %d: %w", id, err)
	}
	return nil
}

// ReleaseOutbox puts claimed message id back in the queue untried, as it
// was: the sender did not attempt it (an earlier message to the same
// recipient was just deferred, and it must not overtake that one).
func (s *Store) ReleaseOutbox(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE outbox SET status = ?, lease_until = NULL WHERE id = ? AND status = ?`),
		OutboxPending, id, OutboxSending)
	if err != nil {
		return fmt.Errorf("release outbox %d: %w", id, err)
	}
	return nil
}

// MarkFailed gives up on message id after a permanent failure.
func (s *Store) MarkFailed(ctx context.Context, id int64, cause string) error {
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`
		UPDATE outbox SET status = ?, lease_until = NULL, attempts = attempts + 1, last_error = ? WHERE id = ?`),
		OutboxFailed, cause, id)
	if err != nil {
		return fmt.Errorf("mark outbox %d failed: %w", id, err)
	}
	return nil
}

// Outbox lists messages with the given statuses (all when none), oldest
// first, at most limit (<= 0: all).
func (s *Store) Outbox(ctx context.Context, limit int, statuses ...string) ([]OutboxMessage, error) {
	query := `SELECT ` + outboxCols + ` FROM outbox`
	var args []any
	if len(statuses) > 0 {
		query += ` WHERE status IN (?` + strings.Repeat(", ?", len(statuses)-1) + `)`
		for _, st := range statuses {
			args = append(args, st)
		}
	}
	query += ` ORDER BY id`
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.db.QueryContext(ctx, s.db.Rebind(query), args...)
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	out, err := scanOutbox(rows)
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return out, nil
}

// OutboxCounts counts messages by status.
func (s *Store) OutboxCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT status, COUNT(*) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("count outbox: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var (
			st string
			n  int
		)
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("count outbox: %w", err)
		}
		out[st] = n
	}
	return out, rows.Err()
}
