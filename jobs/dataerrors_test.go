package jobs_test

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// badData spoils smallProvince the ways a province's own tables and views
// do. The contract tables carry no foreign keys, so unknown codes, future
// days and negative counts go straight in; NULLs and duplicate keys come
// through views over a UNION, as a province's mapping would produce them.
var badData = []string{
	// crime_stats, in the 2025 statistical year unless said otherwise
	`INSERT INTO crime_stats VALUES ('A', '2025-07-01', 'TT', -7)`,  // negative: left out, A stays 10
	`INSERT INTO crime_stats VALUES ('ZZ', '2025-07-01', 'TT', 99)`, // no such unit
	`INSERT INTO crime_stats VALUES ('C', '2025-07-01', 'XX', 5)`,   // no such offence type
	`INSERT INTO crime_stats VALUES ('G', '2030-01-01', 'TT', 3)`,   // in the future
	`ALTER TABLE crime_stats RENAME TO crime_stats_base`,
	`CREATE TABLE crime_stats_extra (unit_code TEXT, day DATE, offence_code TEXT, count INTEGER)`,
	`INSERT INTO crime_stats_extra VALUES ('F', '2025-06-02', 'TT', NULL)`, // NULL count
	`INSERT INTO crime_stats_extra VALUES ('D', '2025-06-01', 'TT', 4)`,    // same as the base row: counts once
	`INSERT INTO crime_stats_extra VALUES ('G', '2025-06-01', 'TT', 9)`,    // base says 1: copies differ, left out
	`CREATE VIEW crime_stats AS SELECT unit_code, day, offence_code, count FROM crime_stats_base
		UNION ALL SELECT unit_code, day, offence_code, count FROM crime_stats_extra`,
	// units and districts
	`ALTER TABLE units RENAME TO units_base`,
	`CREATE TABLE units_extra (code TEXT, name TEXT, kind TEXT, district_code TEXT, ntm_certified_on DATE, valid_from DATE, valid_to DATE)`,
	`INSERT INTO units_extra VALUES ('B', 'Xã B', 'xa', 'D2', NULL, NULL, NULL)`, // B is also in D1
	`INSERT INTO units_extra VALUES ('A', 'Xã A', 'xa', 'D1', NULL, NULL, NULL)`, // identical copy
	`INSERT INTO units_extra VALUES ('H', NULL, 'xa', 'D1', NULL, NULL, NULL)`,   // no name
	`INSERT INTO units_extra VALUES ('I', 'Xã I', 'xa', 'D2', NULL, NULL, NULL)`, // a good new commune
	`CREATE VIEW units AS SELECT code, name, kind, district_code, ntm_certified_on, valid_from, valid_to FROM units_base
		UNION ALL SELECT code, name, kind, district_code, ntm_certified_on, valid_from, valid_to FROM units_extra`,
	`INSERT INTO districts (code, name, kind) VALUES ('D3', 'Huyện Ba', 'huyen')`, // no commune
	// decisions, reports, case statistics
	`INSERT INTO selections (year, unit_code, category, decided_on) VALUES (2025, 'QQ', 1, '2025-02-01')`, // no such unit
	`INSERT INTO submissions VALUES ('D1', 'report_h1', '2026-H1', '', '2031-01-01 00:00:00+00')`,         // in the future
	`ALTER TABLE case_stats RENAME TO case_stats_base`,                                                    // its table has CHECKs
	`CREATE TABLE case_stats_extra AS SELECT * FROM case_stats_base WHERE 1 = 0`,
	`INSERT INTO case_stats_extra VALUES ('A', '2026-01-10', -3, 0, 0, 0, 0, 0, 0, 0)`, // negative
	`CREATE VIEW case_stats AS SELECT * FROM case_stats_base UNION ALL SELECT * FROM case_stats_extra`,
}

