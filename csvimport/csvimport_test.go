package csvimport_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"chuyenhoa/csvimport"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

var opts = csvimport.Options{Today: period.Date(2026, 11, 25), Loc: mustLoc("Asia/Ho_Chi_Minh")}

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

const districts = "code,name,kind\nD01,Huyện Bình Sơn,huyen\nD02,Thành phố Quảng Ngãi,thanh_pho\n"
const units = "code,name,kind,district_code,ntm_certified_on,valid_from,valid_to\n" +
	"D01X01,Xã Bình Châu,xa,D01,12/05/2023,,\n" +
	"D02P01,Phường Trần Phú,phuong,D02,,2020-01-01,\n"
const offences = "code,name,category,social_order\nTT,Trộm cắp tài sản,1,true\nMT,Tàng trữ trái phép chất ma túy,4,false\n"

func seed(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	for _, f := range []struct{ kind, body string }{{"districts", districts}, {"units", units}, {"offences", offences}} {
		if _, err := csvimport.Import(ctx, s, f.kind, f.kind+".csv", strings.NewReader(f.body), opts); err != nil {
			t.Fatalf("import %s: %v", f.kind, err)
		}
	}
}

func countRows(t *testing.T, s *store.Store, table string) int {
	t.Helper()
	var n int
	if err := s.DB().Get(&n, "SELECT COUNT(*) FROM "+table); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportGoodFiles(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		stats := "unit_code,day,offence_code,count\nD01X01,2026-01-03,TT,2\nD01X01,2026-01-04,MT,1\nD02P01,15/01/2026,TT,3\n"
		n, err := csvimport.Import(ctx, s, "statistics", "stats.csv", strings.NewReader(stats), opts)
		if err != nil || n != 3 {
			t.Fatalf("import statistics: n=%d err=%v", n, err)
		}
		c, err := s.Counts(ctx, period.Range{From: period.Date(2026, 1, 1), To: period.Date(2026, 1, 31)})
		if err != nil {
			t.Fatal(err)
		}
		// D01X01: TT 2 (social order, cat 1) + MT 1 (cat 4); D02P01: TT 3.
		if got := c["D01X01"]; got.SocialOrder != 2 || got.ByCategory[1] != 2 || got.ByCategory[4] != 1 {
			t.Errorf("D01X01 counts = %+v, want social order 2, cat1 2, cat4 1", got)
		}
		if got := c["D02P01"]; got.SocialOrder != 3 {
			t.Errorf("D02P01 counts = %+v, want social order 3", got)
		}
		us, err := s.Units(ctx, period.Date(2026, 1, 1))
		if err != nil {
			t.Fatal(err)
		}
		if len(us) != 2 || !us[0].NTMCertifiedOn.Equal(period.Date(2023, 5, 12)) || us[0].District != "D01" {
			t.Errorf("units = %+v, want 2 with D01X01 new-rural since 12/05/2023", us)
		}
		dec := "year,unit_code,decision,category,date\n2025,D01X01,selected,1,2025-03-10\n2025,D01X01,transformed,,2026-01-20\n"
		if _, err := csvimport.Import(ctx, s, "decisions", "dec.csv", strings.NewReader(dec), opts); err != nil {
			t.Fatal(err)
		}
		sub := "district_code,obligation,period,unit_code,submitted_at\nD01,report_h1,2025-H1,,2025-06-20T18:30:00Z\nD01,plan,2025,D01X01,2025-04-01\n"
		if _, err := csvimport.Import(ctx, s, "submissions", "sub.csv", strings.NewReader(sub), opts); err != nil {
			t.Fatal(err)
		}
		subs, err := s.Submissions(ctx, opts.Loc)
		if err != nil {
			t.Fatal(err)
		}
		// 18:30 UTC on 20/06 is 01:30 on 21/06 in Vietnam.
		got := map[string]time.Time{}
		for _, x := range subs {
			got[x.Obligation] = x.SubmittedOn
		}
		if !got["report_h1"].Equal(period.Date(2025, 6, 21)) || !got["plan"].Equal(period.Date(2025, 4, 1)) {
			t.Errorf("submission days = %v, want report_h1 21/06/2025 and plan 01/04/2025", got)
		}
	})
}

