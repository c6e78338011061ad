package finding

import (
	"encoding/json"
	"fmt"
	"time"

	"chuyenhoa/period"
	"chuyenhoa/rules"
)

// Payload is the set of types a finding carries, one per kind: a finding of
// kind KindOf[T]() holds a T as JSON. Their JSON is what databases already
// store, so a field is renamed or moved only with a migration; a new field
// is read as its zero value from older rows, or filled by Decode from what
// the older rows held (see upgrader).
type Payload interface {
	CandidateItem | RelapseItem | rules.Progress | rules.Deadline | CycleItem |
		rules.ProposalCheck | rules.ProposalDeadline | ProjectionItem | DataError | rules.DecisionCheck
}

// CandidateItem is a candidate finding: the commune's numbers and the
// proposal-wide figures its reasons refer to.
type CandidateItem struct {
	Year       int
	Reference  period.Range // the statistical period the counts cover
	TotalUnits int
	Cap        int
	rules.Candidate
}

// RelapseItem is a relapse finding: one area's check with its state over
// time.
type RelapseItem struct {
	rules.RelapseResult
	// Changed is true when this check moved the area between normal and
	// relapsed: the one moment a notice is due.
	Changed      bool
	Since        time.Time    // day the current state began
	EverRelapsed bool         // counted against the 85% target
	Window       period.Range // the rolling statistical year the counts cover
	// Committee is responsible for the area: its district's, or its own
	// commune-level body without a district. Payloads stored before it
	// existed read the province (which never owns an area; nor is it
	// written): readers then take the unit's committee from the names.
	Committee rules.Committee `json:",omitzero"`
}

// CycleItem is a cycle_area finding: one area of the year of work with its
// indicators.
type CycleItem struct {
	rules.CycleArea
	District   string
	Window     period.Range
	HasWindow  bool
	Indicators rules.IndicatorResult
	State      State     // CycleOnTrack … CycleAssessed
	YearEnd    time.Time // end of the statistical year: the data the assessment rests on
}

// ProjectionItem is a projection finding: one yearly target's projection.
type ProjectionItem struct {
	Target  string // PassTarget (60%) or StableTarget (85%)
	Percent int
	rules.Projection
}

// The yearly targets a projection is about.
const (
	PassTarget   = "pass"   // the share of the year's selected areas transformed
	StableTarget = "stable" // the share of the transformed areas not relapsed
)

// Action is what a run did with the rows of a data error.
type Action string

// The actions.
const (
	ActionLeftOut     Action = "left_out"     // not used by the run
	ActionCountedOnce Action = "counted_once" // identical copies used once
	ActionKept        Action = "kept"         // used as it is; reported for a person to look at
)

// DataError is a data_error finding: rows of the province's data that a run
// could not use as they stand, what is wrong with them and what the run did
// with them, for the data officer to fix at the source.
type DataError struct {
	Relation string // districts, units, crime_stats …
	Problem  State  // ProblemNull …; also the finding's state
	// Rows counts the rows concerned, once per run (for statistics of an
	// unknown unit, which are found in the period's totals: 1).
	Rows    int
	Example string // one of them as read, NULLs shown as NULL
	Action  Action
	// Truncated is set when the check stopped counting at its limit.
	Truncated bool
	Message   string // in Vietnamese, for the data officer
}

// KindOf returns the kind of finding that carries a T.
func KindOf[T Payload]() Kind {
	var v T
	switch any(v).(type) {
	case CandidateItem:
		return KindCandidate
	case RelapseItem:
		return KindRelapse
	case rules.Progress:
		return KindTarget
	case rules.Deadline:
		return KindDeadline
	case CycleItem:
		return KindCycleArea
	case rules.ProposalCheck:
		return KindProposal
	case rules.ProposalDeadline:
		return KindProposalDeadline
	case ProjectionItem:
		return KindProjection
	case DataError:
		return KindDataError
	case rules.DecisionCheck:
		return KindDecision
	}
	// Unreachable: the cases above are Payload's type set.
	panic(fmt.Sprintf("finding: no kind for %T", v))
}

// Encode returns v as a finding stores it: its kind and its JSON. An
// error is encoding/json's (a NaN rate); the caller names the finding.
func Encode[T Payload](v T) (Kind, json.RawMessage, error) {
	if c, ok := any(v).(CandidateItem); ok {
		// The payload a round writes most of (see appendCandidate).
		b, err := appendCandidate(make([]byte, 0, 640), c)
		return KindCandidate, b, err
	}
	b, err := json.Marshal(v)
	return KindOf[T](), b, err
}

// Decode reads the payload of a finding (or alert) of kind k as a T. It
// refuses a kind that does not carry a T: reading one kind's JSON as
// another's would decode the shared field names and silently zero the
// rest. A payload that does not decode returns encoding/json's error; the
// caller names the finding.
func Decode[T Payload](k Kind, raw json.RawMessage) (T, error) {
	var v T
	if want := KindOf[T](); k != want {
		return v, fmt.Errorf("a %s finding does not carry a %s payload", k, want)
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, err
	}
	if u, ok := any(&v).(upgrader); ok {
		u.upgrade()
	}
	return v, nil
}

// upgrader is a payload that fills, once decoded, the fields a newer
// release added from those an older one stored, so every reader sees the
// newer shape whichever release wrote the row.
type upgrader interface{ upgrade() }

// upgrade reads a relapse finding stored when an area had one category
// (Area.Category, CatProvinceAvg, CatDistrictAvg) as an area of that one
// category with its check.
func (it *RelapseItem) upgrade() {
	a := &it.Area
	if len(a.Categories) > 0 || !a.Category.Valid() {
		return
	}
	a.Categories = []rules.Category{a.Category}
	it.CategoryChecks = []rules.CategoryCheck{{Category: a.Category, Count: it.Counts.ByCategory[a.Category],
		ProvinceAvg: it.CatProvinceAvg, DistrictAvg: it.CatDistrictAvg, Complex: it.ByCategory}}
}

// upgrade reads a cycle_area finding stored when an area had one category
// as an area of that one category.
func (it *CycleItem) upgrade() {
	if len(it.Categories) == 0 && it.Category.Valid() {
		it.Categories = []rules.Category{it.Category}
	}
}