// loadBadData loads smallProvince and spoils it with badData.
func loadBadData(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	if err := s.Load(ctx, smallProvince()); err != nil {
		t.Fatal(err)
	}
	for _, q := range badData {
		if _, err := s.DB().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// A run over bad data reports every bad row as a data_error finding and
// proceeds without it: the candidates come out as computed by hand below
// from the good rows alone.
func TestDataErrorsAreReportedAndLeftOut(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		loadBadData(t, s)
		r := newRunner(t, s)
		day := d(2026, 3, 1)
		errs := map[finding.Job]map[string]string{} // job → key → state
		for _, j := range finding.RecomputeJobs() {
			res, err := r.Run(ctx, j, day)
			if err != nil {
				t.Fatalf("%s over bad data: %v", j, err)
			}
			errs[j] = map[string]string{}
			for _, f := range res.Findings {
				if f.Kind != finding.KindDataError {
					continue
				}
				var de finding.DataError
				if err := json.Unmarshal(f.Payload, &de); err != nil {
					t.Fatal(err)
				}
				if de.Rows < 1 || de.Example == "" || de.Message == "" || de.Action == "" || de.Problem != f.State {
					t.Errorf("%s %s: incomplete data error %+v", j, f.Key, de)
				}
				errs[j][f.Key] = string(f.State) + " " + string(de.Action)
			}
		}

		unitErrs := map[string]string{
			"units/unit_in_two_districts/B":       "unit_in_two_districts left_out",
			"units/duplicate/A":                   "duplicate counted_once",
			"districts/district_without_units/D3": "district_without_units kept",
		}
		want := map[finding.Job]map[string]string{
			finding.JobCandidates: merge(unitErrs, map[string]string{
				"crime_stats/negative_count/A/TT": "negative_count left_out",
				"crime_stats/unknown_unit/ZZ":     "unknown_unit left_out",
				"crime_stats/unknown_offence/XX":  "unknown_offence left_out",
				"crime_stats/future_day/G":        "future_day left_out",
				"crime_stats/null/F":              "null left_out",
				"crime_stats/duplicate/D/TT":      "duplicate counted_once",
				"crime_stats/duplicate/G/TT":      "duplicate left_out",
			}),
			finding.JobDeadlines: merge(unitErrs, map[string]string{
				"selections/unknown_unit/QQ":                  "unknown_unit left_out",
				"submissions/future_day/D1/report_h1/2026-H1": "future_day left_out",
			}),
		}
		for j, w := range want {
			got := errs[j]
			for k, v := range w {
				if got[k] != v {
					t.Errorf("%s: data error %s = %q, want %q", j, k, got[k], v)
				}
			}
		}
		// The NULL-named unit H is reported with its row as the key.
		if !hasPrefixKey(errs[finding.JobCandidates], "units/null/", "null left_out") {
			t.Errorf("candidates: no data error for the unit without a name; got %v", keysOf(errs[finding.JobCandidates]))
		}
		if errs[finding.JobCycle]["case_stats/negative_count/A"] != "negative_count left_out" {
			t.Errorf("cycle: data errors %v lack case_stats/negative_count/A", keysOf(errs[finding.JobCycle]))
		}
		if len(errs[finding.JobRelapse]) == 0 {
			t.Errorf("relapse reads the same statistics and reported nothing")
		}

		// The rest proceeds. Units kept: A C D E F G I (B in two districts
		// and H without a name left out; A once) → 7, cap ⌊7×15%⌋ = 1.
		// Counts from the good rows only: A 10 (−7 left out), C 2 (XX is no
		// offence), D 4 (the copy counts once), E 4, F 0 (NULL left out),
		// G 0 (1 and 9 disagree: left out), I 0.
		// Province 20/7 ≈ 2.857; D1 (A, C) 12/2 = 6; D2 (D E F G I) 8/5 = 1.6.
		// A: 10 > 2.857 and > 6, severity 10/6 ≈ 1.67 → rank 1, proposed.
		// D: 4 > 2.857 and > 1.6, severity 4/2.857 = 1.4 → rank 2, cut by the cap.
		// E new-rural → excluded; C, F, G, I below average.
		cands, err := s.Findings(ctx, finding.JobCandidates, "2026")
		if err != nil {
			t.Fatal(err)
		}
		wantState := map[string]string{"A": "proposed", "D": "cut_by_cap", "E": "excluded_ntm",
			"C": "below_average", "F": "below_average", "G": "below_average", "I": "below_average"}
		got := map[string]string{}
		counts := map[string]int{}
		for _, f := range cands {
			if f.Kind != finding.KindCandidate {
				continue
			}
			got[f.Unit] = string(f.State)
			var c rules.Candidate
			if err := json.Unmarshal(f.Payload, &c); err != nil {
				t.Fatal(err)
			}
			counts[f.Unit] = c.Counts.SocialOrder
		}
		if !equalMaps(got, wantState) {
			t.Errorf("candidates over bad data = %v, want %v", got, wantState)
		}
		for u, n := range map[string]int{"A": 10, "C": 2, "D": 4, "E": 4, "F": 0, "G": 0, "I": 0} {
			if counts[u] != n {
				t.Errorf("unit %s counted %d, want %d", u, counts[u], n)
			}
		}
	})
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func hasPrefixKey(m map[string]string, prefix, value string) bool {
	for k, v := range m {
		if strings.HasPrefix(k, prefix) && v == value {
			return true
		}
	}
	return false
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// A province's views over clean tables give the result the tables give,
// with no data error: the check only speaks when something is wrong.
func TestCleanViewsGiveTheSameResult(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.Load(ctx, smallProvince()); err != nil {
			t.Fatal(err)
		}
		r := newRunner(t, s)
		day := d(2026, 3, 1)
		before := map[finding.Job][]store.Finding{}
		for _, j := range finding.RecomputeJobs() {
			res, err := r.Run(ctx, j, day)
			if err != nil {
				t.Fatal(err)
			}
			before[j] = res.Findings
		}
		for _, table := range []string{"units", "crime_stats", "offence_types", "case_stats", "selections", "submissions"} {
			for _, q := range []string{`ALTER TABLE ` + table + ` RENAME TO ` + table + `_base`,
				`CREATE VIEW ` + table + ` AS SELECT * FROM ` + table + `_base`} {
				if _, err := s.DB().ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
		}
		for _, j := range finding.RecomputeJobs() {
			res, err := r.Run(ctx, j, day)
			if err != nil {
				t.Fatalf("%s over views: %v", j, err)
			}
			a, _ := json.Marshal(before[j])
			b, _ := json.Marshal(res.Findings)
			if string(a) != string(b) {
				t.Errorf("%s over views differs from over tables:\n%s\n%s", j, b, a)
			}
		}
	})
}

// A count of 2⁶³−1 in the shared database (a province's own table may
// be BIGINT, SQLite's INTEGER holds it as it is) is a data error and left
// out, like a negative one: the sums of candidates and cycle do not
// overflow, and the other rows count as before.
func TestCountAboveMaxIsADataError(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.Load(ctx, smallProvince()); err != nil {
			t.Fatal(err)
		}
		var qs []string
		if s.Dialect() == store.Postgres {
			qs = append(qs, `ALTER TABLE crime_stats ALTER COLUMN count TYPE BIGINT`, `ALTER TABLE case_stats ALTER COLUMN crimes TYPE BIGINT`)
		}
		qs = append(qs,
			`INSERT INTO crime_stats VALUES ('A', '2025-07-01', 'TT', 9223372036854775807)`,
			`INSERT INTO crime_stats VALUES ('A', '2025-07-02', 'TT', 9223372036854775807)`,
			`INSERT INTO crime_stats VALUES ('C', '2025-07-02', 'TT', 1000001)`,
			`INSERT INTO case_stats VALUES ('A', '2026-01-10', 9223372036854775807, 0, 0, 0, 0, 0, 0, 0)`)
		for _, q := range qs {
			if _, err := s.DB().ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		r := newRunner(t, s)
		want := map[finding.Job]map[string]int{ // data error key → rows
			finding.JobCandidates: {"crime_stats/bad_value/A/TT": 2, "crime_stats/bad_value/C/TT": 1},
			finding.JobCycle:      {"crime_stats/bad_value/A/TT": 2, "crime_stats/bad_value/C/TT": 1, "case_stats/bad_value/A": 1},
		}
		for j, keys := range want {
			res, err := r.Run(ctx, j, d(2026, 3, 1))
			if err != nil {
				t.Fatalf("%s with a count of 2⁶³−1: %v", j, err)
			}
			got := map[string]finding.DataError{}
			for _, f := range res.Findings {
				if f.Kind != finding.KindDataError {
					continue
				}
				var de finding.DataError
				if err := json.Unmarshal(f.Payload, &de); err != nil {
					t.Fatal(err)
				}
				got[f.Key] = de
			}
			for k, rows := range keys {
				de, ok := got[k]
				switch {
				case !ok:
					t.Errorf("%s: no data error %s; got %v", j, k, got)
				case de.Rows != rows || de.Action != finding.ActionLeftOut || !strings.Contains(de.Message, "1000000"):
					t.Errorf("%s: data error %s = %+v, want %d rows left out, the message naming the bound", j, k, de, rows)
				}
			}
			if de := got["crime_stats/bad_value/A/TT"]; !strings.Contains(de.Example, "count=9223372036854775807") {
				t.Errorf("%s: example %q, want the row as read", j, de.Example)
			}
		}
		// The rest counts as without the huge rows: A 10, C 2.
		cands, err := s.Findings(ctx, finding.JobCandidates, "2026")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range cands {
			if f.Kind != finding.KindCandidate || (f.Unit != "A" && f.Unit != "C") {
				continue
			}
			var c rules.Candidate
			if err := json.Unmarshal(f.Payload, &c); err != nil {
				t.Fatal(err)
			}
			if want := map[string]int{"A": 10, "C": 2}[f.Unit]; c.Counts.SocialOrder != want {
				t.Errorf("unit %s counted %d, want %d", f.Unit, c.Counts.SocialOrder, want)
			}
		}
	})
}

