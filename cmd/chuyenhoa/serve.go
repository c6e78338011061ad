package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/robfig/cron/v3"

	"chuyenhoa/config"
	"chuyenhoa/dburl"
	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/labels"
	"chuyenhoa/leader"
	"chuyenhoa/links"
	"chuyenhoa/notify"
	"chuyenhoa/ops"
	"chuyenhoa/status"
	"chuyenhoa/store"
)

// cmdServe runs the daemon: the jobs on their schedule, the mail sender,
// and the health, readiness and metrics endpoints. SIGTERM or SIGINT (ctx)
// stops it: no new run starts, a running one may finish within
// --stop-timeout, then it exits 0. SIGHUP reloads the configuration (see
// reload).
func cmdServe(ctx context.Context, a *app, args []string) error {
	fs := a.flags("serve")
	stopTimeout := fs.Duration("stop-timeout", 60*time.Second, "on SIGTERM/SIGINT, and on SIGHUP before the new configuration applies, how long a running job may finish before it is cancelled")
	logFormat := fs.String("log-format", "auto", "log `FORMAT`: json, text, or auto (json unless stderr is a terminal)")
	logLevel := fs.String("log-level", "info", "log `LEVEL`: debug, info, warn or error")
	createDB := fs.Bool("create-db", false, "create the SQLite database if its file does not exist (first start only); without it a missing file stops the start")
	if _, err := a.parse(fs, args); err != nil {
		return err
	}
	if *stopTimeout <= 0 {
		return usageError{fmt.Sprintf("--stop-timeout %s: give a positive duration such as 60s", *stopTimeout)}
	}
	log, err := serviceLogger(a.stderr, *logFormat, *logLevel)
	if err != nil {
		return err
	}
	// Caught from here on: SIGHUP's default would kill the daemon.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}

	db, err := dburl.Parse(cfg.Database.URL)
	if err != nil {
		return fmt.Errorf("database.url: %w", err) // Validate has refused it already
	}
	dbFile := "" // the SQLite file, for the lock, the sender's lock and /readyz
	if db.Dialect == dburl.SQLite {
		dbFile = db.Path
		// SQLite has no leader election: one process per database file.
		lock, err := leader.LockDatabase(dbFile)
		if err != nil {
			return fmt.Errorf("database %s: %w; SQLite mode runs one chuyenhoa process per database file: stop the other process, or use PostgreSQL to run several replicas", dbFile, err)
		}
		defer lock.Release()
	}
	// Bind before anything else starts, so a taken port fails the start.
	ln, err := net.Listen("tcp", cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("http.listen %q: %w", cfg.HTTP.Listen, err)
	}
	defer ln.Close()

	s, err := a.openStore(ctx, cfg, *createDB)
	if err != nil {
		return err
	}
	defer s.Close()
	ready, err := ops.NewReadiness(s, dbFile)
	if err != nil {
		return err
	}

	var (
		elector  gocronElector
		isLeader func() bool
	)
	if s.Dialect() == store.Postgres {
		e, err := leader.NewPGElector(ctx, s, log)
		if err != nil {
			return err
		}
		// Hand leadership over at once when we stop.
		defer func() {
			if err := e.Close(); err != nil {
				log.Warn("release leadership", "err", err)
			}
		}()
		elector, isLeader = e, e.Leader
	}

	metrics := ops.NewMetrics(ops.MetricsOptions{Jobs: finding.Jobs(), Stats: s, Leader: isLeader, DB: s.DB().DB, Log: log,
		AlertKinds: finding.AlertKinds()})
	seedLastSuccess(ctx, s, metrics, log)

	d := &daemon{store: s, log: log, metrics: metrics, ready: ready, dbFile: dbFile, elector: elector, stopTimeout: *stopTimeout}
	if err := d.apply(cfg); err != nil {
		return err
	}

	httpCtx, stopHTTP := context.WithCancel(context.Background())
	defer stopHTTP()
	httpErr := make(chan error, 1)
	go func() {
		probes := ops.Handler(ops.HandlerOptions{Ready: ready.Check, Leader: isLeader, Metrics: metrics, Log: log})
		mux := http.NewServeMux()
		for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
			mux.Handle(p, probes)
		}
		mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*d.page.Load()).ServeHTTP(w, r) }))
		httpErr <- ops.Serve(httpCtx, ln, mux, log)
	}()
	mode := "single process (SQLite)"
	if elector != nil {
		mode = "replica (PostgreSQL leader election)"
	}
	log.Info("chuyenhoa serving", "http", ln.Addr().String(), "database", db,
		"timezone", cfg.Timezone, "mode", mode, "mail", d.transport, "gogc", a.gogc, "gogc_from", a.gogcFrom)
	d.sched.Start()

	var runErr error
