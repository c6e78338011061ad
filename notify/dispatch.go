package notify

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/labels"
	"chuyenhoa/names"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// The dispatcher. Jobs move alert states in their own transactions
// (Composer.Hook); the dispatcher reads the alerts on its own clock and
// mails each committee at most one digest per digest time
// (mail.digest_times, by default one in the morning after the daily jobs),
// as Alertmanager keeps rule evaluation apart from its dispatcher's
// group_interval and repeat_interval. A digest holds every open item of
// the committee with what changed since its last digest the server
// accepted marked new, and what closed since its last digest.
//
// What each mail showed is recorded (store.DigestRecord): the outbox says
// what became of it. The dispatcher judges "news" against the committee's
// last digest that counts as composed (not cancelled), so a digest waiting
// for a server that is down is not composed again every day and a
// cancelled one is as if never made; it marks items new against the last
// digest the server accepted, so what a committee never received is new
// to it; it repeats open items a repeat interval after the digest time of
// the last accepted digest (the last composed one when none was ever
// accepted), not while a digest of the committee still waits in the
// outbox.
//
// Kinds mailed at once (mail.immediate_kinds, e.g. escalation) go out from
// the job run that opened or changed them, in its transaction; the next
// digest lists them too, in the same state (an alert's state changes only
// when a job runs, and the digest reads the states as they stand), still
// marked new: the immediate mail is no digest. Two mails on one day about
// one item therefore never disagree: the second says what the first said,
// or what changed since.

// Reason says why a mail was sent.
type Reason string

// The reasons.
const (
	ReasonNews      Reason = "news"      // something opened, changed or closed since the committee's last digest
	ReasonRepeat    Reason = "repeat"    // nothing new: the open items, a repeat interval after the last accepted digest
	ReasonImmediate Reason = "immediate" // an alert of a kind mailed at once opened or changed
)

// Slots are the digest times of every day, in the province's time zone.
type Slots struct {
	times []time.Duration // since midnight, earliest first
	loc   *time.Location
}

// SlotsOf reads the digest times of cfg.
func SlotsOf(cfg *config.Config) Slots {
	return Slots{times: cfg.Mail.DigestClock(), loc: cfg.Location()}
}

func (s Slots) at(y int, m time.Month, d int, since time.Duration) time.Time {
	return time.Date(y, m, d, int(since/time.Hour), int(since%time.Hour/time.Minute), 0, 0, s.loc)
}

// Latest is the last digest time at or before t (t itself when there are
// no digest times).
func (s Slots) Latest(t time.Time) time.Time {
	y, m, d := t.In(s.loc).Date()
	for back := range 2 {
		for i := len(s.times) - 1; i >= 0; i-- {
			if at := s.at(y, m, d-back, s.times[i]); !at.After(t) {
				return at
			}
		}
	}
	return t
}

// Next is the first digest time at or after t (t itself when there are no
// digest times).
func (s Slots) Next(t time.Time) time.Time {
	y, m, d := t.In(s.loc).Date()
	for ahead := range 2 {
		for _, since := range s.times {
			if at := s.at(y, m, d+ahead, since); !at.Before(t) {
				return at
			}
		}
	}
	return t
}

// First is the first digest time of the civil day day (a date at 00:00 in
// any zone, as period.Day gives it).
func (s Slots) First(day time.Time) time.Time {
	y, m, d := day.Date()
	if len(s.times) == 0 {
		return time.Date(y, m, d, 0, 0, 0, 0, s.loc)
	}
	return s.at(y, m, d, s.times[0])
}

// Key names the digest time t as job_runs and the digest log record it:
// "2026-11-25T08:00", provincial time.
func (s Slots) Key(t time.Time) string { return t.In(s.loc).Format("2006-01-02T15:04") }

