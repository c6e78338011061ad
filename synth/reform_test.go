package synth

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// The reform's map: the old districts and communes end on 30/06/2025,
// each old commune has one successor from 01/07/2025, the new communes
// have new codes and no district, mostly two to four predecessors, a few
// across the old district lines, one special zone from Lý Sơn, no thị
// trấn.
func TestReformTerritory(t *testing.T) {
	reform := ReformDay()
	end := reform.AddDate(0, 0, -1)
	for seed := int64(1); seed <= 4; seed++ {
		ds := province(seed, Demo())
		if err := ds.Validate(); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		districts := map[string]string{}
		for _, d := range ds.Districts {
			districts[d.Code] = d.Name
			if !d.ValidTo.Equal(end) || !d.ValidFrom.IsZero() {
				t.Errorf("seed %d: district %s valid %v–%v, want to 30/06/2025", seed, d.Code, d.ValidFrom, d.ValidTo)
			}
		}
		old, nu := map[string]store.UnitRow{}, map[string]store.UnitRow{}
		names := map[string]bool{}
		kinds := map[string]int{}
		for _, u := range ds.Units {
			switch {
			case u.ValidTo.Equal(end) && u.ValidFrom.IsZero() && districts[u.District] != "":
				old[u.Code] = u
			case u.ValidFrom.Equal(reform) && u.ValidTo.IsZero() && u.District == "":
				nu[u.Code] = u
				kinds[u.Kind]++
				if names[u.Name] || kindOf(u.Name) != u.Kind {
					t.Errorf("seed %d: new commune %s %q (%s): name taken twice or not its kind", seed, u.Code, u.Name, u.Kind)
				}
				names[u.Name] = true
			default:
				t.Errorf("seed %d: unit %+v neither an old commune nor a new one", seed, u)
			}
		}
		if len(old) != 170 || len(nu) < 50 || len(nu) > 62 || kinds["thi_tran"] > 0 || kinds["dac_khu"] != 1 {
			t.Errorf("seed %d: %d old communes, %d new (%v); want 170, about 56 with one đặc khu and no thị trấn", seed, len(old), len(nu), kinds)
		}
		for _, u := range old {
			if strings.Contains(u.Name, extraNames[0]) {
				t.Errorf("seed %d: old commune %s has a made-up name %q", seed, u.Code, u.Name)
			}
		}
		preds := map[string][]string{}
		for _, s := range ds.Successions {
			if _, ok := old[s.Predecessor]; !ok || !s.EffectiveOn.Equal(reform) {
				t.Errorf("seed %d: succession %+v not from an old commune on the reform day", seed, s)
			}
			if _, ok := nu[s.Successor]; !ok {
				t.Errorf("seed %d: succession %+v not to a new commune", seed, s)
			}
			preds[s.Successor] = append(preds[s.Successor], s.Predecessor)
		}
		if len(ds.Successions) != len(old) {
			t.Errorf("seed %d: %d successions for %d old communes", seed, len(ds.Successions), len(old))
		}
		sizes := map[int]int{}
		across := 0
		for code, ps := range preds {
			sizes[len(ps)]++
			ds := map[string]bool{}
			for _, p := range ps {
				ds[old[p].District] = true
			}
			if len(ds) > 1 {
				across++
			}
			if nu[code].Kind == "dac_khu" && (nu[code].Name != "Đặc khu Lý Sơn" || len(ds) != 1 || !ds["D13"]) {
				t.Errorf("seed %d: special zone %s %q from %v, want Lý Sơn's communes", seed, code, nu[code].Name, ps)
			}
		}
		if len(preds) != len(nu) || sizes[2]+sizes[3]+sizes[4] < len(nu)*2/3 || across == 0 || sizes[maxMerge+1] > 0 {
			t.Errorf("seed %d: predecessors per new commune %v, %d across districts; want mostly 2–4, at most %d, some across", seed, sizes, across, maxMerge)
		}
		// Every row is on a commune existing on its day.
		w := newWorld(ds)
		for _, s := range ds.Stats {
			if !w.terr.ValidOn(s.Unit, s.Day) {
				t.Fatalf("seed %d: statistic %+v on a commune not existing that day", seed, s)
			}
		}
		for _, s := range ds.Selections {
			if !w.terr.ValidOn(s.Unit, s.DecidedOn) {
				t.Errorf("seed %d: selection %+v of a commune not existing on the decision", seed, s)
			}
		}
		ict := time.FixedZone("ICT", 7*3600)
		for _, s := range ds.Submissions {
			day := period.Day(s.SubmittedAt, ict)
			switch {
			case s.District != "" && s.Unit != "" && !w.terr.Known(s.Unit):
				t.Errorf("seed %d: submission %+v of an unknown commune", seed, s)
			case s.District == "" && !w.terr.ValidOn(s.Unit, day):
				t.Errorf("seed %d: commune submission %+v by a commune not existing when sent", seed, s)
			case s.District == "" && s.Period < fmt.Sprint(reform.Year()):
				t.Errorf("seed %d: commune submission %+v for a period before the reform", seed, s)
			}
		}
	}
}

