package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"chuyenhoa/config"
	"chuyenhoa/jobs"
	"chuyenhoa/labels"
	"chuyenhoa/names"
	"chuyenhoa/rules"
)

// printer writes job results as Vietnamese tables for a terminal.
type printer struct {
	w   io.Writer
	cfg *config.Config
	dir *names.Directory
	// ShowAll lists below-average units one by one instead of counting them.
	showAll bool
}

func newPrinter(w io.Writer, cfg *config.Config, dir *names.Directory) *printer {
	return &printer{w: w, cfg: cfg, dir: dir}
}

func (p *printer) result(res *jobs.Result) {
	switch r := res.Report.(type) {
	case *jobs.CandidatesReport:
		p.candidates(r)
	case *jobs.RelapseReport:
		p.relapse(r)
	case *jobs.DeadlinesReport:
		p.deadlines(r)
	case *jobs.CycleReport:
		p.cycle(r)
	}
	p.dataErrors(res)
}

func (p *printer) table() *tabwriter.Writer {
	return tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
}

// writeRow writes cells as one row of a table.
func writeRow(tw *tabwriter.Writer, cells []string) { fmt.Fprintln(tw, strings.Join(cells, "\t")) }

func (p *printer) heading(s string) {
	fmt.Fprintf(p.w, "\n%s\n%s\n", s, strings.Repeat("=", len([]rune(s))))
}

func (p *printer) candidates(r *jobs.CandidatesReport) {
	pr := r.Proposal
	b := p.dir.Bodies()
	p.heading(labels.CandidatesHeading(r.Year))
	fmt.Fprintln(p.w, labels.CandidatesIntro(r.Reference, pr.TotalUnits, p.cfg.Selection.CapPercent, pr.Cap))
	fmt.Fprintln(p.w, labels.ProvinceAverage(pr.Baseline.Province))
	counts := map[rules.Status]int{}
	tw := p.table()
	writeRow(tw, b.CandidateColumns(r.Grouped))
	for _, c := range pr.Candidates {
		counts[c.Status]++
		if c.Status == rules.StatusBelowAverage && !p.showAll {
			continue
		}
		rank, dist := labels.None, labels.None
		if c.Rank > 0 {
			rank = fmt.Sprint(c.Rank)
		}
		if c.HasDistrict {
			dist = labels.Num(c.DistrictAvg)
		}
		reason := b.Reason(c, pr.TotalUnits, p.cfg.Selection.CapPercent, pr.Cap)
		if !r.Grouped {
			writeRow(tw, []string{rank, c.Unit.Code, c.Unit.Name, fmt.Sprint(c.Counts.SocialOrder), labels.Num(c.ProvinceAvg),
				labels.Categories(c.Complex), labels.Status(c.Status), reason})
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", rank, c.Unit.Code, c.Unit.Name, p.dir.District(c.Unit.District),
			c.Counts.SocialOrder, labels.Num(c.ProvinceAvg), dist, labels.Categories(c.Complex), labels.Status(c.Status), reason)
	}
	tw.Flush()
	fmt.Fprintln(p.w, labels.CandidatesSummary(counts))
}

func (p *printer) relapse(r *jobs.RelapseReport) {
	p.heading(labels.RelapseHeading(r.Window))
	relapsed := 0
	tw := p.table()
	writeRow(tw, p.dir.Bodies().RelapseColumns(r.Grouped))
	for _, it := range r.Areas {
		if !it.Relapsed && !it.Changed {
			continue
		}
		if it.Relapsed {
			relapsed++
		}
		change := ""
		if it.Changed {
			change = labels.Changed
		}
		var counts, avgs []string
		for _, c := range it.CategoryChecks {
			counts = append(counts, strconv.Itoa(c.Count))
			avg := labels.Num(c.ProvinceAvg)
			if r.Grouped {
				avg += " / " + labels.Num(c.DistrictAvg)
			}
			avgs = append(avgs, avg)
		}
		if !r.Grouped {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", it.Area.Unit, it.Area.Year, labels.Categories(it.Area.Categories), labels.RelapseState(it),
				labels.Date(it.Since), it.Counts.SocialOrder, labels.Num(it.ProvinceAvg),
				strings.Join(counts, ", "), strings.Join(avgs, "; "), change)
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", it.Area.Unit, it.Area.Year, labels.Categories(it.Area.Categories), labels.RelapseState(it),
			labels.Date(it.Since), it.Counts.SocialOrder, labels.Num(it.ProvinceAvg), labels.Num(it.DistrictAvg),
			strings.Join(counts, ", "), strings.Join(avgs, "; "), change)
	}
	tw.Flush()
	fmt.Fprintln(p.w, labels.RelapseSummary(len(r.Areas), relapsed))

	p.heading(labels.TargetsHeading)
	t := p.cfg.Targets
	tw = p.table()
	writeRow(tw, labels.TargetColumns(t.TransformedPercent, t.StablePercent))
	for _, g := range r.Progress {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%s\t%s\t%d\t%s\t%s\n", g.Year, g.Selected, g.Assessed, g.Transformed,
			rate(g.HasSelected && g.Assessed > 0, g.TransformedRate), labels.TargetStatusNeeded(g.HasSelected && g.Assessed > 0, g.TransformedMet, g.TransformedNeeded),
			g.Relapsed, rate(g.HasTransformed, g.StableRate), labels.TargetStatusNeeded(g.HasTransformed, g.StableMet, g.StableNeeded))
	}
	tw.Flush()
}

func rate(has bool, r float64) string {
	if !has {
		return labels.None
	}
	return labels.Percent(r)
}

func (p *printer) deadlines(r *jobs.DeadlinesReport) {
	b := p.dir.Bodies()
	levels := map[rules.Level]bool{}
	for _, d := range r.Deadlines {
		if d.State != rules.DeadlineSubmitted {
			levels[d.Committee.Level] = true
		}
	}
	districts, communes := levels[rules.LevelDistrict], levels[rules.LevelCommune]
	if !districts && !communes {
		districts = r.Grouped
	}
	p.heading(b.DeadlinesHeading(r.On, districts, communes))
	tw := p.table()
	writeRow(tw, labels.DeadlineColumns(r.Grouped))
	shown := 0
	for _, d := range r.Deadlines {
		if d.State == rules.DeadlineSubmitted {
			continue
		}
		shown++
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", p.dir.Owner(d.Committee), d.Obligation.Name, d.Period, orDash(d.Unit),
			labels.Date(d.Due), labels.Date(d.SubmittedOn), b.Deadline(d.State), d.DaysLate)
	}
	tw.Flush()
	fmt.Fprintln(p.w, labels.DeadlinesSummary(shown, len(r.Deadlines)-shown))
}

func orDash(s string) string {
	if s == "" {
		return labels.None
	}
	return s
}
