package ops_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/notify"
	"chuyenhoa/ops"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

// metricValue finds the sample line "name{labels} value" in an exposition.
func metricValue(body, series string) (string, bool) {
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v, true
		}
	}
	return "", false
}

func TestEndpoints(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)
		// One open deadline alert, one closed relapse alert, one queued mail.
		err := s.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.PutAlert(ctx, store.Alert{Committee: "D01", Key: "deadline/plan/X", Kind: "deadline", State: "overdue", Open: true, OpenedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
			if err := tx.PutAlert(ctx, store.Alert{Committee: "D01", Key: "relapse/Y", Kind: "relapse", State: "relapsed", Open: false, OpenedAt: now, UpdatedAt: now, ResolvedAt: now}); err != nil {
				return err
			}
			if err := tx.Enqueue(ctx, store.OutboxMessage{MessageID: "m1@x", Committee: "D01", Recipient: "a@x.vn", Sender: "b@x.vn",
				Subject: "s", Text: "t", Headers: map[string]string{}, CreatedAt: now}); err != nil {
				return err
			}
			return tx.Enqueue(ctx, store.OutboxMessage{MessageID: "m2@x", Committee: "D02", Recipient: "c@x.vn", Sender: "b@x.vn",
				Subject: "s", Text: "t", Headers: map[string]string{}, CreatedAt: now})
		})
		if err != nil {
			t.Fatal(err)
		}
		// The server refused D02's for good.
		queued, err := s.Outbox(ctx, 0)
		if err != nil || len(queued) != 2 {
			t.Fatalf("outbox = %v, %v", queued, err)
		}
		if err := s.MarkFailed(ctx, queued[1].ID, "550 no such user"); err != nil {
			t.Fatal(err)
		}

		leader := true
		m := ops.NewMetrics(ops.MetricsOptions{Jobs: []finding.Job{finding.JobDeadlines, finding.JobSend}, Stats: s, Leader: func() bool { return leader }, DB: s.DB().DB})
		m.ObserveRun("deadlines", ops.ResultOK, 1500*time.Millisecond, time.Unix(1764032400, 0))
		m.ObserveRun("deadlines", ops.ResultFailed, time.Second, time.Unix(1764032500, 0))
		m.ObserveMail("sent")
		m.ObserveMail("sent")
		m.ObserveMail("retry")
		h := ops.Handler(ops.HandlerOptions{Ready: ops.StoreReady(s), Leader: func() bool { return leader }, Metrics: m})

		if code, body := get(t, h, "/healthz"); code != 200 || body != "ok\n" {
			t.Errorf("/healthz = %d %q", code, body)
		}
		if code, body := get(t, h, "/readyz"); code != 200 || body != "ok (leader)\n" {
			t.Errorf("/readyz = %d %q", code, body)
		}
		leader = false
		code, body := get(t, h, "/metrics")
		if code != 200 {
			t.Fatalf("/metrics = %d\n%s", code, body)
		}
		for series, want := range map[string]string{
			`chuyenhoa_job_runs_total{job="deadlines",result="ok"}`:         "1",
			`chuyenhoa_job_runs_total{job="deadlines",result="failed"}`:     "1",
			`chuyenhoa_job_runs_total{job="send",result="ok"}`:              "0",
			`chuyenhoa_job_duration_seconds_count{job="deadlines"}`:         "2",
			`chuyenhoa_job_duration_seconds_sum{job="deadlines"}`:           "2.5",
			`chuyenhoa_job_last_success_timestamp_seconds{job="deadlines"}`: "1.7640324e+09",
			`chuyenhoa_alerts_open{kind="deadline"}`:                        "1",
			`chuyenhoa_outbox_messages{status="pending"}`:                   "1",
			`chuyenhoa_outbox_messages{status="sent"}`:                      "0",
			`chuyenhoa_outbox_messages{status="failed"}`:                    "1",
			`chuyenhoa_mail_refused_committees`:                             "1",
			`chuyenhoa_mail_total{outcome="sent"}`:                          "2",
			`chuyenhoa_mail_total{outcome="retry"}`:                         "1",
			`chuyenhoa_mail_total{outcome="failed"}`:                        "0",
			`chuyenhoa_smtp_errors_total`:                                   "0",
			`chuyenhoa_leader`:                                              "0",
			`go_goroutines`:                                                 "",
			`process_open_fds`:                                              "",
			`go_sql_open_connections{db_name="chuyenhoa"}`:                  "",
		} {
			got, ok := metricValue(body, series)
			if !ok {
				t.Errorf("/metrics has no %s", series)
				continue
			}
			if want != "" && got != want {
				t.Errorf("%s = %s, want %s", series, got, want)
			}
		}
		// The closed relapse alert is not counted.
		if _, ok := metricValue(body, `chuyenhoa_alerts_open{kind="relapse"}`); ok {
			t.Errorf("closed alert kind exported:\n%s", body)
		}
	})
}

