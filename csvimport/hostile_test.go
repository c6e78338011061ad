package csvimport_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"chuyenhoa/csvimport"
	"chuyenhoa/period"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// hostile are values that once imported on one database and not on the
// other, or made every digest naming them undeliverable (issue 15): each
// is refused on both, naming the row and field, and nothing is stored.
var hostile = []struct {
	name, kind, body, want string
}{
	{"district name with a line break", "districts", "code,name,kind\nD05,\"Huyện\nBa Tơ\",huyen\n",
		`row 2, field "name": holds a line break`},
	{"10 MB commune name", "units", "code,name,kind,district_code,ntm_certified_on,valid_from,valid_to\nD01X09," + strings.Repeat("Xã ", 10<<20/3) + ",xa,D01,,,\n",
		`row 2, field "name": has 10485758 characters; a name has at most 200`},
	{"terminal escape in a name", "offences", "code,name,category,social_order\nCC,Cướp\x1b[2J giật,1,true\n",
		`row 2, field "name": holds the control character U+001B`},
	{"Latin-1 name past the sniffed start", "districts", "code,name,kind\n" + manyDistricts(4000) + "D05,Huy\xe9n,huyen\n",
		`row 4002, field "name": is not valid UTF-8`},
	{"code with a line feed", "districts", "code,name,kind\n\"D\n05\",Huyện Ba Tơ,huyen\n",
		`row 2, field "code": "D\n05": a code holds only ASCII`},
	{"non-ASCII code", "districts", "code,name,kind\nĐ05,Huyện Ba Tơ,huyen\n",
		`row 2, field "code": "Đ05": a code holds only ASCII`},
	{"count 2^63-1", "statistics", "unit_code,day,offence_code,count\nD01X01,2026-01-03,TT,9223372036854775807\n",
		`row 2, field "count": 9223372036854775807 is more than 1000000`},
	{"count 2^31", "statistics", "unit_code,day,offence_code,count\nD01X01,2026-01-03,TT,2147483648\n",
		`row 2, field "count": 2147483648 is more than 1000000`},
	{"count beyond int64", "statistics", "unit_code,day,offence_code,count\nD01X01,2026-01-03,TT,99999999999999999999\n",
		`row 2, field "count": "99999999999999999999" is too large`},
	{"day 0001-01-01", "statistics", "unit_code,day,offence_code,count\nD01X01,0001-01-01,TT,1\n",
		`row 2, field "day": 0001-01-01 is before 2000`},
	{"case count 2^31", "case_stats", "unit_code,day,crimes,detected,serious_crimes,serious_detected,reports_received,reports_handled,released,reoffended\nD01X01,2026-01-31,2147483648,0,0,0,0,0,0,0\n",
		`row 2, field "crimes": 2147483648 is more than 1000000`},
	{"signer with a line break", "decisions", "year,unit_code,decision,category,date,number,signer\n2026,D01X01,selected,1,2026-03-10,12/QĐ-BCĐ,\"Nguyễn\nVăn A\"\n",
		`row 2, field "signer": holds a line break`},
	{"ungrouped unit day 0001-01-01", "units", "code,name,kind,district_code,ntm_certified_on,valid_from,valid_to\nX10,Xã Ba Tơ,xa,,0001-01-01,,\n",
		`row 2, field "ntm_certified_on": 0001-01-01 is before 2000`},
}

func TestImportHostileValues(t *testing.T) {
	outcome := map[string]map[string]string{} // case → database → error
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		before := contents(t, s)
		for _, c := range hostile {
			_, err := csvimport.Import(ctx, s, c.kind, "bad.csv", strings.NewReader(c.body), opts)
			if err == nil {
				t.Errorf("%s: accepted", c.name)
				continue
			}
			if !strings.Contains(err.Error(), `bad.csv: row`) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: error lacks %q:\n%.300s", c.name, c.want, err)
			}
			if len(err.Error()) > 2000 {
				t.Errorf("%s: error is %d bytes long; a value is quoted bounded", c.name, len(err.Error()))
			}
			if outcome[c.name] == nil {
				outcome[c.name] = map[string]string{}
			}
			outcome[c.name][s.Dialect()] = err.Error()
			if after := contents(t, s); after != before {
				t.Errorf("%s: the database changed after a refused import", c.name)
			}
		}
	})
	// SQLite and PostgreSQL refuse each file with the same words.
	for name, by := range outcome {
		if len(by) == 2 && by[store.SQLite] != by[store.Postgres] {
			t.Errorf("%s: SQLite says\n%s\nPostgreSQL says\n%s", name, by[store.SQLite], by[store.Postgres])
		}
	}
}