// Dispatch composes the digests of the digest time slot: for every
// committee with something new, something closed to announce or open items
// due for a reminder, and no digest yet for this time. It records its run
// in job_runs as job digest with the slot's key for period (the
// scheduler's catch-up reads it), and commits the digests, the record of
// what they showed and the alerts' marks in one transaction.
func (c *Composer) Dispatch(ctx context.Context, slot time.Time) (Composed, error) {
	slots := SlotsOf(c.Config)
	key := slots.Key(slot)
	runID := store.NewRunID()
	log := c.log().With("job", finding.JobDigest, "period", key, "run_id", runID)
	if _, err := c.Store.StartRun(ctx, finding.JobDigest, key, runID, c.now()); err != nil {
		return Composed{}, fmt.Errorf("digest %s: record start: %w", key, err)
	}
	var out Composed
	err := c.Store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if out, err = c.dispatch(ctx, tx, slots, slot, key); err != nil {
			return err
		}
		return tx.FinishRun(ctx, finding.JobDigest, key, runID, c.now())
	})
	if err != nil {
		log.Error("digest failed", "err", err)
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if ferr := c.Store.FailRun(fctx, finding.JobDigest, key, runID, c.now(), err); ferr != nil {
			log.Error("record digest failure", "err", ferr)
		}
		return Composed{}, fmt.Errorf("digest %s: %w", key, err)
	}
	out.Slot, out.RunID = key, runID
	log.Info("digests composed", "digests", out.Digests, "messages", out.Messages)
	return out, nil
}

// plan is what one committee's digest will be.
type plan struct {
	com    string
	reason Reason // "": nothing due
	// show lists the alerts the digest reports (open ones, and closures
	// to announce) as stored; view the same with NotifiedState set to the
	// state the committee's last accepted digest showed ("" for none),
	// which is what the digest marks new against.
	show, view []store.Alert
	// quiet lists closed alerts whose end is no news (never mailed, or
	// closed under a silence): marked announced, so they are forgotten
	// in time.
	quiet    []store.Alert
	silenced int
	ended    []SilenceEnded
}

func (c *Composer) dispatch(ctx context.Context, tx *store.Tx, slots Slots, slot time.Time, key string) (Composed, error) {
	var out Composed
	now := c.now()
	alerts, err := tx.Alerts(ctx)
	if err != nil {
		return out, err
	}
	ss, led, dir, err := c.mailed(ctx, tx)
	if err != nil {
		return out, err
	}
	byCommittee := map[string][]store.Alert{}
	for _, a := range alerts {
		byCommittee[a.Committee] = append(byCommittee[a.Committee], a)
	}
	rc := c.Config.Recipients
	muted := map[string]bool{}
	for _, m := range rc.Muted {
		muted[m] = true
	}
	from := c.Config.Mail.From
	provinceDone := led.hasSlot("", key)
	var (
		forwarded []Forward
		fwdPlans  []plan
		touched   []store.Alert // mailed: marked notified
		quiet     []store.Alert
		records   []store.DigestRecord
		queue     outgoing
	)
	for _, com := range slices.Sorted(maps.Keys(byCommittee)) {
		if com == "" || led.hasSlot(com, key) {
			continue // the province comes last: it carries the forwarded items
		}
		p := c.plan(com, byCommittee[com], led, ss, slots, slot, now, dir)
		quiet = append(quiet, p.quiet...)
		if p.reason == "" {
			continue
		}
		cm := rules.ParseCommittee(com)
		switch {
		case muted[com]:
			c.log().Info("digest muted", "committee", com, "period", key)
			touched = append(touched, p.show...)
			continue
		case len(rc.Addresses(cm)) == 0:
			if provinceDone {
				continue // the provincial digest of this time is out: the next one carries them
			}
			// Nobody to tell at the district or the commune: the province
			// passes it on.
			d, err := c.digest(dir, com, p.view, now, p.reason == ReasonRepeat)
			if err != nil {
				return out, err
			}
			c.log().Warn("committee has findings but no mail address; forwarding to the provincial committee", "committee", com)
			forwarded = append(forwarded, Forward{Committee: d.CommitteeName, Items: concat(d.Deadlines, d.Relapses, d.AtRisk, d.Resolved, d.Ended)})
			fwdPlans = append(fwdPlans, p)
			continue
		}
		d, err := c.digestOf(dir, p, slots, slot, now)
		if err != nil {
			return out, err
		}
		id := messageID(store.MailDigest, from, cm, slot, p.show)
		n := c.enqueue(&queue, d, id, finding.JobDigest, key, rc.Addresses(cm))
		records = append(records, record(p, store.MailDigest, key, id, now))
		touched = append(touched, p.show...)
		out.Digests++
		out.Messages += n
	}
	if !provinceDone {
		p := c.plan("", byCommittee[""], led, ss, slots, slot, now, dir)
		quiet = append(quiet, p.quiet...)
		if p.reason == "" && len(forwarded) > 0 {
			p.reason = ReasonNews
		}
		if p.reason != "" {
			d, err := c.digestOf(dir, p, slots, slot, now)
			if err != nil {
				return out, err
			}
			d.Forwarded = forwarded
			if d.Targets, err = c.targets(ctx); err != nil {
				return out, err
			}
			if d.Decisions, err = c.decisions(ctx, dir); err != nil {
				return out, err
			}
			if len(rc.Province) == 0 {
				c.log().Warn("provincial digest has no recipients (recipients.province is empty)", "period", key)
			} else {
				all := slices.Clone(p.show)
				for _, f := range fwdPlans {
					all = append(all, f.show...)
				}
				id := messageID(store.MailDigest, from, rules.Committee{}, slot, all)
				n := c.enqueue(&queue, d, id, finding.JobDigest, key, rc.Province)
				for _, f := range append([]plan{p}, fwdPlans...) {
					records = append(records, record(f, store.MailDigest, key, id, now))
				}
				touched = append(touched, all...)
				out.Digests++
				out.Messages += n
			}
		}
	}
	if err := c.commit(ctx, tx, &queue, records, touched, quiet, now); err != nil {
		return out, err
	}
	// Closed alerts and the record of mail are kept well past the longest
	// repeat gap, so one that returns is compared with its own history
	// rather than looking new, and a committee's last digest is known.
	keep := max(30*24*time.Hour, 4*c.Config.Mail.RepeatInterval.Duration)
	if err := tx.DeleteResolvedBefore(ctx, now.Add(-keep)); err != nil {
		return out, err
	}
	if err := tx.PruneDigests(ctx, now.Add(-keep)); err != nil {
		return out, err
	}
	return out, nil
}

