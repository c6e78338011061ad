package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"chuyenhoa/rules"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// UnitRow is a unit with its validity; a zero ValidFrom or ValidTo is
// stored as NULL (open-ended).
type UnitRow = rules.DatedUnit

// Offence is an offence type of the statistics.
type Offence struct {
	Code        string         `db:"code"`
	Name        string         `db:"name"`
	Category    rules.Category `db:"category"`
	SocialOrder bool           `db:"social_order"` // counts as a crime against social order
}

// Stat is one unit's count of one offence type on one day.
type Stat struct {
	Unit    string `db:"unit_code"`
	Day     time.Time
	Offence string `db:"offence_code"`
	Count   int    `db:"count"`
}

// SubmissionRow is a report received, at an instant.
type SubmissionRow struct {
	District    string `db:"district_code"`
	Obligation  string `db:"obligation"`
	Period      string `db:"period"`
	Unit        string `db:"unit_code"`
	SubmittedAt time.Time
}

// Dataset is a batch of read-contract rows to upsert.
type Dataset struct {
	Districts   []rules.District
	Units       []UnitRow
	Offences    []Offence
	Stats       []Stat
	Selections  []rules.Selection
	Assessments []rules.Assessment
	Submissions []SubmissionRow
	Successions []rules.Succession
}

// maxProblems caps how many bad rows one validation reports.
const maxProblems = 10

// problems collects what a validation finds: at most maxProblems errors,
// and the keys seen so far, so that a key given twice is named.
type problems struct {
	errs []error
	seen map[string]int
}

func (p *problems) add(format string, args ...any) {
	if len(p.errs) < maxProblems {
		p.errs = append(p.errs, fmt.Errorf(format, args...))
	}
}

// dup notes that row i of table has key, reporting it when an earlier row
// had the same.
func (p *problems) dup(table string, i int, key ...string) {
	if p.seen == nil {
		p.seen = map[string]int{}
	}
	k := table + "\x00" + strings.Join(key, "\x00")
	if j, ok := p.seen[k]; ok {
		p.add("%s[%d] (%s): same key as %s[%d]", table, i, strings.Join(key, ", "), table, j)
		return
	}
	p.seen[k] = i
}

// named reports row i of table when its code or name is empty, and says
// whether it did: the first case of a switch over the row's checks.
func (p *problems) named(table string, i int, code, name string) bool {
	switch {
	case code == "":
		p.add("%s[%d]: empty code", table, i)
	case name == "":
		p.add("%s[%d] (%s): empty name", table, i, code)
	default:
		return false
	}
	return true
}

// yearUnit reports row i of table when its year or unit is missing, and
// says whether it did, as named does.
func (p *problems) yearUnit(table string, i, year int, unit string) bool {
	switch {
	case year <= 0:
		p.add("%s[%d] (%s): year %d", table, i, unit, year)
	case unit == "":
		p.add("%s[%d]: empty unit", table, i)
	default:
		return false
	}
	return true
}

func (p *problems) err() error { return errors.Join(p.errs...) }

func dayText(t time.Time) string { return t.Format(time.DateOnly) }

// place checks a district or unit row: its code and name, a validity
// that does not end before it begins, and its code once.
func (p *problems) place(rel string, i int, code, name string, from, to time.Time) {
	if !p.named(rel, i, code, name) && !from.IsZero() && !to.IsZero() && to.Before(from) {
		p.add("%s[%d] (%s): valid to %s is before valid from %s", rel, i, code, dayText(to), dayText(from))
	}
	p.dup(rel, i, code)
}

