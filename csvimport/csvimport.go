// Package csvimport reads the province's CSV exports into the store. Every
// row of a file is validated before anything is written, and the file is
// then loaded in one transaction: a file with one bad row changes nothing,
// and the error names the file, row and field.
package csvimport

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/valid"
)

// Kinds lists the importable files with their header, in the order a new
// province loads them (each refers to codes of the ones before; the
// successions, which came with the 2025 reform, refer to units only).
var Kinds = []struct {
	Name    string
	Columns []string
	Doc     string
	// Optional columns may be left out of the header; a row of a file
	// without them keeps what is stored.
	Optional []string
}{
	{"districts", []string{"code", "name", "kind"}, "kind: huyen | thi_xa | thanh_pho; optional valid_from, valid_to (may be empty)",
		[]string{"valid_from", "valid_to"}},
	{"units", []string{"code", "name", "kind", "district_code", "ntm_certified_on", "valid_from", "valid_to"}, "kind: xa | phuong | dac_khu | thi_tran; dates YYYY-MM-DD or DD/MM/YYYY, may be empty", nil},
	{"offences", []string{"code", "name", "category", "social_order"}, "category 1..4; social_order true|false", nil},
	{"statistics", []string{"unit_code", "day", "offence_code", "count"}, "one row per unit, day and offence type; count >= 0", nil},
	{"decisions", []string{"year", "unit_code", "decision", "category", "date"},
		"decision: selected | transformed | not_transformed; category 1..4 (selected; one row per category of an area); optional number, signer: the selection decision's number (12/QĐ-BCĐ) and signer, on selected rows only",
		[]string{"number", "signer"}},
	{"submissions", []string{"district_code", "obligation", "period", "unit_code", "submitted_at"},
		"submitted_at RFC 3339 or a date; a district's report: district_code, and unit_code only when the obligation is per commune; a commune's body's report (no district): unit_code and district_code empty", nil},
	{"proposals", []string{"year", "district_code", "unit_code", "proposed_on"}, "a district committee proposing a commune of its own for a selection year; district_code empty: the commune proposes itself", nil},
	{"case_stats", []string{"unit_code", "day", "crimes", "detected", "serious_crimes", "serious_detected", "reports_received", "reports_handled", "released", "reoffended"},
		"one row per unit and day (or month, on one of its days); counts >= 0; serious counts are part of crimes and detected", nil},
	{"successions", []string{"predecessor_code", "successor_code", "effective_on"},
		"from effective_on the territory of predecessor_code (a merged commune) belongs to successor_code; both known units, each pair once", nil},
}

// KindNames lists the names of Kinds, in their order.
func KindNames() []string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = k.Name
	}
	return names
}

// MaxErrors bounds how many row errors one import reports.
const MaxErrors = 20

// RowError is a bad value in one row of one file.
type RowError struct {
	File  string
	Row   int // 1-based line of the CSV, the header being row 1
	Field string
	Msg   string
}

func (e *RowError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s: row %d: %s", e.File, e.Row, e.Msg)
	}
	return fmt.Sprintf("%s: row %d, field %q: %s", e.File, e.Row, e.Field, e.Msg)
}

// Options carry what validation needs besides the file.
type Options struct {
	Today time.Time      // days after it are refused
	Loc   *time.Location // zone of submission dates given without a time
}

// ImportFile imports path as kind; see Import.
func ImportFile(ctx context.Context, s *store.Store, kind, path string, o Options) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	return Import(ctx, s, kind, filepath.Base(path), f, o)
}

// Import validates every row of r and loads them in one transaction. It
// returns the number of rows loaded, or an error listing up to MaxErrors bad
// rows, in which case nothing was written. A statistics file is streamed:
// its rows are validated and written as they are read, in the one
// transaction, so that memory does not grow with the file.
func Import(ctx context.Context, s *store.Store, kind, name string, r io.Reader, o Options) (int, error) {
	if o.Loc == nil {
		o.Loc = time.UTC
	}
	p := &parser{file: name, opts: o}
	cols, optional, err := p.columns(kind)
	if err != nil {
		return 0, err
	}
	// A file can be read again from where it starts now (see
	// store.UpsertStats); a pipe cannot.
	var reopen func() (*csv.Reader, error)
	if sk, ok := r.(io.ReadSeeker); ok {
		if start, err := sk.Seek(0, io.SeekCurrent); err == nil {
			reopen = func() (*csv.Reader, error) {
				if _, err := sk.Seek(start, io.SeekStart); err != nil {
					return nil, fmt.Errorf("%s: read again: %w", name, err)
				}
				return p.open(sk, kind, cols, optional)
			}
		}
	}
	if p.known, err = loadKnown(ctx, s); err != nil {
		return 0, err
	}
	cr, err := p.open(r, kind, cols, optional)
	if err != nil {
		return 0, err
	}
	if kind == "statistics" {
		return p.streamStats(ctx, s, cr, reopen)
	}
	ds, cy, n, err := p.parse(kind, cr)
	if err != nil {
		return 0, err
	}
	if len(cy.Proposals)+len(cy.CaseStats) > 0 {
		err = s.LoadCycle(ctx, cy)
	} else {
		err = s.Load(ctx, ds)
	}
	if err != nil {
		return 0, p.loadError(err)
	}
	return n, nil
}

