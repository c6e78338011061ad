package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

func d(y int, m time.Month, day int) time.Time { return period.Date(y, m, day) }

// smallProvince: 2 districts, 7 units, one social-order offence of
// category 1. Counts over the 2025 statistical year (15/12/2024–14/12/2025):
//
//	D1: A 10, B 0, C 2  → district avg 12/3 = 4.0
//	D2: D 4, E 4, F 0, G 1 → district avg 9/4 = 2.25
//	province 21/7 = 3.0; cap floor(7×15/100) = floor(1.05) = 1
//
// A (10 > 3, 10 > 4) is eligible with severity 10/4 = 2.5; D and E (4 > 3,
// 4 > 2.25) with 4/3 ≈ 1.33; E is new-rural → excluded. Rank 1 A proposed,
// rank 2 D cut by the cap; B, C, F, G below average.
// B's 50 on 20/02/2026 lies after both the reference year and the relapse
// window of a check on 01/03/2026 (15/02/2025–14/02/2026), so it changes
// nothing.
func smallProvince() *store.Dataset {
	u := func(code, dist string) store.UnitRow {
		return store.UnitRow{Unit: rules.Unit{Code: code, Name: "Xã " + code, Kind: "xa", District: dist}}
	}
	units := []store.UnitRow{u("A", "D1"), u("B", "D1"), u("C", "D1"), u("D", "D2"), u("E", "D2"), u("F", "D2"), u("G", "D2")}
	units[4].NTMCertifiedOn = d(2023, 5, 12)
	stat := func(unit string, n int) store.Stat {
		return store.Stat{Unit: unit, Day: d(2025, 6, 1), Offence: "TT", Count: n}
	}
	return &store.Dataset{
		Districts: []rules.District{{Code: "D1", Name: "Huyện Một", Kind: "huyen"}, {Code: "D2", Name: "Huyện Hai", Kind: "huyen"}},
		Units:     units,
		Offences:  []store.Offence{{Code: "TT", Name: "Trộm cắp tài sản", Category: rules.Cat1, SocialOrder: true}},
		Stats: []store.Stat{stat("A", 10), stat("C", 2), stat("D", 4), stat("E", 4), stat("G", 1),
			{Unit: "B", Day: d(2026, 2, 20), Offence: "TT", Count: 50}},
		Selections: []rules.Selection{
			{Year: 2024, Unit: "A", Category: rules.Cat1, DecidedOn: d(2024, 3, 1)},
			{Year: 2025, Unit: "D", Category: rules.Cat1, DecidedOn: d(2025, 2, 1)},
			{Year: 2026, Unit: "A", Category: rules.Cat1, DecidedOn: d(2026, 2, 1)},
		},
		Assessments: []rules.Assessment{{Year: 2024, Unit: "A", Transformed: true, AssessedOn: d(2025, 1, 15)}},
		Submissions: []store.SubmissionRow{
			{District: "D2", Obligation: "plan", Period: "2025", Unit: "D", SubmittedAt: time.Date(2025, 3, 1, 3, 0, 0, 0, time.UTC)},
			{District: "D2", Obligation: "report_h1", Period: "2025-H1", SubmittedAt: time.Date(2025, 6, 25, 3, 0, 0, 0, time.UTC)},
		},
	}
}

func newRunner(t *testing.T, s *store.Store) *jobs.Runner {
	cfg := config.Default()
	return &jobs.Runner{Store: s, Config: cfg, Now: func() time.Time { return time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC) }}
}