// Validate checks every row before anything is written: required fields,
// categories, non-negative counts, and that no key appears twice (which
// would make the result depend on row order).
func (d *Dataset) Validate() error {
	var p problems
	for i, r := range d.Districts {
		p.place("Districts", i, r.Code, r.Name, r.ValidFrom, r.ValidTo)
	}
	for i, r := range d.Units {
		p.place("Units", i, r.Code, r.Name, r.ValidFrom, r.ValidTo)
	}
	for i, r := range d.Offences {
		switch {
		case p.named("Offences", i, r.Code, r.Name):
		case !r.Category.Valid():
			p.add("Offences[%d] (%s): category %d, want 1..4", i, r.Code, r.Category)
		}
		p.dup("Offences", i, r.Code)
	}
	for i, r := range d.Stats {
		if bad := statProblem(r); bad != "" {
			p.add("Stats[%d]%s", i, bad)
		}
		p.dup("Stats", i, r.Unit, dayText(r.Day), r.Offence)
	}
	for i, r := range d.Selections {
		switch {
		case p.yearUnit("Selections", i, r.Year, r.Unit):
		case !r.Category.Valid():
			p.add("Selections[%d] (%d, %s): category %d, want 1..4", i, r.Year, r.Unit, r.Category)
		case r.DecidedOn.IsZero():
			p.add("Selections[%d] (%d, %s): no decision day", i, r.Year, r.Unit)
		}
		p.dup("Selections", i, fmt.Sprint(r.Year), r.Unit, fmt.Sprint(int(r.Category)))
	}
	for i, r := range d.Assessments {
		switch {
		case p.yearUnit("Assessments", i, r.Year, r.Unit):
		case r.AssessedOn.IsZero():
			p.add("Assessments[%d] (%d, %s): no assessment day", i, r.Year, r.Unit)
		}
		p.dup("Assessments", i, fmt.Sprint(r.Year), r.Unit)
	}
	for i, r := range d.Submissions {
		switch {
		case r.District == "" && r.Unit == "":
			p.add("Submissions[%d]: neither district nor unit: whose report is it?", i)
		case r.Obligation == "":
			p.add("Submissions[%d] (%s): empty obligation", i, r.District)
		case r.Period == "":
			p.add("Submissions[%d] (%s, %s): empty period", i, r.District, r.Obligation)
		case r.SubmittedAt.IsZero():
			p.add("Submissions[%d] (%s, %s, %s): no submission time", i, r.District, r.Obligation, r.Period)
		}
		p.dup("Submissions", i, r.District, r.Obligation, r.Period, r.Unit)
	}
	for i, r := range d.Successions {
		switch {
		case r.Predecessor == "" || r.Successor == "":
			p.add("Successions[%d] (%s → %s): empty unit", i, r.Predecessor, r.Successor)
		case r.Predecessor == r.Successor:
			p.add("Successions[%d] (%s): a unit cannot succeed itself", i, r.Predecessor)
		case r.EffectiveOn.IsZero():
			p.add("Successions[%d] (%s → %s): no effective day", i, r.Predecessor, r.Successor)
		}
		p.dup("Successions", i, r.Predecessor, r.Successor)
	}
	return p.err()
}

// statProblem is what is wrong with a statistic row, worded to follow the
// row's name ("Stats[3]", "statistic row 3"); "" when nothing is. Validate
// and the streaming loaders share it.
func statProblem(r Stat) string {
	switch {
	case r.Unit == "":
		return ": empty unit"
	case r.Offence == "":
		return " (" + r.Unit + "): empty offence"
	case r.Day.IsZero():
		return " (" + r.Unit + ", " + r.Offence + "): no day"
	case r.Count < 0:
		return fmt.Sprintf(" (%s, %s, %s): negative count %d", r.Unit, dayText(r.Day), r.Offence, r.Count)
	}
	return ""
}

// table is one table of the schema: its columns, in the order the writers
// bind them and the data check reads them, and its key.
type table struct {
	name string
	cols []string
	key  []string // conflict target of an upsert; the other columns are updated
}

// The contract's tables, as Load and LoadCycle write them and the data
// check reads them.
var (
	districtTable   = table{"districts", []string{"code", "name", "kind", "valid_from", "valid_to"}, []string{"code"}}
	unitTable       = table{"units", []string{"code", "name", "kind", "district_code", "ntm_certified_on", "valid_from", "valid_to"}, []string{"code"}}
	offenceTable    = table{"offence_types", []string{"code", "name", "category", "social_order"}, []string{"code"}}
	statTable       = table{"crime_stats", []string{"unit_code", "day", "offence_code", "count"}, []string{"unit_code", "day", "offence_code"}}
	selectionTable  = table{"selections", []string{"year", "unit_code", "category", "decided_on", "decision_number", "signer"}, []string{"year", "unit_code", "category"}}
	assessmentTable = table{"assessments", []string{"year", "unit_code", "transformed", "assessed_on"}, []string{"year", "unit_code"}}
	submissionTable = table{"submissions", []string{"district_code", "obligation", "period", "unit_code", "submitted_at"}, []string{"district_code", "obligation", "period", "unit_code"}}
	successionTable = table{"unit_successions", []string{"predecessor_code", "successor_code", "effective_on"}, []string{"predecessor_code", "successor_code"}}
	proposalTable   = table{"proposals", []string{"year", "district_code", "unit_code", "proposed_on"}, []string{"year", "district_code", "unit_code"}}
	caseStatTable   = table{"case_stats", []string{"unit_code", "day", "crimes", "detected", "serious_crimes", "serious_detected",
		"reports_received", "reports_handled", "released", "reoffended"}, []string{"unit_code", "day"}}
)