// loadError names the row and field of a row the database refused (a
// store.RowFailure), or else says the load failed.
func (p *parser) loadError(err error) error {
	var rf *store.RowFailure
	if errors.As(err, &rf) {
		if rows := p.rows[rf.Table]; rf.Index >= 0 && rf.Index < len(rows) {
			p.row = rows[rf.Index]
			p.fail(rf.Column, "the database refused the row: %v", rf.Err)
			return p.result()
		}
	}
	return fmt.Errorf("%s: load: %w", p.file, err)
}

type knownCodes struct {
	districts, units, offences map[string]bool
	// districtRows are the stored districts, whose validity a file
	// without those columns keeps.
	districtRows map[string]rules.District
	// unitDistrict is each unit's district ("" when ungrouped).
	unitDistrict map[string]string
	// selections are the stored selections by year, unit and category,
	// whose decision number and signer a file without those columns keeps.
	selections map[string]rules.Selection
}

// selectionKey keys a selection for knownCodes.selections.
func selectionKey(year int, unit string, c rules.Category) string {
	return fmt.Sprintf("%d|%s|%d", year, unit, c)
}

func loadKnown(ctx context.Context, s *store.Store) (*knownCodes, error) {
	k := &knownCodes{districts: map[string]bool{}, units: map[string]bool{}, offences: map[string]bool{}, districtRows: map[string]rules.District{},
		unitDistrict: map[string]string{}, selections: map[string]rules.Selection{}}
	ds, err := s.Districts(ctx)
	if err != nil {
		return nil, fmt.Errorf("load districts: %w", err)
	}
	for _, d := range ds {
		k.districts[d.Code] = true
		k.districtRows[d.Code] = d
	}
	us, err := s.AllUnits(ctx)
	if err != nil {
		return nil, fmt.Errorf("load units: %w", err)
	}
	for _, u := range us {
		k.units[u.Code] = true
		k.unitDistrict[u.Code] = u.District
	}
	os, err := s.Offences(ctx)
	if err != nil {
		return nil, fmt.Errorf("load offence types: %w", err)
	}
	for _, o := range os {
		k.offences[o.Code] = true
	}
	sel, err := s.Selections(ctx)
	if err != nil {
		return nil, fmt.Errorf("load selections: %w", err)
	}
	for _, x := range sel {
		k.selections[selectionKey(x.Year, x.Unit, x.Category)] = x
	}
	return k, nil
}

type parser struct {
	file  string
	opts  Options
	known *knownCodes
	errs  []error
	// bad counts the rows with an error, all of them (errs stops at
	// MaxErrors); badAt is the last one counted.
	bad, badAt int
	// per-row state
	row    int
	fields map[string]string
	// has marks the columns of the header; idx is each one's position,
	// order the columns in the header's order.
	has   map[string]bool
	idx   map[string]int
	order []string
	// lastDay memoises the last day read: a statistics file repeats a
	// day for every offence type of a unit.
	lastDay struct {
		text string
		t    time.Time
	}
	// rows are the CSV rows of what was read into each table, in the
	// order of the dataset's rows, to name a row the database refuses.
	rows map[string][]int
}

