package report_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/period"
	"chuyenhoa/report"
	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// reform loads storetest.ReformProvince with the committee's decisions
// numbered and signed, and a second commune, Y, selected for 2026 by
// decision 12/QĐ-BCĐ beside X: on 10/02/2026 the province has 3 communes,
// the cap is floor(3 × 34%) = 1, and the 2025 statistical year attributed
// to them counts X 13, Y 5, Z 4 (province average 22/3 ≈ 7,3). The relapse
// check of 20/12/2025 finds A1's 2023 area relapsed as X. It returns the
// configuration the documents are written with.
func reform(t *testing.T, s *store.Store) *config.Config {
	t.Helper()
	ctx := context.Background()
	ds := storetest.ReformProvince()
	for i := range ds.Selections {
		x := &ds.Selections[i]
		switch x.Year {
		case 2025:
			x.Number, x.Signer = "05/QĐ-BCĐ", "Trần Văn B"
		case 2026:
			x.Number, x.Signer = "12/QĐ-BCĐ", "Trần Văn B"
		}
	}
	ds.Selections = append(ds.Selections, rules.Selection{Year: 2026, Unit: "Y", Category: rules.Cat1, DecidedOn: period.Date(2026, 2, 10),
		Number: "12/QĐ-BCĐ", Signer: "Trần Văn B"})
	if err := s.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Selection.CapPercent = storetest.ReformCapPercent
	cfg.Documents.Signer.Name = "Nguyễn Văn A"
	r := &jobs.Runner{Store: s, Config: cfg, Now: func() time.Time { return time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC) }}
	if _, err := r.Run(ctx, finding.JobRelapse, period.Date(2025, 12, 20)); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// page writes d into a folder and returns its page.
func page(t *testing.T, d report.Document, name string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	if _, err := report.Write(dir, d); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b), dir
}

// has reports each of wants page lacks.
func has(t *testing.T, what, page string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(page, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// The fixed parts every report carries (Decree 30/2020/NĐ-CP), with the
// defaults for Quảng Ngãi and the signer configured.
var reportFrame = []string{
	`<div class="caps">UBND TỈNH QUẢNG NGÃI</div><div class="caps"><b>BAN CHỈ ĐẠO 138</b></div>`,
	"<b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b>", `<div class="tagline">Độc lập - Tự do - Hạnh phúc</div>`,
	`<h1 class="kind">BÁO CÁO</h1>`,
	"<b>Nơi nhận:</b><br>- Bộ Công an (để báo cáo);<br>- Thường trực Tỉnh ủy (để báo cáo);<br>- Chủ tịch, các Phó Chủ tịch UBND tỉnh;<br>- Các thành viên Ban Chỉ đạo 138 tỉnh;<br>- Lưu: VT.</td>",
	`<div class="caps">TM. BAN CHỈ ĐẠO</div><div class="caps">TRƯỞNG BAN</div><div class="space"></div><div>Nguyễn Văn A</div>`,
	"@page { size: A4; margin: 20mm 15mm 20mm 30mm;", `font-family: "Times New Roman", "Liberation Serif", "DejaVu Serif"`,
}

// The year report of 2026 on 01/03/2026: its frame, provisional (no
// verdict yet), numbered when the clerk gives the number; the decision of
// 10/02/2026 selects X and Y, one beyond the cap of 1, and Y (5 crimes,
// not above 7,3) departs from the gate; the years as they were decided.
func TestYearReportDocument(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		cfg := reform(t, s)
		rep, err := report.BuildYear(ctx, s, cfg, 2026, period.Date(2026, 3, 1))
		if err != nil {
			t.Fatal(err)
		}
		rep.Frame.Number = "07"
		html, _ := page(t, rep, "bao-cao-chuyen-hoa-2026.html")
		has(t, "the 2026 report", html, reportFrame...)
		has(t, "the 2026 report", html,
			"Số: 07/BC-BCĐ", "Quảng Ngãi, ngày 01 tháng 3 năm 2026",
			`<p class="summary">Kết quả công tác chuyển hóa địa bàn trọng điểm, phức tạp về trật tự, an toàn xã hội năm 2026 (số liệu tạm tính đến ngày 01/03/2026)</p>`,
			"Số liệu tạm tính đến ngày 01/03/2026: 2 địa bàn của năm chưa có kết luận",
			"Ban Chỉ đạo đã quyết định lựa chọn theo Quyết định số 12/QĐ-BCĐ ngày 10/02/2026 (Trần Văn B ký): 2 địa bàn được chọn, vượt 1 địa bàn so với mức tối đa 1 (34% của 3 đơn vị cấp xã tại ngày quyết định).",
			`<td>Xã Y (Y)</td><td class="c">1</td><td class="bad">5 vụ phạm tội xâm phạm TTXH, không cao hơn bình quân tỉnh 7,3: không đủ điều kiện lựa chọn</td>`,
			"<svg", "chỉ tiêu chuyển hóa 60%")
		if strings.Contains(strings.ToLower(html), "tổng kết công tác") {
			t.Error("the provisional 2026 report calls itself the year's review")
		}
		d := rep.Decision
		if d == nil || d.Areas != 2 || d.Cap != 1 || d.OverCap != 1 || len(d.Departures) != 1 || d.Departures[0].Unit != "Y" || d.Departures[0].Rule != rules.DepartsGate {
			t.Fatalf("decision check %+v; want 2 areas over the cap of 1, Y departing from the gate", d)
		}
		// The years as decided: 2023 A1 and B2 (both transformed, A1's
		// area relapsed), 2025 A2 and B1 (not transformed), 2026 X and Y.
		type year struct{ y, sel, tr, rel int }
		var got []year
		for _, y := range rep.Years {
			got = append(got, year{y.Year, y.Selected.Areas, y.Selected.Transformed, y.Selected.Relapsed})
		}
		if want := []year{{2023, 2, 2, 1}, {2024, 0, 0, 0}, {2025, 2, 0, 0}, {2026, 2, 0, 0}}; !equal(got, want) {
			t.Errorf("years %v, want %v", got, want)
		}
		// The decision's departure is a table too.
		dec := rep.Tables()[5].Strings()
		if len(dec) != 2 || strings.Join(dec[1], "|") != "2026|Y|Xã Y|1|5|7.33|5 vụ phạm tội xâm phạm TTXH, không cao hơn bình quân tỉnh 7,3: không đủ điều kiện lựa chọn" {
			t.Errorf("decision table %q", dec)
		}
	})
}

