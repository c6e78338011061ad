package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"chuyenhoa/finding"
)

// RunOf returns the record of job's work on period, if there is one. The
// scheduler reads it to decide whether an occurrence still needs a run.
func (s *Store) RunOf(ctx context.Context, job finding.Job, period string) (JobRun, bool, error) {
	r, err := getRun(ctx, s.db, s.db.Rebind(`SELECT `+runCols+` FROM job_runs WHERE job = ? AND period = ?`), job, period)
	if errors.Is(err, sql.ErrNoRows) {
		return JobRun{}, false, nil
	}
	if err != nil {
		return JobRun{}, false, fmt.Errorf("run of %s %s: %w", job, period, err)
	}
	return r, true, nil
}
