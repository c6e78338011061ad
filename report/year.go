package report

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"maps"
	"slices"
	"time"

	"chuyenhoa/chart"
	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/labels"
	"chuyenhoa/names"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// ErrNoData is wrapped by a builder's error when the database holds
// nothing the document could report: a report of nothing would read as a
// province where nothing happened.
var ErrNoData = errors.New("no data to report")

// Year is the year report the provincial committee files, in the state
// format: an A4 page (HTML, printed to PDF) and its tables (CSV, XLSX).
// Until every verdict of the year is recorded its figures are provisional
// and its title says so.
type Year struct {
	Frame    Frame
	Province string
	// Final is set when every area of the year's work has its verdict on
	// the report's day: the report is the year's review (tổng kết).
	Final bool
	// Grouped is set when the year's areas were worked on through
	// districts (on the report's day): the tables then name districts and
	// quote their averages; else communes' bodies and the province's
	// average alone.
	Grouped    bool
	Bodies     labels.Bodies
	Year       int
	On         time.Time
	Targets    [2]int // transformed %, stable %
	Cycle      *jobs.CycleReport
	Areas      []Area
	Categories []CategoryCount
	// Several counts the year's selected areas of more than one category,
	// which Categories counts in each.
	Several    int
	Proposals  []Proposal
	Failing    int // proposals not acceptable
	Duties     []Duty
	Relapses   []Relapse
	Years      []rules.PlanYear // as decided, from the first year with a selection
	Chart      template.HTML
	Indicators []string // column headings
	// DistrictAverages are the averages per commune of the districts the
	// year's proposal was computed among, by district code (none once
	// districts are abolished).
	DistrictAverages []DistrictAverage
	// Plan is the basis line of the plan that holds the year ("" none).
	Plan string
	// Decision is the committee's recorded selection of the year checked
	// against the plan's rules (Cycle.Decision), named for the page.
	Decision *DecisionCheck
}

// DecisionCheck is a recorded selection decision measured by the plan's
// rules, with names: each decision document, the cap, and the areas that
// depart from the gate or the new-rural exclusion.
type DecisionCheck struct {
	rules.DecisionCheck
	Records    []string
	CapText    string
	Departures []DecidedArea
}

// DecidedArea is an area of the decision that departs from a rule.
type DecidedArea struct {
	rules.DecidedArea
	Name, District, Text string
}

// DistrictAverage is one district's average per commune in the proposal.
type DistrictAverage struct {
	Name string
	Avg  float64
}

// Area is an area of the year of work with its indicators written out.
type Area struct {
	finding.CycleItem
	Name, District string
	Values         []Value
	Result         string
	AtRisk         bool
}

// Value is one indicator of an area as the page shows it.
type Value struct {
	Text string
	Bad  bool
}

// CategoryCount counts the year's selected areas of one category; an
// area of several categories counts in each.
type CategoryCount struct {
	Label string
	N     int
}

// Proposal is a committee's proposal with the check of the gate; By names
// the district that proposed it (without one, the commune proposed itself).
type Proposal struct {
	rules.ProposalCheck
	Name, District string
	Note           string
	OK             bool
}

// Duty is a committee's obligation to propose; Committee names it (a
// district by its name, a commune by its body's).
type Duty struct {
	rules.ProposalDeadline
	Committee string
	State     string
	Late      bool
}

// Relapse is a transformed area that became complex again at some time.
type Relapse struct {
	Unit, Name, District string
	Year                 int
	Categories           []rules.Category
	TransformedOn        time.Time
	Now                  string
	Since                time.Time
}