// Without districts a commune's body sends its reports and proposes its
// own area: the rows name the commune and no district. A report naming
// neither is nobody's and is refused.
func TestImportCommuneRows(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		units := "code,name,kind,district_code,ntm_certified_on,valid_from,valid_to\nX01,Xã Bình Châu,xa,,,2025-07-01,\nX02,Đặc khu Lý Sơn,xa,,,2025-07-01,\n"
		if _, err := csvimport.Import(ctx, s, "units", "units.csv", strings.NewReader(units), opts); err != nil {
			t.Fatal(err)
		}
		sub := "district_code,obligation,period,unit_code,submitted_at\n,report_h1,2026-H1,X01,2026-06-19\n,plan,2026,X01,2026-04-01\n"
		if n, err := csvimport.Import(ctx, s, "submissions", "sub.csv", strings.NewReader(sub), opts); err != nil || n != 2 {
			t.Fatalf("import commune submissions: n=%d err=%v", n, err)
		}
		subs, err := s.Submissions(ctx, opts.Loc)
		if err != nil {
			t.Fatal(err)
		}
		if len(subs) != 2 || subs[0].District != "" || subs[0].Unit != "X01" || subs[1].Unit != "X01" {
			t.Errorf("submissions = %+v, want two of X01 with no district", subs)
		}
		prop := "year,district_code,unit_code,proposed_on\n2026,,X02,2026-01-10\n"
		if _, err := csvimport.Import(ctx, s, "proposals", "prop.csv", strings.NewReader(prop), opts); err != nil {
			t.Fatalf("import a commune's proposal: %v", err)
		}
		bad := "district_code,obligation,period,unit_code,submitted_at\n,report_h1,2026-H1,,2026-06-19\n"
		_, err = csvimport.Import(ctx, s, "submissions", "bad.csv", strings.NewReader(bad), opts)
		if err == nil || !strings.Contains(err.Error(), `bad.csv: row 2, field "district_code": is empty and so is unit_code`) {
			t.Errorf("a report naming nobody: err = %v", err)
		}
		if n := countRows(t, s, "submissions"); n != 2 {
			t.Errorf("%d submissions after the refused file, want 2", n)
		}
	})
}

func TestImportBadRowChangesNothing(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		good := "unit_code,day,offence_code,count\nD01X01,2026-01-03,TT,2\n"
		if _, err := csvimport.Import(ctx, s, "statistics", "first.csv", strings.NewReader(good), opts); err != nil {
			t.Fatal(err)
		}
		before := countRows(t, s, "crime_stats")
		cases := []struct {
			name, body string
			want       []string
		}{
			{"negative count", "unit_code,day,offence_code,count\nD01X01,2026-01-05,TT,1\nD01X01,2026-01-06,TT,-3\nD02P01,2026-01-06,TT,1\n",
				[]string{`bad.csv: row 3, field "count": -3 is negative`}},
			{"unknown unit", "unit_code,day,offence_code,count\nD01X01,2026-01-05,TT,1\nX99,2026-01-06,TT,1\n",
				[]string{`row 3, field "unit_code": unknown unit code "X99"`}},
			{"unknown offence and bad date", "unit_code,day,offence_code,count\nD01X01,2026-13-05,ZZ,1\n",
				[]string{`row 2, field "day": "2026-13-05" is not a date`, `row 2, field "offence_code": unknown offence type code "ZZ"`}},
			{"future date", "unit_code,day,offence_code,count\nD01X01,2026-12-01,TT,1\n",
				[]string{`row 2, field "day": 2026-12-01 is in the future`}},
			{"duplicate row", "unit_code,day,offence_code,count\nD01X01,2026-01-05,TT,1\nD01X01,2026-01-05,TT,2\n",
				[]string{`row 3: duplicates row 2`}},
			{"empty field", "unit_code,day,offence_code,count\nD01X01,2026-01-05,TT,\n",
				[]string{`row 2, field "count": is empty`}},
			{"missing column", "unit_code,day,count\nD01X01,2026-01-05,1\n",
				[]string{`row 1: missing column "offence_code"`}},
			{"short row", "unit_code,day,offence_code,count\nD01X01,2026-01-05,TT\n",
				[]string{`row 2: has 3 fields, the header has 4`}},
		}
		for _, c := range cases {
			_, err := csvimport.Import(ctx, s, "statistics", "bad.csv", strings.NewReader(c.body), opts)
			if err == nil {
				t.Errorf("%s: import succeeded, want an error", c.name)
				continue
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: error %q does not contain %q", c.name, err, w)
				}
			}
			if after := countRows(t, s, "crime_stats"); after != before {
				t.Errorf("%s: crime_stats has %d rows after a rejected import, want %d", c.name, after, before)
			}
		}
		if _, err := csvimport.Import(ctx, s, "weather", "w.csv", strings.NewReader("a\n1\n"), opts); err == nil || !strings.Contains(err.Error(), "unknown import kind") {
			t.Errorf("unknown kind: err = %v", err)
		}
	})
}

