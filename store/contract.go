package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"chuyenhoa/period"
	"chuyenhoa/rules"
)

// Districts lists the grouping units, ordered by code.
func (s *Store) Districts(ctx context.Context) ([]rules.District, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT code, name, kind FROM districts ORDER BY `+textOrder(s.dialect, "code"))
	if err != nil {
		return nil, fmt.Errorf("read districts: %w", err)
	}
	defer rows.Close()
	var out []rules.District
	for rows.Next() {
		var d rules.District
		if err := rows.Scan(&d.Code, &d.Name, &d.Kind); err != nil {
			return nil, fmt.Errorf("read districts: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read districts: %w", err)
	}
	return out, nil
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

// units reads unit rows with their validity, filtered by where.
func (s *Store) units(ctx context.Context, where string, args ...any) ([]UnitRow, error) {
	rows, err := s.db.QueryContext(ctx, s.db.Rebind(`SELECT code, name, kind, district_code, ntm_certified_on, valid_from, valid_to FROM units `+where+` ORDER BY `+textOrder(s.dialect, "code")), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []UnitRow
	for rows.Next() {
		var (
			u                UnitRow
			district         sql.NullString
			ntm, from, until civilDate
		)
		if err := rows.Scan(&u.Code, &u.Name, &u.Kind, &district, &ntm, &from, &until); err != nil {
			return nil, err
		}
		u.District, u.NTMCertifiedOn, u.ValidFrom, u.ValidTo = district.String, ntm.T, from.T, until.T
		out = append(out, u)
	}
	return out, rows.Err()
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
	rows, err := s.db.QueryContext(ctx, s.db.Rebind(`
		SELECT cs.unit_code, ot.category, ot.social_order, SUM(cs.count)
		FROM crime_stats cs JOIN offence_types ot ON ot.code = cs.offence_code
		WHERE cs.day >= ? AND cs.day <= ?
		GROUP BY cs.unit_code, ot.category, ot.social_order`),
		dateArg(r.From), dateArg(r.To))
	if err != nil {
		return nil, fmt.Errorf("count statistics %s: %w", r, err)
	}
	defer rows.Close()
	out := make(map[string]rules.Counts)
	for rows.Next() {
		var (
			unit   string
			cat    int
			social bool
			sum    int64
		)
		if err := rows.Scan(&unit, &cat, &social, &sum); err != nil {
			return nil, fmt.Errorf("count statistics %s: %w", r, err)
		}
		if err := addCount(out, unit, cat, social, sum); err != nil {
			return nil, fmt.Errorf("count statistics %s: %w", r, err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count statistics %s: %w", r, err)
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
	offs, err := s.Offences(ctx)
	if err != nil {
		return nil, fmt.Errorf("count statistics %s: %w", r, err)
	}
	kind := make(map[string]Offence, len(offs))
	for _, o := range offs {
		kind[o.Code] = o
	}
	// Name the index when it is there (migration 00003): with ANALYZE
	// statistics SQLite prefers the primary key, which must visit the
	// table for every row. A database where crime_stats is a view has no
	// such index, and INDEXED BY would fail there.
	var indexed int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'crime_stats_unit_offence_day'`).Scan(&indexed); err != nil {
		return nil, fmt.Errorf("count statistics %s: %w", r, err)
	}
	hint := ""
	if indexed > 0 {
		hint = " INDEXED BY crime_stats_unit_offence_day"
	}
	rows, err := s.db.QueryContext(ctx, `
		SELECT unit_code, offence_code, SUM(count) FROM crime_stats`+hint+`
		WHERE day >= ? AND day <= ? GROUP BY unit_code, offence_code`,
		dateArg(r.From), dateArg(r.To))
	if err != nil {
		return nil, fmt.Errorf("count statistics %s: %w", r, err)
	}
	defer rows.Close()
	out := make(map[string]rules.Counts)
	var (
		unit string
		code sql.RawBytes
		sum  int64
	)
	for rows.Next() {
		if err := rows.Scan(&unit, &code, &sum); err != nil {
			return nil, fmt.Errorf("count statistics %s: %w", r, err)
		}
		o, ok := kind[string(code)]
		if !ok {
			continue
		}
		if err := addCount(out, unit, int(o.Category), o.SocialOrder, sum); err != nil {
			return nil, fmt.Errorf("count statistics %s: %w", r, err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count statistics %s: %w", r, err)
	}
	return out, nil
}

// Offences lists the offence types, ordered by code.
func (s *Store) Offences(ctx context.Context) ([]Offence, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT code, name, category, social_order FROM offence_types ORDER BY `+textOrder(s.dialect, "code"))
	if err != nil {
		return nil, fmt.Errorf("read offence types: %w", err)
	}
	defer rows.Close()
	var out []Offence
	for rows.Next() {
		var o Offence
		if err := rows.Scan(&o.Code, &o.Name, &o.Category, &o.SocialOrder); err != nil {
			return nil, fmt.Errorf("read offence types: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read offence types: %w", err)
	}
	return out, nil
}

// Selections lists the committee's selection decisions of all years,
// ordered by year and unit.
func (s *Store) Selections(ctx context.Context) ([]rules.Selection, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT year, unit_code, category, decided_on FROM selections ORDER BY year, `+textOrder(s.dialect, "unit_code"))
	if err != nil {
		return nil, fmt.Errorf("read selections: %w", err)
	}
	defer rows.Close()
	var out []rules.Selection
	for rows.Next() {
		var (
			sel rules.Selection
			on  civilDate
		)
		if err := rows.Scan(&sel.Year, &sel.Unit, &sel.Category, &on); err != nil {
			return nil, fmt.Errorf("read selections: %w", err)
		}
		sel.DecidedOn = on.T
		out = append(out, sel)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read selections: %w", err)
	}
	return out, nil
}

