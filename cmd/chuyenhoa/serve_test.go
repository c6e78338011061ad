package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/leader"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

func envOf(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestScheduleCommand(t *testing.T) {
	var out bytes.Buffer
	a := &app{stdout: &out, stderr: io.Discard, getenv: envOf(nil)}
	if err := cmdSchedule(context.Background(), a, []string{"--count", "3", "--from", "2026-11-25 10:00"}); err != nil {
		t.Fatal(err)
	}
	// Default specs in Asia/Ho_Chi_Minh (UTC+7). 25/11/2026 is a Wednesday,
	// 15/12/2026 a Tuesday, 15/01/2027 a Friday, 15/02/2027 a Monday.
	for _, block := range []string{
		"Lịch chạy 3 lần tiếp theo sau 25/11/2026 10:00, giờ Asia/Ho_Chi_Minh:\n",
		`
candidates (đề xuất địa bàn trọng điểm) — "0 6 * * 1"
  Thứ Hai  30/11/2026 06:00  +07:00
  Thứ Hai  07/12/2026 06:00  +07:00
  Thứ Hai  14/12/2026 06:00  +07:00
`, `
relapse (kiểm tra địa bàn phức tạp trở lại) — "0 5 15 * *"
  Thứ Ba   15/12/2026 05:00  +07:00
  Thứ Sáu  15/01/2027 05:00  +07:00
  Thứ Hai  15/02/2027 05:00  +07:00
`, `
deadlines (nhắc hạn, quá hạn báo cáo) — "0 7 * * *"
  Thứ Năm  26/11/2026 07:00  +07:00
  Thứ Sáu  27/11/2026 07:00  +07:00
  Thứ Bảy  28/11/2026 07:00  +07:00
`, `
send (gửi thư trong hàng đợi) — "*/5 * * * *"
  Thứ Tư  25/11/2026 10:05  +07:00
  Thứ Tư  25/11/2026 10:10  +07:00
  Thứ Tư  25/11/2026 10:15  +07:00
`} {
		if !strings.Contains(out.String(), block) {
			t.Errorf("schedule output lacks\n%s\ngot:\n%s", block, out.String())
		}
	}
	// Every configured job is listed.
	if got := strings.Count(out.String(), " — \""); got != len(finding.Jobs()) {
		t.Errorf("%d jobs listed, want %d:\n%s", got, len(finding.Jobs()), out.String())
	}
}

func TestScheduleCommandOtherZone(t *testing.T) {
	var out bytes.Buffer
	a := &app{stdout: &out, stderr: io.Discard, getenv: envOf(map[string]string{"CHUYENHOA_TIMEZONE": "Europe/Berlin"})}
	if err := cmdSchedule(context.Background(), a, []string{"--count", "1", "--from", "2026-03-29 01:00"}); err != nil {
		t.Fatal(err)
	}
	// 29/03/2026 is the day Berlin moves to summer time: 07:00 is +02:00.
	if !strings.Contains(out.String(), "Chủ nhật  29/03/2026 07:00  +02:00") {
		t.Errorf("output does not show deadlines at 07:00 CEST:\n%s", out.String())
	}
}

func TestScheduleCommandBadFlags(t *testing.T) {
	a := &app{stdout: io.Discard, stderr: io.Discard, getenv: envOf(nil)}
	for _, args := range [][]string{{"--count", "0"}, {"--from", "tomorrow"}, {"extra"}} {
		err := cmdSchedule(context.Background(), a, args)
		if _, ok := err.(usageError); !ok {
			t.Errorf("schedule %v: %v, want a usage error", args, err)
		}
	}
}

func TestServeBadFlags(t *testing.T) {
	a := &app{stdout: io.Discard, stderr: io.Discard, getenv: envOf(nil)}
	for _, args := range [][]string{{"--log-format", "xml"}, {"--log-level", "loud"}, {"--stop-timeout", "0s"}} {
		err := cmdServe(context.Background(), a, args)
		if _, ok := err.(usageError); !ok {
			t.Errorf("serve %v: %v, want a usage error", args, err)
		}
	}
	// Bad configuration names the field and stops the start.
	a.getenv = envOf(map[string]string{"CHUYENHOA_HTTP_LISTEN": "nowhere"})
	err := cmdServe(context.Background(), a, nil)
	if err == nil || !strings.Contains(err.Error(), "http.listen") {
		t.Errorf("serve with a bad http.listen: %v", err)
	}
}

// TestHelperHoldLock is not a test: TestServeRefusesSecondSQLiteProcess runs
// the test binary with it as a second process that holds the lock.
func TestHelperHoldLock(t *testing.T) {
	path := os.Getenv("CHUYENHOA_HELPER_LOCK")
	if path == "" {
		t.Skip("helper process only")
	}
	l, err := leader.LockFile(path)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("locked")
	_, _ = io.Copy(io.Discard, os.Stdin) // hold until the parent closes stdin
	_ = l.Release()
	os.Exit(0)
}

func TestServeRefusesSecondSQLiteProcess(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "chuyenhoa.db")
	helper := exec.Command(os.Args[0], "-test.run=^TestHelperHoldLock$")
	helper.Env = append(os.Environ(), "CHUYENHOA_HELPER_LOCK="+db+".lock")
	stdin, err := helper.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := helper.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		_ = helper.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("helper: %q %v", line, err)
	}

	a := &app{stdout: io.Discard, stderr: io.Discard, getenv: envOf(map[string]string{
		"CHUYENHOA_DATABASE_URL": "sqlite:" + db,
		"CHUYENHOA_HTTP_LISTEN":  "127.0.0.1:0",
	})}
	err = cmdServe(context.Background(), a, []string{"--log-format", "text"})
	if err == nil {
		t.Fatal("second serve on the same SQLite file started")
	}
	for _, want := range []string{db + ".lock", fmt.Sprintf("pid %d", helper.Process.Pid), "one chuyenhoa process per database file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}

	// The same file reached through a symlink, and through a symlinked
	// directory, is the same database: refused too, naming the real lock.
	other := t.TempDir()
	viaFile := filepath.Join(other, "link.db")
	viaDir := filepath.Join(other, "dirlink")
	if err := os.Symlink(db, viaFile); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dir, viaDir); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{viaFile, filepath.Join(viaDir, "chuyenhoa.db")} {
		a.getenv = envOf(map[string]string{"CHUYENHOA_DATABASE_URL": "sqlite:" + p, "CHUYENHOA_HTTP_LISTEN": "127.0.0.1:0"})
		// Should it start, it stops after a while and the test fails.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := cmdServe(ctx, a, []string{"--log-format", "text", "--create-db"})
		cancel()
		if err == nil || !strings.Contains(err.Error(), db+".lock") || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", helper.Process.Pid)) {
			t.Errorf("serve through %s while another holds the lock: %v, want a refusal naming %s.lock", p, err, db)
		}
	}
}

