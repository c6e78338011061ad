package ops_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lib/pq"

	"chuyenhoa/ops"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// Classify names the problem from the drivers' own errors. The SQLite
// ones are provoked for real; PostgreSQL's read-only error too. A full or
// corrupt PostgreSQL cannot be made in a test here, so those take the
// error the server sends (SQLSTATE 53100, XX001), built by hand.
func TestClassify(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sqliteErr := func(dsn, query string) error {
		t.Helper()
		db, err := sql.Open("sqlite", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, q := range strings.Split(query, ";") {
			if _, err := db.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		t.Fatalf("%s on %s succeeded", query, dsn)
		return nil
	}
	full := sqliteErr(filepath.Join(dir, "full.db"),
		"PRAGMA max_page_count = 3;CREATE TABLE a (x);INSERT INTO a SELECT randomblob(4000) FROM (SELECT 1 UNION SELECT 2 UNION SELECT 3)")
	ro := filepath.Join(dir, "ro.db")
	sqliteErr(ro, "CREATE TABLE a (x);SELECT * FROM nothing")
	readOnly := sqliteErr("file:"+ro+"?mode=ro", "INSERT INTO a VALUES (1)")
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 500)), 0o644); err != nil {
		t.Fatal(err)
	}
	notADB := sqliteErr(garbage, "SELECT * FROM sqlite_master")
	cantOpen := sqliteErr("file:"+filepath.Join(dir, "none.db")+"?mode=rw", "SELECT 1")

	pgURL := storetest.PostgresURL(t)
	pgDB, err := sql.Open("postgres", pgURL+"&default_transaction_read_only=on")
	if err != nil {
		t.Fatal(err)
	}
	defer pgDB.Close()
	_, pgReadOnly := pgDB.ExecContext(ctx, "CREATE TABLE x (a int)")
	if pgReadOnly == nil {
		t.Fatal("a write on a read-only PostgreSQL session succeeded")
	}
	_, pgMissing := sql.Open("postgres", strings.Replace(pgURL, "/test?", "/no_such_database_here?", 1))
	if db, _ := sql.Open("postgres", strings.Replace(pgURL, "/test?", "/no_such_database_here?", 1)); db != nil {
		pgMissing = db.PingContext(ctx)
		db.Close()
	}

	for _, c := range []struct {
		name string
		err  error
		want ops.Problem
	}{
		{"SQLite max_page_count", full, ops.Full},
		{"SQLite opened read-only", readOnly, ops.ReadOnly},
		{"SQLite file that is no database", notADB, ops.Corrupt},
		{"SQLite file missing (mode=rw)", cantOpen, ops.Missing},
		{"PostgreSQL read-only transaction", pgReadOnly, ops.ReadOnly},
		{"PostgreSQL database missing", pgMissing, ops.Missing},
		{"PostgreSQL disk full (by hand)", fmt.Errorf("save: %w", &pq.Error{Code: "53100", Message: "could not extend file"}), ops.Full},
		{"PostgreSQL data corrupted (by hand)", &pq.Error{Code: "XX001", Message: "invalid page in block 7"}, ops.Corrupt},
		{"ENOSPC from the file system", &fs.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}, ops.Full},
		{"EROFS from the file system", &fs.PathError{Op: "open", Path: "x", Err: syscall.EROFS}, ops.ReadOnly},
		{"quick_check damage", fmt.Errorf("x: %w", store.ErrCorrupt), ops.Corrupt},
		{"a lost connection is none of these", &pq.Error{Code: "57P01"}, ""},
		{"nil", nil, ""},
	} {
		if got := ops.Classify(c.err); got != c.want {
			t.Errorf("%s: Classify(%v) = %q, want %q", c.name, c.err, got, c.want)
		}
	}
}

// sqliteReady makes a migrated SQLite database with some bulk in it and
// its readiness check, plus the /readyz handler over it.
func sqliteReady(t *testing.T) (path string, s *store.Store, r *ops.Readiness) {
	t.Helper()
	ctx := context.Background()
	path = filepath.Join(t.TempDir(), "chuyenhoa.db")
	s = storetest.Open(t, "sqlite:"+path, true)
	for _, q := range []string{
		"CREATE TABLE bulk (x BLOB)",
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400) INSERT INTO bulk SELECT randomblob(900) FROM n",
		"PRAGMA wal_checkpoint(TRUNCATE)",
	} {
		if _, err := s.DB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	r, err := ops.NewReadiness(s, path)
	if err != nil {
		t.Fatal(err)
	}
	return path, s, r
}

func readyz(t *testing.T, r *ops.Readiness) (int, string) {
	t.Helper()
	return get(t, ops.Handler(ops.HandlerOptions{Ready: r.Check}), "/readyz")
}