// Assessments lists the committee's verdicts of all years, ordered by year
// and unit.
func (s *Store) Assessments(ctx context.Context) ([]rules.Assessment, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT year, unit_code, transformed, assessed_on FROM assessments ORDER BY year, `+textOrder(s.dialect, "unit_code"))
	if err != nil {
		return nil, fmt.Errorf("read assessments: %w", err)
	}
	defer rows.Close()
	var out []rules.Assessment
	for rows.Next() {
		var (
			a  rules.Assessment
			on civilDate
		)
		if err := rows.Scan(&a.Year, &a.Unit, &a.Transformed, &on); err != nil {
			return nil, fmt.Errorf("read assessments: %w", err)
		}
		a.AssessedOn = on.T
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read assessments: %w", err)
	}
	return out, nil
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
	rows, err := s.db.QueryContext(ctx, `SELECT district_code, obligation, period, unit_code, submitted_at FROM submissions ORDER BY `+
		o("district_code")+`, `+o("obligation")+`, `+o("period")+`, `+o("unit_code"))
	if err != nil {
		return nil, fmt.Errorf("read submissions: %w", err)
	}
	defer rows.Close()
	var out []SubmissionRow
	for rows.Next() {
		var (
			r  SubmissionRow
			at instant
		)
		if err := rows.Scan(&r.District, &r.Obligation, &r.Period, &r.Unit, &at); err != nil {
			return nil, fmt.Errorf("read submissions: %w", err)
		}
		r.SubmittedAt = at.T
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read submissions: %w", err)
	}
	return out, nil
}

// Stats lists the statistics rows of the days in r (both ends included),
// ordered by unit, day and offence.
func (s *Store) Stats(ctx context.Context, r period.Range) ([]Stat, error) {
	rows, err := s.db.QueryContext(ctx, s.db.Rebind(`SELECT unit_code, day, offence_code, count FROM crime_stats WHERE day >= ? AND day <= ? ORDER BY `+
		textOrder(s.dialect, "unit_code")+`, day, `+textOrder(s.dialect, "offence_code")), dateArg(r.From), dateArg(r.To))
	if err != nil {
		return nil, fmt.Errorf("read statistics %s: %w", r, err)
	}
	defer rows.Close()
	var out []Stat
	for rows.Next() {
		var (
			st  Stat
			day civilDate
		)
		if err := rows.Scan(&st.Unit, &day, &st.Offence, &st.Count); err != nil {
			return nil, fmt.Errorf("read statistics %s: %w", r, err)
		}
		st.Day = day.T
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read statistics %s: %w", r, err)
	}
	return out, nil
}