// BuildYear gathers the report of the year of work year from the store,
// with the data known on day: a report for a past day is the one that
// could have been written then.
func BuildYear(ctx context.Context, s *store.Store, cfg *config.Config, year int, day time.Time) (*Year, error) {
	r := &jobs.Runner{Store: s, Config: cfg}
	cyc, err := r.CycleOf(ctx, jobs.CycleQuery{On: day, Year: year, ProposalYear: year})
	if err != nil {
		return nil, fmt.Errorf("report %d: %w", year, err)
	}
	dir, err := names.Load(ctx, s, cfg.Bodies, cfg.Grouped())
	if err != nil {
		return nil, err
	}
	if cyc.Proposal.TotalUnits == 0 {
		return nil, fmt.Errorf("report %d: the database holds no commune valid on %s: %w", year, labels.Date(cyc.Among), ErrNoData)
	}
	if len(cyc.Areas) == 0 && len(cyc.Proposals) == 0 && !cyc.HasDecision {
		return nil, fmt.Errorf("report %d: no area was selected or carried over into %d and no committee proposed one by %s: %w",
			year, year, labels.Date(day), ErrNoData)
	}
	b := dir.Bodies()
	rep := &Year{
		Province: cfg.Province.Name, Year: year, On: day, Cycle: cyc, Bodies: b, Grouped: cyc.Grouped,
		Targets: [2]int{cfg.Targets.TransformedPercent, cfg.Targets.StablePercent},
		Final:   cyc.Cycle.AllAssessed(),
	}
	rep.Frame = reportFrame(cfg.Documents, "", day, labels.YearSummary(year, rep.Final, day))
	if p, ok := cfg.PlanFor(year); ok {
		rep.Plan = labels.PlanBasis(p.Number, p.Issued(), p.Issuer, p.Name)
	}

	for _, code := range slices.Sorted(maps.Keys(cyc.Proposal.Baseline.Districts)) {
		rep.DistrictAverages = append(rep.DistrictAverages, DistrictAverage{Name: dir.District(code), Avg: cyc.Proposal.Baseline.Districts[code].Avg})
	}

	cats := map[rules.Category]int{}
	for _, it := range cyc.Areas {
		ra := Area{CycleItem: it, Name: unitOf(dir, it.Unit).Name, District: dir.District(it.District), AtRisk: it.State == finding.CycleAtRisk}
		if !it.CarriedOver {
			for _, k := range it.Categories {
				cats[k]++
			}
			if len(it.Categories) > 1 {
				rep.Several++
			}
		}
		for _, in := range it.Indicators.Indicators {
			v := Value{Text: "—"}
			if it.HasWindow && it.Indicators.HasData {
				v = Value{Text: labels.IndicatorValue(in), Bad: !in.Met}
			}
			ra.Values = append(ra.Values, v)
		}
		ra.Result = labels.YearResult(it)
		rep.Areas = append(rep.Areas, ra)
	}
	if len(cyc.Areas) > 0 {
		for _, in := range cyc.Areas[0].Indicators.Indicators {
			rep.Indicators = append(rep.Indicators, fmt.Sprintf("%s (%s)", labels.IndicatorShort(in.Code), labels.IndicatorThreshold(in)))
		}
	}
	for _, k := range rules.Categories {
		if cats[k] > 0 {
			rep.Categories = append(rep.Categories, CategoryCount{labels.Category(k), cats[k]})
		}
	}
	for _, c := range cyc.Proposals {
		rp := Proposal{ProposalCheck: c, Name: unitOf(dir, c.Proposal.Unit).Name, District: dir.District(c.Proposal.District),
			Note: b.ProposalNote(c, cyc.Proposal, cfg.Selection.CapPercent), OK: c.Acceptable()}
		if !rp.OK {
			rep.Failing++
		}
		rep.Proposals = append(rep.Proposals, rp)
	}
	for _, d := range cyc.ProposalDeadlines {
		rep.Duties = append(rep.Duties, Duty{ProposalDeadline: d, Committee: dir.Owner(d.Committee), State: b.Deadline(d.State),
			Late: d.State != rules.DeadlineSubmitted && d.State != rules.DeadlinePending && d.State != rules.DeadlineUpcoming})
	}
	if cyc.HasDecision {
		rep.Decision = namedDecision(dir, cyc.Decision)
	}

	// The decisions and relapse watch as the cycle read them: attributed to
	// the communes of day, with only the relapses found by then.
	sel, as, states, relapsed := cyc.Selections, cyc.Assessments, cyc.States, cyc.Relapsed
	for _, a := range rules.TransformedAreas(sel, as) {
		st, ok := states[a.Key()]
		if !ok || !relapsed[a.Key()] || a.Year > year || a.TransformedOn.After(day) {
			continue
		}
		rep.Relapses = append(rep.Relapses, Relapse{Unit: a.Unit, Name: unitOf(dir, a.Unit).Name, District: dir.District(unitOf(dir, a.Unit).District),
			Year: a.Year, Categories: a.Categories, TransformedOn: a.TransformedOn, Now: relapseNow(st.Relapsed), Since: st.Since})
	}
	// The years as they were decided (the 2023 list among the communes of
	// 2023), as the period summary counts them.
	dec, err := loadDecided(ctx, r, day)
	if err != nil {
		return nil, fmt.Errorf("report %d: %w", year, err)
	}
	rep.Years = dec.period(cfg.CycleParams(), dec.firstYear(year), year, day).Years
	var ps []rules.Progress
	for _, y := range rep.Years {
		ps = append(ps, progress(y.YearCycle))
	}
	rep.Chart = chart.Targets(ps, rep.Targets[0], rep.Targets[1])
	return rep, nil
}

// namedDecision names the checked decision's documents and departures.
func namedDecision(dir *names.Directory, d rules.DecisionCheck) *DecisionCheck {
	out := &DecisionCheck{DecisionCheck: d, CapText: labels.DecisionCap(d)}
	for _, r := range d.Decisions {
		out.Records = append(out.Records, labels.DecisionRecord(r))
	}
	for _, x := range d.Departures {
		u := unitOf(dir, x.Unit)
		out.Departures = append(out.Departures, DecidedArea{DecidedArea: x, Name: u.Name, District: dir.District(x.Candidate.Unit.District),
			Text: dir.Bodies().Departure(x)})
	}
	return out
}

// base is the name every file of the report starts with.
func (rep *Year) base() string { return fmt.Sprintf("bao-cao-chuyen-hoa-%d", rep.Year) }

