package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/valid"
)

// The data check's reads (see package contract). A province maps its own
// tables onto the data contract with views, which carry none of the
// constraints of our tables: a view can hand over NULLs, negative counts,
// text where a date belongs, codes that exist nowhere and the same key
// twice. The readers here never fail on such a row: every column is read
// as whatever the driver gives and converted here, and a value that is
// NULL where the contract needs one, or is not of the contract's type, is
// named in the row's Bad list. The check decides what a run can use.

// Raw is one row of a contract relation as the data check read it.
type Raw[T any] struct {
	Row T
	// Bad names the required columns that are NULL and the columns whose
	// value is not of the contract's type; their value in Row is zero.
	Bad []string
	// raw is the row as read, which Text shows.
	raw *rawRow
}

// Text is the row as read, for messages: `code="X01", name=NULL, …`. It
// is written out when asked for: the check reads tens of thousands of
// rows a round and reports few of them.
func (x Raw[T]) Text() string {
	if x.raw == nil {
		return ""
	}
	return x.raw.String()
}

// rawRow converts one row's driver values, noting the bad columns.
type rawRow struct {
	cols []string
	vals []any
	bad  []string
	// quiet marks (bit i: column i; the contract's relations have fewer
	// than 64 columns) optional columns that String leaves
	// out while NULL, so that a row reads (and a data error about it is
	// keyed) as it did before the column existed.
	quiet uint64
}

func (r *rawRow) fail(i int) { r.bad = append(r.bad, r.cols[i]) }

// null reports whether column i is NULL, noting it bad if it is required.
func (r *rawRow) null(i int, required bool) bool {
	if r.vals[i] != nil {
		return false
	}
	if required {
		r.fail(i)
	}
	return true
}

func (r *rawRow) text(i int, required bool) string {
	if r.null(i, required) {
		return ""
	}
	switch v := r.vals[i].(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case int64:
		// A province's codes may be numbers in its own tables.
		return strconv.FormatInt(v, 10)
	}
	r.fail(i)
	return ""
}

// optionalText reads column i as an optional text: NULL and blanks are
// "", and String leaves it out while NULL.
func (r *rawRow) optionalText(i int) string {
	r.quiet |= 1 << i
	return strings.TrimSpace(r.text(i, false))
}

func (r *rawRow) integer(i int, required bool) int {
	if r.null(i, required) {
		return 0
	}
	switch v := r.vals[i].(type) {
	case int64:
		return int(v)
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int(v)
		}
	case string, []byte:
		s := strings.TrimSpace(fmt.Sprintf("%s", v))
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return int(n)
		}
	}
	r.fail(i)
	return 0
}

func (r *rawRow) boolean(i int, required bool) bool {
	if r.null(i, required) {
		return false
	}
	switch v := r.vals[i].(type) {
	case bool:
		return v
	case int64:
		if v == 0 || v == 1 {
			return v == 1
		}
	case string, []byte:
		if b, err := strconv.ParseBool(strings.TrimSpace(fmt.Sprintf("%s", v))); err == nil {
			return b
		}
	}
	r.fail(i)
	return false
}

// scan converts column i with dst (a civilDate or an instant, which stay
// zero when the column is NULL or does not convert).
func (r *rawRow) scan(i int, required bool, dst sql.Scanner) {
	if !r.null(i, required) && dst.Scan(r.vals[i]) != nil {
		r.fail(i)
	}
}

func (r *rawRow) date(i int, required bool) time.Time {
	var d civilDate
	r.scan(i, required, &d)
	return d.T
}

func (r *rawRow) instant(i int, required bool) time.Time {
	var t instant
	r.scan(i, required, &t)
	return t.T
}

// String shows the row as read, NULLs included. It runs for every row
// the check reads, so it appends to one buffer.
func (r *rawRow) String() string {
	b := make([]byte, 0, 24*len(r.cols))
	first := true
	for i, c := range r.cols {
		if r.quiet&(1<<i) != 0 && r.vals[i] == nil {
			continue
		}
		if !first {
			b = append(b, ", "...)
		}
		first = false
		b = append(append(b, c...), '=')
		switch x := r.vals[i].(type) {
		case nil:
			b = append(b, "NULL"...)
		case []byte:
			b = strconv.AppendQuote(b, string(x))
		case string:
			b = strconv.AppendQuote(b, x)
		case int64:
			b = strconv.AppendInt(b, x, 10)
		case time.Time:
			if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
				b = x.AppendFormat(b, time.DateOnly)
			} else {
				b = x.UTC().AppendFormat(b, time.RFC3339)
			}
		default:
			b = fmt.Append(b, x)
		}
	}
	return string(b)
}