// plan decides whether committee com gets a digest at slot, and what it
// shows (see the package's notes on the dispatcher).
func (c *Composer) plan(com string, alerts []store.Alert, led *ledger, ss []store.Silence, slots Slots, slot, now time.Time, dir *names.Directory) plan {
	base, baseAt := led.base(com)
	acc, accAt := led.accepted(com)
	p := plan{com: com}
	news, open := false, 0
	for _, a := range alerts {
		if silencedBy(ss, a, now) != nil {
			if a.Open {
				p.silenced++
			} else if !a.ResolvedNotified {
				p.quiet = append(p.quiet, a)
			}
			continue
		}
		b, told := base[a.Key]
		switch {
		case a.Open:
			open++
			news = news || !told || !b.Open || b.State != a.State
		case told && b.Open:
			news = true // closed since the last digest showed it open
		default:
			if !a.ResolvedNotified {
				p.quiet = append(p.quiet, a)
			}
			continue
		}
		p.show = append(p.show, a)
		v := a
		v.NotifiedState = ""
		if x, ok := acc[a.Key]; ok && x.Open {
			v.NotifiedState = x.State
		}
		p.view = append(p.view, v)
	}
	switch {
	case news:
		p.reason = ReasonNews
	case open > 0 && !led.waiting(com):
		// From the digest time of the last digest the server accepted, or
		// of the last one composed when none ever was (the server refuses
		// it): a reminder a repeat interval later, at a digest time.
		ref := accAt
		if ref.IsZero() {
			ref = baseAt
		}
		if !slot.Before(slots.Latest(ref).Add(c.Config.Mail.RepeatInterval.Duration)) {
			p.reason = ReasonRepeat
		}
	}
	if p.reason != "" {
		since := baseAt
		if since.IsZero() {
			since = now.Add(-c.Config.Mail.RepeatInterval.Duration)
		}
		p.ended = endedSilences(ss, p.show, since, now, dir, c.Config.Location())
	}
	return p
}

// digestOf renders plan p as its digest, with why and when.
func (c *Composer) digestOf(dir *names.Directory, p plan, slots Slots, slot, now time.Time) (*Digest, error) {
	d, err := c.digest(dir, p.com, p.view, now, p.reason == ReasonRepeat)
	if err != nil {
		return nil, err
	}
	d.Reason, d.Silenced, d.SilencesEnded = p.reason, p.silenced, p.ended
	if slices.ContainsFunc(p.show, func(a store.Alert) bool { return a.Open }) {
		d.NextRepeat = slots.Next(slots.Latest(slot).Add(c.Config.Mail.RepeatInterval.Duration))
	}
	return d, nil
}

