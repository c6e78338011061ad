package notify

import (
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/labels"
	"chuyenhoa/names"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// A silence (store.Silence, `chuyenhoa silence add`) holds alerts back
// from mail as Alertmanager's do: the alert keeps its life cycle (it
// opens, changes and closes, the status page shows it), and no digest or
// immediate mail lists it while the silence is active. A silenced alert
// is left out of the record of what a digest showed, so once the silence
// ends and the alert is still open, the committee's next digest has it as
// news, marked new, with a note that the silence ended. An alert that
// closes under a silence closes quietly.

// silencedBy returns the first silence active at now that holds a, or
// nil.
func silencedBy(ss []store.Silence, a store.Alert, now time.Time) *store.Silence {
	for i := range ss {
		if ss[i].ActiveAt(now) && Matches(ss[i].Matchers, a) {
			return &ss[i]
		}
	}
	return nil
}

// matches reports whether every matcher given matches a.
func Matches(m store.Matchers, a store.Alert) bool {
	switch {
	case m.Empty():
		return false
	case m.Key != nil && *m.Key != a.Key:
		return false
	case m.Committee != nil && *m.Committee != a.Committee:
		return false
	case m.Kind != nil && *m.Kind != a.Kind:
		return false
	case m.Unit != nil && !concerns(a, *m.Unit):
		return false
	}
	return true
}

// concerns reports whether alert a is about commune unit: its payload
// names the commune, or the committee that owes it is the commune's body.
func concerns(a store.Alert, unit string) bool {
	if a.Committee == rules.CommuneCommittee(unit).String() {
		return true
	}
	src := a.Kind.Source()
	switch a.Kind {
	case finding.AlertDeadline, finding.AlertEscalation:
		dl, err := finding.Decode[rules.Deadline](src, a.Payload)
		return err == nil && (dl.Unit == unit || dl.Committee == rules.CommuneCommittee(unit))
	case finding.AlertProposal, finding.AlertProposalEscalation:
		pd, err := finding.Decode[rules.ProposalDeadline](src, a.Payload)
		return err == nil && (pd.Unit == unit || pd.Committee == rules.CommuneCommittee(unit))
	case finding.AlertRelapse:
		r, err := finding.Decode[finding.RelapseItem](src, a.Payload)
		return err == nil && r.Area.Unit == unit
	case finding.AlertAtRisk:
		c, err := finding.Decode[finding.CycleItem](src, a.Payload)
		return err == nil && c.Unit == unit
	}
	return false
}

// SilenceEnded is a silence over some of a committee's open items that
// ended since its last digest, for the digest to say why those items are
// back.
type SilenceEnded struct {
	ID int64
	// What says what it held (commune, committee, kind, key) in words.
	What      string
	By        string
	Reason    string
	EndedAt   time.Time // provincial time
	Early     bool      // expired by someone before its end
	Items     int       // open items it held that the digest shows again
	Committee rules.Committee
}

// Line is the sentence a digest gives it.
func (s SilenceEnded) Line() string {
	return labels.SilenceEndedLine(s.ID, s.What, s.By, s.Reason, s.EndedAt, s.Early, s.Items)
}

// endedSilences lists the silences that ended after since and at or
// before now and held any of alerts (open ones), with how many.
func endedSilences(ss []store.Silence, alerts []store.Alert, since, now time.Time, dir *names.Directory, loc *time.Location) []SilenceEnded {
	var out []SilenceEnded
	for _, s := range ss {
		if !s.EndsAt.After(since) || s.EndsAt.After(now) {
			continue
		}
		n := 0
		for _, a := range alerts {
			if a.Open && Matches(s.Matchers, a) {
				n++
			}
		}
		if n == 0 {
			continue
		}
		out = append(out, SilenceEnded{ID: s.ID, What: DescribeMatchers(s.Matchers, dir), By: s.CreatedBy, Reason: s.Reason,
			EndedAt: s.EndsAt.In(loc), Early: !s.ExpiredAt.IsZero(), Items: n})
	}
	return out
}

// DescribeMatchers says in words what a silence holds, with the names of
// the commune and the committee.
func DescribeMatchers(m store.Matchers, dir *names.Directory) string {
	var unit, committee, kind, key string
	if m.Unit != nil {
		unit = dir.UnitName(*m.Unit)
	}
	if m.Committee != nil {
		committee = dir.Committee(rules.ParseCommittee(*m.Committee))
	}
	if m.Kind != nil {
		kind = labels.AlertKindName(*m.Kind)
	}
	if m.Key != nil {
		key = *m.Key
	}
	return labels.SilenceMatchers(unit, committee, kind, key)
}