// The report of 2025 is the year's review once both verdicts are in
// (20/01/2026), and provisional before.
func TestYearReportFinalOnceTheVerdictsAreIn(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		cfg := reform(t, s)
		for _, c := range []struct {
			day   time.Time
			title string
		}{
			{period.Date(2026, 1, 25), `<p class="summary">Tổng kết công tác chuyển hóa địa bàn trọng điểm, phức tạp về trật tự, an toàn xã hội năm 2025</p>`},
			{period.Date(2025, 12, 1), `<p class="summary">Kết quả công tác chuyển hóa địa bàn trọng điểm, phức tạp về trật tự, an toàn xã hội năm 2025 (số liệu tạm tính đến ngày 01/12/2025)</p>`},
		} {
			rep, err := report.BuildYear(ctx, s, cfg, 2025, c.day)
			if err != nil {
				t.Fatal(err)
			}
			html, _ := page(t, rep, "bao-cao-chuyen-hoa-2025.html")
			// 2025 is a year of plan 67, quoted with its day.
			has(t, "the 2025 report of "+c.day.Format(time.DateOnly), html, c.title,
				"Thực hiện Kế hoạch số 67/KH-UBND ngày 15/4/2021 của Chủ tịch UBND tỉnh về thực hiện công tác chuyển hóa",
				"Số: <span class=\"blank\"></span>/BC-BCĐ")
			if rep.Final != c.day.After(period.Date(2026, 1, 20)) {
				t.Errorf("on %s: final = %v", c.day.Format(time.DateOnly), rep.Final)
			}
		}
	})
}