// readTable reads every column of the rows of t that where selects, as
// the driver gives them, and builds each row with build.
func readTable[T any](ctx context.Context, s *Store, t table, where string, args []any, build func(r *rawRow) T) ([]Raw[T], error) {
	var out []Raw[T]
	// Each value as the driver gives it, as sqlx's SliceScan would read it
	// but without a pointer allocated per value and the columns asked for
	// per row.
	ptrs := make([]any, len(t.cols))
	err := eachRow(ctx, s.db, s.db.Rebind(t.selectAll()+where), args, func(rows *sqlx.Rows) error {
		vals := make([]any, len(t.cols)) // one value per column of t, in order
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		r := &rawRow{cols: t.cols, vals: vals}
		row := build(r)
		if len(out) == cap(out) {
			// Doubling: rows are large, and append grows a long slice
			// by a quarter at a time, copying it each time.
			out = slices.Grow(out, max(len(out), 64))
		}
		out = append(out, Raw[T]{Row: row, Bad: r.bad, raw: r})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", t.name, err)
	}
	return out, nil
}

// RawDistricts reads every districts row. A view of districts made before
// migration 00005 has no valid_from and valid_to: its districts read as
// valid on every day, as they were then.
func (s *Store) RawDistricts(ctx context.Context) ([]Raw[rules.District], error) {
	t, err := s.districtRelation(ctx)
	if err != nil {
		return nil, err
	}
	return readTable(ctx, s, t, "", nil, func(r *rawRow) rules.District {
		d := rules.District{Code: r.text(0, true), Name: r.text(1, true), Kind: r.text(2, true)}
		if len(t.cols) > 3 {
			d.ValidFrom, d.ValidTo = r.date(3, false), r.date(4, false)
		}
		return d
	})
}

// districtRelation is districtTable as the database has it: without the
// validity columns when districts is a province's view that lacks them.
func (s *Store) districtRelation(ctx context.Context) (table, error) {
	have, err := s.columnsOf(ctx, "districts", "valid_from", "valid_to")
	if err != nil {
		return table{}, err
	}
	t := districtTable
	if len(have) < 2 {
		t.cols = t.cols[:3]
	}
	return t, nil
}

// selectionRelation is selectionTable as the database has it: a
// province's view may lack the decision's number and signer (migration
// 00008), each of which then reads as not recorded.
func (s *Store) selectionRelation(ctx context.Context) (table, error) {
	optional := selectionTable.cols[4:]
	have, err := s.columnsOf(ctx, "selections", optional...)
	if err != nil {
		return table{}, err
	}
	t := selectionTable
	t.cols = slices.Clone(t.cols[:4])
	for _, c := range optional {
		if have[c] {
			t.cols = append(t.cols, c)
		}
	}
	return t, nil
}

// columnsOf says which of names are columns of relation (a table or a
// view).
func (s *Store) columnsOf(ctx context.Context, relation string, names ...string) (map[string]bool, error) {
	var q string
	if s.dialect == Postgres {
		q = `SELECT attname::text FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`
	} else {
		q = `SELECT name FROM pragma_table_info(?)`
	}
	var cols []string
	if err := s.db.SelectContext(ctx, &cols, q, relation); err != nil {
		return nil, fmt.Errorf("read the columns of %s: %w", relation, err)
	}
	have := map[string]bool{}
	for _, c := range cols {
		if slices.Contains(names, c) {
			have[c] = true
		}
	}
	return have, nil
}

// RawSuccessions reads every unit_successions row.
func (s *Store) RawSuccessions(ctx context.Context) ([]Raw[rules.Succession], error) {
	return readTable(ctx, s, successionTable, "", nil, func(r *rawRow) rules.Succession {
		return rules.Succession{Predecessor: r.text(0, true), Successor: r.text(1, true), EffectiveOn: r.date(2, true)}
	})
}

// RawUnits reads every units row, whatever its validity.
func (s *Store) RawUnits(ctx context.Context) ([]Raw[UnitRow], error) {
	return readTable(ctx, s, unitTable, "", nil, func(r *rawRow) UnitRow {
		return UnitRow{Unit: rules.Unit{
			Code: r.text(0, true), Name: r.text(1, true), Kind: r.text(2, true), District: r.text(3, false),
			NTMCertifiedOn: r.date(4, false),
		}, ValidFrom: r.date(5, false), ValidTo: r.date(6, false)}
	})
}

// RawOffences reads every offence_types row.
func (s *Store) RawOffences(ctx context.Context) ([]Raw[Offence], error) {
	return readTable(ctx, s, offenceTable, "", nil, func(r *rawRow) Offence {
		return Offence{Code: r.text(0, true), Name: r.text(1, true), Category: rules.Category(r.integer(2, true)), SocialOrder: r.boolean(3, true)}
	})
}

// RawSelections reads every selections row; the decision's number and
// signer are optional (see selectionRelation).
func (s *Store) RawSelections(ctx context.Context) ([]Raw[rules.Selection], error) {
	t, err := s.selectionRelation(ctx)
	if err != nil {
		return nil, err
	}
	number, signer := slices.Index(t.cols, "decision_number"), slices.Index(t.cols, "signer")
	return readTable(ctx, s, t, "", nil, func(r *rawRow) rules.Selection {
		v := rules.Selection{Year: r.integer(0, true), Unit: r.text(1, true), Category: rules.Category(r.integer(2, true)), DecidedOn: r.date(3, true)}
		if number >= 0 {
			v.Number = r.optionalText(number)
		}
		if signer >= 0 {
			v.Signer = r.optionalText(signer)
		}
		return v
	})
}

// RawAssessments reads every assessments row.
func (s *Store) RawAssessments(ctx context.Context) ([]Raw[rules.Assessment], error) {
	return readTable(ctx, s, assessmentTable, "", nil, func(r *rawRow) rules.Assessment {
		return rules.Assessment{Year: r.integer(0, true), Unit: r.text(1, true), Transformed: r.boolean(2, true), AssessedOn: r.date(3, true)}
	})
}

// RawSubmissions reads every submissions row. A NULL unit_code reads as ”
// (not owed per commune), as the table's default has it.
func (s *Store) RawSubmissions(ctx context.Context) ([]Raw[SubmissionRow], error) {
	return readTable(ctx, s, submissionTable, "", nil, func(r *rawRow) SubmissionRow {
		return SubmissionRow{District: r.text(0, true), Obligation: r.text(1, true), Period: r.text(2, true), Unit: r.text(3, false),
			SubmittedAt: r.instant(4, true)}
	})
}

// RawProposals reads the proposals rows of a selection year (all years
// when year is 0). A NULL district_code reads as ” (ungrouped).
func (s *Store) RawProposals(ctx context.Context, year int) ([]Raw[rules.DistrictProposal], error) {
	where, args := "", []any(nil)
	if year != 0 {
		where, args = " WHERE year = ?", []any{year}
	}
	return readTable(ctx, s, proposalTable, where, args, func(r *rawRow) rules.DistrictProposal {
		return rules.DistrictProposal{Year: r.integer(0, true), District: r.text(1, false), Unit: r.text(2, true), ProposedOn: r.date(3, true)}
	})
}

// StatCheck is what the data check found in a statistics relation
// (crime_stats or case_stats) for one window of days.
type StatCheck[T any] struct {
	// Suspect holds the window's rows with a NULL, a count outside
	// 0..valid.MaxCount, an impossible combination (case_stats: more
	// serious crimes than crimes), an offence type (crime_stats) or a unit
	// (case_stats) that does not exist; at most the limit asked for.
	Suspect []Raw[T]
	// Future holds rows dated after today, whatever the window.
	Future []Raw[T]
	// Duplicates lists the keys recorded more than once in the window; it
	// is only looked for when the relation has no unique index (a view).
	Duplicates []Duplicate
	// Truncated is set when a list reached the limit.
	Truncated bool
	// Unique is true when the relation is a table with a unique index: it
	// cannot hold a key twice, and Duplicates was not looked for.
	Unique bool
}

// Duplicate is a key of a statistics relation recorded more than once.
type Duplicate struct {
	Unit, Offence string // Offence is "" for case_stats
	Day           time.Time
	Copies        int
	// Agree is true when every copy holds the same figures: the key counts
	// once. Copies that differ are left out, as nobody can tell which one
	// is right.
	Agree bool
}

// HasUniqueKey reports whether relation is a table with a unique index (its
// primary key): such a relation cannot hold a key twice, and looking for
// duplicates in it would cost a full aggregation for nothing.
func (s *Store) HasUniqueKey(ctx context.Context, relation string) (bool, error) {
	var n int
	var err error
	if s.dialect == Postgres {
		err = s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_index WHERE indrelid = to_regclass($1) AND indisunique`, relation).Scan(&n)
	} else {
		err = s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_index_list(?) WHERE "unique" = 1`, relation).Scan(&n)
	}
	if err != nil {
		return false, fmt.Errorf("check %s for a unique key: %w", relation, err)
	}
	return n > 0, nil
}

