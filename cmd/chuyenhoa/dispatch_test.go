package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"chuyenhoa/labels"
	"chuyenhoa/notify/smtptest"
	"chuyenhoa/store"
)

var demoOnce struct {
	sync.Once
	dir string
	err error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if demoOnce.dir != "" {
		os.RemoveAll(demoOnce.dir)
	}
	os.Exit(code)
}

// demoCopy is a copy of one three-tier demo database (made once for the package's
// tests) in the test's directory, with a configuration that mails through
// srv: every district but the last and the province have addresses.
func demoCopy(t *testing.T, srv *smtptest.Server, name string) (cfgPath, db string) {
	t.Helper()
	demoOnce.Do(func() {
		demoOnce.dir, demoOnce.err = os.MkdirTemp("", "chuyenhoa-demo-")
		if demoOnce.err != nil {
			return
		}
		_, stderr, err := run(t, nil, "demo", "--three-tier", "--db", filepath.Join(demoOnce.dir, "demo.db"), "--mail-dir", filepath.Join(demoOnce.dir, "mail"))
		if err != nil {
			demoOnce.err = fmt.Errorf("demo: %v %s", err, stderr)
		}
	})
	if demoOnce.err != nil {
		t.Fatal(demoOnce.err)
	}
	dir := t.TempDir()
	db = filepath.Join(dir, name+".db")
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(filepath.Join(demoOnce.dir, "demo.db") + suffix)
		if os.IsNotExist(err) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(db+suffix, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var districts strings.Builder
	for i := 1; i <= 12; i++ {
		fmt.Fprintf(&districts, "    D%02d: [\"bcd138.d%02d@quangngai.gov.vn\"]\n", i, i)
	}
	cfgPath = filepath.Join(dir, name+".yaml")
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
  province: ["bcd138@congan.quangngai.gov.vn"]
  districts:
%s`, db, srv.Host(), srv.Port(), districts.String())
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfgPath, db
}

func outboxOf(t *testing.T, db string) []store.OutboxMessage {
	t.Helper()
	s, err := store.Open(context.Background(), "sqlite:"+db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ms, err := s.Outbox(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// notify --dry-run prints exactly what notify queues: on two copies of one
// database, the dry run on one prints, message for message, the
// Message-ID, sender, recipient, subject and text the real run queues on
// the other (on 03/12/2026, a week after the demo: plans escalate, the
// province hears at once and in its digest). The dry run changes nothing.
func TestDryRunPrintsWhatTheRealRunQueues(t *testing.T) {
	srv := smtptest.Start(t)
	dryCfg, dryDB := demoCopy(t, srv, "dry")
	realCfg, realDB := demoCopy(t, srv, "real")
	for _, cfg := range []string{dryCfg, realCfg} {
		// Escalations go at once: the round queues both kinds of mail.
		b, err := os.ReadFile(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(cfg, []byte(strings.Replace(string(b), "mail:\n", "mail:\n  immediate_kinds: [escalation]\n", 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before := len(outboxOf(t, dryDB))
	out, stderr, err := run(t, nil, "--config", dryCfg, "notify", "--dry-run", "--at", "2026-12-03", "--mail")
	if err != nil {
		t.Fatalf("dry run: %v\n%s", err, stderr)
	}
	if n := len(outboxOf(t, dryDB)); n != before {
		t.Errorf("the dry run queued %d messages", n-before)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("the dry run sent %d messages", n)
	}

	if _, stderr, err := run(t, nil, "--config", realCfg, "notify", "--at", "2026-12-03", "--mail"); err != nil {
		t.Fatalf("real run: %v\n%s", err, stderr)
	}
	queued := outboxOf(t, realDB)[before:]
	var want strings.Builder
	immediate := 0
	for i, m := range queued {
		fmt.Fprintln(&want, labels.DryRunMail(i+1, m.MessageID, m.Sender, m.Recipient, m.Subject, m.Text))
		if strings.HasPrefix(m.MessageID, "immediate.") {
			immediate++
		}
	}
	fmt.Fprintln(&want, labels.DryRunSummary(len(queued)))
	if len(queued) < 3 || immediate == 0 {
		t.Fatalf("the real run queued %d messages (%d immediate); the test needs digests and an immediate mail", len(queued), immediate)
	}
	if out != want.String() {
		t.Errorf("the dry run printed\n%s\nthe real run queued\n%s", head(out, 3000), head(want.String(), 3000))
	}
	if got := len(srv.Messages()); got != len(queued) {
		t.Errorf("the real run delivered %d of %d", got, len(queued))
	}
	t.Logf("%d messages (%d immediate) previewed and queued alike", len(queued), immediate)
}

func head(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// A run for another day than today computes and prints but neither moves
// the alerts nor queues mail, and says so; --mail does both. Queued mail
// can be cancelled with a reason that outbox shows, and is never sent.
func TestOtherDayAndCancel(t *testing.T) {
	srv := smtptest.Start(t)
	cfg, db := demoCopy(t, srv, "d")
	before := len(outboxOf(t, db))
	out, stderr, err := run(t, nil, "--config", cfg, "run-once", "all", "--at", "2026-07-01")
	if err != nil {
		t.Fatalf("run-once --at: %v %s", err, stderr)
	}
	if !strings.Contains(out, "Chạy cho ngày 01/07/2026, không phải hôm nay") || !strings.Contains(out, "Thêm --mail") {
		t.Errorf("run-once --at another day does not say it queues nothing:\n%s", head(out, 500))
	}
	if n := len(outboxOf(t, db)); n != before {
		t.Errorf("run-once --at another day queued %d messages", n-before)
	}
	out, _, err = run(t, nil, "--config", cfg, "notify", "--at", "2026-07-01")
	if err != nil || !strings.Contains(out, "không xếp thư nào") || !strings.Contains(out, "Chạy thử:") {
		t.Errorf("notify --at another day: %v\n%s", err, head(out, 500))
	}
	if n := len(outboxOf(t, db)); n != before {
		t.Errorf("notify --at another day queued %d messages", n-before)
	}

	// A day past (the demo's own is 25/11), so its mail is due at once: mail queued as
	// on a day to come waits for it.
	out, stderr, err = run(t, nil, "--config", cfg, "run-once", "all", "--at", "2026-11-20", "--mail")
	if err != nil || !strings.Contains(out, "Chú ý: --mail") || !strings.Contains(out, "thư đã vào hộp thư đi") {
		t.Fatalf("run-once --mail: %v %s\n%s", err, stderr, head(out, 500))
	}
	queued := outboxOf(t, db)[before:]
	if len(queued) < 2 {
		t.Fatalf("run-once --mail queued %d", len(queued))
	}
	// One by ID, then another committee's by committee.
	one, other := queued[0], queued[len(queued)-1]
	slug := other.Committee
	if slug == "" {
		slug = "tinh"
	}
	out, _, err = run(t, nil, "--config", cfg, "outbox", "cancel", fmt.Sprint(one.ID), "--reason", "thử hủy (Nguyễn Văn A)")
	if err != nil || !strings.Contains(out, "Đã hủy 1 thư; lý do: thử hủy (Nguyễn Văn A)") {
		t.Fatalf("outbox cancel ID: %v\n%s", err, out)
	}
	out, _, err = run(t, nil, "--config", cfg, "outbox", "cancel", "--committee", slug, "--reason", "gửi lại sau")
	if err != nil || !strings.Contains(out, "Đã hủy") {
		t.Fatalf("outbox cancel --committee %s: %v\n%s", slug, err, out)
	}
	if _, stderr, code := cli(t, nil, "--config", cfg, "outbox", "cancel", fmt.Sprint(one.ID), "--reason", "again"); code != 1 || !strings.Contains(stderr, "cancelled") {
		t.Errorf("cancelling twice: exit %d, %s", code, stderr)
	}
	if _, stderr, code := cli(t, nil, "--config", cfg, "outbox", "cancel", fmt.Sprint(one.ID)); code != 2 || !strings.Contains(stderr, "give --reason") {
		t.Errorf("cancel without a reason: exit %d, %s", code, stderr)
	}
	out, _, err = run(t, nil, "--config", cfg, "outbox", "--status", "cancelled", "--limit", "0")
	if err != nil || !strings.Contains(out, "thư đã hủy") || !strings.Contains(out, "thử hủy (Nguyễn Văn A)") || !strings.Contains(out, "gửi lại sau") {
		t.Errorf("outbox --status cancelled:\n%s", out)
	}
	cancelled := 0
	for _, m := range outboxOf(t, db) {
		if m.Status == store.OutboxCancelled {
			cancelled++
		}
	}
	if _, stderr, err := run(t, nil, "--config", cfg, "send"); err != nil {
		t.Fatalf("send: %v %s", err, stderr)
	}
	if got := len(srv.Messages()); got != len(queued)-cancelled || cancelled < 2 {
		t.Errorf("send delivered %d of %d queued with %d cancelled", got, len(queued), cancelled)
	}
	for _, m := range srv.Messages() {
		if m.MessageID == one.MessageID && m.To[0] == one.Recipient || m.MessageID == other.MessageID {
			t.Errorf("a cancelled message was sent: %s to %s", m.MessageID, m.To[0])
		}
	}
}

// Silences from the command line: added with matchers, an end, a reason
// and who; listed while active with what they hold; expired; kept in the
// database.
func TestSilenceCommands(t *testing.T) {
	srv := smtptest.Start(t)
	cfg, _ := demoCopy(t, srv, "s")
	env := map[string]string{"USER": "canbo"}
	out, stderr, err := run(t, env, "--config", cfg, "silence", "add", "--committee", "D02", "--kind", "deadline", "--until", "2099-01-31", "--reason", "huyện đã giải trình")
	if err != nil || !strings.Contains(out, "Đã tạm ngừng thông báo số 1 (gửi Ban Chỉ đạo 138 thị xã Đức Phổ; loại nghĩa vụ báo cáo) đến 01/02/2099 00:00; hiện giữ 2 mục") {
		t.Fatalf("silence add: %v %s\n%s", err, stderr, out)
	}
	out, _, err = run(t, nil, "--config", cfg, "silence", "add", "--commune", "D01X16", "--until", "14d", "--reason", "đang xác minh", "--by", "Trần Thị B")
	if err != nil || !strings.Contains(out, "số 2 (địa bàn Xã Tịnh Kỳ (D01X16))") {
		t.Fatalf("silence add --commune: %v\n%s", err, out)
	}
	for _, c := range []struct {
		args []string
		want string
		code int
	}{
		{[]string{"silence", "add", "--until", "1d", "--reason", "x", "--by", "y"}, "give --key, --commune, --committee or --kind", 2},
		{[]string{"silence", "add", "--commune", "NOPE", "--until", "1d", "--reason", "x", "--by", "y"}, `--commune "NOPE": no commune has this code`, 1},
		{[]string{"silence", "add", "--kind", "overdue", "--until", "1d", "--reason", "x", "--by", "y"}, `--kind "overdue": use one of deadline`, 2},
		{[]string{"silence", "add", "--kind", "relapse", "--until", "2020-01-01", "--reason", "x", "--by", "y"}, "is not in the future", 2},
		{[]string{"silence", "add", "--kind", "relapse", "--until", "soon", "--reason", "x", "--by", "y"}, `--until "soon": use YYYY-MM-DD`, 2},
		{[]string{"silence", "add", "--kind", "relapse", "--until", "1d", "--by", "y"}, "give --reason", 2},
		{[]string{"silence", "add", "--committee", "Đức Phổ", "--until", "1d", "--reason", "x", "--by", "y"}, `committee "Đức Phổ": use a district's code`, 2},
		{[]string{"silence", "expire", "99"}, "no such silence", 1},
		{[]string{"silence"}, "silence needs one of add, list, expire", 2},
	} {
		_, stderr, code := cli(t, nil, append([]string{"--config", cfg}, c.args...)...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", strings.Join(c.args, " "), code, stderr, c.code, c.want)
		}
	}
	out, _, err = run(t, nil, "--config", cfg, "silence", "list")
	if err != nil || !strings.Contains(out, "canbo") || !strings.Contains(out, "huyện đã giải trình") || !strings.Contains(out, "Trần Thị B") || !strings.Contains(out, "đang hiệu lực") {
		t.Errorf("silence list:\n%s", out)
	}
	out, _, err = run(t, nil, "--config", cfg, "silence", "expire", "1")
	if err != nil || !strings.Contains(out, "Đã dỡ bỏ tạm ngừng thông báo số 1") {
		t.Errorf("silence expire: %v\n%s", err, out)
	}
	out, _, _ = run(t, nil, "--config", cfg, "silence", "list")
	if strings.Contains(out, "huyện đã giải trình") || !strings.Contains(out, "đang xác minh") {
		t.Errorf("silence list after the expiry:\n%s", out)
	}
	out, _, _ = run(t, nil, "--config", cfg, "silence", "list", "--all")
	if !strings.Contains(out, "huyện đã giải trình") || !strings.Contains(out, "đã dỡ bỏ") {
		t.Errorf("silence list --all:\n%s", out)
	}
	if out, _, err := run(t, nil, "help", "silence", "add"); err != nil || !strings.Contains(out, "Usage: chuyenhoa silence add [--by NAME] [--committee COMMITTEE] [--commune CODE] [--key KEY] [--kind KIND] [--reason TEXT] [--until TIME]") {
		t.Errorf("help silence add: %v\n%s", err, out)
	}
}

