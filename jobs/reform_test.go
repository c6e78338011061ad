package jobs_test

import (
	"context"
	"fmt"
	"maps"
	"math"
	"strings"
	"testing"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

func reformRunner(t *testing.T, s *store.Store) *jobs.Runner {
	t.Helper()
	if err := s.Load(context.Background(), storetest.ReformProvince()); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Selection.CapPercent = storetest.ReformCapPercent
	return &jobs.Runner{Store: s, Config: cfg, Now: func() time.Time { return time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC) }}
}

// dataErrorKeys lists the keys of a run's data_error findings.
func dataErrorKeys(fs []store.Finding) []string {
	var out []string
	for _, f := range fs {
		if f.Kind == finding.KindDataError {
			out = append(out, f.Key)
		}
	}
	return out
}

// The first proposal after the merger counts the predecessors' statistics
// of the reference year for their successors: X 13 over an average of
// 22/3, proposed. Counted by the new codes alone (the successions gone) X
// has 1 below an average of 2 and Y is proposed instead, and the old
// codes' statistics are data errors.
func TestProposalOverTheMergerCountsThePredecessors(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := reformRunner(t, s)
		day := d(2026, 1, 10)
		proposal := func() (*jobs.CandidatesReport, []store.Finding) {
			t.Helper()
			res, err := r.Run(ctx, finding.JobCandidates, day)
			if err != nil {
				t.Fatal(err)
			}
			return res.Report.(*jobs.CandidatesReport), res.Findings
		}
		rep, fs := proposal()
		p := rep.Proposal
		got := map[string]string{}
		for _, c := range p.Candidates {
			got[c.Unit.Code] = fmt.Sprintf("%d %s %d", c.Counts.SocialOrder, c.Status, c.Rank)
		}
		want := map[string]string{"X": "13 proposed 1", "Y": "5 below_average 0", "Z": "4 below_average 0"}
		if fmt.Sprint(got) != fmt.Sprint(want) || p.TotalUnits != 3 || p.Cap != 1 || p.Baseline.Province.Total != 22 ||
			math.Abs(p.Baseline.Province.Avg-22.0/3) > 1e-12 || len(p.Baseline.Districts) != 0 {
			t.Errorf("over the merger: %v, %d units, cap %d, total %d, avg %v, districts %v; want %v, 3, 1, 22, 7.33, none",
				got, p.TotalUnits, p.Cap, p.Baseline.Province.Total, p.Baseline.Province.Avg, p.Baseline.Districts, want)
		}
		if errs := dataErrorKeys(fs); len(errs) != 0 {
			t.Errorf("data errors %v, want none", errs)
		}

		if _, err := s.DB().ExecContext(ctx, `DELETE FROM unit_successions`); err != nil {
			t.Fatal(err)
		}
		rep, fs = proposal()
		p = rep.Proposal
		got = map[string]string{}
		for _, c := range p.Candidates {
			got[c.Unit.Code] = fmt.Sprintf("%d %s %d", c.Counts.SocialOrder, c.Status, c.Rank)
		}
		want = map[string]string{"X": "1 below_average 0", "Y": "4 proposed 1", "Z": "1 below_average 0"}
		if fmt.Sprint(got) != fmt.Sprint(want) || p.Baseline.Province.Total != 6 || p.Baseline.Province.Avg != 2 {
			t.Errorf("new codes only: %v, total %d, avg %v; want %v, 6, 2.0", got, p.Baseline.Province.Total, p.Baseline.Province.Avg, want)
		}
		wantErrs := "crime_stats/no_successor/A1 crime_stats/no_successor/A2 crime_stats/no_successor/B1 crime_stats/no_successor/B2 crime_stats/no_successor/B3"
		if errs := strings.Join(dataErrorKeys(fs), " "); errs != wantErrs {
			t.Errorf("data errors %s, want %s", errs, wantErrs)
		}
	})
}

