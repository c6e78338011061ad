package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/dburl"
	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/labels"
	"chuyenhoa/links"
	"chuyenhoa/notify"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// newRunner builds the job runner with the notifier's hook moving the
// alerts in each job's transaction; the composer also dispatches the
// digests.
func newRunner(s *store.Store, cfg *config.Config, log *slog.Logger, now func() time.Time) (*jobs.Runner, *notify.Composer) {
	comp := &notify.Composer{Store: s, Config: cfg, Log: log, Now: now,
		Links: links.New(cfg.HTTP.PublicURL, cfg.HTTP.LinkKey, cfg.HTTP.LinkTTL.Duration, now)}
	return &jobs.Runner{Store: s, Config: cfg, Log: log, Now: now, AfterFindings: comp.Hook}, comp
}

func newSender(s *store.Store, cfg *config.Config, log *slog.Logger, now func() time.Time) (*notify.Sender, error) {
	tr, err := notify.NewTransport(cfg.Mail)
	if err != nil {
		return nil, err
	}
	return &notify.Sender{Store: s, Transport: tr, Log: log, Now: now}, nil
}

// mailRound runs jobs for day on s (a store, or a rehearsal's view), then
// with dispatch the dispatcher for the digest time of now; every message
// queued goes to sink. It is notify's round, and run-once --mail's.
func (a *app) mailRound(ctx context.Context, s *store.Store, cfg *config.Config, now func() time.Time, day time.Time, run []finding.Job,
	dispatch bool, sink func(store.OutboxMessage), result func(*jobs.Result)) (notify.Composed, error) {
	r, comp := newRunner(s, cfg, a.logger(), now)
	comp.Sink = sink
	var err error
	if r.BeforeCommit, err = a.faultHook(); err != nil {
		return notify.Composed{}, err
	}
	// One round: the jobs read the data contract once between them, and
	// run side by side, as do the sums of their windows of statistics.
	res, err := r.RunRound(ctx, day, run...)
	for _, x := range res {
		if x != nil && result != nil {
			result(x)
		}
	}
	if err != nil {
		return notify.Composed{}, err
	}
	if !dispatch {
		return notify.Composed{}, nil
	}
	return comp.Dispatch(ctx, notify.SlotsOf(cfg).Latest(comp.Now()))
}

// clockFor is the clock of a run for day: now (the test clock or the real
// one) when day is today; else that day's first digest time, as though the
// run were made then. other reports the second case.
func (a *app) clockFor(cfg *config.Config, day time.Time) (now func() time.Time, today time.Time, other bool, err error) {
	now, err = a.testClock()
	if err != nil {
		return nil, time.Time{}, false, err
	}
	if now == nil {
		now = time.Now
	}
	today = period.Day(now(), cfg.Location())
	if day.Equal(today) {
		return now, today, false, nil
	}
	at := notify.SlotsOf(cfg).First(day)
	return func() time.Time { return at }, today, true, nil
}

func cmdOutbox(ctx context.Context, a *app, args []string) error {
	fs := a.flags("outbox")
	status := fs.String("status", "", "only this `STATUS`: pending, sending, sent, failed or cancelled")
	limit := fs.Int("limit", 100, "at most this many messages (0 = all)")
	cfg, s, err := a.parseOpen(ctx, fs, args)
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
	line := labels.OutboxCounts(counts[store.OutboxPending], counts[store.OutboxSending], counts[store.OutboxSent], counts[store.OutboxFailed])
	if n := counts[store.OutboxCancelled]; n > 0 {
		line += " " + labels.OutboxCancelledCount(n)
	}
	fmt.Fprintln(a.stdout, line)
	if len(msgs) == 0 {
		return nil
	}
	return writeOutbox(a.stdout, cfg, msgs)
}

// writeOutbox lists messages as outbox does.
func writeOutbox(w io.Writer, cfg *config.Config, msgs []store.OutboxMessage) error {
	loc := cfg.Location()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	writeRow(tw, labels.OutboxColumns())
	for _, m := range msgs {
		sent := labels.None
		if !m.SentAt.IsZero() {
			sent = labels.DateTime(m.SentAt.In(loc))
		}
		if m.Status == store.OutboxPending && m.Attempts > 0 {
			sent = labels.OutboxRetry(m.NextAttemptAt.In(loc))
		}
		note := m.LastError
		if m.Status == store.OutboxCancelled {
			note = labels.OutboxCancelledAs(m.CancelledAt.In(loc), m.CancelReason)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", m.ID, m.Status, labels.DateTime(m.CreatedAt.In(loc)),
			sent, m.Attempts, m.Recipient, m.Subject, note)
	}
	return tw.Flush()
}