// serve end to end: starts, catches every job up, answers the probes and
// metrics, and exits cleanly on cancellation (SIGTERM).
func TestServeEndToEnd(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		serveEndToEnd(t, "sqlite:"+filepath.Join(t.TempDir(), "serve.db"), "ok\n", "--create-db")
	})
	t.Run("postgres", func(t *testing.T) {
		serveEndToEnd(t, storetest.PostgresURL(t), "ok (leader)\n")
	})
}

func serveEndToEnd(t *testing.T, dbURL, ready string, args ...string) {
	pr, pw := io.Pipe()
	a := &app{stdout: io.Discard, stderr: pw, getenv: envOf(map[string]string{
		"CHUYENHOA_DATABASE_URL":   dbURL,
		"CHUYENHOA_HTTP_LISTEN":    "127.0.0.1:0",
		"CHUYENHOA_MAIL_TRANSPORT": "file",
		"CHUYENHOA_MAIL_DIR":       t.TempDir(),
	})}
	logs := make(chan map[string]any, 1000)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			var rec map[string]any
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				rec = map[string]any{"msg": "not json: " + sc.Text()}
			}
			select {
			case logs <- rec:
			default: // keep draining even if the test stopped reading
			}
		}
		close(logs)
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- cmdServe(ctx, a, append([]string{"--stop-timeout", "10s"}, args...)) // auto: a pipe gets JSON
		pw.Close()
	}()

	var addr string
	finished := map[string]bool{}
	timeout := time.After(60 * time.Second)
	for addr == "" || len(finished) < len(finding.RecomputeJobs()) {
		select {
		case rec, ok := <-logs:
			if !ok {
				t.Fatalf("serve ended early: %v", <-done)
			}
			if rec["msg"] == "chuyenhoa serving" {
				addr, _ = rec["http"].(string)
			}
			if rec["msg"] == "job finished" {
				job, _ := rec["job"].(string)
				if rec["period"] == nil || rec["run_id"] == nil {
					t.Errorf("job log without period or run_id: %v", rec)
				}
				finished[job] = true
			}
			if rec["level"] == "ERROR" {
				t.Errorf("error logged: %v", rec)
			}
		case <-timeout:
			t.Fatalf("serve did not start and catch up within 60s (addr %q, finished %v)", addr, finished)
		}
	}

	fetch := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := fetch("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	if code, body := fetch("/readyz"); code != 200 || body != ready {
		t.Errorf("/readyz = %d %q, want %q", code, body, ready)
	}
	code, body := fetch("/metrics")
	if code != 200 {
		t.Fatalf("/metrics = %d", code)
	}
	for _, want := range []string{
		`chuyenhoa_job_runs_total{job="deadlines",result="ok"} 1`,
		`chuyenhoa_job_duration_seconds_bucket{job="candidates"`,
		`chuyenhoa_job_last_success_timestamp_seconds{job="relapse"}`,
		`chuyenhoa_outbox_messages{status="pending"} 0`,
		`chuyenhoa_mail_total{outcome="sent"}`,
		`chuyenhoa_smtp_errors_total 0`,
		`# TYPE chuyenhoa_alerts_open gauge`,
		`process_cpu_seconds_total`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve after cancel: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30s of cancellation")
	}

	s, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, j := range finding.RecomputeJobs() {
		r, ok, err := s.LastRun(context.Background(), j)
		if err != nil || !ok || r.Status != store.RunOK {
			t.Errorf("%s: last run %+v %v %v, want ok", j, r, ok, err)
		}
	}
}
