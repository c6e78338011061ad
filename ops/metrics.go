// Package ops is the service's operations surface: health and readiness
// probes and Prometheus metrics over HTTP. The registry is private to each
// Metrics value, so tests and several servers in one process never share
// counters.
package ops

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"chuyenhoa/finding"
	"chuyenhoa/store"
)

// Mail outcomes, as Sender.Observe reports them.
var mailOutcomes = []string{"sent", "retry", "failed"}

// Outbox statuses always exported, so a status with no messages reads 0
// instead of vanishing.
var outboxStatuses = []string{store.OutboxPending, store.OutboxSending, store.OutboxSent, store.OutboxFailed, store.OutboxCancelled}

// Run results exported in chuyenhoa_job_runs_total.
const (
	ResultOK     = "ok"
	ResultFailed = "failed"
)

// StoreStats is what the scrape-time collector reads; *store.Store is one.
type StoreStats interface {
	OpenAlerts(ctx context.Context) ([]store.Alert, error)
	OutboxCounts(ctx context.Context) (map[string]int, error)
	MailByCommittee(ctx context.Context) ([]store.CommitteeMail, error)
}

// MetricsOptions configure NewMetrics.
type MetricsOptions struct {
	// Jobs are pre-registered with zero counts so their series exist from
	// the start.
	Jobs []finding.Job
	// Stats, when set, backs chuyenhoa_alerts_open and
	// chuyenhoa_outbox_messages, read at scrape time.
	Stats StoreStats
	// AlertKinds are exported as chuyenhoa_alerts_open 0 while none is
	// open, so the series exist before the first alert.
	AlertKinds []finding.AlertKind
	// Leader, when set, backs chuyenhoa_leader (1 leader, 0 standby).
	Leader func() bool
	// DB, when set, adds the connection pool's go_sql_* metrics.
	DB *sql.DB
	// ScrapeTimeout bounds the store queries of one scrape. Default 5s.
	ScrapeTimeout time.Duration
	Log           *slog.Logger
}

// Metrics holds the service's collectors in a private registry.
type Metrics struct {
	reg         *prometheus.Registry
	runs        *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	lastSuccess *prometheus.GaugeVec
	mail        *prometheus.CounterVec
	smtpErrors  prometheus.Counter
	logins      prometheus.Counter
	links       *prometheus.CounterVec
	pages       *prometheus.HistogramVec
	log         *slog.Logger
}

// NewMetrics builds the registry: job, mail and store metrics plus the Go
// runtime and process collectors.
func NewMetrics(opt MetricsOptions) *Metrics {
	log := opt.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chuyenhoa_job_runs_total",
			Help: "Job runs by job and result (ok, failed).",
		}, []string{"job", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "chuyenhoa_job_duration_seconds",
			Help:    "Wall time of job runs.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 15), // 50 ms .. ~14 min
		}, []string{"job"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "chuyenhoa_job_last_success_timestamp_seconds",
			Help: "Unix time the job last finished successfully.",
		}, []string{"job"}),
		mail: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chuyenhoa_mail_total",
			Help: "Outbox messages handled, by outcome: sent, retry (temporary failure), failed (permanent).",
		}, []string{"outcome"}),
		smtpErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chuyenhoa_smtp_errors_total",
			Help: "Errors returned by the mail transport: connect, TLS or login failures, refused messages, failed QUIT.",
		}),
		logins: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chuyenhoa_http_login_failures_total",
			Help: "Status page logins refused for a wrong user or password (each answered after a growing delay).",
		}),
		links: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chuyenhoa_http_link_refusals_total",
			Help: "Committee links refused by the status page, by reason: expired, invalid.",
		}, []string{"reason"}),
		pages: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "chuyenhoa_http_page_seconds",
			Help:    "Time to answer a status page request, by page (overview, committee, commune, table, csv).",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 12), // 5 ms .. ~10 s
		}, []string{"page"}),
		log: log,
	}
	for _, r := range []string{"expired", "invalid"} {
		m.links.WithLabelValues(r)
	}
	for _, j := range opt.Jobs {
		m.runs.WithLabelValues(string(j), ResultOK)
		m.runs.WithLabelValues(string(j), ResultFailed)
		m.duration.WithLabelValues(string(j))
	}
	for _, o := range mailOutcomes {
		m.mail.WithLabelValues(o)
	}
	m.reg.MustRegister(m.runs, m.duration, m.lastSuccess, m.mail, m.smtpErrors, m.logins, m.links, m.pages,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if opt.Stats != nil {
		timeout := opt.ScrapeTimeout
		if timeout <= 0 {
			timeout = 5 * time.Second
		}
		kinds := map[finding.AlertKind]bool{}
		for _, k := range opt.AlertKinds {
			kinds[k] = true
		}
		m.reg.MustRegister(&storeCollector{stats: opt.Stats, timeout: timeout, log: log, kinds: kinds,
			alerts: prometheus.NewDesc("chuyenhoa_alerts_open", "Open alerts by kind (read from the store at scrape time).", []string{"kind"}, nil),
			outbox: prometheus.NewDesc("chuyenhoa_outbox_messages", "Outbox messages by status (read from the store at scrape time).", []string{"status"}, nil),
			refused: prometheus.NewDesc("chuyenhoa_mail_refused_committees",
				"Committees whose mail the server refused for good after the last message it accepted from them (read from the store at scrape time); the status page names them.", nil, nil),
		})
	}
	if opt.DB != nil {
		m.reg.MustRegister(collectors.NewDBStatsCollector(opt.DB, "chuyenhoa"))
	}
	if opt.Leader != nil {
		leader := opt.Leader
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "chuyenhoa_leader",
			Help: "1 when this replica is the leader that runs the jobs, 0 on a standby.",
		}, func() float64 {
			if leader() {
				return 1
			}
			return 0
		}))
	}
	return m
}

