package contract

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/labels"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// Selections lists the usable selection decisions, one per area and
// category, ordered by year, unit, decision day and category (an area's
// first decision first): NULLs, unknown units and categories outside 1..4
// are left out. Each is attributed to the unit its commune belongs to on
// day on (see rules.FollowSelections): the selections of communes merged
// into one are one, in each category. A zero on gives them as recorded.
func (s *Source) Selections(ctx context.Context, on time.Time) ([]rules.Selection, error) {
	sel, err := checked(ctx, s, relation[rules.Selection]{
		name:  "selections",
		read:  s.st.RawSelections,
		units: true,
		unit:  func(v rules.Selection) string { return v.Unit },
		checks: []func(rules.Selection) *problem{
			func(v rules.Selection) *problem { return s.unknownUnit(v.Unit) },
			func(v rules.Selection) *problem {
				if v.Category.Valid() {
					return nil
				}
				return &problem{Problem: finding.ProblemBadValue, Ident: yearUnit(v.Year, v.Unit), Action: finding.ActionLeftOut,
					Detail: labels.DataCategory(v.Category)}
			},
		},
		key: func(v rules.Selection) string { return yearUnit(v.Year, v.Unit) + "/" + strconv.Itoa(int(v.Category)) },
		cmp: cmpSelections,
	})
	if err != nil || on.IsZero() {
		return sel, err
	}
	// The jobs of a round follow the decisions to the communes of the
	// same day (the relapse check's and the cycle's): once.
	followed, err := sharedChecked(ctx, s, "selections on "+on.Format(time.DateOnly), func(context.Context) ([]rules.Selection, error) {
		followed, unresolved := rules.FollowSelections(s.terr, on, sel)
		unfollowed(s, "selections", on, unresolved, sel, func(v rules.Selection) string { return v.Unit }, func(v rules.Selection) string {
			return fmt.Sprintf("year=%d, unit_code=%q, category=%d, decided_on=%s", v.Year, v.Unit, v.Category, v.DecidedOn.Format(time.DateOnly))
		})
		slices.SortFunc(followed, cmpSelections)
		return followed, nil
	})
	return slices.Clone(followed), err
}

// Assessments lists the usable verdicts, ordered by year and unit, each
// attributed to the unit its commune belongs to on day on (see
// rules.FollowAssessments): a verdict recorded on either the old or the
// new code closes the year's area. A transformed area whose commune cannot
// be followed to a unit of the day is reported: it cannot be watched.
func (s *Source) Assessments(ctx context.Context, on time.Time) ([]rules.Assessment, error) {
	as, err := checked(ctx, s, relation[rules.Assessment]{
		name:   "assessments",
		read:   s.st.RawAssessments,
		units:  true,
		unit:   func(v rules.Assessment) string { return v.Unit },
		checks: []func(rules.Assessment) *problem{func(v rules.Assessment) *problem { return s.unknownUnit(v.Unit) }},
		key:    func(v rules.Assessment) string { return yearUnit(v.Year, v.Unit) },
		cmp:    cmpAssessments,
	})
	if err != nil || on.IsZero() {
		return as, err
	}
	followed, err := sharedChecked(ctx, s, "assessments on "+on.Format(time.DateOnly), func(context.Context) ([]rules.Assessment, error) {
		return s.followAssessments(as, on), nil
	})
	return slices.Clone(followed), err
}

// followAssessments is Assessments' work on the verdicts checked.
func (s *Source) followAssessments(as []rules.Assessment, on time.Time) []rules.Assessment {
	followed, unresolved := rules.FollowAssessments(s.terr, on, as)
	text := func(v rules.Assessment) string {
		return fmt.Sprintf("year=%d, unit_code=%q, transformed=%t, assessed_on=%s", v.Year, v.Unit, v.Transformed, v.AssessedOn.Format(time.DateOnly))
	}
	var verdicts []rules.Assessment
	for _, a := range as {
		r, ok := unresolved[a.Unit]
		watched := s.set.WatchMonths <= 0 || !on.After(a.AssessedOn.AddDate(0, s.set.WatchMonths, 0))
		if !ok || !a.Transformed || !watched || a.AssessedOn.After(on) || r.Outcome == rules.OutcomeNotYet {
			verdicts = append(verdicts, a)
			continue
		}
		s.report(problem{Relation: "assessments", Problem: finding.ProblemNotWatched, Ident: yearUnit(a.Year, a.Unit), Unit: a.Unit,
			Action: finding.ActionKept, Row: text(a), Detail: labels.DataArea(a.Unit, a.Year, on)})
	}
	unfollowed(s, "assessments", on, unresolved, verdicts, func(v rules.Assessment) string { return v.Unit }, text)
	slices.SortFunc(followed, cmpAssessments)
	return followed
}