// buildStat and buildCaseStat make a statistics row as the check reads it.
func buildStat(x *rawRow) Stat {
	return Stat{Unit: x.text(0, true), Day: x.date(1, true), Offence: x.text(2, true), Count: x.integer(3, true)}
}

func buildCaseStat(x *rawRow) CaseStat {
	return CaseStat{Unit: x.text(0, true), Day: x.date(1, true),
		Crimes: x.integer(2, true), Detected: x.integer(3, true), SeriousCrimes: x.integer(4, true), SeriousDetected: x.integer(5, true),
		ReportsReceived: x.integer(6, true), ReportsHandled: x.integer(7, true), Released: x.integer(8, true), Reoffended: x.integer(9, true)}
}

// CheckCrimeStats looks for unusable crime_stats rows in r and rows dated
// after today, at most limit of each.
func (s *Store) CheckCrimeStats(ctx context.Context, r period.Range, today time.Time, limit int) (*StatCheck[Stat], error) {
	// Statistics of unknown units are not looked for here: they show in
	// the period's totals (Counts) for free. On a table the recompute runs
	// this scan only when CountsChecked saw suspect rows in the window.
	suspectWhere := ` WHERE day >= ? AND day <= ? AND (
		` + unusableCount + ` OR unit_code IS NULL OR offence_code IS NULL
		OR offence_code NOT IN (SELECT code FROM offence_types WHERE code IS NOT NULL)) LIMIT ?`
	if s.dialect == SQLite {
		// Every column the check reads is in the aggregation's covering
		// index; without the hint SQLite goes through the day index and
		// the table, four to six times slower at national size.
		hint, err := s.sqliteHint(ctx)
		if err != nil {
			return nil, fmt.Errorf("check crime_stats: %w", err)
		}
		suspectWhere = hint + suspectWhere
	}
	dups := `SELECT unit_code, offence_code, day, COUNT(*), COUNT(DISTINCT ` + figuresText([]string{"count"}) + `) FROM crime_stats
		WHERE day >= ? AND day <= ? GROUP BY unit_code, day, offence_code HAVING COUNT(*) > 1 LIMIT ?`
	return checkStats(ctx, s, statTable, buildStat, suspectWhere, dups, r, today, limit)
}

