package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/mail"
	"sort"
	"strings"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/names"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// Composer keeps the alert life cycle and writes digests to the outbox. Its
// Hook runs inside a job's transaction, so the findings, the alert states
// and the mail they cause commit together or not at all.
type Composer struct {
	Store  *store.Store
	Config *config.Config
	Log    *slog.Logger
	Now    func() time.Time
	// Sink, when set, sees every message queued (dry runs print them).
	Sink func(store.OutboxMessage)
}

// Composed summarises what one Hook call queued.
type Composed struct {
	Digests  int
	Messages int
}

// Hook has the signature of jobs.Hook.
func (c *Composer) Hook(ctx context.Context, tx *store.Tx, job finding.Job, per string, fs []store.Finding) error {
	_, err := c.Compose(ctx, tx, job, per, fs)
	return err
}

// Compose updates the alerts a job manages from its findings and queues a
// digest for every committee that has news (or open items past the repeat
// interval).
func (c *Composer) Compose(ctx context.Context, tx *store.Tx, job finding.Job, per string, fs []store.Finding) (Composed, error) {
	kinds := job.Manages()
	if len(kinds) == 0 {
		return Composed{}, nil
	}
	now := c.now()
	stored, err := tx.Alerts(ctx)
	if err != nil {
		return Composed{}, err
	}
	found, closing := current(fs)
	changed := reconcile(now, kinds, found, closing, stored)
	for _, a := range changed {
		if err := tx.PutAlert(ctx, a); err != nil {
			return Composed{}, err
		}
	}
	all := merge(stored, changed)

	groups, err := tx.Groups(ctx)
	if err != nil {
		return Composed{}, err
	}
	pending, err := tx.PendingCommittees(ctx)
	if err != nil {
		return Composed{}, err
	}
	dir, err := c.directory(ctx)
	if err != nil {
		return Composed{}, err
	}
	byCommittee := map[string][]store.Alert{}
	for _, a := range all {
		byCommittee[a.Committee] = append(byCommittee[a.Committee], a)
	}
	committees := make([]string, 0, len(byCommittee))
	for k := range byCommittee {
		committees = append(committees, k)
	}
	sort.Strings(committees)

	rc := c.Config.Recipients
	muted := map[string]bool{}
	for _, m := range rc.Muted {
		muted[m] = true
	}
	repeat := c.Config.Mail.RepeatInterval.Duration
	var (
		out       Composed
		forwarded []Forward
		province  *Digest
		touched   []store.Alert // alerts put in a digest: mark notified
	)
	for _, com := range committees {
		alerts := byCommittee[com]
		send, repeated := due(now, repeat, alerts, groups[com], pending[com])
		if !send {
			continue
		}
		d, err := c.digest(dir, com, alerts, now, repeated)
		if err != nil {
			return out, err
		}
		touched = append(touched, alerts...)
		switch {
		case com != "" && muted[com]:
			c.log().Info("digest muted", "committee", com, "job", job, "period", per)
			continue
		case com != "" && len(rc.Addresses(d.Committee)) == 0:
			// Nobody to tell at the district or the commune: the province
			// passes it on.
			c.log().Warn("committee has findings but no mail address; forwarding to the provincial committee", "committee", com)
			forwarded = append(forwarded, Forward{Committee: d.CommitteeName, Items: concat(d.Deadlines, d.Relapses, d.AtRisk, d.Resolved)})
			if err := tx.MarkComposed(ctx, com, now); err != nil {
				return out, err
			}
			continue
		case com == "":
			province = d
			continue
		}
		n, err := c.enqueue(ctx, tx, d, job, per, alerts, rc.Addresses(d.Committee))
		if err != nil {
			return out, err
		}
		out.Digests++
		out.Messages += n
	}
	if province == nil && len(forwarded) > 0 {
		province, err = c.digest(dir, "", byCommittee[""], now, false)
		if err != nil {
			return out, err
		}
		touched = append(touched, byCommittee[""]...)
	}
	if province != nil {
		province.Forwarded = forwarded
		if province.Targets, err = c.targets(ctx, job, fs); err != nil {
			return out, err
		}
		if len(rc.Province) == 0 {
			c.log().Warn("provincial digest has no recipients (recipients.province is empty)", "job", job, "period", per)
		} else {
			n, err := c.enqueue(ctx, tx, province, job, per, byCommittee[""], rc.Province)
			if err != nil {
				return out, err
			}
			out.Digests++
			out.Messages += n
		}
	}
	for _, a := range touched {
		if a.Open {
			a.NotifiedState, a.NotifiedAt = a.State, now
		} else {
			a.ResolvedNotified = true
		}
		if err := tx.PutAlert(ctx, a); err != nil {
			return out, err
		}
	}
	// Closed alerts are kept well past the longest repeat gap, so one that
	// returns is compared with its own history rather than looking new.
	keep := 30 * 24 * time.Hour
	if 4*repeat > keep {
		keep = 4 * repeat
	}
	if err := tx.DeleteResolvedBefore(ctx, now.Add(-keep)); err != nil {
		return out, err
	}
	return out, nil
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
	}
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
		switch {
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
		for _, list := range [][]Item{d.Deadlines, d.Relapses, d.AtRisk, d.Resolved} {
			for i := range list {
				list[i].Committee = ""
			}
		}
	}
	for _, list := range [][]Item{d.Deadlines, d.Escalations, d.Relapses, d.AtRisk, d.Projections, d.Resolved} {
		sortItems(list)
	}
	return d, nil
}