// notify and send fail with a clear line when the server refuses a
// message for good, or defers every one.
func TestSendExitCodes(t *testing.T) {
	srv := smtptest.Start(t)
	cfg, _ := demoCopy(t, srv, "x")
	srv.RejectRcpt("bcd138@congan.quangngai.gov.vn", 550)
	out, stderr, code := cli(t, nil, "--config", cfg, "notify", "--at", "2026-12-03", "--mail")
	if code != 1 || !strings.Contains(stderr, "the mail server refused 1 message(s) permanently; see 'chuyenhoa outbox --status failed'") || !strings.Contains(out, "1 lỗi vĩnh viễn") {
		t.Errorf("notify with a refused message: exit %d\n%s\n%s", code, out, stderr)
	}
	if _, stderr, code := cli(t, nil, "--config", cfg, "send"); code != 0 {
		t.Errorf("send with nothing due: exit %d %s", code, stderr)
	}
	// Every message deferred: notify says nothing could be delivered, and
	// so does send once their retry is due.
	srv.RejectRcpt("bcd138@congan.quangngai.gov.vn", 0)
	srv.FailData(451, 1000)
	out, stderr, code = cli(t, nil, "--config", cfg, "notify", "--at", "2026-11-30", "--mail")
	if code != 1 || !strings.Contains(stderr, "nothing could be delivered: the mail server deferred all") || !strings.Contains(out, "0 đã gửi") {
		t.Errorf("notify with every message deferred: exit %d\n%s\n%s", code, out, stderr)
	}
	_, stderr, code = cli(t, nil, "--config", cfg, "send")
	if code != 1 || !strings.Contains(stderr, "nothing could be delivered: the mail server deferred all") {
		t.Errorf("send with every message deferred: exit %d\n%s", code, stderr)
	}
}

// The demo runs every job and then the dispatcher once: each recipient
// gets one digest (before issue 13 the province got three on 25/11).
func TestDemoWritesOneMailPerRecipient(t *testing.T) {
	demoCopy(t, smtptest.Start(t), "demo")
	files, err := filepath.Glob(filepath.Join(demoOnce.dir, "mail", "*.eml"))
	if err != nil || len(files) < 5 {
		t.Fatalf("%d .eml files, %v", len(files), err)
	}
	per := map[string]int{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := smtptest.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		per[m.Get("To")]++
	}
	for to, n := range per {
		if n != 1 {
			t.Errorf("%s got %d mails from the demo, want 1", to, n)
		}
	}
	t.Logf("%d .eml files for %d recipients", len(files), len(per))
}
