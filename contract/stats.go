package contract

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/labels"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// Counts is Store.Counts over the rows the check accepts, attributed to
// the units of day on: a merged commune's statistics count for its
// successor (rules.Attribute). When crime_stats is a table and the window
// holds nothing to leave out it is Store.Counts itself; otherwise
// Store.CountsExcluding. Statistics of unknown units or offence types, and
// of communes outside their validity on day on with no successor, are
// reported; they count nowhere either way (they stay under their code, no
// unit of the day).
func (s *Source) Counts(ctx context.Context, r period.Range, on time.Time) (map[string]rules.Counts, error) {
	if err := s.loadUnits(ctx); err != nil {
		return nil, err
	}
	if err := s.loadOffences(ctx); err != nil {
		return nil, err
	}
	chk, err := s.st.CheckCrimeStats(ctx, r, s.today, checkLimit)
	if err != nil {
		return nil, err
	}
	const rel = "crime_stats"
	exclude := statChecked(s, rel, chk, statRelation[store.Stat]{
		unit: func(st store.Stat) string { return st.Unit },
		suspect: func(x store.Raw[store.Stat]) (*problem, bool) {
			st := x.Row
			switch {
			case st.Count < 0:
				return &problem{Problem: finding.ProblemNegative, Ident: st.Unit + "/" + st.Offence, Action: finding.ActionLeftOut, Detail: x.Text}, true
			case !s.offences[st.Offence]:
				// The aggregation joins offence_types: it counts nowhere.
				return &problem{Problem: finding.ProblemUnknownOffence, Ident: st.Offence, Action: finding.ActionLeftOut, Detail: st.Offence}, false
			}
			return nil, false
		},
		duplicate: func(d store.Duplicate) (ident, text, detail string) {
			text = fmt.Sprintf("unit_code=%q, day=%s, offence_code=%q × %d", d.Unit, d.Day.Format(time.DateOnly), d.Offence, d.Copies)
			return d.Unit + "/" + d.Offence, text, "(unit_code, day, offence_code) " + text
		},
	})
	count := s.st.Counts
	if exclude || s.offTrouble {
		count = s.st.CountsExcluding
	}
	counts, err := count(ctx, r)
	if err != nil {
		return nil, err
	}
	// Statistics of a unit that exists nowhere show in the totals; the
	// rules only look at the units they are given, so they count nowhere.
	for _, code := range slices.Sorted(maps.Keys(counts)) {
		if s.unitCodes[code] {
			continue
		}
		total := 0
		for _, n := range counts[code].ByCategory {
			total += n
		}
		s.report(problem{Relation: rel, Problem: finding.ProblemUnknownUnit, Ident: code, Unit: code, Action: finding.ActionLeftOut,
			Row: labels.DataUnitTotal(code, total, r), Detail: code})
	}
	out, unresolved := rules.Attribute(s.terr, on, counts, rules.Counts.Add)
	for _, code := range slices.Sorted(maps.Keys(unresolved)) {
		total := 0
		for _, n := range counts[code].ByCategory {
			total += n
		}
		s.notFollowed(rel, code, unresolved[code], labels.DataUnitTotal(code, total, r), on)
	}
	return out, nil
}

// notFollowed reports the statistics of a code that resolved to no unit
// of day on: they count nowhere. Unknown codes are reported by the check
// itself, a split once as such (see loadUnits).
func (s *Source) notFollowed(rel, code string, r rules.Resolution, row string, on time.Time) {
	if r.Outcome != rules.OutcomeGone && r.Outcome != rules.OutcomeNotYet {
		return
	}
	s.report(problem{Relation: rel, Problem: finding.ProblemNoSuccessor, Ident: code, Unit: code, Action: finding.ActionLeftOut,
		Row: row, Detail: labels.DataCodeOn(code, on)})
}

