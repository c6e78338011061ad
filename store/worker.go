package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"chuyenhoa/finding"
	"chuyenhoa/rules"
)

// Run statuses.
const (
	RunRunning = "running"
	RunOK      = "ok"
	RunFailed  = "failed"
)

// JobRun is the record of a job's work on one period; a rerun of the period
// updates the same record and counts an attempt.
type JobRun struct {
	ID         int64       `db:"id"`
	Job        finding.Job `db:"job"`
	Period     string      `db:"period"`
	RunID      string      `db:"run_id"`
	Status     string      `db:"status"` // running | ok | failed
	Attempts   int         `db:"attempts"`
	StartedAt  time.Time
	FinishedAt time.Time // zero while running
	Error      string    `db:"error"`
}

// Finding is one result of a job for a period (a proposal, an overdue
// report, a relapse...), keyed by kind and key within the period.
type Finding struct {
	Job    finding.Job  `db:"job"`
	Period string       `db:"period"`
	Kind   finding.Kind `db:"kind"`
	Key    string       `db:"key"`
	// District is the committee the finding concerns, in rules.Committee's
	// string form: a district's code, xa:<unit> for a commune's body
	// (deadline, relapse and cycle findings of communes without a
	// district), "" for the province or nobody in particular.
	District string          `db:"district_code"`
	Unit     string          `db:"unit_code"`
	State    finding.State   `db:"state"`
	Payload  json.RawMessage // a finding.Payload of Kind (finding.Encode)
}

// RelapseState is what the relapse watch knows of one area.
type RelapseState struct {
	Unit         string    `db:"unit_code"`
	Year         int       `db:"year"`
	Relapsed     bool      `db:"relapsed"`
	Since        time.Time // day the current state began; zero when never relapsed
	EverRelapsed bool      `db:"ever_relapsed"`
	CheckedOn    time.Time
	// FirstRelapsedOn is the check that first found the area relapsed;
	// zero when it never was, or when it was before migration 00005 began
	// to record the day (see RelapsedBy).
	FirstRelapsedOn time.Time
}

// Equal reports whether s and o are the same state, their days compared
// as instants (two reads of a row need not give one time.Location).
func (s RelapseState) Equal(o RelapseState) bool {
	return s.Unit == o.Unit && s.Year == o.Year && s.Relapsed == o.Relapsed && s.EverRelapsed == o.EverRelapsed &&
		s.Since.Equal(o.Since) && s.CheckedOn.Equal(o.CheckedOn) && s.FirstRelapsedOn.Equal(o.FirstRelapsedOn)
}

// RelapsedBy reports whether the area had been found relapsed by a check
// on or before day: a report for a past day does not count relapses found
// after it. A relapse recorded before the day was kept counts whatever
// the day, as it did then.
func (st RelapseState) RelapsedBy(day time.Time) bool {
	return st.EverRelapsed && (st.FirstRelapsedOn.IsZero() || !st.FirstRelapsedOn.After(day))
}

// NewRunID makes the id of a new run: random, so that two attempts at one
// period tell themselves apart in job_runs and in the logs.
func NewRunID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

const runCols = `id, job, period, run_id, status, attempts, started_at, finished_at, error`

// runScan is a job_runs row as sqlx scans it; the instants shadow the
// embedded run's.
type runScan struct {
	JobRun
	StartedAt  instant `db:"started_at"`
	FinishedAt instant `db:"finished_at"`
}

func (r runScan) value() JobRun {
	r.JobRun.StartedAt, r.JobRun.FinishedAt = r.StartedAt.T, r.FinishedAt.T
	return r.JobRun
}

// getRun reads the one run query returns (runCols); sql.ErrNoRows when
// there is none.
func getRun(ctx context.Context, x sqlx.QueryerContext, query string, args ...any) (JobRun, error) {
	var r runScan
	if err := sqlx.GetContext(ctx, x, &r, query, args...); err != nil {
		return JobRun{}, err
	}
	return r.value(), nil
}

