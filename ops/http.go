package ops

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"chuyenhoa/store"
)

// HandlerOptions configure Handler.
type HandlerOptions struct {
	// Ready reports why the service cannot do its work yet (nil: ready).
	// Default: always ready.
	Ready func(ctx context.Context) error
	// Leader, when set, is shown by /readyz ("leader" or "standby"); a
	// standby replica is ready too.
	Leader func() bool
	// Metrics backs /metrics; without it /metrics answers 404.
	Metrics *Metrics
	// ReadyTimeout bounds one readiness check. Default 5s.
	ReadyTimeout time.Duration
	Log          *slog.Logger
}

// Handler serves /healthz (the process answers: 200), /readyz (200 when
// Ready passes, else 503 with the reason) and /metrics.
func Handler(opt HandlerOptions) http.Handler {
	log := opt.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	timeout := opt.ReadyTimeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if opt.Ready != nil {
			ctx, cancel := context.WithTimeout(r.Context(), timeout)
			err := opt.Ready(ctx)
			cancel()
			if err != nil {
				log.Warn("not ready", "err", err)
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprintf(w, "not ready: %v\n", err)
				return
			}
		}
		role := ""
		if opt.Leader != nil {
			role = " (standby)"
			if opt.Leader() {
				role = " (leader)"
			}
		}
		fmt.Fprintf(w, "ok%s\n", role)
	})
	if opt.Metrics != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(opt.Metrics.reg, promhttp.HandlerOpts{
			// One failing store query must not hide the other metrics.
			ErrorHandling: promhttp.ContinueOnError,
			ErrorLog:      slog.NewLogLogger(log.Handler(), slog.LevelWarn),
			Registry:      opt.Metrics.reg,
		}))
	}
	return mux
}

// StoreReady is the readiness check of a store: the database answers and
// its schema is at the latest migration this binary knows.
func StoreReady(s *store.Store) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		if err := s.DB().PingContext(ctx); err != nil {
			return fmt.Errorf("database unreachable: %w", err)
		}
		cur, latest, err := s.MigrationStatus(ctx)
		if err != nil {
			return fmt.Errorf("database schema: %w", err)
		}
		switch {
		case cur < latest:
			return fmt.Errorf("database schema at version %d, this binary needs %d (run 'chuyenhoa migrate')", cur, latest)
		case cur > latest:
			// Another replica was upgraded first and migrated.
			return fmt.Errorf("database schema at version %d is newer than this binary knows (%d): upgrade this binary", cur, latest)
		}
		return nil
	}
}

// Serve serves h on ln until ctx ends, then shuts down, letting requests
// in flight finish for up to five seconds.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("http %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http %s: %w", ln.Addr(), err)
	}
	return nil
}