// Files renders the page and the tables.
func (rep *Year) Files() ([]File, error) {
	return documentFiles(rep.base(), "year.html.tmpl", rep, rep.Tables())
}

// Tables are the report's tables: areas, proposals, targets over the
// years, relapses, the proposal obligations and the decision's departures.
func (rep *Year) Tables() []Table {
	yes := labels.YesNo
	g := rep.Grouped
	areas := [][]any{cells(labels.YearAreaHeadings(g))}
	for _, a := range rep.Areas {
		c := a.Indicators.Counts
		verdict := ""
		if a.HasVerdict {
			verdict = labels.Verdict(a.Transformed)
		}
		met := ""
		if a.HasWindow && a.Indicators.HasData {
			met = yes(a.Indicators.Met)
		}
		areas = append(areas, labels.WithDistrict[any](g, 3, a.Year, a.Unit, a.Name, a.District, labels.Categories(a.Categories), labels.Origin(a.CycleArea),
			a.Origin, a.DecidedOn, c.Crimes, c.Detected, c.SeriousCrimes, c.SeriousDetected, c.ReportsReceived, c.ReportsHandled, c.Released,
			c.Reoffended, met, a.Result, verdict, a.AssessedOn))
	}
	props := [][]any{cells(labels.YearProposalHeadings(g))}
	for _, p := range rep.Proposals {
		c := p.Candidate
		if !g {
			props = append(props, []any{p.Proposal.Year, p.Proposal.Unit, p.Name, p.Proposal.ProposedOn,
				c.Counts.SocialOrder, Dec{c.ProvinceAvg, 2}, yes(c.AboveProvince), yes(p.OK), yes(p.Selected), p.Note})
			continue
		}
		props = append(props, []any{p.Proposal.Year, p.District, p.Proposal.Unit, p.Name, p.Proposal.ProposedOn,
			c.Counts.SocialOrder, Dec{c.ProvinceAvg, 2}, Dec{c.DistrictAvg, 2},
			yes(c.AboveProvince), yes(c.AboveDistrict), yes(p.OK), yes(p.Selected), p.Note})
	}
	years := [][]any{cells(labels.YearTargetHeadings(rep.Targets[0], rep.Targets[1]))}
	for _, y := range rep.Years {
		s := y.Selected
		var rate, stable, m1, m2 any
		if s.Assessed > 0 {
			rate, m1 = Dec{y.TransformedRate, 1}, yes(y.TransformedMet)
		}
		if y.HasTransformed {
			stable, m2 = Dec{y.StableRate, 1}, yes(y.StableMet)
		}
		years = append(years, []any{y.Year, s.Areas, s.Assessed, s.Transformed, rate, m1, y.Carried.Areas, y.Carried.Transformed, s.Relapsed, stable, m2})
	}
	rel := [][]any{cells(labels.YearRelapseHeadings(g))}
	for _, r := range rep.Relapses {
		rel = append(rel, labels.WithDistrict[any](g, 2, r.Unit, r.Name, r.District, r.Year, labels.Categories(r.Categories), r.TransformedOn, r.Now, r.Since))
	}
	duties := [][]any{cells(labels.YearDutyHeadings(g))}
	for _, d := range rep.Duties {
		duties = append(duties, []any{d.Committee, d.Proposed, d.Required, d.Due, d.SubmittedOn, d.State, d.DaysLate})
	}
	dec := [][]any{cells(labels.DecisionHeadings(g))}
	if d := rep.Decision; d != nil {
		for _, x := range d.Departures {
			c := x.Candidate
			var avg, davg any
			if x.Rule != rules.DepartsUnknown {
				avg = Dec{c.ProvinceAvg, 2}
				if c.HasDistrict {
					davg = Dec{c.DistrictAvg, 2}
				}
			}
			row := []any{d.Year, x.Unit, x.Name, x.District, labels.Categories(x.Categories), c.Counts.SocialOrder, avg, davg, x.Text}
			if !g {
				row = slices.Delete(row, 7, 8)
			}
			dec = append(dec, labels.WithDistrict(g, 3, row...))
		}
	}
	return []Table{
		{"dia-ban", "Địa bàn", areas}, {"de-xuat", "Đề xuất", props}, {"chi-tieu", "Chỉ tiêu qua các năm", years},
		{"phuc-tap-tro-lai", "Phức tạp trở lại", rel}, {"nghia-vu-de-xuat", "Nghĩa vụ đề xuất", duties}, {"quyet-dinh", "Quyết định lựa chọn", dec},
	}
}

// cells makes a row of headings.
func cells(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// unitOf is the unit of code as the directory knows it; an unknown code
// has no name.
func unitOf(dir *names.Directory, code string) rules.Unit {
	u, _ := dir.Unit(code)
	return u
}

// relapseNow says how a transformed area that relapsed at some time stands
// now.
func relapseNow(relapsed bool) string {
	if relapsed {
		return labels.RelapsedAgain
	}
	return labels.NormalAgain
}
