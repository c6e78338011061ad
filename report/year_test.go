package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/labels"
	"chuyenhoa/period"
	"chuyenhoa/report"
	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
	"chuyenhoa/synth"
)

// demo loads the demo's province (seed 67: a year of work with a
// carried-over area, areas at risk and a district proposal failing the
// gate) and runs every job on day, as 'chuyenhoa demo' does.
func demo(t *testing.T, s *store.Store, cfg *config.Config, day time.Time, change ...func(*store.Dataset)) {
	t.Helper()
	ctx := context.Background()
	opts := synth.Options{Districts: 13, Units: 170, FromYear: 2021, ToYear: day.Year(), Today: day}
	ds := synth.Province(67, opts)
	for _, c := range change {
		c(ds)
	}
	if err := s.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	if err := s.LoadCycle(ctx, synth.Cycle(67, opts, ds)); err != nil {
		t.Fatal(err)
	}
	at7 := time.Date(day.Year(), day.Month(), day.Day(), 7, 0, 0, 0, cfg.Location())
	r := &jobs.Runner{Store: s, Config: cfg, Now: func() time.Time { return at7 }}
	for _, j := range finding.RecomputeJobs() {
		if _, err := r.Run(ctx, j, day); err != nil {
			t.Fatal(err)
		}
	}
}

// demoDocuments builds the demo's documents of 25/11/2026: the 2026 year
// report, the 2021–2025 summary and the draft decision of draftYear as of
// draftDay.
func demoDocuments(t *testing.T, s *store.Store, draftYear int, draftDay time.Time) (*report.Year, *report.Period, *report.Draft) {
	t.Helper()
	ctx := context.Background()
	cfg := config.Default()
	day := period.Date(2026, 11, 25)
	demo(t, s, cfg, day)
	year, err := report.BuildYear(ctx, s, cfg, 2026, day)
	if err != nil {
		t.Fatal(err)
	}
	per, err := report.BuildPeriod(ctx, s, cfg, 2021, 2025, day)
	if err != nil {
		t.Fatal(err)
	}
	draft, err := report.BuildDraft(ctx, s, cfg, draftYear, draftDay)
	if err != nil {
		t.Fatal(err)
	}
	return year, per, draft
}

// The year-end report of the demo's year is written as an A4 HTML page and
// CSV tables.
func TestYearReport(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		cfg := config.Default()
		day := period.Date(2026, 11, 25)
		demo(t, s, cfg, day)

		rep, err := report.BuildYear(ctx, s, cfg, 2026, day)
		if err != nil {
			t.Fatal(err)
		}
		rdir := filepath.Join(t.TempDir(), "bao-cao")
		files, err := report.Write(rdir, rep)
		if err != nil {
			t.Fatal(err)
		}
		// The page, six tables as CSV and the workbook holding them.
		if len(files) != 8 {
			t.Errorf("wrote %v, want the page, six CSV tables and the workbook", files)
		}
		page, err := os.ReadFile(filepath.Join(rdir, "bao-cao-chuyen-hoa-2026.html"))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			`<html lang="vi">`, "@page { size: A4;", "thead { display: table-header-group; }",
			// On 25/11/2026 the year's verdicts are not recorded: the
			// results so far, provisional, not the year's review.
			"Kết quả công tác chuyển hóa địa bàn trọng điểm, phức tạp về trật tự, an toàn xã hội năm 2026 (số liệu tạm tính đến ngày 25/11/2026)",
			"Chuyển tiếp, chọn năm 2025", "Có nguy cơ không đạt", "KHÔNG ĐẠT điều kiện", "V. CHỈ TIÊU QUA CÁC NĂM",
		} {
			if !bytes.Contains(page, []byte(want)) {
				t.Errorf("report page lacks %q", want)
			}
		}

		if bytes.Contains(bytes.ToLower(page), []byte("tổng kết công tác")) {
			t.Error("the provisional report of 25/11/2026 calls itself the year's review (tổng kết)")
		}

		raw, err := os.ReadFile(filepath.Join(rdir, "bao-cao-chuyen-hoa-2026-dia-ban.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(raw, []byte("\ufeff")) {
			t.Error("CSV lacks the byte order mark spreadsheets need for diacritics")
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		// A header and one row per area: 19 selected, 5 carried over.
		if len(rows) != 1+19+5 {
			t.Fatalf("areas CSV has %d rows, want 25", len(rows))
		}
		carried, atRisk := 0, 0
		for _, r := range rows[1:] {
			if strings.HasPrefix(r[5], "Chuyển tiếp") {
				carried++
			}
			if r[17] == "Có nguy cơ không đạt" {
				atRisk++
			}
		}
		if carried != 5 || atRisk != 2 {
			t.Errorf("areas CSV: %d carried over, %d at risk; want 5 and 2", carried, atRisk)
		}
		// No temporary files are left behind.
		if left, _ := filepath.Glob(filepath.Join(rdir, ".*")); len(left) != 0 {
			t.Errorf("temporary files left: %v", left)
		}
	})
}

// An area selected in two categories is one area of the year: one row of
// the areas table, listing both, counted in each category's line.
func TestYearReportTwoCategories(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		cfg := config.Default()
		day := period.Date(2026, 11, 25)
		var unit string
		var first, second rules.Category
		demo(t, s, cfg, day, func(ds *store.Dataset) {
			for _, x := range ds.Selections {
				if x.Year == 2026 {
					unit, first = x.Unit, x.Category
					second = first%4 + 1
					ds.Selections = append(ds.Selections, rules.Selection{Year: 2026, Unit: x.Unit, Category: second, DecidedOn: x.DecidedOn.AddDate(0, 0, 20)})
					return
				}
			}
		})
		rep, err := report.BuildYear(ctx, s, cfg, 2026, day)
		if err != nil {
			t.Fatal(err)
		}
		want := labels.Categories(rules.AreaCategories([]rules.Category{first, second}))
		var rows []string
		for _, r := range rep.Tables()[0].Strings()[1:] {
			if r[1] == unit {
				rows = append(rows, r[4])
			}
		}
		// Still 19 areas selected, as in TestYearReport.
		if len(rows) != 1 || rows[0] != want || rep.Cycle.Cycle.Selected.Areas != 19 || rep.Several != 1 {
			t.Errorf("area %s: rows %q (want one, %q); %d selected (want 19); %d of several categories (want 1)",
				unit, rows, want, rep.Cycle.Cycle.Selected.Areas, rep.Several)
		}
		files, err := rep.Files()
		if err != nil {
			t.Fatal(err)
		}
		if page := string(files[0].Data); !strings.Contains(page, "1 địa bàn thuộc nhiều loại") || !strings.Contains(page, `<td class="n">`+want+`</td>`) {
			t.Errorf("report page does not list %s in categories %s", unit, want)
		}
	})
}
