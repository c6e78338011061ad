// Package store keeps the service's data in PostgreSQL or SQLite through one
// API: the read contract (districts, units, offence types, statistics,
// selections, assessments, submissions) that a province already holds, and
// the worker's own state (job runs, findings, relapse states).
//
// Both databases get the same schema from embedded goose migrations and the
// same SQL; the few dialect differences live in this package. Civil dates
// are bound as "2006-01-02" text and instants on SQLite as fixed-width UTC
// text, so that text comparison on SQLite orders them as PostgreSQL does.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq" // and driver "postgres"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // driver "sqlite"

	"chuyenhoa/dburl"
)

// Dialect names returned by Store.Dialect.
const (
	Postgres = dburl.Postgres
	SQLite   = dburl.SQLite
)

//go:embed migrations/postgres/*.sql migrations/sqlite/*.sql
var migrations embed.FS

// Store is a handle on the service database. It is safe for concurrent use,
// except a rehearsal's (see Rehearse).
type Store struct {
	pool *sqlx.DB
	// db runs the queries: the pool, or a rehearsal's transaction.
	db      conn
	dialect string
	// rehearsal is the transaction a Rehearse view works in; nil otherwise.
	rehearsal *sqlx.Tx
	// loadHook, when set (tests only), runs inside Load's transaction after
	// each table is written; an error aborts the load.
	loadHook func(table string) error
	// sumHook, when set (tests only), is called by Aggregate with the
	// context of each sum.
	sumHook func(ctx context.Context)
	// markSent is MarkSent's statement on PostgreSQL, prepared at its first
	// use (see MarkSent).
	markSent *prepared
	// cores is how many cores a PostgreSQL server shares with this
	// process: this machine's when it runs here, 0 when it runs elsewhere
	// (see localCores, sumSettings).
	cores int
	// unusable caches whether crime_stats has the index of its unusable
	// rows (PostgreSQL's migration 00010), which countsFlagged asks:
	// unknown until first asked, and again after Migrate.
	unusable *unusableIndex
}

// prepared is a statement of the pool prepared when first needed (and
// again after a failed attempt: a database that was down for the first
// use must not leave it failing for good).
type prepared struct {
	mu sync.Mutex
	st *sqlx.Stmt
}

// get returns the statement, preparing query on pool if need be.
func (p *prepared) get(ctx context.Context, pool *sqlx.DB, query string) (*sqlx.Stmt, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.st == nil {
		st, err := pool.PreparexContext(ctx, query)
		if err != nil {
			return nil, fmt.Errorf("prepare: %w", err)
		}
		p.st = st
	}
	return p.st, nil
}

func (p *prepared) close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.st == nil {
		return nil
	}
	err := p.st.Close()
	p.st = nil
	return err
}

// sqliteParams are the connection settings every SQLite connection gets:
// WAL so readers do not block the writer, a busy timeout so concurrent
// writers wait instead of failing, foreign keys on, and IMMEDIATE
// transactions so a transaction that reads before writing cannot fail with
// SQLITE_BUSY when it upgrades its lock.
const sqliteParams = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"

// Open connects to the database named by rawURL, in one of the forms
// dburl accepts: "sqlite:path/to/file.db" (also "sqlite://path",
// "sqlite3:path") or "postgres://..." / "postgresql://...". It pings the
// database but does not migrate it.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	return open(ctx, rawURL, false)
}

func open(ctx context.Context, rawURL string, existing bool) (*Store, error) {
	u, err := dburl.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("open store: database URL %w", err)
	}
	var s *Store
	switch u.Dialect {
	case SQLite:
		dsn := u.Path + "?" + sqliteParams
		if existing {
			dsn = existingSQLite(u.Path) + "&" + sqliteParams
		}
		if u.Query != "" {
			dsn += "&" + u.Query
		}
		db, err := sqlx.Open("sqlite", dsn)
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", u.Path, err)
		}
		// An idle connection holds the file it opened: one opened while
		// the file system was read-only (or before the file was replaced)
		// would keep failing after the fault is gone. Idle ones are closed
		// after a while so the pool reopens the file as it is now.
		db.SetConnMaxIdleTime(30 * time.Second)
		s = &Store{pool: db, db: db, dialect: SQLite, markSent: &prepared{}}
	case Postgres:
		db, err := sqlx.Open("postgres", u.PostgresDSN())
		if err != nil {
			return nil, fmt.Errorf("open postgres %s: %w", u, err)
		}
		s = &Store{pool: db, db: db, dialect: Postgres, markSent: &prepared{}, cores: localCores(u.PostgresDSN()), unusable: &unusableIndex{}}
	}
	// A round runs its four jobs and the sums of its two windows side by
	// side (jobs.Runner.RunRound), the sender and the status page beside
	// it: with database/sql's default of two idle connections, every
	// round would open and close four more, on PostgreSQL a server
	// process each.
	s.pool.SetMaxIdleConns(idleConns)
	if err := s.pool.PingContext(ctx); err != nil {
		s.pool.Close()
		return nil, fmt.Errorf("open %s database %s: %w", s.dialect, u, err)
	}
	return s, nil
}