// StartRun records that run runID of job works on period from now: a new
// record, or the existing one for (job, period) set running again with one
// more attempt.
func (s *Store) StartRun(ctx context.Context, job finding.Job, period, runID string, now time.Time) (JobRun, error) {
	r, err := getRun(ctx, s.db, s.db.Rebind(`
		INSERT INTO job_runs (job, period, run_id, status, attempts, started_at, finished_at, error)
		VALUES (?, ?, ?, 'running', 1, ?, NULL, '')
		ON CONFLICT (job, period) DO UPDATE SET
			run_id = excluded.run_id, status = 'running', attempts = job_runs.attempts + 1,
			started_at = excluded.started_at, finished_at = NULL, error = ''
		RETURNING `+runCols), job, period, runID, instantArg(s.dialect, now))
	if err != nil {
		return JobRun{}, fmt.Errorf("start run %s %s: %w", job, period, err)
	}
	return r, nil
}

// endRun sets the outcome of run runID. It fails when the record now
// belongs to another run, so a run that was taken over cannot overwrite
// its successor's outcome.
func endRun(ctx context.Context, x q, dialect string, job finding.Job, period, runID, status string, now time.Time, msg string) error {
	res, err := x.ExecContext(ctx, x.Rebind(`UPDATE job_runs SET status = ?, finished_at = ?, error = ? WHERE job = ? AND period = ? AND run_id = ?`),
		status, instantArg(dialect, now), msg, job, period, runID)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: %s is no longer the current run of this period", ErrRunSuperseded, runID)
	}
	return nil
}

// FailRun records that run runID failed with cause.
func (s *Store) FailRun(ctx context.Context, job finding.Job, period, runID string, now time.Time, cause error) error {
	msg := "unknown error"
	if cause != nil {
		msg = cause.Error()
	}
	if err := endRun(ctx, s.db, s.dialect, job, period, runID, RunFailed, now, msg); err != nil {
		return fmt.Errorf("fail run %s %s: %w", job, period, err)
	}
	return nil
}

// FinishRun records, in the transaction that stores the run's results, that
// run runID succeeded. If another run has since taken the period over it
// fails, and the caller's transaction (results included) rolls back.
func (tx *Tx) FinishRun(ctx context.Context, job finding.Job, period, runID string, now time.Time) error {
	if err := endRun(ctx, tx.tx, tx.dialect, job, period, runID, RunOK, now, ""); err != nil {
		return fmt.Errorf("finish run %s %s: %w", job, period, err)
	}
	return nil
}

// LastRun returns job's most recently started run, if any.
func (s *Store) LastRun(ctx context.Context, job finding.Job) (JobRun, bool, error) {
	r, err := getRun(ctx, s.db, s.db.Rebind(`SELECT `+runCols+` FROM job_runs WHERE job = ? ORDER BY started_at DESC, id DESC LIMIT 1`), job)
	if errors.Is(err, sql.ErrNoRows) {
		return JobRun{}, false, nil
	}
	if err != nil {
		return JobRun{}, false, fmt.Errorf("last run of %s: %w", job, err)
	}
	return r, true, nil
}

// Runs lists job's runs, latest started first, at most limit of them
// (limit <= 0: all). An empty job lists the runs of every job.
func (s *Store) Runs(ctx context.Context, job finding.Job, limit int) ([]JobRun, error) {
	query := `SELECT ` + runCols + ` FROM job_runs`
	var args []any
	if job != "" {
		query += ` WHERE job = ?`
		args = append(args, job)
	}
	query += ` ORDER BY started_at DESC, id DESC`
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	out, err := selectRows[runScan](ctx, s.db, s.db.Rebind(query), args...)
	if err != nil {
		return nil, fmt.Errorf("list runs of %q: %w", job, err)
	}
	return out, nil
}

