package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"chuyenhoa/notify/smtptest"
)

// run calls the CLI in-process with a clean environment plus env.
func run(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdout: &out, stderr: &errb, getenv: func(k string) string { return env[k] }}
	err := a.main(context.Background(), args)
	return out.String(), errb.String(), err
}

func TestHelpListsEveryCommand(t *testing.T) {
	out, _, err := run(t, nil, "help")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range commands() {
		if !strings.Contains(out, "  "+c.name+" ") {
			t.Errorf("help does not list %q", c.name)
		}
		for _, e := range c.examples {
			if !strings.Contains(out, e) {
				t.Errorf("help lacks the example %q", e)
			}
		}
		if len(c.examples) == 0 {
			t.Errorf("command %q has no example", c.name)
		}
	}
	if _, _, err := run(t, nil, "frobnicate"); err == nil || exitCode(err) != 2 {
		t.Errorf("unknown command: err = %v, want a usage error", err)
	}
}

func TestDemoIsCompleteAndRepeatable(t *testing.T) {
	dir := t.TempDir()
	demo := func(name string) (string, []string) {
		db := filepath.Join(dir, name+".db")
		mail := filepath.Join(dir, name+"-mail")
		out, stderr, err := run(t, nil, "demo", "--db", db, "--mail-dir", mail)
		if err != nil {
			t.Fatalf("demo: %v\n%s", err, stderr)
		}
		files, err := filepath.Glob(filepath.Join(mail, "*.eml"))
		if err != nil {
			t.Fatal(err)
		}
		// The file paths and the database path differ between the runs.
		out = strings.ReplaceAll(strings.ReplaceAll(out, mail, "MAIL"), db, "DB")
		return out, files
	}
	out1, files := demo("a")
	out2, _ := demo("b")
	if out1 != out2 {
		t.Error("two demo runs printed different output")
	}
	for _, want := range []string{
		"ĐỀ XUẤT ĐỊA BÀN TRỌNG ĐIỂM", "Đề xuất chuyển hóa", "Vượt hạn mức 15%", "Loại trừ: đạt chuẩn nông thôn mới",
		"PHỨC TẠP TRỞ LẠI", "TIẾN ĐỘ CHỈ TIÊU", "KHÔNG ĐẠT", "Quá hạn, báo cáo Ban Chỉ đạo tỉnh", "Sắp đến hạn", "Đã nộp muộn",
		"THƯ ĐÃ GỬI",
	} {
		if !strings.Contains(out1, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if len(files) < 5 {
		t.Fatalf("demo wrote %d .eml files, want one per committee concerned", len(files))
	}
	sawProvince := false
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := smtptest.Parse(raw)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !strings.HasPrefix(m.Subject, "[CHUYENHOA] Ban Chỉ đạo 138 ") || !strings.Contains(m.Text, "Kính gửi") || !strings.Contains(m.HTML, "<html lang=\"vi\">") {
			t.Errorf("%s: subject %q or body not the Vietnamese digest", filepath.Base(f), m.Subject)
		}
		if strings.Contains(m.Subject, "138 tỉnh") {
			sawProvince = true
			if !strings.Contains(m.Text, "TIẾN ĐỘ CHỈ TIÊU") {
				t.Errorf("provincial digest lacks the target progress")
			}
		}
	}
	if !sawProvince {
		t.Error("no provincial digest among the demo mail")
	}
}

func TestImportRejectsBadRowByName(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CHUYENHOA_DATABASE_URL": "sqlite:" + filepath.Join(dir, "x.db")}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if _, stderr, err := run(t, env, "import", "districts", write("d.csv", "code,name,kind\nD01,Huyện Bình Sơn,huyen\n")); err != nil {
		t.Fatalf("import districts: %v %s", err, stderr)
	}
	bad := write("u.csv", "code,name,kind,district_code,ntm_certified_on,valid_from,valid_to\nD01X01,Xã Bình Châu,xa,D01,,,\nD01X02,Xã Bình Thạnh,village,D01,,,\n")
	_, _, err := run(t, env, "import", "units", bad)
	if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), `u.csv: row 3, field "kind": "village" is not one of xa, phuong, thi_tran`) {
		t.Fatalf("bad units import: err = %v", err)
	}
	out, _, err := run(t, env, "import", "units", write("u2.csv", "code,name,kind,district_code,ntm_certified_on,valid_from,valid_to\nD01X01,Xã Bình Châu,xa,D01,,,\n"))
	if err != nil || !strings.Contains(out, "Đã nhập 1 dòng units") {
		t.Fatalf("good import after a rejected one: %q %v", out, err)
	}
}

