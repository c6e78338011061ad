package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"chuyenhoa/finding"
)

// The kinds of mail the dispatcher records (DigestRecord.Kind).
const (
	// MailDigest is a committee's digest: at most one per digest time.
	MailDigest = "digest"
	// MailImmediate is a mail of the alerts of a kind mailed at once
	// (mail.immediate_kinds), composed by the job run that changed them.
	MailImmediate = "immediate"
)

// DigestItem is one alert as a mail showed it.
type DigestItem struct {
	Key   string        `json:"k"`
	State finding.State `json:"s"`
	Open  bool          `json:"o"`
}

// DigestRecord is one mail the dispatcher composed for one committee:
// what it carried and, read back by DigestLog, what became of it in the
// outbox. A committee without an address has records under the
// provincial digest's Message-ID that forwarded its items.
type DigestRecord struct {
	ID        int64  `db:"id"`
	Committee string `db:"committee"` // rules.Committee's string form
	Kind      string `db:"kind"`      // MailDigest or MailImmediate
	// Slot names the digest time the digest was for ("2026-03-01T08:00"
	// in provincial time); an immediate mail's is the moment it was
	// composed.
	Slot       string `db:"slot"`
	MessageID  string `db:"message_id"`
	Reason     string `db:"reason"`
	ComposedAt time.Time
	// Items are the alerts the mail showed, with their states (written by
	// RecordDigest, read by DigestItems; DigestLog leaves them out).
	Items []DigestItem

	// What the outbox says, as DigestLog reads it.
	Live       bool      `db:"live"`    // some copy is not cancelled: the mail counts as composed
	Waiting    bool      `db:"waiting"` // some copy is pending or being sent
	AcceptedAt time.Time // when the server first accepted a copy; zero if it never did
}

// Accepted reports whether the server accepted a copy of the mail.
func (r DigestRecord) Accepted() bool { return !r.AcceptedAt.IsZero() }

// digestScan is a digests row with its outbox flags as sqlx scans it.
type digestScan struct {
	DigestRecord
	ComposedAt instant `db:"composed_at"`
	AcceptedAt instant `db:"accepted_at"`
}

func (r digestScan) value() DigestRecord {
	d := r.DigestRecord
	d.ComposedAt, d.AcceptedAt = r.ComposedAt.T, r.AcceptedAt.T
	return d
}

// RecordDigests records mails the dispatcher composed, a few hundred rows
// a statement. A second digest for the same committee and digest time is
// refused (the unique index is the last fence against two digests for one
// time), and with it the whole call.
func (tx *Tx) RecordDigests(ctx context.Context, rs []DigestRecord) error {
	const cols = 7
	for start := 0; start < len(rs); start += 500 {
		part := rs[start:min(start+500, len(rs))]
		args := make([]any, 0, cols*len(part))
		for _, r := range part {
			items := []byte("[]")
			if r.Items != nil {
				var err error
				if items, err = json.Marshal(r.Items); err != nil {
					return fmt.Errorf("record digest %s: %w", r.MessageID, err)
				}
			}
			args = append(args, r.Committee, r.Kind, r.Slot, r.MessageID, r.Reason, instantArg(tx.dialect, r.ComposedAt), string(items))
		}
		row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
		q := `INSERT INTO digests (committee, kind, slot, message_id, reason, composed_at, items) VALUES ` +
			strings.TrimSuffix(strings.Repeat(row+", ", len(part)), ", ")
		if _, err := tx.tx.ExecContext(ctx, tx.Rebind(q), args...); err != nil {
			return fmt.Errorf("record %d digests (the first for %q, %s): %w", len(part), part[0].Committee, part[0].Slot, err)
		}
	}
	return nil
}