// selectAll selects every column, in order, from every row.
func (t table) selectAll() string {
	return "SELECT " + strings.Join(t.cols, ", ") + " FROM " + t.name
}

// upsert is an INSERT ... ON CONFLICT DO UPDATE of rows rows.
func (t table) upsert(rows int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", t.name, strings.Join(t.cols, ", "))
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ") + ")"
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	fmt.Fprintf(&b, " ON CONFLICT (%s) DO UPDATE SET ", strings.Join(t.key, ", "))
	first := true
	for _, c := range t.cols {
		if slices.Contains(t.key, c) {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		fmt.Fprintf(&b, "%s = excluded.%s", c, c)
	}
	return b.String()
}

// batchRows is how many rows one INSERT carries: few round trips, and far
// below both databases' limits on bound parameters (SQLite 32766, PostgreSQL
// 65535) for our widest table (7 columns).
const batchRows = 500

// write upserts n rows, row(i) giving the values of row i, in multi-row
// statements prepared once per size.
func (t table) write(ctx context.Context, tx *sqlx.Tx, n int, row func(i int) []any) error {
	return t.batches(ctx, tx, "write", n, func(k int) string { return tx.Rebind(t.upsert(k)) }, row)
}

// batches runs the statement query(k) (for k rows, prepared once per k)
// over n rows in batches of batchRows, row(i) giving the values of row i;
// verb names the work in errors.
func (t table) batches(ctx context.Context, tx *sqlx.Tx, verb string, n int, query func(k int) string, row func(i int) []any) error {
	if n == 0 {
		return nil
	}
	stmts := map[int]*sqlx.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	args := make([]any, 0, batchRows*len(t.cols))
	for start := 0; start < n; start += batchRows {
		end := min(start+batchRows, n)
		st, ok := stmts[end-start]
		if !ok {
			var err error
			st, err = tx.PreparexContext(ctx, query(end-start))
			if err != nil {
				return fmt.Errorf("%s %s: prepare: %w", verb, t.name, err)
			}
			stmts[end-start] = st
		}
		args = args[:0]
		for i := start; i < end; i++ {
			args = append(args, row(i)...)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("%s %s rows %d..%d: %w", verb, t.name, start, end-1, err)
		}
	}
	return nil
}

// Load upserts every row of d in one transaction: all of it is stored, or
// on any error nothing is. Loading the same rows again changes nothing.
// Rows are validated first (see Dataset.Validate).
func (s *Store) Load(ctx context.Context, d *Dataset) error {
	err := s.load(ctx, "load dataset", d.Validate, func(tx *Tx) error { return s.writeDataset(ctx, tx, d, nil) })
	return s.pinpoint(ctx, err, d.tables(s.dialect))
}

// errPinpointed ends pinpoint's transaction, which must store nothing.
var errPinpointed = errors.New("pinpointed")

// pinpoint turns a load's error err into a *RowFailure naming the row
// when PostgreSQL refused a value: it says which statement failed, not
// which of its rows, so the rows of ts are written again one statement a
// row, in a transaction rolled back at the end, up to the one refused.
// SQLite takes any value the checks pass, and other errors (a lost
// connection, a full disk) are about no row: both are returned as they are.
func (s *Store) pinpoint(ctx context.Context, err error, ts []tableRows) error {
	var pe *pq.Error
	if err == nil || s.dialect != Postgres || !errors.As(err, &pe) || (pe.Code.Class() != "22" && pe.Code.Class() != "23") {
		return err
	}
	var rf *RowFailure
	_ = s.InTx(ctx, func(tx *Tx) error {
		for _, w := range ts {
			if w.n == 0 {
				continue
			}
			st, err := tx.tx.PreparexContext(ctx, tx.tx.Rebind(w.t.upsert(1)))
			if err != nil {
				return err
			}
			defer st.Close()
			for i := range w.n {
				if _, err := st.ExecContext(ctx, w.row(i)...); err != nil {
					var pe *pq.Error
					if errors.As(err, &pe) {
						rf = &RowFailure{Table: w.t.name, Index: i, Column: pe.Column, Err: errors.New(pe.Message)}
					}
					return errPinpointed
				}
			}
		}
		return errPinpointed
	})
	if rf == nil {
		return err
	}
	return fmt.Errorf("%w (%w)", rf, err)
}