func TestImportUnitsRejectsUnknownDistrict(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		body := "code,name,kind,district_code,ntm_certified_on,valid_from,valid_to\nD01X02,Xã Bình Thạnh,xa,D01,,,\nD09X01,Xã Lạ,xa,D09,,,\n"
		_, err := csvimport.Import(ctx, s, "units", "units2.csv", strings.NewReader(body), opts)
		if err == nil || !strings.Contains(err.Error(), `units2.csv: row 3, field "district_code": unknown district code "D09"`) {
			t.Fatalf("err = %v, want row 3 district_code named", err)
		}
		if n := countRows(t, s, "units"); n != 2 {
			t.Errorf("units = %d after rejected file, want the 2 seeded", n)
		}
	})
}

func TestImportCycleFiles(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		props := "year,district_code,unit_code,proposed_on\n2026,D01,D01X01,15/01/2026\n2026,D02,D02P01,2026-02-03\n"
		if n, err := csvimport.Import(ctx, s, "proposals", "de-xuat.csv", strings.NewReader(props), opts); err != nil || n != 2 {
			t.Fatalf("import proposals: n=%d err=%v", n, err)
		}
		ps, err := s.Proposals(ctx, 2026)
		if err != nil || len(ps) != 2 || ps[0].Unit != "D01X01" || !ps[0].ProposedOn.Equal(period.Date(2026, 1, 15)) {
			t.Fatalf("proposals = %+v, %v", ps, err)
		}
		cases := "unit_code,day,crimes,detected,serious_crimes,serious_detected,reports_received,reports_handled,released,reoffended\n" +
			"D01X01,2026-01-14,10,8,1,1,12,12,2,0\nD01X01,14/02/2026,5,3,0,0,5,4,1,1\n"
		if n, err := csvimport.Import(ctx, s, "case_stats", "vu-an.csv", strings.NewReader(cases), opts); err != nil || n != 2 {
			t.Fatalf("import case_stats: n=%d err=%v", n, err)
		}
		cc, err := s.CaseCounts(ctx, period.Range{From: period.Date(2025, 12, 15), To: period.Date(2026, 2, 14)})
		if err != nil {
			t.Fatal(err)
		}
		if got := cc["D01X01"]; got != (rules.CaseCounts{Crimes: 15, Detected: 11, SeriousCrimes: 1, SeriousDetected: 1, ReportsReceived: 17, ReportsHandled: 16, Released: 3, Reoffended: 1, Rows: 2}) {
			t.Errorf("case counts = %+v", got)
		}

		before := countRows(t, s, "case_stats")
		for _, c := range []struct {
			kind, body string
			want       []string
		}{
			{"proposals", "year,district_code,unit_code,proposed_on\n2026,D02,D01X01,2026-01-10\n2026,D01,D01X01,2026-12-30\n",
				[]string{`row 2, field "unit_code": D01X01 belongs to district D01, not to the proposing D02`, `row 3, field "proposed_on": 2026-12-30 is in the future`}},
			{"case_stats", "unit_code,day,crimes,detected,serious_crimes,serious_detected,reports_received,reports_handled,released,reoffended\n" +
				"D01X01,2026-03-14,2,2,3,1,0,0,0,0\nD01X01,2026-04-14,2,1,0,2,0,0,0,-1\nD02P01,2026-04-14,x,0,0,0,0,0,0,0\n",
				[]string{`row 2, field "serious_crimes": 3 is more than the 2 crimes`, `row 3, field "serious_detected": 2 is more than the 1 detected`,
					`row 3, field "reoffended": -1 is negative`, `row 4, field "crimes": "x" is not a whole number`}},
		} {
			rejected(t, s, c.kind, c.body, c.want...)
		}
		if after := countRows(t, s, "case_stats"); after != before {
			t.Errorf("case_stats has %d rows after rejected files, want %d", after, before)
		}
		if n := countRows(t, s, "proposals"); n != 2 {
			t.Errorf("proposals has %d rows after a rejected file, want 2", n)
		}
	})
}