func TestJobsEndToEnd(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.Load(ctx, smallProvince()); err != nil {
			t.Fatal(err)
		}
		r := newRunner(t, s)
		day := d(2026, 3, 1)

		first := map[finding.Job][]store.Finding{}
		for _, j := range finding.RecomputeJobs() {
			res, err := r.Run(ctx, j, day)
			if err != nil {
				t.Fatalf("%s: %v", j, err)
			}
			first[j] = res.Findings
		}

		// Candidates: keyed by selection year 2026.
		cands, err := s.Findings(ctx, finding.JobCandidates, "2026")
		if err != nil {
			t.Fatal(err)
		}
		wantState := map[string]string{"A": "proposed", "D": "cut_by_cap", "E": "excluded_ntm",
			"B": "below_average", "C": "below_average", "F": "below_average", "G": "below_average"}
		if len(cands) != len(wantState) {
			t.Fatalf("candidate findings = %d, want %d", len(cands), len(wantState))
		}
		for _, f := range cands {
			if string(f.State) != wantState[f.Unit] {
				t.Errorf("unit %s: state %s, want %s", f.Unit, f.State, wantState[f.Unit])
			}
		}
		var a struct {
			rules.Candidate
			Cap int
		}
		for _, f := range cands {
			if f.Unit == "A" {
				if err := json.Unmarshal(f.Payload, &a); err != nil {
					t.Fatal(err)
				}
			}
		}
		if a.ProvinceAvg != 3.0 || a.DistrictAvg != 4.0 || a.Counts.SocialOrder != 10 || a.Rank != 1 || a.Cap != 1 || a.Unit.District != "D1" {
			t.Errorf("A payload = %+v, want avg 3.0/4.0, count 10, rank 1, cap 1", a)
		}

		// Relapse: last closed month on 01/03/2026 is February (15/01–14/02).
		rel, err := s.Findings(ctx, finding.JobRelapse, "2026-02")
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[finding.Kind][]store.Finding{}
		for _, f := range rel {
			kinds[f.Kind] = append(kinds[f.Kind], f)
		}
		if got := kinds[finding.KindRelapse]; len(got) != 1 || got[0].Key != "A/2024" || got[0].State != "relapsed" || got[0].District != "D1" {
			t.Fatalf("relapse findings = %+v, want A/2024 relapsed in D1", got)
		}
		var item finding.RelapseItem
		if err := json.Unmarshal(kinds[finding.KindRelapse][0].Payload, &item); err != nil {
			t.Fatal(err)
		}
		if !item.Changed || !item.ByGate || !item.ByCategory || !item.EverRelapsed {
			t.Errorf("relapse item = %+v, want changed, by gate and category", item)
		}
		// Targets: 2024 selected 1, transformed 1 (100% ≥ 60%), relapsed 1
		// → stable 0/1 = 0% < 85%; 2025 and 2026 not assessed.
		targets := map[string]string{}
		for _, f := range kinds[finding.KindTarget] {
			targets[f.Key] = string(f.State)
		}
		if want := map[string]string{"2024": "not_met", "2025": "pending", "2026": "pending"}; !equalMaps(targets, want) {
			t.Errorf("targets = %v, want %v", targets, want)
		}

		// Deadlines on 01/03/2026 (reminder 7, grace 3, escalate 10):
		// D2 2025 plan sent 01/03 for due 03/03 → submitted; H1 sent 25/06
		// for 20/06 → late; yearly due 20/12/2025 missing, escalated from
		// 03/01/2026; D1 2026 plan due 01/02+30 = 03/03 → upcoming; the 2026
		// reports are pending and not recorded.
		dl, err := s.Findings(ctx, finding.JobDeadlines, "2026-03-01")
		if err != nil {
			t.Fatal(err)
		}
		states := map[string]string{}
		for _, f := range dl {
			states[f.Key] = string(f.State)
		}
		want := map[string]string{
			"D2/plan/2025/D":       "submitted",
			"D2/report_h1/2025-H1": "submitted_late",
			"D2/report_year/2025":  "escalated",
			"D1/plan/2026/A":       "upcoming",
		}
		if !equalMaps(states, want) {
			t.Errorf("deadline states = %v, want %v", states, want)
		}

		// Rerunning every job for the same day leaves the same stored result.
		for _, j := range finding.RecomputeJobs() {
			res, err := r.Run(ctx, j, day)
			if err != nil {
				t.Fatalf("rerun %s: %v", j, err)
			}
			stored, err := s.Findings(ctx, j, res.Period)
			if err != nil {
				t.Fatal(err)
			}
			if !sameFindings(stored, first[j]) {
				t.Errorf("rerun of %s changed its stored findings", j)
			}
			run, ok, err := s.LastRun(ctx, j)
			if err != nil || !ok {
				t.Fatalf("last run of %s: %v %v", j, ok, err)
			}
			if run.Status != "ok" || run.Attempts != 2 {
				t.Errorf("%s run = %+v, want ok after 2 attempts", j, run)
			}
		}
	})
}

func TestFailedRunKeepsPreviousFindings(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.Load(ctx, smallProvince()); err != nil {
			t.Fatal(err)
		}
		r := newRunner(t, s)
		day := d(2026, 3, 1)
		if _, err := r.Run(ctx, finding.JobCandidates, day); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("hook failed")
		r.AfterFindings = func(context.Context, *store.Tx, finding.Job, string, []store.Finding) error { return boom }
		if _, err := r.Run(ctx, finding.JobCandidates, day); !errors.Is(err, boom) {
			t.Fatalf("run with failing hook: err = %v, want %v", err, boom)
		}
		fs, err := s.Findings(ctx, finding.JobCandidates, "2026")
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != 7 {
			t.Errorf("after a failed rerun %d findings remain, want the previous 7", len(fs))
		}
		run, _, err := s.LastRun(ctx, finding.JobCandidates)
		if err != nil {
			t.Fatal(err)
		}
		if run.Status != "failed" || run.Error == "" {
			t.Errorf("run = %+v, want failed with its error", run)
		}
	})
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func sameFindings(a, b []store.Finding) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Kind != y.Kind || x.Key != y.Key || x.State != y.State || x.District != y.District || x.Unit != y.Unit || string(compact(x.Payload)) != string(compact(y.Payload)) {
			return false
		}
	}
	return true
}

func compact(b []byte) []byte {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return b
	}
	out, _ := json.Marshal(v)
	return out
}