loop:
	for {
		select {
		case <-ctx.Done():
			log.Info("stop requested; finishing running jobs", "stop_timeout", stopTimeout.String())
			break loop
		case runErr = <-httpErr:
			log.Error("http server failed; stopping", "err", runErr)
			break loop
		case <-hup:
			cfg = d.reload(a, cfg)
		}
	}
	if err := d.sched.Stop(); err != nil {
		// The cancelled runs are recorded as failed and caught up at the
		// next start; the stop itself was asked for, so it is not an error.
		log.Error("stop", "err", err)
	}
	stopHTTP()
	if runErr == nil {
		if err := <-httpErr; err != nil {
			log.Warn("http shutdown", "err", err)
		}
	}
	log.Info("chuyenhoa stopped")
	return runErr
}

// daemon holds what serve builds from a configuration, the part a SIGHUP
// replaces, and what it keeps across reloads.
type daemon struct {
	store       *store.Store
	log         *slog.Logger
	metrics     *ops.Metrics
	ready       *ops.Readiness
	dbFile      string
	elector     gocronElector
	stopTimeout time.Duration

	sched     *jobs.Scheduler
	page      atomic.Pointer[http.Handler]
	transport string
}

// apply builds the scheduler, the sender and the status page for cfg and
// makes them current; the scheduler is not started.
func (d *daemon) apply(cfg *config.Config) error {
	transport, err := notify.NewTransport(cfg.Mail)
	if err != nil {
		return err
	}
	sender := &notify.Sender{Store: d.store, Transport: d.metrics.CountErrors(transport), Log: d.log, Observe: d.metrics.ObserveMail,
		Exclusive: exclusiveSender(d.dbFile)}
	composer := &notify.Composer{Store: d.store, Config: cfg, Log: d.log,
		Links: links.New(cfg.HTTP.PublicURL, cfg.HTTP.LinkKey, cfg.HTTP.LinkTTL.Duration, nil)}
	runner := &jobs.Runner{Store: d.store, Config: cfg, Log: d.log, AfterFindings: composer.Hook}
	opts := jobs.SchedulerOptions{StopTimeout: d.stopTimeout, Log: d.log, Observe: d.observe, Dispatcher: composer}
	if d.elector != nil {
		opts.Elector = d.elector
	}
	sched, err := jobs.NewScheduler(runner, sender, opts)
	if err != nil {
		return err
	}
	var page http.Handler = (&status.Server{Store: d.store, Config: cfg, Log: d.log, User: cfg.HTTP.User, Password: cfg.HTTP.Password,
		LinkKey: cfg.HTTP.LinkKey, Observe: d.metrics}).Handler()
	d.sched, d.transport = sched, transport.Name()
	d.page.Store(&page)
	return nil
}

// reload is SIGHUP: the configuration is read and checked again, as at
// the start. A bad one is logged with every problem and the running one
// kept (as Prometheus and Alertmanager do). A good one replaces the
// schedule, the rules, the recipients, the mail settings (a
// mail.smtp.password_file is read again) and the status page, once the
// running job has finished (up to --stop-timeout); then the catch-up runs
// what the new schedule finds due. The database and the listening address
// stay as they are until a restart. It returns the configuration now in
// force.
func (d *daemon) reload(a *app, cur *config.Config) *config.Config {
	d.log.Info("SIGHUP: reloading the configuration")
	cfg, err := a.loadConfig()
	if err != nil {
		d.log.Error("configuration not reloaded; the running one stays in force", "err", err)
		return cur
	}
	if cfg.Database.URL != cur.Database.URL {
		d.log.Warn("database.url changed; it applies at the next restart, the running database stays in use")
		cfg.Database.URL = cur.Database.URL
	}
	if cfg.HTTP.Listen != cur.HTTP.Listen {
		d.log.Warn("http.listen changed; it applies at the next restart", "listen", cur.HTTP.Listen)
		cfg.HTTP.Listen = cur.HTTP.Listen
	}
	old := d.sched
	if err := old.Stop(); err != nil {
		d.log.Error("reload: stopping the running jobs", "err", err)
	}
	if err := d.apply(cfg); err != nil {
		d.log.Error("configuration not reloaded; the running one stays in force", "err", err)
		if err := d.apply(cur); err != nil { // it worked at the start
			d.log.Error("reload: cannot restore the running configuration", "err", err)
		}
		d.sched.Start()
		return cur
	}
	d.sched.Start()
	d.log.Info("configuration reloaded", "timezone", cfg.Timezone, "mail", d.transport)
	return cfg
}