// CaseCounts is Store.CaseCounts over the rows the check accepts,
// attributed to the units of day on, as Counts is for crime_stats.
func (s *Source) CaseCounts(ctx context.Context, r period.Range, on time.Time) (map[string]rules.CaseCounts, error) {
	if err := s.loadUnits(ctx); err != nil {
		return nil, err
	}
	chk, err := s.st.CheckCaseStats(ctx, r, s.today, checkLimit)
	if err != nil {
		return nil, err
	}
	exclude := statChecked(s, "case_stats", chk, statRelation[store.CaseStat]{
		unit: func(c store.CaseStat) string { return c.Unit },
		suspect: func(x store.Raw[store.CaseStat]) (*problem, bool) {
			c := x.Row
			switch {
			case min(c.Crimes, c.Detected, c.SeriousCrimes, c.SeriousDetected, c.ReportsReceived, c.ReportsHandled, c.Released, c.Reoffended) < 0:
				return &problem{Problem: finding.ProblemNegative, Ident: c.Unit, Action: finding.ActionLeftOut, Detail: x.Text}, true
			case c.SeriousCrimes > c.Crimes || c.SeriousDetected > c.Detected:
				return &problem{Problem: finding.ProblemBadValue, Ident: c.Unit, Action: finding.ActionLeftOut,
					Detail: "serious_crimes ≤ crimes, serious_detected ≤ detected"}, true
			case !s.unitCodes[c.Unit]:
				// The indicators only look at the units they are given.
				return &problem{Problem: finding.ProblemUnknownUnit, Ident: c.Unit, Action: finding.ActionLeftOut, Detail: c.Unit}, false
			}
			return nil, false
		},
		duplicate: func(d store.Duplicate) (ident, text, detail string) {
			text = fmt.Sprintf("unit_code=%q, day=%s × %d", d.Unit, d.Day.Format(time.DateOnly), d.Copies)
			return d.Unit, text, "(unit_code, day) " + text
		},
	})
	sum := s.st.CaseCounts
	if exclude {
		sum = s.st.CaseCountsExcluding
	}
	counts, err := sum(ctx, r)
	if err != nil {
		return nil, err
	}
	out, unresolved := rules.Attribute(s.terr, on, counts, rules.CaseCounts.Add)
	for _, code := range slices.Sorted(maps.Keys(unresolved)) {
		c := counts[code]
		s.notFollowed("case_stats", code, unresolved[code], labels.DataCaseTotal(code, c.Crimes, c.Rows, r), on)
	}
	return out, nil
}

// statRelation says how the rows of a statistics relation found by its
// store check are reported.
type statRelation[T any] struct {
	unit func(T) string // the unit a row counts for
	// suspect tells what is wrong with a readable suspect row (nil: nothing
	// this check reports) and whether the plain aggregation would count it.
	suspect func(x store.Raw[T]) (p *problem, exclude bool)
	// duplicate names a key recorded more than once: the data error's
	// ident, the key as a row and the message's detail.
	duplicate func(d store.Duplicate) (ident, text, detail string)
}

// statChecked reports what chk found in rel. It returns whether the
// aggregation must leave rows out: it holds rows the plain one would count
// (a NULL, a negative count, a copy of a key), or rel has no unique key
// and could hold copies the check did not look for.
func statChecked[T any](s *Source, rel string, chk *store.StatCheck[T], sr statRelation[T]) (exclude bool) {
	// A relation without a unique key (a province's view) can hold a key
	// twice: only the deduplicating aggregation is right for it.
	exclude = !chk.Unique
	for _, x := range chk.Suspect {
		unit := sr.unit(x.Row)
		var p *problem
		if len(x.Bad) > 0 {
			null := unreadable(rel, x)
			if unit != "" {
				null.Ident = unit
			}
			p = &null
			exclude = true
		} else {
			var ex bool
			if p, ex = sr.suspect(x); p == nil {
				continue
			}
			exclude = exclude || ex
		}
		p.Relation, p.Unit, p.Row = rel, unit, x.Text
		s.report(*p)
	}
	for _, x := range chk.Future {
		unit := sr.unit(x.Row)
		s.report(problem{Relation: rel, Problem: finding.ProblemFutureDay, Ident: unit, Unit: unit, Action: finding.ActionLeftOut,
			Row: x.Text, Detail: s.today.Format("02/01/2006")})
	}
	for _, d := range chk.Duplicates {
		exclude = true
		action := finding.ActionCountedOnce
		if !d.Agree {
			action = finding.ActionLeftOut
		}
		ident, text, detail := sr.duplicate(d)
		s.report(problem{Relation: rel, Problem: finding.ProblemDuplicate, Ident: ident, Unit: d.Unit, Action: action, Row: text, Detail: detail})
	}
	s.truncated(rel, chk.Truncated)
	return exclude
}
