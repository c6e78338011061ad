// Package finding is the vocabulary the jobs share with their readers: the
// job names, the kinds of findings a job writes, the states a finding (and
// the alert it raises) can be in, and the typed payload each kind carries,
// with its encoding in one place. It plays the part of Alertmanager's
// types/: package jobs writes findings in these words, and notify, status,
// the printers and the report read them in the same words, so nobody
// mirrors a payload struct or matches a bare string that could drift from
// what the writer meant.
//
// The package is a leaf: it depends on the domain (rules, period) and the
// standard library only, so that every side of the contract can import it.
// The stored strings are the database's: they never change here without a
// migration.
package finding

import (
	"slices"

	"chuyenhoa/rules"
)

// Job names a job, as used in the schedule section of the configuration,
// in job_runs and in the logs.
type Job string

// The jobs.
const (
	JobCandidates Job = "candidates" // propose next year's candidate areas
	JobRelapse    Job = "relapse"    // re-check transformed areas
	JobDeadlines  Job = "deadlines"  // reminders, overdue notices, escalations
	JobCycle      Job = "cycle"      // the year of work: proposals, indicators, early warnings, projections
	JobDigest     Job = "digest"     // compose each committee's digest from the alerts, at mail.digest_times
	JobSend       Job = "send"       // deliver queued mail (writes no findings)
)

// RecomputeJobs lists the jobs that compute findings, in the order a full
// run takes them: a later job may read what an earlier one stored.
func RecomputeJobs() []Job {
	return []Job{JobCandidates, JobRelapse, JobDeadlines, JobCycle}
}

// Jobs lists every schedulable job in a stable order: the recompute jobs,
// then digest (which mails what they found), then send.
func Jobs() []Job { return append(RecomputeJobs(), JobDigest, JobSend) }

// Recomputes reports whether j is a job that computes findings.
func (j Job) Recomputes() bool { return slices.Contains(RecomputeJobs(), j) }

// Kind is the kind of a finding: what it is about, and so which payload it
// carries (see Payload).
type Kind string

// The finding kinds.
const (
	KindCandidate Kind = "candidate" // candidates: a commune's place in the proposal
	KindRelapse   Kind = "relapse"   // relapse: a transformed area re-checked
	KindTarget    Kind = "target"    // relapse: a selection year's target progress
	KindDeadline  Kind = "deadline"  // deadlines: a committee's report obligation
	// The cycle job's: an area of the year of work, a district proposal,
	// a district's proposal obligation, a target projection.
	KindCycleArea        Kind = "cycle_area"
	KindProposal         Kind = "proposal"
	KindProposalDeadline Kind = "proposal_deadline"
	KindProjection       Kind = "projection"
	// The cycle job's check of the committee's recorded selection of a
	// year against the plan's rules (cap, gate, new-rural exclusion),
	// written when the decision departs from one.
	KindDecision Kind = "decision"
	// Any recompute job's: a row of the province's data the run could not
	// use as it stands (see DataError).
	KindDataError Kind = "data_error"
)

// State is where the subject of a finding stands; an alert carries the
// state of the finding that raised it, or Resolved. Each kind has its own
// set of states, listed below; candidates and deadlines take theirs from
// the rules (rules.Status, rules.DeadlineState), which already name them.
type State string

// The states of a relapse finding.
const (
	Normal   State = "normal"
	Relapsed State = "relapsed"
)

// The states of a target finding.
const (
	TargetPending State = "pending" // no verdict on the year's areas yet
	TargetMet     State = "met"     // both targets met
	TargetNotMet  State = "not_met"
)

// The states of an area of the year of work (cycle_area findings).
const (
	CycleOnTrack  State = "on_track" // meets every indicator so far
	CycleBelow    State = "below"    // misses an indicator before the six-month mark: shown, not yet warned
	CycleAtRisk   State = "at_risk"  // misses an indicator after the six-month mark: early warning
	CycleNoData   State = "no_data"  // no case statistics (or no closed month) yet
	CycleAssessed State = "assessed" // the committee's verdict is recorded: it stands
)

// The states of a district proposal (proposal findings): acceptable, or
// the first thing wrong with it.
const (
	ProposalAcceptable    State = "acceptable"
	ProposalUnknownUnit   State = "unknown_unit"
	ProposalOtherDistrict State = "other_district"
	ProposalFailsGate     State = "fails_gate"
	ProposalExcludedNTM   State = "excluded_ntm"
)

// The states of a target projection (projection findings).
const (
	ProjectionNoData State = "no_data"
	ProjectionMet    State = "met"
	ProjectionBelow  State = "below" // projected to miss: a warning to the province
)

// The state of a decision finding: the committee's selection departs from
// a rule of the plan (which it may; the finding says so with the numbers).
const DecisionDeparts State = "departs"

// The problems a data error names; they are the data_error findings'
// states.
const (
	ProblemNull            State = "null"                   // a required value is NULL or not of the contract's type
	ProblemNegative        State = "negative_count"         // a count below zero
	ProblemBadValue        State = "bad_value"              // out of range: category 5, more serious crimes than crimes
	ProblemUnknownUnit     State = "unknown_unit"           // a unit code that is in no units row
	ProblemUnknownOffence  State = "unknown_offence"        // an offence code that is in no offence_types row
	ProblemUnknownDistrict State = "unknown_district"       // a district code that is in no districts row
	ProblemFutureDay       State = "future_day"             // a statistic or a submission dated after today
	ProblemDuplicate       State = "duplicate"              // the same key more than once
	ProblemTwoDistricts    State = "unit_in_two_districts"  // one commune listed under two districts on the same day
	ProblemEmptyDistrict   State = "district_without_units" // a district with no commune on the day
	ProblemSplit           State = "split"                  // a commune recorded with two or more successors
	ProblemNoSuccessor     State = "no_successor"           // rows on a commune outside its validity, with no successor
	ProblemNotWatched      State = "area_not_watched"       // a transformed area whose commune cannot be followed to the day
	ProblemBadName         State = "bad_name"               // a unit's or district's name that valid.Name refuses: shown cleaned
	ProblemBadCode         State = "bad_code"               // a unit's or district's code that valid.Code refuses
)

// Resolved is the state of an alert that closed without its finding saying
// how (the finding is gone); a finding that settles it (a report
// submitted, an area normal again) lends the alert its own state instead.
const Resolved State = "resolved"

// StatusState is the state of a candidate finding whose commune the
// proposal gave status s.
func StatusState(s rules.Status) State { return State(s) }

// DeadlineState is the state of a deadline or proposal_deadline finding
// whose obligation stands at s.
func DeadlineState(s rules.DeadlineState) State { return State(s) }

// Status reads a candidate finding's state as the rules name it.
func (s State) Status() rules.Status { return rules.Status(s) }

// Deadline reads a deadline or proposal_deadline finding's state (or that
// of the alert it raised) as the rules name it.
func (s State) Deadline() rules.DeadlineState { return rules.DeadlineState(s) }

// Strings returns names as plain strings, for messages and metric labels.
func Strings[T ~string](names []T) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = string(n)
	}
	return out
}
