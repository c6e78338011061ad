package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The demo shows a year of work with a carried-over area, areas at risk
// and a district proposal failing the gate; 'report year' writes that
// year's report to --out (what it holds: package report's tests).
func TestDemoCycleAndYearReport(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "demo.db")
	out, stderr, err := run(t, nil, "demo", "--db", db, "--mail-dir", filepath.Join(dir, "mail"))
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, stderr)
	}
	for _, want := range []string{
		"NĂM CHUYỂN HÓA 2026", "Chuyển tiếp (chọn năm 2025)", "CÓ NGUY CƠ KHÔNG ĐẠT", "DỰ BÁO CHỈ TIÊU NĂM 2026",
		"ĐỀ XUẤT CỦA BAN CHỈ ĐẠO 138 CẤP HUYỆN BÊN CẠNH ĐỀ XUẤT TÍNH TOÁN", "KHÔNG ĐẠT điều kiện:", "Nghĩa vụ đề xuất",
		"địa bàn có nguy cơ không đạt (25/11/2026)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}

	env := map[string]string{"CHUYENHOA_DATABASE_URL": "sqlite:" + db}
	rdir := filepath.Join(dir, "bao-cao")
	out, stderr, err = run(t, env, "report", "year", "2026", "--out", rdir, "--at", "2026-11-25")
	if err != nil {
		t.Fatalf("report: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, "19 địa bàn được chọn, 5 chuyển tiếp") {
		t.Errorf("report summary: %q", out)
	}
	for _, name := range []string{"de-xuat", "chi-tieu", "phuc-tap-tro-lai"} {
		if _, err := os.Stat(filepath.Join(rdir, "bao-cao-chuyen-hoa-2026-"+name+".csv")); err != nil {
			t.Errorf("missing %s.csv: %v", name, err)
		}
	}
	for _, args := range [][]string{{"report", "2026"}, {"report", "year", "twenty"}, {"report", "year", "2027", "--at", "2026-11-25"}} {
		if _, _, err := run(t, env, args...); err == nil || exitCode(err) != 2 {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
}