// ReplaceFindings makes fs the findings of (job, period): those stored
// before and not in fs are deleted, so a rerun leaves exactly the new set
// (rows that did not change are left as they are). A finding's
// Job and Period, when set, must match; empty payloads are stored as {}.
func (tx *Tx) ReplaceFindings(ctx context.Context, job finding.Job, period string, fs []Finding) error {
	// The findings by kind and key: the stored rows are compared with
	// them as they are read (storedFindings).
	index := map[string]map[string]int{}
	for i, f := range fs {
		switch {
		case f.Job != "" && f.Job != job, f.Period != "" && f.Period != period:
			return fmt.Errorf("replace findings %s %s: finding %d (%s %s) belongs to %s %s", job, period, i, f.Kind, f.Key, f.Job, f.Period)
		case f.Kind == "" || f.Key == "":
			return fmt.Errorf("replace findings %s %s: finding %d has empty kind or key (%q, %q)", job, period, i, f.Kind, f.Key)
		case f.State == "":
			return fmt.Errorf("replace findings %s %s: finding %s %s has no state", job, period, f.Kind, f.Key)
		}
		byKey := index[string(f.Kind)]
		if byKey == nil {
			byKey = map[string]int{}
			index[string(f.Kind)] = byKey
		}
		if _, twice := byKey[f.Key]; twice {
			return fmt.Errorf("replace findings %s %s: finding %s %s appears twice", job, period, f.Kind, f.Key)
		}
		byKey[f.Key] = i
	}
	// Each payload as stored and its hash, which the stored rows are
	// compared by and which is stored with it.
	payloads := make([][]byte, len(fs))
	sums := make([][sha256.Size]byte, len(fs))
	for i, f := range fs {
		payloads[i] = storedPayload(f)
		sums[i] = sha256.Sum256(payloads[i])
	}
	row := func(i int) []any {
		f := fs[i]
		return []any{string(job), period, string(f.Kind), f.Key, f.District, f.Unit, string(f.State), string(payloads[i]), sums[i][:]}
	}
	// A period's findings are mostly what they were at its last run (the
	// candidates of a year, the relapse check of a month, recomputed
	// daily): only the rows that changed are deleted and written again.
	// Two runs of one period at once (run-once beside the service) take
	// turns from here on PostgreSQL, so that each compares with what the
	// other committed; SQLite's transactions hold its write lock anyway.
	if tx.dialect == Postgres {
		if _, err := tx.tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('chuyenhoa-findings/' || coalesce(current_schema(), '') || '/' || $1 || '/' || $2, 0))`,
			string(job), period); err != nil {
			return fmt.Errorf("replace findings %s %s: lock the period: %w", job, period, err)
		}
	}
	unchanged, gone, err := tx.storedFindings(ctx, job, period, fs, sums, index)
	if err != nil {
		return fmt.Errorf("replace findings %s %s: %w", job, period, err)
	}
	write := make([]int, 0, len(fs))
	for i := range fs {
		if !unchanged[i] {
			write = append(write, i)
		}
	}
	// Mostly new: one DELETE of the period is cheaper than many keys.
	whole := len(gone) > len(fs)/2
	if whole {
		write = write[:0]
		for i := range fs {
			write = append(write, i)
		}
	}
	// A payload stored as it is was checked when it was written.
	for _, i := range write {
		if f := fs[i]; len(f.Payload) > 0 && !json.Valid(f.Payload) {
			return fmt.Errorf("replace findings %s %s: finding %s %s: payload is not valid JSON", job, period, f.Kind, f.Key)
		}
	}
	if whole {
		if _, err := tx.tx.ExecContext(ctx, tx.Rebind(`DELETE FROM findings WHERE job = ? AND period = ?`), job, period); err != nil {
			return fmt.Errorf("replace findings %s %s: delete: %w", job, period, err)
		}
	} else if err := tx.deleteFindings(ctx, job, period, gone); err != nil {
		return fmt.Errorf("replace findings %s %s: delete: %w", job, period, err)
	}
	// Every key written is absent now and fs has no key twice: plain
	// inserts, no conflict to look for.
	if err := tx.insert(ctx, findingTable, len(write), func(i int) []any { return row(write[i]) }); err != nil {
		return fmt.Errorf("replace findings %s %s: %w", job, period, err)
	}
	return nil
}

// storedFindings reads the findings of (job, period) and compares each
// with the one of fs of its kind and key (index), the payloads by their
// hashes (sums, of fs's payloads as stored): unchanged tells which of fs
// are stored as they are, gone the stored rows to delete, changed or no
// longer found. The stored rows are compared as read, not kept: a period
// holds thousands.
func (tx *Tx) storedFindings(ctx context.Context, job finding.Job, period string, fs []Finding, sums [][sha256.Size]byte, index map[string]map[string]int) (unchanged []bool, gone [][2]string, err error) {
	unchanged = make([]bool, len(fs))
	var kind, key, district, unit, state, sum sql.RawBytes
	err = eachRow(ctx, tx.tx, tx.Rebind(`SELECT kind, key, district_code, unit_code, state, payload_sha256 FROM findings WHERE job = ? AND period = ?`),
		[]any{job, period}, func(rows *sqlx.Rows) error {
			if err := rows.Scan(&kind, &key, &district, &unit, &state, &sum); err != nil {
				return err
			}
			i, ok := index[string(kind)][string(key)]
			if ok {
				f := fs[i]
				// A row stored before its hash was (NULL) is written again.
				if string(district) == f.District && string(unit) == f.Unit && string(state) == string(f.State) && bytes.Equal(sum, sums[i][:]) {
					unchanged[i] = true
					return nil
				}
			}
			gone = append(gone, [2]string{string(kind), string(key)})
			return nil
		})
	if err != nil {
		return nil, nil, fmt.Errorf("read stored findings: %w", err)
	}
	return unchanged, gone, nil
}

// storedPayload is f's payload as the findings table holds it: an empty
// one as {}.
func storedPayload(f Finding) []byte {
	if len(f.Payload) == 0 {
		return []byte("{}")
	}
	return f.Payload
}

// deleteFindings deletes the findings of (job, period) with the given
// kinds and keys, batchRows keys a statement.
func (tx *Tx) deleteFindings(ctx context.Context, job finding.Job, period string, keys [][2]string) error {
	for start := 0; start < len(keys); start += batchRows {
		batch := keys[start:min(start+batchRows, len(keys))]
		args := []any{job, period}
		for _, k := range batch {
			args = append(args, k[0], k[1])
		}
		q := `DELETE FROM findings WHERE job = ? AND period = ? AND (kind, key) IN (VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?), ", len(batch)), ", ") + `)`
		if _, err := tx.tx.ExecContext(ctx, tx.Rebind(q), args...); err != nil {
			return err
		}
	}
	return nil
}

