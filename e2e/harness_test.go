// Package e2e runs the real chuyenhoa binary as a process against the real
// PostgreSQL (a fresh schema per test) or a SQLite file, and a real SMTP
// server on 127.0.0.1 (notify/smtptest), and breaks things on purpose: it
// kills the process with SIGKILL in the middle of a recompute and of a
// send, takes the mail server away, cuts the database connections under a
// run, starts two replicas together, deletes, fills, write-protects and
// damages the SQLite file under serve, sends SIGHUP, plants secrets, and
// feeds bad data and bad configuration. Each test asserts what was stored,
// delivered or printed; RELIABILITY.md lists them.
//
// The binary is built once per `go test` run (TestMain), with the build
// tag chuyenhoa_testhooks. It is steered with its own command line and two
// test-only environment variables that only that tag compiles in (see
// cmd/chuyenhoa/testhooks.go): CHUYENHOA_FAULT pauses a run inside its
// transaction, and CHUYENHOA_TEST_CLOCK_OFFSET moves its clock past a mail
// lease or a retry backoff instead of the test waiting for it.
//
// PostgreSQL comes from CHUYENHOA_TEST_PG as for the other packages; under
// CI=true a missing server fails the tests.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/notify/smtptest"
	"chuyenhoa/period"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
	"chuyenhoa/synth"
)

// binary is the chuyenhoa executable TestMain built.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "chuyenhoa-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "chuyenhoa")
	build := exec.Command("go", "build", "-tags", "chuyenhoa_testhooks", "-o", binary, "chuyenhoa/cmd/chuyenhoa")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build the binary:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// hcm is the province's zone; the tests' days are days there.
var hcm = mustZone("Asia/Ho_Chi_Minh")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// env is one test's world: a PostgreSQL schema holding a small synthetic
// province, an SMTP server, a configuration file, and the test's own
// connection to look at what the processes stored.
type env struct {
	t     *testing.T
	dir   string
	dbURL string // what the processes use: the schema, application_name e.appName
	app   string
	s     *store.Store // the test's connection (another application_name)
	smtp  *smtptest.Server
	cfg   string    // configuration file
	yaml  string    // its text, for tests that write a variant
	today time.Time // the day the data runs to and the runs are for
	at    string    // today as --at takes it
}

// demoDay is the day the run-once tests work on, whatever the date: the
// synthetic province is built to show every kind of alert on it, so the
// tests see the same data and the same mail every day they run.
var demoDay = period.Date(2026, time.November, 25)

// realToday is today in the province: what serve runs for, and what
// "in the future" means to the data check and the importer.
func realToday() time.Time { return period.Day(time.Now(), hcm) }

// newEnv sets up an env with a province of 4 districts and 40 communes
// whose statistics run to day (demoDay for the run-once tests, today for
// serve), and every committee with an address.
func newEnv(t *testing.T) *env { return newEnvOn(t, demoDay) }

func newEnvOn(t *testing.T, day time.Time) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), today: day}
	base := storetest.PostgresURL(t)
	e.app = "chuyenhoa-e2e-" + randomHex(t, 4)
	e.dbURL = withParam(t, base, "application_name", e.app)
	e.setUp(withParam(t, base, "application_name", e.app+"-test"))
	return e
}

// newSQLiteEnv is newEnvOn with the province in a SQLite database file,
// at file (in the test's directory when ""), made and migrated by the
// test: the explicit creation the service asks for.
func newSQLiteEnv(t *testing.T, day time.Time, file string) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), today: day}
	if file == "" {
		file = filepath.Join(e.dir, "chuyenhoa.db")
	}
	e.dbURL = "sqlite:" + file
	e.setUp(e.dbURL)
	return e
}

// setUp opens the test's own connection at testURL, loads the province and
// writes the configuration for e.dbURL.
func (e *env) setUp(testURL string) {
	t := e.t
	t.Helper()
	e.at = e.today.Format(time.DateOnly)
	ctx := context.Background()
	s, err := store.Open(ctx, testURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	e.s = s
	opts := synth.Options{Districts: 4, Units: 40, FromYear: e.today.Year() - 2, ToYear: e.today.Year(), Today: e.today}
	ds := synth.Province(67, opts)
	if err := s.Load(ctx, ds); err != nil {
		t.Fatalf("load the province: %v", err)
	}
	if err := s.LoadCycle(ctx, synth.Cycle(67, opts, ds)); err != nil {
		t.Fatalf("load the cycle data: %v", err)
	}
	e.smtp = smtptest.Start(t)
	var districts strings.Builder
	for _, d := range ds.Districts {
		fmt.Fprintf(&districts, "    %s: [\"bcd138.%s@quangngai.gov.vn\"]\n", d.Code, strings.ToLower(d.Code))
	}
	e.yaml = fmt.Sprintf(`database:
  url: %q
http:
  listen: "127.0.0.1:0"
mail:
  transport: smtp
  from: "Ban Chỉ đạo 138 tỉnh <bcd138@congan.quangngai.gov.vn>"
  smtp:
    host: %s
    port: %d
    tls: none
    timeout: 5s
recipients:
  province: ["bcd138@congan.quangngai.gov.vn"]
  districts:
%s`, e.dbURL, e.smtp.Host(), e.smtp.Port(), districts.String())
	e.cfg = e.writeConfig("config.yaml", e.yaml)
}

func (e *env) writeConfig(name, yaml string) string {
	e.t.Helper()
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, []byte(yaml), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return p
}

func randomHex(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func withParam(t *testing.T, raw, key, value string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// proc is a running chuyenhoa process.
type proc struct {
	t      *testing.T
	name   string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	out    *lockedBuffer
	errb   *lockedBuffer
	lines  chan string // stderr, line by line
	done   chan struct{}
	status *os.ProcessState
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// start runs the binary with the env's configuration and extra environment
// variables (KEY=VALUE). The process is killed when the test ends.
func (e *env) start(extraEnv []string, args ...string) *proc {
	e.t.Helper()
	return startProc(e.t, e.cfg, extraEnv, args...)
}

func startProc(t *testing.T, cfg string, extraEnv []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary, args...)
	// Only what the test says: no CHUYENHOA_* from the developer's shell.
	var environ []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CHUYENHOA_") {
			environ = append(environ, kv)
		}
	}
	if cfg != "" {
		environ = append(environ, "CHUYENHOA_CONFIG="+cfg)
	}
	cmd.Env = append(environ, extraEnv...)
	p := &proc{t: t, name: strings.Join(args, " "), cmd: cmd, out: &lockedBuffer{}, errb: &lockedBuffer{},
		lines: make(chan string, 10000), done: make(chan struct{})}
	cmd.Stdout = p.out
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.stdin = stdin
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", p.name, err)
	}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.errb.Write([]byte(line + "\n"))
			select {
			case p.lines <- line:
			default:
			}
		}
	}()
	go func() {
		<-copied // Wait must not close the pipe under the reader
		_ = cmd.Wait()
		p.status = cmd.ProcessState
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// serving waits for serve's "chuyenhoa serving" line (--log-format json)
// and returns the address it listens on.
func (p *proc) serving(timeout time.Duration) string {
	p.t.Helper()
	line := p.waitLine(`"msg":"chuyenhoa serving"`, timeout)
	var rec struct{ HTTP string }
	if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.HTTP == "" {
		p.t.Fatalf("%s: no address in %s", p.name, line)
	}
	return rec.HTTP
}

// get fetches http://addr+path, with basic auth when user is set, and
// returns the status code and body.
func get(t *testing.T, addr, path, user, password string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// signal sends sig to the process.
func (p *proc) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("signal %s: %v", p.name, err)
	}
}

