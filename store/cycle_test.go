package store_test

import (
	"reflect"
	"strings"
	"testing"

	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

func cycleFixture() *store.CycleDataset {
	return &store.CycleDataset{
		Proposals: []rules.DistrictProposal{
			{Year: 2026, District: "D2", Unit: "U2", ProposedOn: d(2026, 1, 20)},
			{Year: 2026, District: "D1", Unit: "U1", ProposedOn: d(2026, 1, 5)},
			{Year: 2025, District: "D1", Unit: "U1", ProposedOn: d(2025, 1, 9)},
			// Ungrouped: the committee code is empty.
			{Year: 2026, District: "", Unit: "U3", ProposedOn: d(2026, 2, 2)},
		},
		CaseStats: []store.CaseStat{
			{Unit: "U1", Day: d(2026, 1, 14), Crimes: 5, Detected: 4, SeriousCrimes: 1, SeriousDetected: 1, ReportsReceived: 6, ReportsHandled: 6, Released: 2},
			{Unit: "U1", Day: d(2026, 2, 14), Crimes: 3, Detected: 1, ReportsReceived: 4, ReportsHandled: 3, Released: 1, Reoffended: 1},
			{Unit: "U1", Day: d(2026, 3, 14), Crimes: 9, Detected: 9},
			{Unit: "U2", Day: d(2026, 1, 20)}, // a row of zeros still says "data reported"
		},
	}
}

func TestCycleLoadAndRead(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		if err := s.LoadCycle(ctx, cycleFixture()); err != nil {
			t.Fatal(err)
		}
		// Loading again changes nothing; a corrected row replaces its key.
		fix := cycleFixture()
		fix.CaseStats[1].Detected = 2
		if err := s.LoadCycle(ctx, fix); err != nil {
			t.Fatal(err)
		}
		ps, err := s.Proposals(ctx, 2026)
		if err != nil {
			t.Fatal(err)
		}
		want := []rules.DistrictProposal{
			{Year: 2026, District: "", Unit: "U3", ProposedOn: d(2026, 2, 2)},
			{Year: 2026, District: "D1", Unit: "U1", ProposedOn: d(2026, 1, 5)},
			{Year: 2026, District: "D2", Unit: "U2", ProposedOn: d(2026, 1, 20)},
		}
		if !reflect.DeepEqual(ps, want) {
			t.Errorf("proposals 2026\n got %+v\nwant %+v", ps, want)
		}
		if all, err := s.Proposals(ctx, 0); err != nil || len(all) != 4 || all[0].Year != 2025 {
			t.Errorf("all proposals: %+v %v", all, err)
		}

		// 15/12/2025–14/02/2026 holds U1's first two rows and U2's:
		// U1 crimes 5+3 = 8, detected 4+2 = 6, serious 1/1, reports 10/9,
		// released 3, re-offended 1; March is outside.
		cc, err := s.CaseCounts(ctx, period.Range{From: d(2025, 12, 15), To: d(2026, 2, 14)})
		if err != nil {
			t.Fatal(err)
		}
		wantCC := map[string]rules.CaseCounts{
			"U1": {Crimes: 8, Detected: 6, SeriousCrimes: 1, SeriousDetected: 1, ReportsReceived: 10, ReportsHandled: 9, Released: 3, Reoffended: 1, Rows: 2},
			"U2": {Rows: 1},
		}
		if !reflect.DeepEqual(cc, wantCC) {
			t.Errorf("case counts\n got %+v\nwant %+v", cc, wantCC)
		}
		rows, err := s.CaseStats(ctx, period.Range{From: d(2026, 2, 1), To: d(2026, 3, 31)})
		if err != nil || len(rows) != 2 || rows[0].Detected != 2 || !rows[1].Day.Equal(d(2026, 3, 14)) {
			t.Errorf("case stats rows: %+v %v", rows, err)
		}
	})
}

func TestCycleLoadRejectsBadRows(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		bad := cycleFixture()
		bad.CaseStats = append(bad.CaseStats,
			store.CaseStat{Unit: "U3", Day: d(2026, 1, 14), Crimes: 2, SeriousCrimes: 3},
			store.CaseStat{Unit: "U3", Day: d(2026, 2, 14), Crimes: -1},
			store.CaseStat{Unit: "U1", Day: d(2026, 1, 14)},
		)
		bad.Proposals = append(bad.Proposals, rules.DistrictProposal{Year: 2026, District: "D1", Unit: "U9"})
		err := s.LoadCycle(ctx, bad)
		if err == nil {
			t.Fatal("bad rows accepted")
		}
		for _, w := range []string{
			"Proposals[4] (2026, U9): no proposal day",
			"CaseStats[4] (U3, 2026-01-14): 3 serious crimes out of 2 crimes",
			"CaseStats[5] (U3, 2026-02-14): negative count",
			"CaseStats[6] (U1, 2026-01-14): same key as CaseStats[0]",
		} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error lacks %q:\n%v", w, err)
			}
		}
		// Nothing of the batch was written.
		if ps, err := s.Proposals(ctx, 0); err != nil || len(ps) != 0 {
			t.Errorf("after a rejected load: %d proposals, %v", len(ps), err)
		}
	})
}
