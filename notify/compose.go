package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/mail"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"golang.org/x/sync/errgroup"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/labels"
	"chuyenhoa/links"
	"chuyenhoa/names"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// Composer is the notifier. Its Hook runs inside each job's transaction
// and moves the alerts the job manages, so findings and alert states commit
// together or not at all; it also mails at once the alerts of the kinds
// configured so (mail.immediate_kinds). Dispatch (dispatch.go) composes
// each committee's digest from the alerts, on the dispatcher's own clock.
type Composer struct {
	Store  *store.Store
	Config *config.Config
	Log    *slog.Logger
	Now    func() time.Time
	// Sink, when set, sees every message queued (dry runs print them),
	// one at a time even when jobs run side by side (jobs.Runner.RunRound).
	Sink   func(store.OutboxMessage)
	sinkMu sync.Mutex
	// Links makes the status page links of the digests; nil (or one
	// without http.public_url) gives digests without links.
	Links *links.Builder

	schedMu sync.Mutex
	sched   map[string]cron.Schedule // parsed cron specs, by spec
}

// Composed summarises what one Hook or Dispatch call queued.
type Composed struct {
	Digests  int // mails composed: digests, or immediate mails
	Messages int // outbox rows queued (one per recipient)
	// Slot and RunID name Dispatch's digest round: the digest time (as
	// job_runs records it) and the run.
	Slot, RunID string
}

// Hook has the signature of jobs.Hook: it updates the alerts job manages
// from its findings and, for kinds mailed at once, queues their mail.
func (c *Composer) Hook(ctx context.Context, tx *store.Tx, job finding.Job, per string, fs []store.Finding) error {
	kinds := job.Manages()
	if len(kinds) == 0 {
		return nil
	}
	now := c.now()
	stored, err := tx.Alerts(ctx)
	if err != nil {
		return err
	}
	found, closing := current(fs)
	changed := reconcile(now, kinds, found, closing, stored)
	if err := tx.PutAlerts(ctx, changed); err != nil {
		return err
	}
	if !slices.ContainsFunc(kinds, c.Config.Mail.Immediate) {
		return nil
	}
	_, err = c.immediate(ctx, tx, job, per, merge(stored, changed), now)
	return err
}

