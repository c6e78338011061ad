package report

import (
	"context"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"chuyenhoa/chart"
	"chuyenhoa/config"
	"chuyenhoa/jobs"
	"chuyenhoa/labels"
	"chuyenhoa/names"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// Period is the summary of a plan period (báo cáo tổng kết giai đoạn), or
// of part of it (sơ kết): each year as it was decided, the sums and the
// targets over the period, and every commune selected in it with where it
// ended, named as it was selected and as the commune it is part of now.
type Period struct {
	Frame     Frame
	Plan      config.Plan
	PlanBasis string
	// Whole is set when the summary covers the whole plan period; Final
	// when every year of it has all its verdicts on the day.
	Whole, Final bool
	From, To     int
	On           time.Time
	Targets      [2]int
	Bodies       labels.Bodies
	Sum          rules.Period
	Categories   string // the period's selections by category
	Several      int    // area-years of several categories
	Years        []PeriodYear
	// The communes selected in the period, by where they ended.
	Stable, Relapsed, NotTransformed, Pending []PeriodArea
	Chart                                     template.HTML
	// Merged is set when some commune is part of another one now: the
	// lists then name both.
	Merged bool
	// Districts is set when some commune had a district when selected.
	Districts bool
}

// PeriodYear is a year of the period with its categories written out.
type PeriodYear struct {
	rules.PlanYear
	Categories string // "Loại 1: 3; Loại 4: 1"
}

// PeriodArea is a commune selected in the period, named.
type PeriodArea struct {
	rules.PeriodArea
	Name, District string
	// Now and NowName name the commune it is part of on the day, when it
	// is another one.
	Now, NowName string
	Years        string // the years it was selected, "2023, 2025"
	Latest       string // how its latest year ended
	// Relapsed: whether it is complex again now or back to normal.
	RelapseNow string
}

// BuildPeriod gathers the summary of the years from..to of the plan that
// holds them, with the data known on day.
func BuildPeriod(ctx context.Context, s *store.Store, cfg *config.Config, from, to int, day time.Time) (*Period, error) {
	plan, err := cfg.PlanOf(from, to)
	if err != nil {
		return nil, err
	}
	r := &jobs.Runner{Store: s, Config: cfg}
	dec, err := loadDecided(ctx, r, day)
	if err != nil {
		return nil, fmt.Errorf("report %d–%d: %w", from, to, err)
	}
	dir, err := names.Load(ctx, s, cfg.Bodies, cfg.Grouped())
	if err != nil {
		return nil, err
	}
	t := cfg.PlanTargets(plan)
	sum := dec.period(rules.CycleParams{WatchMonths: cfg.Relapse.WatchMonths, Targets: t}, from, to, day)
	if len(sum.Areas) == 0 {
		return nil, fmt.Errorf("report %d–%d: no area was selected in these years by %s: %w", from, to, labels.Date(day), ErrNoData)
	}
	p := &Period{
		Plan: plan, PlanBasis: labels.PlanBasis(plan.Number, plan.Issued(), plan.Issuer, plan.Name),
		Whole: from == plan.From && to == plan.To, Final: true, From: from, To: to, On: day,
		Targets: [2]int{t.TransformedPercent, t.StablePercent}, Bodies: dir.Bodies(), Sum: sum, Categories: categoryCounts(sum.ByCategory),
	}
	var ps []rules.Progress
	for _, y := range sum.Years {
		p.Final = p.Final && y.AllAssessed()
		p.Years = append(p.Years, PeriodYear{PlanYear: y, Categories: categoryCounts(y.ByCategory)})
		p.Several += y.Several
		ps = append(ps, progress(y.YearCycle))
	}
	p.Chart = chart.Targets(ps, t.TransformedPercent, t.StablePercent)
	p.Frame = reportFrame(cfg.Documents, "", day, labels.PeriodSummary(from, to, p.Whole, p.Final, day))

	for _, a := range sum.Areas {
		u := unitOf(dir, a.Unit)
		pa := PeriodArea{PeriodArea: a, Name: u.Name}
		if u.District != "" {
			pa.District = dir.District(u.District)
			p.Districts = true
		}
		if now := dec.now(a.Unit); now != "" && now != a.Unit {
			pa.Now, pa.NowName = now, unitOf(dir, now).Name
			p.Merged = true
		}
		var years []string
		for _, st := range a.Steps {
			if !st.CarriedOver {
				years = append(years, strconv.Itoa(st.Year))
			}
		}
		pa.Years = strings.Join(years, ", ")
		last := a.Steps[len(a.Steps)-1]
		pa.Latest = labels.PeriodLatest(last.Year, last.CarriedOver, last.HasVerdict, last.Transformed)
		switch a.Outcome {
		case rules.PeriodStable:
			p.Stable = append(p.Stable, pa)
		case rules.PeriodRelapsed:
			now := pa.Now
			if now == "" {
				now = a.Unit
			}
			if st, ok := dec.states[rules.AreaKey{Unit: now, Year: a.TransformedYear}]; ok {
				pa.RelapseNow = relapseNow(st.Relapsed)
			}
			p.Relapsed = append(p.Relapsed, pa)
		case rules.PeriodNotTransformed:
			p.NotTransformed = append(p.NotTransformed, pa)
		default:
			p.Pending = append(p.Pending, pa)
		}
	}
	return p, nil
}

// categoryCounts writes a year's selections by category, "Loại 1: 3;
// Loại 4: 1", "—" for none.
func categoryCounts(n [5]int) string {
	var parts []string
	for _, k := range rules.Categories {
		if n[k] > 0 {
			parts = append(parts, fmt.Sprintf("Loại %d: %d", k, n[k]))
		}
	}
	if len(parts) == 0 {
		return labels.None
	}
	return strings.Join(parts, "; ")
}

// Communes counts the communes selected in the period.
func (p *Period) Communes() int {
	return len(p.Stable) + len(p.Relapsed) + len(p.NotTransformed) + len(p.Pending)
}

func (p *Period) base() string { return fmt.Sprintf("bao-cao-giai-doan-%d-%d", p.From, p.To) }

// Files renders the page and the tables.
func (p *Period) Files() ([]File, error) {
	return documentFiles(p.base(), "period.html.tmpl", p, p.Tables())
}

// Tables are the summary's tables: the years (with the period's sums as
// the last row) and the communes.
func (p *Period) Tables() []Table {
	yes := labels.YesNo
	rate := func(has bool, v float64, met bool) (any, any) {
		if !has {
			return nil, nil
		}
		return Dec{v, 1}, yes(met)
	}
	years := [][]any{cells(labels.PeriodYearHeadings(p.Targets[0], p.Targets[1]))}
	row := func(label any, sel, car rules.CycleCount, cat [5]int, several int, tr float64, tm bool, sr float64, sm bool) []any {
		r1, m1 := rate(sel.Assessed > 0, tr, tm)
		r2, m2 := rate(sel.Transformed > 0, sr, sm)
		return []any{label, sel.Areas, cat[1], cat[2], cat[3], cat[4], several, sel.Assessed, sel.Transformed, r1, m1,
			car.Areas, car.Transformed, sel.Relapsed, r2, m2}
	}
	for _, y := range p.Years {
		years = append(years, row(y.Year, y.Selected, y.Carried, y.ByCategory, y.Several, y.TransformedRate, y.TransformedMet, y.StableRate, y.StableMet))
	}
	s := p.Sum
	years = append(years, row(labels.PeriodTotal, s.Selected, s.Carried, s.ByCategory, p.Several, s.TransformedRate, s.TransformedMet, s.StableRate, s.StableMet))

	areas := [][]any{cells(labels.PeriodAreaHeadings())}
	for _, group := range [][]PeriodArea{p.Stable, p.Relapsed, p.NotTransformed, p.Pending} {
		for _, a := range group {
			var ty any
			if a.TransformedYear > 0 {
				ty = a.TransformedYear
			}
			areas = append(areas, []any{a.Unit, a.Name, a.District, a.Now, a.NowName, a.Years, labels.Categories(a.Categories),
				labels.PeriodOutcome(a.Outcome), ty, a.Latest, a.RelapseNow})
		}
	}
	return []Table{{"cac-nam", "Các năm", years}, {"dia-ban", "Địa bàn", areas}}
}