// observe turns scheduler events into metrics and tells the readiness
// check how the recompute jobs' writes went (the send job's failures are
// the mail server's or the mail directory's, not the database's).
func (d *daemon) observe(e jobs.Event) {
	switch e.Result {
	case jobs.ResultOK:
		d.metrics.ObserveRun(e.Job, ops.ResultOK, e.Duration, time.Now())
		if e.Job.Recomputes() {
			d.ready.RecordRun(nil)
		}
	case jobs.ResultFailed:
		d.metrics.ObserveRun(e.Job, ops.ResultFailed, e.Duration, time.Now())
		if e.Job.Recomputes() {
			d.ready.RecordRun(e.Err)
		}
	}
}

// exclusiveSender is the lock that makes a SQLite sender the only one
// draining the outbox (see notify.Sender.Exclusive): an flock on
// "<database file>.send.lock", waited for while another process sends.
// For PostgreSQL (file "") it is nil: replicas drain side by side.
func exclusiveSender(file string) func(context.Context) (func(), error) {
	if file == "" {
		return nil
	}
	return func(ctx context.Context) (func(), error) {
		l, err := leader.WaitLockDatabase(ctx, file, "send")
		if err != nil {
			return nil, err
		}
		return func() { _ = l.Release() }, nil
	}
}

// gocronElector is the elector the scheduler accepts (kept as an interface
// so that "no elector" stays a nil interface, not a typed nil).
type gocronElector interface {
	IsLeader(context.Context) error
}

// seedLastSuccess sets chuyenhoa_job_last_success_timestamp_seconds from
// job_runs, so a restart does not look like "never succeeded".
func seedLastSuccess(ctx context.Context, s *store.Store, m *ops.Metrics, log *slog.Logger) {
	for _, j := range append(finding.RecomputeJobs(), finding.JobDigest) {
		runs, err := s.Runs(ctx, j, 100)
		if err != nil {
			log.Warn("read job runs for metrics", "job", j, "err", err)
			continue
		}
		for _, r := range runs {
			if r.Status == store.RunOK {
				m.SetLastSuccess(j, r.FinishedAt)
				break
			}
		}
	}
}

// serviceLogger logs JSON for a service manager or container and text on a
// terminal.
func serviceLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError{fmt.Sprintf("--log-level %q: use debug, info, warn or error", level)}
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "auto":
		if isTerminal(w) {
			format = "text"
		} else {
			format = "json"
		}
	case "json", "text":
	default:
		return nil, usageError{fmt.Sprintf("--log-format %q: use json, text or auto", format)}
	}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// cmdSchedule prints the next runs of every scheduled job in the
// province's time zone, so an operator can check a cron spec before
// deploying it.
func cmdSchedule(_ context.Context, a *app, args []string) error {
	fs := a.flags("schedule")
	count := fs.Int("count", 5, "how many upcoming runs to list per job")
	from := fs.String("from", "", "list runs after this `TIME` (YYYY-MM-DD HH:MM in the province's time zone); default now")
	if _, err := a.parse(fs, args); err != nil {
		return err
	}
	if *count < 1 || *count > 1000 {
		return usageError{fmt.Sprintf("--count %d: give a number from 1 to 1000", *count)}
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	loc := cfg.Location()
	start := time.Now()
	if *from != "" {
		start, err = time.ParseInLocation("2006-01-02 15:04", *from, loc)
		if err != nil {
			return usageError{fmt.Sprintf("--from %q: use YYYY-MM-DD HH:MM, e.g. \"2026-12-01 00:00\"", *from)}
		}
	}
	fmt.Fprintln(a.stdout, labels.ScheduleIntro(*count, start, loc))
	for _, j := range finding.Jobs() {
		spec, ok := cfg.Schedule[j]
		var sched cron.Schedule
		switch {
		case j == finding.JobDigest:
			// Not a cron spec of its own: the digest times.
			spec = "mail.digest_times: " + strings.Join(cfg.Mail.DigestTimes, ", ")
			if sched, err = jobs.DigestSchedule(cfg); err != nil {
				return err
			}
		case !ok:
			continue
		default:
			if sched, err = jobs.ParseSpec(spec, loc); err != nil {
				return fmt.Errorf("schedule.%s: %w", j, err)
			}
		}
		title := string(j)
		if t, ok := labels.JobTitle(j); ok {
			title += " (" + t + ")"
		}
		fmt.Fprintf(a.stdout, "\n%s — %q\n", title, spec)
		tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
		runs := jobs.NextRuns(sched, start, *count)
		for _, t := range runs {
			t = t.In(loc)
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", labels.Weekday(t.Weekday()), labels.DateTime(t), t.Format("-07:00"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if len(runs) == 0 {
			fmt.Fprintln(a.stdout, "  "+labels.ScheduleNone)
		}
	}
	return nil
}
