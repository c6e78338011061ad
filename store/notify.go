package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"chuyenhoa/finding"
	"github.com/jmoiron/sqlx"
)

// Alert is one open (or recently closed) matter for one committee: an
// overdue report, an area that relapsed. Its key is stable across runs so
// the notifier can tell an old alert from a new one.
type Alert struct {
	Committee string            `db:"committee"` // rules.Committee's string form: district code, xa:<unit>, "" = provincial committee
	Key       string            `db:"key"`
	Kind      finding.AlertKind `db:"kind"`
	State     finding.State     `db:"state"` // the finding's state (overdue, escalated, relapsed…) or finding.Resolved
	Open      bool              `db:"open"`
	Payload   json.RawMessage
	OpenedAt  time.Time
	UpdatedAt time.Time
	// ResolvedAt is when the alert closed; zero while open.
	ResolvedAt time.Time
	// NotifiedState is the state last put in a digest ("" = never mailed).
	NotifiedState    finding.State `db:"notified_state"`
	NotifiedAt       time.Time
	ResolvedNotified bool `db:"resolved_notified"`
}

// Group is a committee's notification record: when a digest was last
// composed and when one was last accepted by the mail server.
type Group struct {
	Committee      string `db:"committee"`
	LastComposedAt time.Time
	LastSentAt     time.Time
}

// Outbox statuses.
const (
	OutboxPending = "pending"
	OutboxSending = "sending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"
	// OutboxCancelled is a message someone cancelled before it went out
	// (CancelOutbox): it is never sent.
	OutboxCancelled = "cancelled"
)

// OutboxMessage is one rendered mail for one envelope recipient.
type OutboxMessage struct {
	ID            int64  `db:"id"`
	MessageID     string `db:"message_id"`
	Committee     string `db:"committee"`
	Recipient     string `db:"recipient"`
	Sender        string `db:"sender"`
	Subject       string `db:"subject"`
	Text          string `db:"body_text"`
	HTML          string `db:"body_html"`
	Headers       map[string]string
	CreatedAt     time.Time // also the Date header, so a resend is identical
	Status        string    `db:"status"`
	Attempts      int       `db:"attempts"`
	NextAttemptAt time.Time
	LeaseUntil    time.Time
	LastError     string `db:"last_error"`
	SentAt        time.Time
	// CancelReason says why the message was cancelled, and by whom.
	CancelReason string `db:"cancel_reason"`
	CancelledAt  time.Time
}

// alertTable holds the alerts; PutAlert upserts on (committee, key).
var alertTable = table{"alerts", []string{"committee", "key", "kind", "state", "open", "payload", "opened_at", "updated_at",
	"resolved_at", "notified_state", "notified_at", "resolved_notified"}, []string{"committee", "key"}}

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
	out, err := selectRows[alertScan](ctx, x, x.Rebind(alertTable.selectAll()+where+
		` ORDER BY `+textOrder(dialect, "committee")+`, `+textOrder(dialect, "key")), args...)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	return out, nil
}

// alertScan is an alerts row as sqlx scans it; the payload and instant
// fields shadow the embedded alert's.
type alertScan struct {
	Alert
	Payload    string  `db:"payload"`
	OpenedAt   instant `db:"opened_at"`
	UpdatedAt  instant `db:"updated_at"`
	ResolvedAt instant `db:"resolved_at"`
	NotifiedAt instant `db:"notified_at"`
}

func (r alertScan) value() Alert {
	a := r.Alert
	a.Payload = json.RawMessage(r.Payload)
	a.OpenedAt, a.UpdatedAt, a.ResolvedAt, a.NotifiedAt = r.OpenedAt.T, r.UpdatedAt.T, r.ResolvedAt.T, r.NotifiedAt.T
	return a
}

// PutAlert inserts or replaces an alert.
func (tx *Tx) PutAlert(ctx context.Context, a Alert) error {
	_, err := tx.tx.ExecContext(ctx, tx.Rebind(alertTable.upsert(1)), alertArgs(tx.dialect, a)...)
	if err != nil {
		return fmt.Errorf("save alert %s %s: %w", a.Committee, a.Key, err)
	}
	return nil
}