// waitLine waits for a stderr line containing s and returns it.
func (p *proc) waitLine(s string, timeout time.Duration) string {
	p.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case line := <-p.lines:
			if strings.Contains(line, s) {
				return line
			}
		case <-p.done:
			// Drain what is left.
			for {
				select {
				case line := <-p.lines:
					if strings.Contains(line, s) {
						return line
					}
				default:
					p.t.Fatalf("%s ended (%v) before printing %q; stderr:\n%s", p.name, p.status, s, p.errb.String())
					return ""
				}
			}
		case <-deadline:
			p.t.Fatalf("%s did not print %q within %s; stderr:\n%s", p.name, s, timeout, p.errb.String())
			return ""
		}
	}
}

// wait waits for the process to end and returns its exit code (-1 when a
// signal ended it).
func (p *proc) wait(timeout time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		p.t.Fatalf("%s did not end within %s; stderr:\n%s", p.name, timeout, p.errb.String())
	}
	return p.status.ExitCode()
}

// kill9 ends the process with SIGKILL: no deferred function, no signal
// handler, no rollback in the process itself.
func (p *proc) kill9() {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		p.t.Fatalf("kill -9 %s: %v", p.name, err)
	}
	<-p.done
}

// result is what a finished command printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// run runs the binary to the end (at most a minute).
func (e *env) run(extraEnv []string, args ...string) result {
	e.t.Helper()
	start := time.Now()
	p := e.start(extraEnv, args...)
	code := p.wait(time.Minute)
	e.t.Logf("chuyenhoa %s: exit %d in %s", strings.Join(args, " "), code, time.Since(start).Round(time.Millisecond))
	return result{code: code, stdout: p.out.String(), stderr: p.errb.String()}
}

// mustRun runs the binary and fails the test unless it exits 0.
func (e *env) mustRun(extraEnv []string, args ...string) result {
	e.t.Helper()
	r := e.run(extraEnv, args...)
	if r.code != 0 {
		e.t.Fatalf("chuyenhoa %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// eventually polls cond every 50ms until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Queries on what the processes stored.

func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.s.DB().QueryRowContext(context.Background(), e.s.DB().Rebind(query), args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// findings returns (kind, key, state, payload) of one job period as one
// comparable text.
func (e *env) findings(job, per string) string {
	e.t.Helper()
	fs, err := e.s.Findings(context.Background(), finding.Job(job), per)
	if err != nil {
		e.t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s %s %s %s\n", f.Kind, f.Key, f.State, f.Payload)
	}
	return b.String()
}

func (e *env) run1(job, per string) store.JobRun {
	e.t.Helper()
	r, found, err := e.s.RunOf(context.Background(), finding.Job(job), per)
	if err != nil || !found {
		e.t.Fatalf("job_runs %s %s: found %v, %v", job, per, found, err)
	}
	return r
}

// periodOf is the period key job covers on the env's day.
func (e *env) periodOf(job string) string {
	e.t.Helper()
	var per string
	err := e.s.DB().QueryRowContext(context.Background(),
		`SELECT period FROM job_runs WHERE job = $1 ORDER BY started_at DESC LIMIT 1`, job).Scan(&per)
	if err != nil {
		e.t.Fatalf("period of %s: %v", job, err)
	}
	return per
}

func (e *env) outbox() []store.OutboxMessage {
	e.t.Helper()
	ms, err := e.s.Outbox(context.Background(), 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return ms
}

// delivered counts the messages the SMTP server accepted per
// (Message-ID, recipient).
func (e *env) delivered() map[[2]string]int {
	out := map[[2]string]int{}
	for _, m := range e.smtp.Messages() {
		for _, to := range m.To {
			out[[2]string{m.MessageID, to}]++
		}
	}
	return out
}