// A decisions file may select one commune in several categories, one row
// each; the same category twice is a duplicate and refuses the file.
func TestImportDecisionsSeveralCategories(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		dec := "year,unit_code,decision,category,date\n" +
			"2026,D01X01,selected,3,2026-03-10\n" +
			"2026,D01X01,selected,1,2026-03-10\n" +
			"2026,D02P01,selected,4,2026-03-10\n"
		if n, err := csvimport.Import(ctx, s, "decisions", "dec.csv", strings.NewReader(dec), opts); err != nil || n != 3 {
			t.Fatalf("import: n=%d err=%v", n, err)
		}
		sel, err := s.Selections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		areas := rules.GroupSelections(sel)
		if len(areas) != 2 || areas[0].Unit != "D01X01" || len(areas[0].Categories) != 2 ||
			areas[0].Categories[0] != rules.Cat1 || areas[0].Categories[1] != rules.Cat3 {
			t.Errorf("areas = %+v, want D01X01 in categories 1 and 3, D02P01 in 4", areas)
		}

		dup := "year,unit_code,decision,category,date\n" +
			"2025,D01X01,selected,3,2025-03-10\n" +
			"2025,D01X01,selected,1,2025-03-10\n" +
			"2025,D01X01,selected,3,2025-03-12\n"
		_, err = csvimport.Import(ctx, s, "decisions", "dup.csv", strings.NewReader(dup), opts)
		if err == nil || !strings.Contains(err.Error(), "dup.csv: row 4: duplicates row 2 (same key selected|2025|D01X01|3)") {
			t.Errorf("same category twice: err = %v", err)
		}
		if n := countRows(t, s, "selections"); n != 3 {
			t.Errorf("%d selections rows after the refused file, want 3", n)
		}
	})
}