// CheckCaseStats looks for unusable case_stats rows in r and rows dated
// after today, at most limit of each.
func (s *Store) CheckCaseStats(ctx context.Context, r period.Range, today time.Time, limit int) (*StatCheck[CaseStat], error) {
	var bad []string
	for _, c := range caseStatTable.cols[2:] {
		bad = append(bad, c+" IS NULL", c+" < 0", c+" > "+maxCount)
	}
	suspectWhere := ` WHERE day >= ? AND day <= ? AND (unit_code IS NULL OR ` + strings.Join(bad, " OR ") + `
		OR serious_crimes > crimes OR serious_detected > detected
		OR unit_code NOT IN (SELECT code FROM units WHERE code IS NOT NULL)) LIMIT ?`
	dups := `SELECT unit_code, '', day, COUNT(*), COUNT(DISTINCT ` + figuresText(caseStatTable.cols[2:]) + `) FROM case_stats
		WHERE day >= ? AND day <= ? GROUP BY unit_code, day HAVING COUNT(*) > 1 LIMIT ?`
	return checkStats(ctx, s, caseStatTable, buildCaseStat, suspectWhere, dups, r, today, limit)
}

// figuresText is one text expression holding the figures of a row, NULLs
// included, so that COUNT(DISTINCT …) tells copies that agree from copies
// that differ.
func figuresText(cols []string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = "COALESCE(CAST(" + c + " AS TEXT), 'NULL')"
	}
	return "(" + strings.Join(parts, " || ',' || ") + ")"
}

