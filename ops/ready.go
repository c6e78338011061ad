package ops

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/lib/pq"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"chuyenhoa/store"
)

// Problem is what is wrong with the database, as /readyz names it.
type Problem string

// The problems Classify tells apart; "" is none of them.
const (
	Missing  Problem = "missing"
	Replaced Problem = "replaced"
	ReadOnly Problem = "read-only"
	Full     Problem = "full"
	Corrupt  Problem = "corrupt"
)

// DBError is a database that cannot do its work, with the problem named
// first: "database full: …".
type DBError struct {
	Problem Problem
	Detail  string
	Err     error
}

func (e *DBError) Error() string {
	msg := fmt.Sprintf("database %s: %s", e.Problem, e.Detail)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *DBError) Unwrap() error { return e.Err }

// Classify names the problem behind a database error of either driver:
// a file or database that is missing, a database that cannot be written
// (read-only file system, file or standby), one that is full (disk, quota,
// SQLite's max_page_count), or a corrupt one. It returns "" for anything
// else, a lost connection or a constraint among them.
func Classify(err error) Problem {
	if err == nil {
		return ""
	}
	var de *DBError
	if errors.As(err, &de) {
		return de.Problem
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff { // the primary result code
		case sqlite3.SQLITE_FULL:
			return Full
		case sqlite3.SQLITE_READONLY:
			return ReadOnly
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return Corrupt
		case sqlite3.SQLITE_CANTOPEN:
			return Missing
		}
	}
	var pe *pq.Error
	if errors.As(err, &pe) {
		switch pe.Code {
		case "53100": // disk_full
			return Full
		case "25006": // read_only_sql_transaction
			return ReadOnly
		case "XX001", "XX002": // data_corrupted, index_corrupted
			return Corrupt
		case "3D000": // invalid_catalog_name: the database does not exist
			return Missing
		}
	}
	switch {
	case errors.Is(err, store.ErrCorrupt):
		return Corrupt
	case errors.Is(err, store.ErrNoDatabase), errors.Is(err, fs.ErrNotExist):
		return Missing
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT), errors.Is(err, syscall.EFBIG):
		return Full
	case errors.Is(err, syscall.EROFS), errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return ReadOnly
	}
	return ""
}

// Readiness is the readiness check of the service's database: it answers
// and its schema is the one this binary knows (StoreReady), and for SQLite
// its file is still the one opened at the start, writable, not full and
// not damaged. Each failure says which, so /readyz tells the operator what
// to fix. Make it with NewReadiness.
type Readiness struct {
	store *store.Store
	file  string
	// The file's identity at the start: a file deleted and made again
	// under the same name is another inode.
	dev, ino uint64

	// MinFree is the free space, in bytes, below which the file system of
	// the SQLite file counts as full: 16 MiB, or 5% of a smaller file
	// system, by default.
	MinFree func(size uint64) uint64
	// QuickCheckEvery is how often PRAGMA quick_check reads the whole
	// SQLite file, in the background: 1 hour by default.
	QuickCheckEvery time.Duration
	// Now is the clock (tests). Default time.Now.
	Now func() time.Time

	mu        sync.Mutex
	lastQuick time.Time
	quickErr  error
	checking  bool
	lastWrite error // the last job's storage failure, until one succeeds
}

// NewReadiness prepares the readiness check of s; file is its SQLite
// database file, "" for PostgreSQL. It records the file's identity now.
func NewReadiness(s *store.Store, file string) (*Readiness, error) {
	r := &Readiness{store: s, file: file}
	if file != "" {
		st, err := os.Stat(file)
		if err != nil {
			return nil, fmt.Errorf("database file: %w", err)
		}
		r.dev, r.ino = fileID(st)
	}
	return r, nil
}

func fileID(st fs.FileInfo) (dev, ino uint64) {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return uint64(sys.Dev), sys.Ino
	}
	return 0, 0
}

// RecordRun tells the check how the last job's writes went: a storage
// failure Classify names (full, read-only, corrupt, missing) makes the
// service unready until a later run succeeds, because the file checks
// cannot see every cause (a quota, SQLite's page limit, a standby).
func (r *Readiness) RecordRun(err error) {
	if err != nil && Classify(err) == "" {
		return // not about the database's state: keep what we know
	}
	r.mu.Lock()
	r.lastWrite = err
	r.mu.Unlock()
}