// The reform's files: new communes (a đặc khu among them) from 01/07/2025,
// the successions from the old ones, districts with their end. A district
// file without the validity columns keeps the stored dates.
func TestImportReformFiles(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		imp := func(kind, body string) error {
			_, err := csvimport.Import(ctx, s, kind, kind+".csv", strings.NewReader(body), opts)
			return err
		}
		if err := imp("units", "code,name,kind,district_code,ntm_certified_on,valid_from,valid_to\n"+
			"N01,Xã Bình Sơn,xa,,,2025-07-01,\nN02,Đặc khu Lý Sơn,dac_khu,,,01/07/2025,\n"); err != nil {
			t.Fatal(err)
		}
		if err := imp("successions", "predecessor_code,successor_code,effective_on\nD01X01,N01,2025-07-01\nD02P01,N01,01/07/2025\n"); err != nil {
			t.Fatal(err)
		}
		succ, err := s.Successions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(succ) != 2 || succ[0] != (rules.Succession{Predecessor: "D01X01", Successor: "N01", EffectiveOn: period.Date(2025, 7, 1)}) {
			t.Errorf("successions %+v", succ)
		}
		if err := imp("districts", "code,name,kind,valid_to\nD01,Huyện Bình Sơn,huyen,30/06/2025\n"); err != nil {
			t.Fatal(err)
		}
		// Again without the column: the end stays.
		if err := imp("districts", districts); err != nil {
			t.Fatal(err)
		}
		ds, err := s.Districts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 2 || !ds[0].ValidTo.Equal(period.Date(2025, 6, 30)) || !ds[0].ValidFrom.IsZero() || !ds[1].ValidTo.IsZero() {
			t.Errorf("districts %+v, want D01 valid to 30/06/2025, D02 open", ds)
		}

		before := countRows(t, s, "unit_successions")
		for _, c := range []struct {
			kind, body string
			want       []string
		}{
			{"successions", "predecessor_code,successor_code,effective_on\nD01X01,N02,2025-07-01\nD01X01,N02,2025-08-01\nX99,N01,2025-07-01\nN01,N01,2025-07-01\nD02P01,N02,\n",
				[]string{`row 3: duplicates row 2`, `row 4, field "predecessor_code": unknown unit code "X99"`,
					`row 5, field "successor_code": N01 cannot succeed itself`, `row 6, field "effective_on": is empty`}},
			{"successions", "predecessor_code,successor_code\nD01X01,N02\n", []string{`row 1: missing column "effective_on"`}},
			{"districts", "code,name,kind,valid_from,valid_to,note\nD03,Huyện Ba,huyen,,,x\n",
				[]string{`row 1: unknown column "note"; a districts file has: code,name,kind and optionally valid_from,valid_to`}},
			{"districts", "code,name,kind,valid_from,valid_to\nD03,Huyện Ba,huyen,2025-07-01,2025-06-30\n",
				[]string{`row 2, field "valid_to": 2025-06-30 is before valid_from 2025-07-01`}},
			{"units", "code,name,kind,district_code,ntm_certified_on,valid_from,valid_to\nN03,Thị xã Mới,thi_xa,,,,\n",
				[]string{`row 2, field "kind": "thi_xa" is not one of xa, phuong, dac_khu, thi_tran`}},
		} {
			rejected(t, s, c.kind, c.body, c.want...)
		}
		if after := countRows(t, s, "unit_successions"); after != before {
			t.Errorf("unit_successions has %d rows after rejected files, want %d", after, before)
		}
	})
}

// rejected fails t unless importing body as kind fails with an error
// holding every one of want.
func rejected(t *testing.T, s *store.Store, kind, body string, want ...string) {
	t.Helper()
	_, err := csvimport.Import(context.Background(), s, kind, "bad.csv", strings.NewReader(body), opts)
	if err == nil {
		t.Errorf("%s: bad file accepted", kind)
		return
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: error lacks %q:\n%v", kind, w, err)
		}
	}
}

// A decisions file may carry the selection decision's number and signer
// (optional columns); a file without them keeps what is stored, and a
// number on a verdict row, which nothing would keep, refuses the file.
func TestImportDecisionNumberAndSigner(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		imp := func(name, body string) error {
			_, err := csvimport.Import(ctx, s, "decisions", name, strings.NewReader(body), opts)
			return err
		}
		if err := imp("dec.csv", "year,unit_code,decision,category,date,number,signer\n"+
			"2026,D01X01,selected,1,2026-03-10,12/QĐ-BCĐ,Nguyễn Văn A\n"+
			"2026,D02P01,selected,4,2026-03-10,,\n"); err != nil {
			t.Fatal(err)
		}
		// Without the columns: the date changes, the number stays.
		if err := imp("again.csv", "year,unit_code,decision,category,date\n2026,D01X01,selected,1,2026-03-11\n"); err != nil {
			t.Fatal(err)
		}
		sel, err := s.Selections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]rules.Selection{}
		for _, x := range sel {
			got[x.Unit] = x
		}
		if a := got["D01X01"]; a.Number != "12/QĐ-BCĐ" || a.Signer != "Nguyễn Văn A" || a.DecidedOn.Format("2006-01-02") != "2026-03-11" {
			t.Errorf("D01X01 = %+v, want 12/QĐ-BCĐ signed by Nguyễn Văn A, decided 11/03", a)
		}
		if b := got["D02P01"]; b.Number != "" || b.Signer != "" {
			t.Errorf("D02P01 = %+v, want no number and no signer", b)
		}
		err = imp("verdict.csv", "year,unit_code,decision,category,date,number,signer\n2025,D01X01,transformed,,2026-01-10,05/QĐ-BCĐ,\n")
		if err == nil || !strings.Contains(err.Error(), `verdict.csv: row 2, field "number": is recorded for selected rows only`) {
			t.Errorf("a number on a verdict row: err = %v", err)
		}
	})
}
