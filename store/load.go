package store

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"chuyenhoa/rules"

	"github.com/jmoiron/sqlx"
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

// Validate checks every row before anything is written: required fields,
// categories, non-negative counts, and that no key appears twice (which
// would make the result depend on row order).
func (d *Dataset) Validate() error {
	var p problems
	for i, r := range d.Districts {
		switch {
		case p.named("Districts", i, r.Code, r.Name):
		case !r.ValidFrom.IsZero() && !r.ValidTo.IsZero() && r.ValidTo.Before(r.ValidFrom):
			p.add("Districts[%d] (%s): valid to %s is before valid from %s", i, r.Code, dayText(r.ValidTo), dayText(r.ValidFrom))
		}
		p.dup("Districts", i, r.Code)
	}
	for i, r := range d.Units {
		switch {
		case p.named("Units", i, r.Code, r.Name):
		case !r.ValidFrom.IsZero() && !r.ValidTo.IsZero() && r.ValidTo.Before(r.ValidFrom):
			p.add("Units[%d] (%s): valid to %s is before valid from %s", i, r.Code, dayText(r.ValidTo), dayText(r.ValidFrom))
		}
		p.dup("Units", i, r.Code)
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
			st, err = tx.PreparexContext(ctx, tx.Rebind(t.upsert(end-start)))
			if err != nil {
				return fmt.Errorf("write %s: prepare: %w", t.name, err)
			}
			stmts[end-start] = st
		}
		args = args[:0]
		for i := start; i < end; i++ {
			args = append(args, row(i)...)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("write %s rows %d..%d: %w", t.name, start, end-1, err)
		}
	}
	return nil
}

// Load upserts every row of d in one transaction: all of it is stored, or
// on any error nothing is. Loading the same rows again changes nothing.
// Rows are validated first (see Dataset.Validate).
func (s *Store) Load(ctx context.Context, d *Dataset) error {
	return s.load(ctx, "load dataset", d.Validate, func(tx *Tx) error { return s.writeDataset(ctx, tx, d, nil) })
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
				n, err = insertStats(ctx, tx.tx, stats)
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

// copyStats streams rows into crime_stats with COPY: lib/pq buffers the
// rows and sends them in chunks, so memory stays flat.
func copyStats(ctx context.Context, tx *sqlx.Tx, stats iter.Seq[Stat]) (int64, error) {
	st, err := tx.PrepareContext(ctx, `COPY crime_stats (unit_code, day, offence_code, count) FROM STDIN`)
	if err != nil {
		return 0, fmt.Errorf("copy crime_stats: %w", err)
	}
	defer st.Close()
	var (
		n    int64
		rerr error
		days dayCache
	)
	for r := range stats {
		if rerr = checkStat(n, r); rerr != nil {
			break
		}
		if _, rerr = st.ExecContext(ctx, r.Unit, days.format(r.Day), r.Offence, r.Count); rerr != nil {
			rerr = fmt.Errorf("copy crime_stats row %d (%s, %s, %s): %w", n, r.Unit, days.format(r.Day), r.Offence, rerr)
			break
		}
		n++
	}
	if rerr != nil {
		return n, rerr
	}
	// The final Exec without arguments ends the COPY; a duplicate key or
	// a bad value anywhere in the stream is reported here.
	if _, err := st.ExecContext(ctx); err != nil {
		return n, fmt.Errorf("copy crime_stats (%d rows): %w", n, err)
	}
	return n, nil
}

// streamBatch is how many statistic rows one SQLite INSERT carries.
const streamBatch = 500

// loadCacheKiB is SQLite's page cache while statistics stream in.
const loadCacheKiB = 512 << 10

// insertStats writes rows into crime_stats through one prepared INSERT of
// streamBatch rows (and one for the remainder).
func insertStats(ctx context.Context, tx *sqlx.Tx, stats iter.Seq[Stat]) (int64, error) {
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
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", loadCacheKiB)); err != nil {
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
