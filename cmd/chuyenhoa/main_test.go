package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"chuyenhoa/csvimport"
	"chuyenhoa/finding"
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

// cli runs the command line in-process as main does and returns what it
// printed and its exit status.
func cli(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdout: &out, stderr: &errb, getenv: func(k string) string { return env[k] }}
	code = a.run(context.Background(), args)
	return out.String(), errb.String(), code
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

// The demo, today's province (after the 2025 reform) and with --three-tier
// the one before it, prints the same on every run and writes one digest
// per committee concerned.
func TestDemoIsCompleteAndRepeatable(t *testing.T) {
	for _, mode := range []struct {
		name string
		args []string
	}{{"reform", nil}, {"three-tier", []string{"--three-tier"}}} {
		t.Run(mode.name, func(t *testing.T) {
			dir := t.TempDir()
			demo := func(name string) (string, []string) {
				db := filepath.Join(dir, name+".db")
				mail := filepath.Join(dir, name+"-mail")
				out, stderr, err := run(t, nil, append([]string{"demo", "--db", db, "--mail-dir", mail}, mode.args...)...)
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
			checkDemo(t, mode.name == "reform", out1, files)
		})
	}
}

func checkDemo(t *testing.T, reform bool, out string, files []string) {
	t.Helper()
	wants := []string{
		"ĐỀ XUẤT ĐỊA BÀN TRỌNG ĐIỂM", "Đề xuất chuyển hóa", "Vượt hạn mức 15%", "Loại trừ: đạt chuẩn nông thôn mới",
		"PHỨC TẠP TRỞ LẠI", "TIẾN ĐỘ CHỈ TIÊU", "KHÔNG ĐẠT", "Quá hạn, báo cáo Ban Chỉ đạo tỉnh", "Sắp đến hạn", "Đã nộp muộn",
		"THƯ ĐÃ GỬI",
	}
	if reform {
		wants = append(wants, "Đến 30/06/2025: 13 huyện, 170 xã", "Từ 01/07/2025: không còn cấp huyện", "(bảng unit_successions)",
			"Ví dụ: Phường Cẩm Thành (X01) gồm Phường Trần Phú (D01X01)", "chuyenhoa demo --three-tier",
			"NGHĨA VỤ BÁO CÁO CỦA BAN CHỈ ĐẠO 138 CẤP HUYỆN VÀ CÔNG AN CẤP XÃ", "Tổng số đơn vị cấp xã: 56.")
	} else {
		wants = append(wants, "Tỉnh mô phỏng: 13 huyện, 170 xã", "NGHĨA VỤ BÁO CÁO CỦA BAN CHỈ ĐẠO 138 CẤP HUYỆN")
	}
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if len(files) < 5 {
		t.Fatalf("demo wrote %d .eml files, want one per committee concerned", len(files))
	}
	// After the reform the body owing the plan coming due (the commune
	// selected last) has no address: its items reach the province, and
	// the other communes' bodies get their own digests.
	forwarded := ""
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "Sắp đến hạn") {
			forwarded = regexp.MustCompile(`\s{2,}`).Split(line, -1)[0]
		}
	}
	var province []string
	communes := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := smtptest.Parse(raw)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		prefix := "[CHUYENHOA] Ban Chỉ đạo 138 "
		if strings.HasPrefix(m.Subject, "[CHUYENHOA] Công an ") {
			prefix = "[CHUYENHOA] Công an "
			communes++
			if strings.HasPrefix(m.Subject, "[CHUYENHOA] "+forwarded+":") {
				t.Errorf("%s: a digest to %s, which has no address", filepath.Base(f), forwarded)
			}
		}
		if !strings.HasPrefix(m.Subject, prefix) || !strings.Contains(m.Text, "Kính gửi") || !strings.Contains(m.HTML, "<html lang=\"vi\">") {
			t.Errorf("%s: subject %q or body not the Vietnamese digest", filepath.Base(f), m.Subject)
		}
		if strings.Contains(m.Subject, "138 tỉnh") {
			province = append(province, m.Text)
			if !strings.Contains(m.Text, "TIẾN ĐỘ CHỈ TIÊU") {
				t.Errorf("provincial digest lacks the target progress")
			}
		}
	}
	if len(province) == 0 {
		t.Error("no provincial digest among the demo mail")
	}
	if reform {
		t.Logf("%d digests, %d to communes' bodies; %q has no address", len(files), communes, forwarded)
	}
	if reform && (communes < 3 || !strings.HasPrefix(forwarded, "Công an ") || !strings.Contains(strings.Join(province, "\n"), forwarded)) {
		t.Errorf("%d commune digests; the provincial digests do not carry %q's items", communes, forwarded)
	}
	if !reform && communes > 0 {
		t.Errorf("%d commune digests in the three-tier province", communes)
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
	if _, stderr, err := run(t, env, "migrate"); err != nil {
		t.Fatalf("migrate: %v %s", err, stderr)
	}
	if _, stderr, err := run(t, env, "import", "districts", write("d.csv", "code,name,kind\nD01,Huyện Bình Sơn,huyen\n")); err != nil {
		t.Fatalf("import districts: %v %s", err, stderr)
	}
	bad := write("u.csv", "code,name,kind,district_code,ntm_certified_on,valid_from,valid_to\nD01X01,Xã Bình Châu,xa,D01,,,\nD01X02,Xã Bình Thạnh,village,D01,,,\n")
	_, _, err := run(t, env, "import", "units", bad)
	if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), `u.csv: row 3, field "kind": "village" is not one of xa, phuong, dac_khu, thi_tran`) {
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
	out, _, err = run(t, nil, "--config", cfgPath, "notify", "--dry-run", "--at", "2026-12-28", "--mail")
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
	out, _, err = run(t, nil, "--config", cfgPath, "notify", "--at", "2026-12-28", "--mail")
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

// --help, help and help CMD are answers, not mistakes: stdout, exit 0.
func TestHelpGoesToStdout(t *testing.T) {
	calls := [][]string{{"--help"}, {"-h"}, {"help"}}
	for _, c := range commands() {
		calls = append(calls, []string{"help", c.name}, []string{c.name, "--help"}, []string{c.name, "-h"})
	}
	for _, args := range calls {
		out, stderr, code := cli(t, nil, args...)
		if code != 0 || stderr != "" || out == "" {
			t.Errorf("chuyenhoa %s: exit %d, %d bytes on stdout, stderr %q; want exit 0 and the help on stdout",
				strings.Join(args, " "), code, len(out), stderr)
		}
	}
	out, _, _ := cli(t, nil, "help", "import")
	for _, want := range []string{"Usage: chuyenhoa import KIND FILE.csv", "chuyenhoa import units units.csv", "-config FILE"} {
		if !strings.Contains(out, want) {
			t.Errorf("help import lacks %q:\n%s", want, out)
		}
	}
}

// The help is made from the command table: every job run-once can run and
// every kind import can read is named, in the overview and in help CMD.
func TestHelpNamesEveryJobAndImportKind(t *testing.T) {
	overview, _, _ := cli(t, nil, "help")
	runOnce, _, _ := cli(t, nil, "help", "run-once")
	imp, _, _ := cli(t, nil, "help", "import")
	if len(finding.RecomputeJobs()) < 4 || len(csvimport.KindNames()) < 8 {
		t.Fatalf("jobs %v, kinds %v: fewer than this test was written for", finding.RecomputeJobs(), csvimport.KindNames())
	}
	for _, j := range finding.Strings(finding.RecomputeJobs()) {
		for name, text := range map[string]string{"help": overview, "help run-once": runOnce} {
			if !strings.Contains(text, j) {
				t.Errorf("%s does not name the job %q", name, j)
			}
		}
	}
	for _, k := range csvimport.KindNames() {
		for name, text := range map[string]string{"help": overview, "help import": imp} {
			if !strings.Contains(text, k) {
				t.Errorf("%s does not name the import kind %q", name, k)
			}
		}
	}
	_, stderr, code := cli(t, nil, "run-once", "backup")
	if code != 2 || !strings.Contains(stderr, "use "+strings.Join(finding.Strings(finding.RecomputeJobs()), ", ")+" or all") {
		t.Errorf("run-once backup: exit %d, stderr %q; want exit 2 naming every job", code, stderr)
	}
}

// Every flag a command defines is in its synopsis: the overview cannot
// leave one out, nor name one that does not exist.
func TestSynopsisShowsTheCommandsFlags(t *testing.T) {
	for _, c := range commands() {
		fs := flagsOf(context.Background(), c)
		if fs == nil {
			t.Errorf("%s does not parse its command line with app.parse", c.name)
			continue
		}
		syn := synopsis(c, fs)
		n := 0
		fs.VisitAll(func(f *flag.Flag) {
			if f.Name == "config" {
				return
			}
			n++
			if !strings.Contains(syn, "[--"+f.Name+"]") && !strings.Contains(syn, "[--"+f.Name+" ") {
				t.Errorf("%s: synopsis %q lacks --%s", c.name, syn, f.Name)
			}
		})
		if got := strings.Count(syn, "[--"); got != n {
			t.Errorf("%s: synopsis %q shows %d flags, the command has %d", c.name, syn, got, n)
		}
	}
	if got, want := synopsis(mustLookup(t, "report"), flagsOf(context.Background(), mustLookup(t, "report"))),
		"chuyenhoa report year|period|decision YEAR [TO] [--at YYYY-MM-DD] [--number NUMBER] [--out DIR]"; got != want {
		t.Errorf("report synopsis %q, want %q", got, want)
	}
}

func mustLookup(t *testing.T, name string) command {
	t.Helper()
	c, ok := lookup(name)
	if !ok {
		t.Fatalf("no command %q", name)
	}
	return c
}

func TestVersion(t *testing.T) {
	out, stderr, code := cli(t, nil, "--version")
	if code != 0 || stderr != "" || !strings.HasPrefix(out, "chuyenhoa ") || !strings.Contains(out, "revision") {
		t.Errorf("--version: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if _, _, code := cli(t, nil, "--version", "extra"); code != 2 {
		t.Errorf("--version extra: exit %d, want 2", code)
	}
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "chuyenhoa", Version: "v0.0.0-20261201122507-6c03f6db9137+dirty"},
		Settings: []debug.BuildSetting{{Key: "-buildmode", Value: "exe"}, {Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "6c03f6db913754b5c3c008754aa5707b9608bdad"}, {Key: "vcs.time", Value: "2026-12-01T12:25:07Z"}, {Key: "vcs.modified", Value: "true"}}}
	if got, want := version(bi), "chuyenhoa v0.0.0-20261201122507-6c03f6db9137+dirty, revision 6c03f6db913754b5c3c008754aa5707b9608bdad, 2026-12-01T12:25:07Z, with uncommitted changes, go1.26.8"; got != want {
		t.Errorf("version:\n got %s\nwant %s", got, want)
	}
	bi.Main.Version, bi.Settings = "(devel)", nil
	if got, want := version(bi), "chuyenhoa (devel), revision unknown (built without VCS stamping), go1.26.8"; got != want {
		t.Errorf("version without VCS:\n got %s\nwant %s", got, want)
	}
}

