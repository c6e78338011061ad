package jobs_test

import (
	"context"
	"encoding/json"
	"testing"

	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// cycleProvince extends smallProvince (A..G, see there) with a year of
// work. 2026: A and G selected on 01/02; D, selected in 2025 and found not
// transformed on 20/01/2026, carries over. Case statistics in the 2026
// window (15/12/2025 on):
//
//	A: 20 crimes, 17 detected (85% ≥ 80); 2 serious, 2 detected; 25/25
//	   reports; 3 released, none re-offending            → every indicator met
//	G: 10 crimes,  7 detected (70% < 80: ⌈8⌉ − 7 = 1 short) → misses detection
//	D: no rows                                           → no data
//
// G's row of 20/06 (10 crimes, none detected) lies after June closes
// (14/06) and must not count on 01/07.
//
// Proposals for 2026 (reference: statistical 2025, province avg 3, D1 avg
// 4, D2 avg 2.25): D1 proposes A (10: eligible) and C (2: fails the gate)
// on 10/01; D2 proposes nothing.
func cycleProvince() (*store.Dataset, *store.CycleDataset) {
	ds := smallProvince()
	ds.Selections = append(ds.Selections, rules.Selection{Year: 2026, Unit: "G", Category: rules.Cat1, DecidedOn: d(2026, 2, 1)})
	ds.Assessments = append(ds.Assessments, rules.Assessment{Year: 2025, Unit: "D", Transformed: false, AssessedOn: d(2026, 1, 20)})
	cy := &store.CycleDataset{
		Proposals: []rules.DistrictProposal{
			{Year: 2026, District: "D1", Unit: "A", ProposedOn: d(2026, 1, 10)},
			{Year: 2026, District: "D1", Unit: "C", ProposedOn: d(2026, 1, 10)},
		},
		CaseStats: []store.CaseStat{
			{Unit: "A", Day: d(2026, 1, 14), Crimes: 12, Detected: 10, SeriousCrimes: 2, SeriousDetected: 2, ReportsReceived: 15, ReportsHandled: 15, Released: 3},
			{Unit: "A", Day: d(2026, 4, 14), Crimes: 8, Detected: 7, ReportsReceived: 10, ReportsHandled: 10},
			{Unit: "G", Day: d(2026, 2, 14), Crimes: 6, Detected: 4, ReportsReceived: 6, ReportsHandled: 6},
			{Unit: "G", Day: d(2026, 5, 14), Crimes: 4, Detected: 3, ReportsReceived: 4, ReportsHandled: 4},
			{Unit: "G", Day: d(2026, 6, 20), Crimes: 10},
		},
	}
	return ds, cy
}

func TestCycleJob(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ds, cy := cycleProvince()
		if err := s.Load(ctx, ds); err != nil {
			t.Fatal(err)
		}
		if err := s.LoadCycle(ctx, cy); err != nil {
			t.Fatal(err)
		}
		r := newRunner(t, s)
		// The relapse check first, as in a full run: A (transformed 2024)
		// is normal over 15/06/2025–14/06/2026 (its 10 crimes of 01/06/2025
		// fall before), which the 85% projection counts.
		day := d(2026, 7, 1)
		for _, j := range []finding.Job{finding.JobRelapse, finding.JobCycle} {
			if _, err := r.Run(ctx, j, day); err != nil {
				t.Fatalf("%s: %v", j, err)
			}
		}
		fs, err := s.Findings(ctx, finding.JobCycle, "2026-07-01")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		byKey := map[string]store.Finding{}
		for _, f := range fs {
			got[string(f.Kind)+" "+f.Key] = string(f.State)
			byKey[string(f.Kind)+" "+f.Key] = f
		}
		want := map[string]string{
			// The year before: D's verdict stands.
			"cycle_area D/2025": "assessed",
			// 2026 on 01/07: June closed on 14/06, the six-month mark, so G
			// is warned.
			"cycle_area A/2026":  "on_track",
			"cycle_area G/2026":  "at_risk",
			"cycle_area D/2026":  "no_data",
			"proposal D1/A/2026": "acceptable",
			"proposal D1/C/2026": "fails_gate",
			// Due 31/01/2026; D2 missing since, escalated from 14/02.
			"proposal_deadline D1/proposal/2026": "submitted",
			"proposal_deadline D2/proposal/2026": "escalated",
			// Pass: A meets, G does not, D is carried over (not counted):
			// 1 of 2 = 50% < 60% (needs ⌈1.2⌉ = 2). Stable: A 2024 not
			// relapsed, 1 of 1 = 100% ≥ 85%.
			"projection 2026/pass": "below",
			"projection stable":    "met",
			// The committee selected A and G for 2026: 2 areas, cap
			// floor(7 × 15%) = 1; G (1 crime, not above the province's 3.0)
			// departs from the gate.
			"decision 2026": "departs",
		}
		if !equalMaps(got, want) {
			t.Errorf("cycle findings\n got %v\nwant %v", got, want)
		}

		dec, err := finding.Decode[rules.DecisionCheck](finding.KindDecision, byKey["decision 2026"].Payload)
		if err != nil {
			t.Fatal(err)
		}
		if dec.Areas != 2 || dec.Cap != 1 || dec.OverCap != 1 || len(dec.Departures) != 1 || dec.Departures[0].Unit != "G" ||
			dec.Departures[0].Rule != rules.DepartsGate || dec.Departures[0].Candidate.Counts.SocialOrder != 1 || dec.Departures[0].Candidate.ProvinceAvg != 3 {
			t.Errorf("decision 2026: %+v; want 2 areas over the cap of 1, G departing from the gate with 1 crime against 3.0", dec)
		}

		var g finding.CycleItem
		if err := json.Unmarshal(byKey["cycle_area G/2026"].Payload, &g); err != nil {
			t.Fatal(err)
		}
		det := g.Indicators.Indicators[0]
		if g.District != "D2" || det.Num != 7 || det.Den != 10 || det.Met || det.Short != 1 || !g.Window.To.Equal(d(2026, 6, 14)) || !g.YearEnd.Equal(d(2026, 12, 14)) {
			t.Errorf("G payload: district %s, detection %+v, window %s, year end %s", g.District, det, g.Window, g.YearEnd)
		}
		var dd finding.CycleItem
		if err := json.Unmarshal(byKey["cycle_area D/2026"].Payload, &dd); err != nil {
			t.Fatal(err)
		}
		if !dd.CarriedOver || dd.Origin != 2025 {
			t.Errorf("D 2026: carried %v origin %d, want carried from 2025", dd.CarriedOver, dd.Origin)
		}
		var pc rules.ProposalCheck
		if err := json.Unmarshal(byKey["proposal D1/C/2026"].Payload, &pc); err != nil {
			t.Fatal(err)
		}
		if pc.Candidate.Counts.SocialOrder != 2 || pc.Candidate.ProvinceAvg != 3 || pc.Candidate.DistrictAvg != 4 || !pc.FailsGate {
			t.Errorf("C check: %+v", pc)
		}
		var pr finding.ProjectionItem
		if err := json.Unmarshal(byKey["projection 2026/pass"].Payload, &pr); err != nil {
			t.Fatal(err)
		}
		if pr.Selected != 2 || pr.Passing != 1 || pr.PassNeeded != 2 || pr.Percent != 60 || pr.Relapsed != 0 || pr.AllTransformed != 1 || !pr.StableMet {
			t.Errorf("projection: %+v", pr)
		}

		// Before the six-month mark the same shortfall is shown, not warned:
		// on 20/05 the window ends with May (14/05).
		if _, err := r.Run(ctx, finding.JobCycle, d(2026, 5, 20)); err != nil {
			t.Fatal(err)
		}
		early, err := s.Findings(ctx, finding.JobCycle, "2026-05-20")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range early {
			if f.Kind == finding.KindCycleArea && f.Key == "G/2026" && f.State != finding.CycleBelow {
				t.Errorf("G on 20/05: %s, want below", f.State)
			}
		}

		// In January 2026, before the 2026 list is decided, the year of work
		// is still 2025: D's verdict is in, so it is assessed; the
		// proposals of 2026 are due on 31/01 and D2's is upcoming.
		rep, err := r.CycleOf(ctx, jobs.CycleQuery{On: d(2026, 1, 25)})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Year != 2025 || len(rep.Areas) != 1 || rep.Areas[0].State != finding.CycleAssessed || rep.ProposalYear != 2026 {
			t.Errorf("25/01/2026: year %d, areas %+v, proposal year %d", rep.Year, rep.Areas, rep.ProposalYear)
		}
		for _, pd := range rep.ProposalDeadlines {
			if pd.Committee == rules.DistrictCommittee("D2") && pd.State != rules.DeadlineUpcoming {
				t.Errorf("D2 on 25/01: %s, want upcoming", pd.State)
			}
		}
	})
}

