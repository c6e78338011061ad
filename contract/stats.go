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
	"chuyenhoa/valid"
)

// Counts is Store.Counts over the rows the check accepts, attributed to
// the units of day on: a merged commune's statistics count for its
// successor (rules.Attribute). When crime_stats is a table and offence_types
// holds nothing to leave out, the check is folded into the aggregation
// (Store.CountsChecked: one pass over the window), and the suspect rows
// are read only when that pass saw some; otherwise it is
// Store.CheckCrimeStats and Store.CountsExcluding. Statistics of unknown
// units or offence types, and of communes outside their validity on day
// on with no successor, are reported; they count nowhere either way (they
// stay under their code, no unit of the day).
func (s *Source) Counts(ctx context.Context, r period.Range, on time.Time) (map[string]rules.Counts, error) {
	if err := s.loadUnits(ctx); err != nil {
		return nil, err
	}
	if err := s.loadOffences(ctx); err != nil {
		return nil, err
	}
	const rel = statsRelation
	unique, err := s.uniqueKey(ctx, rel)
	if err != nil {
		return nil, err
	}
	window := s.window(rel, r)
	var (
		chk    *store.StatCheck[store.Stat]
		counts map[string]rules.Counts
	)
	if unique && !s.offTrouble {
		// Prefetch may have started this very query.
		cc, err := shared(ctx, s, countsKey(window), func(ctx context.Context) (*store.CheckedCounts, error) { return s.st.CountsChecked(ctx, r) })
		if err != nil {
			return nil, err
		}
		counts = cc.Counts
		if chk, err = checkWindow(ctx, s, rel, window, cc.Suspect, func(ctx context.Context) (*store.StatCheck[store.Stat], error) {
			return s.st.CheckCrimeStats(ctx, r, s.today, checkLimit)
		}, s.st.CrimeStatsAfter); err != nil {
			return nil, err
		}
	} else if chk, err = shared(ctx, s, "check "+window, func(ctx context.Context) (*store.StatCheck[store.Stat], error) {
		return s.st.CheckCrimeStats(ctx, r, s.today, checkLimit)
	}); err != nil {
		return nil, err
	}
	statChecked(s, rel, chk, statRelation[store.Stat]{
		unit: func(st store.Stat) string { return st.Unit },
		suspect: func(x store.Raw[store.Stat]) *problem {
			st := x.Row
			switch {
			case st.Count < 0:
				return &problem{Problem: finding.ProblemNegative, Ident: st.Unit + "/" + st.Offence, Action: finding.ActionLeftOut, Detail: x.Text()}
			case st.Count > valid.MaxCount:
				return &problem{Problem: finding.ProblemBadValue, Ident: st.Unit + "/" + st.Offence, Action: finding.ActionLeftOut,
					Detail: labels.DataCountAbove("count", st.Count, valid.MaxCount)}
			case !s.offences[st.Offence]:
				// The aggregation joins offence_types: it counts nowhere.
				return &problem{Problem: finding.ProblemUnknownOffence, Ident: st.Offence, Action: finding.ActionLeftOut, Detail: st.Offence}
			}
			return nil
		},
		duplicate: func(d store.Duplicate) (ident, text, detail string) {
			text = fmt.Sprintf("unit_code=%q, day=%s, offence_code=%q × %d", d.Unit, d.Day.Format(time.DateOnly), d.Offence, d.Copies)
			return d.Unit + "/" + d.Offence, text, "(unit_code, day, offence_code) " + text
		},
	})
	if counts == nil {
		// A view (no unique key: it may hold a key twice) or offence types
		// that would skew the join: only the deduplicating aggregation is
		// right.
		if counts, err = shared(ctx, s, "excluding "+window, func(ctx context.Context) (map[string]rules.Counts, error) {
			return s.st.CountsExcluding(ctx, r)
		}); err != nil {
			return nil, err
		}
	}
	// Statistics of a unit that exists nowhere show in the totals; the
	// rules only look at the units they are given, so they count nowhere.
	// Sorted so that they are reported in one order; only these are, not
	// the window's thousands of known codes.
	var unknown []string
	for code := range counts {
		if !s.unitCodes[code] {
			unknown = append(unknown, code)
		}
	}
	slices.Sort(unknown)
	// A code's row in a message: its crimes over the window.
	totalRow := func(code string) string {
		total := 0
		for _, n := range counts[code].ByCategory {
			total += n
		}
		return labels.DataUnitTotal(code, total, r)
	}
	for _, code := range unknown {
		s.report(problem{Relation: rel, Problem: finding.ProblemUnknownUnit, Ident: code, Unit: code, Action: finding.ActionLeftOut,
			Row: totalRow(code), Detail: code})
	}
	out, unresolved := rules.Attribute(s.terr, on, counts, rules.Counts.Add)
	for _, code := range slices.Sorted(maps.Keys(unresolved)) {
		s.notFollowed(rel, code, unresolved[code], totalRow(code), on)
	}
	return out, nil
}

