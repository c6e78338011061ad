package main

import (
	"context"
	"fmt"
	"strconv"

	"chuyenhoa/labels"
	"chuyenhoa/report"
)

// cmdReport writes the year-end report the provincial committee reviews:
// a printable HTML page (A4) and CSV tables.
func cmdReport(ctx context.Context, a *app, args []string) error {
	fs := a.flags("report")
	out := fs.String("out", ".", "`DIR` to write the report files to (created if missing)")
	at := fs.String("at", "", "the report's day (`YYYY-MM-DD`, province time): data known then; default today")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if pos[0] != "year" {
		return usageError{"report needs 'year YEAR', e.g. 'chuyenhoa report year 2026 --out bao-cao'"}
	}
	year, err := strconv.Atoi(pos[1])
	if err != nil || year < 2000 || year > 9999 {
		return usageError{fmt.Sprintf("report year %q: use a year such as 2026", pos[1])}
	}
	cfg, s, day, err := a.openOn(ctx, *at)
	if err != nil {
		return err
	}
	defer s.Close()
	if year > day.Year() {
		return usageError{fmt.Sprintf("report year %d: the year has not started on %s", year, labels.Date(day))}
	}
	rep, err := report.BuildYear(ctx, s, cfg, year, day)
	if err != nil {
		return err
	}
	files, err := report.Write(*out, rep)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, rep.Bodies.YearReportSummary(year, day, rep.Cycle.Cycle.Selected.Areas, rep.Cycle.Cycle.Carried.Areas, len(rep.Proposals), rep.Grouped))
	for _, f := range files {
		fmt.Fprintf(a.stdout, "  %s\n", f)
	}
	return nil
}
