// Package contract reads the data contract for one run and checks what it
// reads. The data contract is the ten relations a province fills, or maps
// onto its own tables with views (README, "Data contract"); views carry
// none of our constraints, and one bad row must neither crash a run nor
// silently skew its numbers. A Source checks every row it hands a job,
// leaves out the rows it cannot use (or counts identical copies once),
// hands over the rest and records every problem as a data error
// (finding.DataError): the row as read, what is wrong with it and what was
// done with it. The job writes those as data_error findings of its run.
//
// Since the 2025 reform a province's data holds years under communes and
// districts that no longer exist. A Source builds the territory
// (rules.Territory) from units, districts and unit_successions and
// attributes every row to the units of the computation's day: a merged
// commune's statistics and decisions are its successor's, and what cannot
// be followed (a split, a commune ended with no successor) is a data error.
//
// The package is named for what it guards, the contract between a
// province's data and the rules, rather than for the check alone: it is
// the one way the jobs read that data. It depends on the store (which
// reads the rows without failing on them, see store/datacheck.go), the
// rules' types and the vocabulary in finding; the Vietnamese of its
// messages is in labels.
package contract

import (
	"maps"
	"slices"
	"strings"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/labels"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// checkLimit bounds the rows one check of a statistics relation reads: a
// view that is wrong as a whole (every row has an unknown offence) is
// reported as such without reading it all into memory.
const checkLimit = 5000

// Settings are what the check takes from the configuration.
type Settings struct {
	// Location is the province's time zone (required): it makes today, and
	// the day a report was received.
	Location *time.Location
	// Grouped is set when communes are grouped into districts: a unit's
	// unknown district and a district without communes are then reported.
	Grouped bool
	// DatedGrouping (grouping auto) makes the districts' validity decide:
	// on a day a unit belongs to its district only while that district is
	// valid, and a day with no district in force is a province without a
	// district level. Unset, districts are in force whatever their dates.
	DatedGrouping bool
	// WatchMonths is how long a transformed area is watched (0: always):
	// an area that cannot be followed to the day's communes is reported
	// only while it should be watched.
	WatchMonths int
}

// Source reads the data contract for one run and checks it. Its methods
// return what the corresponding Store methods return, over the rows the
// check accepts; Errors lists what it found. A Source is used by one run,
// from one goroutine.
type Source struct {
	st    *store.Store
	set   Settings
	today time.Time // rows dated after it are in the future
	now   time.Time // submissions after it have not arrived
	day   time.Time // the day of the run

	shared *Shared // the round's reads, nil when the run is alone
	// recording, when set, collects the problems reported (loadUnits).
	recording *[]problem
	// checkedUnits is loadUnits' result, shared with the round.
	checkedUnits *unitsChecked

	errs map[string]*Error // by finding key
	seen map[string]bool   // rows already counted in a data error

	units      []store.Raw[store.UnitRow]
	unitCodes  map[string]bool
	unitsRead  bool
	districts  map[string]bool  // codes of the districts relation
	terr       *rules.Territory // units, districts and successions, usable rows
	offences   map[string]bool  // usable offence codes
	offTrouble bool             // offence_types has rows that would skew Counts
	offRead    bool
}

// New returns a Source reading st for a run at now for day. A row is "in
// the future" when it is dated after both today (now's day) and day: a run
// for a later day (a test, a planning run) does not call the days up to it
// impossible.
func New(st *store.Store, set Settings, now, day time.Time) *Source {
	today, runDay := period.Day(now, set.Location), day
	if day.After(today) {
		today = day
		if end := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, set.Location); end.After(now) {
			now = end
		}
	}
	return &Source{st: st, set: set, now: now, today: today, day: runDay, errs: map[string]*Error{}, seen: map[string]bool{}}
}

// Share makes s read through sh, the reads of its round (see Shared), and
// returns s. A nil sh reads alone.
func (s *Source) Share(sh *Shared) *Source {
	s.shared = sh
	return s
}

// Error is one data error of a run: the rows of one relation with one
// problem about one thing (a code, a key, a row), as the data_error
// finding that reports them.
type Error struct {
	Key            string // relation/problem/ident: the finding's key
	District, Unit string // whom the finding concerns ("" when nobody in particular)
	finding.DataError
}

// Errors returns the data errors found so far, ordered by key.
func (s *Source) Errors() []Error {
	out := make([]Error, 0, len(s.errs))
	for _, k := range slices.Sorted(maps.Keys(s.errs)) {
		out = append(out, *s.errs[k])
	}
	return out
}

// problem is one row the check could not use as it stands. The rows with
// one Relation, Problem and Ident make one data error.
type problem struct {
	Relation       string        // districts, units, crime_stats …
	Problem        finding.State // finding.ProblemNull …
	Ident          string        // what it is about: a code, a key, the row itself (rowIdent)
	District, Unit string        // whom the data error concerns
	Action         finding.Action
	Row            string // the row as read; the data error counts each distinct one once
	Detail         string // what the message quotes: the columns, the code, the key, the limit
}

// maxExample bounds the example row a data error keeps, in characters:
// a row with a name of megabytes is shown by its start.
const maxExample = 500

// report records p under the data error key relation/problem/ident; the
// first row reported is its example and says whom it concerns.
func (s *Source) report(p problem) {
	if s.recording != nil {
		*s.recording = append(*s.recording, p)
	}
	key := p.Relation + "/" + string(p.Problem) + "/" + p.Ident
	e, ok := s.errs[key]
	if !ok {
		e = &Error{Key: key, District: p.District, Unit: p.Unit, DataError: finding.DataError{
			Relation: p.Relation, Problem: p.Problem, Example: labels.Shorten(p.Row, maxExample), Action: p.Action,
			Message: labels.DataMessage(p.Relation, p.Problem, p.Action, p.Detail)}}
		s.errs[key] = e
	}
	if row := key + "\x00" + p.Row; !s.seen[row] {
		s.seen[row] = true
		e.Rows++
	}
}

// unreadable is the problem of a row with NULLs where the contract needs a
// value, or values not of the contract's type: it is left out. It names
// the row by its text, as its key may be what is missing.
func unreadable[T any](rel string, x store.Raw[T]) problem {
	return problem{Relation: rel, Problem: finding.ProblemNull, Ident: rowIdent(x.Text()), Action: finding.ActionLeftOut,
		Row: x.Text(), Detail: strings.Join(x.Bad, ", ")}
}

// rowIdent names a row whose key cannot be read: its text, bounded.
func rowIdent(text string) string {
	if len(text) > 120 {
		text = text[:120]
	}
	return text
}

// truncated marks every data error of rel as counted up to the limit.
func (s *Source) truncated(rel string, t bool) {
	if !t {
		return
	}
	for _, e := range s.errs {
		if e.Relation == rel {
			e.Truncated = true
		}
	}
}
