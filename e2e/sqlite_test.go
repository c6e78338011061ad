package e2e

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/store"
)

// waitReady polls /readyz until its status is code and its body holds
// every word, and returns the body.
func waitReady(t *testing.T, addr string, code int, words ...string) string {
	t.Helper()
	var got int
	var body string
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		got, body = get(t, addr, "/readyz", "", "")
		ok := got == code
		for _, w := range words {
			ok = ok && strings.Contains(body, w)
		}
		if ok {
			return body
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("/readyz = %d %q; want %d with %q", got, body, code, words)
	return ""
}

// The SQLite file is deleted while serve runs: /readyz says so; nothing
// makes the file again, not the running service, not a restart, not any
// data command; each refusal names the file and how to create one. An
// empty file in its place is no database either. migrate and serve
// --create-db are the explicit ways to make one.
func TestMissingDatabaseIsNeverRecreated(t *testing.T) {
	e := newSQLiteEnv(t, realToday(), "")
	file := strings.TrimPrefix(e.dbURL, "sqlite:")
	p := e.start(nil, "serve", "--log-format", "json", "--stop-timeout", "10s")
	addr := p.serving(time.Minute)
	waitReady(t, addr, 200, "ok")
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	body := waitReady(t, addr, 503, "database missing", file)
	t.Logf("/readyz after the file was deleted: %s", strings.TrimSpace(body))
	// The status page and the jobs keep using connections; none may
	// create the file.
	get(t, addr, "/", "", "")
	p.signal(syscall.SIGTERM)
	if code := p.wait(time.Minute); code != 0 {
		t.Errorf("serve exited %d on SIGTERM", code)
	}
	exists := func() bool { _, err := os.Stat(file); return err == nil }
	if exists() {
		t.Fatal("the running service created the deleted database file again")
	}

	units := filepath.Join(e.dir, "units.csv")
	if err := os.WriteFile(units, []byte("code,name,kind,district_code,ntm_certified_on,valid_from,valid_to\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	refusing := [][]string{{"serve"}, {"run-once", "all"}, {"notify"}, {"send"}, {"outbox"},
		{"report", "year", "2026", "--out", filepath.Join(e.dir, "report")}, {"import", "units", units}}
	for _, args := range refusing {
		r := e.run(nil, args...)
		if r.code != 1 || !strings.Contains(r.stderr, "database file "+file+" does not exist") || !strings.Contains(r.stderr, "chuyenhoa migrate") {
			t.Errorf("chuyenhoa %s on a missing database: exit %d, stderr:\n%s", strings.Join(args, " "), r.code, r.stderr)
		}
		if exists() {
			t.Fatalf("chuyenhoa %s created the missing database", strings.Join(args, " "))
		}
	}
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if r := e.run(nil, "serve"); r.code != 1 || !strings.Contains(r.stderr, "database file "+file+" is empty") {
		t.Errorf("serve on an empty file: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	// The deleted database's journal is still there (the test's own
	// connection keeps it): migrate will not create a file beside it.
	if r := e.run(nil, "migrate"); r.code != 1 || !strings.Contains(r.stderr, file+"-wal does") || exists() {
		t.Errorf("migrate beside the old -wal: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	e.s.Close()
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(file + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
	if r := e.mustRun(nil, "migrate"); !exists() {
		t.Fatalf("migrate did not create the database: %s", r.stdout)
	}
	fresh := filepath.Join(t.TempDir(), "new.db")
	p = startProc(t, e.cfg, []string{"CHUYENHOA_DATABASE_URL=sqlite:" + fresh}, "serve", "--create-db", "--log-format", "json")
	waitReady(t, p.serving(time.Minute), 200, "ok")
	p.signal(syscall.SIGTERM)
	p.wait(time.Minute)
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("serve --create-db: %v", err)
	}
}

// mountTmpfs mounts a tmpfs of size at a new directory, unmounted when the
// test ends. It skips the test where mounting is not allowed.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s); ops TestReadinessNamesTheDatabaseProblem covers the checks without one", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		// A process just killed may still hold a file there for a moment.
		out, err := umount(dir)
		if err == nil {
			return
		}
		t.Errorf("umount %s: %v %s; detached it instead (umount -l)", dir, err, bytes.TrimSpace(out))
		_ = exec.Command("umount", "-l", dir).Run()
	})
	return dir
}

// umount unmounts dir, trying for five seconds while it is busy; it
// returns the last attempt's output and error.
func umount(dir string) ([]byte, error) {
	var out []byte
	var err error
	for range 50 {
		if out, err = exec.Command("umount", dir).CombinedOutput(); err == nil {
			return out, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return out, err
}

// bindReadOnly mounts dir read-only over itself and returns what undoes
// it; a test that fails before undoing it has it undone when it ends, so
// the tmpfs below can be unmounted.
func bindReadOnly(t *testing.T, dir string) (undo func()) {
	t.Helper()
	// The service may open a file for writing through the new bind mount
	// before it is made read-only (a send or a status read between the
	// two commands), which makes the remount fail as busy: then the bind
	// mount is undone and made again.
	for try := 1; ; try++ {
		if out, err := exec.Command("mount", "--bind", dir, dir).CombinedOutput(); err != nil {
			t.Fatalf("mount --bind %s: %v %s", dir, err, out)
		}
		out, err := exec.Command("mount", "-o", "remount,bind,ro", dir).CombinedOutput()
		if err == nil {
			break
		}
		t.Logf("remount %s read-only: %v %s", dir, err, bytes.TrimSpace(out))
		if out, err := umount(dir); err != nil {
			t.Fatalf("umount the bind mount on %s: %v %s", dir, err, out)
		}
		if try == 10 {
			t.Fatalf("could not remount %s read-only in %d tries", dir, try)
		}
		time.Sleep(200 * time.Millisecond)
	}
	var once sync.Once
	undo = func() {
		once.Do(func() {
			// A connection the service opens while the mount is read-only
			// keeps it busy until the pool closes it: try for a while,
			// then detach it (new opens then see the writable tmpfs).
			out, err := umount(dir)
			if err == nil {
				return
			}
			t.Logf("umount the bind mount on %s: %v %s; detached it instead (umount -l)", dir, err, bytes.TrimSpace(out))
			if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
				t.Errorf("umount -l the bind mount on %s: %v %s", dir, err, out)
			}
		})
	}
	t.Cleanup(undo)
	return undo
}

// /readyz of a running serve fails when the file system of the SQLite
// file goes read-only or fills up, or the file is damaged, says which,
// and recovers when the fault is gone. Made for real on a small tmpfs.
func TestReadyzSaysWhichDatabaseProblem(t *testing.T) {
	mnt := mountTmpfs(t, "64m")
	e := newSQLiteEnv(t, realToday(), filepath.Join(mnt, "chuyenhoa.db"))
	file := strings.TrimPrefix(e.dbURL, "sqlite:")
	p := e.start(nil, "serve", "--log-format", "json", "--stop-timeout", "10s")
	addr := p.serving(time.Minute)
	// The catch-up at the start runs first: a job that fails on the full
	// disk below keeps the service unready until a later run succeeds
	// (ops TestReadinessNamesTheDatabaseProblem), which is not this test.
	for range finding.RecomputeJobs() {
		p.waitLine(`"msg":"job finished"`, time.Minute)
	}
	// Then the digest of the latest digest time: a connection it opened
	// under the read-only bind mount below would keep that busy.
	p.waitLine(`"msg":"digests composed"`, time.Minute)
	waitReady(t, addr, 200, "ok")

	// A file system cannot be remounted read-only while files on it are
	// open for writing; a read-only bind mount over the same directory
	// is what the path looks like after such a remount.
	writable := bindReadOnly(t, mnt)
	t.Logf("read-only: %s", strings.TrimSpace(waitReady(t, addr, 503, "database read-only", "read-only file system")))
	writable()
	waitReady(t, addr, 200, "ok")

	filler, err := os.Create(filepath.Join(mnt, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for {
		if _, err := filler.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	filler.Close()
	t.Logf("full: %s", strings.TrimSpace(waitReady(t, addr, 503, "database full", "free on the file system of "+file)))
	if err := os.Remove(filepath.Join(mnt, "filler")); err != nil {
		t.Fatal(err)
	}
	waitReady(t, addr, 200, "ok")

	// The header as the file holds it: pages still in the -wal would be
	// read from there, so checkpoint first.
	if _, err := e.s.DB().Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(file, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xa5}, 100), 0); err != nil {
		t.Fatal(err)
	}
	f.Close()
	t.Logf("corrupt: %s", strings.TrimSpace(waitReady(t, addr, 503, "database corrupt")))
	p.kill9()
}

// SIGHUP reloads the configuration: a bad one is refused with its field
// and the running one stays; a good one takes effect (here: the status
// page starts asking for a password); the process never dies of it.
func TestSIGHUPReloadsTheConfiguration(t *testing.T) {
	e := newSQLiteEnv(t, realToday(), "")
	p := e.start(nil, "serve", "--log-format", "json", "--stop-timeout", "10s")
	addr := p.serving(time.Minute)
	if code, _ := get(t, addr, "/", "", ""); code != 200 {
		t.Fatalf("status page before the reload: %d", code)
	}
	e.writeConfig("config.yaml", e.yaml+"schedule:\n  deadlines: \"0 25 * * *\"\n")
	p.signal(syscall.SIGHUP)
	line := p.waitLine("configuration not reloaded", 30*time.Second)
	if !strings.Contains(line, "schedule.deadlines") {
		t.Errorf("the refusal does not name the field: %s", line)
	}
	if code, _ := get(t, addr, "/", "", ""); code != 200 {
		t.Errorf("after a refused reload the status page answers %d; want the old configuration (no password)", code)
	}
	// A password without a user stops the start (config's
	// TestHTTPFailsClosed): the password comes with the user, from a file.
	pw := filepath.Join(e.dir, "http.password")
	if err := os.WriteFile(pw, []byte("pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.writeConfig("config.yaml", strings.Replace(e.yaml, "  listen: \"127.0.0.1:0\"\n", "  listen: \"127.0.0.1:0\"\n  user: admin\n  password_file: "+quoteYAML(pw)+"\n", 1))
	p.signal(syscall.SIGHUP)
	p.waitLine("configuration reloaded", 60*time.Second)
	if code, _ := get(t, addr, "/", "", ""); code != 401 {
		t.Errorf("after the reload the status page answers %d without a password, want 401", code)
	}
	if code, _ := get(t, addr, "/", "admin", "pw"); code != 200 {
		t.Errorf("after the reload the status page answers %d with the password, want 200", code)
	}
	p.signal(syscall.SIGTERM)
	if code := p.wait(time.Minute); code != 0 {
		t.Errorf("serve exited %d on SIGTERM after two SIGHUPs; stderr:\n%s", code, p.errb.String())
	}
}

// kill -9 while sending in SQLite mode: the restarted service sends what
// the dead sender had claimed at once, not after its lease; the only
// repeat is the message in flight, under the same Message-ID.
func TestKillDuringSendingSQLiteResumesAtOnce(t *testing.T) {
	e := newSQLiteEnv(t, realToday(), "")
	queued := e.queueMail(3)
	e.killSendAtSecondMessage()
	leased := 0
	for _, m := range e.outbox() {
		if m.Status == store.OutboxSending {
			leased++
		}
	}
	if leased != len(queued)-1 {
		t.Fatalf("after the kill %d messages are leased, want %d", leased, len(queued)-1)
	}

	start := time.Now()
	s := e.start(nil, "serve", "--log-format", "json", "--stop-timeout", "10s")
	eventually(t, 30*time.Second, "the restarted service sends the dead sender's batch", func() bool {
		got := e.delivered()
		for _, m := range queued {
			if got[[2]string{m.MessageID, m.Recipient}] == 0 {
				return false
			}
		}
		return true
	})
	took := time.Since(start)
	s.signal(syscall.SIGTERM)
	s.wait(time.Minute)
	got := e.delivered()
	repeats := 0
	for _, m := range queued {
		switch n := got[[2]string{m.MessageID, m.Recipient}]; n {
		case 1:
		case 2:
			repeats++
		default:
			t.Errorf("message %s to %s delivered %d times", m.MessageID, m.Recipient, n)
		}
	}
	if repeats != 1 {
		t.Errorf("%d messages repeated, want exactly the one in flight", repeats)
	}
	t.Logf("%d queued; killed after the 2nd was accepted; the restarted serve delivered the rest %s after its start (lease: 2 min), 1 repeat", len(queued), took.Round(time.Millisecond))
}
