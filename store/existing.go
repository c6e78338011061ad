package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"chuyenhoa/dburl"
)

// ErrNoDatabase is wrapped by OpenExisting's error when the SQLite file is
// missing or holds no chuyenhoa schema.
var ErrNoDatabase = errors.New("no chuyenhoa database")

// OpenExisting is Open for a database that must already exist: what the
// service and every command but migrate, demo and gen use, so that a
// deleted or moved SQLite file is never replaced by an empty one that the
// jobs then read as a province with no data. For SQLite the file must
// exist and hold the migration table (an empty file left where the
// database was counts as missing), and every pooled connection opens it
// with mode=rw, so that a connection opened after the file went away fails
// instead of creating a new one. PostgreSQL is opened as by Open: the
// server refuses a database that does not exist.
func OpenExisting(ctx context.Context, rawURL string) (*Store, error) {
	u, err := dburl.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("open store: database URL %w", err)
	}
	if u.Dialect == SQLite {
		st, err := os.Stat(u.Path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("database file %s does not exist: %w", u.Path, ErrNoDatabase)
		case err != nil:
			return nil, fmt.Errorf("database file %s: %w", u.Path, err)
		case !st.Mode().IsRegular():
			return nil, fmt.Errorf("database file %s is not a regular file", u.Path)
		case st.Size() == 0:
			return nil, fmt.Errorf("database file %s is empty: %w", u.Path, ErrNoDatabase)
		}
	}
	s, err := open(ctx, rawURL, true)
	if err != nil {
		return nil, err
	}
	if s.dialect == SQLite {
		var n int
		err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version'`).Scan(&n)
		if err == nil && n == 0 {
			err = fmt.Errorf("database file %s holds no chuyenhoa schema (empty, or not made by chuyenhoa): %w", u.Path, ErrNoDatabase)
		} else if err != nil {
			err = fmt.Errorf("database file %s: %w", u.Path, err)
		}
		if err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// Create is Open for the commands that may make a new database (migrate,
// demo, gen, serve --create-db). It refuses to create a SQLite file beside
// a leftover "-wal": that journal belongs to a database deleted before it
// was checkpointed and may hold its last transactions; SQLite would apply
// it to the new file and fail with a disk I/O error.
func Create(ctx context.Context, rawURL string) (*Store, error) {
	u, err := dburl.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("open store: database URL %w", err)
	}
	if u.Dialect == SQLite {
		if _, err := os.Stat(u.Path); errors.Is(err, fs.ErrNotExist) {
			if _, err := os.Stat(u.Path + "-wal"); err == nil {
				return nil, fmt.Errorf("database file %s does not exist, but %s-wal does: it is the journal of a database "+
					"deleted before it was checkpointed and may hold its last changes; restore %s beside it, or move %s-wal "+
					"and %s-shm away to start a new database", u.Path, u.Path, u.Path, u.Path, u.Path)
			}
		}
	}
	return Open(ctx, rawURL)
}

// ProbeSQLite reads the SQLite database at path over a connection of its
// own, opened for the probe and closed after it (never creating the file),
// so that it sees the file as it is on disk now rather than the pages a
// long-lived pooled connection holds in its cache: it reads the header and
// the migration table, and with quick it also runs PRAGMA quick_check,
// which reads every page (seconds on a large database: run it sparingly).
// The error is the driver's, for the caller to classify.
func ProbeSQLite(ctx context.Context, path string, quick bool) error {
	db, err := sql.Open("sqlite", existingSQLite(path)+"&_pragma=busy_timeout(2000)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM goose_db_version`).Scan(&n); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if !quick {
		return nil
	}
	rows, err := db.QueryContext(ctx, `PRAGMA quick_check(5)`)
	if err != nil {
		return fmt.Errorf("quick_check %s: %w", path, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("quick_check %s: %w", path, err)
		}
		for _, l := range strings.Split(line, "\n") {
			if l != "ok" && !strings.HasPrefix(l, "*** in database") {
				problems = append(problems, l)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("quick_check %s: %w", path, err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("quick_check %s: %s: %w", path, strings.Join(problems, "; "), ErrCorrupt)
	}
	return nil
}

// ErrCorrupt is wrapped by ProbeSQLite's error when PRAGMA quick_check
// finds the file damaged.
var ErrCorrupt = errors.New("database file damaged")

// existingSQLite is the driver name that opens path read-write without
// creating it: a SQLite URI filename with mode=rw. '%', '?' and '#' are
// escaped, the characters a URI filename reads otherwise; a leading "//"
// would name an authority.
func existingSQLite(path string) string {
	if strings.HasPrefix(path, "//") {
		path = "/" + strings.TrimLeft(path, "/")
	}
	path = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + path + "?mode=rw"
}
