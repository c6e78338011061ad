package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/notify/smtptest"
	"chuyenhoa/store"
)

const faultEnv = "CHUYENHOA_FAULT=pause-before-commit:"

var pausedLine = regexp.MustCompile(`chuyenhoa-fault: paused before commit job=(\S+) period=(\S+)`)

// stateCounts counts the rows of the worker's own tables: a run that dies
// must leave every one of them as it was.
func (e *env) stateCounts() string {
	e.t.Helper()
	var parts []string
	for _, table := range []string{"findings", "relapse_state", "alerts", "notify_groups", "outbox"} {
		parts = append(parts, fmt.Sprintf("%s=%d", table, e.count("SELECT COUNT(*) FROM "+table)))
	}
	return strings.Join(parts, " ")
}

// killInCommit runs `run-once job --mail` up to the fault point inside its
// transaction, checks that nothing of it is visible from outside, kills it
// with SIGKILL there and returns the period.
func (e *env) killInCommit(job string) string {
	e.t.Helper()
	before := e.stateCounts()
	p := e.start([]string{faultEnv + job}, "run-once", job, "--at", e.at, "--mail")
	m := pausedLine.FindStringSubmatch(p.waitLine("chuyenhoa-fault: paused", 30*time.Second))
	if m == nil || m[1] != job {
		e.t.Fatalf("%s: unexpected pause line %v", job, m)
	}
	per := m[2]
	// The findings and mail are written inside the open transaction; from
	// outside nothing has changed yet.
	if got := e.stateCounts(); got != before {
		e.t.Errorf("%s: while the run is inside its transaction the state reads %s, want %s", job, got, before)
	}
	if r := e.run1(job, per); r.Status != store.RunRunning {
		e.t.Errorf("%s: job_runs status %q while running", job, r.Status)
	}
	p.kill9()
	if code := p.status.Sys().(syscall.WaitStatus); !code.Signaled() || code.Signal() != syscall.SIGKILL {
		e.t.Fatalf("%s: process ended with %v, want SIGKILL", job, p.status)
	}
	// PostgreSQL rolls the transaction back when the connection drops; the
	// test's next query may come before the server has noticed.
	eventually(e.t, 10*time.Second, job+": the killed session is gone", func() bool {
		return e.count(`SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = $1`, e.app) == 0
	})
	if got := e.stateCounts(); got != before {
		e.t.Errorf("%s: after kill -9 the state reads %s, want it unchanged (%s)", job, got, before)
	}
	return per
}

// kill -9 inside a recompute's transaction leaves nothing of the run: no
// finding, no relapse state, no alert, no mail; the next run of the period
// completes; a kill during a rerun leaves the previous result intact.
func TestKillDuringRecompute(t *testing.T) {
	e := newEnv(t)
	for _, job := range finding.Strings(finding.RecomputeJobs()) {
		per := e.killInCommit(job)
		if f := e.findings(job, per); f != "" {
			t.Errorf("%s: killed first run left findings:\n%s", job, f)
		}
		if r := e.run1(job, per); r.Status != store.RunRunning || r.Attempts != 1 {
			t.Errorf("%s: killed run recorded as %s (attempt %d), want a stale running record", job, r.Status, r.Attempts)
		}

		e.mustRun(nil, "run-once", job, "--at", e.at, "--mail")
		first := e.findings(job, per)
		if first == "" {
			t.Fatalf("%s: the run after the crash stored no findings", job)
		}
		if r := e.run1(job, per); r.Status != store.RunOK || r.Attempts != 2 {
			t.Errorf("%s: after the rerun job_runs says %s, attempt %d; want ok, 2", job, r.Status, r.Attempts)
		}

		// Killed while recomputing a period already stored: the stored
		// result stays as it was, and a rerun reproduces it.
		mail := len(e.outbox())
		e.killInCommit(job)
		if got := e.findings(job, per); got != first {
			t.Errorf("%s: a killed rerun changed the stored findings", job)
		}
		e.mustRun(nil, "run-once", job, "--at", e.at, "--mail")
		if got := e.findings(job, per); got != first {
			t.Errorf("%s: the rerun after the crash stored other findings:\n%s\nwant:\n%s", job, got, first)
		}
		if n := len(e.outbox()); n != mail {
			t.Errorf("%s: the rerun of an unchanged period queued %d more messages", job, n-mail)
		}
		t.Logf("%s %s: %d findings, %d messages queued in all", job, per, strings.Count(first, "\n"), mail)
	}
}