// The summary of plan 67 (2021–2025) on 25/01/2026, across the merger:
//
//	2023: 2 selected, 2 transformed (100%), 1 relapsed (A1, as X): 1 of 2
//	      stable = 50% < 85%; 2025: 2 selected, 0 transformed (0%)
//	period: 2 of 4 = 50% < 60% (needs 3); 1 of 2 stable = 50% (needs 2)
//	B2 transformed and stable, now part of Z; A1 relapsed, now X; A2 (X)
//	and B1 (Y) not transformed
func TestPeriodSummary(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		cfg := reform(t, s)
		p, err := report.BuildPeriod(ctx, s, cfg, 2021, 2025, period.Date(2026, 1, 25))
		if err != nil {
			t.Fatal(err)
		}
		html, _ := page(t, p, "bao-cao-giai-doan-2021-2025.html")
		has(t, "the period summary", html, reportFrame...)
		has(t, "the period summary", html,
			"Quảng Ngãi, ngày 25 tháng 01 năm 2026",
			`<p class="summary">Tổng kết công tác chuyển hóa địa bàn trọng điểm, phức tạp về trật tự, an toàn xã hội giai đoạn 2021 - 2025</p>`,
			"Thực hiện Kế hoạch số 67/KH-UBND ngày 15/4/2021 của Chủ tịch UBND tỉnh về thực hiện công tác chuyển hóa",
			"lựa chọn <b>4</b> lượt địa bàn (4 xã, phường tại thời điểm lựa chọn): Loại 1: 4",
			"Chuyển hóa đạt <b>2</b>/4 lượt địa bàn được chọn (50,0%; chỉ tiêu ít nhất 60%, cần 3: <b>không đạt</b>)",
			"không phức tạp trở lại: 1/2 (50,0%; chỉ tiêu ít nhất 85%, cần 2: <b>không đạt</b>)",
			"1 xã, phường đã chuyển hóa và không phức tạp trở lại; 1 đã chuyển hóa nhưng phức tạp trở lại; 2 chưa chuyển hóa",
			// Each commune as selected, beside the one it is part of now.
			`<td>Xã B2 (B2), Huyện Hai</td><td>Xã Z (Z)</td><td class="c">2023</td>`,
			`<td>Xã A1 (A1), Huyện Một</td><td>Xã X (X)</td><td class="c">2023</td><td class="c">1</td><td>2023: chuyển hóa đạt; hiện nay phức tạp trở lại</td>`,
			`<td>Xã A2 (A2), Huyện Một</td><td>Xã X (X)</td><td class="c">2025</td><td class="c">1</td><td>2025: không đạt</td>`,
			`<td>Xã B1 (B1), Huyện Hai</td><td>Xã Y (Y)</td>`,
			"<svg")
		if strings.Contains(html, "tạm tính") {
			t.Error("the summary of 25/01/2026 is provisional, though every verdict of 2021–2025 is in")
		}
		years := p.Tables()[0].Strings()
		want := []string{
			"Năm|Được chọn|Loại 1|Loại 2|Loại 3|Loại 4|Thuộc nhiều loại|Đã kết luận|Chuyển hóa đạt|Tỷ lệ (%)|Đạt 60%|Chuyển tiếp|Chuyển tiếp đạt|Phức tạp trở lại|Không phức tạp trở lại (%)|Đạt 85%",
			"2021|0|0|0|0|0|0|0|0|||0|0|0||",
			"2022|0|0|0|0|0|0|0|0|||0|0|0||",
			"2023|2|2|0|0|0|0|2|2|100.0|có|0|0|1|50.0|không",
			"2024|0|0|0|0|0|0|0|0|||0|0|0||",
			"2025|2|2|0|0|0|0|2|0|0.0|không|0|0|0||",
			"Cả giai đoạn|4|4|0|0|0|0|4|2|50.0|không|0|0|1|50.0|không",
		}
		for i, w := range want {
			if i >= len(years) || strings.Join(years[i], "|") != w {
				t.Errorf("years row %d: %q, want %q", i, years[min(i, len(years)-1)], w)
			}
		}
		areas := p.Tables()[1].Strings()
		if len(areas) != 5 || strings.Join(areas[1], "|") != "B2|Xã B2|Huyện Hai|Z|Xã Z|2023|1|Đã chuyển hóa, không phức tạp trở lại|2023|2023: chuyển hóa đạt|" ||
			strings.Join(areas[2], "|") != "A1|Xã A1|Huyện Một|X|Xã X|2023|1|Đã chuyển hóa, phức tạp trở lại|2023|2023: chuyển hóa đạt|Phức tạp trở lại" {
			t.Errorf("areas table %q", areas)
		}

		// A plan that does not hold the years is named.
		if _, err := report.BuildPeriod(ctx, s, cfg, 2026, 2030, period.Date(2026, 1, 25)); err == nil || !strings.Contains(err.Error(), "no plan holds the years 2026–2030") {
			t.Errorf("2026–2030 without a plan: %v", err)
		}
	})
}