func (p *parser) fail(field, format string, args ...any) {
	if p.bad == 0 || p.badAt != p.row {
		p.bad, p.badAt = p.bad+1, p.row
	}
	if len(p.errs) <= MaxErrors {
		p.errs = append(p.errs, &RowError{File: p.file, Row: p.row, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
}

// result is the error listing the bad rows found, nil when there is none.
func (p *parser) result() error {
	if len(p.errs) == 0 {
		return nil
	}
	errs := p.errs
	if len(errs) > MaxErrors {
		errs = append(errs[:MaxErrors:MaxErrors], fmt.Errorf("%s: more errors not shown", p.file))
	}
	return fmt.Errorf("%s: %d bad row(s), nothing imported:\n%w", p.file, max(p.bad, 1), errors.Join(errs...))
}

// columns are the required and optional columns of kind.
func (p *parser) columns(kind string) (cols, optional []string, err error) {
	for _, k := range Kinds {
		if k.Name == kind {
			return k.Columns, k.Optional, nil
		}
	}
	return nil, nil, fmt.Errorf("unknown import kind %q; use one of: %s", kind, strings.Join(KindNames(), ", "))
}

// header reads and checks the header row of a kind's file.
func (p *parser) header(cr *csv.Reader, kind string, cols, optional []string) error {
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%s: read header: %w", p.file, err)
	}
	p.idx = map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if _, dup := p.idx[h]; dup {
			return fmt.Errorf("%s: row 1: column %s appears twice", p.file, quote(h))
		}
		p.idx[h] = i
	}
	for _, c := range cols {
		if _, ok := p.idx[c]; !ok {
			return fmt.Errorf("%s: row 1: missing column %q; a %s file needs: %s", p.file, c, kind, strings.Join(cols, ","))
		}
	}
	p.has = map[string]bool{}
	for h := range p.idx {
		if !contains(cols, h) && !contains(optional, h) {
			all := strings.Join(cols, ",")
			if len(optional) > 0 {
				all += " and optionally " + strings.Join(optional, ",")
			}
			return fmt.Errorf("%s: row 1: unknown column %s; a %s file has: %s", p.file, quote(h), kind, all)
		}
		p.has[h] = true
	}
	p.fields = make(map[string]string, len(p.idx))
	p.order = make([]string, len(header))
	for h, i := range p.idx {
		p.order[i] = h
	}
	p.rows = map[string][]int{}
	p.row = 1
	return nil
}

// next reads the next row into p.fields; false at the end of the file or
// when the rest cannot be read (which is then a row error).
func (p *parser) next(cr *csv.Reader) bool {
	for {
		p.row++
		rec, err := cr.Read()
		if err == io.EOF {
			return false
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				p.row = pe.Line
			}
			p.fail("", "malformed CSV: %v", err)
			return false
		}
		if len(rec) != len(p.idx) {
			p.fail("", "has %d fields, the header has %d", len(rec), len(p.idx))
			continue
		}
		for i, c := range p.order {
			p.fields[c] = strings.TrimSpace(rec[i])
		}
		return true
	}
}

// parse reads every row of a kind's file into a dataset.
func (p *parser) parse(kind string, cr *csv.Reader) (*store.Dataset, *store.CycleDataset, int, error) {
	ds, cy := &store.Dataset{}, &store.CycleDataset{}
	seen := map[string]int{}
	n := 0
	for p.next(cr) {
		key := p.addRow(kind, ds, cy)
		if key != "" {
			if first, dup := seen[key]; dup {
				p.fail("", "duplicates row %d (same key %s)", first, key)
			} else {
				seen[key] = p.row
			}
		}
		n++
	}
	if err := p.result(); err != nil {
		return nil, nil, 0, err
	}
	if n == 0 {
		return nil, nil, 0, fmt.Errorf("%s: no data rows after the header", p.file)
	}
	return ds, cy, n, nil
}

// open checks the start of a kind's file (sniff) and its header, and
// returns the reader of its rows.
func (p *parser) open(r io.Reader, kind string, cols, optional []string) (*csv.Reader, error) {
	r, err := sniff(p.file, r)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	if err := p.header(cr, kind, cols, optional); err != nil {
		return nil, err
	}
	return cr, nil
}

