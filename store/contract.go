package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"chuyenhoa/period"
	"chuyenhoa/rules"
)

// Districts lists the grouping units with their validity, ordered by code.
func (s *Store) Districts(ctx context.Context) ([]rules.District, error) {
	t, err := s.districtRelation(ctx)
	if err != nil {
		return nil, err
	}
	cols := "code, name, kind, NULL AS valid_from, NULL AS valid_to"
	if len(t.cols) > 3 {
		cols = "code, name, kind, valid_from, valid_to"
	}
	out, err := selectRows[districtScan](ctx, s.db, `SELECT `+cols+` FROM districts ORDER BY `+textOrder(s.dialect, "code"))
	if err != nil {
		return nil, fmt.Errorf("read districts: %w", err)
	}
	return out, nil
}

// districtScan is a districts row as sqlx scans it.
type districtScan struct {
	Code      string    `db:"code"`
	Name      string    `db:"name"`
	Kind      string    `db:"kind"`
	ValidFrom civilDate `db:"valid_from"`
	ValidTo   civilDate `db:"valid_to"`
}

func (r districtScan) value() rules.District {
	return rules.District{Code: r.Code, Name: r.Name, Kind: r.Kind, ValidFrom: r.ValidFrom.T, ValidTo: r.ValidTo.T}
}

// Successions lists the unit successions, ordered by predecessor and
// successor.
func (s *Store) Successions(ctx context.Context) ([]rules.Succession, error) {
	out, err := selectRows[successionScan](ctx, s.db, `SELECT predecessor_code, successor_code, effective_on FROM unit_successions ORDER BY `+
		textOrder(s.dialect, "predecessor_code")+`, `+textOrder(s.dialect, "successor_code"))
	if err != nil {
		return nil, fmt.Errorf("read unit successions: %w", err)
	}
	return out, nil
}

// successionScan is a unit_successions row as sqlx scans it.
type successionScan struct {
	Predecessor string    `db:"predecessor_code"`
	Successor   string    `db:"successor_code"`
	EffectiveOn civilDate `db:"effective_on"`
}

func (r successionScan) value() rules.Succession {
	return rules.Succession{Predecessor: r.Predecessor, Successor: r.Successor, EffectiveOn: r.EffectiveOn.T}
}

// Units lists the commune-level units valid on day on (valid_from empty or
// not after it, valid_to empty or not before it), ordered by code.
func (s *Store) Units(ctx context.Context, on time.Time) ([]rules.Unit, error) {
	rows, err := s.units(ctx, `WHERE (valid_from IS NULL OR valid_from <= ?) AND (valid_to IS NULL OR valid_to >= ?)`, dateArg(on), dateArg(on))
	if err != nil {
		return nil, fmt.Errorf("read units valid on %s: %w", on.Format(time.DateOnly), err)
	}
	out := make([]rules.Unit, len(rows))
	for i, r := range rows {
		out[i] = r.Unit
	}
	return out, nil
}

// unitScan is a units row as sqlx scans it.
type unitScan struct {
	Code           string         `db:"code"`
	Name           string         `db:"name"`
	Kind           string         `db:"kind"`
	District       sql.NullString `db:"district_code"` // NULL reads as "": no grouping level
	NTMCertifiedOn civilDate      `db:"ntm_certified_on"`
	ValidFrom      civilDate      `db:"valid_from"`
	ValidTo        civilDate      `db:"valid_to"`
}

func (r unitScan) value() UnitRow {
	return UnitRow{
		Unit:      rules.Unit{Code: r.Code, Name: r.Name, Kind: r.Kind, District: r.District.String, NTMCertifiedOn: r.NTMCertifiedOn.T},
		ValidFrom: r.ValidFrom.T, ValidTo: r.ValidTo.T,
	}
}

// units reads unit rows with their validity, filtered by where.
func (s *Store) units(ctx context.Context, where string, args ...any) ([]UnitRow, error) {
	return selectRows[unitScan](ctx, s.db, s.db.Rebind(`SELECT code, name, kind, district_code, ntm_certified_on, valid_from, valid_to FROM units `+where+` ORDER BY `+textOrder(s.dialect, "code")), args...)
}

// AllUnits lists every unit with its validity, whatever the day, ordered by
// code.
func (s *Store) AllUnits(ctx context.Context) ([]UnitRow, error) {
	out, err := s.units(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("read units: %w", err)
	}
	return out, nil
}

