package synth

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

func national(t *testing.T, seed int64, o NationalOptions) (*National, []store.Stat) {
	t.Helper()
	n, err := NewNational(seed, o)
	if err != nil {
		t.Fatal(err)
	}
	return n, slices.Collect(n.Stats())
}

func TestNationalDeterministic(t *testing.T) {
	o := NationalOptions{Units: 120, Years: 2}
	a, sa := national(t, 7, o)
	b, sb := national(t, 7, o)
	if !reflect.DeepEqual(a.Dataset(), b.Dataset()) || !reflect.DeepEqual(sa, sb) {
		t.Fatal("same seed and options gave different rows")
	}
	// Iterating twice over one generator gives the same rows too: Stats
	// keeps no state between runs.
	if again := slices.Collect(a.Stats()); !reflect.DeepEqual(sa, again) {
		t.Fatal("a second pass over Stats gave different rows")
	}
	_, sc := national(t, 8, o)
	if reflect.DeepEqual(sa, sc) {
		t.Error("seeds 7 and 8 gave the same statistics")
	}
}

func TestNationalRejectsBadSizes(t *testing.T) {
	for _, o := range []NationalOptions{{Units: 1, Years: 5}, {Units: 100, Years: 0}, {Units: 100, Years: 31}} {
		if _, err := NewNational(1, o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

// The rows obey the read contract and the story: valid keys in key order,
// about three statistic rows per commune and week, a tenth of the
// communes selected each year among the busiest, never a new-rural one.
func TestNationalInvariants(t *testing.T) {
	o := NationalOptions{Units: 400, Years: 3, Today: period.Date(2026, time.November, 25)}
	n, stats := national(t, 67, o)
	ds := n.Dataset()
	span := n.Span()
	if want := period.Date(2023, time.November, 26); !span.From.Equal(want) || !span.To.Equal(o.Today) {
		t.Errorf("span %s, want 26/11/2023–25/11/2026", span)
	}
	// 400 communes, ten to a district: 40 districts.
	if len(ds.Units) != 400 || len(ds.Districts) != 40 {
		t.Errorf("%d units in %d districts, want 400 in 40", len(ds.Units), len(ds.Districts))
	}
	full := *ds
	full.Stats = stats
	if err := full.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	units := map[string]store.UnitRow{}
	perDistrict := map[string]int{}
	for _, u := range ds.Units {
		units[u.Code] = u
		perDistrict[u.District]++
		if !strings.HasPrefix(u.Code, u.District+"X") {
			t.Errorf("unit %s not coded under its district %s", u.Code, u.District)
		}
	}
	for d, k := range perDistrict {
		if k != 10 {
			t.Errorf("district %s has %d communes, want 10", d, k)
		}
	}
	offences := map[string]store.Offence{}
	for _, of := range ds.Offences {
		offences[of.Code] = of
	}
	for i, s := range stats {
		if _, ok := units[s.Unit]; !ok {
			t.Fatalf("row %d: unknown unit %q", i, s.Unit)
		}
		if _, ok := offences[s.Offence]; !ok {
			t.Fatalf("row %d: unknown offence %q", i, s.Offence)
		}
		if s.Count < 1 || !span.Contains(s.Day) {
			t.Fatalf("row %d: %+v outside the span or without a count", i, s)
		}
		if i > 0 {
			p := stats[i-1]
			if p.Unit > s.Unit || p.Unit == s.Unit && (p.Day.After(s.Day) || p.Day.Equal(s.Day) && p.Offence >= s.Offence) {
				t.Fatalf("rows %d and %d out of key order: %+v, %+v", i-1, i, p, s)
			}
		}
	}
	weeks := float64(span.Days()) / 7
	if perWeek := float64(len(stats)) / float64(len(ds.Units)) / weeks; perWeek < 2 || perWeek > 4 {
		t.Errorf("%.2f statistic rows per commune and week, want 2..4", perWeek)
	}

	// Selections: years 2024–2026 (March of 2023 is before the span), 40 a
	// year (10% of 400), never a commune certified new-rural by then.
	perYear := map[int]int{}
	selected := map[rules.AreaKey]bool{}
	for _, s := range ds.Selections {
		u := units[s.Unit]
		if !u.NTMCertifiedOn.IsZero() && !u.NTMCertifiedOn.After(s.DecidedOn) {
			t.Errorf("%s selected for %d though certified new-rural on %s", s.Unit, s.Year, u.NTMCertifiedOn.Format(time.DateOnly))
		}
		if s.DecidedOn.Month() != time.March || s.DecidedOn.Year() != s.Year {
			t.Errorf("selection %+v not decided in March of its year", s)
		}
		perYear[s.Year]++
		selected[rules.AreaKey{Unit: s.Unit, Year: s.Year}] = true
	}
	if !reflect.DeepEqual(perYear, map[int]int{2024: 40, 2025: 40, 2026: 40}) {
		t.Errorf("selections per year %v, want 40 in each of 2024–2026", perYear)
	}
	transformed := 0
	for _, a := range ds.Assessments {
		if !selected[rules.AreaKey{Unit: a.Unit, Year: a.Year}] {
			t.Errorf("assessment of %s for %d without a selection", a.Unit, a.Year)
		}
		if a.AssessedOn.After(o.Today) {
			t.Errorf("assessment %+v after today", a)
		}
		if a.Transformed {
			transformed++
		}
	}
	// Years 2024 and 2025 are assessed in January after: 80 verdicts, about
	// 70% transformed.
	if len(ds.Assessments) != 80 || transformed < 40 || transformed > 70 {
		t.Errorf("%d assessments, %d transformed; want 80, about 56", len(ds.Assessments), transformed)
	}
	if len(ds.Submissions) == 0 {
		t.Error("no submissions")
	}

	// The story holds in the numbers: most communes selected for 2026 were
	// above the province's average of social-order crime over the
	// reference year, statistical 2025.
	ref := period.Calendar{Cutoff: period.DefaultCutoff}.Year(2025)
	social := map[string]int{}
	total := 0
	for _, s := range stats {
		if offences[s.Offence].SocialOrder && ref.Contains(s.Day) {
			social[s.Unit] += s.Count
			total += s.Count
		}
	}
	avg := float64(total) / float64(len(ds.Units))
	above := 0
	for _, s := range ds.Selections {
		if s.Year == 2026 && float64(social[s.Unit]) > avg {
			above++
		}
	}
	if above < 34 {
		t.Errorf("%d of 40 communes selected for 2026 above the average (%.1f) over %s, want at least 34", above, avg, ref)
	}
}

// Fill streams the country into both databases and refuses a database
// that already holds communes.
func TestNationalFill(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		n, stats := national(t, 3, NationalOptions{Units: 30, Years: 1})
		rows, err := n.Fill(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if rows != int64(len(stats)) {
			t.Errorf("Fill wrote %d rows, Stats yields %d", rows, len(stats))
		}
		var stored, sum int64
		if err := s.DB().QueryRowContext(ctx, "SELECT COUNT(*), SUM(count) FROM crime_stats").Scan(&stored, &sum); err != nil {
			t.Fatal(err)
		}
		want := int64(0)
		for _, st := range stats {
			want += int64(st.Count)
		}
		if stored != rows || sum != want {
			t.Errorf("stored %d rows summing to %d, want %d summing to %d", stored, sum, rows, want)
		}
		us, err := s.AllUnits(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(us) != 30 {
			t.Errorf("%d units stored, want 30", len(us))
		}
		if _, err := n.Fill(ctx, s); err == nil || !strings.Contains(err.Error(), "already has rows") {
			t.Errorf("second Fill: err = %v, want a refusal", err)
		}
	})
}
