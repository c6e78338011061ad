package finding

import (
	"bytes"
	"encoding/json"
	"slices"
	"time"

	"chuyenhoa/period"
	"chuyenhoa/rules"
)

// AlertKind is the kind of an alert: a matter package notify keeps open
// for a committee, and mails about, until a finding settles it.
type AlertKind string

// The alert kinds.
const (
	AlertDeadline   AlertKind = "deadline"   // a district's report obligation needing action
	AlertEscalation AlertKind = "escalation" // the provincial copy of an escalated deadline
	AlertRelapse    AlertKind = "relapse"    // a transformed area complex again
	// The cycle job's alerts.
	AlertProposal           AlertKind = "proposal"            // a district's proposals for the selection are missing
	AlertProposalEscalation AlertKind = "proposal_escalation" // the provincial copy of an escalated proposal obligation
	AlertAtRisk             AlertKind = "at_risk"             // early warning: an area misses an indicator after six months
	AlertProjection         AlertKind = "projection"          // a yearly target is projected to be missed
)

// AlertKinds lists every alert kind, for metrics that must show zeros too.
func AlertKinds() []AlertKind {
	return []AlertKind{AlertDeadline, AlertEscalation, AlertRelapse, AlertProposal, AlertProposalEscalation, AlertAtRisk, AlertProjection}
}

// Manages lists the alert kinds j's findings decide: an open alert of such
// a kind that j's latest run no longer reports has closed. Other jobs' runs
// leave those alerts alone. Nil for a job that raises no alerts.
func (j Job) Manages() []AlertKind {
	switch j {
	case JobDeadlines:
		return []AlertKind{AlertDeadline, AlertEscalation}
	case JobRelapse:
		return []AlertKind{AlertRelapse}
	case JobCycle:
		return []AlertKind{AlertProposal, AlertProposalEscalation, AlertAtRisk, AlertProjection}
	}
	return nil
}

// Key is the key of the alert of kind k that the finding with key
// findingKey raises: unique across kinds, stable across runs.
func (k AlertKind) Key(findingKey string) string { return string(k) + "/" + findingKey }

// Source is the kind of finding that raises an alert of kind k; the alert
// carries that finding's payload. "" for an unknown alert kind.
func (k AlertKind) Source() Kind {
	switch k {
	case AlertDeadline, AlertEscalation:
		return KindDeadline
	case AlertRelapse:
		return KindRelapse
	case AlertProposal, AlertProposalEscalation:
		return KindProposalDeadline
	case AlertAtRisk:
		return KindCycleArea
	case AlertProjection:
		return KindProjection
	}
	return ""
}

// Same reports whether two payloads of an alert of kind k tell a reader
// the same: whether they agree on every field the digest shows for that
// kind (package notify's tests hold the digest to this list). A field the
// digest does not show — a new one, the run's day, a flag only the jobs
// read — is no change, so adding a payload field does not rewrite every
// open alert. A payload that does not decode differs from any other; one
// of an unknown kind is compared byte for byte.
func Same(k AlertKind, a, b json.RawMessage) bool {
	switch src := k.Source(); src {
	case KindDeadline:
		return same(src, a, b, sameDeadline)
	case KindProposalDeadline:
		return same(src, a, b, sameProposalDeadline)
	case KindRelapse:
		return same(src, a, b, sameRelapse)
	case KindCycleArea:
		return same(src, a, b, sameCycleArea)
	case KindProjection:
		return same(src, a, b, sameProjection)
	}
	return bytes.Equal(a, b)
}

func same[T Payload](k Kind, a, b json.RawMessage, eq func(x, y T) bool) bool {
	x, err := Decode[T](k, a)
	if err != nil {
		return false
	}
	y, err := Decode[T](k, b)
	if err != nil {
		return false
	}
	return eq(x, y)
}