// localCores is runtime.NumCPU() when the PostgreSQL server of dsn runs
// on this machine (every host it names a Unix socket, localhost or a
// loopback address, as lib/pq reads the DSN and the environment), 0
// otherwise.
func localCores(dsn string) int {
	cfg, err := pq.NewConfig(dsn)
	if err != nil {
		return 0
	}
	here := func(host string, addr netip.Addr) bool {
		if addr.IsValid() {
			return addr.IsLoopback()
		}
		ip, err := netip.ParseAddr(host)
		return host == "localhost" || strings.HasPrefix(host, "/") || err == nil && ip.IsLoopback()
	}
	if !here(cfg.Host, cfg.Hostaddr) {
		return 0
	}
	for _, m := range cfg.Multi {
		if !here(m.Host, m.Hostaddr) {
			return 0
		}
	}
	return runtime.NumCPU()
}

// idleConns is how many idle connections the pool keeps.
const idleConns = 8

// Close closes the database. A rehearsal's view has nothing of its own to
// close: Rehearse ends it.
func (s *Store) Close() error {
	if s.rehearsal != nil {
		return nil
	}
	return errors.Join(s.markSent.close(), s.pool.Close())
}

// Dialect is "postgres" or "sqlite".
func (s *Store) Dialect() string { return s.dialect }

// DB exposes the connection pool for queries this package does not offer
// (outside any rehearsal).
func (s *Store) DB() *sqlx.DB { return s.pool }

// provider builds a goose provider over this database's embedded migrations.
func (s *Store) provider(ctx context.Context) (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+s.dialect)
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	var dialect goose.Dialect
	switch s.dialect {
	case Postgres:
		dialect = goose.DialectPostgres
		id, err := s.AdvisoryKey(ctx, "migrate")
		if err != nil {
			return nil, err
		}
		// Replicas starting together take turns: the advisory lock is held
		// for the whole run, so the second one finds nothing left to do.
		locker, err := lock.NewPostgresSessionLocker(
			lock.WithLockID(id),
			lock.WithLockTimeout(1, 300),
			lock.WithUnlockTimeout(1, 60),
		)
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	default:
		dialect = goose.DialectSQLite3
	}
	return goose.NewProvider(dialect, s.pool.DB, sub, opts...)
}

// AdvisoryKey derives a PostgreSQL advisory lock key for purpose (such as
// "migrate" or "leader") from the database and schema: replicas of one
// deployment share it, while deployments (or test schemas) living side by
// side in one server do not wait on each other, and locks for different
// purposes never collide.
func (s *Store) AdvisoryKey(ctx context.Context, purpose string) (int64, error) {
	var db, schema sql.NullString
	if err := s.db.QueryRowContext(ctx, "SELECT current_database(), current_schema()").Scan(&db, &schema); err != nil {
		return 0, fmt.Errorf("read current schema: %w", err)
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "chuyenhoa-%s\x00%s\x00%s", purpose, db.String, schema.String)
	return int64(h.Sum64() & (1<<63 - 1)), nil
}

// Migrate applies every pending migration.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.provider(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", s.dialect, err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", s.dialect, err)
	}
	s.unusable.forget()
	return nil
}

// MigrationStatus reports the applied and the latest known schema version.
func (s *Store) MigrationStatus(ctx context.Context) (current, latest int64, err error) {
	p, err := s.provider(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("migration status: %w", err)
	}
	current, latest, err = p.GetVersions(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("migration status: %w", err)
	}
	return current, latest, nil
}

