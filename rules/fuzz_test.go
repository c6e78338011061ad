package rules

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// fuzzProvince decodes a province from fuzz bytes, seven per commune:
// district (0..3, 4 = none), social-order count, new-rural status
// (0 never, 1 certified long ago, 2 certified the year before, 3 certified
// after the proposal day) and the four category counts. A commune with
// only zeros is left out of the counts map (missing means zero).
func fuzzProvince(data []byte) ([]Unit, map[string]Counts) {
	var units []Unit
	counts := map[string]Counts{}
	for i := 0; i+7 <= len(data) && len(units) < 400; i += 7 {
		b := data[i : i+7]
		u := Unit{Code: fmt.Sprintf("X%03d", len(units)), Name: "Xã", Kind: "xa"}
		if d := b[0] % 5; d < 4 {
			u.District = fmt.Sprintf("D%d", d)
		}
		switch b[2] % 4 {
		case 1:
			u.NTMCertifiedOn = time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC)
		case 2:
			u.NTMCertifiedOn = time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
		case 3:
			u.NTMCertifiedOn = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		}
		c := Counts{SocialOrder: int(b[1])}
		for k := 1; k <= 4; k++ {
			c.ByCategory[k] = int(b[2+k])
		}
		if c != (Counts{}) {
			counts[u.Code] = c
		}
		units = append(units, u)
	}
	return units, counts
}

// FuzzPropose checks the selection rules' promises on arbitrary
// provinces: never more proposed than the cap (⌊15% × communes⌋ with the
// plan's 15), never a new-rural commune excluded by the rule, every
// commune exactly once, ranks 1..k with the first cap of them proposed,
// and the same result whatever order the communes come in.
//
// The seeds in testdata/fuzz/FuzzPropose run with every `go test`; `make
// fuzz` explores further.
func FuzzPropose(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, capPct, mode uint8, grouped bool) {
		units, counts := fuzzProvince(data)
		p := SelectionParams{
			Year: 2026, AsOf: time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC), Grouped: grouped,
			CapPercent:       1 + int(capPct)%100,
			NTMRule:          []NTMRule{NTMAlways, NTMPreviousYear, NTMNone, ""}[mode%4],
			CategoryFactor:   []float64{1, 1.2, 0.5}[(mode/4)%3],
			CategoryMinCount: int(mode/12) % 3,
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("fuzz parameters invalid: %v", err)
		}
		for _, params := range []SelectionParams{p, withCap(p, 15)} {
			prop := Propose(params, units, counts)
			checkProposal(t, params, units, prop)

			// Same communes in another order: same proposal, same order.
			rev := make([]Unit, len(units))
			for i, u := range units {
				rev[len(units)-1-i] = u
			}
			copyCounts := make(map[string]Counts, len(counts))
			for k, v := range counts {
				copyCounts[k] = v
			}
			if again := Propose(params, rev, copyCounts); !reflect.DeepEqual(again, prop) {
				t.Fatalf("the proposal depends on the order of the communes")
			}
		}
	})
}

func withCap(p SelectionParams, c int) SelectionParams { p.CapPercent = c; return p }

func checkProposal(t *testing.T, p SelectionParams, units []Unit, prop Proposal) {
	t.Helper()
	n := len(units)
	if prop.TotalUnits != n || prop.Cap != n*p.CapPercent/100 {
		t.Fatalf("total %d, cap %d for %d communes at %d%%", prop.TotalUnits, prop.Cap, n, p.CapPercent)
	}
	if len(prop.Candidates) != n {
		t.Fatalf("%d candidates for %d communes", len(prop.Candidates), n)
	}
	seen := map[string]bool{}
	proposed, ranked := 0, 0
	for _, c := range prop.Candidates {
		if seen[c.Unit.Code] {
			t.Fatalf("commune %s listed twice", c.Unit.Code)
		}
		seen[c.Unit.Code] = true
		switch c.Status {
		case StatusProposed, StatusCutByCap:
			ranked++
			if c.Rank != ranked {
				t.Fatalf("%s has rank %d at position %d of the ranked communes", c.Unit.Code, c.Rank, ranked)
			}
			if !c.Eligible {
				t.Fatalf("%s is ranked but not above both averages", c.Unit.Code)
			}
			if ExcludedByNTM(p, c.Unit) || c.NTM {
				t.Fatalf("new-rural commune %s (certified %s, rule %q) is ranked", c.Unit.Code, c.Unit.NTMCertifiedOn.Format(time.DateOnly), p.NTMRule)
			}
			if (c.Status == StatusProposed) != (c.Rank <= prop.Cap) {
				t.Fatalf("%s rank %d is %s with cap %d", c.Unit.Code, c.Rank, c.Status, prop.Cap)
			}
			if c.Status == StatusProposed {
				proposed++
			}
		case StatusExcludedNTM:
			if !c.Eligible || !ExcludedByNTM(p, c.Unit) {
				t.Fatalf("%s excluded as new-rural without being eligible and certified under the rule", c.Unit.Code)
			}
		case StatusBelowAverage:
			if c.Eligible {
				t.Fatalf("%s is eligible but listed below average", c.Unit.Code)
			}
		default:
			t.Fatalf("%s has status %q", c.Unit.Code, c.Status)
		}
	}
	if proposed > prop.Cap || proposed*100 > n*p.CapPercent {
		t.Fatalf("%d proposed of %d communes, more than the cap of %d%%", proposed, n, p.CapPercent)
	}
}
