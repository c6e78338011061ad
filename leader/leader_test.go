package leader_test

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"chuyenhoa/leader"
	"chuyenhoa/store/storetest"
)

// One leader at a time; leadership moves when the leader's connection dies
// or the leader closes its elector.
func TestPGElectorHandover(t *testing.T) {
	url := storetest.PostgresURL(t)
	ctx := context.Background()
	s1, s2 := storetest.Open(t, url, true), storetest.Open(t, url, false)
	e1, err := leader.NewPGElector(ctx, s1, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e1.Close()
	e2, err := leader.NewPGElector(ctx, s2, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	var changes []bool
	e1.OnChange = func(v bool) { changes = append(changes, v) }

	if err := e1.IsLeader(ctx); err != nil {
		t.Fatalf("first replica: %v", err)
	}
	if err := e1.IsLeader(ctx); err != nil {
		t.Fatalf("first replica, again: %v", err)
	}
	if err := e2.IsLeader(ctx); !errors.Is(err, leader.ErrNotLeader) {
		t.Fatalf("second replica: %v, want ErrNotLeader", err)
	}

	// Kill the leader's session, as a network cut or a server restart
	// would: the lock goes with it.
	var pid int
	if err := s2.DB().QueryRowContext(ctx, `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND classid = ($1::bigint >> 32)::oid AND objid = ($1::bigint & 4294967295)::oid AND objsubid = 1`, e1.Key()).Scan(&pid); err != nil {
		t.Fatalf("find the leader's session: %v", err)
	}
	if _, err := s2.DB().ExecContext(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	// Termination is asynchronous: the second replica wins within moments.
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := e2.IsLeader(ctx)
		if err == nil {
			break
		}
		if !errors.Is(err, leader.ErrNotLeader) || time.Now().After(deadline) {
			t.Fatalf("second replica after the leader's session died: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := e1.IsLeader(ctx); !errors.Is(err, leader.ErrNotLeader) {
		t.Fatalf("old leader after losing its session: %v, want ErrNotLeader", err)
	}
	if e1.Leader() || !e2.Leader() {
		t.Errorf("Leader() = %v, %v; want false, true", e1.Leader(), e2.Leader())
	}
	if fmt.Sprint(changes) != "[true false]" {
		t.Errorf("leadership changes of the first replica = %v, want [true false]", changes)
	}

	// A clean stop hands over at once.
	if err := e2.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e1.IsLeader(ctx); err != nil {
		t.Fatalf("first replica after the leader closed: %v", err)
	}
}

func TestPGElectorRefusesSQLite(t *testing.T) {
	s := storetest.Open(t, "sqlite:"+filepath.Join(t.TempDir(), "t.db"), false)
	if _, err := leader.NewPGElector(context.Background(), s, nil); err == nil || !strings.Contains(err.Error(), "PostgreSQL") {
		t.Fatalf("err = %v, want one asking for PostgreSQL", err)
	}
}

func TestLockFileRefusesSecondHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chuyenhoa.db.lock")
	first, err := leader.LockFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// flock locks belong to the open file, so a second open in this
	// process conflicts exactly as another process would.
	_, err = leader.LockFile(path)
	if !errors.Is(err, leader.ErrLocked) {
		t.Fatalf("second lock: %v, want ErrLocked", err)
	}
	for _, want := range []string{path, fmt.Sprintf("pid %d", os.Getpid())} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not name %q", err, want)
		}
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	again, err := leader.LockFile(path)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	if err := again.Release(); err != nil {
		t.Fatal(err)
	}
}

// The lock key is part of the protocol between replicas: during a rolling
// upgrade old and new replicas must derive the same key, or both lead.
func TestPGElectorKeyDerivation(t *testing.T) {
	url := storetest.PostgresURL(t)
	ctx := context.Background()
	s := storetest.Open(t, url, false)
	e, err := leader.NewPGElector(ctx, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var db, schema string
	if err := s.DB().QueryRowContext(ctx, "SELECT current_database(), current_schema()").Scan(&db, &schema); err != nil {
		t.Fatal(err)
	}
	h := fnv.New64a()
	h.Write([]byte("chuyenhoa-leader\x00" + db + "\x00" + schema))
	if want := int64(h.Sum64() & (1<<63 - 1)); e.Key() != want {
		t.Errorf("Key() = %d, want %d (FNV-1a of chuyenhoa-leader, database %q, schema %q)", e.Key(), want, db, schema)
	}
	migrate, err := s.AdvisoryKey(ctx, "migrate")
	if err != nil {
		t.Fatal(err)
	}
	if migrate == e.Key() {
		t.Errorf("the migration lock and the leader lock share key %d", migrate)
	}
}

// The SQLite lock follows the real path: a second process reaching the
// same file through a symlink, a symlinked directory or a chain of links,
// before or after the file exists, finds the lock taken.
func TestLockDatabaseFollowsSymlinks(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "data", "chuyenhoa.db")
	if err := os.Mkdir(filepath.Dir(real), 0o755); err != nil {
		t.Fatal(err)
	}
	mustLink := func(target, link string) string {
		t.Helper()
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
		return link
	}
	viaFile := mustLink(real, filepath.Join(dir, "link.db"))
	viaRelative := mustLink("data/chuyenhoa.db", filepath.Join(dir, "relative.db"))
	viaChain := mustLink(viaFile, filepath.Join(dir, "chain.db"))
	viaDir := filepath.Join(mustLink(filepath.Join(dir, "data"), filepath.Join(dir, "datalink")), "chuyenhoa.db")

	for _, exists := range []bool{false, true} {
		if exists {
			if err := os.WriteFile(real, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		first, err := leader.LockDatabase(real)
		if err != nil {
			t.Fatal(err)
		}
		if want := real + ".lock"; first.Path() != want {
			t.Errorf("lock at %s, want %s", first.Path(), want)
		}
		for _, p := range []string{viaFile, viaRelative, viaChain, viaDir} {
			if l, err := leader.LockDatabase(p); !errors.Is(err, leader.ErrLocked) {
				t.Errorf("file exists %v: second lock through %s: %v, want ErrLocked", exists, p, err)
				if l != nil {
					l.Release()
				}
			}
		}
		if err := first.Release(); err != nil {
			t.Fatal(err)
		}
	}
	loop := mustLink(filepath.Join(dir, "loop"), filepath.Join(dir, "loop"))
	if _, err := leader.LockDatabase(loop); err == nil {
		t.Error("a symlink loop was locked")
	}
}

// WaitLockDatabase waits for a brief lock and gives up when ctx ends.
func TestWaitLockDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chuyenhoa.db")
	ctx := context.Background()
	first, err := leader.WaitLockDatabase(ctx, db, "send")
	if err != nil {
		t.Fatal(err)
	}
	if first.Path() != db+".send.lock" {
		t.Errorf("lock at %s", first.Path())
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, err := leader.WaitLockDatabase(short, db, "send"); !errors.Is(err, leader.ErrLocked) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("while held: %v, want ErrLocked after the deadline", err)
	}
	got := make(chan error, 1)
	go func() {
		l, err := leader.WaitLockDatabase(ctx, db, "send")
		if err == nil {
			err = l.Release()
		}
		got <- err
	}()
	time.Sleep(150 * time.Millisecond)
	first.Release()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiter did not get the lock after its release")
	}
}