// The draft decision of 2026 made on 25/01/2026, before the committee
// decided: among X, Y and Z the cap is 1 and X (13 > 7,3, complex in
// category 1) is proposed. The number and the day are left for the clerk
// and the signer; the plan of the year (a 2026–2030 entry) is its basis.
func TestDraftDecision(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		cfg := reform(t, s)
		cfg.Plans = append(cfg.Plans, config.Plan{Name: "Kế hoạch thực hiện công tác chuyển hóa địa bàn giai đoạn 2026 - 2030", Number: "12/KH-UBND",
			IssuedOn: "2026-01-05", Issuer: "Chủ tịch UBND tỉnh", From: 2026, To: 2030})
		cfg.Documents.Decision.Signer = config.Signer{Authority: "KT. TRƯỞNG BAN", Title: "PHÓ TRƯỞNG BAN"}
		d, err := report.BuildDraft(ctx, s, cfg, 2026, period.Date(2026, 1, 25))
		if err != nil {
			t.Fatal(err)
		}
		html, _ := page(t, d, "du-thao-quyet-dinh-2026.html")
		has(t, "the draft decision", html,
			`<div class="draft"><span>DỰ THẢO</span></div>`, "<b>BAN CHỈ ĐẠO 138</b>", "<b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b>", "Độc lập - Tự do - Hạnh phúc",
			`Số: <span class="blank"></span>/QĐ-BCĐ`,
			`Quảng Ngãi, ngày <span class="blank"></span> tháng <span class="blank"></span> năm 2026`,
			`<h1 class="kind">QUYẾT ĐỊNH</h1>`,
			`<p class="summary">Về việc lựa chọn địa bàn trọng điểm, phức tạp về trật tự, an toàn xã hội để tổ chức chuyển hóa năm 2026</p>`,
			`<p class="authority">TRƯỞNG BAN CHỈ ĐẠO 138 TỈNH QUẢNG NGÃI</p>`,
			"<i>Căn cứ Kế hoạch số 12/KH-UBND ngày 5/1/2026 của Chủ tịch UBND tỉnh về thực hiện công tác chuyển hóa địa bàn giai đoạn 2026 - 2030;</i>",
			"<i>Xét đề nghị của Công an tỉnh (Cơ quan Thường trực Ban Chỉ đạo 138 tỉnh),</i>",
			"<b>Điều 1.</b> Lựa chọn 1 địa bàn cấp xã sau đây",
			"<td>Xã X (X)</td><td>Loại 1: tội phạm xâm phạm TTXH và tệ nạn xã hội</td><td>13 vụ &gt; BQ tỉnh 7,3; phức tạp loại 1; hạng 1/1 trong hạn mức</td>",
			"trong thời hạn 30 ngày kể từ ngày Quyết định này có hiệu lực",
			"<b>Nơi nhận:</b><br>- Như Điều 3;",
			`<div class="caps">KT. TRƯỞNG BAN</div><div class="caps">PHÓ TRƯỞNG BAN</div><div class="space"></div><div>Nguyễn Văn A</div>`,
			"THÔNG TIN KÈM THEO DỰ THẢO")
		if len(d.Areas) != 1 || d.Areas[0].Unit.Code != "X" || d.Proposal.Cap != 1 || d.Recorded != nil {
			t.Errorf("draft: %d areas (%+v), cap %d, recorded %v; want X alone, cap 1, nothing recorded yet", len(d.Areas), d.Areas, d.Proposal.Cap, d.Recorded)
		}
		rows := d.Tables()[0].Strings()
		if len(rows) != 2 || strings.Join(rows[1], "|") != "2026|X|Xã X|1|13|7.33|1|Đề xuất chuyển hóa|13 vụ > BQ tỉnh 7,3; phức tạp loại 1; hạng 1/1 trong hạn mức|" {
			t.Errorf("draft table %q", rows)
		}
	})
}

// A database without communes, or a year with nothing in it, is no
// report: the builders say so.
func TestNoData(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		cfg := config.Default()
		day := period.Date(2026, 3, 1)
		if _, err := report.BuildYear(ctx, s, cfg, 2026, day); !errorsIs(err, report.ErrNoData) {
			t.Errorf("year report of an empty database: %v", err)
		}
		if _, err := report.BuildPeriod(ctx, s, cfg, 2021, 2025, day); !errorsIs(err, report.ErrNoData) {
			t.Errorf("period summary of an empty database: %v", err)
		}
		if _, err := report.BuildDraft(ctx, s, cfg, 2026, day); !errorsIs(err, report.ErrNoData) {
			t.Errorf("draft decision of an empty database: %v", err)
		}
	})
}

func errorsIs(err, target error) bool { return err != nil && errors.Is(err, target) }

func equal[T comparable](a, b []T) bool { return slices.Equal(a, b) }