func TestReadyzReportsWhy(t *testing.T) {
	ctx := context.Background()
	// A database this binary has not migrated yet.
	s, err := store.Open(ctx, "sqlite:"+t.TempDir()+"/new.db")
	if err != nil {
		t.Fatal(err)
	}
	h := ops.Handler(ops.HandlerOptions{Ready: ops.StoreReady(s)})
	if code, body := get(t, h, "/readyz"); code != 503 || !strings.Contains(body, "not ready: database schema") {
		t.Errorf("unmigrated /readyz = %d %q", code, body)
	}
	// A database migrated by a newer binary (another replica upgraded first).
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if code, _ := get(t, h, "/readyz"); code != 200 {
		t.Fatalf("migrated /readyz = %d", code)
	}
	if _, err := s.DB().ExecContext(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (999, 1)`); err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, h, "/readyz"); code != 503 || !strings.Contains(body, "version 999 is newer than this binary") {
		t.Errorf("newer schema /readyz = %d %q", code, body)
	}
	// A database that does not answer.
	s.Close()
	if code, body := get(t, h, "/readyz"); code != 503 || !strings.Contains(body, "database unreachable") {
		t.Errorf("closed /readyz = %d %q", code, body)
	}
	// Liveness does not depend on the database.
	if code, _ := get(t, h, "/healthz"); code != 200 {
		t.Errorf("/healthz = %d", code)
	}
	if code, _ := get(t, h, "/metrics"); code != 404 {
		t.Errorf("/metrics without metrics = %d, want 404", code)
	}
}

// A store that fails must not hide the other metrics.
func TestMetricsSurviveStoreErrors(t *testing.T) {
	m := ops.NewMetrics(ops.MetricsOptions{Jobs: []finding.Job{finding.JobDeadlines}, Stats: failingStats{}})
	h := ops.Handler(ops.HandlerOptions{Metrics: m})
	code, body := get(t, h, "/metrics")
	if code != 200 {
		t.Fatalf("/metrics = %d", code)
	}
	if _, ok := metricValue(body, `chuyenhoa_job_runs_total{job="deadlines",result="ok"}`); !ok {
		t.Errorf("job metrics missing when the store fails:\n%s", body)
	}
}

type failingStats struct{}

func (failingStats) OpenAlerts(context.Context) ([]store.Alert, error) {
	return nil, errors.New("db down")
}
func (failingStats) OutboxCounts(context.Context) (map[string]int, error) {
	return nil, errors.New("db down")
}
func (failingStats) MailByCommittee(context.Context) ([]store.CommitteeMail, error) {
	return nil, errors.New("db down")
}

// fakeTransport fails to connect once, then refuses one message.
type fakeTransport struct{ opens int }

func (f *fakeTransport) Name() string { return "fake" }
func (f *fakeTransport) Open(context.Context) (notify.Batch, error) {
	f.opens++
	if f.opens == 1 {
		return nil, errors.New("dial tcp: connection refused")
	}
	return fakeBatch{}, nil
}

type fakeBatch struct{}

func (fakeBatch) Send(_ context.Context, m notify.Message, ready func() error) error {
	if m.ID == "bad" {
		return errors.New("550 mailbox unavailable")
	}
	if ready != nil {
		return ready()
	}
	return nil
}
func (fakeBatch) Close() error { return nil }

func TestCountErrors(t *testing.T) {
	m := ops.NewMetrics(ops.MetricsOptions{})
	tr := m.CountErrors(&fakeTransport{})
	ctx := context.Background()
	if _, err := tr.Open(ctx); err == nil {
		t.Fatal("first open should fail")
	}
	b, err := tr.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Send(ctx, notify.Message{ID: "good"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(ctx, notify.Message{ID: "bad"}, nil); err == nil {
		t.Fatal("bad message should be refused")
	}
	// The store failing to mark the message before is not an SMTP error.
	if err := b.Send(ctx, notify.Message{ID: "after a failed mark"}, func() error { return errors.New("database is locked") }); err == nil {
		t.Fatal("the failed mark should stop the message")
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	_, body := get(t, ops.Handler(ops.HandlerOptions{Metrics: m}), "/metrics")
	// 1 refused connection + 1 refused message.
	if got, _ := metricValue(body, "chuyenhoa_smtp_errors_total"); got != "2" {
		t.Errorf("chuyenhoa_smtp_errors_total = %q, want 2", got)
	}
}

// Serve answers until its context ends, then shuts down cleanly.
func TestServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ops.Serve(ctx, ln, ops.Handler(ops.HandlerOptions{}), nil) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "ok\n" {
		t.Errorf("/healthz = %d %q", resp.StatusCode, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
}
