// Package notify turns the jobs' findings into the emails committees act
// on: it keeps each alert's life cycle (opened, changed, resolved) the way
// Alertmanager does, in each job's own transaction; a dispatcher composes
// one Vietnamese digest per committee per digest time from the alerts into
// the outbox (dispatch.go), silences hold alerts back from mail
// (silence.go), and the sender drains the outbox over SMTP (or into .eml
// files) at least once, under a stable Message-ID.
package notify

import (
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// openDeadline lists the deadline states that need someone to act: an
// alert is open in these, and a deadline in any other state closes it.
var openDeadline = map[rules.DeadlineState]bool{
	rules.DeadlineUpcoming: true, rules.DeadlineDue: true, rules.DeadlineOverdue: true, rules.DeadlineEscalated: true,
}

// closed is how a finding says an alert ended: its state (submitted,
// submitted_late, normal) and the finding itself, so the closing notice can
// give the numbers (the day the report arrived).
type closed struct {
	state   finding.State
	payload []byte
}

// deadlineAlerts adds an obligation's alerts to open: its committee's
// (kind) while it is open, and the province's copy (escalation) once it is
// escalated; a settled one closes both.
func deadlineAlerts(open []store.Alert, closing map[string]closed, f store.Finding, kind, escalation finding.AlertKind) []store.Alert {
	key := kind.Key(f.Key)
	if !openDeadline[f.State.Deadline()] {
		closing[key] = closed{f.State, f.Payload}
		closing[escalation.Key(f.Key)] = closed{f.State, f.Payload}
		return open
	}
	open = append(open, store.Alert{Committee: f.District, Key: key, Kind: kind, State: f.State, Payload: f.Payload})
	if f.State.Deadline() == rules.DeadlineEscalated && f.District != "" {
		open = append(open, store.Alert{Committee: "", Key: escalation.Key(f.Key), Kind: escalation, State: f.State, Payload: f.Payload})
	}
	return open
}

// stateAlerts adds the alert of a finding that is open in one state
// (isOpen): to committee, and with toProvince a copy to the provincial
// committee when that is another; in any other state it closes.
func stateAlerts(open []store.Alert, closing map[string]closed, f store.Finding, kind finding.AlertKind, isOpen bool, committee string, toProvince bool) []store.Alert {
	key := kind.Key(f.Key)
	if !isOpen {
		closing[key] = closed{f.State, f.Payload}
		return open
	}
	open = append(open, store.Alert{Committee: committee, Key: key, Kind: kind, State: f.State, Payload: f.Payload})
	if toProvince && committee != "" {
		open = append(open, store.Alert{Committee: "", Key: key, Kind: kind, State: f.State, Payload: f.Payload})
	}
	return open
}

// current derives the open alerts from one job's findings, and how each
// alert that the findings show as settled ended.
func current(fs []store.Finding) (open []store.Alert, closing map[string]closed) {
	closing = map[string]closed{}
	for _, f := range fs {
		switch f.Kind {
		case finding.KindDeadline:
			open = deadlineAlerts(open, closing, f, finding.AlertDeadline, finding.AlertEscalation)
		case finding.KindProposalDeadline:
			// The same life cycle as a report deadline, under its own kinds
			// so the deadlines job does not close these alerts.
			open = deadlineAlerts(open, closing, f, finding.AlertProposal, finding.AlertProposalEscalation)
		case finding.KindCycleArea:
			// The provincial committee gets the summary of every area at
			// risk: they weigh on the province's 60% target.
			open = stateAlerts(open, closing, f, finding.AlertAtRisk, f.State == finding.CycleAtRisk, f.District, true)
		case finding.KindProjection:
			open = stateAlerts(open, closing, f, finding.AlertProjection, f.State == finding.ProjectionBelow, "", false)
		case finding.KindRelapse:
			// The provincial committee watches every relapse: it counts
			// against the province's 85% target.
			open = stateAlerts(open, closing, f, finding.AlertRelapse, f.State == finding.Relapsed, f.District, true)
		}
	}
	return open, closing
}

type alertID struct{ committee, key string }

// reconcile moves the stored alerts of the kinds a job manages to match the
// alerts it found now: new ones open, present ones take the new state,
// missing ones close (with the closing state when known). It returns every
// alert whose row changed. Alerts of other kinds are left alone.
func reconcile(now time.Time, kinds []finding.AlertKind, found []store.Alert, closing map[string]closed, stored []store.Alert) []store.Alert {
	managed := map[finding.AlertKind]bool{}
	for _, k := range kinds {
		managed[k] = true
	}
	byID := map[alertID]store.Alert{}
	for _, a := range stored {
		byID[alertID{a.Committee, a.Key}] = a
	}
	seen := map[alertID]bool{}
	var changed []store.Alert
	for _, f := range found {
		id := alertID{f.Committee, f.Key}
		seen[id] = true
		a, ok := byID[id]
		switch {
		case !ok || !a.Open:
			// New, or back after it closed: announce it as new.
			a = store.Alert{Committee: f.Committee, Key: f.Key, Kind: f.Kind, Open: true, OpenedAt: now}
		case a.State == f.State && finding.Same(a.Kind, a.Payload, f.Payload):
			// Nothing a reader would see has changed; a payload field the
			// digest does not show (a new one, the day of the run) is not
			// worth a write.
			continue
		}
		a.State, a.Payload, a.UpdatedAt = f.State, f.Payload, now
		changed = append(changed, a)
	}
	for _, a := range stored {
		id := alertID{a.Committee, a.Key}
		if !a.Open || seen[id] || !managed[a.Kind] {
			continue
		}
		a.Open, a.ResolvedAt, a.UpdatedAt = false, now, now
		a.State = finding.Resolved
		if c, ok := closing[a.Key]; ok {
			a.State, a.Payload = c.state, c.payload
		}
		// The end of something never mailed is no news.
		a.ResolvedNotified = a.NotifiedState == ""
		changed = append(changed, a)
	}
	return changed
}
