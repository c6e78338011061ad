package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"chuyenhoa/period"
	"chuyenhoa/rules"
)

// CaseStat is one unit's case-handling figures for one day (or, from a
// province reporting monthly, for the month put on one of its days).
type CaseStat struct {
	Unit string `db:"unit_code"`
	Day  time.Time
	// Crimes recorded and, of crimes, those detected (điều tra, khám phá);
	// a detection may concern a crime recorded earlier.
	Crimes   int `db:"crimes"`
	Detected int `db:"detected"`
	// Very serious and especially serious crimes (rất nghiêm trọng, đặc
	// biệt nghiêm trọng), a part of Crimes, and those detected.
	SeriousCrimes   int `db:"serious_crimes"`
	SeriousDetected int `db:"serious_detected"`
	// Crime reports and denunciations received and handled (tố giác, tin
	// báo về tội phạm).
	ReportsReceived int `db:"reports_received"`
	ReportsHandled  int `db:"reports_handled"`
	// People back in the commune after a prison term, and of them those
	// who re-offended.
	Released   int `db:"released"`
	Reoffended int `db:"reoffended"`
}

// CycleDataset is a batch of the cycle's contract rows to upsert: the
// district proposals and the case statistics.
type CycleDataset struct {
	Proposals []rules.DistrictProposal
	CaseStats []CaseStat
}

// Validate checks every row before anything is written.
func (d *CycleDataset) Validate() error {
	var p problems
	for i, r := range d.Proposals {
		switch {
		case p.yearUnit("Proposals", i, r.Year, r.Unit):
		case r.ProposedOn.IsZero():
			p.add("Proposals[%d] (%d, %s): no proposal day", i, r.Year, r.Unit)
		}
		p.dup("Proposals", i, fmt.Sprint(r.Year), r.District, r.Unit)
	}
	for i, r := range d.CaseStats {
		switch {
		case r.Unit == "":
			p.add("CaseStats[%d]: empty unit", i)
		case r.Day.IsZero():
			p.add("CaseStats[%d] (%s): no day", i, r.Unit)
		case min(r.Crimes, r.Detected, r.SeriousCrimes, r.SeriousDetected, r.ReportsReceived, r.ReportsHandled, r.Released, r.Reoffended) < 0:
			p.add("CaseStats[%d] (%s, %s): negative count", i, r.Unit, dayText(r.Day))
		case r.SeriousCrimes > r.Crimes:
			p.add("CaseStats[%d] (%s, %s): %d serious crimes out of %d crimes", i, r.Unit, dayText(r.Day), r.SeriousCrimes, r.Crimes)
		case r.SeriousDetected > r.Detected:
			p.add("CaseStats[%d] (%s, %s): %d serious crimes detected out of %d detected", i, r.Unit, dayText(r.Day), r.SeriousDetected, r.Detected)
		}
		p.dup("CaseStats", i, r.Unit, dayText(r.Day))
	}
	return p.err()
}

// LoadCycle upserts every row of d in one transaction: all of it is stored,
// or on any error nothing is. Loading the same rows again changes nothing.
func (s *Store) LoadCycle(ctx context.Context, d *CycleDataset) error {
	err := s.load(ctx, "load cycle data", d.Validate, func(tx *Tx) error { return writeTables(ctx, tx.tx, d.tables(), nil) })
	return s.pinpoint(ctx, err, d.tables())
}

// tables gives the rows of d for writeTables.
func (d *CycleDataset) tables() []tableRows {
	return []tableRows{
		{proposalTable, len(d.Proposals), func(i int) []any {
			r := d.Proposals[i]
			return []any{r.Year, r.District, r.Unit, dateArg(r.ProposedOn)}
		}},
		{caseStatTable, len(d.CaseStats), func(i int) []any {
			r := d.CaseStats[i]
			return []any{r.Unit, dateArg(r.Day), r.Crimes, r.Detected, r.SeriousCrimes, r.SeriousDetected,
				r.ReportsReceived, r.ReportsHandled, r.Released, r.Reoffended}
		}},
	}
}