// cmpSelections orders selections by year, unit, decision day and
// category: an area's first decision first.
func cmpSelections(a, b rules.Selection) int {
	return cmp.Or(cmp.Compare(a.Year, b.Year), strings.Compare(a.Unit, b.Unit), a.DecidedOn.Compare(b.DecidedOn), cmp.Compare(a.Category, b.Category))
}

// cmpAssessments orders verdicts by year and unit.
func cmpAssessments(a, b rules.Assessment) int {
	return cmp.Or(cmp.Compare(a.Year, b.Year), strings.Compare(a.Unit, b.Unit))
}

// unfollowed reports the rows of rel (as recorded) whose commune is
// outside its validity on day on with no successor: they are kept under
// their own code, which is no unit of the day. A split is reported once,
// as such (see loadUnits); a code that begins after on is of a later day.
func unfollowed[T any](s *Source, rel string, on time.Time, unresolved map[string]rules.Resolution, rows []T, unitOf, text func(T) string) {
	if len(unresolved) == 0 {
		return
	}
	for _, x := range rows {
		// The row's text only for the rows reported: this runs over every
		// decision of every year.
		unit := unitOf(x)
		if r, ok := unresolved[unit]; ok && r.Outcome == rules.OutcomeGone {
			s.report(problem{Relation: rel, Problem: finding.ProblemNoSuccessor, Ident: unit, Unit: unit,
				Action: finding.ActionKept, Row: text(x), Detail: labels.DataCodeOn(unit, on)})
		}
	}
}

// Submissions lists the usable reports received, as Store.Submissions
// does: a report dated after now is left out (it has not arrived), a
// report recorded twice counts from its earliest arrival.
func (s *Source) Submissions(ctx context.Context) ([]rules.Submission, error) {
	loc := s.set.Location
	rows, err := checked(ctx, s, relation[store.SubmissionRow]{
		name:     "submissions",
		read:     s.st.RawSubmissions,
		asOfNow:  true,
		units:    true,
		unit:     func(v store.SubmissionRow) string { return v.Unit },
		district: func(v store.SubmissionRow) string { return v.District },
		checks: []func(store.SubmissionRow) *problem{
			func(v store.SubmissionRow) *problem {
				if !v.SubmittedAt.After(s.now) {
					return nil
				}
				return &problem{Problem: finding.ProblemFutureDay, Ident: v.District + "/" + v.Obligation + "/" + v.Period, District: v.District,
					Action: finding.ActionLeftOut, Detail: s.now.In(loc).Format("15:04 02/01/2006")}
			},
			func(v store.SubmissionRow) *problem {
				if !s.set.Grouped || len(s.districts) == 0 || v.District == "" || s.districts[v.District] {
					return nil
				}
				return &problem{Problem: finding.ProblemUnknownDistrict, Ident: v.District, Action: finding.ActionKept, Detail: v.District}
			},
			func(v store.SubmissionRow) *problem {
				// A report about a commune that has ended with no
				// successor cannot be matched to an obligation of today.
				if v.Unit == "" || !s.unitCodes[v.Unit] || s.terr.Resolve(v.Unit, s.day).Outcome != rules.OutcomeGone {
					return nil
				}
				return &problem{Problem: finding.ProblemNoSuccessor, Ident: v.Unit, Action: finding.ActionKept, Detail: labels.DataCodeOn(v.Unit, s.day)}
			},
		},
		key: func(v store.SubmissionRow) string {
			return strings.Join([]string{v.District, v.Obligation, v.Period, v.Unit}, "/")
		},
		pick: func(a, b store.SubmissionRow) bool { return a.SubmittedAt.Before(b.SubmittedAt) },
		cmp: func(a, b store.SubmissionRow) int {
			return cmp.Or(strings.Compare(a.District, b.District), strings.Compare(a.Obligation, b.Obligation),
				strings.Compare(a.Period, b.Period), strings.Compare(a.Unit, b.Unit))
		},
	})
	if err != nil {
		return nil, err
	}
	out := make([]rules.Submission, len(rows))
	for i, r := range rows {
		out[i] = rules.Submission{District: r.District, Obligation: r.Obligation, Period: r.Period, Unit: r.Unit,
			SubmittedOn: period.Day(r.SubmittedAt, loc)}
	}
	return out, nil
}

