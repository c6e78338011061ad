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

// The period summary and the draft decision from the command line, with
// the PDF turned off by the configuration (which the command says); the
// years are checked before anything is opened.
func TestReportPeriodAndDecision(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "demo.db")
	if _, stderr, err := run(t, nil, "demo", "--db", db, "--mail-dir", filepath.Join(dir, "mail")); err != nil {
		t.Fatalf("demo: %v\n%s", err, stderr)
	}
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("documents:\n  chromium: none\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CHUYENHOA_DATABASE_URL": "sqlite:" + db, "CHUYENHOA_CONFIG": cfg}
	out := filepath.Join(dir, "van-ban")
	stdout, stderr, err := run(t, env, "report", "period", "2021", "2025", "--out", out, "--at", "2026-11-25")
	if err != nil {
		t.Fatalf("report period: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "Báo cáo giai đoạn 2021 - 2025 (số liệu đến 25/11/2026)") || !strings.Contains(stdout, "Không tạo tệp PDF: documents.chromium là none") {
		t.Errorf("report period said:\n%s", stdout)
	}
	stdout, stderr, err = run(t, env, "report", "decision", "2027", "--out", out, "--at", "2026-11-25", "--number", "15")
	if err != nil {
		t.Fatalf("report decision: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "Dự thảo quyết định lựa chọn năm 2027") {
		t.Errorf("report decision said:\n%s", stdout)
	}
	page, err := os.ReadFile(filepath.Join(out, "du-thao-quyet-dinh-2027.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "Số: 15/QĐ-BCĐ") {
		t.Error("--number 15 is not the draft's number")
	}
	for _, name := range []string{"bao-cao-giai-doan-2021-2025.html", "bao-cao-giai-doan-2021-2025-cac-nam.csv", "bao-cao-giai-doan-2021-2025.xlsx",
		"du-thao-quyet-dinh-2027-dia-ban-de-xuat.csv", "du-thao-quyet-dinh-2027.xlsx"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("missing %s: %v", name, err)
		}
	}
	if pdfs, _ := filepath.Glob(filepath.Join(out, "*.pdf")); len(pdfs) != 0 {
		t.Errorf("PDFs written with documents.chromium none: %v", pdfs)
	}
	for _, args := range [][]string{
		{"report", "period", "2025", "2021"}, {"report", "period", "2021"}, {"report", "year", "2026", "2027"},
		{"report", "decision", "2028", "--at", "2026-11-25"}, {"report", "summary", "2026"}, {"report", "period", "2021", "2030", "--at", "2026-11-25"},
	} {
		if _, _, err := run(t, env, args...); err == nil || exitCode(err) != 2 {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
	// Without a browser on PATH the documents are written, and the command
	// says there is no PDF and why.
	t.Setenv("PATH", t.TempDir())
	delete(env, "CHUYENHOA_CONFIG")
	stdout, stderr, err = run(t, env, "report", "year", "2026", "--out", out, "--at", "2026-11-25")
	if err != nil {
		t.Fatalf("report year without chromium: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "Không tạo tệp PDF: không tìm thấy chromium (no chromium found on PATH") {
		t.Errorf("report year without chromium said:\n%s", stdout)
	}
	if _, err := os.Stat(filepath.Join(out, "bao-cao-chuyen-hoa-2026.html")); err != nil {
		t.Errorf("no page without chromium: %v", err)
	}
	env["CHUYENHOA_CONFIG"] = cfg

	// A period no plan holds is the configuration's matter: exit 1, naming
	// the plans.
	if _, _, err := run(t, env, "report", "period", "2026", "2026", "--at", "2026-11-25"); err == nil || exitCode(err) != 1 ||
		!strings.Contains(err.Error(), "no plan holds the years 2026–2026") {
		t.Errorf("report period 2026 2026: %v", err)
	}
}

// A report on a database without data says so, exits 1 and writes
// nothing; on a missing database it creates none.
func TestReportWithoutData(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "empty.db")
	env := map[string]string{"CHUYENHOA_DATABASE_URL": "sqlite:" + db}
	for _, args := range [][]string{{"report", "year", "2026"}, {"report", "period", "2021", "2025"}, {"report", "decision", "2026"}} {
		out := filepath.Join(dir, "out-"+args[1])
		_, stderr, code := cli(t, env, append(args, "--out", out, "--at", "2026-03-01")...)
		if code != 1 || !strings.Contains(stderr, "does not exist") {
			t.Errorf("%v on a missing database: exit %d\n%s", args, code, stderr)
		}
		if _, err := os.Stat(db); err == nil {
			t.Fatalf("%v created the missing database", args)
		}
	}
	if _, stderr, err := run(t, env, "migrate"); err != nil {
		t.Fatalf("migrate: %v\n%s", err, stderr)
	}
	for _, args := range [][]string{{"report", "year", "2026"}, {"report", "period", "2021", "2025"}, {"report", "decision", "2026"}} {
		out := filepath.Join(dir, "out-"+args[1])
		_, stderr, code := cli(t, env, append(args, "--out", out, "--at", "2026-03-01")...)
		if code != 1 || !strings.Contains(stderr, "no data to report") || !strings.Contains(stderr, "Nothing was written") {
			t.Errorf("%v on an empty database: exit %d\n%s", args, code, stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%v made %s", args, out)
		}
	}
}