// A usage error exits 2 and says what is wrong once, followed by one
// usage line; nothing goes to stdout.
func TestUsageErrorIsReportedOnce(t *testing.T) {
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{nil, "no command given"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"help", "frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"run-once"}, "run-once needs JOB|all, e.g. 'chuyenhoa run-once candidates'"},
		{[]string{"run-once", "--bogus", "all"}, "flag provided but not defined: -bogus"},
		{[]string{"run-once", "all", "--at", "yesterday"}, `--at "yesterday": use a date as YYYY-MM-DD`},
		{[]string{"import", "units"}, "import needs KIND FILE.csv, e.g. 'chuyenhoa import units units.csv'"},
		{[]string{"schedule", "--count", "0"}, "--count 0: give a number from 1 to 1000"},
	} {
		name := "chuyenhoa " + strings.Join(c.args, " ")
		out, stderr, code := cli(t, map[string]string{"CHUYENHOA_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "x.db")}, c.args...)
		if code != 2 || out != "" {
			t.Errorf("%s: exit %d, stdout %q; want exit 2 and nothing on stdout", name, code, out)
		}
		if !strings.HasPrefix(stderr, "chuyenhoa: "+c.msg+"\n") || strings.Count(stderr, c.msg) != 1 || strings.Count(stderr, "Usage:") != 1 {
			t.Errorf("%s: stderr\n%s\nwant %q once, then one usage line", name, stderr, c.msg)
		}
	}
	_, stderr, _ := cli(t, nil, "run-once")
	if !strings.Contains(stderr, "Usage: chuyenhoa run-once JOB|all [--at YYYY-MM-DD] [--mail]\nRun 'chuyenhoa help run-once'") {
		t.Errorf("run-once: stderr lacks the command's usage:\n%s", stderr)
	}
}

// Every command refuses arguments beyond those it takes, before it
// touches anything.
func TestExtraArgumentsAreRefused(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "x.db")
	env := map[string]string{"CHUYENHOA_DATABASE_URL": "sqlite:" + db}
	for _, c := range commands() {
		if strings.HasSuffix(c.args, "...]") {
			continue // takes any number (outbox cancel ID...)
		}
		for _, args := range [][]string{
			append(append([]string{c.name}, strings.Fields(c.args)...), "extra"),
			append(append([]string{c.name}, strings.Fields(c.args)...), "extra", "--config", filepath.Join(dir, "none.yaml")),
		} {
			out, stderr, code := cli(t, env, args...)
			if code != 2 || out != "" || !strings.Contains(stderr, `; unexpected "extra"`) {
				t.Errorf("chuyenhoa %s: exit %d, stdout %q, stderr %q; want exit 2 refusing \"extra\"", strings.Join(args, " "), code, out, stderr)
			}
		}
	}
	_, stderr, _ := cli(t, env, "send-test", "a@example.org", "b@example.org")
	if !strings.HasPrefix(stderr, `chuyenhoa: send-test takes ADDRESS only; unexpected "b@example.org"`) {
		t.Errorf("send-test with two addresses: %q", stderr)
	}
	if _, stderr, code := cli(t, env, "help", "send", "extra"); code != 2 || !strings.Contains(stderr, `unexpected "extra"`) {
		t.Errorf("help send extra: exit %d, %q", code, stderr)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
		t.Errorf("refused commands left %v", left)
	}
}

// Flags, the global --config among them, may come before or after the
// positional arguments; after "--" nothing is a flag.
func TestFlagsAnywhere(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("selection:\n  cap_percent: 150\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--config", bad, "check-config"}, {"check-config", "--config", bad}} {
		if _, stderr, code := cli(t, nil, args...); code != 1 || !strings.Contains(stderr, "selection.cap_percent") {
			t.Errorf("chuyenhoa %s: exit %d, stderr %q; want the bad file read", strings.Join(args, " "), code, stderr)
		}
	}
	// After the command, --config wins over the environment too.
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte(fmt.Sprintf("database:\n  url: \"sqlite:%s\"\n", filepath.Join(dir, "after.db"))), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := cli(t, nil, "migrate", "--config", good); code != 0 {
		t.Fatalf("migrate --config good.yaml: exit %d\n%s", code, stderr)
	}
	out, stderr, code := cli(t, map[string]string{"CHUYENHOA_CONFIG": bad}, "run-once", "all", "--config", good, "--at", "2026-11-25")
	if code != 0 || !strings.Contains(out, "ĐỀ XUẤT ĐỊA BÀN TRỌNG ĐIỂM") {
		t.Fatalf("run-once all --config good.yaml: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "after.db")); err != nil {
		t.Errorf("run-once all --config: the configured database was not used: %v", err)
	}

	a := &app{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: func(string) string { return "" }}
	fs := a.flags("send-test")
	pos, err := a.parse(fs, []string{"--config", good, "--", "-odd@example.org"})
	if err != nil || len(pos) != 1 || pos[0] != "-odd@example.org" || a.configPath != good {
		t.Errorf("send-test --config F -- -odd@example.org: %q %v (config %q)", pos, err, a.configPath)
	}
}