// sameDeadline compares what a deadline line shows: the obligation's name
// and its reminder, grace and escalation days (quoted in the rule), the
// committee, commune and period (the title), the due and escalation days,
// the day the report arrived, the state and the days late (which grow
// daily while a report is missing, and must reach the next reminder).
func sameDeadline(a, b rules.Deadline) bool {
	oa, ob := a.Obligation, b.Obligation
	return oa.Name == ob.Name && oa.ReminderDays == ob.ReminderDays && oa.GraceDays == ob.GraceDays && oa.EscalateDays == ob.EscalateDays &&
		a.Committee == b.Committee && a.Unit == b.Unit && a.Period == b.Period &&
		sameDay(a.Due, b.Due) && sameDay(a.EscalateOn, b.EscalateOn) && sameDay(a.SubmittedOn, b.SubmittedOn) &&
		a.State == b.State && a.DaysLate == b.DaysLate
}

// sameProposalDeadline adds what a proposal obligation's line shows beyond
// a deadline's: how many proposals arrived of how many required, and for
// which selection year.
func sameProposalDeadline(a, b rules.ProposalDeadline) bool {
	return sameDeadline(a.Deadline, b.Deadline) && a.Year == b.Year && a.Proposed == b.Proposed && a.Required == b.Required
}

// sameRelapse compares what a relapse line shows: the area with its
// categories, the window, its count against the averages in total and in
// each of its categories, why it counts as relapsed (the gate, the
// categories complex again) and since when, and the committee responsible
// (its name heads the line in the provincial digest, its level decides
// which averages the line quotes). Whether this very check changed the
// state (Changed) is the jobs' business, not the reader's.
func sameRelapse(a, b RelapseItem) bool {
	return a.Area.Unit == b.Area.Unit && a.Area.Year == b.Area.Year && slices.Equal(a.Area.Categories, b.Area.Categories) &&
		a.Committee == b.Committee && sameRange(a.Window, b.Window) &&
		a.Counts.SocialOrder == b.Counts.SocialOrder && a.ProvinceAvg == b.ProvinceAvg && a.DistrictAvg == b.DistrictAvg &&
		slices.Equal(a.CategoryChecks, b.CategoryChecks) &&
		a.ByGate == b.ByGate && a.ByCategory == b.ByCategory && sameDay(a.Since, b.Since)
}

// sameCycleArea compares what an early warning shows: the area, how it came
// into the year (decision day, or carried over from its origin), every
// indicator with its value, threshold and gap, the window they cover, the
// end of the year (the deadline) and, once closed, the verdict.
func sameCycleArea(a, b CycleItem) bool {
	return a.District == b.District && a.Unit == b.Unit && a.Year == b.Year && slices.Equal(a.Categories, b.Categories) &&
		sameDay(a.DecidedOn, b.DecidedOn) && a.CarriedOver == b.CarriedOver && a.Origin == b.Origin &&
		slices.Equal(a.Indicators.Indicators, b.Indicators.Indicators) &&
		sameRange(a.Window, b.Window) && sameDay(a.YearEnd, b.YearEnd) &&
		a.HasVerdict == b.HasVerdict && a.Transformed == b.Transformed && sameDay(a.AssessedOn, b.AssessedOn)
}

// sameProjection compares what a projection line shows: the target and
// every count and rate of it. The day of the projection (On) moves with
// every run and is not shown.
func sameProjection(a, b ProjectionItem) bool {
	pa, pb := a.Projection, b.Projection
	return a.Target == b.Target && a.Percent == b.Percent && pa.Year == pb.Year &&
		pa.Selected == pb.Selected && pa.Assessed == pb.Assessed && pa.Transformed == pb.Transformed &&
		pa.Meeting == pb.Meeting && pa.Below == pb.Below && pa.NoData == pb.NoData && pa.Passing == pb.Passing &&
		pa.PassRate == pb.PassRate && pa.PassNeeded == pb.PassNeeded &&
		pa.AllTransformed == pb.AllTransformed && pa.Relapsed == pb.Relapsed && pa.Stable == pb.Stable &&
		pa.StableRate == pb.StableRate && pa.StableNeeded == pb.StableNeeded
}

// sameDay reports whether two stored times read the same: one instant in
// one offset (a digest prints the day in the time's own zone).
func sameDay(a, b time.Time) bool {
	_, oa := a.Zone()
	_, ob := b.Zone()
	return a.Equal(b) && oa == ob
}

func sameRange(a, b period.Range) bool { return sameDay(a.From, b.From) && sameDay(a.To, b.To) }