// The jobs of a round (Runner.Round) share their reads of the data
// contract; each still reports the data errors it meets, so its findings
// are those it writes when it runs alone, over bad data too.
func TestRoundGivesTheFindingsOfJobsRunAlone(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		loadBadData(t, s)
		day := d(2026, 3, 1)
		alone := runEach(t, ctx, newRunner(t, s), day)
		round := runEach(t, ctx, newRunner(t, s).Round(), day)
		for _, j := range finding.RecomputeJobs() {
			if !strings.Contains(alone[j], `"data_error"`) && j != finding.JobRelapse {
				t.Errorf("%s reported no data error over bad data", j)
			}
			if alone[j] != round[j] {
				t.Errorf("%s in a round differs from alone:\n%s\n%s", j, round[j], alone[j])
			}
		}
	})
}

// badTableStats spoils smallProvince's crime_stats table itself, in both
// windows of 01/03/2026 (the reference year and the rolling year): with
// its unique key the table is summed by the aggregation that
// Runner.Prefetch starts ahead, which leaves these rows out for the check
// to report.
var badTableStats = []string{
	`INSERT INTO crime_stats VALUES ('A', '2025-07-01', 'TT', -7)`,  // negative: left out
	`INSERT INTO crime_stats VALUES ('ZZ', '2025-07-01', 'TT', 99)`, // no such unit
	`INSERT INTO crime_stats VALUES ('C', '2025-07-01', 'XX', 5)`,   // no such offence type
	`INSERT INTO crime_stats VALUES ('D', '2026-01-10', 'TT', -2)`,  // the rolling year only
	`INSERT INTO crime_stats VALUES ('G', '2030-01-01', 'TT', 3)`,   // in the future
}

