package synth

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

func TestCycleDeterministicAndValid(t *testing.T) {
	a := Cycle(1, Demo(), demo)
	if !reflect.DeepEqual(a, Cycle(1, Demo(), Province(1, Demo()))) {
		t.Fatal("same seed gave different cycle data")
	}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	// One row per commune and closed statistical month: 170 communes ×
	// (5 years × 12 + 11 months of 2026 closed by 25/11/2026, November
	// closing on 14/11) = 170 × 71.
	if n := len(a.CaseStats); n != 170*71 {
		t.Errorf("%d case statistics rows, want %d", n, 170*71)
	}
	// Crimes per commune and month are those of the offence statistics.
	cal := period.Calendar{Cutoff: 15}
	crimes := map[string]int{}
	for _, s := range demo.Stats {
		_, _, m := cal.MonthOf(s.Day)
		crimes[s.Unit+m.To.Format(time.DateOnly)] += s.Count
	}
	for _, c := range a.CaseStats {
		if c.Crimes != crimes[c.Unit+c.Day.Format(time.DateOnly)] || c.Detected > c.Crimes || c.ReportsHandled > c.ReportsReceived || c.Reoffended > c.Released {
			t.Fatalf("case statistics row %+v disagrees with the offence statistics (%d crimes)", c, crimes[c.Unit+c.Day.Format(time.DateOnly)])
		}
	}
}

// The demo day must show the year of work's features whatever the seed: a
// carried-over area, areas at risk after six months, a district proposal
// failing the gate and a district that proposed nothing.
func TestCycleShowsEveryFeature(t *testing.T) {
	for seed := int64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			ds := demo
			if seed != 1 {
				ds = Province(seed, Demo())
			}
			checkCycle(t, ds, Cycle(seed, Demo(), ds))
		})
	}
}

func checkCycle(t *testing.T, ds *store.Dataset, cy *store.CycleDataset) {
	o := Demo()
	cal := period.Calendar{Cutoff: 15}
	c := rules.YearCycleOf(rules.CycleParams{Targets: rules.TargetParams{TransformedPercent: 60, StablePercent: 85}}, o.ToYear, o.Today, ds.Selections, ds.Assessments, nil)
	if c.Carried.Areas == 0 {
		t.Errorf("no area carried over into %d", o.ToYear)
	}

	// Indicators over 15/12/2025–14/11/2026 (the last month closed on the
	// demo day), past the six-month mark.
	window := period.Range{From: cal.Year(o.ToYear).From, To: period.Date(o.ToYear, time.November, 14)}
	sums := map[string]rules.CaseCounts{}
	for _, s := range cy.CaseStats {
		if window.Contains(s.Day) {
			sums[s.Unit] = sums[s.Unit].Add(rules.CaseCounts{Crimes: s.Crimes, Detected: s.Detected, SeriousCrimes: s.SeriousCrimes,
				SeriousDetected: s.SeriousDetected, ReportsReceived: s.ReportsReceived, ReportsHandled: s.ReportsHandled,
				Released: s.Released, Reoffended: s.Reoffended, Rows: 1})
		}
	}
	p := rules.IndicatorParams{DetectionPercent: 80, SeriousDetectionPercent: 95, ReportsHandledPercent: 100, ReoffendingBelowPercent: 15}
	failing := map[rules.IndicatorCode]int{}
	atRisk := 0
	for _, a := range c.Areas {
		r := rules.AssessIndicators(p, sums[a.Unit])
		if !r.HasData {
			t.Errorf("area %s of %d has no case statistics", a.Unit, o.ToYear)
		}
		if !r.Met {
			atRisk++
			for _, in := range r.Failing() {
				failing[in.Code]++
			}
		}
	}
	t.Logf("%d: %d selected, %d carried over, %d at risk (%v)", o.ToYear, c.Selected.Areas, c.Carried.Areas, atRisk, failing)
	// Exactly the two lagging areas: most areas are on track.
	if atRisk != 2 || failing[rules.IndDetection] != 1 || failing[rules.IndReportsHandled] != 1 || failing[rules.IndReoffending] != 1 {
		t.Errorf("%d areas at risk, failing %v; want one behind on detection, one on reports and re-offending", atRisk, failing)
	}

	// Proposals of the last year: every district but one, at least one
	// each, and one proposal failing the gate over the year before.
	units := plainUnits(ds)
	prop := rules.Propose(rules.SelectionParams{Year: o.ToYear, AsOf: o.Today, Grouped: true, CapPercent: 15, NTMRule: rules.NTMAlways},
		units, counts(ds, cal.Year(o.ToYear-1)))
	district := map[string]string{}
	for _, u := range units {
		district[u.Code] = u.District
	}
	proposed := map[string]int{}
	var fails []string
	for _, ch := range rules.CheckProposals(prop, cy.Proposals, ds.Selections) {
		proposed[ch.Proposal.District]++
		if !ch.Known || ch.OtherDistrict {
			t.Errorf("proposal %+v: unit unknown or of another district", ch.Proposal)
		}
		if ch.FailsGate {
			fails = append(fails, ch.Proposal.Unit)
		}
	}
	// Quiet districts put forward communes below the province average, and
	// one district adds a local hot spot that is not above it: some fail.
	t.Logf("%d proposals of %d fail the gate: %v", len(fails), len(cy.Proposals), fails)
	if len(fails) == 0 {
		t.Errorf("no proposal fails the gate in %d", o.ToYear)
	}
	if len(proposed) != len(ds.Districts)-1 {
		t.Errorf("%d of %d districts proposed in %d, want all but one", len(proposed), len(ds.Districts), o.ToYear)
	}
	for _, pr := range cy.Proposals {
		if district[pr.Unit] != pr.District || pr.ProposedOn.Year() != pr.Year || !pr.ProposedOn.Before(o.Today) {
			t.Errorf("bad proposal %+v", pr)
		}
	}
}
