package contract

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"chuyenhoa/finding"
	"chuyenhoa/labels"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// Selections lists the usable selection decisions, one per area and
// category, ordered by year, unit, decision day and category (an area's
// first decision first): NULLs, unknown units and categories outside 1..4
// are left out.
func (s *Source) Selections(ctx context.Context) ([]rules.Selection, error) {
	return checked(ctx, s, relation[rules.Selection]{
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
		key: func(v rules.Selection) string { return fmt.Sprintf("%s/%d", yearUnit(v.Year, v.Unit), v.Category) },
		cmp: func(a, b rules.Selection) int {
			return cmp.Or(cmp.Compare(a.Year, b.Year), strings.Compare(a.Unit, b.Unit), a.DecidedOn.Compare(b.DecidedOn), cmp.Compare(a.Category, b.Category))
		},
	})
}

// Assessments lists the usable verdicts, ordered by year and unit.
func (s *Source) Assessments(ctx context.Context) ([]rules.Assessment, error) {
	return checked(ctx, s, relation[rules.Assessment]{
		name:   "assessments",
		read:   s.st.RawAssessments,
		units:  true,
		unit:   func(v rules.Assessment) string { return v.Unit },
		checks: []func(rules.Assessment) *problem{func(v rules.Assessment) *problem { return s.unknownUnit(v.Unit) }},
		key:    func(v rules.Assessment) string { return yearUnit(v.Year, v.Unit) },
		cmp: func(a, b rules.Assessment) int {
			return cmp.Or(cmp.Compare(a.Year, b.Year), strings.Compare(a.Unit, b.Unit))
		},
	})
}

// Submissions lists the usable reports received, as Store.Submissions
// does: a report dated after now is left out (it has not arrived), a
// report recorded twice counts from its earliest arrival.
func (s *Source) Submissions(ctx context.Context) ([]rules.Submission, error) {
	loc := s.set.Location
	rows, err := checked(ctx, s, relation[store.SubmissionRow]{
		name:     "submissions",
		read:     s.st.RawSubmissions,
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
// ordered by year, district and unit. Unknown units are not left out
// here: the proposal check reports them to the district committee.
func (s *Source) Proposals(ctx context.Context, year int) ([]rules.DistrictProposal, error) {
	return checked(ctx, s, relation[rules.DistrictProposal]{
		name: "proposals",
		read: func(ctx context.Context) ([]store.Raw[rules.DistrictProposal], error) {
			return s.st.RawProposals(ctx, year)
		},
		unit:     func(v rules.DistrictProposal) string { return v.Unit },
		district: func(v rules.DistrictProposal) string { return v.District },
		key:      func(v rules.DistrictProposal) string { return fmt.Sprintf("%d/%s/%s", v.Year, v.District, v.Unit) },
		pick:     func(a, b rules.DistrictProposal) bool { return a.ProposedOn.Before(b.ProposedOn) },
		cmp: func(a, b rules.DistrictProposal) int {
			return cmp.Or(cmp.Compare(a.Year, b.Year), strings.Compare(a.District, b.District), strings.Compare(a.Unit, b.Unit))
		},
	})
}

// relation says how the rows of a decision or report relation are read
// and checked: whom a row concerns, what makes it unusable, which rows are
// copies of one key and the order of the result.
type relation[T comparable] struct {
	name string
	read func(context.Context) ([]store.Raw[T], error)
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
	raw, err := rel.read(ctx)
	if err != nil {
		return nil, err
	}
	var ok []store.Raw[T]
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
			p.Relation, p.Unit, p.Row = rel.name, rel.unit(x.Row), x.Text
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
	return out, nil
}

// dedupe keeps one row per key: identical copies count once, copies that
// differ keep the one rel.pick prefers (nil: none of them).
func dedupe[T comparable](s *Source, rows []store.Raw[T], rel relation[T]) []T {
	byKey := map[string][]store.Raw[T]{}
	var keys []string
	for _, x := range rows {
		k := rel.key(x.Row)
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], x)
	}
	out := make([]T, 0, len(keys))
	for _, k := range keys {
		xs := byKey[k]
		if len(xs) == 1 {
			out = append(out, xs[0].Row)
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
				Row: x.Text, Detail: labels.DataCopies(k, len(xs))})
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
func yearUnit(year int, unit string) string { return fmt.Sprintf("%d/%s", year, unit) }
