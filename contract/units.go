package contract

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/labels"
	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/valid"
)

// readUnits reads units, districts and unit_successions, leaving out the
// rows that cannot be read, and builds the territory from the rest (once
// per run or round: see loadUnits).
func (s *Source) readUnits(ctx context.Context) error {
	raw, err := shared(ctx, s, "units", s.st.RawUnits)
	if err != nil {
		return err
	}
	ds, err := shared(ctx, s, "districts", s.st.RawDistricts)
	if err != nil {
		return err
	}
	succ, err := shared(ctx, s, successionRelation, s.st.RawSuccessions)
	if err != nil {
		return err
	}
	s.unitCodes, s.districts = make(map[string]bool, len(raw)), map[string]bool{}
	var districts []rules.District
	for _, d := range ds {
		if len(d.Bad) > 0 {
			s.report(unreadable("districts", d))
			continue
		}
		var ok bool
		if d.Row.Name, ok = s.checkText("districts", d.Text, d.Row.Name, d.Row.Code); !ok {
			continue
		}
		s.districts[d.Row.Code] = true
		districts = append(districts, d.Row)
	}
	dated := make([]rules.DatedUnit, 0, len(raw))
	s.units = make([]store.Raw[store.UnitRow], 0, len(raw))
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
		var ok bool
		if u.Row.Name, ok = s.checkText("units", u.Text, u.Row.Name, u.Row.Code, u.Row.District); !ok {
			continue
		}
		s.units = append(s.units, u)
		dated = append(dated, u.Row)
	}
	s.terr = rules.NewTerritory(dated, districts, s.successions(succ), s.set.DatedGrouping)
	for _, sp := range s.terr.Splits() {
		for _, x := range sp.Successors {
			s.report(problem{Relation: successionRelation, Problem: finding.ProblemSplit, Ident: sp.Predecessor, Unit: sp.Predecessor,
				Action: finding.ActionLeftOut, Row: successionText(x), Detail: labels.DataSplit(sp)})
		}
	}
	s.unitsRead = true
	return nil
}

// checkText checks the codes and name of a units or districts row (text
// is the row as read; codes are its own code and, for a unit, its
// district's) against valid, the importer's rules: a bad code leaves the
// row out (ok false), as the configuration, links and alert keys cannot
// name it; a bad name is kept cleaned (valid.Clean), so that no subject
// line or page can carry a line break, a control character or a name of
// megabytes. Each is a data error naming the row.
func (s *Source) checkText(rel string, text func() string, name string, codes ...string) (clean string, ok bool) {
	for i, c := range codes {
		if i > 0 && c == "" {
			continue // no district
		}
		if err := valid.Code(c); err != nil {
			s.report(problem{Relation: rel, Problem: finding.ProblemBadCode, Ident: rowIdent(strconv.QuoteToASCII(c)), Action: finding.ActionLeftOut,
				Row: text(), Detail: labels.DataText(c, err)})
			return name, false
		}
	}
	if err := valid.Name(name); err != nil {
		p := problem{Relation: rel, Problem: finding.ProblemBadName, Ident: codes[0], Action: finding.ActionKept, Row: text(), Detail: labels.DataText(codes[0], err)}
		if rel == "units" {
			p.Unit, p.District = codes[0], codes[1]
		} else {
			p.District = codes[0]
		}
		s.report(p)
		return valid.Clean(name), true
	}
	return name, true
}

const successionRelation = "unit_successions"

// successions checks the unit_successions rows: a row that cannot be read,
// names a code in no units row or a unit succeeding itself is left out.
func (s *Source) successions(raw []store.Raw[rules.Succession]) []rules.Succession {
	var out []rules.Succession
	for _, x := range raw {
		v := x.Row
		var p *problem
		switch {
		case len(x.Bad) > 0:
			q := unreadable(successionRelation, x)
			p = &q
		case !s.unitCodes[v.Predecessor]:
			p = s.unknownUnit(v.Predecessor)
		case !s.unitCodes[v.Successor]:
			p = s.unknownUnit(v.Successor)
		case v.Predecessor == v.Successor:
			p = &problem{Problem: finding.ProblemBadValue, Ident: v.Predecessor, Action: finding.ActionLeftOut,
				Detail: v.Predecessor + " → " + v.Successor}
		}
		if p != nil {
			p.Relation, p.Unit, p.Row = successionRelation, v.Predecessor, x.Text()
			s.report(*p)
			continue
		}
		out = append(out, v)
	}
	return out
}

// successionText shows a succession as a row.
func successionText(x rules.Succession) string {
	return fmt.Sprintf("predecessor_code=%q, successor_code=%q, effective_on=%s", x.Predecessor, x.Successor, x.EffectiveOn.Format(time.DateOnly))
}

