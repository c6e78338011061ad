package store_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"chuyenhoa/store"
)

// OpenExisting never creates a SQLite database: not at open, not when a
// pooled connection is opened after the file went away, and an empty file
// left where the database was is no database either.
func TestOpenExistingNeverCreates(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "odd#%name.db")

	_, err := store.OpenExisting(ctx, "sqlite:"+path)
	if !errors.Is(err, store.ErrNoDatabase) || !strings.Contains(err.Error(), path) {
		t.Fatalf("OpenExisting of a missing file: %v, want ErrNoDatabase naming %s", err, path)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("OpenExisting created the missing file")
	}

	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := store.OpenExisting(ctx, "sqlite:"+path); !errors.Is(err, store.ErrNoDatabase) || !strings.Contains(err.Error(), "is empty") {
		t.Fatalf("OpenExisting of an empty file: %v, want ErrNoDatabase", err)
	}
	other := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE units (code TEXT)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := store.OpenExisting(ctx, "sqlite:"+other); !errors.Is(err, store.ErrNoDatabase) || !strings.Contains(err.Error(), "holds no chuyenhoa schema") {
		t.Fatalf("OpenExisting of a SQLite file chuyenhoa did not make: %v, want ErrNoDatabase", err)
	}

	s, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = store.OpenExisting(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatalf("OpenExisting of a migrated file: %v", err)
	}
	defer s.Close()
	if _, err := s.OutboxCounts(ctx); err != nil {
		t.Fatalf("query through OpenExisting: %v", err)
	}
	// The file goes away while the store is open; a fresh pooled
	// connection must fail, not create an empty database there.
	for _, suffix := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(path + suffix)
	}
	s.DB().SetMaxIdleConns(0) // every query opens a new connection
	_, _ = s.OutboxCounts(ctx)
	conn, err := s.DB().Conn(ctx)
	if err == nil {
		conn.Close()
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatalf("a connection opened after the file was deleted created it again (conn err %v)", err)
	}
}

// Create refuses to make a new SQLite file beside the -wal of a deleted
// one, which may hold its last changes, and makes it once that is moved.
func TestCreateRefusesALeftoverJournal(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "chuyenhoa.db")
	if err := os.WriteFile(path+"-wal", []byte("journal of a deleted database"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Create(ctx, "sqlite:"+path); err == nil || !strings.Contains(err.Error(), path+"-wal does") {
		t.Fatalf("Create beside a leftover -wal: %v", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("Create made the file anyway")
	}
	if err := os.Remove(path + "-wal"); err != nil {
		t.Fatal(err)
	}
	s, err := store.Create(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}