var findingTable = table{"findings", []string{"job", "period", "kind", "key", "district_code", "unit_code", "state", "payload", "payload_sha256"}, []string{"job", "period", "kind", "key"}}

// insert adds n new rows to t, row(i) giving the values of row i: on
// PostgreSQL with COPY (one round trip per buffer of rows instead of two
// per statement), on SQLite in prepared multi-row INSERTs of batchRows.
// A row whose key exists fails the whole insert.
func (tx *Tx) insert(ctx context.Context, t table, n int, row func(i int) []any) error {
	if n == 0 {
		return nil
	}
	if tx.dialect == Postgres {
		st, err := tx.tx.PrepareContext(ctx, `COPY `+t.name+` (`+strings.Join(t.cols, ", ")+`) FROM STDIN`)
		if err != nil {
			return fmt.Errorf("copy %s: %w", t.name, err)
		}
		defer st.Close()
		for i := range n {
			if _, err := st.ExecContext(ctx, row(i)...); err != nil {
				return fmt.Errorf("copy %s row %d: %w", t.name, i, err)
			}
		}
		// The Exec without arguments ends the COPY; a duplicate key shows
		// here.
		if _, err := st.ExecContext(ctx); err != nil {
			return fmt.Errorf("copy %s (%d rows): %w", t.name, n, err)
		}
		return nil
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ") + ")"
	return t.batches(ctx, tx.tx, "insert into", n, func(k int) string {
		return "INSERT INTO " + t.name + " (" + strings.Join(t.cols, ", ") + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", k), ", ")
	}, row)
}

// Findings lists the findings of (job, period), ordered by kind and key.
func (s *Store) Findings(ctx context.Context, job finding.Job, period string) ([]Finding, error) {
	out, err := selectRows[findingScan](ctx, s.db, s.db.Rebind(`SELECT job, period, kind, key, district_code, unit_code, state, payload FROM findings WHERE job = ? AND period = ? ORDER BY `+
		textOrder(s.dialect, "kind")+`, `+textOrder(s.dialect, "key")), job, period)
	if err != nil {
		return nil, fmt.Errorf("read findings %s %s: %w", job, period, err)
	}
	return out, nil
}

// findingScan is a findings row as sqlx scans it; Payload shadows the
// embedded finding's.
type findingScan struct {
	Finding
	Payload string `db:"payload"`
}