// queueMail runs every job once for the test's day and the dispatcher
// (--mail: the day is not today) without sending, and returns the queued
// messages (at least min).
func (e *env) queueMail(min int) []store.OutboxMessage {
	e.t.Helper()
	e.mustRun(nil, "run-once", "all", "--at", e.at, "--mail")
	ms := e.outbox()
	if len(ms) < min {
		e.t.Fatalf("run-once all queued %d messages, the test needs at least %d", len(ms), min)
	}
	for _, m := range ms {
		if m.Status != store.OutboxPending {
			e.t.Fatalf("message %d is %s before any send", m.ID, m.Status)
		}
	}
	return ms
}

// killSendAtSecondMessage runs send and has the SMTP server kill it with
// SIGKILL as it accepts the second message: that message is delivered,
// the sender never hears the reply. At that moment the first message must
// already be marked sent (the sender waits for that mark before it ends
// the second message's DATA): only the one in flight is unrecorded.
func (e *env) killSendAtSecondMessage() {
	e.t.Helper()
	var sender atomic.Pointer[proc]
	var accepted atomic.Int32
	var first atomic.Pointer[string]
	marked := make(chan []string, 1) // Message-IDs marked sent as the server takes the 2nd
	e.smtp.OnMessage(func(r smtptest.Received) {
		switch accepted.Add(1) {
		case 1:
			first.Store(&r.MessageID)
		case 2:
			var sent []string
			ms, err := e.s.Outbox(context.Background(), 0)
			for _, m := range ms {
				if m.Status == store.OutboxSent {
					sent = append(sent, m.MessageID)
				}
			}
			if err != nil {
				sent = append(sent, "error: "+err.Error())
			}
			marked <- sent
			sender.Load().kill9()
		}
	})
	p := e.start(nil, "send")
	sender.Store(p)
	p.wait(30 * time.Second)
	e.smtp.OnMessage(nil)
	if ws := p.status.Sys().(syscall.WaitStatus); !ws.Signaled() {
		e.t.Fatalf("send ended with %v, want killed", p.status)
	}
	select {
	case sent := <-marked:
		if len(sent) != 1 || sent[0] != *first.Load() {
			e.t.Fatalf("as the server accepted the 2nd message the store had %v marked sent, want just the 1st (%s)", sent, *first.Load())
		}
	default:
		e.t.Fatal("the sender died before the server accepted a 2nd message")
	}
}

// kill -9 while sending: every alert is delivered after the restart; the
// only repeat is the message the server had accepted when the sender died,
// with the same Message-ID.
func TestKillDuringSending(t *testing.T) {
	e := newEnv(t)
	queued := e.queueMail(3)

	e.killSendAtSecondMessage()
	// The sender had claimed the whole batch; one message is marked sent,
	// one was accepted by the server but not marked (in flight), the rest
	// were never tried.
	byStatus := map[string]int{}
	var inflight store.OutboxMessage
	delivered := e.delivered()
	for _, m := range e.outbox() {
		byStatus[m.Status]++
		if m.Status == store.OutboxSending && delivered[[2]string{m.MessageID, m.Recipient}] > 0 {
			inflight = m
		}
	}
	if byStatus[store.OutboxSent] != 1 || byStatus[store.OutboxSending] != len(queued)-1 || inflight.ID == 0 {
		t.Fatalf("after the kill the outbox holds %v (in flight: %d); want 1 sent, the rest leased, one of them delivered", byStatus, inflight.ID)
	}
	if len(e.smtp.Messages()) != 2 {
		t.Fatalf("%d messages delivered before the kill, want 2", len(e.smtp.Messages()))
	}

	// Restart at once: the dead sender's lease (2 minutes) still holds its
	// batch back; nothing is sent twice meanwhile.
	e.mustRun(nil, "send")
	if n := len(e.smtp.Messages()); n != 2 {
		t.Errorf("a send inside the dead sender's lease delivered %d more", n-2)
	}
	// Three minutes later the lease has run out and it is sent again.
	e.mustRun([]string{"CHUYENHOA_TEST_CLOCK_OFFSET=3m"}, "send")

	got := e.delivered()
	for _, m := range e.outbox() {
		if m.Status != store.OutboxSent {
			t.Errorf("message %d to %s is %s, want sent", m.ID, m.Recipient, m.Status)
		}
	}
	total := 0
	for _, m := range queued {
		k := [2]string{m.MessageID, m.Recipient}
		want := 1
		if m.ID == inflight.ID {
			want = 2 // at least once: the one in flight when the sender died
		}
		if got[k] != want {
			t.Errorf("message %d (%s to %s) delivered %d times, want %d", m.ID, m.MessageID, m.Recipient, got[k], want)
		}
		total += got[k]
	}
	if len(e.smtp.Messages()) != total || total != len(queued)+1 {
		t.Errorf("the server got %d messages, want %d (each once, the in-flight one twice)", len(e.smtp.Messages()), len(queued)+1)
	}
	t.Logf("%d messages queued; killed after %s was accepted; %d deliveries in all", len(queued), inflight.MessageID, total)
}

