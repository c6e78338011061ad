package finding

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"chuyenhoa/period"
	"chuyenhoa/rules"
)

// fill sets every field of v, however deep, from rng: a field added to
// the candidate payload later is filled too, and the comparison with
// encoding/json sees it.
func fill(rng *rand.Rand, v reflect.Value) {
	strs := []string{"", "H0001X01", "Xã Hòa Bình", `a"b\c`, "<b>&amp;</b>", "tab\tnl\n\r\b\f\x01\x1f\x7f", "\xff\xfe bad", "line\u2028para\u2029", "đặc khu Côn Đảo"}
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			times := []time.Time{{}, time.Date(2025, 12, 14, 0, 0, 0, 0, time.UTC),
				time.Date(2026, 3, 2, 13, 4, 5, 123456789, time.FixedZone("ICT", 7*3600)), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)}
			v.Set(reflect.ValueOf(times[rng.IntN(len(times))]))
			return
		}
		for i := range v.NumField() {
			fill(rng, v.Field(i))
		}
	case reflect.Array:
		for i := range v.Len() {
			fill(rng, v.Index(i))
		}
	case reflect.Slice:
		switch rng.IntN(3) {
		case 0: // nil
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			s := reflect.MakeSlice(v.Type(), 1+rng.IntN(4), 5)
			for i := range s.Len() {
				fill(rng, s.Index(i))
			}
			v.Set(s)
		}
	case reflect.String:
		v.SetString(strs[rng.IntN(len(strs))])
	case reflect.Int:
		v.SetInt([]int64{0, 1, -1, 7, 1 << 40, math.MinInt64, math.MaxInt64}[rng.IntN(7)])
	case reflect.Float64:
		v.SetFloat([]float64{0, math.Copysign(0, -1), 1, 129.289592760181, 1.6184486373165619, 1e-7, 3.5e-12, 1e21, 1.5e300, -2.25, 1e20}[rng.IntN(11)])
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	default:
		panic("fill: no case for " + v.Type().String())
	}
}

// The candidate payload is written as encoding/json writes it, byte for
// byte, so that a payload stored by either compares equal; and what
// encoding/json refuses is refused.
func TestCandidateJSONIsEncodingJSONs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		var v CandidateItem
		fill(rng, reflect.ValueOf(&v).Elem())
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		_, got, err := Encode(v)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if string(got) != string(want) {
			t.Fatalf("case %d:\n got %s\nwant %s", i, got, want)
		}
	}
	for name, v := range map[string]CandidateItem{
		"NaN severity":       {Candidate: rules.Candidate{Severity: math.NaN()}},
		"infinite average":   {Candidate: rules.Candidate{ProvinceAvg: math.Inf(1)}},
		"year 10000":         {Reference: period.Range{From: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}},
		"year before year 0": {Candidate: rules.Candidate{Unit: rules.Unit{NTMCertifiedOn: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}}},
	} {
		if _, err := json.Marshal(v); err == nil {
			t.Fatalf("%s: encoding/json took it", name)
		}
		if _, _, err := Encode(v); err == nil {
			t.Errorf("%s: encoded", name)
		}
	}
}
