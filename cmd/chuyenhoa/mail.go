package main

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"text/tabwriter"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/dburl"
	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/labels"
	"chuyenhoa/notify"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// newRunner builds the job runner with the notifier composing mail in each
// job's transaction.
func newRunner(s *store.Store, cfg *config.Config, log *slog.Logger, now func() time.Time) (*jobs.Runner, *notify.Composer) {
	comp := &notify.Composer{Store: s, Config: cfg, Log: log, Now: now}
	return &jobs.Runner{Store: s, Config: cfg, Log: log, Now: now, AfterFindings: comp.Hook}, comp
}

func newSender(s *store.Store, cfg *config.Config, log *slog.Logger, now func() time.Time) (*notify.Sender, error) {
	tr, err := notify.NewTransport(cfg.Mail)
	if err != nil {
		return nil, err
	}
	return &notify.Sender{Store: s, Transport: tr, Log: log, Now: now}, nil
}

func cmdOutbox(ctx context.Context, a *app, args []string) error {
	fs := a.flags("outbox")
	status := fs.String("status", "", "only this `STATUS`: pending, sending, sent or failed")
	limit := fs.Int("limit", 100, "at most this many messages (0 = all)")
	if _, err := a.parse(fs, args); err != nil {
		return err
	}
	cfg, s, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	counts, err := s.OutboxCounts(ctx)
	if err != nil {
		return err
	}
	var statuses []string
	if *status != "" {
		statuses = append(statuses, *status)
	}
	msgs, err := s.Outbox(ctx, *limit, statuses...)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, labels.OutboxCounts(counts[store.OutboxPending], counts[store.OutboxSending], counts[store.OutboxSent], counts[store.OutboxFailed]))
	if len(msgs) == 0 {
		return nil
	}
	loc := cfg.Location()
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	writeRow(tw, labels.OutboxColumns())
	for _, m := range msgs {
		sent := labels.None
		if !m.SentAt.IsZero() {
			sent = labels.DateTime(m.SentAt.In(loc))
		}
		if m.Status == store.OutboxPending && m.Attempts > 0 {
			sent = labels.OutboxRetry(m.NextAttemptAt.In(loc))
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", m.ID, m.Status, labels.DateTime(m.CreatedAt.In(loc)),
			sent, m.Attempts, m.Recipient, m.Subject, m.LastError)
	}
	return tw.Flush()
}

func cmdNotify(ctx context.Context, a *app, args []string) error {
	fs := a.flags("notify")
	dry := fs.Bool("dry-run", false, "render the digests that would be sent, change nothing")
	at := fs.String("at", "", "as on this day (`YYYY-MM-DD`, province time); default today")
	if _, err := a.parse(fs, args); err != nil {
		return err
	}
	cfg, s, day, err := a.openOn(ctx, *at)
	if err != nil {
		return err
	}
	defer s.Close()
	now, err := a.testClock()
	if err != nil {
		return err
	}
	if *at != "" {
		// Compose as at the start of that day's working hours.
		t := time.Date(day.Year(), day.Month(), day.Day(), 7, 0, 0, 0, cfg.Location())
		now = func() time.Time { return t }
	}
	r, comp := newRunner(s, cfg, a.logger(), now)
	r.DryRun = *dry
	if r.BeforeCommit, err = a.faultHook(); err != nil {
		return err
	}
	queued := 0
	comp.Sink = func(m store.OutboxMessage) {
		queued++
		if !*dry {
			return
		}
		fmt.Fprintln(a.stdout, labels.DryRunMail(queued, m.MessageID, m.Sender, m.Recipient, m.Subject, m.Text))
	}
	for _, j := range []finding.Job{finding.JobRelapse, finding.JobDeadlines, finding.JobCycle} {
		if _, err := r.Run(ctx, j, day); err != nil {
			return err
		}
	}
	if *dry {
		fmt.Fprintln(a.stdout, labels.DryRunSummary(queued))
		return nil
	}
	fmt.Fprintln(a.stdout, labels.Composed(queued))
	return a.drain(ctx, s, cfg, now)
}

func cmdSend(ctx context.Context, a *app, args []string) error {
	fs := a.flags("send")
	if _, err := a.parse(fs, args); err != nil {
		return err
	}
	cfg, s, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	now, err := a.testClock()
	if err != nil {
		return err
	}
	return a.drain(ctx, s, cfg, now)
}

func (a *app) drain(ctx context.Context, s *store.Store, cfg *config.Config, now func() time.Time) error {
	snd, err := newSender(s, cfg, a.logger(), now)
	if err != nil {
		return err
	}
	if db, err := dburl.Parse(cfg.Database.URL); err == nil && db.Dialect == dburl.SQLite {
		snd.Exclusive = exclusiveSender(db.Path)
	}
	st, err := snd.Drain(ctx)
	fmt.Fprintln(a.stdout, labels.Drained(snd.Transport.Name(), st.Sent, st.Retried, st.Failed))
	if err != nil {
		return fmt.Errorf("send mail: %w (messages stay queued; see 'chuyenhoa outbox')", err)
	}
	return nil
}

func cmdSendTest(ctx context.Context, a *app, args []string) error {
	fs := a.flags("send-test")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	tr, err := notify.NewTransport(cfg.Mail)
	if err != nil {
		return err
	}
	now := time.Now()
	m := notify.Message{
		ID:      fmt.Sprintf("send-test.%d@chuyenhoa.local", now.UnixNano()),
		From:    cfg.Mail.From,
		To:      []string{pos[0]},
		Subject: labels.TestMailSubject(cfg.Mail.SubjectTag),
		Text:    labels.TestMailText(cfg.Province.Name, now.In(cfg.Location())),
		Date:    now,
	}
	b, err := tr.Open(ctx)
	if err != nil {
		return fmt.Errorf("connect via %s: %w", tr.Name(), err)
	}
	defer b.Close()
	if err := b.Send(ctx, m); err != nil {
		return fmt.Errorf("send test mail via %s: %w", tr.Name(), err)
	}
	fmt.Fprintln(a.stdout, labels.TestMailSent(pos[0], tr.Name(), m.ID))
	return nil
}

// demoRecipients gives every demo district an address but the last, whose
// digest the provincial committee then receives to pass on.
func demoRecipients(cfg *config.Config, b labels.Bodies, districts []rules.District) {
	cfg.Mail.From = b.Province + " Quảng Ngãi <bcd138@congan.quangngai.gov.vn>"
	cfg.Recipients.Province = []string{"bcd138@congan.quangngai.gov.vn"}
	cfg.Recipients.Districts = map[string][]string{}
	codes := make([]string, len(districts))
	for i, d := range districts {
		codes[i] = d.Code
	}
	sort.Strings(codes)
	for i, code := range codes {
		if i == len(codes)-1 {
			break
		}
		cfg.Recipients.Districts[code] = []string{fmt.Sprintf("bcd138.%s@quangngai.gov.vn", lower(code))}
	}
}