// Proposals lists the usable district proposals of a selection year,
// ordered by year, district and unit, each attributed to the unit its
// commune belongs to on day on. Unknown units (and communes that cannot be
// followed to the day) are not left out here: the proposal check reports
// them to the district committee.
func (s *Source) Proposals(ctx context.Context, year int, on time.Time) ([]rules.DistrictProposal, error) {
	cmpProposals := func(a, b rules.DistrictProposal) int {
		return cmp.Or(cmp.Compare(a.Year, b.Year), strings.Compare(a.District, b.District), strings.Compare(a.Unit, b.Unit))
	}
	ps, err := checked(ctx, s, relation[rules.DistrictProposal]{
		name: "proposals",
		read: func(ctx context.Context) ([]store.Raw[rules.DistrictProposal], error) {
			return s.st.RawProposals(ctx, year)
		},
		readKey:  fmt.Sprintf("proposals %d", year),
		unit:     func(v rules.DistrictProposal) string { return v.Unit },
		district: func(v rules.DistrictProposal) string { return v.District },
		key:      func(v rules.DistrictProposal) string { return fmt.Sprintf("%d/%s/%s", v.Year, v.District, v.Unit) },
		units:    true,
		pick:     func(a, b rules.DistrictProposal) bool { return a.ProposedOn.Before(b.ProposedOn) },
		cmp:      cmpProposals,
	})
	if err != nil {
		return nil, err
	}
	ps, _ = rules.FollowProposals(s.terr, on, ps)
	slices.SortFunc(ps, cmpProposals)
	return ps, nil
}

// relation says how the rows of a decision or report relation are read
// and checked: whom a row concerns, what makes it unusable, which rows are
// copies of one key and the order of the result.
type relation[T comparable] struct {
	name string
	read func(context.Context) ([]store.Raw[T], error)
	// readKey names read's rows in a round's Shared when they are not
	// the whole relation (default: name).
	readKey string
	// asOfNow is set when the checks depend on the run's now and day: a
	// round's jobs share the checked rows only when those agree.
	asOfNow bool
	// units is set when the checks look at units or districts: they are
	// read first.
	units bool
	unit  func(T) string // the unit a row concerns
	// district is the district a row concerns; nil: none (selections and
	// assessments are the province's).
	district func(T) string
	// checks are tried in order on a readable row; the first problem found
	// is reported, and the row is left out unless the problem's action is
	// finding.ActionKept. A check fills no Relation, Unit or Row.
	checks []func(T) *problem
	key    func(T) string // rows with one key are copies
	// pick, when set, tells which of copies that differ to keep (a before
	// b); when nil such copies are left out.
	pick func(a, b T) bool
	cmp  func(a, b T) int // the order of the result; keys are unique in it
}

// checked reads rel and returns the rows it accepts, one per key, in rel's
// order, and reports the others.
func checked[T comparable](ctx context.Context, s *Source, rel relation[T]) ([]T, error) {
	if rel.units {
		if err := s.loadUnits(ctx); err != nil {
			return nil, err
		}
	}
	key := rel.name
	if rel.readKey != "" {
		key = rel.readKey
	}
	checkKey := "checked " + key
	if rel.asOfNow {
		checkKey += " at " + s.now.Format(time.RFC3339Nano) + " for " + s.day.Format(time.DateOnly)
	}
	out, err := sharedChecked(ctx, s, checkKey, func(ctx context.Context) ([]T, error) {
		raw, err := shared(ctx, s, key, rel.read)
		if err != nil {
			return nil, err
		}
		return checkRows(s, rel, raw), nil
	})
	return slices.Clone(out), err
}

// checkRows is checked's work on the rows read.
func checkRows[T comparable](s *Source, rel relation[T], raw []store.Raw[T]) []T {
	ok := make([]store.Raw[T], 0, len(raw))
rows:
	for _, x := range raw {
		if len(x.Bad) > 0 {
			p := unreadable(rel.name, x)
			if p.Unit = rel.unit(x.Row); rel.district != nil {
				p.District = rel.district(x.Row)
			}
			s.report(p)
			continue
		}
		for _, check := range rel.checks {
			p := check(x.Row)
			if p == nil {
				continue
			}
			p.Relation, p.Unit, p.Row = rel.name, rel.unit(x.Row), x.Text()
			s.report(*p)
			if p.Action != finding.ActionKept {
				continue rows
			}
			break
		}
		ok = append(ok, x)
	}
	out := dedupe(s, ok, rel)
	slices.SortFunc(out, rel.cmp)
	return out
}