// A1, transformed in 2023, is checked on 14/12/2025 as X, the commune it
// merged into: X's 13 (A1 9 and A2 3 before July, X's own 1 after) pass the
// gate over 22/3, and category 1 too: relapsed. B2's successor Z (4) is
// normal. The 2023 figure counts the relapse: 1 of 2 transformed areas not
// relapsed, 50% < 85%; without following the merger neither area would be
// checked and it would read 100%.
func TestPreMergerAreaRelapsesAsItsSuccessor(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := reformRunner(t, s)
		res, err := r.Run(ctx, finding.JobRelapse, d(2025, 12, 20))
		if err != nil {
			t.Fatal(err)
		}
		rep := res.Report.(*jobs.RelapseReport)
		if rep.On != d(2025, 12, 14) {
			t.Fatalf("check day %v", rep.On)
		}
		got := map[rules.AreaKey]finding.RelapseItem{}
		for _, it := range rep.Areas {
			got[it.Area.Key()] = it
		}
		x, z := got[rules.AreaKey{Unit: "X", Year: 2023}], got[rules.AreaKey{Unit: "Z", Year: 2023}]
		if len(got) != 2 || !x.Checked || !x.Relapsed || !x.ByGate || !x.ByCategory || x.Counts.SocialOrder != 13 ||
			math.Abs(x.ProvinceAvg-22.0/3) > 1e-12 || !x.Changed {
			t.Errorf("areas %v; X/2023 = %+v, want relapsed by gate and category with 13 over 7.33", got, x)
		}
		if !z.Checked || z.Relapsed || z.Counts.SocialOrder != 4 {
			t.Errorf("Z/2023 = %+v, want checked, normal, 4", z)
		}
		var y2023 rules.Progress
		for _, p := range rep.Progress {
			if p.Year == 2023 {
				y2023 = p
			}
		}
		if y2023.Transformed != 2 || y2023.Relapsed != 1 || y2023.StableRate != 50 || y2023.StableMet {
			t.Errorf("2023 progress %+v, want 2 transformed, 1 relapsed, 50%%, not met", y2023)
		}
		states, err := s.RelapseStates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		st := states[rules.AreaKey{Unit: "X", Year: 2023}]
		if len(states) != 2 || !st.Relapsed || !st.FirstRelapsedOn.Equal(d(2025, 12, 14)) {
			t.Errorf("states %+v, want X/2023 and Z/2023, X first relapsed 14/12/2025", states)
		}
		if errs := dataErrorKeys(res.Findings); len(errs) != 0 {
			t.Errorf("data errors %v, want none", errs)
		}
	})
}

// The watch continues under the successor: A1's state from a check before
// the merger (relapsed since 14/04/2025) is X's, so the check of 14/12/2025
// finds X still relapsed, no change to announce, since 14/04/2025.
func TestRelapseWatchContinuesUnderTheSuccessor(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := reformRunner(t, s)
		err := s.InTx(ctx, func(tx *store.Tx) error {
			return tx.PutRelapseState(ctx, store.RelapseState{Unit: "A1", Year: 2023, Relapsed: true, Since: d(2025, 4, 14),
				EverRelapsed: true, CheckedOn: d(2025, 5, 14), FirstRelapsedOn: d(2025, 4, 14)})
		})
		if err != nil {
			t.Fatal(err)
		}
		res, err := r.Run(ctx, finding.JobRelapse, d(2025, 12, 20))
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range res.Report.(*jobs.RelapseReport).Areas {
			if it.Area.Unit == "X" && (!it.Relapsed || it.Changed || !it.Since.Equal(d(2025, 4, 14))) {
				t.Errorf("X/2023 = relapsed %t changed %t since %v, want still relapsed since 14/04/2025, unchanged", it.Relapsed, it.Changed, it.Since)
			}
		}
		states, err := s.RelapseStates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st := states[rules.AreaKey{Unit: "X", Year: 2023}]; !st.FirstRelapsedOn.Equal(d(2025, 4, 14)) || !st.CheckedOn.Equal(d(2025, 12, 14)) {
			t.Errorf("X/2023 state %+v, want first relapsed 14/04/2025, checked 14/12/2025", st)
		}
	})
}

// The 2025 verdict on A2's area was recorded on the new code X: it closes
// the 2025 area (not transformed), and X, selected again in 2026, is in
// 2026's work once, reselected. B1's verdict, on the old code, closes its
// area too, which carries over into 2026 as Y, its successor: no B1 and no
// A2 beside them.
func TestVerdictOnTheNewCodeClosesTheArea(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := reformRunner(t, s)
		rep2025, err := r.CycleOf(ctx, jobs.CycleQuery{On: d(2026, 1, 25), Year: 2025})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range rep2025.Cycle.Areas {
			got = append(got, fmt.Sprintf("%s %s verdict=%t carries=%t", a.Unit, a.Stage, a.HasVerdict, a.CarriesOver))
		}
		want := "X not_transformed verdict=true carries=true; Y not_transformed verdict=true carries=true"
		if strings.Join(got, "; ") != want || rep2025.Cycle.Selected.Assessed != 2 {
			t.Errorf("2025 on 25/01/2026:\n%s\nwant\n%s", strings.Join(got, "; "), want)
		}

		rep, err := r.CycleOf(ctx, jobs.CycleQuery{On: d(2026, 3, 1)})
		if err != nil {
			t.Fatal(err)
		}
		got = nil
		for _, a := range rep.Cycle.Areas {
			got = append(got, fmt.Sprintf("%s carried=%t reselected=%t origin=%d", a.Unit, a.CarriedOver, a.Reselected, a.Origin))
		}
		want = "X carried=false reselected=true origin=2026; Y carried=true reselected=false origin=2025"
		if rep.Year != 2026 || strings.Join(got, "; ") != want || rep.Cycle.Selected.Areas != 1 || rep.Cycle.Carried.Areas != 1 {
			t.Errorf("2026 on 01/03/2026:\n%s\nwant\n%s", strings.Join(got, "; "), want)
		}
	})
}

