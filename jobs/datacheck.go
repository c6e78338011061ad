package jobs

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// checkLimit bounds the rows one check of a statistics relation reads: a
// view that is wrong as a whole (every row has an unknown offence) is
// reported as such without reading it all into memory.
const checkLimit = 5000

// source reads the data contract for one run and checks it. A province
// maps its own tables onto the data contract with views, which carry none
// of our constraints; one bad row must neither crash the run nor silently
// skew its numbers. Each recompute job reads the contract through a
// source, which checks what it reads, leaves out the rows it cannot use
// (or counts identical copies once), proceeds with the rest and records
// every problem as a data_error finding of the run (finding.DataError),
// with the row as read and what was done with it.
type source struct {
	r     *Runner
	today time.Time // rows dated after it are in the future
	now   time.Time // submissions after it have not arrived

	errs map[string]*dataErr // by finding key
	seen map[string]bool     // rows already counted in a data error

	units      []store.Raw[store.UnitRow]
	unitCodes  map[string]bool
	unitsRead  bool
	districts  map[string]bool // codes of the districts relation
	offences   map[string]bool // usable offence codes
	offTrouble bool            // offence_types has rows that would skew Counts
	offRead    bool
}

type dataErr struct {
	finding.DataError
	district, unit string
}

// newSource checks reads for a run for day. A row is "in the future" when
// it is dated after both today and day: a run for a later day (a test, a
// planning run) does not call the days up to it impossible.
func newSource(r *Runner, day time.Time) *source {
	loc := r.Config.Location()
	now, today := r.clock()(), period.Day(r.clock()(), loc)
	if day.After(today) {
		today = day
		if end := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc); end.After(now) {
			now = end
		}
	}
	return &source{r: r, now: now, today: today, errs: map[string]*dataErr{}, seen: map[string]bool{}}
}

// report records one row (text as read) under the data error key
// relation/problem/ident.
func (s *source) report(rel string, problem finding.State, ident, district, unit string, action finding.Action, text, detail string) {
	key := rel + "/" + string(problem) + "/" + ident
	e, ok := s.errs[key]
	if !ok {
		e = &dataErr{DataError: finding.DataError{Relation: rel, Problem: problem, Example: text, Action: action,
			Message: dataMessage(rel, problem, detail, action)}, district: district, unit: unit}
		s.errs[key] = e
	}
	if row := key + "\x00" + text; !s.seen[row] {
		s.seen[row] = true
		e.Rows++
	}
}