// The reform year's and the next year's decisions: 2025 among the old
// communes with the old cap, its verdicts of January 2026 on the new codes
// for some areas and on the old ones for others, each area closed once;
// 2026 among the new communes with the new cap; the demo day watches areas
// transformed before the merger as the communes they merged into, and
// finds one relapsed.
func TestReformDecisions(t *testing.T) {
	reform := ReformDay()
	o := Demo()
	for seed := int64(1); seed <= 4; seed++ {
		ds := province(seed, o)
		w := newWorld(ds)
		perYear := map[int][]rules.Selection{}
		for _, s := range ds.Selections {
			perYear[s.Year] = append(perYear[s.Year], s)
		}
		for _, y := range []int{2025, 2026} {
			dec := perYear[y][0].DecidedOn
			n := len(w.units(dec))
			if want := map[int]int{2025: 170, 2026: len(w.units(reform))}[y]; n != want || len(perYear[y]) > n*15/100 {
				t.Errorf("seed %d: %d selected in %d among %d communes, want among %d within 15%%", seed, len(perYear[y]), y, n, want)
			}
		}
		var onOld, onNew int
		for _, a := range ds.Assessments {
			if a.Year != 2025 {
				continue
			}
			if w.terr.ValidOn(a.Unit, reform) {
				onNew++
			} else {
				onOld++
			}
		}
		closed := map[string]bool{}
		for _, a := range w.assessments(o.Today) {
			if a.Year == 2025 {
				closed[a.Unit] = true
			}
		}
		for _, s := range perYear[2025] {
			if !closed[w.terr.Resolve(s.Unit, o.Today).Code] {
				t.Errorf("seed %d: 2025 area %s has no verdict under its commune of today", seed, s.Unit)
			}
		}
		if onOld == 0 || onNew == 0 {
			t.Errorf("seed %d: 2025 verdicts %d on old codes, %d on new ones; want both", seed, onOld, onNew)
		}

		var watched, relapsed int
		for _, r := range w.relapse(o.Today) {
			if r.Checked && r.Area.TransformedOn.Before(reform) && w.terr.ValidOn(r.Area.Unit, o.Today) {
				watched++
				if r.Relapsed {
					relapsed++
				}
			}
		}
		t.Logf("seed %d: 2025 verdicts %d on old codes, %d on new; %d areas transformed before the merger watched as new communes, %d relapsed",
			seed, onOld, onNew, watched, relapsed)
		if watched < 20 || relapsed == 0 {
			t.Errorf("seed %d: %d pre-merger areas watched as new communes, %d relapsed; want many, one or more relapsed", seed, watched, relapsed)
		}
	}
}

// A merged commune's crimes continue its predecessors': in the
// statistical month the merger cuts (15/06–14/07/2025), the new communes'
// territories (their predecessors summed) commit about as many crimes a
// day before 01/07 as the new communes after, and the five busiest before
// are still above the average after (a hot spot stays hot).
func TestReformContinuesTheStory(t *testing.T) {
	w := newWorld(demo)
	cal := period.Calendar{Cutoff: 15}
	july := cal.Month(2025, time.July)
	before := period.Range{From: july.From, To: ReformDay().AddDate(0, 0, -1)}
	after := period.Range{From: ReformDay(), To: july.To}
	b, a := w.counts(before, ReformDay()), w.counts(after, ReformDay())
	perDay := func(c rules.Counts, r period.Range) float64 { return float64(c.SocialOrder) / float64(r.Days()) }
	var codes []string
	var sumB, sumA float64
	for _, u := range w.units(ReformDay()) {
		code := u.Code
		codes = append(codes, code)
		sumB += perDay(b[code], before)
		sumA += perDay(a[code], after)
	}
	if len(codes) < 50 || sumA < 0.85*sumB || sumA > 1.15*sumB {
		t.Errorf("%d new communes: %.1f crimes a day before the merger, %.1f after; want about the same", len(codes), sumB, sumA)
	}
	t.Logf("%d new communes: %.1f crimes a day before 01/07/2025, %.1f after", len(codes), sumB, sumA)
	slices.SortFunc(codes, func(x, y string) int { return cmp.Compare(perDay(b[y], before), perDay(b[x], before)) })
	avg := sumA / float64(len(codes))
	for _, code := range codes[:5] {
		if perDay(a[code], after) <= avg {
			t.Errorf("%s: %.2f crimes a day before the merger, %.2f after, not above the average %.2f", code, perDay(b[code], before), perDay(a[code], after), avg)
		}
	}
}

// Other sizes and a reform within the history work too.
func TestReformOtherSizes(t *testing.T) {
	o := Options{Districts: 3, Units: 30, FromYear: 2023, ToYear: 2026, Today: period.Date(2026, time.May, 2), Reform: period.Date(2024, time.September, 1)}
	ds := Province(5, o)
	if err := ds.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := Cycle(5, o, ds).Validate(); err != nil {
		t.Fatal(err)
	}
	if len(ds.Successions) != 30 || len(ds.Units) < 38 || len(ds.Units) > 42 {
		t.Errorf("%d units, %d successions; want 30 old and about 10 new, 30 successions", len(ds.Units), len(ds.Successions))
	}
	// A reform after today is no reform.
	o.Reform = period.Date(2027, time.January, 1)
	if ds := Province(5, o); len(ds.Successions) != 0 || len(ds.Units) != 30 {
		t.Errorf("reform after today: %d successions, %d units", len(ds.Successions), len(ds.Units))
	}
}
