package report

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/labels"
	"chuyenhoa/names"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// Year is the year-end report the provincial committee reviews, with
// names resolved: a printable HTML page (A4) and CSV tables.
type Year struct {
	Province string
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
	Years      []rules.YearCycle
	Indicators []string // column headings
	// DistrictAverages are the averages per commune of the districts the
	// year's proposal was computed among, by district code (none once
	// districts are abolished).
	DistrictAverages []DistrictAverage
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
// with the data known on day.
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
	b := dir.Bodies()
	rep := &Year{
		Province: cfg.Province.Name, Year: year, On: day, Cycle: cyc, Bodies: b, Grouped: cyc.Grouped,
		Targets: [2]int{cfg.Targets.TransformedPercent, cfg.Targets.StablePercent},
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
	first := year
	for _, x := range sel {
		first = min(first, x.Year)
	}
	for y := first; y <= year; y++ {
		rep.Years = append(rep.Years, rules.YearCycleOf(cfg.CycleParams(), y, day, sel, as, relapsed))
	}
	return rep, nil
}

// base is the name every file of the report starts with.
func (rep *Year) base() string { return fmt.Sprintf("bao-cao-chuyen-hoa-%d", rep.Year) }

// Files renders the page and the tables.
func (rep *Year) Files() ([]File, error) {
	page, err := htmlFile(rep.base(), "year.html.tmpl", rep)
	if err != nil {
		return nil, err
	}
	files := []File{page}
	for _, t := range rep.Tables() {
		f, err := csvFile(rep.base(), t)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// Tables are the report's tables: areas, proposals, targets over the
// years, relapses.
func (rep *Year) Tables() []Table {
	yes := labels.YesNo
	g := rep.Grouped
	areas := [][]string{labels.YearAreaHeadings(g)}
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
		areas = append(areas, labels.WithDistrict(g, 3, strconv.Itoa(a.Year), a.Unit, a.Name, a.District, labels.Categories(a.Categories), labels.Origin(a.CycleArea),
			strconv.Itoa(a.Origin), isoDate(a.DecidedOn), strconv.Itoa(c.Crimes), strconv.Itoa(c.Detected), strconv.Itoa(c.SeriousCrimes),
			strconv.Itoa(c.SeriousDetected), strconv.Itoa(c.ReportsReceived), strconv.Itoa(c.ReportsHandled), strconv.Itoa(c.Released),
			strconv.Itoa(c.Reoffended), met, a.Result, verdict, isoDate(a.AssessedOn)))
	}
	props := [][]string{labels.YearProposalHeadings(g)}
	for _, p := range rep.Proposals {
		c := p.Candidate
		if !g {
			props = append(props, []string{strconv.Itoa(p.Proposal.Year), p.Proposal.Unit, p.Name, isoDate(p.Proposal.ProposedOn),
				strconv.Itoa(c.Counts.SocialOrder), fmt.Sprintf("%.2f", c.ProvinceAvg), yes(c.AboveProvince), yes(p.OK), yes(p.Selected), p.Note})
			continue
		}
		props = append(props, []string{strconv.Itoa(p.Proposal.Year), p.District, p.Proposal.Unit, p.Name, isoDate(p.Proposal.ProposedOn),
			strconv.Itoa(c.Counts.SocialOrder), fmt.Sprintf("%.2f", c.ProvinceAvg), fmt.Sprintf("%.2f", c.DistrictAvg),
			yes(c.AboveProvince), yes(c.AboveDistrict), yes(p.OK), yes(p.Selected), p.Note})
	}
	years := [][]string{labels.YearTargetHeadings(rep.Targets[0], rep.Targets[1])}
	for _, y := range rep.Years {
		s := y.Selected
		rate, stable, m1, m2 := "", "", "", ""
		if s.Assessed > 0 {
			rate, m1 = fmt.Sprintf("%.1f", y.TransformedRate), yes(y.TransformedMet)
		}
		if y.HasTransformed {
			stable, m2 = fmt.Sprintf("%.1f", y.StableRate), yes(y.StableMet)
		}
		years = append(years, []string{strconv.Itoa(y.Year), strconv.Itoa(s.Areas), strconv.Itoa(s.Assessed), strconv.Itoa(s.Transformed), rate, m1,
			strconv.Itoa(y.Carried.Areas), strconv.Itoa(y.Carried.Transformed), strconv.Itoa(s.Relapsed), stable, m2})
	}
	rel := [][]string{labels.YearRelapseHeadings(g)}
	for _, r := range rep.Relapses {
		rel = append(rel, labels.WithDistrict(g, 2, r.Unit, r.Name, r.District, strconv.Itoa(r.Year), labels.Categories(r.Categories), isoDate(r.TransformedOn), r.Now, isoDate(r.Since)))
	}
	return []Table{{"dia-ban", areas}, {"de-xuat", props}, {"chi-tieu", years}, {"phuc-tap-tro-lai", rel}}
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
