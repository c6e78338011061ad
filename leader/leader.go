// Package leader makes sure one process at a time runs the scheduled jobs.
//
// Several replicas on one PostgreSQL database elect a leader with a session
// advisory lock held on a dedicated connection (PGElector, a gocron
// Elector): gocron's job-name Locker lets replicas with skewed clocks each
// run a short job once (go-co-op/gocron #841). The unique job_runs row per
// (job, period) stays the second fence, so even two leaders cannot record a
// period twice. SQLite has no such lock server, so SQLite mode allows one
// process per database file, enforced by an flock on "<file>.lock"
// (LockFile).
//
// It is its own package because it is neither a job nor the scheduler: the
// scheduler only asks an Elector, and serve picks which guard applies.
package leader

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"chuyenhoa/store"
)

// ErrNotLeader is what PGElector.IsLeader returns on a replica that is not
// the leader; gocron then skips the run on that replica.
var ErrNotLeader = errors.New("another replica is the leader")

// PGElector elects one leader among the replicas that share a PostgreSQL
// database and schema: the replica whose dedicated connection holds a
// session advisory lock. It implements gocron's Elector, which gocron asks
// before every run.
//
// A session lock lives as long as the server session, so the lock and the
// leadership end together when the leader exits, crashes or loses its
// connection; the next replica to ask takes over. While the old leader has
// not yet noticed that its connection died, there can briefly be two
// leaders; the unique job_runs row per (job, period) and the scheduler's
// "already handled" check are the second fence for that window.
//
// Session advisory locks do not work behind PgBouncer in transaction
// pooling mode: each statement may run on another server session, so the
// lock is taken on one and silently not held for the next. Point the
// service at PostgreSQL directly or through session pooling.
type PGElector struct {
	db  *sql.DB
	key int64
	log *slog.Logger

	mu     sync.Mutex
	conn   *sql.Conn // holds the lock while leader; nil otherwise
	leader atomic.Bool
	// OnChange, when set, is told every change of leadership.
	OnChange func(leader bool)
}

// NewPGElector prepares an elector on s, which must be PostgreSQL. The
// lock key is derived from the database and schema, so the replicas of one
// deployment compete while deployments sharing a server do not. It takes
// no lock yet: the first IsLeader tries.
func NewPGElector(ctx context.Context, s *store.Store, log *slog.Logger) (*PGElector, error) {
	if s.Dialect() != store.Postgres {
		return nil, fmt.Errorf("leader election needs PostgreSQL, the database is %s (SQLite runs a single process)", s.Dialect())
	}
	// Under its own purpose, so it never collides with the migration lock.
	key, err := s.AdvisoryKey(ctx, "leader")
	if err != nil {
		return nil, fmt.Errorf("leader election: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &PGElector{db: s.DB().DB, key: key, log: log.With("lock_key", key)}, nil
}

// IsLeader returns nil when this replica holds the leader lock, taking it
// if it is free. It checks that the lock's connection is still alive on
// every call: a lost connection means the server released the lock.
func (e *PGElector) IsLeader(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.conn != nil {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := e.conn.ExecContext(cctx, "SELECT 1")
		cancel()
		if err == nil {
			return nil
		}
		e.log.Warn("leader connection lost, leadership released", "err", err)
		discard(e.conn)
		e.conn = nil
		e.set(false)
	}
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("leader election: connect: %w", err)
	}
	var got bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", e.key).Scan(&got); err != nil {
		// The server may have granted the lock before the error: end the
		// session so no pooled connection keeps it.
		discard(conn)
		return fmt.Errorf("leader election: %w", err)
	}
	if !got {
		conn.Close()
		return ErrNotLeader
	}
	e.conn = conn
	e.set(true)
	return nil
}

// Key is the advisory lock key (pg_locks: classid = key>>32, objid =
// key&0xffffffff, objsubid = 1), for finding the leader's session.
func (e *PGElector) Key() int64 { return e.key }

// Leader reports whether this replica held the lock at the last check.
func (e *PGElector) Leader() bool { return e.leader.Load() }