// The mail server is down for a while: the sends fail and back off, and
// nothing is lost; once it is back the whole backlog arrives in queue
// order, each message once.
func TestSMTPDownThenBack(t *testing.T) {
	e := newEnv(t)
	queued := e.queueMail(3)
	e.smtp.Stop()

	r := e.run(nil, "send")
	if r.code == 0 || !strings.Contains(r.stderr, "messages stay queued") {
		t.Fatalf("send with the server down: exit %d, stderr %q; want a failure saying the mail stays queued", r.code, r.stderr)
	}
	for _, m := range e.outbox() {
		if m.Status != store.OutboxPending || m.Attempts != 1 || m.LastError == "" {
			t.Fatalf("after a failed send message %d is %s, attempt %d, error %q; want pending, 1, the error", m.ID, m.Status, m.Attempts, m.LastError)
		}
	}
	// Inside the one-minute backoff nothing is tried.
	e.mustRun([]string{"CHUYENHOA_TEST_CLOCK_OFFSET=30s"}, "send")
	// Past it, still down: a second attempt, then two minutes of backoff.
	if r := e.run([]string{"CHUYENHOA_TEST_CLOCK_OFFSET=90s"}, "send"); r.code == 0 {
		t.Fatalf("second send with the server down succeeded")
	}
	for _, m := range e.outbox() {
		if m.Status != store.OutboxPending || m.Attempts != 2 {
			t.Fatalf("message %d is %s after %d attempts, want pending after 2", m.ID, m.Status, m.Attempts)
		}
	}
	if n := len(e.smtp.Messages()); n != 0 {
		t.Fatalf("%d messages arrived while the server was down", n)
	}

	e.smtp.Restart(t)
	e.mustRun([]string{"CHUYENHOA_TEST_CLOCK_OFFSET=10m"}, "send")
	got := e.smtp.Messages()
	if len(got) != len(queued) {
		t.Fatalf("%d messages arrived, want the backlog of %d", len(got), len(queued))
	}
	sort.Slice(queued, func(i, j int) bool { return queued[i].ID < queued[j].ID })
	for i, m := range queued {
		if got[i].MessageID != m.MessageID || got[i].To[0] != m.Recipient {
			t.Errorf("arrival %d is %s to %s, want %s to %s (queue order)", i, got[i].MessageID, got[i].To[0], m.MessageID, m.Recipient)
		}
	}
	for _, m := range e.outbox() {
		if m.Status != store.OutboxSent {
			t.Errorf("message %d is %s after the backlog went out", m.ID, m.Status)
		}
	}
	// Nothing more goes out later.
	e.mustRun([]string{"CHUYENHOA_TEST_CLOCK_OFFSET=2h"}, "send")
	if n := len(e.smtp.Messages()); n != len(queued) {
		t.Errorf("a later send delivered %d more", n-len(queued))
	}
	t.Logf("backlog of %d delivered in order after 2 failed attempts", len(queued))
}

