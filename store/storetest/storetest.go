// Package storetest runs storage tests against both databases: a fresh
// SQLite file and a fresh schema in the test PostgreSQL.
//
// PostgreSQL comes from CHUYENHOA_TEST_PG (default DefaultPostgres). When it
// cannot be reached the PostgreSQL half is skipped, except under CI=true,
// where that is a failure.
//
// CHUYENHOA_TEST_DBS=postgres (or sqlite) runs ForEachDB's tests on that
// database only. .ci/run uses it for one thing: the status page's second
// pass under the race detector, which looks for races in the page's own
// goroutines (the same on either database) and would spend four fifths of
// its time in the pure-Go SQLite library, instrumented too; both
// databases ran in the full pass before it.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/lib/pq"

	"chuyenhoa/store"
)

// DefaultPostgres is the test database used when CHUYENHOA_TEST_PG is unset.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// ForEachDB runs fn as subtest "sqlite" on a migrated SQLite file in a
// temporary directory and as subtest "postgres" on a migrated fresh schema.
func ForEachDB(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	sqlite, postgres := true, true
	switch dbs := os.Getenv("CHUYENHOA_TEST_DBS"); dbs {
	case "", "sqlite,postgres", "postgres,sqlite":
	case "sqlite":
		postgres = false
	case "postgres":
		sqlite = false
	default:
		t.Fatalf("CHUYENHOA_TEST_DBS=%q: want sqlite, postgres or both", dbs)
	}
	if sqlite {
		t.Run("sqlite", func(t *testing.T) {
			fn(t, open(t, "sqlite:"+filepath.Join(t.TempDir(), "test.db")))
		})
	}
	if postgres {
		t.Run("postgres", func(t *testing.T) {
			fn(t, open(t, PostgresURL(t)))
		})
	}
}

// open opens and migrates a store closed when the test ends.
func open(t *testing.T, url string) *store.Store {
	t.Helper()
	return Open(t, url, true)
}

// Open opens the database at url for one test and closes it when the test
// ends; with migrate it also migrates it. Tests of several replicas on one
// schema open the second one without migrating.
func Open(t *testing.T, url string, migrate bool) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, url)
	if err != nil {
		t.Fatalf("open test store: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close test store: %v", err)
		}
	})
	if migrate {
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("migrate test store: %v", err)
		}
	}
	return s
}

// PostgresURL creates an empty schema t_<random> in the test database,
// dropped with everything in it when the test ends, and returns a URL whose
// connections use it as search_path (lib/pq passes unknown URL parameters
// as run-time parameters). The schema is not migrated.
func PostgresURL(t *testing.T) string {
	t.Helper()
	base := os.Getenv("CHUYENHOA_TEST_PG")
	if base == "" {
		base = DefaultPostgres
	}
	unreachable := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL required under CI=true: "+format, args...)
		}
		t.Skipf("PostgreSQL not reachable, skipping (set CHUYENHOA_TEST_PG): "+format, args...)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("CHUYENHOA_TEST_PG %q: %v", base, err)
	}
	admin, err := sql.Open("postgres", base)
	if err != nil {
		unreachable("%v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		unreachable("%s: %v", u.Redacted(), err)
	}

	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	schema := "t_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
	})

	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