// SilencedLine says how many open items a silence holds back; "" for none.
func (g *Digest) SilencedLine() string {
	if g.Silenced == 0 {
		return ""
	}
	return labels.SilencedItems(g.Silenced)
}

// immediate queues, for each committee with an address, one mail of the
// alerts of the kinds mailed at once that opened or changed since the last
// mail that showed them; a silenced alert is not mailed, and a committee
// without an address hears of it in the provincial digest.
func (c *Composer) immediate(ctx context.Context, tx *store.Tx, job finding.Job, per string, alerts []store.Alert, now time.Time) (Composed, error) {
	var out Composed
	ss, led, dir, err := c.mailed(ctx, tx)
	if err != nil {
		return out, err
	}
	byCommittee := map[string][]store.Alert{}
	for _, a := range alerts {
		if !a.Open || !c.Config.Mail.Immediate(a.Kind) || silencedBy(ss, a, now) != nil {
			continue
		}
		if t, ok := led.told(a.Committee, a.Key); ok && t.Open && t.State == a.State {
			continue
		}
		byCommittee[a.Committee] = append(byCommittee[a.Committee], a)
	}
	rc := c.Config.Recipients
	var (
		touched []store.Alert
		records []store.DigestRecord
		queue   outgoing
	)
	for _, com := range slices.Sorted(maps.Keys(byCommittee)) {
		cm := rules.ParseCommittee(com)
		to := rc.Addresses(cm)
		if slices.Contains(rc.Muted, com) || len(to) == 0 {
			continue
		}
		show := byCommittee[com]
		view := make([]store.Alert, len(show))
		for i, a := range show {
			view[i] = a
			view[i].NotifiedState = "" // all new: that is why it goes at once
		}
		d, err := c.digest(dir, com, view, now, false)
		if err != nil {
			return out, err
		}
		d.Reason = ReasonImmediate
		id := messageID(store.MailImmediate, c.Config.Mail.From, cm, now, show)
		n := c.enqueue(&queue, d, id, job, per, to)
		slot := now.In(c.Config.Location()).Format("2006-01-02T15:04:05")
		records = append(records, record(plan{com: com, reason: ReasonImmediate, show: show}, store.MailImmediate, slot, id, now))
		touched = append(touched, show...)
		out.Digests++
		out.Messages += n
	}
	return out, c.commit(ctx, tx, &queue, records, touched, nil, now)
}

// commit writes what a round composed, in its transaction: the queued
// messages, the record of each digest, and the alerts shown (mailed) or
// held back (quiet) marked as such.
func (c *Composer) commit(ctx context.Context, tx *store.Tx, queue *outgoing, records []store.DigestRecord, mailed, quiet []store.Alert, now time.Time) error {
	if err := c.flush(ctx, tx, queue, now); err != nil {
		return err
	}
	if err := tx.RecordDigests(ctx, records); err != nil {
		return err
	}
	return markNotified(ctx, tx, mailed, quiet, now)
}