// Tx is a transaction opened by InTx.
type Tx struct {
	tx      *sqlx.Tx
	dialect string
}

// Sqlx exposes the transaction for queries this package does not offer.
func (tx *Tx) Sqlx() *sqlx.Tx { return tx.tx }

// Rebind turns ? placeholders into the dialect's.
func (tx *Tx) Rebind(q string) string { return tx.tx.Rebind(q) }

// InTx runs fn in a transaction, committing when fn returns nil and rolling
// back when it returns an error or panics (the panic is re-raised). In a
// rehearsal it is a savepoint of the rehearsal's transaction.
func (s *Store) InTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	if s.rehearsal != nil {
		return s.inSavepoint(ctx, fn)
	}
	sx, err := s.pool.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	done := false
	defer func() {
		if !done {
			_ = sx.Rollback()
		}
	}()
	if err := fn(&Tx{tx: sx, dialect: s.dialect}); err != nil {
		return err
	}
	done = true
	if err := sx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}

// q is the common surface of *sqlx.DB and *sqlx.Tx.
type q = sqlx.ExtContext

// conn is what the store's queries need of *sqlx.DB, and *sqlx.Tx also has.
type conn interface {
	sqlx.ExtContext
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	NamedExecContext(ctx context.Context, query string, arg any) (sql.Result, error)
}

// Rehearse runs fn on a view of the store bound to one transaction that is
// rolled back when fn returns: fn reads, writes and reads its own writes
// as a real run does, across as many InTx as it likes (savepoints), and
// nothing of it is kept. A preview made this way runs the very code of the
// real run, so it shows exactly what that run would do (notify
// --dry-run). The view is for one goroutine; on SQLite it holds the
// write lock until fn returns, so other writers wait (busy_timeout).
func (s *Store) Rehearse(ctx context.Context, fn func(view *Store) error) error {
	if s.rehearsal != nil {
		return fn(s)
	}
	tx, err := s.pool.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin rehearsal: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	view := *s
	view.db, view.rehearsal = tx, tx
	return fn(&view)
}

// Rehearsing reports whether s is a rehearsal's view (Rehearse): its
// queries all go through one transaction, from one goroutine, so nothing
// may run beside them.
func (s *Store) Rehearsing() bool { return s.rehearsal != nil }

// inSavepoint is InTx inside a rehearsal.
func (s *Store) inSavepoint(ctx context.Context, fn func(tx *Tx) error) (err error) {
	if _, err := s.rehearsal.ExecContext(ctx, "SAVEPOINT chuyenhoa_tx"); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	done := false
	defer func() {
		if !done {
			_, _ = s.rehearsal.ExecContext(context.WithoutCancel(ctx), "ROLLBACK TO SAVEPOINT chuyenhoa_tx")
			_, _ = s.rehearsal.ExecContext(context.WithoutCancel(ctx), "RELEASE SAVEPOINT chuyenhoa_tx")
		}
	}()
	if err := fn(&Tx{tx: s.rehearsal, dialect: s.dialect}); err != nil {
		return err
	}
	done = true
	if _, err := s.rehearsal.ExecContext(ctx, "RELEASE SAVEPOINT chuyenhoa_tx"); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}

// textOrder makes ORDER BY on text compare bytes on PostgreSQL as SQLite
// does, whatever the database collation.
func textOrder(dialect, col string) string {
	if dialect == Postgres {
		return col + ` COLLATE "C"`
	}
	return col
}

// dateArg binds a civil date; the zero time binds NULL.
func dateArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(time.DateOnly)
}

// textArg binds an optional text; "" binds NULL.
func textArg(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// instantFormat is how SQLite stores instants: fixed width, so text order is
// time order.
const instantFormat = "2006-01-02T15:04:05.000000Z"

// instantArg binds an instant; the zero time binds NULL.
func instantArg(dialect string, t time.Time) any {
	if t.IsZero() {
		return nil
	}
	if dialect == Postgres {
		return t.UTC()
	}
	return t.UTC().Format(instantFormat)
}

// ErrRunSuperseded is returned by FailRun and FinishRun when the run record
// of the period now belongs to another run (a later attempt took it over).
var ErrRunSuperseded = errors.New("run superseded")