func (r findingScan) value() Finding {
	r.Finding.Payload = json.RawMessage(r.Payload)
	return r.Finding
}

// LatestFindings returns the findings of the period of job's latest
// successful run (the last one to finish); period is "" when job has never
// succeeded.
func (s *Store) LatestFindings(ctx context.Context, job finding.Job) (string, []Finding, error) {
	var period string
	err := s.db.QueryRowContext(ctx, s.db.Rebind(`SELECT period FROM job_runs WHERE job = ? AND status = 'ok' ORDER BY finished_at DESC, id DESC LIMIT 1`), job).Scan(&period)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("latest findings of %s: %w", job, err)
	}
	fs, err := s.Findings(ctx, job, period)
	if err != nil {
		return "", nil, err
	}
	return period, fs, nil
}

func relapseStates(ctx context.Context, x q) (map[rules.AreaKey]RelapseState, error) {
	sts, err := selectRows[relapseScan](ctx, x, `SELECT unit_code, year, relapsed, since, ever_relapsed, checked_on, first_relapsed_on FROM relapse_state`)
	if err != nil {
		return nil, fmt.Errorf("read relapse states: %w", err)
	}
	out := make(map[rules.AreaKey]RelapseState, len(sts))
	for _, st := range sts {
		out[rules.AreaKey{Unit: st.Unit, Year: st.Year}] = st
	}
	return out, nil
}

// relapseScan is a relapse_state row as sqlx scans it; the days shadow
// the embedded state's.
type relapseScan struct {
	RelapseState
	Since           civilDate `db:"since"`
	CheckedOn       civilDate `db:"checked_on"`
	FirstRelapsedOn civilDate `db:"first_relapsed_on"`
}

func (r relapseScan) value() RelapseState {
	r.RelapseState.Since, r.RelapseState.CheckedOn, r.RelapseState.FirstRelapsedOn = r.Since.T, r.CheckedOn.T, r.FirstRelapsedOn.T
	return r.RelapseState
}

// RelapseStates reads every area's relapse state.
func (s *Store) RelapseStates(ctx context.Context) (map[rules.AreaKey]RelapseState, error) {
	return relapseStates(ctx, s.db)
}

// RelapseStates reads every area's relapse state within the transaction.
func (tx *Tx) RelapseStates(ctx context.Context) (map[rules.AreaKey]RelapseState, error) {
	return relapseStates(ctx, tx.tx)
}

var relapseTable = table{"relapse_state", []string{"unit_code", "year", "relapsed", "since", "ever_relapsed", "checked_on", "first_relapsed_on"}, []string{"unit_code", "year"}}

// PutRelapseState stores an area's relapse state, replacing the previous one.
func (tx *Tx) PutRelapseState(ctx context.Context, st RelapseState) error {
	return tx.PutRelapseStates(ctx, []RelapseState{st})
}

// PutRelapseStates stores the areas' relapse states, each replacing the
// area's previous one, in multi-row statements (one per area cost more
// than the aggregation at national size on PostgreSQL). An area given
// twice gets the later state, as if they were stored one after the other.
func (tx *Tx) PutRelapseStates(ctx context.Context, sts []RelapseState) error {
	at := make(map[rules.AreaKey]int, len(sts))
	var last []RelapseState
	for _, st := range sts {
		if st.Unit == "" || st.CheckedOn.IsZero() {
			return fmt.Errorf("put relapse state %s %d: unit and check day are required", st.Unit, st.Year)
		}
		k := rules.AreaKey{Unit: st.Unit, Year: st.Year}
		if i, ok := at[k]; ok {
			last[i] = st
			continue
		}
		at[k] = len(last)
		last = append(last, st)
	}
	sts = last
	err := relapseTable.write(ctx, tx.tx, len(sts), func(i int) []any {
		st := sts[i]
		return []any{st.Unit, st.Year, st.Relapsed, dateArg(st.Since), st.EverRelapsed, dateArg(st.CheckedOn), dateArg(st.FirstRelapsedOn)}
	})
	if err != nil {
		if len(sts) == 1 {
			return fmt.Errorf("put relapse state %s %d: %w", sts[0].Unit, sts[0].Year, err)
		}
		return fmt.Errorf("put %d relapse states: %w", len(sts), err)
	}
	return nil
}
