package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/period"
)

func (e *env) exec(queries ...string) {
	e.t.Helper()
	for _, q := range queries {
		if _, err := e.s.DB().ExecContext(context.Background(), q); err != nil {
			e.t.Fatalf("%s: %v", q, err)
		}
	}
}

func (e *env) str(query string) string {
	e.t.Helper()
	var v string
	if err := e.s.DB().QueryRowContext(context.Background(), query).Scan(&v); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return v
}

// candidateRows is the candidates job's proposal for a period, without
// its data errors.
func (e *env) candidateRows(per string) string {
	var out []string
	for _, line := range strings.Split(e.findings(string(finding.JobCandidates), per), "\n") {
		if strings.HasPrefix(line, string(finding.KindCandidate)+" ") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func (e *env) dataErrors(job, per string) map[string]finding.State {
	out := map[string]finding.State{}
	fs, err := e.s.Findings(context.Background(), finding.Job(job), per)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, f := range fs {
		if f.Kind == finding.KindDataError {
			out[f.Key] = f.State
		}
	}
	return out
}

// Bad rows in the province's database are reported in the run's findings
// as data errors, and the run proceeds without them: rows that must be
// left out or counted once leave the proposal exactly as the clean data
// gives it. A commune listed under two districts is left out, a district
// without communes reported; nothing crashes.
func TestBadDataIsReportedAndTheRunProceeds(t *testing.T) {
	e := newEnv(t)
	e.mustRun(nil, "run-once", "candidates", "--at", e.at)
	per := e.periodOf(string(finding.JobCandidates))
	clean := e.candidateRows(per)
	if clean == "" || len(e.dataErrors(string(finding.JobCandidates), per)) != 0 {
		t.Fatalf("the clean province gives no candidates or reports data errors")
	}

	cal := period.Calendar{Cutoff: period.DefaultCutoff}
	y, _, _ := cal.MonthOf(e.today)
	inRef := cal.Year(y-1).From.AddDate(0, 2, 0).Format(time.DateOnly) // inside the reference year
	future := realToday().AddDate(0, 0, 3).Format(time.DateOnly)
	unit := e.str(`SELECT MIN(code) FROM units`)
	unit2 := e.str(`SELECT MAX(code) FROM units`)
	offence := e.str(`SELECT MIN(code) FROM offence_types WHERE social_order`)
	// A key that is recorded: its copy must count once.
	var dupUnit, dupDay, dupOff string
	var dupCount int
	err := e.s.DB().QueryRowContext(context.Background(), `SELECT unit_code, day::text, offence_code, count FROM crime_stats
		WHERE day >= $1 ORDER BY day, unit_code, offence_code LIMIT 1`, inRef).Scan(&dupUnit, &dupDay, &dupOff, &dupCount)
	if err != nil {
		t.Fatal(err)
	}
	e.exec(
		fmt.Sprintf(`INSERT INTO crime_stats VALUES ('%s', '%s', '%s', -40)`, unit, inRef, offence), // negative
		fmt.Sprintf(`INSERT INTO crime_stats VALUES ('XA-MA', '%s', '%s', 500)`, inRef, offence),    // no such commune
		fmt.Sprintf(`INSERT INTO crime_stats VALUES ('%s', '%s', 'BLHS999', 500)`, unit2, inRef),    // no such offence
		fmt.Sprintf(`INSERT INTO crime_stats VALUES ('%s', '%s', '%s', 7)`, unit2, future, offence), // in the future
		`ALTER TABLE crime_stats RENAME TO crime_stats_base`,
		`CREATE TABLE crime_stats_extra (unit_code TEXT, day DATE, offence_code TEXT, count INTEGER)`,
		fmt.Sprintf(`INSERT INTO crime_stats_extra VALUES ('%s', '%s', '%s', NULL)`, unit2, inRef, offence),           // NULL count
		fmt.Sprintf(`INSERT INTO crime_stats_extra VALUES (NULL, '%s', '%s', 3)`, inRef, offence),                     // NULL unit
		fmt.Sprintf(`INSERT INTO crime_stats_extra VALUES ('%s', '%s', '%s', %d)`, dupUnit, dupDay, dupOff, dupCount), // same row twice
		`CREATE VIEW crime_stats AS SELECT * FROM crime_stats_base UNION ALL SELECT * FROM crime_stats_extra`,
	)
	r := e.mustRun(nil, "run-once", "all", "--at", e.at)
	if !strings.Contains(r.stdout, "LỖI DỮ LIỆU") || !strings.Contains(r.stderr, "data errors in the province's data") {
		t.Errorf("run-once does not show the data errors:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	if got := e.candidateRows(per); got != clean {
		t.Errorf("the proposal over bad rows differs from the clean one:\n%s\nwant:\n%s", got, clean)
	}
	got := e.dataErrors(string(finding.JobCandidates), per)
	for k, state := range map[string]finding.State{
		"crime_stats/negative_count/" + unit + "/" + offence: finding.ProblemNegative,
		"crime_stats/unknown_unit/XA-MA":                     finding.ProblemUnknownUnit,
		"crime_stats/unknown_offence/BLHS999":                finding.ProblemUnknownOffence,
		"crime_stats/future_day/" + unit2:                    finding.ProblemFutureDay,
		"crime_stats/null/" + unit2:                          finding.ProblemNull,
		"crime_stats/duplicate/" + dupUnit + "/" + dupOff:    finding.ProblemDuplicate,
	} {
		if got[k] != state {
			t.Errorf("candidates: data error %s = %q, want %q (all: %v)", k, got[k], state, got)
		}
	}
	if !hasPrefix(got, "crime_stats/null/unit_code=NULL") {
		t.Errorf("candidates: the row without a unit is not reported; got %v", got)
	}
	// The cycle job computes the same proposal and reads the same rows.
	if rel := e.dataErrors(string(finding.JobCycle), e.periodOf(string(finding.JobCycle))); rel["crime_stats/negative_count/"+unit+"/"+offence] != finding.ProblemNegative {
		t.Errorf("cycle reads the reference year but does not report the negative count; got %v", rel)
	}
	for _, j := range finding.Strings(finding.RecomputeJobs()) {
		if r := e.run1(j, e.periodOf(j)); r.Status != "ok" {
			t.Errorf("%s: %s %s", j, r.Status, r.Error)
		}
	}

	// A commune under two districts, and a district with none.
	units := e.count(`SELECT COUNT(*) FROM units`)
	district := e.str(`SELECT MAX(code) FROM districts`)
	e.exec(
		`ALTER TABLE units RENAME TO units_base`,
		`CREATE TABLE units_extra AS SELECT * FROM units_base WHERE 1 = 0`,
		fmt.Sprintf(`INSERT INTO units_extra SELECT code, name, kind, '%s', ntm_certified_on, valid_from, valid_to FROM units_base WHERE code = '%s'`, district, unit),
		`CREATE VIEW units AS SELECT * FROM units_base UNION ALL SELECT * FROM units_extra`,
		`INSERT INTO districts (code, name, kind) VALUES ('D99', 'Huyện Không Xã', 'huyen')`,
	)
	e.mustRun(nil, "run-once", "all", "--at", e.at)
	got = e.dataErrors(string(finding.JobCandidates), per)
	if got["units/unit_in_two_districts/"+unit] != finding.ProblemTwoDistricts || got["districts/district_without_units/D99"] != finding.ProblemEmptyDistrict {
		t.Errorf("candidates: data errors %v lack the two-district commune %s or the empty district D99", got, unit)
	}
	rows := e.candidateRows(per)
	if n := strings.Count(rows, "\n") + 1; n != units-1 || strings.Contains(rows, " "+unit+" ") {
		t.Errorf("%d candidates for %d communes; want every commune but %s, which is left out", n, units, unit)
	}
	for _, j := range finding.Strings(finding.RecomputeJobs()) {
		if r := e.run1(j, e.periodOf(j)); r.Status != "ok" {
			t.Errorf("%s: %s %s", j, r.Status, r.Error)
		}
	}
}

func hasPrefix(m map[string]finding.State, prefix string) bool {
	for k := range m {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// An import with any bad row is rejected as a whole: exit 1, each bad row
// named with its field, and nothing of the file stored.
func TestBadImportRejectsTheWholeFile(t *testing.T) {
	e := newEnv(t)
	unit := e.str(`SELECT MIN(code) FROM units`)
	district := e.str(`SELECT MIN(code) FROM districts`)
	other := e.str(`SELECT MAX(code) FROM districts`)
	offence := e.str(`SELECT MIN(code) FROM offence_types`)
	// The importer judges dates against the real today.
	good := fmt.Sprintf("%s,%s,%s,2", unit, realToday().AddDate(0, 0, -2).Format(time.DateOnly), offence)
	tomorrow := realToday().AddDate(0, 0, 1).Format(time.DateOnly)
	cases := []struct {
		name, kind, body string
		want             []string // in stderr
	}{
		{"negative count", "statistics", "unit_code,day,offence_code,count\n" + good + "\n" +
			fmt.Sprintf("%s,2025-03-01,%s,-4\n", unit, offence), []string{`row 3, field "count"`}},
		{"unknown unit", "statistics", "unit_code,day,offence_code,count\n" + good + "\n" +
			fmt.Sprintf("XA-MA,2025-03-01,%s,1\n", offence), []string{`row 3, field "unit_code"`}},
		{"unknown offence", "statistics", "unit_code,day,offence_code,count\n" + good + "\n" +
			fmt.Sprintf("%s,2025-03-01,BLHS999,1\n", unit), []string{`row 3, field "offence_code"`}},
		{"date in the future", "statistics", "unit_code,day,offence_code,count\n" + good + "\n" +
			fmt.Sprintf("%s,%s,%s,1\n", unit, tomorrow, offence), []string{`row 3, field "day"`}},
		{"duplicate row", "statistics", "unit_code,day,offence_code,count\n" + good + "\n" + good + "\n", []string{"row 3", "duplicates row 2"}},
		{"empty (NULL) value", "statistics", "unit_code,day,offence_code,count\n" + good + "\n" +
			fmt.Sprintf("%s,2025-03-01,%s,\n", unit, offence), []string{`row 3, field "count"`}},
		{"unit under two districts", "units", "code,name,kind,district_code,ntm_certified_on,valid_from,valid_to\n" +
			fmt.Sprintf("XA-MOI,Xã Mới,xa,%s,,,\nXA-MOI,Xã Mới,xa,%s,,,\n", district, other), []string{"row 3", "duplicates row 2"}},
		{"unit of an unknown district", "units", "code,name,kind,district_code,ntm_certified_on,valid_from,valid_to\n" +
			"XA-MOI,Xã Mới,xa,D99,,,\n", []string{`row 2, field "district_code"`}},
		{"proposal of another district's commune", "proposals", "year,district_code,unit_code,proposed_on\n" +
			fmt.Sprintf("%d,%s,%s,%s\n", e.today.Year(), other, unit, e.today.Format(time.DateOnly)), []string{`row 2, field "unit_code"`}},
	}
	tables := []string{"districts", "units", "offence_types", "crime_stats", "selections", "assessments", "submissions", "proposals", "case_stats"}
	snapshot := func() string {
		var b strings.Builder
		for _, tb := range tables {
			fmt.Fprintf(&b, "%s=%d ", tb, e.count(`SELECT COUNT(*) FROM `+tb))
		}
		fmt.Fprintf(&b, "sum=%d", e.count(`SELECT COALESCE(SUM(count), 0) FROM crime_stats`))
		return b.String()
	}
	before := snapshot()
	for _, c := range cases {
		path := filepath.Join(e.dir, strings.ReplaceAll(c.name, " ", "-")+".csv")
		if err := os.WriteFile(path, []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		r := e.run(nil, "import", c.kind, path)
		if r.code != 1 {
			t.Errorf("%s: exit %d, want 1; stderr %q", c.name, r.code, r.stderr)
		}
		for _, w := range append(c.want, "nothing imported", filepath.Base(path)) {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: stderr does not say %q:\n%s", c.name, w, r.stderr)
			}
		}
		if got := snapshot(); got != before {
			t.Errorf("%s: the rejected file changed the data: %s, was %s", c.name, got, before)
		}
	}
	// The good row alone goes in: the rejections were about the bad rows.
	path := filepath.Join(e.dir, "good.csv")
	if err := os.WriteFile(path, []byte("unit_code,day,offence_code,count\n"+good+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.mustRun(nil, "import", "statistics", path)
}