// concat joins item lists into a new slice.
func concat(lists ...[]Item) []Item {
	var out []Item
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// merge overlays the changed alerts on the stored ones.
func merge(stored, changed []store.Alert) []store.Alert {
	idx := map[alertID]int{}
	out := append([]store.Alert(nil), stored...)
	for i, a := range out {
		idx[alertID{a.Committee, a.Key}] = i
	}
	for _, a := range changed {
		if i, ok := idx[alertID{a.Committee, a.Key}]; ok {
			out[i] = a
		} else {
			out = append(out, a)
		}
	}
	return out
}

func (c *Composer) digest(dir *names.Directory, com string, alerts []store.Alert, now time.Time, repeated bool) (*Digest, error) {
	cm := rules.ParseCommittee(com)
	d := &Digest{
		Tag:           c.Config.Mail.SubjectTag,
		Province:      c.Config.Province.Name,
		Committee:     cm,
		CommitteeName: dir.Committee(cm),
		Date:          now.In(c.Config.Location()),
		Repeat:        repeated,
		TargetPct:     [2]int{c.Config.Targets.TransformedPercent, c.Config.Targets.StablePercent},
		RepeatEvery:   c.Config.Mail.RepeatInterval.Duration,
		Overview:      c.Links.Overview(cm),
	}
	nextCheck := c.nextRun(finding.JobRelapse, now)
	switch cm.Level {
	case rules.LevelDistrict:
		d.Grouped = true
	case rules.LevelProvince:
		d.Grouped = dir.Grouped(period.Day(now, c.Config.Location()))
	}
	for _, a := range alerts {
		if !a.Open && a.ResolvedNotified {
			continue
		}
		it, err := item(dir, a, d.Grouped)
		if err != nil {
			return nil, err
		}
		if a.Open {
			it.Key, it.Silence = a.Key, labels.SilenceCommand(a.Key, committeeArg(cm))
		}
		if it.unit != "" {
			it.Link = c.Links.Commune(cm, it.unit)
		} else {
			it.Link = d.Overview
		}
		switch {
		case a.Open && a.Kind == finding.AlertRelapse:
			dir.Bodies().RelapseAction(&it.Line, nextCheck)
		case a.Open && a.Kind == finding.AlertProjection:
			year := it.year
			if year == 0 {
				year = now.In(c.Config.Location()).Year()
			}
			it.Deadline = labels.Date(c.Config.Calendar().Year(year).To)
		}
		switch {
		case !a.Open && it.Ended:
			d.Ended = append(d.Ended, it)
		case !a.Open:
			d.Resolved = append(d.Resolved, it)
		case a.Kind == finding.AlertDeadline, a.Kind == finding.AlertProposal:
			d.Deadlines = append(d.Deadlines, it)
		case a.Kind == finding.AlertEscalation, a.Kind == finding.AlertProposalEscalation:
			d.Escalations = append(d.Escalations, it)
		case a.Kind == finding.AlertRelapse:
			d.Relapses = append(d.Relapses, it)
		case a.Kind == finding.AlertAtRisk:
			d.AtRisk = append(d.AtRisk, it)
		case a.Kind == finding.AlertProjection:
			d.Projections = append(d.Projections, it)
		}
	}
	if !cm.IsProvince() {
		// A committee reads its own items; naming it on each line is
		// noise.
		for _, list := range [][]Item{d.Deadlines, d.Relapses, d.AtRisk, d.Resolved, d.Ended} {
			for i := range list {
				list[i].Committee = ""
			}
		}
	}
	for _, list := range [][]Item{d.Deadlines, d.Escalations, d.Relapses, d.AtRisk, d.Projections, d.Resolved, d.Ended} {
		sortItems(list)
	}
	return d, nil
}

// targets reads the latest target progress for the provincial digest, from
// the relapse job's last successful run.
func (c *Composer) targets(ctx context.Context) ([]rules.Progress, error) {
	_, fs, err := c.Store.LatestFindings(ctx, finding.JobRelapse)
	if err != nil {
		return nil, fmt.Errorf("load target progress: %w", err)
	}
	var out []rules.Progress
	for _, f := range fs {
		if f.Kind != finding.KindTarget {
			continue
		}
		p, err := finding.Decode[rules.Progress](f.Kind, f.Payload)
		if err != nil {
			return nil, fmt.Errorf("decode target %s: %w", f.Key, err)
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Year < out[j].Year })
	return out, nil
}

// decisions reads the check of each year's recorded selection that
// departs from the plan's rules (issue 16), from the cycle job's last
// successful run, as lines of the provincial digest.
func (c *Composer) decisions(ctx context.Context, dir *names.Directory) ([]Item, error) {
	_, fs, err := c.Store.LatestFindings(ctx, finding.JobCycle)
	if err != nil {
		return nil, fmt.Errorf("load decision checks: %w", err)
	}
	var out []Item
	for _, f := range fs {
		if f.Kind != finding.KindDecision {
			continue
		}
		d, err := finding.Decode[rules.DecisionCheck](f.Kind, f.Payload)
		if err != nil {
			return nil, fmt.Errorf("decode decision check %s: %w", f.Key, err)
		}
		if !d.Departs() {
			continue
		}
		it := Item{Line: dir.Bodies().DecisionLine(d, dir.UnitName), Link: c.Links.Overview(rules.Committee{}), order: fmt.Sprint(d.Year)}
		out = append(out, it)
	}
	sortItems(out)
	return out, nil
}

// nextRun is the first run of job's schedule after now; zero when it has
// none (or it does not parse: config validation reports that).
func (c *Composer) nextRun(job finding.Job, now time.Time) time.Time {
	spec, ok := c.Config.Schedule[job]
	if !ok || strings.TrimSpace(spec) == "" {
		return time.Time{}
	}
	if !strings.HasPrefix(spec, "TZ=") && !strings.HasPrefix(spec, "CRON_TZ=") {
		spec = "CRON_TZ=" + c.Config.Location().String() + " " + spec
	}
	c.schedMu.Lock()
	defer c.schedMu.Unlock()
	sched, ok := c.sched[spec]
	if !ok {
		var err error
		if sched, err = cron.ParseStandard(spec); err != nil {
			return time.Time{}
		}
		if c.sched == nil {
			c.sched = map[string]cron.Schedule{}
		}
		c.sched[spec] = sched
	}
	return sched.Next(now).In(c.Config.Location())
}

// committeeArg is committee as silence add's --committee takes it: the
// province as "tinh".
func committeeArg(cm rules.Committee) string {
	if cm.IsProvince() {
		return "tinh"
	}
	return cm.String()
}

// outgoing gathers the mail one dispatch or hook queues: flush renders
// the digests side by side and puts the messages into the outbox in a few
// statements, not one per message.
type outgoing struct {
	mails []mailOut
}

// mailOut is one composed mail before rendering: the digest, its
// Message-ID, headers and recipients.
type mailOut struct {
	d          *Digest
	id         string
	headers    map[string]string
	rcpts      []string
	text, html string
}

func (c *Composer) flush(ctx context.Context, tx *store.Tx, o *outgoing, now time.Time) error {
	// Rendering is most of composing and each digest is its own: as many
	// at once as there are CPUs.
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range o.mails {
		m := &o.mails[i]
		g.Go(func() (err error) {
			m.text, m.html, err = m.d.Render()
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	var msgs []store.OutboxMessage
	var committees []string
	for _, m := range o.mails {
		com := m.d.Committee.String()
		subject := m.d.Subject()
		for _, r := range m.rcpts {
			om := store.OutboxMessage{MessageID: m.id, Committee: com, Recipient: r, Sender: c.Config.Mail.From,
				Subject: subject, Text: m.text, HTML: m.html, Headers: m.headers, CreatedAt: now}
			msgs = append(msgs, om)
			if c.Sink != nil {
				c.sinkMu.Lock()
				c.Sink(om)
				c.sinkMu.Unlock()
			}
		}
		committees = append(committees, com)
	}
	if err := tx.Enqueue(ctx, msgs...); err != nil {
		return err
	}
	return tx.MarkComposed(ctx, now, committees...)
}

// enqueue queues (in out) d for one message per recipient (plus cc), all
// under Message-ID id, so any duplicate delivery is recognisable as the
// same mail, and returns how many. job and per go into the headers: the
// job that raised an immediate mail, or the digest job and its digest
// time.
func (c *Composer) enqueue(out *outgoing, d *Digest, id string, job finding.Job, per string, to []string) int {
	// The header gives the committee in its string form (as muted lists
	// it), the province as "tinh".
	slug := committeeArg(d.Committee)
	headers := map[string]string{"X-Chuyenhoa-Committee": slug, "X-Chuyenhoa-Job": string(job), "X-Chuyenhoa-Period": per}
	seen := map[string]bool{}
	var rcpts []string
	for _, r := range append(append([]string(nil), to...), c.Config.Recipients.Cc...) {
		if !seen[strings.ToLower(r)] {
			seen[strings.ToLower(r)] = true
			rcpts = append(rcpts, r)
		}
	}
	out.mails = append(out.mails, mailOut{d: d, id: id, headers: headers, rcpts: rcpts})
	c.log().Info("mail queued", "committee", slug, "message_id", id, "recipients", len(rcpts), "reason", d.Reason, "job", job, "period", per)
	return len(rcpts)
}

// messageID derives a Message-ID from its kind (digest, immediate), the
// committee, the moment it stands for (a digest time, or when an immediate
// mail was composed) and the alerts it reports (key and state): the same
// round composed again after a crash gets the same id.
func messageID(kind, from string, committee rules.Committee, at time.Time, alerts []store.Alert) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00", kind, committee, at.UTC().Format(time.RFC3339Nano))
	for _, a := range alerts {
		fmt.Fprintf(h, "%s=%s/%t\x00", a.Key, a.State, a.Open)
	}
	slug := committee.Slug()
	domain := "chuyenhoa.local"
	if addr, err := mail.ParseAddress(from); err == nil {
		if _, dom, ok := strings.Cut(addr.Address, "@"); ok && dom != "" {
			domain = dom
		}
	}
	return fmt.Sprintf("%s.%s.%s.%s@%s", kind, slug, at.UTC().Format("20060102T150405Z"), hex.EncodeToString(h.Sum(nil))[:12], domain)
}

func (c *Composer) directory(ctx context.Context) (*names.Directory, error) {
	d, err := names.Load(ctx, c.Store, c.Config.Bodies, c.Config.Grouped())
	if err != nil {
		return nil, fmt.Errorf("names for mail: %w", err)
	}
	return d, nil
}

func (c *Composer) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Composer) log() *slog.Logger {
	if c.Log != nil {
		return c.Log
	}
	return slog.New(slog.DiscardHandler)
}
