package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The demo shows a year of work with a carried-over area, areas at risk
// and a proposal failing the gate; 'report year' writes that year's
// report to --out (what it holds: package report's tests). After the
// reform the communes propose themselves and owe no proposal (no
// proposals.min_per_unit), and 2025's report states the selection among
// the old communes; the three-tier province keeps its district proposals.
func TestDemoCycleAndYearReport(t *testing.T) {
	for _, c := range []struct {
		name    string
		args    []string
		wants   []string
		summary map[string]string // by year
	}{
		{"reform", nil, []string{"ĐỀ XUẤT CỦA CÔNG AN CẤP XÃ BÊN CẠNH ĐỀ XUẤT TÍNH TOÁN", "Chuyển tiếp (chọn năm 2025)"},
			map[string]string{"2026": "8 địa bàn được chọn, 6 chuyển tiếp, 8 đề xuất của xã", "2025": "17 địa bàn được chọn, 3 chuyển tiếp, 21 đề xuất của huyện"}},
		{"three-tier", []string{"--three-tier"}, []string{"ĐỀ XUẤT CỦA BAN CHỈ ĐẠO 138 CẤP HUYỆN BÊN CẠNH ĐỀ XUẤT TÍNH TOÁN", "Nghĩa vụ đề xuất"},
			map[string]string{"2026": "19 địa bàn được chọn, 5 chuyển tiếp"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "demo.db")
			out, stderr, err := run(t, nil, append([]string{"demo", "--db", db, "--mail-dir", filepath.Join(dir, "mail")}, c.args...)...)
			if err != nil {
				t.Fatalf("demo: %v\n%s", err, stderr)
			}
			for _, want := range append([]string{
				"NĂM CHUYỂN HÓA 2026", "Chuyển tiếp (chọn năm 2025)", "CÓ NGUY CƠ KHÔNG ĐẠT", "DỰ BÁO CHỈ TIÊU NĂM 2026",
				"KHÔNG ĐẠT điều kiện:", "địa bàn có nguy cơ không đạt (25/11/2026)",
			}, c.wants...) {
				if !strings.Contains(out, want) {
					t.Errorf("demo output lacks %q", want)
				}
			}

			env := map[string]string{"CHUYENHOA_DATABASE_URL": "sqlite:" + db}
			for year, summary := range c.summary {
				rdir := filepath.Join(dir, "bao-cao-"+year)
				out, stderr, err = run(t, env, "report", "year", year, "--out", rdir, "--at", "2026-11-25")
				if err != nil {
					t.Fatalf("report: %v\n%s", err, stderr)
				}
				if !strings.Contains(out, summary) {
					t.Errorf("report %s summary: %q, want %q", year, out, summary)
				}
				for _, name := range []string{"de-xuat", "chi-tieu", "phuc-tap-tro-lai"} {
					if _, err := os.Stat(filepath.Join(rdir, "bao-cao-chuyen-hoa-"+year+"-"+name+".csv")); err != nil {
						t.Errorf("missing %s.csv: %v", name, err)
					}
				}
			}
			for _, args := range [][]string{{"report", "2026"}, {"report", "year", "twenty"}, {"report", "year", "2027", "--at", "2026-11-25"}} {
				if _, _, err := run(t, env, args...); err == nil || exitCode(err) != 2 {
					t.Errorf("%v: err = %v, want a usage error", args, err)
				}
			}
		})
	}
}