// dedupe keeps one row per key: identical copies count once, copies that
// differ keep the one rel.pick prefers (nil: none of them).
func dedupe[T comparable](s *Source, rows []store.Raw[T], rel relation[T]) []T {
	// Nearly every key has one row: its first row's index, and the rows
	// of a key given more than once apart.
	first := make(map[string]int, len(rows))
	keys := make([]string, 0, len(rows))
	var copies map[string][]store.Raw[T]
	for i, x := range rows {
		k := rel.key(x.Row)
		j, seen := first[k]
		if !seen {
			first[k] = i
			keys = append(keys, k)
			continue
		}
		if copies == nil {
			copies = map[string][]store.Raw[T]{}
		}
		if copies[k] == nil {
			copies[k] = []store.Raw[T]{rows[j]}
		}
		copies[k] = append(copies[k], x)
	}
	out := make([]T, 0, len(keys))
	for _, k := range keys {
		xs := copies[k]
		if xs == nil {
			out = append(out, rows[first[k]].Row)
			continue
		}
		same := true
		best := xs[0].Row
		for _, x := range xs[1:] {
			same = same && x.Row == xs[0].Row
			if rel.pick != nil && rel.pick(x.Row, best) {
				best = x.Row
			}
		}
		action := finding.ActionCountedOnce
		switch {
		case same:
		case rel.pick != nil:
			action = finding.ActionKept
		default:
			action = finding.ActionLeftOut
		}
		for _, x := range xs {
			s.report(problem{Relation: rel.name, Problem: finding.ProblemDuplicate, Ident: k, Unit: rel.unit(x.Row), Action: action,
				Row: x.Text(), Detail: labels.DataCopies(k, len(xs))})
		}
		if same || rel.pick != nil {
			out = append(out, best)
		}
	}
	return out
}

// unknownUnit is the problem of a row about a unit code that is in no
// units row (nil when it is in one): the row is left out.
func (s *Source) unknownUnit(code string) *problem {
	if s.unitCodes[code] {
		return nil
	}
	return &problem{Problem: finding.ProblemUnknownUnit, Ident: code, Action: finding.ActionLeftOut, Detail: code}
}

// yearUnit keys a selection or a verdict.
func yearUnit(year int, unit string) string { return strconv.Itoa(year) + "/" + unit }

// RelapseStates reads the worker's relapse states (store.RelapseStates)
// keyed by the unit each area's commune belongs to on day on: the watch of
// an area transformed before a merger continues under its successor. When
// states of several communes fall on one area (they merged, and each was
// transformed in that year), the latest check's state stands, and the area
// has relapsed if any of them had, first on the earliest such day (unknown,
// and so counted on any day, when one of them does not say).
func (s *Source) RelapseStates(ctx context.Context, on time.Time) (map[rules.AreaKey]store.RelapseState, error) {
	if err := s.loadUnits(ctx); err != nil {
		return nil, err
	}
	states, err := s.st.RelapseStates(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[rules.AreaKey]store.RelapseState, len(states))
	// In key order, so that the result does not depend on the map's.
	for _, k := range slices.SortedFunc(maps.Keys(states), func(a, b rules.AreaKey) int {
		return cmp.Or(strings.Compare(a.Unit, b.Unit), cmp.Compare(a.Year, b.Year))
	}) {
		st := states[k]
		if r := s.terr.Resolve(k.Unit, on); r.Found() {
			k.Unit, st.Unit = r.Code, r.Code
		}
		prev, ok := out[k]
		if !ok {
			out[k] = st
			continue
		}
		merged := st
		if prev.CheckedOn.After(st.CheckedOn) {
			merged = prev
		}
		merged.EverRelapsed = prev.EverRelapsed || st.EverRelapsed
		merged.FirstRelapsedOn = firstRelapse(prev, st)
		out[k] = merged
	}
	return out, nil
}

// firstRelapse is the earliest day either state was first found relapsed;
// zero when neither was, or when one of them relapsed on a day not
// recorded.
func firstRelapse(a, b store.RelapseState) time.Time {
	switch {
	case !a.EverRelapsed:
		return b.FirstRelapsedOn
	case !b.EverRelapsed:
		return a.FirstRelapsedOn
	case a.FirstRelapsedOn.IsZero() || b.FirstRelapsedOn.IsZero():
		return time.Time{}
	case b.FirstRelapsedOn.Before(a.FirstRelapsedOn):
		return b.FirstRelapsedOn
	}
	return a.FirstRelapsedOn
}