// streamStats validates a statistics file row by row and hands the good
// rows to the store as they are read, in one transaction: after the first
// bad row nothing more is written, the rest is still checked so that
// every bad row is named, and the transaction is rolled back. Rows that
// repeat a key are found by the store, which names both rows. reopen,
// when set, reads the file again from its start for the store.
func (p *parser) streamStats(ctx context.Context, s *store.Store, cr *csv.Reader, reopen func() (*csv.Reader, error)) (int, error) {
	n := 0
	rowsOf := func(cr *csv.Reader) iter.Seq2[int, store.Stat] {
		return func(yield func(int, store.Stat) bool) {
			for p.next(cr) {
				st := p.stat()
				n++
				if len(p.errs) == 0 && !yield(p.row, st) {
					return
				}
			}
		}
	}
	check := func() error {
		if err := p.result(); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("%s: no data rows after the header", p.file)
		}
		return nil
	}
	var replay func() (iter.Seq2[int, store.Stat], error)
	if reopen != nil {
		replay = func() (iter.Seq2[int, store.Stat], error) {
			p.errs, p.bad, n = nil, 0, 0
			cr, err := reopen()
			if err != nil {
				return nil, err
			}
			return rowsOf(cr), nil
		}
	}
	rows := rowsOf(cr)
	_, err := s.UpsertStats(ctx, rows, check, replay)
	if err == nil {
		return n, nil
	}
	if perr := check(); perr != nil {
		return 0, perr
	}
	var (
		dup *store.DuplicateRows
		rf  *store.RowFailure
	)
	switch {
	case errors.As(err, &dup):
		for _, c := range dup.Rows {
			p.row = c.Row
			p.fail("", "duplicates row %d (same key %s)", c.First, c.Key)
		}
		return 0, p.result()
	case errors.As(err, &rf):
		p.row = rf.Row
		p.fail(rf.Column, "the database refused the row: %v", rf.Err)
		return 0, p.result()
	}
	return 0, fmt.Errorf("%s: load: %w", p.file, err)
}

// stat validates the current row of a statistics file.
func (p *parser) stat() store.Stat {
	return store.Stat{Unit: p.ref("unit_code", p.known.units, "unit"), Day: p.date("day", true),
		Offence: p.ref("offence_code", p.known.offences, "offence type"), Count: p.count("count")}
}

