package main

import (
	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/labels"
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
	p.heading(labels.DataErrorsHeading(res.Job, res.Period, len(errs)))
	tw := p.table()
	writeRow(tw, labels.DataErrorColumns())
	for _, e := range errs {
		writeRow(tw, []string{e.Relation, string(e.Problem), labels.DataErrorRows(e.Rows, e.Truncated), labels.Shorten(e.Example, 80), e.Message})
	}
	tw.Flush()
}