// runEach runs every recompute job with r on day, one after the other,
// and returns each one's findings as JSON.
func runEach(t *testing.T, ctx context.Context, r *jobs.Runner, day time.Time) map[finding.Job]string {
	t.Helper()
	out := map[finding.Job]string{}
	for _, j := range finding.RecomputeJobs() {
		res, err := r.Run(ctx, j, day)
		if err != nil {
			t.Fatal(err)
		}
		out[j] = findingsJSON(t, res.Findings)
	}
	return out
}

// findingsJSON is fs as JSON: findings compared whole, payloads included.
func findingsJSON(t *testing.T, fs []store.Finding) string {
	t.Helper()
	b, err := json.Marshal(fs)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A round whose windows are summed side by side (Runner.Prefetch) gives
// every job the findings it writes alone, over bad rows in the summed
// table too; so does one whose prefetch was stopped before its jobs ran
// (they read for themselves), and one in a rehearsal, where nothing runs
// beside the rehearsal's transaction.
func TestPrefetchedRoundGivesTheFindingsOfJobsRunAlone(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.Load(ctx, smallProvince()); err != nil {
			t.Fatal(err)
		}
		for _, q := range append(slices.Clone(badTableStats), `INSERT INTO districts (code, name, kind) VALUES ('D3', 'Huyện Ba', 'huyen')`) {
			if _, err := s.DB().ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		day := d(2026, 3, 1)
		all := finding.RecomputeJobs()
		alone := runEach(t, ctx, newRunner(t, s), day)
		for _, j := range []finding.Job{finding.JobCandidates, finding.JobRelapse, finding.JobCycle} {
			if !strings.Contains(alone[j], `"crime_stats`) {
				t.Errorf("%s reported no data error of crime_stats over bad statistics", j)
			}
		}
		got := map[string]map[finding.Job]string{}
		prefetched := func(s *store.Store, stopFirst bool) map[finding.Job]string {
			r := newRunner(t, s).Round()
			stop := r.Prefetch(ctx, day, all...)
			defer stop()
			if stopFirst {
				stop()
			}
			return runEach(t, ctx, r, day)
		}
		got["prefetched"] = prefetched(s, false)
		got["prefetch stopped first"] = prefetched(s, true)
		if err := s.Rehearse(ctx, func(v *store.Store) error {
			got["prefetched in a rehearsal"] = prefetched(v, false)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for name, g := range got {
			for _, j := range all {
				if g[j] != alone[j] {
					t.Errorf("%s, %s differs from alone:\n%s\n%s", name, j, g[j], alone[j])
				}
			}
		}
	})
}