// addRow validates the current row into ds and returns its key for the
// duplicate check ("" when the row was bad).
func (p *parser) addRow(kind string, ds *store.Dataset, cy *store.CycleDataset) string {
	before := len(p.errs)
	var key string
	switch kind {
	case "districts":
		d := rules.District{Code: p.code("code"), Name: p.name("name"), Kind: p.oneOf("kind", rules.DistrictKinds...)}
		stored := p.known.districtRows[d.Code]
		d.ValidFrom, d.ValidTo = stored.ValidFrom, stored.ValidTo
		if p.has["valid_from"] {
			d.ValidFrom = p.date("valid_from", false)
		}
		if p.has["valid_to"] {
			d.ValidTo = p.date("valid_to", false)
		}
		if !d.ValidFrom.IsZero() && !d.ValidTo.IsZero() && d.ValidTo.Before(d.ValidFrom) {
			p.fail("valid_to", "%s is before valid_from %s", day(d.ValidTo), day(d.ValidFrom))
		}
		ds.Districts = append(ds.Districts, d)
		p.read("districts")
		key = d.Code
	case "units":
		u := store.UnitRow{Unit: rules.Unit{
			Code: p.code("code"), Name: p.name("name"), Kind: p.oneOf("kind", rules.UnitKinds...),
			District:       p.optionalRef("district_code", p.known.districts, "district"),
			NTMCertifiedOn: p.date("ntm_certified_on", false),
		}, ValidFrom: p.date("valid_from", false), ValidTo: p.date("valid_to", false)}
		if !u.ValidFrom.IsZero() && !u.ValidTo.IsZero() && u.ValidTo.Before(u.ValidFrom) {
			p.fail("valid_to", "%s is before valid_from %s", day(u.ValidTo), day(u.ValidFrom))
		}
		ds.Units = append(ds.Units, u)
		p.read("units")
		key = u.Code
	case "offences":
		o := store.Offence{Code: p.code("code"), Name: p.name("name"), Category: p.category("category"), SocialOrder: p.boolean("social_order")}
		ds.Offences = append(ds.Offences, o)
		p.read("offence_types")
		key = o.Code
	case "successions":
		sc := rules.Succession{Predecessor: p.ref("predecessor_code", p.known.units, "unit"), Successor: p.ref("successor_code", p.known.units, "unit"),
			EffectiveOn: p.date("effective_on", true)}
		if sc.Predecessor != "" && sc.Predecessor == sc.Successor {
			p.fail("successor_code", "%s cannot succeed itself", sc.Successor)
		}
		ds.Successions = append(ds.Successions, sc)
		p.read("unit_successions")
		key = sc.Predecessor + "|" + sc.Successor
	case "decisions":
		year := p.year("year")
		unit := p.ref("unit_code", p.known.units, "unit")
		when := p.date("date", true)
		switch p.oneOf("decision", "selected", "transformed", "not_transformed") {
		case "selected":
			// One row per category: an area selected in categories 1 and 3
			// is two rows, and only the same category twice is a copy.
			sel := rules.Selection{Year: year, Unit: unit, Category: p.category("category"), DecidedOn: when}
			stored := p.known.selections[selectionKey(year, unit, sel.Category)]
			sel.Number, sel.Signer = stored.Number, stored.Signer
			if p.has["number"] {
				sel.Number = p.line("number")
			}
			if p.has["signer"] {
				sel.Signer = p.line("signer")
			}
			ds.Selections = append(ds.Selections, sel)
			p.read("selections")
			key = "selected|" + selectionKey(year, unit, sel.Category)
		case "transformed", "not_transformed":
			// The verdicts' own decisions are not recorded: a number here
			// would be lost, so the file is refused rather than read.
			for _, f := range []string{"number", "signer"} {
				if p.fields[f] != "" {
					p.fail(f, "is recorded for selected rows only; leave it empty on a %s row", p.fields["decision"])
				}
			}
			ds.Assessments = append(ds.Assessments, rules.Assessment{Year: year, Unit: unit, Transformed: p.fields["decision"] == "transformed", AssessedOn: when})
			p.read("assessments")
			key = fmt.Sprintf("assessed|%d|%s", year, unit)
		}
	case "submissions":
		s := store.SubmissionRow{
			District:   p.optionalRef("district_code", p.known.districts, "district"),
			Obligation: p.code("obligation"), Period: p.periodKey("period"),
			Unit:        p.optionalRef("unit_code", p.known.units, "unit"),
			SubmittedAt: p.instant("submitted_at"),
		}
		if s.District == "" && s.Unit == "" {
			// Whose report? A district's names its district; without
			// districts, a commune's body names its commune.
			p.fail("district_code", "is empty and so is unit_code; give the district that sent the report, or (without districts) the commune whose body sent it")
		}
		ds.Submissions = append(ds.Submissions, s)
		p.read("submissions")
		key = strings.Join([]string{s.District, s.Obligation, s.Period, s.Unit}, "|")
	case "proposals":
		pr := rules.DistrictProposal{
			Year:     p.year("year"),
			District: p.optionalRef("district_code", p.known.districts, "district"),
			Unit:     p.ref("unit_code", p.known.units, "unit"), ProposedOn: p.date("proposed_on", true),
		}
		if ud, ok := p.known.unitDistrict[pr.Unit]; ok && ud != "" && pr.District != "" && ud != pr.District {
			p.fail("unit_code", "%s belongs to district %s, not to the proposing %s", pr.Unit, ud, pr.District)
		}
		cy.Proposals = append(cy.Proposals, pr)
		p.read("proposals")
		key = fmt.Sprintf("%d|%s|%s", pr.Year, pr.District, pr.Unit)
	case "case_stats":
		c := store.CaseStat{Unit: p.ref("unit_code", p.known.units, "unit"), Day: p.date("day", true),
			Crimes: p.count("crimes"), Detected: p.count("detected"), SeriousCrimes: p.count("serious_crimes"), SeriousDetected: p.count("serious_detected"),
			ReportsReceived: p.count("reports_received"), ReportsHandled: p.count("reports_handled"), Released: p.count("released"), Reoffended: p.count("reoffended")}
		if c.SeriousCrimes > c.Crimes {
			p.fail("serious_crimes", "%d is more than the %d crimes it is part of", c.SeriousCrimes, c.Crimes)
		}
		if c.SeriousDetected > c.Detected {
			p.fail("serious_detected", "%d is more than the %d detected it is part of", c.SeriousDetected, c.Detected)
		}
		cy.CaseStats = append(cy.CaseStats, c)
		p.read("case_stats")
		key = c.Unit + "|" + day(c.Day)
	}
	if len(p.errs) > before {
		return ""
	}
	return key
}

// read notes that the current row was read into table.
func (p *parser) read(table string) { p.rows[table] = append(p.rows[table], p.row) }

func (p *parser) required(f string) string {
	v := p.fields[f]
	if v == "" {
		p.fail(f, "is empty")
	}
	return v
}

// name reads a unit's, district's or offence's name: valid.Name, so that
// no mail subject or page can carry a line break, a control character or
// a name longer than a line.
func (p *parser) name(f string) string {
	v := p.fields[f]
	if err := valid.Name(v); err != nil {
		p.fail(f, "%v", err)
		return ""
	}
	return v
}

