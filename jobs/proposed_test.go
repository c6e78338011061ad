package jobs

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"chuyenhoa/rules"
)

// A round works a proposal out once for the same inputs, built apart as
// two jobs build them, and gives each job what rules.Propose gives; other
// inputs get their own.
func TestRoundProposesOnceForTheSameInputs(t *testing.T) {
	params := rules.SelectionParams{Year: 2026, AsOf: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Grouped: true, CapPercent: 15}
	inputs := func() ([]rules.Unit, map[string]rules.Counts) {
		var units []rules.Unit
		counts := map[string]rules.Counts{}
		for i := range 40 {
			u := rules.Unit{Code: fmt.Sprintf("U%02d", i), Kind: "xa", District: fmt.Sprintf("D%d", i%4)}
			units = append(units, u)
			counts[u.Code] = rules.Counts{SocialOrder: i * 7 % 23, ByCategory: [5]int{0, i * 7 % 23, i % 5, 0, i % 3}}
		}
		return units, counts
	}
	r := &Runner{proposed: &proposed{}}
	units, counts := inputs()
	want := rules.Propose(params, units, counts)
	districts := func(p rules.Proposal) uintptr { return reflect.ValueOf(p.Baseline.Districts).Pointer() }

	first := r.propose(params, units, counts)
	units2, counts2 := inputs()
	var again [4]rules.Proposal
	var wg sync.WaitGroup
	for i := range again {
		wg.Go(func() { again[i] = r.propose(params, units2, counts2) })
	}
	wg.Wait()
	for i, p := range append([]rules.Proposal{first}, again[:]...) {
		if !reflect.DeepEqual(p, want) {
			t.Fatalf("proposal %d differs from rules.Propose's:\n got %+v\nwant %+v", i, p, want)
		}
		if districts(p) != districts(first) {
			t.Errorf("proposal %d was worked out again for the same inputs", i)
		}
		if i > 0 && &p.Candidates[0] == &first.Candidates[0] {
			t.Errorf("proposal %d shares its candidates with the first: one job's change would show in another's", i)
		}
	}

	counts2["U03"] = rules.Counts{SocialOrder: 500, ByCategory: [5]int{0, 500, 0, 0, 0}}
	other := r.propose(params, units2, counts2)
	if districts(other) == districts(first) {
		t.Fatal("other sums got the first proposal")
	}
	if want := rules.Propose(params, units2, counts2); !reflect.DeepEqual(other, want) {
		t.Errorf("proposal of other sums differs from rules.Propose's:\n got %+v\nwant %+v", other, want)
	}
	if n := len(r.proposed.done); n != 2 {
		t.Errorf("%d proposals worked out, want 2", n)
	}
}