// mailed reads what deciding on mail needs besides the alerts: the
// silences, what each committee was mailed, and the names.
func (c *Composer) mailed(ctx context.Context, tx *store.Tx) ([]store.Silence, *ledger, *names.Directory, error) {
	ss, err := tx.Silences(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	led, err := loadLedger(ctx, tx)
	if err != nil {
		return nil, nil, nil, err
	}
	dir, err := c.directory(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	return ss, led, dir, nil
}

// record is what p's mail showed, for the digest log.
func record(p plan, kind, slot, id string, now time.Time) store.DigestRecord {
	items := make([]store.DigestItem, len(p.show))
	for i, a := range p.show {
		items[i] = store.DigestItem{Key: a.Key, State: a.State, Open: a.Open}
	}
	return store.DigestRecord{Committee: p.com, Kind: kind, Slot: slot, MessageID: id, Reason: string(p.reason), ComposedAt: now, Items: items}
}

// markNotified records on the alerts that mailed ones were put in a mail
// (open: the state, now; closed: announced) and that quiet ones need no
// notice.
func markNotified(ctx context.Context, tx *store.Tx, mailed, quiet []store.Alert, now time.Time) error {
	rows := make([]store.Alert, 0, len(mailed)+len(quiet))
	for _, a := range mailed {
		if a.Open {
			a.NotifiedState, a.NotifiedAt = a.State, now
		} else {
			a.ResolvedNotified = true
		}
		rows = append(rows, a)
	}
	for _, a := range quiet {
		a.ResolvedNotified = true
		rows = append(rows, a)
	}
	return tx.MarkAlertsNotified(ctx, rows)
}

// ledger is what each committee was mailed: the digest log, with the items
// of the mails the dispatcher compares with.
type ledger struct {
	log   map[string][]store.DigestRecord // by committee, oldest first
	items map[int64]map[string]store.DigestItem
}

func loadLedger(ctx context.Context, tx *store.Tx) (*ledger, error) {
	log, err := tx.DigestLog(ctx)
	if err != nil {
		return nil, err
	}
	l := &ledger{log: map[string][]store.DigestRecord{}, items: map[int64]map[string]store.DigestItem{}}
	for _, r := range log {
		l.log[r.Committee] = append(l.log[r.Committee], r)
	}
	var ids []int64
	for com := range l.log {
		if r := l.lastDigest(com, func(r store.DigestRecord) bool { return r.Live }); r != nil {
			ids = append(ids, r.ID)
		}
		if r := l.lastDigest(com, store.DigestRecord.Accepted); r != nil {
			ids = append(ids, r.ID)
		}
		for _, r := range l.immediatesSinceBase(com) {
			ids = append(ids, r.ID)
		}
	}
	slices.Sort(ids)
	got, err := tx.DigestItems(ctx, slices.Compact(ids))
	if err != nil {
		return nil, err
	}
	for id, items := range got {
		m := make(map[string]store.DigestItem, len(items))
		for _, it := range items {
			m[it.Key] = it
		}
		l.items[id] = m
	}
	return l, nil
}

// lastDigest is committee com's newest digest (not immediate mail) that ok
// accepts, or nil.
func (l *ledger) lastDigest(com string, ok func(store.DigestRecord) bool) *store.DigestRecord {
	rs := l.log[com]
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i].Kind == store.MailDigest && ok(rs[i]) {
			return &rs[i]
		}
	}
	return nil
}

// base is what com's last digest that counts as composed (not cancelled)
// showed, and when it was composed; nil and zero when there is none.
func (l *ledger) base(com string) (map[string]store.DigestItem, time.Time) {
	r := l.lastDigest(com, func(r store.DigestRecord) bool { return r.Live })
	if r == nil {
		return nil, time.Time{}
	}
	return l.items[r.ID], r.ComposedAt
}

// accepted is what com's last digest the server accepted showed, and when
// the server accepted it; nil and zero when there is none.
func (l *ledger) accepted(com string) (map[string]store.DigestItem, time.Time) {
	r := l.lastDigest(com, store.DigestRecord.Accepted)
	if r == nil {
		return nil, time.Time{}
	}
	return l.items[r.ID], r.AcceptedAt
}

// immediatesSinceBase lists com's immediate mails that count as composed,
// newer than its base digest, oldest first.
func (l *ledger) immediatesSinceBase(com string) []store.DigestRecord {
	var out []store.DigestRecord
	rs := l.log[com]
	for i := len(rs) - 1; i >= 0; i-- {
		r := rs[i]
		if r.Kind == store.MailDigest && r.Live {
			break
		}
		if r.Kind == store.MailImmediate && r.Live {
			out = append([]store.DigestRecord{r}, out...)
		}
	}
	return out
}

// told is how the newest mail to com that showed alert key showed it: an
// immediate mail since its base digest, or the base digest.
func (l *ledger) told(com, key string) (store.DigestItem, bool) {
	imm := l.immediatesSinceBase(com)
	for i := len(imm) - 1; i >= 0; i-- {
		if it, ok := l.items[imm[i].ID][key]; ok {
			return it, true
		}
	}
	base, _ := l.base(com)
	it, ok := base[key]
	return it, ok
}

// hasSlot reports whether com had a digest for the digest time key, even
// one since cancelled: at most one per committee per digest time.
func (l *ledger) hasSlot(com, key string) bool {
	return slices.ContainsFunc(l.log[com], func(r store.DigestRecord) bool { return r.Kind == store.MailDigest && r.Slot == key })
}

// waiting reports whether a digest of com waits in the outbox.
func (l *ledger) waiting(com string) bool {
	return slices.ContainsFunc(l.log[com], func(r store.DigestRecord) bool { return r.Kind == store.MailDigest && r.Waiting })
}