func cmdOutboxCancel(ctx context.Context, a *app, args []string) error {
	fs := a.flags("outbox cancel")
	committee := fs.String("committee", "", "cancel every message waiting for this `COMMITTEE` instead: a district's code (D01), xa:<commune code>, or tinh for the province")
	reason := fs.String("reason", "", "why they are cancelled, kept with them (`TEXT`; required)")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	var sel store.OutboxSelection
	for _, p := range pos {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id <= 0 {
			return usageError{fmt.Sprintf("%q is not a message ID; give the IDs 'chuyenhoa outbox' lists", p)}
		}
		sel.IDs = append(sel.IDs, id)
	}
	switch {
	case strings.TrimSpace(*reason) == "":
		return usageError{"give --reason: why the mail is cancelled is kept and shown by 'chuyenhoa outbox'"}
	case len(sel.IDs) > 0 && *committee != "":
		return usageError{"give message IDs or --committee, not both"}
	case len(sel.IDs) == 0 && *committee == "":
		return usageError{"give the IDs of the messages to cancel, or --committee"}
	case *committee != "":
		c, err := committeeArg(*committee)
		if err != nil {
			return err
		}
		sel.AllOf, sel.Committee = true, c
	}
	cfg, s, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	got, err := s.CancelOutbox(ctx, sel, *reason, a.now())
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, labels.OutboxCancelled(len(got), *reason))
	if len(got) == 0 {
		return nil
	}
	return writeOutbox(a.stdout, cfg, got)
}

// committeeArg reads a committee as the commands take it: a district's
// code, xa:<commune code>, or tinh for the provincial committee; it
// returns the string form the store keeps.
func committeeArg(v string) (string, error) {
	if v == "tinh" {
		return "", nil
	}
	c := rules.ParseCommittee(v)
	if c.IsProvince() || c.String() != v || strings.ContainsAny(v, " \t") {
		return "", usageError{fmt.Sprintf("committee %q: use a district's code (D01), xa: and a commune's code (xa:X01), or tinh", v)}
	}
	return v, nil
}

func cmdNotify(ctx context.Context, a *app, args []string) error {
	fs := a.flags("notify")
	dry := fs.Bool("dry-run", false, "print the messages the real run would queue, change nothing")
	at := fs.String("at", "", "as on this day (`YYYY-MM-DD`, province time), at its first digest time; default today")
	mail := fs.Bool("mail", false, "with --at another day than today: move the alerts and queue the mail as on that day (without it such a run only prints)")
	if _, err := a.parse(fs, args); err != nil {
		return err
	}
	cfg, s, day, err := a.openOn(ctx, *at)
	if err != nil {
		return err
	}
	defer s.Close()
	now, today, other, err := a.clockFor(cfg, day)
	if err != nil {
		return err
	}
	run := []finding.Job{finding.JobRelapse, finding.JobDeadlines, finding.JobCycle}
	if *dry || (other && !*mail) {
		if other && !*dry {
			fmt.Fprintln(a.stdout, labels.OtherDay(day, today))
		}
		n := 0
		print := func(m store.OutboxMessage) {
			n++
			fmt.Fprintln(a.stdout, labels.DryRunMail(n, m.MessageID, m.Sender, m.Recipient, m.Subject, m.Text))
		}
		err := s.Rehearse(ctx, func(v *store.Store) error {
			_, err := a.mailRound(ctx, v, cfg, now, day, run, true, print, nil)
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, labels.DryRunSummary(n))
		return nil
	}
	if other {
		fmt.Fprintln(a.stdout, labels.OtherDayMail(day, today))
	}
	queued := 0
	out, err := a.mailRound(ctx, s, cfg, now, day, run, true, func(store.OutboxMessage) { queued++ }, nil)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, labels.Composed(queued))
	fmt.Fprintln(a.stdout, labels.DigestRound(notify.SlotsOf(cfg).Latest(now()), out.Messages))
	return a.drain(ctx, s, cfg, now)
}

func cmdSend(ctx context.Context, a *app, args []string) error {
	fs := a.flags("send")
	cfg, s, err := a.parseOpen(ctx, fs, args)
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

// drain sends the outbox and fails when the mail server refused a message
// for good, or deferred every message it was offered: either way someone
// has to look (the messages stay in the outbox, with the server's reply).
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
	switch {
	case err != nil:
		return fmt.Errorf("send mail: %w (messages stay queued; see 'chuyenhoa outbox')", err)
	case st.Failed > 0:
		return fmt.Errorf("send mail: the mail server refused %d message(s) permanently; see 'chuyenhoa outbox --status failed' for its reply", st.Failed)
	case st.Sent == 0 && st.Retried > 0:
		return fmt.Errorf("send mail: nothing could be delivered: the mail server deferred all %d message(s); they stay queued and are retried (see 'chuyenhoa outbox')", st.Retried)
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
	if err := b.Send(ctx, m, nil); err != nil {
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