// PutAlerts inserts or replaces alerts, a few hundred a statement; an
// alert listed twice is written as its last listing says.
func (tx *Tx) PutAlerts(ctx context.Context, as []Alert) error {
	rows := lastOfEach(as)
	for start := 0; start < len(rows); start += 200 {
		part := rows[start:min(start+200, len(rows))]
		args := make([]any, 0, len(alertTable.cols)*len(part))
		for _, a := range part {
			args = append(args, alertArgs(tx.dialect, a)...)
		}
		if _, err := tx.tx.ExecContext(ctx, tx.Rebind(alertTable.upsert(len(part))), args...); err != nil {
			return fmt.Errorf("save %d alerts (the first %s %s): %w", len(part), part[0].Committee, part[0].Key, err)
		}
	}
	return nil
}

// lastOfEach keeps the last listing of each alert, in order.
func lastOfEach(as []Alert) []Alert {
	last := map[[2]string]int{}
	for i, a := range as {
		last[[2]string{a.Committee, a.Key}] = i
	}
	var out []Alert
	for i, a := range as {
		if last[[2]string{a.Committee, a.Key}] == i {
			out = append(out, a)
		}
	}
	return out
}

// MarkAlertsNotified writes what mail did to alerts (the state last
// mailed and when, whether a closure was announced), a few hundred a
// statement, and nothing else of them: the alerts stay as the jobs left
// them. Alerts that are not stored are left alone.
func (tx *Tx) MarkAlertsNotified(ctx context.Context, as []Alert) error {
	ts, b := "?", "?"
	if tx.dialect == Postgres {
		// VALUES has no column types to go by.
		ts, b = "CAST(? AS TIMESTAMPTZ)", "CAST(? AS BOOLEAN)"
	}
	row := "(?, ?, ?, " + ts + ", " + b + ")"
	// An alert listed twice is written as its last listing says (an UPDATE
	// joined to two rows would take either).
	as = lastOfEach(as)
	for start := 0; start < len(as); start += 500 {
		part := as[start:min(start+500, len(as))]
		args := make([]any, 0, 5*len(part))
		for _, a := range part {
			args = append(args, a.Committee, a.Key, a.NotifiedState, instantArg(tx.dialect, a.NotifiedAt), a.ResolvedNotified)
		}
		q := `UPDATE alerts SET notified_state = v.column3, notified_at = v.column4, resolved_notified = v.column5
			FROM (VALUES ` + strings.TrimSuffix(strings.Repeat(row+", ", len(part)), ", ") + `) AS v
			WHERE alerts.committee = v.column1 AND alerts.key = v.column2`
		if _, err := tx.tx.ExecContext(ctx, tx.Rebind(q), args...); err != nil {
			return fmt.Errorf("mark %d alerts notified (the first %s %s): %w", len(part), part[0].Committee, part[0].Key, err)
		}
	}
	return nil
}

// DigestLog lists every recorded mail, by committee and then in the order
// composed, with what the outbox says of it; without the items.
func (tx *Tx) DigestLog(ctx context.Context) ([]DigestRecord, error) {
	out, err := selectRows[digestScan](ctx, tx.tx, tx.Rebind(`
		SELECT d.id, d.committee, d.kind, d.slot, d.message_id, d.reason, d.composed_at,
			EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = d.message_id AND o.status <> ?) AS live,
			EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = d.message_id AND o.status IN (?, ?)) AS waiting,
			(SELECT MIN(o.sent_at) FROM outbox o WHERE o.message_id = d.message_id AND o.status = ?) AS accepted_at
		FROM digests d ORDER BY `+textOrder(tx.dialect, "d.committee")+`, d.id`),
		OutboxCancelled, OutboxPending, OutboxSending, OutboxSent)
	if err != nil {
		return nil, fmt.Errorf("read the digest log: %w", err)
	}
	return out, nil
}

