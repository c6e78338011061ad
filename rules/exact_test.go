package rules

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// The exact type must agree with big.Rat on every input, small or not:
// the ranking of candidates depends on it. Values are drawn from small
// counts (the usual case), numbers near the 64-bit limits (where the
// 128-bit products matter) and negatives (bad data from a view).
func TestExactAgreesWithBigRat(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	draw := func() int {
		switch r.IntN(4) {
		case 0:
			return r.IntN(50)
		case 1:
			return r.IntN(1 << 20)
		case 2:
			return math.MaxInt64/2 + r.IntN(1<<40) - r.IntN(1<<40)
		}
		return -r.IntN(1000)
	}
	positive := func() int {
		for {
			if v := draw(); v > 0 {
				return v
			}
		}
	}
	ratio := func(a, b, c int) *big.Rat {
		return new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(int64(a)), big.NewInt(int64(b))), big.NewInt(int64(c)))
	}
	for i := range 50000 {
		a, b, c := draw(), draw(), positive()
		x, y := frac(a, b, c), frac(draw(), draw(), positive())
		if got, want := x.rat(), ratio(a, b, c); got.Cmp(want) != 0 {
			t.Fatalf("#%d frac(%d, %d, %d) = %v, want %v", i, a, b, c, got, want)
		}
		if got, want := x.cmp(y), x.rat().Cmp(y.rat()); got != want {
			t.Fatalf("#%d %v cmp %v = %d, want %d", i, x.rat(), y.rat(), got, want)
		}
		if got, want := x.float(), func() float64 { f, _ := x.rat().Float64(); return f }(); got != want {
			t.Fatalf("#%d float(%v) = %v, want %v", i, x.rat(), got, want)
		}
		count, units, total := draw(), positive(), draw()
		factor := exactRat(big.NewRat(int64(1+r.IntN(30)), int64(1+r.IntN(20))))
		want := new(big.Rat).SetInt64(int64(count)).Cmp(new(big.Rat).Mul(factor.rat(), big.NewRat(int64(total), int64(units)))) > 0
		if got := above(count, units, total, factor); got != want {
			t.Fatalf("#%d above(%d, %d, %d, %v) = %v, want %v", i, count, units, total, factor.rat(), got, want)
		}
		av := avg(total, units)
		o := over(count, av)
		switch {
		case av.rat().Sign() == 0:
			if !o.inf() {
				t.Fatalf("#%d over(%d, 0) = %v, want +inf", i, count, o.rat())
			}
		default:
			if w := new(big.Rat).Quo(big.NewRat(int64(count), 1), av.rat()); o.inf() || o.rat().Cmp(w) != 0 {
				t.Fatalf("#%d over(%d, %v) wrong, want %v", i, count, av.rat(), w)
			}
		}
	}
}

// Infinity is above every finite value and equal to itself, so a
// category whose averages are zero ranks first and ties keep the lower
// code.
func TestExactInfinity(t *testing.T) {
	big1 := exact{r: big.NewRat(1<<62, 3)}
	for _, x := range []exact{exactZero, exactOne, frac(7, 3, 2), big1} {
		if exactInf.cmp(x) != 1 || x.cmp(exactInf) != -1 {
			t.Errorf("+inf vs %v: want +inf greater", x.rat())
		}
	}
	if exactInf.cmp(exactInf) != 0 {
		t.Error("+inf vs +inf: want equal")
	}
	if !over(3, avg(0, 5)).inf() {
		t.Error("3 over an average of 0/5: want +inf")
	}
}