// line reads an optional single line of text (a decision's number, its
// signer): "" when empty, else a valid.Name.
func (p *parser) line(f string) string {
	if p.fields[f] == "" {
		return ""
	}
	return p.name(f)
}

// code reads a code: valid.Code.
func (p *parser) code(f string) string {
	v := p.fields[f]
	if err := valid.Code(v); err != nil {
		p.fail(f, "%v", err)
		return ""
	}
	return v
}

func (p *parser) oneOf(f string, allowed ...string) string {
	v := p.required(f)
	if v != "" && !contains(allowed, v) {
		p.fail(f, "%s is not one of %s", quote(v), strings.Join(allowed, ", "))
	}
	return v
}

func (p *parser) ref(f string, known map[string]bool, what string) string {
	v := p.required(f)
	if v != "" && !known[v] {
		p.fail(f, "unknown %s code %s; import it first", what, quote(v))
	}
	return v
}

func (p *parser) optionalRef(f string, known map[string]bool, what string) string {
	v := p.fields[f]
	if v != "" && !known[v] {
		p.fail(f, "unknown %s code %s; import it first", what, quote(v))
	}
	return v
}

func (p *parser) category(f string) rules.Category {
	v := p.required(f)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || !rules.Category(n).Valid() {
		p.fail(f, "%s is not a category; use 1, 2, 3 or 4", quote(v))
		return 0
	}
	return rules.Category(n)
}

func (p *parser) boolean(f string) bool {
	switch strings.ToLower(p.fields[f]) {
	case "true", "1", "yes", "có", "co":
		return true
	case "false", "0", "no", "không", "khong":
		return false
	}
	p.fail(f, "%s is not true or false", quote(p.fields[f]))
	return false
}

// count reads a count: a whole number within valid.Count.
func (p *parser) count(f string) int {
	v := p.required(f)
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	switch {
	case errors.Is(err, strconv.ErrRange):
		p.fail(f, "%s is too large; a count is at most %d", quote(v), valid.MaxCount)
		return 0
	case err != nil:
		p.fail(f, "%s is not a whole number", quote(v))
		return 0
	}
	if err := valid.Count(n); err != nil {
		p.fail(f, "%v", err)
		return 0
	}
	return int(n)
}

func (p *parser) year(f string) int {
	v := p.required(f)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < valid.FirstYear || n > p.opts.Today.Year()+1 {
		p.fail(f, "%s is not a year between %d and %d", quote(v), valid.FirstYear, p.opts.Today.Year()+1)
	}
	return n
}

var dateLayouts = []string{"2006-01-02", "02/01/2006", "2/1/2006"}

func (p *parser) date(f string, required bool) time.Time {
	v := p.fields[f]
	if v == "" {
		if required {
			p.fail(f, "is empty")
		}
		return time.Time{}
	}
	if v == p.lastDay.text {
		return p.lastDay.t
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, v); err == nil {
			if err := valid.Day(t, p.opts.Today); err != nil {
				p.fail(f, "%v", err)
				return t
			}
			p.lastDay.text, p.lastDay.t = v, t
			return t
		}
	}
	p.fail(f, "%s is not a date; use YYYY-MM-DD or DD/MM/YYYY", quote(v))
	return time.Time{}
}

func (p *parser) instant(f string) time.Time {
	v := p.required(f)
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		d := p.date(f, true)
		if d.IsZero() {
			return d
		}
		t = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, p.opts.Loc)
	}
	if err := valid.Day(period.Day(t, p.opts.Loc), p.opts.Today); err != nil {
		p.fail(f, "%v", err)
	}
	return t
}

func (p *parser) periodKey(f string) string {
	v := p.required(f)
	if v == "" {
		return v
	}
	y, h, _ := strings.Cut(v, "-")
	if _, err := strconv.Atoi(y); err != nil || len(y) != 4 || (h != "" && h != "H1" && h != "H2") {
		p.fail(f, "%s is not a period; use YYYY, YYYY-H1 or YYYY-H2", quote(v))
	}
	return v
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

// quoteRunes bounds a value quoted in a message: a 10 MB field is named
// by its start.
const quoteRunes = 40

// quote quotes a value of the file for a message, escaped (a terminal
// escape or a line break in the file is shown, not obeyed) and bounded.
func quote(v string) string {
	if utf8.RuneCountInString(v) > quoteRunes {
		return fmt.Sprintf("%q…", string([]rune(v)[:quoteRunes]))
	}
	return fmt.Sprintf("%q", v)
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
