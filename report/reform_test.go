package report_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/period"
	"chuyenhoa/report"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// The report of 2025, written after the merger, states the 2025 selection
// as it was decided on 01/03/2025, among the six communes of the two
// districts of that day (storetest.ReformProvince): 6 units, province
// average 18/6 = 3.0, D1 12/3 = 4.0, D2 6/3 = 2.0, cap floor(6 × 34%) = 2,
// A2 and B1 proposed. Built from the communes of the report's day it would
// read 3 units, averages 0 and cap 1.
//
// The relapse check of 14/12/2025 finds A1's 2023 area relapsed as X: a
// report regenerated later for 01/12/2025 does not count it (2023: 2 of 2
// not relapsed); one for 25/01/2026 does (1 of 2, and X in the relapse
// table).
func TestYearReportStatesThePreMergerConditions(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.Load(ctx, storetest.ReformProvince()); err != nil {
			t.Fatal(err)
		}
		cfg := config.Default()
		cfg.Selection.CapPercent = storetest.ReformCapPercent
		r := &jobs.Runner{Store: s, Config: cfg, Now: func() time.Time { return time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC) }}
		if _, err := r.Run(ctx, finding.JobRelapse, period.Date(2025, 12, 20)); err != nil {
			t.Fatal(err)
		}

		rep, err := report.BuildYear(ctx, s, cfg, 2025, period.Date(2026, 1, 25))
		if err != nil {
			t.Fatal(err)
		}
		p := rep.Cycle.Proposal
		b := p.Baseline
		if rep.Cycle.Among != period.Date(2025, 3, 1) || p.TotalUnits != 6 || p.Cap != 2 || b.Province.Avg != 3 ||
			b.Districts["D1"].Avg != 4 || b.Districts["D2"].Avg != 2 {
			t.Errorf("2025 conditions: among %v, %d units, cap %d, averages %v / %v / %v; want 01/03/2025, 6, 2, 3.0 / 4.0 / 2.0",
				rep.Cycle.Among, p.TotalUnits, p.Cap, b.Province.Avg, b.Districts["D1"].Avg, b.Districts["D2"].Avg)
		}
		var proposed []string
		for _, c := range p.Candidates {
			if c.Status == "proposed" {
				proposed = append(proposed, c.Unit.Code)
			}
		}
		if strings.Join(proposed, " ") != "A2 B1" {
			t.Errorf("proposed %v, want A2 B1", proposed)
		}
		dir := t.TempDir()
		if _, err := report.Write(dir, rep); err != nil {
			t.Fatal(err)
		}
		page, err := os.ReadFile(filepath.Join(dir, "bao-cao-chuyen-hoa-2025.html"))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"bình quân một xã của tỉnh (3,0 vụ) và của huyện (Huyện Một: 4,0 vụ; Huyện Hai: 2,0 vụ)",
			"tối đa 2 địa bàn (6 đơn vị cấp xã tại ngày 01/03/2025)"} {
			if !strings.Contains(string(page), want) {
				t.Errorf("the page does not say %q", want)
			}
		}
		y2023 := rep.Years[0]
		if y2023.Year != 2023 || y2023.Selected.Transformed != 2 || y2023.Selected.Relapsed != 1 || y2023.StableRate != 50 ||
			len(rep.Relapses) != 1 || rep.Relapses[0].Unit != "X" || rep.Relapses[0].Year != 2023 {
			t.Errorf("on 25/01/2026: 2023 %+v, relapses %+v; want 1 of 2 relapsed, X/2023", y2023.Selected, rep.Relapses)
		}

		past, err := report.BuildYear(ctx, s, cfg, 2025, period.Date(2025, 12, 1))
		if err != nil {
			t.Fatal(err)
		}
		y2023 = past.Years[0]
		if y2023.Selected.Relapsed != 0 || math.Abs(y2023.StableRate-100) > 1e-9 || len(past.Relapses) != 0 {
			t.Errorf("on 01/12/2025: 2023 %+v (%v%%), relapses %+v; want none relapsed yet", y2023.Selected, y2023.StableRate, past.Relapses)
		}
	})
}