// alertArgs are a's values in alertTable's column order.
func alertArgs(d string, a Alert) []any {
	payload := string(a.Payload)
	if payload == "" {
		payload = "{}"
	}
	return []any{a.Committee, a.Key, a.Kind, a.State, a.Open, payload, instantArg(d, a.OpenedAt), instantArg(d, a.UpdatedAt),
		instantArg(d, a.ResolvedAt), a.NotifiedState, instantArg(d, a.NotifiedAt), a.ResolvedNotified}
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
	gs, err := selectRows[groupScan](ctx, tx.tx, `SELECT committee, last_composed_at, last_sent_at FROM notify_groups`)
	if err != nil {
		return nil, fmt.Errorf("list notify groups: %w", err)
	}
	out := make(map[string]Group, len(gs))
	for _, g := range gs {
		out[g.Committee] = g
	}
	return out, nil
}

// groupScan is a notify_groups row as sqlx scans it; the instants shadow
// the embedded group's.
type groupScan struct {
	Group
	LastComposedAt instant `db:"last_composed_at"`
	LastSentAt     instant `db:"last_sent_at"`
}

func (r groupScan) value() Group {
	r.Group.LastComposedAt, r.Group.LastSentAt = r.LastComposedAt.T, r.LastSentAt.T
	return r.Group
}

// MarkComposed records that a digest for each of committees was
// composed at now, in one statement.
func (tx *Tx) MarkComposed(ctx context.Context, now time.Time, committees ...string) error {
	return tx.markGroups(ctx, "last_composed_at", now, committees)
}

// markGroups sets column (last_composed_at or last_sent_at) of the
// committees' notify_groups rows to now, in one statement.
func (tx *Tx) markGroups(ctx context.Context, column string, now time.Time, committees []string) error {
	// In one order, so that two jobs' transactions marking the same
	// committees side by side take the rows' locks in turn instead of
	// deadlocking.
	var args []any
	for _, c := range slices.Compact(slices.Sorted(slices.Values(committees))) {
		args = append(args, c, instantArg(tx.dialect, now))
	}
	if len(args) == 0 {
		return nil
	}
	_, err := tx.tx.ExecContext(ctx, tx.Rebind(setGroups(column, `VALUES `+rows(2, len(args)/2))), args...)
	if err != nil {
		return fmt.Errorf("notify groups: set %s for %d committees (the first %q): %w", column, len(args)/2, committees[0], err)
	}
	return nil
}

// setGroups is the statement that sets column of notify_groups for the
// (committee, time) rows source yields, adding the committees it lacks.
func setGroups(column, source string) string {
	return `INSERT INTO notify_groups (committee, ` + column + `) ` + source + `
		ON CONFLICT (committee) DO UPDATE SET ` + column + ` = excluded.` + column
}

