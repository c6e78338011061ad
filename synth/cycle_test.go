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
	// One row per commune and closed statistical month, under the commune
	// existing on the month's last day. Without the reform: 170 communes ×
	// (5 years × 12 + 11 months of 2026 closed by 25/11/2026, November
	// closing on 14/11) = 170 × 71. With it: the 170 old communes for the
	// 54 months closed by 30/06/2025 (to 14/06/2025), the new ones for the
	// 17 from July 2025 (closing 14/07/2025) to November 2026.
	newUnits := 0
	for _, u := range demo.Units {
		if !u.ValidFrom.IsZero() {
			newUnits++
		}
	}
	for _, c := range []struct {
		o    Options
		ds   *store.Dataset
		rows int
	}{{ThreeTier(), threeTier, 170 * 71}, {Demo(), demo, 170*54 + newUnits*17}} {
		a := Cycle(1, c.o, c.ds)
		if !reflect.DeepEqual(a, Cycle(1, c.o, Province(1, c.o))) {
			t.Fatal("same seed gave different cycle data")
		}
		if err := a.Validate(); err != nil {
			t.Fatal(err)
		}
		if n := len(a.CaseStats); n != c.rows {
			t.Errorf("reform %t: %d case statistics rows, want %d", !c.o.Reform.IsZero(), n, c.rows)
		}
		// Crimes per commune and month are those of the offence statistics
		// of the commune and of those merged into it.
		w := newWorld(c.ds)
		cal := period.Calendar{Cutoff: 15}
		crimes := map[string]int{}
		for _, s := range c.ds.Stats {
			_, _, m := cal.MonthOf(s.Day)
			crimes[w.terr.Resolve(s.Unit, m.To).Code+m.To.Format(time.DateOnly)] += s.Count
		}
		for _, cs := range a.CaseStats {
			if !w.terr.ValidOn(cs.Unit, cs.Day) {
				t.Fatalf("case statistics row %+v on a commune not existing that day", cs)
			}
			if cs.Crimes != crimes[cs.Unit+cs.Day.Format(time.DateOnly)] || cs.Detected > cs.Crimes || cs.ReportsHandled > cs.ReportsReceived || cs.Reoffended > cs.Released {
				t.Fatalf("case statistics row %+v disagrees with the offence statistics (%d crimes)", cs, crimes[cs.Unit+cs.Day.Format(time.DateOnly)])
			}
		}
	}
}

// The demo day must show the year of work's features whatever the seed: a
// carried-over area, areas at risk after six months, a proposal failing
// the gate and, with districts, a district that proposed nothing.
func TestCycleShowsEveryFeature(t *testing.T) {
	for _, o := range []Options{Demo(), ThreeTier()} {
		for seed := int64(1); seed <= 4; seed++ {
			t.Run(fmt.Sprintf("reform %t seed %d", !o.Reform.IsZero(), seed), func(t *testing.T) {
				ds := province(seed, o)
				checkCycle(t, o, ds, Cycle(seed, o, ds))
			})
		}
	}
}

func checkCycle(t *testing.T, o Options, ds *store.Dataset, cy *store.CycleDataset) {
	cal := period.Calendar{Cutoff: 15}
	w := newWorld(ds)
	c := rules.YearCycleOf(rules.CycleParams{Targets: rules.TargetParams{TransformedPercent: 60, StablePercent: 85}}, o.ToYear, o.Today,
		w.selections(o.Today), w.assessments(o.Today), nil)
	if c.Carried.Areas == 0 {
		t.Errorf("no area carried over into %d", o.ToYear)
	}
	seen := map[string]bool{}
	for _, a := range c.Areas {
		if seen[a.Unit] {
			t.Errorf("%s listed twice in %d's work", a.Unit, o.ToYear)
		}
		seen[a.Unit] = true
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

	// Proposals of the last year, due 31 January: one failing the gate
	// over the year before. With districts every district but one
	// proposes, at least one commune each; without, communes propose
	// themselves.
	due := period.Date(o.ToYear, time.January, 31)
	units := w.units(due)
	prop := rules.Propose(rules.SelectionParams{Year: o.ToYear, AsOf: due, Grouped: true, CapPercent: 15, NTMRule: rules.NTMAlways},
		units, w.counts(cal.Year(o.ToYear-1), due))
	district := map[string]string{}
	for _, u := range units {
		district[u.Code] = u.District
	}
	proposed := map[string]int{}
	var fails []string
	for _, ch := range rules.CheckProposals(prop, cy.Proposals, w.selections(due)) {
		if ch.Proposal.Year != o.ToYear {
			continue
		}
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
	if o.Reform.IsZero() && len(proposed) != len(ds.Districts)-1 {
		t.Errorf("%d of %d districts proposed in %d, want all but one", len(proposed), len(ds.Districts), o.ToYear)
	}
	if !o.Reform.IsZero() && (len(proposed) != 1 || proposed[""] < 3) {
		t.Errorf("proposals of %d by %v, want several, all by communes (no district)", o.ToYear, proposed)
	}
	for _, pr := range cy.Proposals {
		day := period.Date(pr.Year, time.January, 31)
		u, ok := w.unitAt(pr.Unit, day)
		if !ok || u.Code != pr.Unit || u.District != pr.District || pr.ProposedOn.Year() != pr.Year || !pr.ProposedOn.Before(o.Today) {
			t.Errorf("bad proposal %+v", pr)
		}
	}
}