// statsRelation is the relation Counts sums.
const statsRelation = "crime_stats"

// window names window r of statistics relation rel as checked on s's
// today (what is in the future depends on it): the round keeps its values
// about the window under keys made from the name.
func (s *Source) window(rel string, r period.Range) string {
	return fmt.Sprintf("%s %s/%s", rel, r, s.today.Format(time.DateOnly))
}

// countsKey is the key of a window's checked sums in a round (Counts,
// CaseCounts, Prefetch).
func countsKey(window string) string { return "counts " + window }

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
// attributed to the units of day on, as Counts is for crime_stats: on a
// table, one pass (Store.CaseCountsChecked) and the suspect rows read only
// when it saw some.
func (s *Source) CaseCounts(ctx context.Context, r period.Range, on time.Time) (map[string]rules.CaseCounts, error) {
	if err := s.loadUnits(ctx); err != nil {
		return nil, err
	}
	const rel = "case_stats"
	unique, err := s.uniqueKey(ctx, rel)
	if err != nil {
		return nil, err
	}
	window := s.window(rel, r)
	check := func(ctx context.Context) (*store.StatCheck[store.CaseStat], error) {
		return s.st.CheckCaseStats(ctx, r, s.today, checkLimit)
	}
	var (
		chk    *store.StatCheck[store.CaseStat]
		counts map[string]rules.CaseCounts
	)
	if unique {
		cc, err := shared(ctx, s, countsKey(window), func(ctx context.Context) (*store.CheckedCaseCounts, error) { return s.st.CaseCountsChecked(ctx, r) })
		if err != nil {
			return nil, err
		}
		counts = cc.Counts
		suspect := cc.Suspect
		for code := range counts {
			// The check reports the rows of unknown units one by one.
			suspect = suspect || !s.unitCodes[code]
		}
		if chk, err = checkWindow(ctx, s, rel, window, suspect, check, s.st.CaseStatsAfter); err != nil {
			return nil, err
		}
	} else if chk, err = shared(ctx, s, "check "+window, check); err != nil {
		return nil, err
	}
	statChecked(s, rel, chk, statRelation[store.CaseStat]{
		unit: func(c store.CaseStat) string { return c.Unit },
		suspect: func(x store.Raw[store.CaseStat]) *problem {
			c := x.Row
			col, n := caseFigureAbove(c)
			switch {
			case min(c.Crimes, c.Detected, c.SeriousCrimes, c.SeriousDetected, c.ReportsReceived, c.ReportsHandled, c.Released, c.Reoffended) < 0:
				return &problem{Problem: finding.ProblemNegative, Ident: c.Unit, Action: finding.ActionLeftOut, Detail: x.Text()}
			case col != "":
				return &problem{Problem: finding.ProblemBadValue, Ident: c.Unit, Action: finding.ActionLeftOut,
					Detail: labels.DataCountAbove(col, n, valid.MaxCount)}
			case c.SeriousCrimes > c.Crimes || c.SeriousDetected > c.Detected:
				return &problem{Problem: finding.ProblemBadValue, Ident: c.Unit, Action: finding.ActionLeftOut,
					Detail: "serious_crimes ≤ crimes, serious_detected ≤ detected"}
			case !s.unitCodes[c.Unit]:
				// The indicators only look at the units they are given.
				return &problem{Problem: finding.ProblemUnknownUnit, Ident: c.Unit, Action: finding.ActionLeftOut, Detail: c.Unit}
			}
			return nil
		},
		duplicate: func(d store.Duplicate) (ident, text, detail string) {
			text = fmt.Sprintf("unit_code=%q, day=%s × %d", d.Unit, d.Day.Format(time.DateOnly), d.Copies)
			return d.Unit, text, "(unit_code, day) " + text
		},
	})
	if counts == nil {
		if counts, err = shared(ctx, s, "excluding "+window, func(ctx context.Context) (map[string]rules.CaseCounts, error) {
			return s.st.CaseCountsExcluding(ctx, r)
		}); err != nil {
			return nil, err
		}
	}
	out, unresolved := rules.Attribute(s.terr, on, counts, rules.CaseCounts.Add)
	for _, code := range slices.Sorted(maps.Keys(unresolved)) {
		c := counts[code]
		s.notFollowed("case_stats", code, unresolved[code], labels.DataCaseTotal(code, c.Crimes, c.Rows, r), on)
	}
	return out, nil
}