// rows is n rows of cols placeholders, for a multi-row VALUES.
func rows(cols, n int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// Enqueue adds rendered messages to the outbox, a few hundred a
// statement. The same (Message-ID, recipient) is queued once: composing
// again after a crash adds nothing.
func (tx *Tx) Enqueue(ctx context.Context, ms ...OutboxMessage) error {
	const cols, per = 11, 400
	d := tx.dialect
	for start := 0; start < len(ms); start += per {
		part := ms[start:min(start+per, len(ms))]
		args := make([]any, 0, cols*len(part))
		for _, m := range part {
			h, err := json.Marshal(m.Headers)
			if err != nil {
				return fmt.Errorf("enqueue %s: %w", m.MessageID, err)
			}
			args = append(args, m.MessageID, m.Committee, m.Recipient, m.Sender, m.Subject, m.Text, m.HTML, string(h),
				instantArg(d, m.CreatedAt), OutboxPending, instantArg(d, m.CreatedAt))
		}
		_, err := tx.tx.ExecContext(ctx, tx.Rebind(`
			INSERT INTO outbox (message_id, committee, recipient, sender, subject, body_text, body_html, headers,
				created_at, status, next_attempt_at)
			VALUES `+rows(cols, len(part))+`
			ON CONFLICT (message_id, recipient) DO NOTHING`), args...)
		if err != nil {
			return fmt.Errorf("enqueue %d messages (the first %s to %s): %w", len(part), part[0].MessageID, part[0].Recipient, err)
		}
	}
	return nil
}

const outboxCols = `id, message_id, committee, recipient, sender, subject, body_text, body_html, headers, created_at, status, attempts, next_attempt_at, lease_until, last_error, sent_at, cancel_reason, cancelled_at`

// outboxScan is an outbox row as sqlx scans it; the headers and instant
// fields shadow the embedded message's.
type outboxScan struct {
	OutboxMessage
	Headers       string  `db:"headers"`
	CreatedAt     instant `db:"created_at"`
	NextAttemptAt instant `db:"next_attempt_at"`
	LeaseUntil    instant `db:"lease_until"`
	SentAt        instant `db:"sent_at"`
	CancelledAt   instant `db:"cancelled_at"`
}

// selectOutbox reads the messages query returns (outboxCols, from a SELECT
// or an UPDATE … RETURNING), ordered by id.
func (s *Store) selectOutbox(ctx context.Context, query string, args ...any) ([]OutboxMessage, error) {
	var rows []outboxScan
	if err := s.db.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, err
	}
	var out []OutboxMessage
	for _, r := range rows {
		m := r.OutboxMessage
		if err := json.Unmarshal([]byte(r.Headers), &m.Headers); err != nil {
			return nil, fmt.Errorf("outbox %d headers: %w", m.ID, err)
		}
		m.CreatedAt, m.NextAttemptAt, m.LeaseUntil, m.SentAt = r.CreatedAt.T, r.NextAttemptAt.T, r.LeaseUntil.T, r.SentAt.T
		m.CancelledAt = r.CancelledAt.T
		out = append(out, m)
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
	out, err := s.selectOutbox(ctx, s.db.Rebind(`
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
	return out, nil
}

// MarkSent records that the server accepted message id at now, and that
// its committee was notified then (the repeat interval counts from here).
// The sender marks each accepted message on its own, so that a crash
// repeats at most the one in flight. The next message waits for this
// commit, so on PostgreSQL it is a single statement, without the round
// trips of BEGIN, a second statement and COMMIT.
func (s *Store) MarkSent(ctx context.Context, now time.Time, id int64) error {
	const sent = `UPDATE outbox SET status = ?, sent_at = ?, lease_until = NULL, attempts = attempts + 1, last_error = ''
		WHERE id = ? RETURNING committee`
	if s.dialect == Postgres {
		query := s.db.Rebind(`WITH sent AS (` + sent + `)
			` + setGroups("last_sent_at", `SELECT committee, ? FROM sent`))
		args := []any{OutboxSent, instantArg(s.dialect, now), id, instantArg(s.dialect, now)}
		var res sql.Result
		var err error
		if s.rehearsal == nil {
			// A mark is waited for before the next message is accepted
			// (notify.Sender): prepared once, it is one round trip to the
			// server instead of lib/pq's two and no parsing, 0.16 ms
			// instead of 0.37 here.
			var st *sqlx.Stmt
			if st, err = s.markSent.get(ctx, s.pool, query); err == nil {
				res, err = st.ExecContext(ctx, args...)
			}
		} else {
			res, err = s.db.ExecContext(ctx, query, args...)
		}
		if err != nil {
			return fmt.Errorf("mark outbox %d sent: %w", id, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("mark outbox %d sent: %w", id, err)
		}
		if n != 1 {
			return fmt.Errorf("mark outbox %d sent: %w", id, sql.ErrNoRows)
		}
		return nil
	}
	return s.InTx(ctx, func(tx *Tx) error {
		var committee string
		err := tx.tx.GetContext(ctx, &committee, tx.Rebind(sent), OutboxSent, instantArg(s.dialect, now), id)
		if err != nil {
			return fmt.Errorf("mark outbox %d sent: %w", id, err)
		}
		return tx.markGroups(ctx, "last_sent_at", now, []string{committee})
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

// ReclaimOutbox puts every claimed message (sending) back in the queue,
// due as it was, and returns how many. Only a sender that knows it is the
// only one may call it (notify.Sender.Exclusive): the claims it undoes
// belong to a sender that died or stopped. Attempts are not counted: the
// dead sender's outcome is unknown.
func (s *Store) ReclaimOutbox(ctx context.Context) (int, error) {
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE outbox SET status = ?, lease_until = NULL WHERE status = ?`),
		OutboxPending, OutboxSending)
	if err != nil {
		return 0, fmt.Errorf("reclaim claimed outbox messages: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("reclaim claimed outbox messages: %w", err)
	}
	return int(n), nil
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
	out, err := s.selectOutbox(ctx, s.db.Rebind(query), args...)
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return out, nil
}

// OutboxCounts counts messages by status.
func (s *Store) OutboxCounts(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	err := eachRow(ctx, s.db, `SELECT status, COUNT(*) FROM outbox GROUP BY status`, nil, func(rows *sqlx.Rows) error {
		var (
			st string
			n  int
		)
		if err := rows.Scan(&st, &n); err != nil {
			return err
		}
		out[st] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count outbox: %w", err)
	}
	return out, nil
}

// CommitteeMail is what the outbox says of one committee's mail, for the
// status page: the last message the server accepted (not merely queued),
// what waits, and what the server refused since.
type CommitteeMail struct {
	Committee    string `db:"committee"`
	LastAccepted time.Time
	Waiting      int `db:"waiting"` // pending or being sent
	// Refused counts the messages refused for good after the last one
	// accepted; LastRefused and LastError are the newest one's.
	Refused     int `db:"refused"`
	LastRefused time.Time
	LastError   string `db:"last_error"`
}

// MailByCommittee reads CommitteeMail for every committee with mail in the
// outbox, by committee.
func (s *Store) MailByCommittee(ctx context.Context) ([]CommitteeMail, error) {
	// "Since the last accepted" is by queue order: a refused message
	// queued after the last accepted one.
	const since = `o.id > COALESCE((SELECT MAX(e.id) FROM outbox e WHERE e.committee = c.committee AND e.status = ?), 0)`
	rows, err := selectRows[committeeMailScan](ctx, s.db, s.db.Rebind(`
		SELECT c.committee,
			(SELECT o.sent_at FROM outbox o WHERE o.committee = c.committee AND o.status = ? ORDER BY o.sent_at DESC LIMIT 1) AS last_accepted,
			(SELECT COUNT(*) FROM outbox o WHERE o.committee = c.committee AND o.status IN (?, ?)) AS waiting,
			(SELECT COUNT(*) FROM outbox o WHERE o.committee = c.committee AND o.status = ? AND `+since+`) AS refused,
			(SELECT o.created_at FROM outbox o WHERE o.committee = c.committee AND o.status = ? AND `+since+` ORDER BY o.id DESC LIMIT 1) AS last_refused,
			(SELECT o.last_error FROM outbox o WHERE o.committee = c.committee AND o.status = ? AND `+since+` ORDER BY o.id DESC LIMIT 1) AS last_error
		FROM (SELECT DISTINCT committee FROM outbox) c ORDER BY `+textOrder(s.dialect, "c.committee")),
		OutboxSent, OutboxPending, OutboxSending, OutboxFailed, OutboxSent, OutboxFailed, OutboxSent, OutboxFailed, OutboxSent)
	if err != nil {
		return nil, fmt.Errorf("read mail by committee: %w", err)
	}
	return rows, nil
}

type committeeMailScan struct {
	CommitteeMail
	LastAccepted instant        `db:"last_accepted"`
	LastRefused  instant        `db:"last_refused"`
	LastError    sql.NullString `db:"last_error"`
}

func (r committeeMailScan) value() CommitteeMail {
	m := r.CommitteeMail
	m.LastAccepted, m.LastRefused, m.LastError = r.LastAccepted.T, r.LastRefused.T, r.LastError.String
	return m
}

// AcceptedItems says, for each alert (committee, key) a recorded mail
// showed open, when the server last accepted a mail that showed it: the
// status page's "last mailed". Mail only queued, refused or cancelled does
// not count.
func (s *Store) AcceptedItems(ctx context.Context) (map[[2]string]time.Time, error) {
	type rec struct {
		Committee string  `db:"committee"`
		Items     string  `db:"items"`
		Accepted  instant `db:"accepted_at"`
	}
	var rows []rec
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT d.committee, d.items,
			(SELECT MIN(o.sent_at) FROM outbox o WHERE o.message_id = d.message_id AND o.status = ?) AS accepted_at
		FROM digests d WHERE EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = d.message_id AND o.status = ?)`), OutboxSent, OutboxSent)
	if err != nil {
		return nil, fmt.Errorf("read accepted mail: %w", err)
	}
	out := map[[2]string]time.Time{}
	for _, r := range rows {
		var items []DigestItem
		if err := json.Unmarshal([]byte(r.Items), &items); err != nil {
			return nil, fmt.Errorf("accepted mail items: %w", err)
		}
		for _, it := range items {
			id := [2]string{r.Committee, it.Key}
			if it.Open && r.Accepted.T.After(out[id]) {
				out[id] = r.Accepted.T
			}
		}
	}
	return out, nil
}
