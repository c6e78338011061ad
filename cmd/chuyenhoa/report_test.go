package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The demo shows a year of work with a carried-over area, areas at risk
// and a district proposal failing the gate; the year-end report of that
// year is written as an A4 HTML page and CSV tables.
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
	page, err := os.ReadFile(filepath.Join(rdir, "bao-cao-chuyen-hoa-2026.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<html lang="vi">`, "@page { size: A4;", "thead { display: table-header-group; }",
		"BÁO CÁO TỔNG KẾT CÔNG TÁC CHUYỂN HÓA ĐỊA BÀN TRỌNG ĐIỂM, PHỨC TẠP VỀ TRẬT TỰ, AN TOÀN XÃ HỘI NĂM 2026",
		"Chuyển tiếp, chọn năm 2025", "Có nguy cơ không đạt", "KHÔNG ĐẠT điều kiện", "V. CHỈ TIÊU QUA CÁC NĂM",
	} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("report page lacks %q", want)
		}
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
	for _, name := range []string{"de-xuat", "chi-tieu", "phuc-tap-tro-lai"} {
		if _, err := os.Stat(filepath.Join(rdir, "bao-cao-chuyen-hoa-2026-"+name+".csv")); err != nil {
			t.Errorf("missing %s.csv: %v", name, err)
		}
	}
	// No temporary files are left behind.
	if left, _ := filepath.Glob(filepath.Join(rdir, ".*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}

	for _, args := range [][]string{{"report", "2026"}, {"report", "year", "twenty"}, {"report", "year", "2027", "--at", "2026-11-25"}} {
		if _, _, err := run(t, env, args...); err == nil || exitCode(err) != 2 {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
}