// Counts sums each unit's statistics over r (both ends included) in one
// aggregation: per category, and for offences against social order.
// Units without statistics in r are absent from the map.
//
// PostgreSQL joins the offence types and groups by category (a parallel
// bitmap scan of the day index and a hash aggregate). SQLite groups by
// offence over the covering index in (unit, offence, day) order, which
// hands the groups over already sorted, and the few offence types are
// mapped to their categories here: a statistic of an offence type that
// does not exist counts nowhere, as with the join. See BENCHMARKS.md.
func (s *Store) Counts(ctx context.Context, r period.Range) (map[string]rules.Counts, error) {
	if s.dialect == SQLite {
		return s.countsByOffence(ctx, r)
	}
	out, err := s.categoryCounts(ctx, `
		SELECT cs.unit_code, ot.category, ot.social_order, SUM(cs.count)
		FROM crime_stats cs JOIN offence_types ot ON ot.code = cs.offence_code
		WHERE cs.day >= ? AND cs.day <= ?
		GROUP BY cs.unit_code, ot.category, ot.social_order`, r)
	if err != nil {
		return nil, fmt.Errorf("count statistics %s: %w", r, err)
	}
	return out, nil
}

// categoryCounts runs an aggregation over the days of r that yields (unit,
// category, social order (a boolean or 0/1), sum) rows, and adds them up
// per unit.
func (s *Store) categoryCounts(ctx context.Context, query string, r period.Range) (map[string]rules.Counts, error) {
	out := make(map[string]rules.Counts)
	var (
		unit   string
		cat    int
		social bool
		sum    int64
	)
	err := s.Aggregate(ctx, s.db.Rebind(query), []any{dateArg(r.From), dateArg(r.To)}, func(rows *sqlx.Rows) error {
		if err := rows.Scan(&unit, &cat, &social, &sum); err != nil {
			return err
		}
		return addCount(out, unit, cat, social, sum)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func addCount(out map[string]rules.Counts, unit string, cat int, social bool, sum int64) error {
	if !rules.Category(cat).Valid() {
		// Only reachable through a province's view: the table has a CHECK.
		return fmt.Errorf("unit %s has offences of category %d, want 1..4", unit, cat)
	}
	c := out[unit]
	c.ByCategory[cat] += int(sum)
	if social {
		c.SocialOrder += int(sum)
	}
	out[unit] = c
	return nil
}

func (s *Store) countsByOffence(ctx context.Context, r period.Range) (map[string]rules.Counts, error) {
	kind, hint, err := s.sqliteCounting(ctx)
	if err != nil {
		return nil, fmt.Errorf("count statistics %s: %w", r, err)
	}
	out := make(map[string]rules.Counts)
	// The hot loop of the recompute (118,000 rows per window at 16×):
	// scanned by position, the offence code as RawBytes, nothing allocated
	// per row but the unit code.
	var (
		unit string
		code sql.RawBytes
		sum  int64
	)
	err = s.Aggregate(ctx, `
		SELECT unit_code, offence_code, SUM(count) FROM crime_stats`+hint+`
		WHERE day >= ? AND day <= ? GROUP BY unit_code, offence_code`,
		[]any{dateArg(r.From), dateArg(r.To)}, func(rows *sqlx.Rows) error {
			if err := rows.Scan(&unit, &code, &sum); err != nil {
				return err
			}
			o, ok := kind[string(code)]
			if !ok {
				return nil
			}
			return addCount(out, unit, int(o.Category), o.SocialOrder, sum)
		})
	if err != nil {
		return nil, fmt.Errorf("count statistics %s: %w", r, err)
	}
	return out, nil
}

// sqliteCounting is what SQLite's aggregations by offence need: the
// offence types by code, mapped to their categories in Go, and the index
// hint (sqliteHint).
func (s *Store) sqliteCounting(ctx context.Context) (map[string]Offence, string, error) {
	offs, err := s.Offences(ctx)
	if err != nil {
		return nil, "", err
	}
	kind := make(map[string]Offence, len(offs))
	for _, o := range offs {
		kind[o.Code] = o
	}
	hint, err := s.sqliteHint(ctx)
	return kind, hint, err
}

// sqliteHint names the covering index of crime_stats when it is there
// (migration 00003): with ANALYZE statistics SQLite prefers the primary
// key, which must visit the table for every row. A database where
// crime_stats is a view has no such index, and INDEXED BY would fail
// there.
func (s *Store) sqliteHint(ctx context.Context) (string, error) {
	var indexed int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'crime_stats_unit_offence_day' AND tbl_name = 'crime_stats'`).Scan(&indexed); err != nil {
		return "", err
	}
	if indexed > 0 {
		return " INDEXED BY crime_stats_unit_offence_day", nil
	}
	return "", nil
}

// Offences lists the offence types, ordered by code.
func (s *Store) Offences(ctx context.Context) ([]Offence, error) {
	var out []Offence
	if err := s.db.SelectContext(ctx, &out, `SELECT code, name, category, social_order FROM offence_types ORDER BY `+textOrder(s.dialect, "code")); err != nil {
		return nil, fmt.Errorf("read offence types: %w", err)
	}
	return out, nil
}

// Selections lists the committee's selection decisions of all years, one
// row per area and category, ordered by year, unit, decision day and
// category: an area's first decision comes first. The decision's number
// and signer read "" where the relation has no such column.
func (s *Store) Selections(ctx context.Context) ([]rules.Selection, error) {
	t, err := s.selectionRelation(ctx)
	if err != nil {
		return nil, err
	}
	cols := []string{"year", "unit_code", "category", "decided_on"}
	for _, c := range selectionTable.cols[4:] {
		if slices.Contains(t.cols, c) {
			cols = append(cols, c)
		} else {
			cols = append(cols, "NULL AS "+c)
		}
	}
	out, err := selectRows[selectionScan](ctx, s.db, `SELECT `+strings.Join(cols, ", ")+` FROM selections ORDER BY year, `+textOrder(s.dialect, "unit_code")+`, decided_on, category`)
	if err != nil {
		return nil, fmt.Errorf("read selections: %w", err)
	}
	return out, nil
}

// selectionScan is a selections row as sqlx scans it.
type selectionScan struct {
	Year      int            `db:"year"`
	Unit      string         `db:"unit_code"`
	Category  rules.Category `db:"category"`
	DecidedOn civilDate      `db:"decided_on"`
	Number    sql.NullString `db:"decision_number"`
	Signer    sql.NullString `db:"signer"`
}

func (r selectionScan) value() rules.Selection {
	return rules.Selection{Year: r.Year, Unit: r.Unit, Category: r.Category, DecidedOn: r.DecidedOn.T,
		Number: strings.TrimSpace(r.Number.String), Signer: strings.TrimSpace(r.Signer.String)}
}

// Assessments lists the committee's verdicts of all years, ordered by year
// and unit.
func (s *Store) Assessments(ctx context.Context) ([]rules.Assessment, error) {
	out, err := selectRows[assessmentScan](ctx, s.db, `SELECT year, unit_code, transformed, assessed_on FROM assessments ORDER BY year, `+textOrder(s.dialect, "unit_code"))
	if err != nil {
		return nil, fmt.Errorf("read assessments: %w", err)
	}
	return out, nil
}

// assessmentScan is an assessments row as sqlx scans it.
type assessmentScan struct {
	Year        int       `db:"year"`
	Unit        string    `db:"unit_code"`
	Transformed bool      `db:"transformed"`
	AssessedOn  civilDate `db:"assessed_on"`
}

func (r assessmentScan) value() rules.Assessment {
	return rules.Assessment{Year: r.Year, Unit: r.Unit, Transformed: r.Transformed, AssessedOn: r.AssessedOn.T}
}

// Submissions lists the reports received, ordered by district, obligation,
// period and unit. SubmittedOn is the day of submission in loc, the
// province's time zone.
func (s *Store) Submissions(ctx context.Context, loc *time.Location) ([]rules.Submission, error) {
	rows, err := s.submissions(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]rules.Submission, len(rows))
	for i, r := range rows {
		out[i] = rules.Submission{
			District:    r.District,
			Obligation:  r.Obligation,
			Period:      r.Period,
			Unit:        r.Unit,
			SubmittedOn: period.Day(r.SubmittedAt, loc),
		}
	}
	return out, nil
}

// SubmissionRows lists the reports received with their exact instants (UTC),
// in the order of Submissions.
func (s *Store) SubmissionRows(ctx context.Context) ([]SubmissionRow, error) {
	return s.submissions(ctx)
}

func (s *Store) submissions(ctx context.Context) ([]SubmissionRow, error) {
	o := func(c string) string { return textOrder(s.dialect, c) }
	out, err := selectRows[submissionScan](ctx, s.db, `SELECT district_code, obligation, period, unit_code, submitted_at FROM submissions ORDER BY `+
		o("district_code")+`, `+o("obligation")+`, `+o("period")+`, `+o("unit_code"))
	if err != nil {
		return nil, fmt.Errorf("read submissions: %w", err)
	}
	return out, nil
}

// submissionScan is a submissions row as sqlx scans it; SubmittedAt
// shadows the embedded row's.
type submissionScan struct {
	SubmissionRow
	SubmittedAt instant `db:"submitted_at"`
}

func (r submissionScan) value() SubmissionRow {
	r.SubmissionRow.SubmittedAt = r.SubmittedAt.T
	return r.SubmissionRow
}

// Stats lists the statistics rows of the days in r (both ends included),
// ordered by unit, day and offence.
func (s *Store) Stats(ctx context.Context, r period.Range) ([]Stat, error) {
	out, err := selectRows[statScan](ctx, s.db, s.db.Rebind(`SELECT unit_code, day, offence_code, count FROM crime_stats WHERE day >= ? AND day <= ? ORDER BY `+
		textOrder(s.dialect, "unit_code")+`, day, `+textOrder(s.dialect, "offence_code")), dateArg(r.From), dateArg(r.To))
	if err != nil {
		return nil, fmt.Errorf("read statistics %s: %w", r, err)
	}
	return out, nil
}

// statScan is a crime_stats row as sqlx scans it; Day shadows the
// embedded row's.
type statScan struct {
	Stat
	Day civilDate `db:"day"`
}

func (r statScan) value() Stat {
	r.Stat.Day = r.Day.T
	return r.Stat
}