func wantUnready(t *testing.T, r *ops.Readiness, what string, words ...string) {
	t.Helper()
	code, body := readyz(t, r)
	if code != 503 {
		t.Errorf("%s: /readyz = %d %q, want 503", what, code, body)
		return
	}
	t.Logf("%s: /readyz 503 %s", what, strings.TrimSpace(body))
	for _, w := range words {
		if !strings.Contains(body, w) {
			t.Errorf("%s: /readyz says %q, want it to say %q", what, body, w)
		}
	}
}

// /readyz fails, and says which, when the SQLite file is missing, replaced,
// full, corrupt or read-only, or when the last job could not write.
func TestReadinessNamesTheDatabaseProblem(t *testing.T) {
	t.Run("healthy", func(t *testing.T) {
		_, _, r := sqliteReady(t)
		if code, body := readyz(t, r); code != 200 {
			t.Fatalf("/readyz = %d %q", code, body)
		}
		r.QuickCheckDone()
		if code, body := readyz(t, r); code != 200 {
			t.Fatalf("/readyz after the quick_check = %d %q", code, body)
		}
	})
	t.Run("missing", func(t *testing.T) {
		path, _, r := sqliteReady(t)
		if err := os.Rename(path, path+".moved"); err != nil {
			t.Fatal(err)
		}
		wantUnready(t, r, "file moved away", "not ready: database missing: file "+path+" is gone", "restore it from the backup")
	})
	t.Run("replaced", func(t *testing.T) {
		path, _, r := sqliteReady(t)
		if err := os.Rename(path, path+".old"); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		wantUnready(t, r, "another file under the name", "database replaced", "restart it")
	})
	t.Run("full", func(t *testing.T) {
		_, _, r := sqliteReady(t)
		r.MinFree = func(size uint64) uint64 { return size + 1 } // more than there can be
		wantUnready(t, r, "no space", "database full", "free on the file system of")
	})
	t.Run("header overwritten", func(t *testing.T) {
		path, _, r := sqliteReady(t)
		overwrite(t, path, 0, 100)
		wantUnready(t, r, "garbage header", "database corrupt", "cannot be read")
	})
	t.Run("page damaged", func(t *testing.T) {
		path, _, r := sqliteReady(t)
		now := time.Now()
		r.Now = func() time.Time { return now }
		if code, _ := readyz(t, r); code != 200 {
			t.Fatal("not ready before the damage")
		}
		r.QuickCheckDone()
		// Damage a page of the bulk table, far from the header and the
		// migration table the cheap probe reads.
		overwrite(t, path, 60*4096+100, 2000)
		if code, body := readyz(t, r); code != 200 {
			t.Errorf("quick_check ran again before it was due: %d %q", code, body)
		}
		now = now.Add(2 * time.Hour)
		readyz(t, r) // starts the quick_check that is due
		r.QuickCheckDone()
		wantUnready(t, r, "damaged page", "database corrupt", "PRAGMA quick_check", "restore")
	})
	t.Run("read-only", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root writes whatever the mode; e2e TestReadyzSaysWhichDatabaseProblem remounts a file system read-only instead")
		}
		path, _, r := sqliteReady(t)
		if err := os.Chmod(path, 0o444); err != nil {
			t.Fatal(err)
		}
		wantUnready(t, r, "file made read-only", "database read-only", "not writable")
	})
	t.Run("last run failed to write", func(t *testing.T) {
		_, _, r := sqliteReady(t)
		r.RecordRun(errors.New("some unrelated failure"))
		if code, _ := readyz(t, r); code != 200 {
			t.Error("an unrelated job failure made the service unready")
		}
		r.RecordRun(fmt.Errorf("finish run: %w", &fs.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}))
		wantUnready(t, r, "job failed on a full disk", "database full", "the last job could not write")
		r.RecordRun(nil)
		if code, body := readyz(t, r); code != 200 {
			t.Errorf("after a successful run /readyz = %d %q", code, body)
		}
	})
	t.Run("postgres read-only", func(t *testing.T) {
		url := storetest.PostgresURL(t)
		storetest.Open(t, url, true)
		s := storetest.Open(t, url+"&default_transaction_read_only=on", false)
		r, err := ops.NewReadiness(s, "")
		if err != nil {
			t.Fatal(err)
		}
		wantUnready(t, r, "read-only PostgreSQL", "database read-only", "point database.url at the primary")
	})
}

func overwrite(t *testing.T, path string, off int64, n int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte(strings.Repeat("\xa5", n)), off); err != nil {
		t.Fatal(err)
	}
}
