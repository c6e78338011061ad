package contract

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/labels"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// loadUnits reads units and districts once per run, leaving out the rows
// that cannot be read.
func (s *Source) loadUnits(ctx context.Context) error {
	if s.unitsRead {
		return nil
	}
	raw, err := s.st.RawUnits(ctx)
	if err != nil {
		return err
	}
	ds, err := s.st.RawDistricts(ctx)
	if err != nil {
		return err
	}
	s.unitCodes, s.districts = map[string]bool{}, map[string]bool{}
	for _, d := range ds {
		if len(d.Bad) > 0 {
			s.report(unreadable("districts", d))
			continue
		}
		s.districts[d.Row.Code] = true
	}
	for _, u := range raw {
		if u.Row.Code != "" {
			// Known, if not usable: its statistics are not "unknown".
			s.unitCodes[u.Row.Code] = true
		}
		if len(u.Bad) > 0 {
			p := unreadable("units", u)
			p.District, p.Unit = u.Row.District, u.Row.Code
			s.report(p)
			continue
		}
		s.units = append(s.units, u)
	}
	s.unitsRead = true
	return nil
}

// Units lists the communes valid on day on, ordered by code, as
// Store.Units does, checked: a code listed twice on the day under two
// districts is left out (which district's committee is responsible?),
// identical copies count once, and in grouped mode a unit's unknown
// district and a district without communes are reported.
func (s *Source) Units(ctx context.Context, on time.Time) ([]rules.Unit, error) {
	if err := s.loadUnits(ctx); err != nil {
		return nil, err
	}
	byCode := map[string][]store.Raw[store.UnitRow]{}
	for _, u := range s.units {
		r := u.Row
		if (!r.ValidFrom.IsZero() && r.ValidFrom.After(on)) || (!r.ValidTo.IsZero() && r.ValidTo.Before(on)) {
			continue
		}
		byCode[r.Code] = append(byCode[r.Code], u)
	}
	const rel = "units"
	used := map[string]bool{}
	out := make([]rules.Unit, 0, len(byCode))
	for _, code := range slices.Sorted(maps.Keys(byCode)) {
		rows := byCode[code]
		for _, u := range rows {
			used[u.Row.District] = true
		}
		if len(rows) > 1 {
			ds := map[string]bool{}
			same := true
			for _, u := range rows {
				ds[u.Row.District] = true
				same = same && u.Row == rows[0].Row
			}
			p := problem{Relation: rel, Problem: finding.ProblemDuplicate, Ident: code, District: rows[0].Row.District, Unit: code}
			switch {
			case len(ds) > 1:
				p.Problem, p.District, p.Action = finding.ProblemTwoDistricts, "", finding.ActionLeftOut
				p.Detail = fmt.Sprintf("%s: %s", code, strings.Join(slices.Sorted(maps.Keys(ds)), ", "))
			case same:
				p.Action, p.Detail = finding.ActionCountedOnce, labels.DataCopies(code, len(rows))
			default:
				p.Action, p.Detail = finding.ActionLeftOut, labels.DataCopiesDiffer(code, len(rows))
			}
			for _, u := range rows {
				p.Row = u.Text
				s.report(p)
			}
			if p.Action == finding.ActionLeftOut {
				continue
			}
		}
		u := rows[0]
		if s.set.Grouped && len(s.districts) > 0 && u.Row.District != "" && !s.districts[u.Row.District] {
			s.report(problem{Relation: rel, Problem: finding.ProblemUnknownDistrict, Ident: u.Row.District, District: u.Row.District,
				Action: finding.ActionKept, Row: u.Text, Detail: u.Row.District})
		}
		out = append(out, u.Row.Unit)
	}
	if s.set.Grouped {
		for _, d := range slices.Sorted(maps.Keys(s.districts)) {
			if !used[d] {
				s.report(problem{Relation: "districts", Problem: finding.ProblemEmptyDistrict, Ident: d, District: d,
					Action: finding.ActionKept, Row: d, Detail: fmt.Sprintf("%s (%s)", d, on.Format("02/01/2006"))})
			}
		}
	}
	return out, nil
}

// AllUnits lists every usable units row whatever its validity.
func (s *Source) AllUnits(ctx context.Context) ([]store.UnitRow, error) {
	if err := s.loadUnits(ctx); err != nil {
		return nil, err
	}
	out := make([]store.UnitRow, len(s.units))
	for i, u := range s.units {
		out[i] = u.Row
	}
	return out, nil
}

// loadOffences reads offence_types once per run. An offence code is
// usable when its rows can be read, its category is one of the four and
// its copies (if any) agree on what they count; any other row would skew
// the plain aggregation of crime_stats.
func (s *Source) loadOffences(ctx context.Context) error {
	if s.offRead {
		return nil
	}
	raw, err := s.st.RawOffences(ctx)
	if err != nil {
		return err
	}
	const rel = "offence_types"
	s.offences = map[string]bool{}
	byCode := map[string][]store.Raw[store.Offence]{}
	for _, o := range raw {
		switch {
		case len(o.Bad) > 0:
			s.report(unreadable(rel, o))
			s.offTrouble = true
		case !o.Row.Category.Valid():
			s.report(problem{Relation: rel, Problem: finding.ProblemBadValue, Ident: o.Row.Code, Action: finding.ActionLeftOut,
				Row: o.Text, Detail: labels.DataCategory(o.Row.Category)})
			s.offTrouble = true
		default:
			byCode[o.Row.Code] = append(byCode[o.Row.Code], o)
		}
	}
	for code, rows := range byCode {
		if len(rows) > 1 {
			s.offTrouble = true
			agree := true
			for _, o := range rows {
				agree = agree && o.Row.Category == rows[0].Row.Category && o.Row.SocialOrder == rows[0].Row.SocialOrder
			}
			action := finding.ActionCountedOnce
			if !agree {
				action = finding.ActionLeftOut
			}
			for _, o := range rows {
				s.report(problem{Relation: rel, Problem: finding.ProblemDuplicate, Ident: code, Action: action,
					Row: o.Text, Detail: labels.DataCopies(code, len(rows))})
			}
			if !agree {
				continue
			}
		}
		s.offences[code] = true
	}
	s.offRead = true
	return nil
}
