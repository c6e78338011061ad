package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/csvimport"
	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/labels"
	"chuyenhoa/names"
	"chuyenhoa/ops"
	"chuyenhoa/period"
	"chuyenhoa/store"
)

func (a *app) loadConfig() (*config.Config, error) {
	cfg, err := config.Load(a.configPath, a.getenv)
	if err != nil {
		where := "defaults and environment"
		if a.configPath != "" {
			where = a.configPath
		}
		return nil, fmt.Errorf("configuration (%s) is invalid:\n%w", where, err)
	}
	a.gogc, a.gogcFrom = ops.TuneGC(cfg.Runtime.GOGC, a.getenv)
	return cfg, nil
}

// openStore opens and migrates the configured database: every command that
// touches data runs on the current schema. Only with create may it make a
// new SQLite database (migrate, demo, serve --create-db): a database that
// went missing must not come back empty, for the jobs would read it as a
// province without data and report nothing due.
func (a *app) openStore(ctx context.Context, cfg *config.Config, create bool) (*store.Store, error) {
	// A server that does not answer must not hang the start: this bounds
	// the dial, store.Open's connect_timeout the handshake.
	octx, cancel := context.WithTimeout(ctx, 30*time.Second)
	open := store.OpenExisting
	if create {
		open = store.Create
	}
	s, err := open(octx, cfg.Database.URL)
	cancel()
	if errors.Is(err, store.ErrNoDatabase) {
		return nil, fmt.Errorf("database.url: %w\n"+
			"Create a new database with 'chuyenhoa migrate' (or start with 'chuyenhoa serve --create-db'). If it existed "+
			"before, it was deleted or moved: restore it from the backup or point database.url at it; a new, empty "+
			"database would show a province without data", err)
	}
	if err != nil {
		return nil, fmt.Errorf("database.url: cannot open the database: %w\n"+
			"Check that the database server is running and reachable from this machine, and that database.url "+
			"(or CHUYENHOA_DATABASE_URL) names the right host, port, user and database", err)
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("migrate database: %w", err)
	}
	return s, nil
}

// open loads the configuration and opens its migrated database, which
// must exist: what every command that touches data starts with.
func (a *app) open(ctx context.Context) (*config.Config, *store.Store, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	s, err := a.openStore(ctx, cfg, false)
	if err != nil {
		return nil, nil, err
	}
	return cfg, s, nil
}

// parseOpen parses a command's flags (it takes no arguments) and opens
// the configuration and the store.
func (a *app) parseOpen(ctx context.Context, fs *flag.FlagSet, args []string) (*config.Config, *store.Store, error) {
	if _, err := a.parse(fs, args); err != nil {
		return nil, nil, err
	}
	return a.open(ctx)
}

// openOn is open for a command with an --at flag: it also reads the day
// at names (today by default) in the province, before it opens anything,
// so that a bad --at is a usage error whatever the database's state.
func (a *app) openOn(ctx context.Context, at string) (*config.Config, *store.Store, time.Time, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	day, err := parseDay(at, cfg)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	s, err := a.openStore(ctx, cfg, false)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	return cfg, s, day, nil
}

func (a *app) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// parseDay reads a --at value as a day in the province, today by default.
func parseDay(v string, cfg *config.Config) (time.Time, error) {
	if v == "" {
		return period.Day(time.Now(), cfg.Location()), nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, usageError{fmt.Sprintf("--at %q: use a date as YYYY-MM-DD", v)}
	}
	return t, nil
}

func cmdCheckConfig(_ context.Context, a *app, args []string) error {
	fs := a.flags("check-config")
	if _, err := a.parse(fs, args); err != nil {
		return err
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, labels.ConfigValid(cfg.Province.Name, cfg.Timezone, store.Redact(cfg.Database.URL), len(cfg.Obligations)))
	return nil
}

func cmdMigrate(ctx context.Context, a *app, args []string) error {
	fs := a.flags("migrate")
	if _, err := a.parse(fs, args); err != nil {
		return err
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	// migrate is how a new database is made.
	s, err := a.openStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer s.Close()
	cur, latest, err := s.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, labels.MigrationStatus(cur, latest))
	return nil
}

func cmdRunOnce(ctx context.Context, a *app, args []string) error {
	fs := a.flags("run-once")
	at := fs.String("at", "", "run as on this day (`YYYY-MM-DD`, province time); default today")
	mail := fs.Bool("mail", false, "also run the dispatcher and queue the digests due; with --at another day, move the alerts and queue mail as on that day (without it such a run only computes and prints)")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	run := []finding.Job{finding.Job(pos[0])}
	if pos[0] == "all" {
		run = finding.RecomputeJobs()
	} else if !run[0].Recomputes() {
		return usageError{fmt.Sprintf("unknown job %q; use %s or all", pos[0], strings.Join(finding.Strings(finding.RecomputeJobs()), ", "))}
	}
	cfg, s, day, err := a.openOn(ctx, *at)
	if err != nil {
		return err
	}
	defer s.Close()
	dir, err := names.Load(ctx, s, cfg.Bodies, cfg.Grouped())
	if err != nil {
		return err
	}
	p := newPrinter(a.stdout, cfg, dir)
	now, today, other, err := a.clockFor(cfg, day)
	if err != nil {
		return err
	}
	if other && !*mail {
		// Another day's findings are stored as that period's, but the
		// alerts stand for today: they are not moved, and nothing is
		// mailed.
		r := &jobs.Runner{Store: s, Config: cfg, Log: a.logger(), Now: now}
		if r.BeforeCommit, err = a.faultHook(); err != nil {
			return err
		}
		res, err := r.RunRound(ctx, day, run...)
		for _, x := range res {
			if x != nil {
				p.result(x)
			}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "\n%s\n", labels.OtherDay(day, today))
		return nil
	}
	if other {
		fmt.Fprintln(a.stdout, labels.OtherDayMail(day, today))
	}
	queued := 0
	if _, err := a.mailRound(ctx, s, cfg, now, day, run, *mail, func(store.OutboxMessage) { queued++ }, p.result); err != nil {
		return err
	}
	if queued > 0 {
		fmt.Fprintf(a.stdout, "\n%s\n", labels.Queued(queued))
	}
	return nil
}

func cmdImport(ctx context.Context, a *app, args []string) error {
	fs := a.flags("import")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	cfg, s, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	n, err := csvimport.ImportFile(ctx, s, pos[0], pos[1], csvimport.Options{
		Today: period.Day(time.Now(), cfg.Location()), Loc: cfg.Location(),
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, labels.Imported(n, pos[0], pos[1]))
	return nil
}