// manyDistricts are n good districts rows, more than sniff looks at.
func manyDistricts(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "H%04d,Huyện Sơn Hà %d,huyen\n", i, i)
	}
	return b.String()
}

// contents sums up every contract table, on either database.
func contents(t *testing.T, s *store.Store) string {
	t.Helper()
	var b strings.Builder
	for _, tbl := range []string{"districts", "units", "offence_types", "crime_stats", "selections", "assessments", "submissions", "proposals", "case_stats", "unit_successions"} {
		fmt.Fprintf(&b, "%s %d\n", tbl, countRows(t, s, tbl))
	}
	var names string
	if err := s.DB().Get(&names, "SELECT COALESCE(MAX(name), '') FROM districts"); err != nil {
		t.Fatal(err)
	}
	return b.String() + names
}

// A statistics file is streamed into the database as it is read: bad
// rows after thousands of good ones (written already, in batches) still
// leave nothing stored, every bad row is named up to MaxErrors, and a key
// repeated far from its first row is named with both rows.
func TestStreamedImportIsAllOrNothing(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		good := func(n int) string {
			var b strings.Builder
			b.WriteString("unit_code,day,offence_code,count\n")
			day := period.Date(2021, 1, 1)
			for i := range n {
				unit, offence := []string{"D01X01", "D02P01"}[i%2], []string{"TT", "MT"}[i/2%2]
				fmt.Fprintf(&b, "%s,%s,%s,%d\n", unit, day.AddDate(0, 0, i/4).Format("2006-01-02"), offence, i%7)
			}
			return b.String()
		}
		before := contents(t, s)
		body := good(3000) + strings.Repeat("D01X01,2026-01-05,TT,-1\n", 25)
		_, err := csvimport.Import(ctx, s, "statistics", "big.csv", strings.NewReader(body), opts)
		if err == nil {
			t.Fatal("accepted")
		}
		msg := err.Error()
		for _, want := range []string{`big.csv: 25 bad row(s), nothing imported`, `big.csv: row 3002, field "count": -1 is negative`,
			`big.csv: row 3021, field "count"`, "big.csv: more errors not shown"} {
			if !strings.Contains(msg, want) {
				t.Errorf("error lacks %q:\n%.600s", want, msg)
			}
		}
		if strings.Contains(msg, "row 3022,") {
			t.Errorf("more than %d rows listed:\n%s", csvimport.MaxErrors, msg)
		}
		if after := contents(t, s); after != before {
			t.Errorf("stored after a refused stream:\n%s\nwas\n%s", after, before)
		}
		dup := good(3000) + "D01X01,2021-01-02,TT,5\n"
		_, err = csvimport.Import(ctx, s, "statistics", "dup.csv", strings.NewReader(dup), opts)
		if err == nil || !strings.Contains(err.Error(), `dup.csv: row 3002: duplicates row 6 (same key D01X01|2021-01-02|TT)`) {
			t.Errorf("repeated key: err = %v", err)
		}
		if after := contents(t, s); after != before {
			t.Error("stored after a refused stream")
		}
		if n, err := csvimport.Import(ctx, s, "statistics", "good.csv", strings.NewReader(good(3000)), opts); err != nil || n != 3000 {
			t.Fatalf("good file: %d, %v", n, err)
		}
		if n := countRows(t, s, "crime_stats"); n != 3000 {
			t.Errorf("crime_stats holds %d rows, want 3000", n)
		}
	})
}
