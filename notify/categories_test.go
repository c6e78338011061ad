package notify_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"chuyenhoa/csvimport"
	"chuyenhoa/finding"
	"chuyenhoa/notify/smtptest"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// twoCategoryFiles are a province's CSV files in which Xã Bình Châu (A) was
// selected for 2024 in categories 1 and 3 (two rows of one decisions file)
// and transformed on 15/01/2025. Statistics of 01/06/2025, inside the
// relapse window of a check on 01/03/2026 (15/02/2025–14/02/2026):
//
//	              TT (cat 1, TTXH)  MTR (cat 3)  MT (cat 4, TTXH)   TTXH
//	D1: A                2              5                            2
//	    B                6              1                            6
//	    C                2                                           2
//	    D                                                            0   → TTXH 10/4 = 2,5; cat 1 10/4 = 2,5; cat 3 6/4 = 1,5
//	D2: E                4              2               2            6
//	    F                                                            0
//	province: TTXH 16/6 = 2,67; cat 1 14/6 = 2,33; cat 3 8/6 = 1,33
//
// A: 2 > 2,67 no (not by the gate); category 1: 2 > 2,33 no; category 3:
// 5 > 1,33 and 5 > 1,5: complex again in its second category only.
var twoCategoryFiles = []struct{ kind, body string }{
	{"districts", "code,name,kind\nD1,Huyện Bình Sơn,huyen\nD2,Huyện Ba Tơ,huyen\n"},
	{"units", "code,name,kind,district_code,ntm_certified_on,valid_from,valid_to\n" +
		"A,Xã Bình Châu,xa,D1,,,\nB,Xã Bình Thạnh,xa,D1,,,\nC,Xã Bình Hải,xa,D1,,,\nD,Xã Bình Phước,xa,D1,,,\n" +
		"E,Xã Ba Vì,xa,D2,,,\nF,Xã Ba Tô,xa,D2,,,\n"},
	{"offences", "code,name,category,social_order\nTT,Trộm cắp tài sản,1,true\n" +
		"MTR,Vi phạm quy định về bảo vệ môi trường,3,false\nMT,Tàng trữ trái phép chất ma túy,4,true\n"},
	{"statistics", "unit_code,day,offence_code,count\n" +
		"A,2025-06-01,TT,2\nA,2025-06-01,MTR,5\nB,2025-06-01,TT,6\nB,2025-06-01,MTR,1\nC,2025-06-01,TT,2\n" +
		"E,2025-06-01,TT,4\nE,2025-06-01,MTR,2\nE,2025-06-01,MT,2\n"},
	{"decisions", "year,unit_code,decision,category,date\n" +
		"2024,A,selected,1,2024-03-01\n2024,A,selected,3,2024-03-01\n2024,A,transformed,,2025-01-15\n"},
}

func importFiles(t *testing.T, s *store.Store, today time.Time, files ...struct{ kind, body string }) {
	t.Helper()
	opts := csvimport.Options{Today: today, Loc: time.UTC}
	for _, f := range files {
		if _, err := csvimport.Import(context.Background(), s, f.kind, f.kind+".csv", strings.NewReader(f.body), opts); err != nil {
			t.Fatalf("import %s: %v", f.kind, err)
		}
	}
}