// checkStats reads the rows of t that suspectWhere selects in r and those
// dated after today, and, unless t has a unique key, the duplicates dups
// finds in r.
func checkStats[T any](ctx context.Context, s *Store, t table, build func(*rawRow) T,
	suspectWhere, dups string, r period.Range, today time.Time, limit int) (*StatCheck[T], error) {
	out := &StatCheck[T]{}
	var err error
	if out.Suspect, err = readTable(ctx, s, t, suspectWhere, []any{dateArg(r.From), dateArg(r.To), limit}, build); err != nil {
		return nil, err
	}
	if out.Future, err = readTable(ctx, s, t, ` WHERE day > ? LIMIT ?`, []any{dateArg(today), limit}, build); err != nil {
		return nil, err
	}
	out.Truncated = len(out.Suspect) >= limit || len(out.Future) >= limit
	if out.Unique, err = s.HasUniqueKey(ctx, t.name); err != nil || out.Unique {
		return out, err
	}
	err = s.Aggregate(ctx, s.db.Rebind(dups), []any{dateArg(r.From), dateArg(r.To), limit}, func(rows *sqlx.Rows) error {
		var (
			unit, off any
			day       civilDate
			n, kinds  int
		)
		if err := rows.Scan(&unit, &off, &day, &n, &kinds); err != nil {
			return err
		}
		x := &rawRow{cols: []string{"unit_code", "offence_code"}, vals: []any{unit, off}}
		out.Duplicates = append(out.Duplicates, Duplicate{Unit: x.text(0, false), Offence: x.text(1, false), Day: day.T, Copies: n, Agree: kinds == 1})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("check %s for duplicates: %w", t.name, err)
	}
	if len(out.Duplicates) >= limit {
		out.Truncated = true
	}
	return out, nil
}

// CountsExcluding is Counts over only the rows the data check accepts:
// rows with a NULL count or one outside 0..valid.MaxCount are left out, a key recorded more
// than once counts once when its copies agree and not at all when they
// differ, and offence types with a NULL, a category outside 1..4 or two
// different definitions count nowhere. The jobs use it instead of Counts
// when the check found such rows; it is slower (it deduplicates).
func (s *Store) CountsExcluding(ctx context.Context, r period.Range) (map[string]rules.Counts, error) {
	// One aggregation per key, no self-join: a self-join on the key
	// misleads the planner (it expects one row) into a nested loop.
	out, err := s.categoryCounts(ctx, `
		SELECT k.unit_code, ot.category, ot.social, SUM(k.c)
		FROM (
			SELECT unit_code, offence_code, MIN(count) AS c FROM crime_stats
			WHERE day >= ? AND day <= ? AND unit_code IS NOT NULL AND offence_code IS NOT NULL
				AND count IS NOT NULL AND count >= 0 AND count <= `+maxCount+`
			GROUP BY unit_code, day, offence_code
			HAVING MIN(count) = MAX(count)
		) k JOIN (
			SELECT code, MIN(category) AS category, MIN(CASE WHEN social_order THEN 1 ELSE 0 END) AS social
			FROM offence_types
			WHERE code IS NOT NULL AND category IS NOT NULL AND category BETWEEN 1 AND 4 AND social_order IS NOT NULL
			GROUP BY code
			HAVING MIN(category) = MAX(category)
				AND MIN(CASE WHEN social_order THEN 1 ELSE 0 END) = MAX(CASE WHEN social_order THEN 1 ELSE 0 END)
		) ot ON ot.code = k.offence_code
		GROUP BY k.unit_code, ot.category, ot.social`, r)
	if err != nil {
		return nil, fmt.Errorf("count checked statistics %s: %w", r, err)
	}
	return out, nil
}

// CaseCountsExcluding is CaseCounts over only the rows the data check
// accepts: no NULL, no figure outside 0..valid.MaxCount, no more serious crimes than crimes
// (nor detected), and a (unit, day) recorded more than once counted once
// when its copies agree and not at all when they differ.
func (s *Store) CaseCountsExcluding(ctx context.Context, r period.Range) (map[string]rules.CaseCounts, error) {
	var good, mins, same, sums []string
	for _, c := range caseStatTable.cols[2:] {
		good = append(good, c+" IS NOT NULL AND "+c+" >= 0 AND "+c+" <= "+maxCount)
		mins = append(mins, "MIN("+c+") AS "+c)
		same = append(same, "MIN("+c+") = MAX("+c+")")
		sums = append(sums, "SUM(k."+c+")")
	}
	out, err := s.caseCounts(ctx, `
		SELECT k.unit_code, COUNT(*), `+strings.Join(sums, ", ")+`
		FROM (
			SELECT unit_code, `+strings.Join(mins, ", ")+` FROM case_stats
			WHERE day >= ? AND day <= ? AND unit_code IS NOT NULL AND `+strings.Join(good, " AND ")+`
				AND serious_crimes <= crimes AND serious_detected <= detected
			GROUP BY unit_code, day
			HAVING `+strings.Join(same, " AND ")+`
		) k
		GROUP BY k.unit_code`, r)
	if err != nil {
		return nil, fmt.Errorf("sum checked case statistics %s: %w", r, err)
	}
	return out, nil
}

// maxCount is valid.MaxCount as SQL: the largest count a row may hold.
// Larger ones are data errors, and would overflow the sums (a view can
// hand over 2⁶³−1).
var maxCount = strconv.Itoa(valid.MaxCount)

// CheckedCounts is what one pass of the aggregation over a window of
// crime_stats gives when the data check is folded into it (see
// Store.CountsChecked).
type CheckedCounts struct {
	// Counts are Counts over the rows with a unit and a count from 0 to
	// valid.MaxCount; other rows count nowhere.
	Counts map[string]rules.Counts
	// Suspect is set when the window holds a row Counts left out (a NULL
	// unit or count, a count outside 0..valid.MaxCount) or one of an
	// offence code that is NULL or in no offence type: then, and only
	// then, the check must read those rows (CheckCrimeStats).
	Suspect bool
}

// CountsChecked is Counts and the data check's question in one pass over
// the window: the valid counts are summed, and the rows the check must
// look at are noticed, not read. On a clean window (the daily case) the
// check costs nothing more than the aggregation; the rows themselves are
// read by CheckCrimeStats only when Suspect says there are some. It is
// Counts' query otherwise (see Counts): PostgreSQL joins offence_types
// with a LEFT JOIN, so rows of an unknown offence come out with no
// category instead of vanishing.
func (s *Store) CountsChecked(ctx context.Context, r period.Range) (*CheckedCounts, error) {
	var (
		out *CheckedCounts
		err error
	)
	if s.dialect == SQLite {
		out, err = s.countsFiltered(ctx, r)
	} else if out, err = s.countsFlagged(ctx, r); err == nil && out == nil {
		out, err = s.countsFiltered(ctx, r)
	}
	if err != nil {
		return nil, fmt.Errorf("count statistics %s: %w", r, err)
	}
	return out, nil
}

// CountsSideBySide starts CountsChecked of every window of rs at once,
// each on a connection of its own and knowing how many run beside it
// (SideBySide), and calls done with each window's result as it comes, from
// the window's goroutine. wait returns once every done has returned.
func (s *Store) CountsSideBySide(ctx context.Context, rs []period.Range, done func(i int, c *CheckedCounts, err error)) (wait func()) {
	ctx = SideBySide(ctx, len(rs))
	var wg sync.WaitGroup
	for i, r := range rs {
		wg.Go(func() {
			c, err := s.CountsChecked(ctx, r)
			done(i, c, err)
		})
	}
	return wg.Wait
}

// usableCount is the SQL condition of a count the sums take.
var usableCount = `count BETWEEN 0 AND ` + maxCount

// flagRow is what an unusable row adds to countsFlagged's sums: 2⁴⁰, more
// than a million rows of the largest valid count.
const flagRow = 1 << 40

// pgWindowGroups is the rest of both PostgreSQL passes of CountsChecked:
// the fallback must sum the very groups the flagged pass found.
const pgWindowGroups = `
		FROM crime_stats cs LEFT JOIN offence_types ot ON ot.code = cs.offence_code
		WHERE cs.day >= $1 AND cs.day <= $2
		GROUP BY cs.unit_code, ot.category, ot.social_order`

// countsFlagged is CountsChecked's pass on PostgreSQL in the forms the
// server runs at the cost of the plain sum. Where crime_stats is our table
// with the index of its unusable rows (migration 00010) it is the plain
// sum, every group flagged when that index holds a row of the window: on
// clean data the probe reads an empty index. Elsewhere (a province's view)
// it is one SUM per group in float8, each unusable row (count NULL or
// outside 0..valid.MaxCount) adding flagRow instead of its count. A
// second aggregate (COUNT(*) FILTER …) would cost PostgreSQL 10-15 % more
// per window, the test in the sum 6-7 % (BENCHMARKS.md). Every addend is
// a whole number and a group below flagRow is below 2⁵³, where float8
// adds whole numbers exactly: such a sum is the group's count, exactly,
// and no row of it is unusable; it comes back as a bigint (held at
// flagRow, so that no sum overflows one), which lib/pq reads faster than
// a float8. A group at or above flagRow (an unusable row, or sums beyond
// any real count) gives nil: the caller sums the window again with the
// rows told apart (countsFiltered).
func (s *Store) countsFlagged(ctx context.Context, r period.Range) (*CheckedCounts, error) {
	probe, err := s.unusable.has(ctx, s.db)
	if err != nil {
		return nil, err
	}
	flag := strconv.Itoa(flagRow)
	sum := `LEAST(SUM(CASE WHEN cs.` + usableCount + ` THEN cs.count::float8 ELSE ` + flag + `::float8 END), ` + flag + `)::int8`
	if probe {
		// In the statement of the sum, so that both see the same rows; the
		// server asks once (an InitPlan). Every group is flagged when the
		// window holds an unusable row, whose group is one of them; a sum
		// of such counts is not read (a BIGINT column's could exceed one).
		sum = `CASE WHEN EXISTS (SELECT FROM crime_stats WHERE day >= $1 AND day <= $2 AND (` + unusableCount + `)) THEN ` + flag + ` ELSE SUM(cs.count) END`
	}
	out := &CheckedCounts{Counts: map[string]rules.Counts{}}
	var (
		unit    sql.NullString
		cat     sql.NullInt64
		social  sql.NullBool
		n       int64
		flagged bool
	)
	err = s.Aggregate(ctx, `
		SELECT cs.unit_code, ot.category, ot.social_order, `+sum+pgWindowGroups,
		[]any{dateArg(r.From), dateArg(r.To)}, func(rows *sqlx.Rows) error {
			if err := rows.Scan(&unit, &cat, &social, &n); err != nil {
				return err
			}
			switch {
			case n >= flagRow:
				flagged = true
			case !unit.Valid, !cat.Valid, !social.Valid:
				out.Suspect = true
			case !flagged:
				return addCount(out.Counts, unit.String, int(cat.Int64), social.Bool, n)
			}
			return nil
		})
	if err != nil || flagged {
		return nil, err
	}
	return out, nil
}

// unusableCount is the SQL condition of a count no sum takes: the
// predicate of PostgreSQL's index crime_stats_unusable (migration 00010),
// which the planner uses only for a query that states it, and part of
// what CheckCrimeStats looks for.
var unusableCount = `count IS NULL OR count < 0 OR count > ` + maxCount

// unusableIndex is what a store knows of the index of crime_stats'
// unusable rows: whether the database has it, once asked (a rehearsal's
// view shares its store's).
type unusableIndex struct {
	mu          sync.Mutex
	known, here bool
}

// has reports whether crime_stats has the index, asking the database the
// first time (and after forget). Not knowing costs only speed: without
// the index the probe of countsFlagged would read the window a second
// time.
func (x *unusableIndex) has(ctx context.Context, db conn) (bool, error) {
	if x == nil {
		return false, nil
	}
	x.mu.Lock()
	known, here := x.known, x.here
	x.mu.Unlock()
	if known {
		return here, nil
	}
	var n int
	if err := db.QueryRowxContext(ctx, `SELECT COUNT(*) FROM pg_index
		WHERE indrelid = to_regclass('crime_stats') AND indexrelid = to_regclass('crime_stats_unusable') AND indisvalid`).Scan(&n); err != nil {
		return false, fmt.Errorf("look for the index of unusable counts: %w", err)
	}
	x.mu.Lock()
	x.known, x.here = true, n > 0
	x.mu.Unlock()
	return n > 0, nil
}

// forget makes has ask again: a migration may have built the index.
func (x *unusableIndex) forget() {
	if x == nil {
		return
	}
	x.mu.Lock()
	x.known = false
	x.mu.Unlock()
}

// countsFiltered is CountsChecked's pass with each group's usable rows
// summed apart (SUM … FILTER) and its unusable ones counted: SQLite's,
// and PostgreSQL's for a window countsFlagged found rows to look at in.
func (s *Store) countsFiltered(ctx context.Context, r period.Range) (*CheckedCounts, error) {
	out := &CheckedCounts{Counts: map[string]rules.Counts{}}
	ok := ` FILTER (WHERE ` + usableCount + `)`
	bad := ` FILTER (WHERE NOT (` + usableCount + `) IS NOT FALSE)`
	var (
		unit sql.NullString
		sum  sql.NullInt64
		bads int64
	)
	add := func(cat int, social bool) error {
		if !unit.Valid || bads > 0 {
			out.Suspect = true
		}
		if !unit.Valid || !sum.Valid {
			return nil
		}
		return addCount(out.Counts, unit.String, cat, social, sum.Int64)
	}
	if s.dialect == SQLite {
		kind, hint, err := s.sqliteCounting(ctx)
		if err != nil {
			return nil, err
		}
		var code sql.RawBytes
		return out, s.Aggregate(ctx, `SELECT unit_code, offence_code, SUM(count)`+ok+`, COUNT(*)`+bad+` FROM crime_stats`+hint+`
			WHERE day >= ? AND day <= ? GROUP BY unit_code, offence_code`,
			[]any{dateArg(r.From), dateArg(r.To)}, func(rows *sqlx.Rows) error {
				if err := rows.Scan(&unit, &code, &sum, &bads); err != nil {
					return err
				}
				o, known := kind[string(code)]
				if !known {
					out.Suspect = true
					return nil
				}
				return add(int(o.Category), o.SocialOrder)
			})
	}
	var (
		cat    sql.NullInt64
		social sql.NullBool
	)
	return out, s.Aggregate(ctx, `
		SELECT cs.unit_code, ot.category, ot.social_order, SUM(cs.count)`+ok+`, COUNT(*)`+bad+pgWindowGroups,
		[]any{dateArg(r.From), dateArg(r.To)}, func(rows *sqlx.Rows) error {
			if err := rows.Scan(&unit, &cat, &social, &sum, &bads); err != nil {
				return err
			}
			if !cat.Valid || !social.Valid {
				out.Suspect = true
				return nil
			}
			return add(int(cat.Int64), social.Bool)
		})
}

// CheckedCaseCounts is what one pass of the aggregation over a window of
// case_stats gives with the data check folded in (CaseCountsChecked).
type CheckedCaseCounts struct {
	// Counts are CaseCounts over the rows the check accepts: a unit, every
	// figure from 0 to valid.MaxCount, no more serious crimes than crimes
	// (nor detected).
	Counts map[string]rules.CaseCounts
	// Suspect is set when the window holds rows Counts left out: then the
	// check must read them (CheckCaseStats).
	Suspect bool
}

// CaseCountsChecked is CaseCounts and the data check's question in one
// pass over the window, as CountsChecked is for crime_stats.
func (s *Store) CaseCountsChecked(ctx context.Context, r period.Range) (*CheckedCaseCounts, error) {
	var good, sums []string
	for _, c := range caseStatTable.cols[2:] {
		good = append(good, c+" BETWEEN 0 AND "+maxCount)
	}
	good = append(good, "serious_crimes <= crimes", "serious_detected <= detected")
	ok := " FILTER (WHERE " + strings.Join(good, " AND ") + ")"
	for _, c := range caseStatTable.cols[2:] {
		sums = append(sums, "COALESCE(SUM("+c+")"+ok+", 0)")
	}
	out := &CheckedCaseCounts{Counts: map[string]rules.CaseCounts{}}
	err := s.Aggregate(ctx, s.db.Rebind(`SELECT unit_code, COUNT(*)`+ok+`, `+strings.Join(sums, ", ")+`, COUNT(*)
		FROM case_stats WHERE day >= ? AND day <= ? GROUP BY unit_code`),
		[]any{dateArg(r.From), dateArg(r.To)}, func(rows *sqlx.Rows) error {
			var (
				unit sql.NullString
				c    rules.CaseCounts
				all  int
			)
			if err := rows.Scan(&unit, &c.Rows, &c.Crimes, &c.Detected, &c.SeriousCrimes, &c.SeriousDetected,
				&c.ReportsReceived, &c.ReportsHandled, &c.Released, &c.Reoffended, &all); err != nil {
				return err
			}
			if !unit.Valid || all > c.Rows {
				out.Suspect = true
			}
			if unit.Valid && c.Rows > 0 {
				out.Counts[unit.String] = c
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("sum case statistics %s: %w", r, err)
	}
	return out, nil
}

// CrimeStatsAfter reads the crime_stats rows dated after today, at most
// limit: the part of CheckCrimeStats that does not depend on the window.
func (s *Store) CrimeStatsAfter(ctx context.Context, today time.Time, limit int) ([]Raw[Stat], error) {
	return readTable(ctx, s, statTable, ` WHERE day > ? LIMIT ?`, []any{dateArg(today), limit}, buildStat)
}

// CaseStatsAfter reads the case_stats rows dated after today, at most
// limit.
func (s *Store) CaseStatsAfter(ctx context.Context, today time.Time, limit int) ([]Raw[CaseStat], error) {
	return readTable(ctx, s, caseStatTable, ` WHERE day > ? LIMIT ?`, []any{dateArg(today), limit}, buildCaseStat)
}