// The 2025 plan, due 30 days after the decision of 01/03/2025, stays the
// old districts' obligation for the old communes; the 2025 year report,
// due 20/12/2025 after the districts' end, is owed by the bodies of the
// communes the areas merged into (no district is in force then).
func TestDeadlinesAreOwedOnTheirDueDay(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := reformRunner(t, s)
		res, err := r.Run(ctx, finding.JobDeadlines, d(2026, 1, 5))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, dl := range res.Report.(*jobs.DeadlinesReport).Deadlines {
			if dl.Year == 2025 {
				got = append(got, jobs.DeadlineKey(dl)+" due "+dl.Due.Format(time.DateOnly))
			}
		}
		want := "D1/plan/2025/A2 due 2025-03-31; D1/report_h1/2025-H1 due 2025-06-20; " +
			"D2/plan/2025/B1 due 2025-03-31; D2/report_h1/2025-H1 due 2025-06-20; " +
			"xa:X/report_year/2025 due 2025-12-20; xa:Y/report_year/2025 due 2025-12-20"
		if strings.Join(got, "; ") != want {
			t.Errorf("2025 obligations\n%s\nwant\n%s", strings.Join(got, "; "), want)
		}
	})
}

// A late catch-up of an older month does not rewind the state, but a
// relapse it finds is recorded with its day: X is normal over the window of
// 14/06/2026 (X 1, Y 4, Z 1: 1 < 2.0), then the check of 14/12/2025, run
// afterwards, finds it relapsed (13 > 7.33): the state stays normal as of
// 14/06/2026 and says X was first found relapsed on 14/12/2025.
func TestLateCheckRecordsTheFirstRelapse(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := reformRunner(t, s)
		r.Now = func() time.Time { return time.Date(2026, 6, 20, 1, 0, 0, 0, time.UTC) }
		for _, day := range []time.Time{d(2026, 6, 20), d(2025, 12, 20)} {
			if _, err := r.Run(ctx, finding.JobRelapse, day); err != nil {
				t.Fatal(err)
			}
		}
		states, err := s.RelapseStates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		st := states[rules.AreaKey{Unit: "X", Year: 2023}]
		if st.Relapsed || !st.EverRelapsed || !st.CheckedOn.Equal(d(2026, 6, 14)) || !st.FirstRelapsedOn.Equal(d(2025, 12, 14)) {
			t.Errorf("X/2023 state %+v, want normal as checked on 14/06/2026, first relapsed 14/12/2025", st)
		}
	})
}

// The checks of one statistical month find the states as its first check
// left them: the later ones write none (2,991 upserts a day at national
// size), and the next month's check writes them again.
func TestRelapseChecksOfOneMonthWriteTheStatesOnce(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		// Every insert or update of relapse_state adds a row to writes.
		ddl := []string{`CREATE TABLE writes (n INTEGER)`,
			`CREATE TRIGGER relapse_inserted AFTER INSERT ON relapse_state BEGIN INSERT INTO writes VALUES (1); END`,
			`CREATE TRIGGER relapse_updated AFTER UPDATE ON relapse_state BEGIN INSERT INTO writes VALUES (1); END`}
		if s.Dialect() == store.Postgres {
			ddl = []string{`CREATE TABLE writes (n INTEGER)`,
				`CREATE FUNCTION note_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO writes VALUES (1); RETURN NULL; END $$`,
				`CREATE TRIGGER relapse_written AFTER INSERT OR UPDATE ON relapse_state FOR EACH ROW EXECUTE FUNCTION note_write()`}
		}
		for _, q := range ddl {
			if _, err := s.DB().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		writes := func() int {
			t.Helper()
			var n int
			if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM writes`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		r := reformRunner(t, s)
		r.Now = func() time.Time { return time.Date(2026, 7, 21, 1, 0, 0, 0, time.UTC) }
		check := func(day time.Time) map[rules.AreaKey]store.RelapseState {
			t.Helper()
			if _, err := r.Run(ctx, finding.JobRelapse, day); err != nil {
				t.Fatal(err)
			}
			states, err := s.RelapseStates(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return states
		}
		first := check(d(2026, 6, 20))
		n := writes()
		if n == 0 || len(first) == 0 {
			t.Fatalf("the month's first check wrote %d states, %d stored; want some", n, len(first))
		}
		if again := check(d(2026, 6, 21)); !maps.EqualFunc(again, first, store.RelapseState.Equal) || writes() != n {
			t.Errorf("a later check of the month: %d writes after %d, states %v after %v; want none and the same states", writes(), n, again, first)
		}
		if next := check(d(2026, 7, 20)); writes() == n || maps.EqualFunc(next, first, store.RelapseState.Equal) {
			t.Errorf("the next month's check: %d writes after %d, states %v; want them checked on the new month", writes(), n, next)
		}
	})
}