// findings returns the data errors as findings, ordered by key.
func (s *source) findings() ([]store.Finding, error) {
	keys := make([]string, 0, len(s.errs))
	for k := range s.errs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]store.Finding, 0, len(keys))
	for _, k := range keys {
		e := s.errs[k]
		f, err := newFinding(k, e.district, e.unit, e.Problem, e.DataError)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// rowIdent names a row whose key cannot be read: its text, bounded.
func rowIdent(text string) string {
	if len(text) > 120 {
		text = text[:120]
	}
	return text
}

func (s *source) loadUnits(ctx context.Context) error {
	if s.unitsRead {
		return nil
	}
	raw, err := s.r.Store.RawUnits(ctx)
	if err != nil {
		return err
	}
	ds, err := s.r.Store.RawDistricts(ctx)
	if err != nil {
		return err
	}
	s.unitCodes, s.districts = map[string]bool{}, map[string]bool{}
	for _, d := range ds {
		if len(d.Bad) > 0 {
			s.report("districts", finding.ProblemNull, rowIdent(d.Text), "", "", finding.ActionLeftOut, d.Text, strings.Join(d.Bad, ", "))
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
			s.report("units", finding.ProblemNull, rowIdent(u.Text), u.Row.District, u.Row.Code, finding.ActionLeftOut, u.Text, strings.Join(u.Bad, ", "))
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
func (s *source) Units(ctx context.Context, on time.Time) ([]rules.Unit, error) {
	if err := s.loadUnits(ctx); err != nil {
		return nil, err
	}
	byCode := map[string][]store.Raw[store.UnitRow]{}
	var codes []string
	for _, u := range s.units {
		r := u.Row
		if (!r.ValidFrom.IsZero() && r.ValidFrom.After(on)) || (!r.ValidTo.IsZero() && r.ValidTo.Before(on)) {
			continue
		}
		if _, ok := byCode[r.Code]; !ok {
			codes = append(codes, r.Code)
		}
		byCode[r.Code] = append(byCode[r.Code], u)
	}
	sort.Strings(codes)
	grouped := s.r.Config.Grouped()
	used := map[string]bool{}
	out := make([]rules.Unit, 0, len(codes))
	for _, code := range codes {
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
			switch {
			case len(ds) > 1:
				list := sortedSet(ds)
				for _, u := range rows {
					s.report("units", finding.ProblemTwoDistricts, code, "", code, finding.ActionLeftOut, u.Text, fmt.Sprintf("%s: %s", code, strings.Join(list, ", ")))
				}
				continue
			case same:
				for _, u := range rows {
					s.report("units", finding.ProblemDuplicate, code, rows[0].Row.District, code, finding.ActionCountedOnce, u.Text, fmt.Sprintf("%s (%d lần)", code, len(rows)))
				}
			default:
				for _, u := range rows {
					s.report("units", finding.ProblemDuplicate, code, rows[0].Row.District, code, finding.ActionLeftOut, u.Text, fmt.Sprintf("%s (%d lần, khác nhau)", code, len(rows)))
				}
				continue
			}
		}
		u := rows[0]
		if grouped && len(s.districts) > 0 && u.Row.District != "" && !s.districts[u.Row.District] {
			s.report("units", finding.ProblemUnknownDistrict, u.Row.District, u.Row.District, "", finding.ActionKept, u.Text, u.Row.District)
		}
		out = append(out, u.Row.Unit)
	}
	if grouped {
		for _, d := range sortedSet(s.districts) {
			if !used[d] {
				s.report("districts", finding.ProblemEmptyDistrict, d, d, "", finding.ActionKept, d, fmt.Sprintf("%s (%s)", d, on.Format("02/01/2006")))
			}
		}
	}
	return out, nil
}

// AllUnits lists every usable units row whatever its validity.
func (s *source) AllUnits(ctx context.Context) ([]store.UnitRow, error) {
	if err := s.loadUnits(ctx); err != nil {
		return nil, err
	}
	out := make([]store.UnitRow, len(s.units))
	for i, u := range s.units {
		out[i] = u.Row
	}
	return out, nil
}

func (s *source) loadOffences(ctx context.Context) error {
	if s.offRead {
		return nil
	}
	raw, err := s.r.Store.RawOffences(ctx)
	if err != nil {
		return err
	}
	s.offences = map[string]bool{}
	byCode := map[string][]store.Raw[store.Offence]{}
	for _, o := range raw {
		switch {
		case len(o.Bad) > 0:
			s.report("offence_types", finding.ProblemNull, rowIdent(o.Text), "", "", finding.ActionLeftOut, o.Text, strings.Join(o.Bad, ", "))
			s.offTrouble = true
		case !o.Row.Category.Valid():
			s.report("offence_types", finding.ProblemBadValue, o.Row.Code, "", "", finding.ActionLeftOut, o.Text, fmt.Sprintf("category %d, phải từ 1 đến 4", o.Row.Category))
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
				s.report("offence_types", finding.ProblemDuplicate, code, "", "", action, o.Text, fmt.Sprintf("%s (%d lần)", code, len(rows)))
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

// Counts is Store.Counts over the rows the check accepts. When
// crime_stats is a table and the window holds nothing to leave out it is
// Store.Counts itself; otherwise Store.CountsExcluding. Statistics of unknown units or offence types are
// reported; they count nowhere either way.
func (s *source) Counts(ctx context.Context, r period.Range) (map[string]rules.Counts, error) {
	if err := s.loadUnits(ctx); err != nil {
		return nil, err
	}
	if err := s.loadOffences(ctx); err != nil {
		return nil, err
	}
	chk, err := s.r.Store.CheckCrimeStats(ctx, r, s.today, checkLimit)
	if err != nil {
		return nil, err
	}
	// A relation without a unique key (a province's view) can hold a key
	// twice: only the deduplicating aggregation is right for it.
	exclude := s.offTrouble || !chk.Unique
	const rel = "crime_stats"
	for _, x := range chk.Suspect {
		st := x.Row
		switch {
		case len(x.Bad) > 0:
			ident := st.Unit
			if ident == "" {
				ident = rowIdent(x.Text)
			}
			s.report(rel, finding.ProblemNull, ident, "", st.Unit, finding.ActionLeftOut, x.Text, strings.Join(x.Bad, ", "))
			exclude = true
		case st.Count < 0:
			s.report(rel, finding.ProblemNegative, st.Unit+"/"+st.Offence, "", st.Unit, finding.ActionLeftOut, x.Text, x.Text)
			exclude = true
		case !s.offences[st.Offence]:
			s.report(rel, finding.ProblemUnknownOffence, st.Offence, "", st.Unit, finding.ActionLeftOut, x.Text, st.Offence)
		}
	}
	for _, x := range chk.Future {
		s.report(rel, finding.ProblemFutureDay, x.Row.Unit, "", x.Row.Unit, finding.ActionLeftOut, x.Text, s.today.Format("02/01/2006"))
	}
	for _, d := range chk.Duplicates {
		exclude = true
		action := finding.ActionCountedOnce
		if !d.Agree {
			action = finding.ActionLeftOut
		}
		text := fmt.Sprintf("unit_code=%q, day=%s, offence_code=%q × %d", d.Unit, d.Day.Format(time.DateOnly), d.Offence, d.Copies)
		s.report(rel, finding.ProblemDuplicate, d.Unit+"/"+d.Offence, "", d.Unit, action, text, fmt.Sprintf("(unit_code, day, offence_code) %s", text))
	}
	s.truncated(rel, chk.Truncated)
	count := s.r.Store.Counts
	if exclude {
		count = s.r.Store.CountsExcluding
	}
	counts, err := count(ctx, r)
	if err != nil {
		return nil, err
	}
	// Statistics of a unit that exists nowhere show in the totals; the
	// rules only look at the units they are given, so they count nowhere.
	var unknown []string
	for code := range counts {
		if !s.unitCodes[code] {
			unknown = append(unknown, code)
		}
	}
	sort.Strings(unknown)
	for _, code := range unknown {
		c := counts[code]
		total := 0
		for _, n := range c.ByCategory {
			total += n
		}
		text := fmt.Sprintf("unit_code=%q: %d vụ trong kỳ %s–%s", code, total, r.From.Format("02/01/2006"), r.To.Format("02/01/2006"))
		s.report(rel, finding.ProblemUnknownUnit, code, "", code, finding.ActionLeftOut, text, code)
	}
	return counts, nil
}

// CaseCounts is Store.CaseCounts over the rows the check accepts, as
// Counts is for crime_stats.
func (s *source) CaseCounts(ctx context.Context, r period.Range) (map[string]rules.CaseCounts, error) {
	if err := s.loadUnits(ctx); err != nil {
		return nil, err
	}
	chk, err := s.r.Store.CheckCaseStats(ctx, r, s.today, checkLimit)
	if err != nil {
		return nil, err
	}
	exclude := !chk.Unique
	const rel = "case_stats"
	for _, x := range chk.Suspect {
		c := x.Row
		switch {
		case len(x.Bad) > 0:
			ident := c.Unit
			if ident == "" {
				ident = rowIdent(x.Text)
			}
			s.report(rel, finding.ProblemNull, ident, "", c.Unit, finding.ActionLeftOut, x.Text, strings.Join(x.Bad, ", "))
			exclude = true
		case min(c.Crimes, c.Detected, c.SeriousCrimes, c.SeriousDetected, c.ReportsReceived, c.ReportsHandled, c.Released, c.Reoffended) < 0:
			s.report(rel, finding.ProblemNegative, c.Unit, "", c.Unit, finding.ActionLeftOut, x.Text, x.Text)
			exclude = true
		case c.SeriousCrimes > c.Crimes || c.SeriousDetected > c.Detected:
			s.report(rel, finding.ProblemBadValue, c.Unit, "", c.Unit, finding.ActionLeftOut, x.Text, "serious_crimes ≤ crimes, serious_detected ≤ detected")
			exclude = true
		case !s.unitCodes[c.Unit]:
			s.report(rel, finding.ProblemUnknownUnit, c.Unit, "", c.Unit, finding.ActionLeftOut, x.Text, c.Unit)
		}
	}
	for _, x := range chk.Future {
		s.report(rel, finding.ProblemFutureDay, x.Row.Unit, "", x.Row.Unit, finding.ActionLeftOut, x.Text, s.today.Format("02/01/2006"))
	}
	for _, d := range chk.Duplicates {
		exclude = true
		action := finding.ActionCountedOnce
		if !d.Agree {
			action = finding.ActionLeftOut
		}
		text := fmt.Sprintf("unit_code=%q, day=%s × %d", d.Unit, d.Day.Format(time.DateOnly), d.Copies)
		s.report(rel, finding.ProblemDuplicate, d.Unit, "", d.Unit, action, text, fmt.Sprintf("(unit_code, day) %s", text))
	}
	s.truncated(rel, chk.Truncated)
	if exclude {
		return s.r.Store.CaseCountsExcluding(ctx, r)
	}
	return s.r.Store.CaseCounts(ctx, r)
}

// truncated marks every data error of rel as counted up to the limit.
func (s *source) truncated(rel string, t bool) {
	if !t {
		return
	}
	for _, e := range s.errs {
		if e.Relation == rel {
			e.Truncated = true
		}
	}
}

// dedupe keeps one row per key: identical copies count once, copies that
// differ keep the one pick prefers (nil: none of them).
func dedupe[T comparable](s *source, rel string, rows []store.Raw[T], key func(T) string, unit func(T) string,
	pick func(a, b T) bool) []T {
	byKey := map[string][]store.Raw[T]{}
	var keys []string
	for _, x := range rows {
		k := key(x.Row)
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
			if pick != nil && pick(x.Row, best) {
				best = x.Row
			}
		}
		action := finding.ActionCountedOnce
		switch {
		case same:
		case pick != nil:
			action = finding.ActionKept
		default:
			action = finding.ActionLeftOut
		}
		for _, x := range xs {
			s.report(rel, finding.ProblemDuplicate, k, "", unit(x.Row), action, x.Text, fmt.Sprintf("%s (%d lần)", k, len(xs)))
		}
		if same || pick != nil {
			out = append(out, best)
		}
	}
	return out
}

// Selections lists the usable selection decisions, ordered by year and
// unit: NULLs, unknown units and categories outside 1..4 are left out.
func (s *source) Selections(ctx context.Context) ([]rules.Selection, error) {
	if err := s.loadUnits(ctx); err != nil {
		return nil, err
	}
	raw, err := s.r.Store.RawSelections(ctx)
	if err != nil {
		return nil, err
	}
	const rel = "selections"
	var ok []store.Raw[rules.Selection]
	for _, x := range raw {
		switch {
		case len(x.Bad) > 0:
			s.report(rel, finding.ProblemNull, rowIdent(x.Text), "", x.Row.Unit, finding.ActionLeftOut, x.Text, strings.Join(x.Bad, ", "))
		case !s.unitCodes[x.Row.Unit]:
			s.report(rel, finding.ProblemUnknownUnit, x.Row.Unit, "", x.Row.Unit, finding.ActionLeftOut, x.Text, x.Row.Unit)
		case !x.Row.Category.Valid():
			s.report(rel, finding.ProblemBadValue, fmt.Sprintf("%d/%s", x.Row.Year, x.Row.Unit), "", x.Row.Unit, finding.ActionLeftOut, x.Text,
				fmt.Sprintf("category %d, phải từ 1 đến 4", x.Row.Category))
		default:
			ok = append(ok, x)
		}
	}
	out := dedupe(s, rel, ok, func(v rules.Selection) string { return fmt.Sprintf("%d/%s", v.Year, v.Unit) },
		func(v rules.Selection) string { return v.Unit }, nil)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Year != out[j].Year {
			return out[i].Year < out[j].Year
		}
		return out[i].Unit < out[j].Unit
	})
	return out, nil
}

// Assessments lists the usable verdicts, ordered by year and unit.
func (s *source) Assessments(ctx context.Context) ([]rules.Assessment, error) {
	if err := s.loadUnits(ctx); err != nil {
		return nil, err
	}
	raw, err := s.r.Store.RawAssessments(ctx)
	if err != nil {
		return nil, err
	}
	const rel = "assessments"
	var ok []store.Raw[rules.Assessment]
	for _, x := range raw {
		switch {
		case len(x.Bad) > 0:
			s.report(rel, finding.ProblemNull, rowIdent(x.Text), "", x.Row.Unit, finding.ActionLeftOut, x.Text, strings.Join(x.Bad, ", "))
		case !s.unitCodes[x.Row.Unit]:
			s.report(rel, finding.ProblemUnknownUnit, x.Row.Unit, "", x.Row.Unit, finding.ActionLeftOut, x.Text, x.Row.Unit)
		default:
			ok = append(ok, x)
		}
	}
	out := dedupe(s, rel, ok, func(v rules.Assessment) string { return fmt.Sprintf("%d/%s", v.Year, v.Unit) },
		func(v rules.Assessment) string { return v.Unit }, nil)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Year != out[j].Year {
			return out[i].Year < out[j].Year
		}
		return out[i].Unit < out[j].Unit
	})
	return out, nil
}

// Submissions lists the usable reports received, as Store.Submissions
// does: a report dated after now is left out (it has not arrived), a
// report recorded twice counts from its earliest arrival.
func (s *source) Submissions(ctx context.Context, loc *time.Location) ([]rules.Submission, error) {
	if err := s.loadUnits(ctx); err != nil {
		return nil, err
	}
	raw, err := s.r.Store.RawSubmissions(ctx)
	if err != nil {
		return nil, err
	}
	const rel = "submissions"
	var ok []store.Raw[store.SubmissionRow]
	for _, x := range raw {
		r := x.Row
		switch {
		case len(x.Bad) > 0:
			s.report(rel, finding.ProblemNull, rowIdent(x.Text), r.District, r.Unit, finding.ActionLeftOut, x.Text, strings.Join(x.Bad, ", "))
			continue
		case r.SubmittedAt.After(s.now):
			s.report(rel, finding.ProblemFutureDay, r.District+"/"+r.Obligation+"/"+r.Period, r.District, r.Unit, finding.ActionLeftOut, x.Text,
				s.now.In(loc).Format("15:04 02/01/2006"))
			continue
		case s.r.Config.Grouped() && len(s.districts) > 0 && r.District != "" && !s.districts[r.District]:
			s.report(rel, finding.ProblemUnknownDistrict, r.District, "", r.Unit, finding.ActionKept, x.Text, r.District)
		}
		ok = append(ok, x)
	}
	rows := dedupe(s, rel, ok, func(v store.SubmissionRow) string {
		return strings.Join([]string{v.District, v.Obligation, v.Period, v.Unit}, "/")
	}, func(v store.SubmissionRow) string { return v.Unit }, func(a, b store.SubmissionRow) bool { return a.SubmittedAt.Before(b.SubmittedAt) })
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.District != b.District {
			return a.District < b.District
		}
		if a.Obligation != b.Obligation {
			return a.Obligation < b.Obligation
		}
		if a.Period != b.Period {
			return a.Period < b.Period
		}
		return a.Unit < b.Unit
	})
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
func (s *source) Proposals(ctx context.Context, year int) ([]rules.DistrictProposal, error) {
	raw, err := s.r.Store.RawProposals(ctx, year)
	if err != nil {
		return nil, err
	}
	const rel = "proposals"
	var ok []store.Raw[rules.DistrictProposal]
	for _, x := range raw {
		if len(x.Bad) > 0 {
			s.report(rel, finding.ProblemNull, rowIdent(x.Text), x.Row.District, x.Row.Unit, finding.ActionLeftOut, x.Text, strings.Join(x.Bad, ", "))
			continue
		}
		ok = append(ok, x)
	}
	out := dedupe(s, rel, ok, func(v rules.DistrictProposal) string { return fmt.Sprintf("%d/%s/%s", v.Year, v.District, v.Unit) },
		func(v rules.DistrictProposal) string { return v.Unit },
		func(a, b rules.DistrictProposal) bool { return a.ProposedOn.Before(b.ProposedOn) })
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Year != b.Year {
			return a.Year < b.Year
		}
		if a.District != b.District {
			return a.District < b.District
		}
		return a.Unit < b.Unit
	})
	return out, nil
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// dataMessage says in Vietnamese what is wrong and what the run did.
func dataMessage(rel string, problem finding.State, detail string, action finding.Action) string {
	var what string
	switch problem {
	case finding.ProblemNull:
		what = fmt.Sprintf("Dòng của %s thiếu giá trị hoặc sai kiểu ở cột: %s.", rel, detail)
	case finding.ProblemNegative:
		what = fmt.Sprintf("Số liệu âm trong %s: %s.", rel, detail)
	case finding.ProblemBadValue:
		what = fmt.Sprintf("Giá trị ngoài phạm vi trong %s (%s).", rel, detail)
	case finding.ProblemUnknownUnit:
		what = fmt.Sprintf("Mã xã %q trong %s không có trong danh mục xã (units).", detail, rel)
	case finding.ProblemUnknownOffence:
		what = fmt.Sprintf("Mã loại tội phạm %q trong %s không có trong danh mục offence_types.", detail, rel)
	case finding.ProblemUnknownDistrict:
		what = fmt.Sprintf("Mã huyện %q trong %s không có trong danh mục huyện (districts).", detail, rel)
	case finding.ProblemFutureDay:
		what = fmt.Sprintf("Dòng của %s ghi ngày sau hôm nay (%s).", rel, detail)
	case finding.ProblemDuplicate:
		what = fmt.Sprintf("Khóa trùng trong %s: %s.", rel, detail)
	case finding.ProblemTwoDistricts:
		what = fmt.Sprintf("Xã được ghi thuộc nhiều huyện cùng lúc trong %s: %s.", rel, detail)
	case finding.ProblemEmptyDistrict:
		what = fmt.Sprintf("Huyện %s không có xã nào còn hiệu lực.", detail)
	default:
		what = fmt.Sprintf("Dữ liệu %s không dùng được: %s.", rel, detail)
	}
	switch action {
	case finding.ActionLeftOut:
		return what + " Dòng này không được dùng trong lần tính; hãy sửa dữ liệu nguồn."
	case finding.ActionCountedOnce:
		return what + " Các bản giống nhau chỉ được tính một lần; hãy xóa bản trùng ở dữ liệu nguồn."
	default:
		return what + " Dữ liệu vẫn được dùng; hãy kiểm tra lại dữ liệu nguồn."
	}
}