// targets reads the latest target progress for the provincial digest: from
// the findings at hand when the relapse job is composing, else from its
// last successful run.
func (c *Composer) targets(ctx context.Context, job finding.Job, fs []store.Finding) ([]rules.Progress, error) {
	if job != finding.JobRelapse {
		var err error
		if _, fs, err = c.Store.LatestFindings(ctx, finding.JobRelapse); err != nil {
			return nil, fmt.Errorf("load target progress: %w", err)
		}
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

// enqueue renders d and queues one message per recipient (plus cc), all
// under one Message-ID derived from the committee, the moment and the
// items, so any duplicate delivery is recognisable as the same mail.
func (c *Composer) enqueue(ctx context.Context, tx *store.Tx, d *Digest, job finding.Job, per string, alerts []store.Alert, to []string) (int, error) {
	text, html, err := d.Render()
	if err != nil {
		return 0, err
	}
	now := c.now()
	id := messageID(c.Config.Mail.From, d.Committee, now, alerts)
	// The header gives the committee in its string form (as muted lists
	// it), the province as "tinh".
	com := d.Committee.String()
	slug := com
	if slug == "" {
		slug = "tinh"
	}
	headers := map[string]string{"X-Chuyenhoa-Committee": slug, "X-Chuyenhoa-Job": string(job), "X-Chuyenhoa-Period": per}
	rcpts := append(append([]string(nil), to...), c.Config.Recipients.Cc...)
	seen := map[string]bool{}
	n := 0
	for _, r := range rcpts {
		if seen[strings.ToLower(r)] {
			continue
		}
		seen[strings.ToLower(r)] = true
		m := store.OutboxMessage{
			MessageID: id, Committee: com, Recipient: r, Sender: c.Config.Mail.From,
			Subject: d.Subject(), Text: text, HTML: html, Headers: headers, CreatedAt: now,
		}
		if err := tx.Enqueue(ctx, m); err != nil {
			return n, err
		}
		if c.Sink != nil {
			c.Sink(m)
		}
		n++
	}
	if err := tx.MarkComposed(ctx, com, now); err != nil {
		return n, err
	}
	c.log().Info("digest queued", "committee", slug, "message_id", id, "recipients", n, "job", job, "period", per)
	return n, nil
}

// messageID derives the Message-ID from the committee, the notification
// time and the alerts it reports (key and state).
func messageID(from string, committee rules.Committee, now time.Time, alerts []store.Alert) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", committee, now.UTC().Format(time.RFC3339Nano))
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
	return fmt.Sprintf("digest.%s.%s.%s@%s", slug, now.UTC().Format("20060102T150405Z"), hex.EncodeToString(h.Sum(nil))[:12], domain)
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