// Registry is the private registry (for tests and extra collectors).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// ObserveRun records a finished run of job: result "ok" or "failed", its
// wall time, and for ok the time it finished.
func (m *Metrics) ObserveRun(job finding.Job, result string, took time.Duration, finished time.Time) {
	m.runs.WithLabelValues(string(job), result).Inc()
	m.duration.WithLabelValues(string(job)).Observe(took.Seconds())
	if result == ResultOK {
		m.SetLastSuccess(job, finished)
	}
}

// SetLastSuccess sets job's last success time (at start, from job_runs).
func (m *Metrics) SetLastSuccess(job finding.Job, t time.Time) {
	m.lastSuccess.WithLabelValues(string(job)).Set(float64(t.UnixMilli()) / 1000)
}

// ObserveMail counts one message outcome: "sent", "retry" or "failed". It
// has the signature of notify.Sender.Observe.
func (m *Metrics) ObserveMail(outcome string) { m.mail.WithLabelValues(outcome).Inc() }

// ObserveSMTPError counts one error of the mail transport (see CountErrors).
func (m *Metrics) ObserveSMTPError() { m.smtpErrors.Inc() }

// LoginFailed counts one refused status page login.
func (m *Metrics) LoginFailed() { m.logins.Inc() }

// LinkRefused counts one refused committee link: reason "expired" or
// "invalid".
func (m *Metrics) LinkRefused(reason string) { m.links.WithLabelValues(reason).Inc() }

// ObservePage records how long a status page request took.
func (m *Metrics) ObservePage(page string, took time.Duration) {
	m.pages.WithLabelValues(page).Observe(took.Seconds())
}

// storeCollector reads open alerts and outbox counts at scrape time, so
// the numbers are the database's, whichever replica composed or sent.
type storeCollector struct {
	stats          StoreStats
	timeout        time.Duration
	log            *slog.Logger
	alerts, outbox *prometheus.Desc
	refused        *prometheus.Desc
	mu             sync.Mutex
	// kinds seen before keep reporting 0 once their alerts close.
	kinds map[finding.AlertKind]bool
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.alerts
	ch <- c.outbox
	ch <- c.refused
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	if open, err := c.stats.OpenAlerts(ctx); err != nil {
		c.log.Warn("metrics: read open alerts", "err", err)
		ch <- prometheus.NewInvalidMetric(c.alerts, err)
	} else {
		n := map[finding.AlertKind]int{}
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, a := range open {
			n[a.Kind]++
			c.kinds[a.Kind] = true
		}
		for k := range c.kinds {
			ch <- prometheus.MustNewConstMetric(c.alerts, prometheus.GaugeValue, float64(n[k]), string(k))
		}
	}
	if counts, err := c.stats.OutboxCounts(ctx); err != nil {
		c.log.Warn("metrics: count outbox", "err", err)
		ch <- prometheus.NewInvalidMetric(c.outbox, err)
	} else {
		for _, st := range outboxStatuses {
			ch <- prometheus.MustNewConstMetric(c.outbox, prometheus.GaugeValue, float64(counts[st]), st)
		}
	}
	if ms, err := c.stats.MailByCommittee(ctx); err != nil {
		c.log.Warn("metrics: read mail by committee", "err", err)
		ch <- prometheus.NewInvalidMetric(c.refused, err)
	} else {
		n := 0
		for _, m := range ms {
			if m.Refused > 0 {
				n++
			}
		}
		ch <- prometheus.MustNewConstMetric(c.refused, prometheus.GaugeValue, float64(n))
	}
}