// load validates a batch and, if it is good, writes it in one transaction;
// its errors begin with what.
func (s *Store) load(ctx context.Context, what string, validate func() error, write func(tx *Tx) error) error {
	if err := validate(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := s.InTx(ctx, write); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// LoadStream stores d as Load does and, in the same transaction, the
// statistic rows stats yields, without ever holding them in memory: on
// PostgreSQL they are copied in (COPY FROM STDIN), on SQLite inserted
// through one prepared multi-row statement. Unlike Load it does not
// upsert them: every (unit, day, offence) must be new, and a key already
// stored fails the load. A bad row (empty unit or offence, no day,
// negative count) fails it too, naming the row; on any failure nothing is
// stored. It returns how many statistic rows were written. Meant for
// filling a database at once (synthetic data, a first import).
func (s *Store) LoadStream(ctx context.Context, d *Dataset, stats iter.Seq[Stat]) (int64, error) {
	var n int64
	err := s.load(ctx, "load dataset", d.Validate, func(tx *Tx) error {
		return s.writeDataset(ctx, tx, d, func() error {
			var err error
			if s.dialect == Postgres {
				n, err = copyStats(ctx, tx.tx, stats)
			} else {
				n, err = insertStats(ctx, tx.tx, stats, loadCacheKiB)
			}
			return err
		})
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// checkStat is Validate's test of one statistic row, for rows that are
// streamed rather than held in a Dataset.
func checkStat(i int64, r Stat) error {
	if bad := statProblem(r); bad != "" {
		return fmt.Errorf("statistic row %d%s", i, bad)
	}
	return nil
}

// copyStats streams rows into crime_stats with COPY (see copyRows),
// numbering them from 0 for its messages.
func copyStats(ctx context.Context, tx *sqlx.Tx, stats iter.Seq[Stat]) (int64, error) {
	return copyRows(ctx, tx, statTable.name, false, func(yield func(int, Stat) bool) {
		i := 0
		for r := range stats {
			if !yield(i, r) {
				return
			}
			i++
		}
	})
}

// streamBatch is how many statistic rows one SQLite INSERT carries.
const streamBatch = 500

// SQLite's page cache while statistics stream in: LoadStream fills a
// whole country's database at once; an import, on a province's server,
// keeps the process small.
const (
	loadCacheKiB   = 512 << 10
	importCacheKiB = 64 << 10
)

// insertStats writes rows into crime_stats through one prepared INSERT of
// streamBatch rows (and one for the remainder).
func insertStats(ctx context.Context, tx *sqlx.Tx, stats iter.Seq[Stat], cacheKiB int) (int64, error) {
	insert := func(rows int) string {
		one := "(?, ?, ?, ?)"
		return "INSERT INTO crime_stats (unit_code, day, offence_code, count) VALUES " + one + strings.Repeat(", "+one, rows-1)
	}
	// The rows come in key order, but the day indexes take them in another
	// order: with the default 2 MB page cache most index inserts would
	// read their page back from disk. A large cache for this connection
	// keeps them in memory until the commit; it is put back afterwards.
	var cacheSize int64
	if err := tx.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&cacheSize); err != nil {
		return 0, fmt.Errorf("insert crime_stats: read cache size: %w", err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", cacheKiB)); err != nil {
		return 0, fmt.Errorf("insert crime_stats: %w", err)
	}
	defer func() { _, _ = tx.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", cacheSize)) }()
	st, err := tx.PreparexContext(ctx, tx.Rebind(insert(streamBatch)))
	if err != nil {
		return 0, fmt.Errorf("insert crime_stats: prepare: %w", err)
	}
	defer st.Close()
	var (
		n    int64
		days dayCache
	)
	args := make([]any, 0, 4*streamBatch)
	flush := func(st *sqlx.Stmt) error {
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("insert crime_stats rows %d..%d: %w", n-int64(len(args)/4), n-1, err)
		}
		args = args[:0]
		return nil
	}
	for r := range stats {
		if err := checkStat(n, r); err != nil {
			return n, err
		}
		args = append(args, r.Unit, days.format(r.Day), r.Offence, r.Count)
		n++
		if len(args) == cap(args) {
			if err := flush(st); err != nil {
				return n, err
			}
		}
	}
	if len(args) > 0 {
		rest, err := tx.PreparexContext(ctx, tx.Rebind(insert(len(args)/4)))
		if err != nil {
			return n, fmt.Errorf("insert crime_stats: prepare: %w", err)
		}
		defer rest.Close()
		if err := flush(rest); err != nil {
			return n, err
		}
	}
	return n, nil
}

// boxed keeps the interface values of the last strings it was given, so
// that a string repeated from row to row (a unit, a day, one of a dozen
// offence types) is boxed once.
type boxed struct {
	keys       [16]string
	vals       [16]any
	last, next int
}

func (b *boxed) of(s string) any {
	if b.vals[b.last] != nil && b.keys[b.last] == s {
		return b.vals[b.last]
	}
	for i := range b.keys {
		if b.vals[i] != nil && b.keys[i] == s {
			b.last = i
			return b.vals[i]
		}
	}
	i := b.next
	b.keys[i], b.vals[i] = s, s
	b.next, b.last = (i+1)%len(b.keys), i
	return b.vals[i]
}

// dayCache formats consecutive rows' days once: streamed statistics come
// ordered by unit and day, so most rows repeat the previous row's day.
type dayCache struct {
	t time.Time
	s string
}

func (c *dayCache) format(t time.Time) string {
	if c.s == "" || !t.Equal(c.t) {
		c.t, c.s = t, t.Format(time.DateOnly)
	}
	return c.s
}

// tableRows are n rows for one table, row(i) giving the values of row i
// in the order of the table's columns.
type tableRows struct {
	t   table
	n   int
	row func(i int) []any
}

// writeTables upserts each table's rows in turn; after, when set, runs
// once each table is written.
func writeTables(ctx context.Context, tx *sqlx.Tx, ts []tableRows, after func(name string) error) error {
	for _, w := range ts {
		if err := w.t.write(ctx, tx, w.n, w.row); err != nil {
			return err
		}
		if after != nil {
			if err := after(w.t.name); err != nil {
				return err
			}
		}
	}
	return nil
}

// tables gives the rows of d for writeTables, in the contract's order.
func (d *Dataset) tables(dialect string) []tableRows {
	return []tableRows{
		{districtTable, len(d.Districts), func(i int) []any {
			r := d.Districts[i]
			return []any{r.Code, r.Name, r.Kind, dateArg(r.ValidFrom), dateArg(r.ValidTo)}
		}},
		{unitTable, len(d.Units), func(i int) []any {
			r := d.Units[i]
			var district any
			if r.District != "" {
				district = r.District
			}
			return []any{r.Code, r.Name, r.Kind, district, dateArg(r.NTMCertifiedOn), dateArg(r.ValidFrom), dateArg(r.ValidTo)}
		}},
		{offenceTable, len(d.Offences), func(i int) []any {
			r := d.Offences[i]
			return []any{r.Code, r.Name, int(r.Category), r.SocialOrder}
		}},
		{statTable, len(d.Stats), func(i int) []any {
			r := d.Stats[i]
			return []any{r.Unit, dateArg(r.Day), r.Offence, r.Count}
		}},
		{selectionTable, len(d.Selections), func(i int) []any {
			r := d.Selections[i]
			return []any{r.Year, r.Unit, int(r.Category), dateArg(r.DecidedOn), textArg(r.Number), textArg(r.Signer)}
		}},
		{assessmentTable, len(d.Assessments), func(i int) []any {
			r := d.Assessments[i]
			return []any{r.Year, r.Unit, r.Transformed, dateArg(r.AssessedOn)}
		}},
		{submissionTable, len(d.Submissions), func(i int) []any {
			r := d.Submissions[i]
			return []any{r.District, r.Obligation, r.Period, r.Unit, instantArg(dialect, r.SubmittedAt)}
		}},
		{successionTable, len(d.Successions), func(i int) []any {
			r := d.Successions[i]
			return []any{r.Predecessor, r.Successor, dateArg(r.EffectiveOn)}
		}},
	}
}

// writeDataset upserts every table of d, in the contract's order; stats,
// when set, runs right after d's own statistics are written.
func (s *Store) writeDataset(ctx context.Context, tx *Tx, d *Dataset, stats func() error) error {
	return writeTables(ctx, tx.tx, d.tables(s.dialect), func(name string) error {
		if name == statTable.name && stats != nil {
			if err := stats(); err != nil {
				return err
			}
		}
		if s.loadHook != nil {
			return s.loadHook(name)
		}
		return nil
	})
}

// KeyClash is a row that repeats the key of an earlier row of one load.
type KeyClash struct {
	Row, First int    // the rows, as the caller numbered them
	Key        string // the key, "U1|2025-01-01|TT"
}

// DuplicateRows is the error of a load whose rows repeat keys, which would
// make the result depend on their order: the first maxClashes repeats.
type DuplicateRows struct{ Rows []KeyClash }

// maxClashes bounds the repeats DuplicateRows lists (one more than an
// importer shows, so that it can say there are more).
const maxClashes = 21

func (e *DuplicateRows) Error() string {
	var b strings.Builder
	for i, c := range e.Rows {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "row %d repeats the key %s of row %d", c.Row, c.Key, c.First)
	}
	return b.String()
}

// RowFailure is a row the database refused where the checks before it
// passed (a value of a type or range the database does not take).
type RowFailure struct {
	Table string // the table written
	// Index is the row's position among the rows of Table that Load was
	// given; Row is the caller's number of a streamed row (UpsertStats).
	Index, Row int
	Column     string // the column the database names; "" when it does not
	Err        error
}

func (e *RowFailure) Error() string {
	where := fmt.Sprintf("row %d", e.Row)
	if e.Row == 0 {
		where = fmt.Sprintf("row %d of %s", e.Index, e.Table)
	}
	if e.Column != "" {
		where += ", column " + e.Column
	}
	return fmt.Sprintf("%s: %v", where, e.Err)
}

func (e *RowFailure) Unwrap() error { return e.Err }

// stageTable is where UpsertStats puts the streamed rows before it merges
// them into crime_stats: a temporary table of this connection, with the
// caller's row numbers, so that a key given twice can be named by both
// rows without holding the keys in memory.
const stageTable = "stats_import"

// stageCols are stageTable's columns, in the order rows are sent; but for
// row they are crime_stats' own (and the CSV's) column names.
var stageCols = []string{"row", "unit_code", "day", "offence_code", "count"}

// UpsertStats stores the statistic rows rows yields (the caller's row
// number and the row) as Load does, in one transaction, without holding
// them. check runs once rows is exhausted, before anything is committed;
// an error from it (the caller's validation of the rows) rolls everything
// back and is returned as it is. A key given twice fails the load with
// *DuplicateRows, a row the database refuses with *RowFailure; on any
// failure nothing is stored. It returns how many rows were stored.
//
// The rows are streamed into a temporary table (PostgreSQL: COPY; SQLite:
// multi-row INSERTs) and merged into crime_stats by one INSERT … SELECT …
// ON CONFLICT, so that rows already stored are updated. When replay can
// read the rows again (a file, not a pipe), they are first written
// straight into crime_stats as LoadStream does, in a savepoint: a file
// whose keys are all new (a new month, a first load) then costs on
// PostgreSQL what psql's \copy costs, where staging and merging cost
// about as much again. A key already stored or given twice makes that
// write fail; the savepoint is rolled back and replay's rows take the
// merge.
func (s *Store) UpsertStats(ctx context.Context, rows iter.Seq2[int, Stat], check func() error, replay func() (iter.Seq2[int, Stat], error)) (int64, error) {
	var n int64
	err := s.InTx(ctx, func(tx *Tx) error {
		if replay != nil {
			done, err := s.copyNew(ctx, tx.tx, rows, check, &n)
			if done || err != nil {
				return err
			}
			if rows, err = replay(); err != nil {
				return err
			}
		}
		var err error
		if s.dialect == Postgres {
			n, err = stageCopy(ctx, tx.tx, rows)
		} else {
			n, err = stageInsert(ctx, tx.tx, rows)
		}
		if err != nil {
			return err
		}
		if err := check(); err != nil {
			return err
		}
		if err := mergeStage(ctx, tx.tx, s.dialect); err != nil {
			return err
		}
		_, err = tx.tx.ExecContext(ctx, "DROP TABLE "+stageTable)
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// copyNew writes rows straight into crime_stats in a savepoint (see
// writeNew) and runs check. done is false, with the savepoint rolled
// back, when a key was already stored or given twice: the rows must take
// the merge.
func (s *Store) copyNew(ctx context.Context, tx *sqlx.Tx, rows iter.Seq2[int, Stat], check func() error, n *int64) (done bool, err error) {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT copy_new"); err != nil {
		return false, fmt.Errorf("copy statistics: %w", err)
	}
	*n, err = s.writeNew(ctx, tx, rows)
	if uniqueViolation(err) {
		if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT copy_new"); err != nil {
			return false, fmt.Errorf("copy statistics: %w", err)
		}
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := check(); err != nil {
		return false, err
	}
	return true, nil
}

// writeNew writes rows into crime_stats as LoadStream does, without
// upserting: COPY on PostgreSQL, multi-row INSERTs on SQLite.
func (s *Store) writeNew(ctx context.Context, tx *sqlx.Tx, rows iter.Seq2[int, Stat]) (int64, error) {
	if s.dialect == Postgres {
		return copyRows(ctx, tx, statTable.name, false, rows)
	}
	return insertStats(ctx, tx, func(yield func(Stat) bool) {
		for _, r := range rows {
			if !yield(r) {
				return
			}
		}
	}, importCacheKiB)
}

// uniqueViolation reports whether err says that a key was already stored
// or given twice.
func uniqueViolation(err error) bool {
	var pe *pq.Error
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
	}
	return false
}

// rowNumbers maps the position of a streamed row (0-based) to the
// caller's number for it. The rows come numbered one after the other, so
// only the places where the numbering jumps are kept.
type rowNumbers struct {
	jumps []rowJump
	next  int64 // position of the next row
	last  int   // number of the previous row
}

type rowJump struct {
	at  int64 // position
	row int   // its number
}

func (m *rowNumbers) add(row int) {
	if m.next == 0 || row != m.last+1 {
		m.jumps = append(m.jumps, rowJump{m.next, row})
	}
	m.next++
	m.last = row
}

// of is the number of the row at position at.
func (m *rowNumbers) of(at int64) int {
	i, found := slices.BinarySearchFunc(m.jumps, at, func(j rowJump, at int64) int { return cmp.Compare(j.at, at) })
	if !found {
		i--
	}
	if i < 0 {
		return 0
	}
	return m.jumps[i].row + int(at-m.jumps[i].at)
}

// copyWhere reads the line and column of a COPY error's context
// ("COPY stats_import, line 3, column count: \"x\"").
var copyWhere = regexp.MustCompile(`line (\d+)(?:, column (\w+))?`)

// stageCopy copies rows into a new stageTable with COPY FROM STDIN.
func stageCopy(ctx context.Context, tx *sqlx.Tx, rows iter.Seq2[int, Stat]) (int64, error) {
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE `+stageTable+` (row integer NOT NULL, unit_code text NOT NULL, day date NOT NULL, offence_code text NOT NULL, count integer NOT NULL)`); err != nil {
		return 0, fmt.Errorf("stage statistics: %w", err)
	}
	return copyRows(ctx, tx, stageTable, true, rows)
}

// copyRows streams rows into table (crime_stats, or stageTable with
// numbered true) with COPY FROM STDIN: lib/pq buffers the rows and sends
// them in chunks, so memory stays flat. A row the server refuses is a
// *RowFailure naming it by the caller's number, read from COPY's context
// ("line 3, column count").
func copyRows(ctx context.Context, tx *sqlx.Tx, table string, numbered bool, rows iter.Seq2[int, Stat]) (int64, error) {
	cols := stageCols
	if !numbered {
		cols = cols[1:]
	}
	st, err := tx.PrepareContext(ctx, pq.CopyIn(table, cols...))
	if err != nil {
		return 0, fmt.Errorf("copy %s: %w", table, err)
	}
	defer st.Close()
	var (
		nums rowNumbers
		days dayCache
		rerr error
		args = make([]any, len(cols))
		// Boxing a string in an interface allocates; a file repeats its
		// units, days and offence types row after row.
		unit, day, offence boxed
	)
	for row, r := range rows {
		if bad := statProblem(r); bad != "" {
			rerr = fmt.Errorf("statistic row %d%s", row, bad)
			break
		}
		nums.add(row)
		args = append(args[:0], row, unit.of(r.Unit), day.of(days.format(r.Day)), offence.of(r.Offence), r.Count)
		if !numbered {
			args = args[1:]
		}
		if _, rerr = st.ExecContext(ctx, args...); rerr != nil {
			break
		}
	}
	if rerr == nil {
		// The Exec without arguments ends the COPY: an error the server
		// found anywhere in the stream is reported here.
		_, rerr = st.ExecContext(ctx)
	}
	if rerr == nil {
		return nums.next, nil
	}
	var pe *pq.Error
	if errors.As(rerr, &pe) {
		if m := copyWhere.FindStringSubmatch(pe.Where); m != nil {
			line, _ := strconv.ParseInt(m[1], 10, 64)
			col := m[2]
			if col == "row" {
				col = ""
			}
			return 0, &RowFailure{Table: statTable.name, Row: nums.of(line - 1), Column: col, Err: pe}
		}
	}
	return 0, fmt.Errorf("copy %s: %w", table, rerr)
}

// stageInsert inserts rows into a new stageTable, streamBatch rows a
// statement. The table is keyed by the statistic's key and then the row,
// so that the repeats of a key are next to each other and the merge
// reads the rows in crime_stats' own order.
func stageInsert(ctx context.Context, tx *sqlx.Tx, rows iter.Seq2[int, Stat]) (int64, error) {
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE `+stageTable+` (row INTEGER NOT NULL, unit_code TEXT NOT NULL, day TEXT NOT NULL, offence_code TEXT NOT NULL, count INTEGER NOT NULL,
		PRIMARY KEY (unit_code, day, offence_code, row)) WITHOUT ROWID`); err != nil {
		return 0, fmt.Errorf("stage statistics: %w", err)
	}
	insert := func(n int) string {
		one := "(?, ?, ?, ?, ?)"
		return "INSERT INTO " + stageTable + " (" + strings.Join(stageCols, ", ") + ") VALUES " + one + strings.Repeat(", "+one, n-1)
	}
	st, err := tx.PreparexContext(ctx, insert(streamBatch))
	if err != nil {
		return 0, fmt.Errorf("stage statistics: prepare: %w", err)
	}
	defer st.Close()
	var (
		n    int64
		days dayCache
	)
	args := make([]any, 0, len(stageCols)*streamBatch)
	flush := func(st *sqlx.Stmt) error {
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("stage statistics rows %d..%d: %w", args[0], args[len(args)-len(stageCols)], err)
		}
		args = args[:0]
		return nil
	}
	for row, r := range rows {
		if bad := statProblem(r); bad != "" {
			return 0, fmt.Errorf("statistic row %d%s", row, bad)
		}
		args = append(args, row, r.Unit, days.format(r.Day), r.Offence, r.Count)
		n++
		if len(args) == cap(args) {
			if err := flush(st); err != nil {
				return 0, err
			}
		}
	}
	if len(args) > 0 {
		rest, err := tx.PreparexContext(ctx, insert(len(args)/len(stageCols)))
		if err != nil {
			return 0, fmt.Errorf("stage statistics: prepare: %w", err)
		}
		defer rest.Close()
		if err := flush(rest); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// mergeStage upserts stageTable into crime_stats, or fails with
// *DuplicateRows when it holds a key twice. Rows whose count is already
// stored are left alone: a file sent again, or again with a few
// corrections, writes only what changed (rewriting every row, with its
// index entries, cost PostgreSQL four times the COPY). Skipping rows
// would also hide a key given twice from the upsert's own check (an
// upsert cannot touch a row twice), so the repeats are looked for first:
// on SQLite on the stage's key order, without a sort; on PostgreSQL by a
// hashed count of the keys, and only when there are some by the query
// that names them.
func mergeStage(ctx context.Context, tx *sqlx.Tx, dialect string) error {
	if dialect == Postgres {
		// The planner knows nothing of a temporary table it has not
		// sampled: without this it joins the stage to crime_stats blind.
		if _, err := tx.ExecContext(ctx, "ANALYZE "+stageTable); err != nil {
			return fmt.Errorf("merge statistics: %w", err)
		}
		var repeats bool
		err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+stageTable+` GROUP BY unit_code, day, offence_code HAVING count(*) > 1)`).Scan(&repeats)
		if err != nil {
			return fmt.Errorf("look for repeated keys: %w", err)
		}
		if repeats {
			if err := stageRepeats(ctx, tx); err != nil {
				return err
			}
		}
	} else if err := stageRepeats(ctx, tx); err != nil {
		return err
	}
	merge := `INSERT INTO crime_stats (unit_code, day, offence_code, count)
		SELECT s.unit_code, s.day, s.offence_code, s.count FROM ` + stageTable + ` s
		LEFT JOIN crime_stats c ON c.unit_code = s.unit_code AND c.day = s.day AND c.offence_code = s.offence_code
		WHERE c.count IS NULL OR c.count <> s.count
		ON CONFLICT (unit_code, day, offence_code) DO UPDATE SET count = excluded.count`
	if _, err := tx.ExecContext(ctx, merge); err != nil {
		return fmt.Errorf("merge statistics: %w", err)
	}
	return nil
}

// stageRepeats fails with *DuplicateRows when stageTable holds a key
// twice.
func stageRepeats(ctx context.Context, tx *sqlx.Tx) error {
	q := `SELECT row, first, unit_code, day, offence_code FROM (
		SELECT row, unit_code, day, offence_code, min(row) OVER (PARTITION BY unit_code, day, offence_code) AS first FROM ` + stageTable + `) d
		WHERE row > first ORDER BY row LIMIT ` + strconv.Itoa(maxClashes)
	rs, err := tx.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("look for repeated keys: %w", err)
	}
	defer rs.Close()
	var dup DuplicateRows
	for rs.Next() {
		var (
			c             KeyClash
			unit, offence string
			day           any
		)
		if err := rs.Scan(&c.Row, &c.First, &unit, &day, &offence); err != nil {
			return fmt.Errorf("look for repeated keys: %w", err)
		}
		d := fmt.Sprint(day)
		if t, ok := day.(time.Time); ok {
			d = t.Format(time.DateOnly)
		}
		c.Key = unit + "|" + d + "|" + offence
		dup.Rows = append(dup.Rows, c)
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("look for repeated keys: %w", err)
	}
	if len(dup.Rows) > 0 {
		return &dup
	}
	return nil
}
