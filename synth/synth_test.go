package synth

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// demo (the province after the reform) and threeTier (without it) are
// generated once: every test below reads them and none changes them.
var (
	demo      = Province(1, Demo())
	threeTier = Province(1, ThreeTier())
)

// province is seed's province with options o, the shared one for seed 1.
func province(seed int64, o Options) *store.Dataset {
	switch {
	case seed == 1 && o == Demo():
		return demo
	case seed == 1 && o == ThreeTier():
		return threeTier
	}
	return Province(seed, o)
}

func TestDeterministic(t *testing.T) {
	for _, o := range []Options{Demo(), ThreeTier()} {
		again := Province(1, o)
		if !reflect.DeepEqual(province(1, o), again) {
			t.Fatal("same seed gave different datasets")
		}
		other := Province(2, o)
		if reflect.DeepEqual(again.Stats, other.Stats) {
			t.Error("seeds 1 and 2 gave the same statistics")
		}
		if reflect.DeepEqual(again.Selections, other.Selections) {
			t.Error("seeds 1 and 2 gave the same selections")
		}
	}
}

// The three-tier province: districts and their communes to this day.
func TestInvariants(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		checkInvariants(t, seed, ThreeTier(), province(seed, ThreeTier()))
	}
}

func checkInvariants(t *testing.T, seed int64, o Options, ds *store.Dataset) {
	t.Helper()
	if err := ds.Validate(); err != nil {
		t.Fatalf("seed %d: Validate: %v", seed, err)
	}
	if len(ds.Districts) != o.Districts {
		t.Errorf("seed %d: %d districts, want %d", seed, len(ds.Districts), o.Districts)
	}
	if len(ds.Units) != o.Units {
		t.Errorf("seed %d: %d units, want %d", seed, len(ds.Units), o.Units)
	}
	districts := map[string]bool{}
	for _, d := range ds.Districts {
		districts[d.Code] = true
		if !slices.Contains([]string{"huyen", "thi_xa", "thanh_pho"}, d.Kind) {
			t.Errorf("seed %d: district %s kind %q", seed, d.Code, d.Kind)
		}
	}
	units := map[string]store.UnitRow{}
	ntm := 0
	for _, u := range ds.Units {
		units[u.Code] = u
		if !districts[u.District] {
			t.Errorf("seed %d: unit %s in unknown district %q", seed, u.Code, u.District)
		}
		if !slices.Contains([]string{"xa", "phuong", "thi_tran"}, u.Kind) {
			t.Errorf("seed %d: unit %s kind %q", seed, u.Code, u.Kind)
		}
		if !u.NTMCertifiedOn.IsZero() {
			ntm++
			if u.Kind != "xa" {
				t.Errorf("seed %d: %s %s (%s) certified new-rural; only xã are", seed, u.Code, u.Name, u.Kind)
			}
			if u.NTMCertifiedOn.After(o.Today) {
				t.Errorf("seed %d: %s certified after today", seed, u.Code)
			}
		}
	}
	// 35% of 170 = 59.5, rounded to 60 when there are enough xã.
	if share := float64(ntm) / float64(len(ds.Units)); share < 0.30 || share > 0.40 {
		t.Errorf("seed %d: %d of %d units new-rural (%.0f%%), want about 35%%", seed, ntm, len(ds.Units), 100*share)
	}
	offences := map[string]store.Offence{}
	cats := map[rules.Category]bool{}
	for _, of := range ds.Offences {
		offences[of.Code] = of
		cats[of.Category] = true
		if of.Category == rules.Cat1 && !of.SocialOrder {
			t.Errorf("seed %d: category-1 offence %s not social order", seed, of.Code)
		}
	}
	if len(cats) != 4 {
		t.Errorf("seed %d: offences cover categories %v, want all four", seed, cats)
	}
	first := period.Date(o.FromYear-1, time.December, 15)
	for _, s := range ds.Stats {
		if _, ok := units[s.Unit]; !ok {
			t.Fatalf("seed %d: stat for unknown unit %q", seed, s.Unit)
		}
		if _, ok := offences[s.Offence]; !ok {
			t.Fatalf("seed %d: stat for unknown offence %q", seed, s.Offence)
		}
		if s.Count <= 0 || s.Day.Before(first) || s.Day.After(o.Today) {
			t.Fatalf("seed %d: bad stat %+v", seed, s)
		}
	}
	if n := len(ds.Stats); n < 20000 || n > 150000 {
		t.Errorf("seed %d: %d stat rows, want 20k..150k", seed, n)
	}
	selected := map[rules.AreaKey]rules.Selection{}
	perYear := map[int]int{}
	for _, s := range ds.Selections {
		u, ok := units[s.Unit]
		if !ok {
			t.Fatalf("seed %d: selection of unknown unit %q", seed, s.Unit)
		}
		if !s.Category.Valid() || s.DecidedOn.Year() != s.Year || s.DecidedOn.After(o.Today) {
			t.Errorf("seed %d: bad selection %+v", seed, s)
		}
		// Quảng Ngãi never selects a commune already certified new-rural.
		if !u.NTMCertifiedOn.IsZero() && !u.NTMCertifiedOn.After(s.DecidedOn) {
			t.Errorf("seed %d: %s selected for %d on %s though certified new-rural on %s", seed, s.Unit, s.Year,
				s.DecidedOn.Format(time.DateOnly), u.NTMCertifiedOn.Format(time.DateOnly))
		}
		selected[rules.AreaKey{Unit: s.Unit, Year: s.Year}] = s
		perYear[s.Year]++
	}
	// About 10% of 170 communes a year: 17, plus two late decisions in 2026.
	for y := o.FromYear; y <= o.ToYear; y++ {
		if perYear[y] < 12 || perYear[y] > 20 {
			t.Errorf("seed %d: %d selections in %d, want about 17", seed, perYear[y], y)
		}
	}
	transformed := 0
	for _, a := range ds.Assessments {
		s, ok := selected[rules.AreaKey{Unit: a.Unit, Year: a.Year}]
		if !ok {
			t.Errorf("seed %d: assessment of %s for %d without a selection", seed, a.Unit, a.Year)
			continue
		}
		if !a.AssessedOn.After(s.DecidedOn) || a.AssessedOn.After(o.Today) || a.AssessedOn.Year() != a.Year+1 {
			t.Errorf("seed %d: bad assessment %+v of %+v", seed, a, s)
		}
		if a.Transformed {
			transformed++
		}
	}
	if y := o.ToYear - 1; len(ds.Assessments) != len(ds.Selections)-perYear[o.ToYear] {
		t.Errorf("seed %d: %d assessments, want one per selection of %d..%d (%d)", seed, len(ds.Assessments), o.FromYear, y, len(ds.Selections)-perYear[o.ToYear])
	}
	if rate := float64(transformed) / float64(len(ds.Assessments)); rate < 0.55 || rate > 0.85 {
		t.Errorf("seed %d: %.0f%% transformed, want about 70%%", seed, 100*rate)
	}
	for _, s := range ds.Submissions {
		if !districts[s.District] || s.SubmittedAt.IsZero() || s.SubmittedAt.Location() != time.UTC {
			t.Errorf("seed %d: bad submission %+v", seed, s)
		}
		if !period.Day(s.SubmittedAt, time.FixedZone("ICT", 7*3600)).Before(o.Today) {
			t.Errorf("seed %d: submission on or after today: %+v", seed, s)
		}
		if s.Obligation == "plan" {
			sel, ok := selected[rules.AreaKey{Unit: s.Unit, Year: atoi(t, s.Period)}]
			if !ok || units[s.Unit].District != s.District {
				t.Errorf("seed %d: plan for a unit not selected in its district: %+v", seed, s)
			} else if s.SubmittedAt.Before(sel.DecidedOn) {
				t.Errorf("seed %d: plan sent before the decision: %+v", seed, s)
			}
		} else if s.Unit != "" {
			t.Errorf("seed %d: district report with a unit: %+v", seed, s)
		}
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	d, err := time.Parse("2006", s)
	if err != nil {
		t.Fatalf("period %q: %v", s, err)
	}
	return d.Year()
}

func TestNames(t *testing.T) {
	for _, ds := range []*store.Dataset{demo, threeTier} {
		want := map[string]string{"D01": "Thành phố Quảng Ngãi", "D02": "Thị xã Đức Phổ", "D03": "Huyện Bình Sơn"}
		for _, d := range ds.Districts {
			if w, ok := want[d.Code]; ok && d.Name != w {
				t.Errorf("%s = %q, want %q", d.Code, d.Name, w)
			}
		}
		names := map[string]string{}
		for _, u := range ds.Units {
			names[u.Code] = u.Name
		}
		for code, name := range map[string]string{"D01X01": "Phường Trần Phú", "D03X01": "Thị trấn Châu Ổ", "D03X02": "Xã Bình Châu"} {
			if names[code] != name {
				t.Errorf("%s = %q, want %q", code, names[code], name)
			}
		}
	}
}

func TestOtherSizes(t *testing.T) {
	o := Options{Districts: 3, Units: 20, FromYear: 2024, ToYear: 2025, Today: period.Date(2025, time.August, 1)}
	ds := Province(7, o)
	if err := ds.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(ds.Districts) != 3 || len(ds.Units) != 20 {
		t.Errorf("%d districts, %d units", len(ds.Districts), len(ds.Units))
	}
	for _, s := range ds.Stats {
		if s.Day.After(o.Today) {
			t.Fatalf("stat after today: %+v", s)
		}
	}
	// More districts than Quảng Ngãi has get made-up names.
	big := Province(7, Options{Districts: 15, Units: 200, FromYear: 2025, ToYear: 2025, Today: period.Date(2025, time.March, 1)})
	if err := big.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(big.Districts) != 15 || len(big.Units) != 200 {
		t.Errorf("%d districts, %d units", len(big.Districts), len(big.Units))
	}
}

// counts sums the statistics of each unit over r.
func counts(ds *store.Dataset, r period.Range) map[string]rules.Counts {
	cat := map[string]store.Offence{}
	for _, o := range ds.Offences {
		cat[o.Code] = o
	}
	out := map[string]rules.Counts{}
	for _, s := range ds.Stats {
		if !r.Contains(s.Day) {
			continue
		}
		c := out[s.Unit]
		o := cat[s.Offence]
		c.ByCategory[o.Category] += s.Count
		if o.SocialOrder {
			c.SocialOrder += s.Count
		}
		out[s.Unit] = c
	}
	return out
}

// The story must show what the service is for, whatever the seed, with
// the reform and without. Each check runs the rules on the demo data as
// the service would on the demo day: with the units of the day, and the
// rows of merged communes counted for the communes they merged into.
func TestDemoShowsEveryFeature(t *testing.T) {
	for _, o := range []Options{Demo(), ThreeTier()} {
		for seed := int64(1); seed <= 4; seed++ {
			t.Run(fmt.Sprintf("reform %t seed %d", !o.Reform.IsZero(), seed), func(t *testing.T) {
				checkFeatures(t, o, province(seed, o))
			})
		}
	}
}

func checkFeatures(t *testing.T, o Options, demo *store.Dataset) {
	cal := period.Calendar{Cutoff: 15}
	w := newWorld(demo)

	// District averages matter: some communes are above the province
	// average but not their district's, and some the other way round (in
	// the last year with districts).
	refYear, day := o.ToYear-1, o.Today
	if !o.Reform.IsZero() {
		refYear, day = o.Reform.Year()-1, o.Reform.AddDate(0, 0, -1)
	}
	units := w.units(day)
	ref := w.counts(cal.Year(refYear), day)
	b := rules.ComputeBaseline(units, ref)
	var provOnly, distOnly int
	for _, u := range units {
		c := float64(ref[u.Code].SocialOrder)
		aboveP, aboveD := c > b.Province.Avg, c > b.Districts[u.District].Avg
		switch {
		case aboveP && !aboveD:
			provOnly++
		case aboveD && !aboveP:
			distOnly++
		}
	}
	t.Logf("reference %d: %d above only the province average, %d above only their district's", refYear, provOnly, distOnly)
	if provOnly < 3 || distOnly < 3 {
		t.Errorf("%d units above only the province average, %d above only their district's; want several of each", provOnly, distOnly)
	}

	// Past selections picked hot spots: most selected communes passed the
	// gate over the statistical year before.
	var sel, eligible int
	for y := o.FromYear + 1; y <= o.ToYear; y++ {
		asOf := period.Date(y, time.March, 1)
		prop := rules.Propose(rules.SelectionParams{Year: y, AsOf: asOf, Grouped: true, CapPercent: 15, NTMRule: rules.NTMAlways},
			w.units(asOf), w.counts(cal.Year(y-1), asOf))
		ok := map[string]bool{}
		for _, c := range prop.Candidates {
			ok[c.Unit.Code] = c.Eligible
		}
		for _, s := range demo.Selections {
			if s.Year == y && s.DecidedOn.Month() == time.March {
				sel++
				if ok[s.Unit] {
					eligible++
				}
			}
		}
	}
	t.Logf("past selections eligible over the year before: %d of %d", eligible, sel)
	if eligible*10 < sel*8 {
		t.Errorf("%d of %d past selections passed the gate over the year before; want at least 80%%", eligible, sel)
	}

	// Next year's proposal: some cut by the cap, some excluded as
	// new-rural, the rest proposed.
	window := cal.RollingYear(o.Today)
	prop := rules.Propose(rules.SelectionParams{Year: o.ToYear + 1, AsOf: o.Today, Grouped: true, CapPercent: 15, NTMRule: rules.NTMAlways},
		w.units(o.Today), w.counts(window, o.Today))
	status := map[rules.Status]int{}
	multi := 0
	for _, c := range prop.Candidates {
		status[c.Status]++
		if c.Status == rules.StatusProposed && len(c.Complex) > 1 {
			multi++
		}
	}
	t.Logf("proposal %d: cap %d, statuses %v, %d proposed complex in several categories", o.ToYear+1, prop.Cap, status, multi)
	if status[rules.StatusProposed] != prop.Cap || status[rules.StatusCutByCap] == 0 || status[rules.StatusExcludedNTM] == 0 || status[rules.StatusBelowAverage] == 0 {
		t.Errorf("proposal statuses %v (cap %d): want proposed up to the cap and some of every other status", status, prop.Cap)
	}
	if multi == 0 {
		t.Error("no proposed unit is complex in several categories")
	}

	// Relapse: some transformed areas are complex again on the demo day,
	// most are not.
	res := w.relapse(o.Today)
	relapsed := 0
	for _, r := range res {
		if r.Relapsed {
			relapsed++
		}
	}
	t.Logf("relapsed on %s: %d of %d", o.Today.Format(time.DateOnly), relapsed, len(res))
	if relapsed == 0 || relapsed*4 > len(res) {
		t.Errorf("%d of %d transformed areas relapsed on the demo day; want a few, under a quarter", relapsed, len(res))
	}

	// Deadlines of the last year on the demo day: escalated (missing plans
	// and six-month reports), overdue and upcoming (late decisions),
	// submitted on time and late.
	obligations := []rules.Obligation{
		{Code: "plan", PerUnit: true, DueAfterDecisionDays: 30, ReminderDays: 7, GraceDays: 3, EscalateDays: 10},
		{Code: "report_h1", Period: rules.PeriodHalf1, DueMonth: time.June, DueDay: 20, ReminderDays: 7, GraceDays: 3, EscalateDays: 10},
		{Code: "report_year", Period: rules.PeriodYear, DueMonth: time.December, DueDay: 20, ReminderDays: 7, GraceDays: 3, EscalateDays: 10},
	}
	var subs []rules.Submission
	for _, s := range demo.Submissions {
		subs = append(subs, rules.Submission{District: s.District, Obligation: s.Obligation, Period: s.Period, Unit: s.Unit,
			SubmittedOn: period.Day(s.SubmittedAt, time.FixedZone("ICT", 7*3600))})
	}
	states := map[string]int{}
	for _, d := range rules.DeadlinesOn(o.ToYear, o.Today, true, obligations, demo.Selections, w.unitAt, subs) {
		states[d.Obligation.Code+"/"+string(d.State)]++
		// After the reform the communes' own bodies owe everything.
		if !o.Reform.IsZero() && d.Committee.Level != rules.LevelCommune {
			t.Errorf("%d deadline %s/%s owed by %q, want a commune's body", o.ToYear, d.Obligation.Code, d.Period, d.Committee)
		}
	}
	// With the reform, the last year's few communes send their plans on
	// time or not at all: a late one is too rare to ask for.
	wants := []string{"plan/escalated", "plan/overdue", "plan/upcoming", "plan/submitted", "plan/submitted_late", "report_h1/escalated", "report_h1/submitted"}
	if !o.Reform.IsZero() {
		wants = slices.DeleteFunc(wants, func(s string) bool { return s == "plan/submitted_late" })
	}
	for _, want := range wants {
		if states[want] == 0 {
			t.Errorf("no %s deadline on the demo day: %v", want, states)
		}
	}
	t.Logf("deadlines %d: %v", o.ToYear, states)
	if states["plan/escalated"] != 2 || states["report_h1/escalated"] != 2 {
		t.Errorf("want exactly two missing plans and two missing six-month reports: %v", states)
	}
	// Earlier years: mostly on time, some late, a few missing.
	past := map[rules.DeadlineState]int{}
	for y := o.FromYear; y < o.ToYear; y++ {
		for _, d := range rules.DeadlinesOn(y, o.Today, true, obligations, demo.Selections, w.unitAt, subs) {
			past[d.State]++
		}
	}
	t.Logf("deadlines %d..%d: %v", o.FromYear, o.ToYear-1, past)
	if !o.Reform.IsZero() {
		// The reform year: the plans (April) and the six-month report (June)
		// owed by the districts, the year report (December) by the bodies of
		// the communes the areas merged into; none missing, so that no
		// district gone since is owed anything.
		for _, d := range rules.DeadlinesOn(o.Reform.Year(), o.Today, true, obligations, demo.Selections, w.unitAt, subs) {
			want := rules.LevelDistrict
			if d.Due.After(o.Reform) {
				want = rules.LevelCommune
			}
			if d.Committee.Level != want || d.State == rules.DeadlineEscalated {
				t.Errorf("%s %s due %s: owed by %q, %s", d.Obligation.Code, d.Period, d.Due.Format(time.DateOnly), d.Committee, d.State)
			}
		}
	}
	total := past[rules.DeadlineSubmitted] + past[rules.DeadlineSubmittedLate] + past[rules.DeadlineEscalated]
	if past[rules.DeadlineSubmitted]*10 < total*7 || past[rules.DeadlineSubmittedLate] == 0 || past[rules.DeadlineEscalated] == 0 {
		t.Errorf("past deadlines %v: want mostly on time, some late, a few missing", past)
	}
}
