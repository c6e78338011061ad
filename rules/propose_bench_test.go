package rules

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkProposeNational ranks a country's 10,600 communes, ten to a
// district: the pure part of the candidates job at national size (see
// BENCHMARKS.md; `go test -bench Propose ./rules/`).
func BenchmarkProposeNational(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	var units []Unit
	counts := map[string]Counts{}
	for i := range 10600 {
		u := Unit{Code: fmt.Sprintf("H%04dX%02d", i/10, i%10), District: fmt.Sprintf("H%04d", i/10)}
		units = append(units, u)
		var c Counts
		for k := 1; k <= 4; k++ {
			c.ByCategory[k] = r.IntN(60)
		}
		c.SocialOrder = c.ByCategory[1]
		counts[u.Code] = c
	}
	p := SelectionParams{Year: 2026, Grouped: true, CapPercent: 15, CategoryFactor: 1, CategoryMinCount: 1}
	b.ReportAllocs()
	for b.Loop() {
		Propose(p, units, counts)
	}
}
