// Package notify turns the jobs' findings into the emails committees act
// on: it keeps each alert's life cycle (opened, repeated, resolved) the way
// Alertmanager does, composes one Vietnamese digest per committee per run
// into the outbox in the job's own transaction, and drains the outbox over
// SMTP (or into .eml files) at least once, under a stable Message-ID.
package notify

import (
	"time"

	"chuyenhoa/store"
)

// Alert kinds.
const (
	KindDeadline   = "deadline"   // a district's report obligation needing action
	KindEscalation = "escalation" // the provincial copy of an escalated deadline
	KindRelapse    = "relapse"    // a transformed area complex again
	// The cycle job's alerts.
	KindProposal           = "proposal"            // a district's proposals for the selection are missing
	KindProposalEscalation = "proposal_escalation" // the provincial copy of an escalated proposal obligation
	KindAtRisk             = "at_risk"             // early warning: an area misses an indicator after six months
	KindProjection         = "projection"          // a yearly target is projected to be missed
)

// Kinds lists every alert kind, for metrics that must show zeros too.
func Kinds() []string {
	return []string{KindDeadline, KindEscalation, KindRelapse, KindProposal, KindProposalEscalation, KindAtRisk, KindProjection}
}

// Finding kinds and states this package reads (written by package jobs;
// repeated here so notify does not import the job runner).
const (
	findingDeadline = "deadline"
	findingRelapse  = "relapse"
	findingTarget   = "target"

	findingCycleArea        = "cycle_area"
	findingProposalDeadline = "proposal_deadline"
	findingProjection       = "projection"
)

// openDeadline lists the deadline states that need someone to act.
var openDeadline = map[string]bool{"upcoming": true, "due": true, "overdue": true, "escalated": true}

// managedKinds says which alert kinds a job's findings decide: an alert of
// such a kind that the job no longer reports has closed.
var managedKinds = map[string][]string{
	"deadlines": {KindDeadline, KindEscalation},
	"relapse":   {KindRelapse},
	"cycle":     {KindProposal, KindProposalEscalation, KindAtRisk, KindProjection},
}

// closed is how a finding says an alert ended: its state (submitted,
// submitted_late, normal) and the finding itself, so the closing notice can
// give the numbers (the day the report arrived).
type closed struct {
	state   string
	payload []byte
}

// current derives the open alerts from one job's findings, and how each
// alert that the findings show as settled ended.
func current(fs []store.Finding) (open []store.Alert, closing map[string]closed) {
	closing = map[string]closed{}
	for _, f := range fs {
		switch f.Kind {
		case findingDeadline:
			key := KindDeadline + "/" + f.Key
			if !openDeadline[f.State] {
				closing[key] = closed{f.State, f.Payload}
				closing[KindEscalation+"/"+f.Key] = closed{f.State, f.Payload}
				continue
			}
			open = append(open, store.Alert{Committee: f.District, Key: key, Kind: KindDeadline, State: f.State, Payload: f.Payload})
			if f.State == "escalated" && f.District != "" {
				open = append(open, store.Alert{Committee: "", Key: KindEscalation + "/" + f.Key, Kind: KindEscalation, State: f.State, Payload: f.Payload})
			}
		case findingProposalDeadline:
			// The same life cycle as a report deadline, under its own kinds
			// so the deadlines job does not close these alerts.
			key := KindProposal + "/" + f.Key
			if !openDeadline[f.State] {
				closing[key] = closed{f.State, f.Payload}
				closing[KindProposalEscalation+"/"+f.Key] = closed{f.State, f.Payload}
				continue
			}
			open = append(open, store.Alert{Committee: f.District, Key: key, Kind: KindProposal, State: f.State, Payload: f.Payload})
			if f.State == "escalated" && f.District != "" {
				open = append(open, store.Alert{Committee: "", Key: KindProposalEscalation + "/" + f.Key, Kind: KindProposalEscalation, State: f.State, Payload: f.Payload})
			}
		case findingCycleArea:
			key := KindAtRisk + "/" + f.Key
			if f.State != "at_risk" {
				closing[key] = closed{f.State, f.Payload}
				continue
			}
			open = append(open, store.Alert{Committee: f.District, Key: key, Kind: KindAtRisk, State: f.State, Payload: f.Payload})
			if f.District != "" {
				// The provincial committee gets the summary of every area
				// at risk: they weigh on the province's 60% target.
				open = append(open, store.Alert{Committee: "", Key: key, Kind: KindAtRisk, State: f.State, Payload: f.Payload})
			}
		case findingProjection:
			key := KindProjection + "/" + f.Key
			if f.State != "below" {
				closing[key] = closed{f.State, f.Payload}
				continue
			}
			open = append(open, store.Alert{Committee: "", Key: key, Kind: KindProjection, State: f.State, Payload: f.Payload})
		case findingRelapse:
			key := KindRelapse + "/" + f.Key
			if f.State != "relapsed" {
				closing[key] = closed{f.State, f.Payload}
				continue
			}
			open = append(open, store.Alert{Committee: f.District, Key: key, Kind: KindRelapse, State: f.State, Payload: f.Payload})
			if f.District != "" {
				// The provincial committee watches every relapse: it counts
				// against the province's 85% target.
				open = append(open, store.Alert{Committee: "", Key: key, Kind: KindRelapse, State: f.State, Payload: f.Payload})
			}
		}
	}
	return open, closing
}

type alertID struct{ committee, key string }

// reconcile moves the stored alerts of the kinds a job manages to match the
// alerts it found now: new ones open, present ones take the new state,
// missing ones close (with the closing state when known). It returns every
// alert whose row changed. Alerts of other kinds are left alone.
func reconcile(now time.Time, kinds []string, found []store.Alert, closing map[string]closed, stored []store.Alert) []store.Alert {
	managed := map[string]bool{}
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
		case a.State == f.State && string(a.Payload) == string(f.Payload):
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
		a.State = "resolved"
		if c, ok := closing[a.Key]; ok {
			a.State, a.Payload = c.state, c.payload
		}
		// The end of something never mailed is no news.
		a.ResolvedNotified = a.NotifiedState == ""
		changed = append(changed, a)
	}
	return changed
}

// due reports whether a committee's digest must go out now: something is
// new or changed, something closed and was not yet announced, or open items
// have waited a repeat interval since the last successful send (and no
// earlier digest is still waiting in the outbox).
func due(now time.Time, repeat time.Duration, alerts []store.Alert, g store.Group, pending bool) (send, repeated bool) {
	anyOpen := false
	for _, a := range alerts {
		if a.Open {
			anyOpen = true
			if a.NotifiedState != a.State {
				return true, false
			}
		} else if !a.ResolvedNotified {
			return true, false
		}
	}
	if !anyOpen || pending || repeat <= 0 {
		return false, false
	}
	last := g.LastSentAt
	if g.LastComposedAt.After(last) && last.IsZero() {
		// Composed but never delivered (the server refused it): wait a
		// repeat interval from the composition rather than every run.
		last = g.LastComposedAt
	}
	if now.Sub(last) >= repeat {
		return true, true
	}
	return false, false
}