// Proposals lists the district proposals of a selection year (every year
// when year is 0), ordered by year, district and unit.
func (s *Store) Proposals(ctx context.Context, year int) ([]rules.DistrictProposal, error) {
	o := func(c string) string { return textOrder(s.dialect, c) }
	q := `SELECT year, district_code, unit_code, proposed_on FROM proposals`
	var args []any
	if year != 0 {
		q += ` WHERE year = ?`
		args = append(args, year)
	}
	out, err := selectRows[proposalScan](ctx, s.db, s.db.Rebind(q+` ORDER BY year, `+o("district_code")+`, `+o("unit_code")), args...)
	if err != nil {
		return nil, fmt.Errorf("read proposals: %w", err)
	}
	return out, nil
}

// proposalScan is a proposals row as sqlx scans it.
type proposalScan struct {
	Year       int       `db:"year"`
	District   string    `db:"district_code"`
	Unit       string    `db:"unit_code"`
	ProposedOn civilDate `db:"proposed_on"`
}

func (r proposalScan) value() rules.DistrictProposal {
	return rules.DistrictProposal{Year: r.Year, District: r.District, Unit: r.Unit, ProposedOn: r.ProposedOn.T}
}

// CaseCounts sums each unit's case statistics over r (both ends included)
// in one aggregation. Units without rows in r are absent from the map.
func (s *Store) CaseCounts(ctx context.Context, r period.Range) (map[string]rules.CaseCounts, error) {
	out, err := s.caseCounts(ctx, `
		SELECT unit_code, COUNT(*), SUM(crimes), SUM(detected), SUM(serious_crimes), SUM(serious_detected),
			SUM(reports_received), SUM(reports_handled), SUM(released), SUM(reoffended)
		FROM case_stats WHERE day >= ? AND day <= ? GROUP BY unit_code`, r)
	if err != nil {
		return nil, fmt.Errorf("sum case statistics %s: %w", r, err)
	}
	return out, nil
}

// caseCounts runs an aggregation over the days of r that yields (unit,
// rows, and the sums in the order of rules.CaseCounts) per unit.
func (s *Store) caseCounts(ctx context.Context, query string, r period.Range) (map[string]rules.CaseCounts, error) {
	out := make(map[string]rules.CaseCounts)
	err := s.Aggregate(ctx, s.db.Rebind(query), []any{dateArg(r.From), dateArg(r.To)}, func(rows *sqlx.Rows) error {
		var (
			unit string
			c    rules.CaseCounts
		)
		if err := rows.Scan(&unit, &c.Rows, &c.Crimes, &c.Detected, &c.SeriousCrimes, &c.SeriousDetected,
			&c.ReportsReceived, &c.ReportsHandled, &c.Released, &c.Reoffended); err != nil {
			return err
		}
		out[unit] = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CaseStats lists the case statistics rows of the days in r, ordered by
// unit and day.
func (s *Store) CaseStats(ctx context.Context, r period.Range) ([]CaseStat, error) {
	out, err := selectRows[caseStatScan](ctx, s.db, s.db.Rebind(`SELECT unit_code, day, crimes, detected, serious_crimes, serious_detected,
		reports_received, reports_handled, released, reoffended FROM case_stats WHERE day >= ? AND day <= ? ORDER BY `+
		textOrder(s.dialect, "unit_code")+`, day`), dateArg(r.From), dateArg(r.To))
	if err != nil {
		return nil, fmt.Errorf("read case statistics %s: %w", r, err)
	}
	return out, nil
}

// caseStatScan is a case_stats row as sqlx scans it; Day shadows the
// embedded row's.
type caseStatScan struct {
	CaseStat
	Day civilDate `db:"day"`
}

func (r caseStatScan) value() CaseStat {
	r.CaseStat.Day = r.Day.T
	return r.CaseStat
}