// PostgreSQL goes away under a run (the server terminates the worker's
// sessions, which is what a restart looks like to the client): the run
// fails with a log line that says so, stores nothing, and the next run of
// the period succeeds with the same result a clean run gives.
func TestPostgresRestartDuringRun(t *testing.T) {
	e := newEnv(t)
	const job = string(finding.JobDeadlines)
	before := e.stateCounts()
	p := e.start([]string{faultEnv + job}, "run-once", job, "--at", e.at, "--mail")
	m := pausedLine.FindStringSubmatch(p.waitLine("chuyenhoa-fault: paused", 30*time.Second))
	per := m[2]
	n := e.count(`SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1) t`, e.app)
	if n == 0 {
		t.Fatalf("no session of %s to terminate", e.app)
	}
	if _, err := p.stdin.Write([]byte("go on\n")); err != nil {
		t.Fatal(err)
	}
	code := p.wait(30 * time.Second)
	stderr := p.errb.String()
	if code != 1 {
		t.Fatalf("run-once after the connections were cut: exit %d, want 1; stderr:\n%s", code, stderr)
	}
	var failed string
	for _, line := range strings.Split(stderr, "\n") {
		if strings.Contains(line, `msg="job failed"`) {
			failed = line
		}
	}
	if failed == "" || !strings.Contains(failed, "database connection lost") || !strings.Contains(failed, "job="+job) || !strings.Contains(failed, "period="+per) {
		t.Errorf("no clear log line for the lost connection; stderr:\n%s", stderr)
	}
	if got := e.stateCounts(); got != before {
		t.Errorf("the failed run left state %s, want %s", got, before)
	}
	if r := e.run1(job, per); r.Status == store.RunOK {
		t.Errorf("the failed run is recorded as ok")
	} else {
		t.Logf("job_runs after the cut: %s, error %q", r.Status, r.Error)
	}

	e.mustRun(nil, "run-once", job, "--at", e.at, "--mail")
	if r := e.run1(job, per); r.Status != store.RunOK {
		t.Fatalf("the next run is %s: %s", r.Status, r.Error)
	}
	got := e.findings(job, per)
	if got == "" {
		t.Fatal("the next run stored no findings")
	}
	// Nothing corrupt: a fresh run of the same period over the same data
	// gives exactly the same result.
	e.mustRun(nil, "run-once", job, "--at", e.at, "--mail")
	if again := e.findings(job, per); again != got {
		t.Errorf("a second clean run gives other findings than the run after the cut")
	}
	t.Logf("failed with: %s", failed)
}

// Two replicas started together against one database: each job
// occurrence runs once (one job_runs attempt, one "job finished" in all
// logs), and each alert is mailed once.
func TestTwoReplicas(t *testing.T) {
	e := newEnvOn(t, realToday()) // serve works on the real today
	var ps [2]*proc
	for i := range ps {
		ps[i] = e.start(nil, "serve", "--log-format", "json", "--stop-timeout", "10s")
	}
	ctx := context.Background()
	eventually(t, 90*time.Second, "both replicas catch up every job and drain the outbox", func() bool {
		runs, err := e.s.Runs(ctx, "", 0)
		if err != nil || len(runs) < len(finding.RecomputeJobs()) {
			return false
		}
		for _, r := range runs {
			if r.Status != store.RunOK {
				return false
			}
		}
		counts, err := e.s.OutboxCounts(ctx)
		return err == nil && counts[store.OutboxPending]+counts[store.OutboxSending] == 0 && counts[store.OutboxSent] > 0 &&
			len(e.smtp.Messages()) >= counts[store.OutboxSent]
	})
	// Let a late duplicate, if any, arrive before counting.
	time.Sleep(500 * time.Millisecond)
	for _, p := range ps {
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range ps {
		if code := p.wait(30 * time.Second); code != 0 {
			t.Errorf("replica %d exited %d after SIGTERM; stderr:\n%s", i, code, p.errb.String())
		}
	}

	runs, err := e.s.Runs(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.Attempts != 1 || r.Status != store.RunOK {
			t.Errorf("%s %s: %d attempts, %s; want one successful run", r.Job, r.Period, r.Attempts, r.Status)
		}
	}
	finished := map[string]int{}
	leaders := 0
	for _, p := range ps {
		for _, line := range strings.Split(p.errb.String(), "\n") {
			var rec map[string]any
			if json.Unmarshal([]byte(line), &rec) != nil {
				continue
			}
			switch rec["msg"] {
			case "job finished":
				finished[fmt.Sprint(rec["job"])]++
			case "leadership acquired":
				leaders++
			}
			if rec["level"] == "ERROR" {
				t.Errorf("error logged: %s", line)
			}
		}
	}
	for _, j := range finding.Strings(finding.RecomputeJobs()) {
		if finished[j] != 1 {
			t.Errorf("job %s finished %d times across the replicas, want 1", j, finished[j])
		}
	}
	if leaders < 1 {
		t.Errorf("no replica logged leadership")
	}
	out := e.outbox()
	got := e.delivered()
	for _, m := range out {
		if n := got[[2]string{m.MessageID, m.Recipient}]; n != 1 {
			t.Errorf("message %s to %s delivered %d times, want 1", m.MessageID, m.Recipient, n)
		}
	}
	if n := len(e.smtp.Messages()); n != len(out) {
		t.Errorf("the server got %d messages for %d queued", n, len(out))
	}
	t.Logf("two replicas: %d job runs, %d messages, each once (leadership acquired %d times)", len(runs), len(out), leaders)
}