// Without districts (grouping: none, though the data still names them)
// each commune's body is warned about its own area, and with
// proposals.min_per_unit 1 each commune owes its own proposal: B's,
// made on 20/01 with no district, is on time (due 31/01); A's district
// proposed it, which is no proposal of A's own, so A's is escalated (from
// 14/02) like every other commune's. No district owes anything.
func TestCycleJobCommunes(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ds, cy := cycleProvince()
		cy.Proposals = append(cy.Proposals, rules.DistrictProposal{Year: 2026, Unit: "B", ProposedOn: d(2026, 1, 20)})
		if err := s.Load(ctx, ds); err != nil {
			t.Fatal(err)
		}
		if err := s.LoadCycle(ctx, cy); err != nil {
			t.Fatal(err)
		}
		r := newRunner(t, s)
		r.Config.Grouping = "none"
		r.Config.Proposals.MinPerUnit = 1
		res, err := r.Run(ctx, finding.JobCycle, d(2026, 7, 1))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, f := range res.Findings {
			if f.Kind == finding.KindProposalDeadline || f.Kind == finding.KindCycleArea && f.Key == "G/2026" {
				got[f.Key] = f.District + " " + string(f.State)
			}
		}
		want := map[string]string{"G/2026": "xa:G at_risk", "xa:B/proposal/2026": "xa:B submitted"}
		for _, u := range []string{"A", "C", "D", "E", "F", "G"} {
			want["xa:"+u+"/proposal/2026"] = "xa:" + u + " escalated"
		}
		if !equalMaps(got, want) {
			t.Errorf("findings\n got %v\nwant %v", got, want)
		}
		rep := res.Report.(*jobs.CycleReport)
		if rep.Grouped {
			t.Error("a province without districts reported as grouped")
		}
		for _, it := range rep.Areas {
			if it.District != "" {
				t.Errorf("area %s names district %q without grouping", it.Unit, it.District)
			}
		}
	})
}
