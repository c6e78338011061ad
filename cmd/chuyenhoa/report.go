package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"chuyenhoa/config"
	"chuyenhoa/labels"
	"chuyenhoa/report"
)

// cmdReport writes one of the provincial committee's documents in the
// state format: the year report, a plan period's summary or the draft
// selection decision, as an A4 page (HTML, and its PDF when chromium is
// there) and its tables (CSV, XLSX).
func cmdReport(ctx context.Context, a *app, args []string) error {
	fs := a.flags("report")
	out := fs.String("out", ".", "`DIR` to write the document's files to (created if missing)")
	at := fs.String("at", "", "the document's day (`YYYY-MM-DD`, province time): data known then; default today")
	number := fs.String("number", "", "the registered `NUMBER` to print before the symbol (12 prints Số: 12/BC-BCĐ); default blank, for the clerk")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	kind, years := pos[0], pos[1:]
	year := func(s string) (int, error) {
		y, err := strconv.Atoi(s)
		if err != nil || y < 2000 || y > 9999 {
			return 0, usageError{fmt.Sprintf("report %s %q: use a year such as 2026", kind, s)}
		}
		return y, nil
	}
	from, err := year(years[0])
	if err != nil {
		return err
	}
	to := from
	switch kind {
	case "year", "decision":
		if len(years) > 1 {
			return usageError{fmt.Sprintf("report %s takes one year; unexpected %q", kind, years[1])}
		}
	case "period":
		if len(years) < 2 {
			return usageError{"report period needs its first and last year, e.g. 'chuyenhoa report period 2021 2025'"}
		}
		if to, err = year(years[1]); err != nil {
			return err
		}
		if to < from {
			return usageError{fmt.Sprintf("report period %d %d: the last year comes before the first", from, to)}
		}
	default:
		return usageError{fmt.Sprintf("report %q: write 'report year YEAR', 'report period FROM TO' or 'report decision YEAR'", kind)}
	}
	cfg, s, day, err := a.openOn(ctx, *at)
	if err != nil {
		return err
	}
	defer s.Close()
	// A year's report needs the year to have begun; the decision may be
	// drafted for the coming year, once its reference year has ended.
	latest := day.Year()
	if kind == "decision" {
		latest++
	}
	if to > latest {
		return usageError{fmt.Sprintf("report %s %d: the year has not started on %s", kind, to, labels.Date(day))}
	}

	var doc report.Document
	var frame *report.Frame
	var summary func() string
	switch kind {
	case "year":
		rep, e := report.BuildYear(ctx, s, cfg, from, day)
		if e == nil {
			doc, frame = rep, &rep.Frame
			summary = func() string {
				return rep.Bodies.YearReportSummary(from, day, rep.Cycle.Cycle.Selected.Areas, rep.Cycle.Cycle.Carried.Areas, len(rep.Proposals), rep.Grouped)
			}
		}
		err = e
	case "period":
		rep, e := report.BuildPeriod(ctx, s, cfg, from, to, day)
		if e == nil {
			doc, frame = rep, &rep.Frame
			summary = func() string {
				return labels.PeriodReportSummary(from, to, day, rep.Sum.Selected.Areas, rep.Sum.Selected.Transformed, rep.Communes())
			}
		}
		err = e
	case "decision":
		d, e := report.BuildDraft(ctx, s, cfg, from, day)
		if e == nil {
			doc, frame = d, &d.Frame
			summary = func() string { return labels.DecisionDraftSummary(from, day, len(d.Areas)) }
		}
		err = e
	}
	if errors.Is(err, report.ErrNoData) {
		return fmt.Errorf("%w\nNothing was written. Import the province's data first (chuyenhoa import units …, import statistics …, "+
			"import decisions …), or check that database.url names the province's database", err)
	}
	if err != nil {
		return err
	}
	frame.Number = *number
	files, err := report.Write(*out, doc)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, summary())
	for _, f := range files {
		fmt.Fprintf(a.stdout, "  %s\n", f)
	}
	return printPDFs(ctx, a, cfg.Documents, files)
}

// printPDFs prints each page written to a PDF beside it. Without a
// browser on PATH the documents stand without their PDF, and the command
// says so; a browser configured by path that fails is an error.
func printPDFs(ctx context.Context, a *app, d config.Documents, files []string) error {
	if d.Chromium == config.ChromiumNone {
		fmt.Fprintln(a.stdout, labels.NoPDF("documents.chromium là none"))
		return nil
	}
	chromium, err := report.FindChromium(d.Chromium)
	if errors.Is(err, report.ErrNoChromium) {
		fmt.Fprintln(a.stdout, labels.NoPDF("không tìm thấy chromium ("+err.Error()+")"))
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w; the documents were written without their PDF", err)
	}
	for _, f := range files {
		if !strings.EqualFold(filepath.Ext(f), ".html") {
			continue
		}
		pdf, err := report.PrintPDF(ctx, chromium, f)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "  %s\n", pdf)
	}
	return nil
}