// Check runs the cheap checks on every call and reports the last
// quick_check, starting the next one in the background when it is due.
func (r *Readiness) Check(ctx context.Context) error {
	if r.file != "" {
		if err := r.checkFile(ctx); err != nil {
			return err
		}
	}
	if err := StoreReady(r.store)(ctx); err != nil {
		if p := Classify(err); p != "" {
			return &DBError{Problem: p, Detail: "the schema cannot be read", Err: err}
		}
		return err
	}
	if r.store.Dialect() == store.Postgres {
		var ro string
		if err := r.store.DB().QueryRowContext(ctx, `SELECT current_setting('transaction_read_only')`).Scan(&ro); err == nil && ro == "on" {
			return &DBError{Problem: ReadOnly, Detail: "the server accepts no writes (a standby, or default_transaction_read_only is on); " +
				"point database.url at the primary"}
		}
	}
	r.mu.Lock()
	last := r.lastWrite
	r.mu.Unlock()
	if last != nil {
		return &DBError{Problem: Classify(last), Detail: "the last job could not write; it is retried within 5 minutes", Err: last}
	}
	return nil
}

func (r *Readiness) checkFile(ctx context.Context) error {
	st, err := os.Stat(r.file)
	if errors.Is(err, fs.ErrNotExist) {
		return &DBError{Problem: Missing, Detail: fmt.Sprintf("file %s is gone (deleted or moved while the service runs); "+
			"put it back or restore it from the backup, then restart", r.file)}
	}
	if err != nil {
		return &DBError{Problem: Missing, Detail: "file " + r.file, Err: err}
	}
	if dev, ino := fileID(st); dev != r.dev || ino != r.ino {
		return &DBError{Problem: Replaced, Detail: fmt.Sprintf("file %s is not the one opened at the start "+
			"(another file took its name); the service still writes to the old one: restart it", r.file)}
	}
	for _, p := range []string{r.file, filepath.Dir(r.file)} {
		if err := syscall.Access(p, 2 /* W_OK */); err != nil {
			what := "is not writable by this user"
			if errors.Is(err, syscall.EROFS) {
				what = "is on a read-only file system"
			}
			return &DBError{Problem: ReadOnly, Detail: fmt.Sprintf("%s %s; nothing can be stored", p, what), Err: err}
		}
	}
	var fsst syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(r.file), &fsst); err == nil {
		free, size := fsst.Bavail*uint64(fsst.Bsize), fsst.Blocks*uint64(fsst.Bsize)
		if min := r.minFree(size); free < min {
			return &DBError{Problem: Full, Detail: fmt.Sprintf("%s free on the file system of %s (below %s); free space there",
				bytesText(free), r.file, bytesText(min))}
		}
	}
	if err := store.ProbeSQLite(ctx, r.file, false); err != nil {
		if p := Classify(err); p != "" {
			return &DBError{Problem: p, Detail: "file " + r.file + " cannot be read", Err: err}
		}
		return fmt.Errorf("database file %s: %w", r.file, err)
	}
	return r.quickCheck()
}

// quickCheck reports the last PRAGMA quick_check and starts the next one
// when it is due: in the background, because on a large database it takes
// longer than a probe may.
func (r *Readiness) quickCheck() error {
	every := r.QuickCheckEvery
	if every <= 0 {
		every = time.Hour
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.checking && (r.lastQuick.IsZero() || r.now().Sub(r.lastQuick) >= every) {
		r.checking = true
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			err := store.ProbeSQLite(ctx, r.file, true)
			cancel()
			r.mu.Lock()
			r.quickErr, r.lastQuick, r.checking = err, r.now(), false
			r.mu.Unlock()
		}()
	}
	if r.quickErr != nil {
		p := Classify(r.quickErr)
		if p == "" {
			p = Corrupt
		}
		return &DBError{Problem: p, Detail: fmt.Sprintf("PRAGMA quick_check at %s found the file damaged; stop the service, "+
			"restore %s from the backup (or recover it with sqlite3 .recover) and restart", r.lastQuick.Format(time.RFC3339), r.file),
			Err: r.quickErr}
	}
	return nil
}

// QuickCheckDone waits until no quick_check runs (tests).
func (r *Readiness) QuickCheckDone() {
	for {
		r.mu.Lock()
		busy := r.checking
		r.mu.Unlock()
		if !busy {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (r *Readiness) minFree(size uint64) uint64 {
	if r.MinFree != nil {
		return r.MinFree(size)
	}
	return min(16<<20, size/20)
}

func (r *Readiness) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func bytesText(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", n/1024)
}