// caseFigureAbove names the first figure of c above valid.MaxCount.
func caseFigureAbove(c store.CaseStat) (string, int) {
	for _, f := range []struct {
		col string
		n   int
	}{{"crimes", c.Crimes}, {"detected", c.Detected}, {"serious_crimes", c.SeriousCrimes}, {"serious_detected", c.SeriousDetected},
		{"reports_received", c.ReportsReceived}, {"reports_handled", c.ReportsHandled}, {"released", c.Released}, {"reoffended", c.Reoffended}} {
		if f.n > valid.MaxCount {
			return f.col, f.n
		}
	}
	return "", 0
}

// uniqueKey says whether rel is a table with a unique key
// (Store.HasUniqueKey), once per round.
func (s *Source) uniqueKey(ctx context.Context, rel string) (bool, error) {
	return shared(ctx, s, "unique "+rel, func(ctx context.Context) (bool, error) { return s.st.HasUniqueKey(ctx, rel) })
}

// checkWindow is the data check of a window of a statistics table (a
// unique key) whose aggregation has been run: the full check when the
// aggregation saw suspect rows, else only the rows dated after today,
// which no window's aggregation can see.
func checkWindow[T any](ctx context.Context, s *Source, rel, window string, suspect bool,
	check func(context.Context) (*store.StatCheck[T], error), after func(context.Context, time.Time, int) ([]store.Raw[T], error)) (*store.StatCheck[T], error) {
	if suspect {
		return shared(ctx, s, "check "+window, check)
	}
	future, err := shared(ctx, s, "after "+rel+" "+s.today.Format(time.DateOnly), func(ctx context.Context) ([]store.Raw[T], error) {
		return after(ctx, s.today, checkLimit)
	})
	if err != nil {
		return nil, err
	}
	return &store.StatCheck[T]{Future: future, Truncated: len(future) >= checkLimit, Unique: true}, nil
}

// statRelation says how the rows of a statistics relation found by its
// store check are reported.
type statRelation[T any] struct {
	unit func(T) string // the unit a row counts for
	// suspect tells what is wrong with a readable suspect row (nil: nothing
	// this check reports). Which rows count is the aggregation's matter:
	// CountsChecked and the Excluding sums leave out what is reported as
	// left out.
	suspect func(x store.Raw[T]) *problem
	// duplicate names a key recorded more than once: the data error's
	// ident, the key as a row and the message's detail.
	duplicate func(d store.Duplicate) (ident, text, detail string)
}

// statChecked reports what chk found in rel.
func statChecked[T any](s *Source, rel string, chk *store.StatCheck[T], sr statRelation[T]) {
	for _, x := range chk.Suspect {
		unit := sr.unit(x.Row)
		var p *problem
		if len(x.Bad) > 0 {
			null := unreadable(rel, x)
			if unit != "" {
				null.Ident = unit
			}
			p = &null
		} else if p = sr.suspect(x); p == nil {
			continue
		}
		p.Relation, p.Unit, p.Row = rel, unit, x.Text()
		s.report(*p)
	}
	for _, x := range chk.Future {
		unit := sr.unit(x.Row)
		s.report(problem{Relation: rel, Problem: finding.ProblemFutureDay, Ident: unit, Unit: unit, Action: finding.ActionLeftOut,
			Row: x.Text(), Detail: s.today.Format("02/01/2006")})
	}
	for _, d := range chk.Duplicates {
		action := finding.ActionCountedOnce
		if !d.Agree {
			action = finding.ActionLeftOut
		}
		ident, text, detail := sr.duplicate(d)
		s.report(problem{Relation: rel, Problem: finding.ProblemDuplicate, Ident: ident, Unit: d.Unit, Action: action, Row: text, Detail: detail})
	}
	s.truncated(rel, chk.Truncated)
}
