package main

import (
	"fmt"

	"chuyenhoa/finding"
	"chuyenhoa/jobs"
)

// dataErrors lists the rows of the province's data the run could not use
// as they stand (see finding.DataError), after the job's own result.
func (p *printer) dataErrors(res *jobs.Result) {
	var errs []finding.DataError
	for _, f := range res.Findings {
		if f.Kind != finding.KindDataError {
			continue
		}
		e, err := finding.Decode[finding.DataError](f.Kind, f.Payload)
		if err != nil {
			e = finding.DataError{Problem: f.State, Message: f.Key}
		}
		errs = append(errs, e)
	}
	if len(errs) == 0 {
		return
	}
	p.heading(fmt.Sprintf("LỖI DỮ LIỆU (%s, kỳ %s): %d", res.Job, res.Period, len(errs)))
	tw := p.table()
	fmt.Fprintln(tw, "Bảng\tLỗi\tSố dòng\tVí dụ\tNội dung")
	for _, e := range errs {
		rows := fmt.Sprint(e.Rows)
		if e.Truncated {
			rows = "≥ " + rows
		}
		example := e.Example
		if r := []rune(example); len(r) > 80 {
			example = string(r[:80]) + "…"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Relation, e.Problem, rows, example, e.Message)
	}
	tw.Flush()
}