// Territory is the province's map over time, from the usable rows of
// units, districts and unit_successions: which unit a code's rows belong
// to on a day, and its district then.
func (s *Source) Territory(ctx context.Context) (*rules.Territory, error) {
	if err := s.loadUnits(ctx); err != nil {
		return nil, err
	}
	return s.terr, nil
}

// Units lists the communes valid on day on, ordered by code, as
// Store.Units does, checked: a code listed twice on the day under two
// districts is left out (which district's committee is responsible?),
// identical copies count once, and in grouped mode a unit's unknown
// district and a district without communes are reported. With dated
// grouping a unit keeps its district only while the district is valid,
// and only districts valid on the day need communes.
func (s *Source) Units(ctx context.Context, on time.Time) ([]rules.Unit, error) {
	if err := s.loadUnits(ctx); err != nil {
		return nil, err
	}
	return s.sharedUnitsOn(ctx, on)
}

// unitsOn is Units after loadUnits, reporting its problems with report.
func (s *Source) unitsOn(on time.Time, report func(problem)) []rules.Unit {
	// The rows valid on the day, by code (in their order within a code):
	// sorted indexes rather than a map of slices, as this runs for every
	// day a run looks at, over every commune.
	valid := make([]int, 0, len(s.units))
	for i, u := range s.units {
		if u.Row.ValidOn(on) {
			valid = append(valid, i)
		}
	}
	codeOf := func(i int) string { return s.units[i].Row.Code }
	slices.SortStableFunc(valid, func(a, b int) int { return strings.Compare(codeOf(a), codeOf(b)) })
	const rel = "units"
	used := map[string]bool{}
	out := make([]rules.Unit, 0, len(valid))
	var rows []store.Raw[store.UnitRow]
	for start, end := 0, 0; start < len(valid); start = end {
		code := codeOf(valid[start])
		for end = start + 1; end < len(valid) && codeOf(valid[end]) == code; end++ {
		}
		rows = rows[:0]
		for _, i := range valid[start:end] {
			rows = append(rows, s.units[i])
		}
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
				p.Row = u.Text()
				report(p)
			}
			if p.Action == finding.ActionLeftOut {
				continue
			}
		}
		u := rows[0]
		if s.set.Grouped && len(s.districts) > 0 && u.Row.District != "" && !s.districts[u.Row.District] {
			report(problem{Relation: rel, Problem: finding.ProblemUnknownDistrict, Ident: u.Row.District, District: u.Row.District,
				Action: finding.ActionKept, Row: u.Text(), Detail: u.Row.District})
		}
		unit := u.Row.Unit
		if unit.District != "" && !s.terr.DistrictInForce(unit.District, on) {
			unit.District = ""
		}
		out = append(out, unit)
	}
	if s.set.Grouped {
		for _, d := range slices.Sorted(maps.Keys(s.districts)) {
			if !used[d] && s.terr.DistrictInForce(d, on) {
				report(problem{Relation: "districts", Problem: finding.ProblemEmptyDistrict, Ident: d, District: d,
					Action: finding.ActionKept, Row: d, Detail: fmt.Sprintf("%s (%s)", d, on.Format("02/01/2006"))})
			}
		}
	}
	return out
}

// UnitAt is the data check's answer to which unit a code's rows belong
// to on a day (rules.UnitAt): the territory resolves the code, and the
// unit is as Units lists it that day (none when Units leaves it out). The
// problems of other days than the run's are not reported again. The
// function is for one goroutine: each job asks for its own.
func (s *Source) UnitAt(ctx context.Context) (rules.UnitAt, error) {
	if err := s.loadUnits(ctx); err != nil {
		return nil, err
	}
	// The callers ask about every commune on one day, then on another:
	// the day's units are looked up (under the round's lock) once a day.
	var (
		last    time.Time
		lastMap map[string]rules.Unit
	)
	return func(code string, day time.Time) (rules.Unit, bool) {
		if lastMap == nil || day != last {
			last, lastMap = day, s.unitsByCode(day)
		}
		// Nearly every code asked about is a unit of the day, which is its
		// own (Resolve finds it valid then): one lookup.
		if u, ok := lastMap[code]; ok {
			return u, true
		}
		r := s.terr.Resolve(code, day)
		if !r.Found() {
			return rules.Unit{}, false
		}
		u, ok := lastMap[r.Code]
		return u, ok
	}, nil
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
	raw, err := shared(ctx, s, "offence_types", s.st.RawOffences)
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
				Row: o.Text(), Detail: labels.DataCategory(o.Row.Category)})
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
					Row: o.Text(), Detail: labels.DataCopies(code, len(rows))})
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