func TestCheckConfigOnExample(t *testing.T) {
	out, _, err := run(t, nil, "--config", filepath.Join("..", "..", "deploy", "config.example.yaml"), "check-config")
	if err != nil || !strings.Contains(out, "Cấu hình hợp lệ") {
		t.Fatalf("check-config on the example: %q %v", out, err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(p, []byte("selection:\n  cap_percent: 150\ntimezone: Mars/Base\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = run(t, nil, "--config", p, "check-config")
	if err == nil || !strings.Contains(err.Error(), "selection.cap_percent") || !strings.Contains(err.Error(), "timezone") {
		t.Fatalf("bad config: err = %v, want both fields named", err)
	}
}

func TestMailCommands(t *testing.T) {
	srv := smtptest.Start(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "demo.db")
	if _, stderr, err := run(t, nil, "demo", "--db", db, "--mail-dir", filepath.Join(dir, "mail")); err != nil {
		t.Fatalf("demo: %v %s", err, stderr)
	}
	cfgPath := filepath.Join(dir, "smtp.yaml")
	yaml := fmt.Sprintf(`database:
  url: "sqlite:%s"
mail:
  transport: smtp
  from: "Ban Chỉ đạo 138 tỉnh <bcd138@congan.quangngai.gov.vn>"
  smtp:
    host: %s
    port: %d
    tls: none
recipients:
  province: ["tinh@congan.quangngai.gov.vn"]
  districts:
    D01: ["d01@quangngai.gov.vn"]
`, db, srv.Host(), srv.Port())
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}

	out, _, err := run(t, nil, "--config", cfgPath, "send-test", "canbo@congan.quangngai.gov.vn")
	if err != nil || !strings.Contains(out, "Đã gửi thư thử") {
		t.Fatalf("send-test: %q %v", out, err)
	}
	msgs := srv.WaitFor(t, 1, 5*time.Second)
	if msgs[0].To[0] != "canbo@congan.quangngai.gov.vn" || msgs[0].Subject != "[CHUYENHOA] Thư thử cấu hình gửi thư" || !strings.Contains(msgs[0].Text, "đầy đủ dấu tiếng Việt") {
		t.Errorf("send-test delivered %+v", msgs[0])
	}

	// A dry run a month later prints digests but queues and sends nothing.
	before, _, err := run(t, nil, "--config", cfgPath, "outbox", "--limit", "0")
	if err != nil {
		t.Fatal(err)
	}
	out, _, err = run(t, nil, "--config", cfgPath, "notify", "--dry-run", "--at", "2026-12-28")
	if err != nil || !strings.Contains(out, "Chạy thử:") || !strings.Contains(out, "Tiêu đề: [CHUYENHOA]") {
		t.Fatalf("notify --dry-run: %q %v", out, err)
	}
	after, _, _ := run(t, nil, "--config", cfgPath, "outbox", "--limit", "0")
	if before != after {
		t.Errorf("dry run changed the outbox:\n%s\n---\n%s", before, after)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("dry run sent %d mails", n-1)
	}

	// The real run sends over SMTP and the outbox lists them as sent.
	out, _, err = run(t, nil, "--config", cfgPath, "notify", "--at", "2026-12-28")
	if err != nil || !strings.Contains(out, "Gửi thư qua smtp") {
		t.Fatalf("notify: %q %v", out, err)
	}
	if len(srv.Messages()) < 2 {
		t.Fatalf("notify sent nothing")
	}
	out, _, err = run(t, nil, "--config", cfgPath, "outbox", "--status", "sent")
	if err != nil || !strings.Contains(out, "tinh@congan.quangngai.gov.vn") {
		t.Errorf("outbox --status sent: %q %v", out, err)
	}
}