func TestTwoCategoryAreaRelapsesInItsSecondCategory(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		importFiles(t, s, period.Date(2026, 3, 1), twoCategoryFiles...)
		srv := smtptest.Start(t)
		e := newEnv(t, s, srv)

		e.run(finding.JobRelapse)
		fs, err := s.Findings(ctx, finding.JobRelapse, "2026-02")
		if err != nil {
			t.Fatal(err)
		}
		var items []finding.RelapseItem
		for _, f := range fs {
			if f.Kind != finding.KindRelapse {
				continue
			}
			it, err := finding.Decode[finding.RelapseItem](f.Kind, f.Payload)
			if err != nil {
				t.Fatal(err)
			}
			items = append(items, it)
		}
		if len(items) != 1 {
			t.Fatalf("%d relapse findings, want A's one", len(items))
		}
		it := items[0]
		if !slices.Equal(it.Area.Categories, []rules.Category{rules.Cat1, rules.Cat3}) || !it.Relapsed || it.ByGate || !it.ByCategory ||
			!slices.Equal(it.ComplexAgain(), []rules.Category{rules.Cat3}) {
			t.Errorf("A: categories %v relapsed %v gate %v again in %v; want [1 3], relapsed in category 3 only",
				it.Area.Categories, it.Relapsed, it.ByGate, it.ComplexAgain())
		}
		near := func(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
		want := []rules.CategoryCheck{{Category: 1, Count: 2, ProvinceAvg: 14.0 / 6, DistrictAvg: 2.5}, {Category: 3, Count: 5, ProvinceAvg: 8.0 / 6, DistrictAvg: 1.5, Complex: true}}
		for i, w := range want {
			if i >= len(it.CategoryChecks) {
				t.Fatalf("checks %+v, want %+v", it.CategoryChecks, want)
			}
			g := it.CategoryChecks[i]
			if g.Category != w.Category || g.Count != w.Count || !near(g.ProvinceAvg, w.ProvinceAvg) || !near(g.DistrictAvg, w.DistrictAvg) || g.Complex != w.Complex {
				t.Errorf("check %d = %+v, want %+v", i, g, w)
			}
		}
		if !near(it.ProvinceAvg, 16.0/6) || !near(it.DistrictAvg, 2.5) || it.Counts.SocialOrder != 2 {
			t.Errorf("A: %d against %v / %v, want 2 against 2,67 / 2,5", it.Counts.SocialOrder, it.ProvinceAvg, it.DistrictAvg)
		}

		if st := e.drain(); st.Sent != 2 || st.Failed != 0 {
			t.Fatalf("drain = %+v, want 2 sent (D1, province)", st)
		}
		got := byRecipient(srv.Messages())
		d1 := got["binhson@quangngai.gov.vn"]
		if len(d1) != 1 {
			t.Fatalf("D1 got %d mails", len(d1))
		}
		for _, part := range []string{d1[0].Text, d1[0].HTML} {
			mustContain(t, "D1 relapse", part, "Xã Bình Châu (A) — chuyển hóa năm 2024 (Loại 1, 3)",
				"2 vụ phạm tội xâm phạm TTXH (BQ tỉnh 2,7, BQ huyện 2,5); loại 1: 2 vụ (BQ tỉnh 2,3, BQ huyện 2,5); loại 3: 5 vụ (BQ tỉnh 1,3, BQ huyện 1,5).",
				"Phức tạp trở lại từ 14/02/2026: phức tạp trở lại về loại 3.")
			mustNotContain(t, "D1 relapse", part, "số vụ cao hơn bình quân", "về loại 1")
		}

		// A's environmental cases are corrected to none: on 01/04/2026
		// category 3 averages 3/6 = 0,5, A's 0 is not above: normal again,
		// announced once with both categories.
		importFiles(t, s, period.Date(2026, 4, 1), struct{ kind, body string }{"statistics", "unit_code,day,offence_code,count\nA,2025-06-01,MTR,0\n"})
		e.advance(31 * 24 * time.Hour)
		e.run(finding.JobRelapse)
		if st := e.drain(); st.Sent != 2 {
			t.Fatalf("closing drain = %+v, want 2 sent", st)
		}
		d1 = byRecipient(srv.Messages())["binhson@quangngai.gov.vn"]
		mustContain(t, "D1 normal again", d1[1].Text, "Xã Bình Châu (A) — chuyển hóa năm 2024 (Loại 1, 3)", "loại 3: 0 vụ (BQ tỉnh 0,5",
			"Không còn vượt bình quân và không còn phức tạp loại 1, 3.")
	})
}