func (e *PGElector) set(v bool) {
	if e.leader.Swap(v) == v {
		return
	}
	if v {
		e.log.Info("leadership acquired")
	} else {
		e.log.Info("leadership lost")
	}
	if e.OnChange != nil {
		e.OnChange(v)
	}
}

// Close gives up leadership, so another replica can take over at its next
// tick instead of waiting for this session to time out.
func (e *PGElector) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.conn == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := e.conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", e.key)
	// Ending the session releases the lock in any case.
	discard(e.conn)
	e.conn = nil
	e.set(false)
	if err != nil {
		return fmt.Errorf("release leader lock: %w", err)
	}
	return nil
}

// discard closes c's server session instead of returning it to the pool.
func discard(c *sql.Conn) {
	_ = c.Raw(func(any) error { return driver.ErrBadConn })
	_ = c.Close()
}

// ErrLocked is wrapped by LockFile's error when another process holds the
// lock.
var ErrLocked = errors.New("held by another process")

// FileLock is an exclusive lock on a file, held until Release or until the
// process exits (the kernel drops it with the file descriptor, so a crash
// never leaves a stale lock behind).
type FileLock struct {
	f    *os.File
	path string
}

// LockDatabase takes the one-process lock of a SQLite database file:
// LockFile on "<real path>.lock", where the real path is the file's with
// every symbolic link resolved (the file itself may not exist yet). So a
// second serve reached through a symlink to the same file, or through a
// symlinked directory, finds the same lock, as SQLite itself resolves the
// links to name the -wal and -shm files. Hard links are not followed, and
// SQLite would give each name its own -wal: never hard-link a database.
func LockDatabase(dbPath string) (*FileLock, error) {
	real, err := RealPath(dbPath)
	if err != nil {
		return nil, fmt.Errorf("database file %s: %w", dbPath, err)
	}
	return LockFile(real + ".lock")
}

// WaitLockDatabase is LockDatabase for a lock held only briefly, under
// the name "<real path>.SUFFIX.lock": while another process holds it, it
// tries again every 100 ms until ctx ends.
func WaitLockDatabase(ctx context.Context, dbPath, suffix string) (*FileLock, error) {
	real, err := RealPath(dbPath)
	if err != nil {
		return nil, fmt.Errorf("database file %s: %w", dbPath, err)
	}
	for {
		l, err := LockFile(real + "." + suffix + ".lock")
		if !errors.Is(err, ErrLocked) {
			return l, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w (gave up waiting: %w)", err, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// RealPath is path made absolute with every symbolic link resolved, also
// when the file (or the last link's target) does not exist yet; its
// directory must exist.
func RealPath(path string) (string, error) {
	p, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	for range 40 { // the kernel's limit of links followed
		real, err := filepath.EvalSymlinks(p)
		if err == nil {
			return real, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		dir, base := filepath.Split(p)
		rdir, err := filepath.EvalSymlinks(dir)
		if err != nil {
			return "", err
		}
		p = filepath.Join(rdir, base)
		target, err := os.Readlink(p)
		if err != nil {
			return p, nil // not a link: a file yet to be created
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(rdir, target)
		}
		p = target
	}
	return "", fmt.Errorf("resolve %s: too many levels of symbolic links", path)
}

// LockFile takes an exclusive, non-blocking flock on path (created if
// missing) and writes this process's id into it. SQLite mode uses it on
// "<database file>.lock" (see LockDatabase): SQLite has no leader
// election, so one process per database file is enforced here.
func LockFile(path string) (*FileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			who := "another process"
			if pid := readPID(f); pid > 0 {
				who = fmt.Sprintf("another process (pid %d)", pid)
			}
			return nil, fmt.Errorf("lock file %s is held by %s: %w", path, who, ErrLocked)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// Record who holds it, for the message a second process prints.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &FileLock{f: f, path: path}, nil
}

func readPID(f *os.File) int {
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 64))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0
	}
	return pid
}

// Path is the lock file's path.
func (l *FileLock) Path() string { return l.path }

// Release drops the lock. The file stays: removing it would let a process
// that opened the old file and one that creates a new one both "hold" it.
func (l *FileLock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	if err != nil {
		return fmt.Errorf("release lock %s: %w", l.path, err)
	}
	return nil
}