// DigestItems reads the items of the recorded mails ids, by id.
func (tx *Tx) DigestItems(ctx context.Context, ids []int64) (map[int64][]DigestItem, error) {
	out := map[int64][]DigestItem{}
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		var rows []struct {
			ID    int64  `db:"id"`
			Items string `db:"items"`
		}
		q := `SELECT id, items FROM digests WHERE id IN (?` + strings.Repeat(", ?", len(part)-1) + `)`
		if err := tx.tx.SelectContext(ctx, &rows, tx.Rebind(q), args...); err != nil {
			return nil, fmt.Errorf("read digest items: %w", err)
		}
		for _, r := range rows {
			var items []DigestItem
			if err := json.Unmarshal([]byte(r.Items), &items); err != nil {
				return nil, fmt.Errorf("digest %d items: %w", r.ID, err)
			}
			out[r.ID] = items
		}
	}
	return out, nil
}

// PruneDigests forgets the mails composed before t. Callers keep them
// longer than the longest repeat gap: a committee with open items gets a
// digest at least that often, so its latest digest is never forgotten.
func (tx *Tx) PruneDigests(ctx context.Context, t time.Time) error {
	_, err := tx.tx.ExecContext(ctx, tx.Rebind(`DELETE FROM digests WHERE composed_at < ?`), instantArg(tx.dialect, t))
	if err != nil {
		return fmt.Errorf("forget old digests: %w", err)
	}
	return nil
}

// ErrNotCancellable is returned by CancelOutbox for a message that is not
// waiting to be sent.
var ErrNotCancellable = errors.New("only mail waiting to be sent can be cancelled")

// OutboxSelection names the messages CancelOutbox cancels: the listed ids,
// or every message waiting for Committee (rules.Committee's string form)
// when AllOf is set.
type OutboxSelection struct {
	IDs       []int64
	AllOf     bool
	Committee string
}

// CancelOutbox cancels the selected messages with reason, at now, and
// returns them. A listed id that does not exist or is not pending (being
// sent, sent, failed, cancelled) stops the whole cancellation: nothing is
// changed. A cancelled message is never sent; the dispatcher counts it as
// never composed, so its news goes into the committee's next digest.
func (s *Store) CancelOutbox(ctx context.Context, sel OutboxSelection, reason string, now time.Time) ([]OutboxMessage, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, errors.New("cancel outbox: give the reason")
	}
	var ids []int64
	err := s.InTx(ctx, func(tx *Tx) error {
		if sel.AllOf {
			if err := tx.tx.SelectContext(ctx, &ids, tx.Rebind(`SELECT id FROM outbox WHERE committee = ? AND status = ? ORDER BY id`),
				sel.Committee, OutboxPending); err != nil {
				return fmt.Errorf("cancel outbox: %w", err)
			}
		}
		for _, id := range sel.IDs {
			var status string
			err := tx.tx.GetContext(ctx, &status, tx.Rebind(`SELECT status FROM outbox WHERE id = ?`), id)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("cancel outbox: no message %d", id)
			case err != nil:
				return fmt.Errorf("cancel outbox %d: %w", id, err)
			case status != OutboxPending:
				return fmt.Errorf("cancel outbox %d: it is %s; %w", id, status, ErrNotCancellable)
			}
			ids = append(ids, id)
		}
		for _, id := range ids {
			res, err := tx.tx.ExecContext(ctx, tx.Rebind(`UPDATE outbox SET status = ?, cancel_reason = ?, cancelled_at = ? WHERE id = ? AND status = ?`),
				OutboxCancelled, reason, instantArg(s.dialect, now), id, OutboxPending)
			if err != nil {
				return fmt.Errorf("cancel outbox %d: %w", id, err)
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				// A sender claimed it between the read and the update.
				return fmt.Errorf("cancel outbox %d: it is being sent; %w", id, ErrNotCancellable)
			}
		}
		return nil
	})
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	out, err := s.selectOutbox(ctx, s.db.Rebind(`SELECT `+outboxCols+` FROM outbox WHERE id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`), args...)
	if err != nil {
		return nil, fmt.Errorf("cancel outbox: %w", err)
	}
	return out, nil
}
