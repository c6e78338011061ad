package contract_test

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"chuyenhoa/contract"
	"chuyenhoa/finding"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

func d(y int, m time.Month, day int) time.Time { return period.Date(y, m, day) }

var (
	now       = time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC)
	today     = d(2026, 3, 1)
	statYear  = period.Range{From: d(2024, 12, 15), To: d(2025, 12, 14)} // the 2025 statistical year
	caseRange = period.Range{From: d(2025, 12, 15), To: d(2026, 2, 14)}
	grouped   = contract.Settings{Location: time.UTC, Grouped: true}
)

// clean is a province with nothing wrong in it: districts D1 (A, B) and D2
// (C), one offence type; each other relation holds a row or two.
func clean(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	u := func(code, dist string) store.UnitRow {
		return store.UnitRow{Unit: rules.Unit{Code: code, Name: "Xã " + code, Kind: "xa", District: dist}}
	}
	stat := func(unit string, n int) store.Stat {
		return store.Stat{Unit: unit, Day: d(2025, 6, 1), Offence: "TT", Count: n}
	}
	err := s.Load(ctx, &store.Dataset{
		Districts:   []rules.District{{Code: "D1", Name: "Huyện Một", Kind: "huyen"}, {Code: "D2", Name: "Huyện Hai", Kind: "huyen"}},
		Units:       []store.UnitRow{u("A", "D1"), u("B", "D1"), u("C", "D2")},
		Offences:    []store.Offence{{Code: "TT", Name: "Trộm cắp tài sản", Category: rules.Cat1, SocialOrder: true}},
		Stats:       []store.Stat{stat("A", 5), stat("B", 1), stat("C", 2)},
		Selections:  []rules.Selection{{Year: 2025, Unit: "A", Category: rules.Cat1, DecidedOn: d(2025, 2, 1)}},
		Assessments: []rules.Assessment{{Year: 2025, Unit: "A", Transformed: true, AssessedOn: d(2026, 1, 15)}},
		Submissions: []store.SubmissionRow{{District: "D1", Obligation: "plan", Period: "2025", SubmittedAt: time.Date(2025, 3, 1, 3, 0, 0, 0, time.UTC)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	exec(t, s,
		`INSERT INTO proposals VALUES (2026, 'D1', 'A', '2025-12-01')`,
		`INSERT INTO case_stats VALUES ('A', '2026-01-10', 4, 3, 0, 0, 0, 0, 0, 0)`)
}

func exec(t *testing.T, s *store.Store, qs ...string) {
	t.Helper()
	for _, q := range qs {
		if _, err := s.DB().ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// view replaces table rel by a view over it and a table of extra rows, as a
// province's mapping over a UNION hands over NULLs and copies of a key.
func view(rel string, rows ...string) []string { return viewOf(rel, "*", rows...) }

// viewOf is view with only the columns cols of the table: a province's
// view that lacks the optional ones.
func viewOf(rel, cols string, rows ...string) []string {
	qs := []string{`ALTER TABLE ` + rel + ` RENAME TO ` + rel + `_base`,
		`CREATE TABLE ` + rel + `_extra AS SELECT ` + cols + ` FROM ` + rel + `_base WHERE 1 = 0`}
	for _, r := range rows {
		qs = append(qs, `INSERT INTO `+rel+`_extra VALUES `+r)
	}
	return append(qs, `CREATE VIEW `+rel+` AS SELECT `+cols+` FROM `+rel+`_base UNION ALL SELECT * FROM `+rel+`_extra`)
}

// A read returns what a Source handed over, written short.
type read func(ctx context.Context, src *contract.Source) (string, error)

func readUnits(ctx context.Context, src *contract.Source) (string, error) {
	us, err := src.Units(ctx, today)
	var out []string
	for _, u := range us {
		out = append(out, u.Code)
	}
	return strings.Join(out, " "), err
}

func readCounts(ctx context.Context, src *contract.Source) (string, error) {
	cs, err := src.Counts(ctx, statYear, today)
	var out []string
	for _, code := range slices.Sorted(maps.Keys(cs)) {
		out = append(out, fmt.Sprintf("%s=%d", code, cs[code].SocialOrder))
	}
	return strings.Join(out, " "), err
}

func readCaseCounts(ctx context.Context, src *contract.Source) (string, error) {
	cs, err := src.CaseCounts(ctx, caseRange, today)
	var out []string
	for _, code := range slices.Sorted(maps.Keys(cs)) {
		out = append(out, fmt.Sprintf("%s=%d/%d", code, cs[code].Crimes, cs[code].Detected))
	}
	return strings.Join(out, " "), err
}

func readSelections(ctx context.Context, src *contract.Source) (string, error) {
	ss, err := src.Selections(ctx, today)
	var out []string
	for _, s := range ss {
		out = append(out, fmt.Sprintf("%d/%s/%d", s.Year, s.Unit, s.Category))
	}
	return strings.Join(out, " "), err
}

func readAssessments(ctx context.Context, src *contract.Source) (string, error) {
	as, err := src.Assessments(ctx, today)
	var out []string
	for _, a := range as {
		out = append(out, fmt.Sprintf("%d/%s/%t", a.Year, a.Unit, a.Transformed))
	}
	return strings.Join(out, " "), err
}

func readSubmissions(ctx context.Context, src *contract.Source) (string, error) {
	ss, err := src.Submissions(ctx)
	var out []string
	for _, s := range ss {
		out = append(out, fmt.Sprintf("%s/%s/%s/%s=%s", s.District, s.Obligation, s.Period, s.Unit, s.SubmittedOn.Format(time.DateOnly)))
	}
	return strings.Join(out, " "), err
}

func readProposals(ctx context.Context, src *contract.Source) (string, error) {
	ps, err := src.Proposals(ctx, 2026, today)
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%d/%s/%s@%s", p.Year, p.District, p.Unit, p.ProposedOn.Format(time.DateOnly)))
	}
	return strings.Join(out, " "), err
}

func readAllUnits(ctx context.Context, src *contract.Source) (string, error) {
	us, err := src.AllUnits(ctx)
	var out []string
	for _, u := range us {
		out = append(out, u.Code+"/"+u.District)
	}
	slices.Sort(out)
	return strings.Join(out, " "), err
}

// readAll reads every relation, as a cycle run does.
func readAll(ctx context.Context, src *contract.Source) (string, error) {
	var out []string
	for _, r := range []read{readUnits, readAllUnits, readCounts, readCaseCounts, readSelections, readAssessments, readSubmissions, readProposals} {
		s, err := r(ctx, src)
		if err != nil {
			return "", err
		}
		out = append(out, s)
	}
	return strings.Join(out, " | "), nil
}

// errorsOf writes a Source's data errors as key → "problem action rows".
// A key naming a row by its text has its dates unquoted: SQLite hands a
// date of a view over a copied table as text, which the row text quotes.
func errorsOf(src *contract.Source) map[string]string {
	out := map[string]string{}
	for _, e := range src.Errors() {
		out[quotedDate.ReplaceAllString(e.Key, "=$1")] = fmt.Sprintf("%s %s %d", e.Problem, e.Action, e.Rows)
	}
	return out
}

var quotedDate = regexp.MustCompile(`="(\d{4}-\d{2}-\d{2})"`)

// Each bad row is reported once under its problem, left out (or counted
// once, or kept and reported) as the contract says, and the rest is handed
// over as the clean province would hand it: A 5, B 1, C 2 in crime_stats,
// the units A B C, the one selection, verdict, report and proposal.
func TestBadRowsAreReportedAndLeftOut(t *testing.T) {
	cases := []struct {
		name string
		sql  []string
		set  contract.Settings
		day  time.Time // zero: today
		read read
		want string
		errs map[string]string
	}{
		{name: "clean units", read: readUnits, want: "A B C"},
		{name: "identical units rows count once", read: readUnits, want: "A B C",
			sql:  view("units", `('A', 'Xã A', 'xa', 'D1', NULL, NULL, NULL)`),
			errs: map[string]string{"units/duplicate/A": "duplicate counted_once 1"}},
		{name: "a commune under two districts is left out", read: readUnits, want: "A C",
			sql:  view("units", `('B', 'Xã B', 'xa', 'D2', NULL, NULL, NULL)`),
			errs: map[string]string{"units/unit_in_two_districts/B": "unit_in_two_districts left_out 2"}},
		{name: "units rows that differ are left out", read: readUnits, want: "A B",
			sql:  view("units", `('C', 'Xã C mới', 'xa', 'D2', NULL, NULL, NULL)`),
			errs: map[string]string{"units/duplicate/C": "duplicate left_out 2"}},
		{name: "a unit without a name is left out", read: readUnits, want: "A B C",
			sql:  view("units", `('H', NULL, 'xa', 'D1', NULL, NULL, NULL)`),
			errs: map[string]string{`units/null/code="H", name=NULL, kind="xa", district_code="D1", ntm_certified_on=NULL, valid_from=NULL, valid_to=NULL`: "null left_out 1"}},
		{name: "a unit of an unknown district is kept", read: readUnits, want: "A B C J",
			sql:  []string{`INSERT INTO units VALUES ('J', 'Xã J', 'xa', 'D9', NULL, NULL, NULL)`},
			errs: map[string]string{"units/unknown_district/D9": "unknown_district kept 1"}},
		{name: "a district without communes is kept", read: readUnits, want: "A B C",
			sql:  []string{`INSERT INTO districts (code, name, kind) VALUES ('D3', 'Huyện Ba', 'huyen')`},
			errs: map[string]string{"districts/district_without_units/D3": "district_without_units kept 1"}},
		{name: "ungrouped, districts are not checked", read: readUnits, want: "A B C J", set: contract.Settings{Location: time.UTC},
			sql: []string{`INSERT INTO districts (code, name, kind) VALUES ('D3', 'Huyện Ba', 'huyen')`, `INSERT INTO units VALUES ('J', 'Xã J', 'xa', 'D9', NULL, NULL, NULL)`}},
		{name: "a district without a name is left out", read: readUnits, want: "A B C",
			sql:  view("districts", `('D7', NULL, 'huyen', NULL, NULL)`),
			errs: map[string]string{`districts/null/code="D7", name=NULL, kind="huyen", valid_from=NULL, valid_to=NULL`: "null left_out 1"}},

		{name: "clean crime_stats", read: readCounts, want: "A=5 B=1 C=2"},
		{name: "a negative count is left out", read: readCounts, want: "A=5 B=1 C=2",
			sql:  []string{`INSERT INTO crime_stats VALUES ('A', '2025-07-01', 'TT', -7)`},
			errs: map[string]string{"crime_stats/negative_count/A/TT": "negative_count left_out 1"}},
		// Counts hands over the unknown unit's total; the rules never ask
		// for it (they are given the units), so it counts nowhere.
		{name: "statistics of an unknown unit", read: readCounts, want: "A=5 B=1 C=2 ZZ=99",
			sql:  []string{`INSERT INTO crime_stats VALUES ('ZZ', '2025-07-01', 'TT', 99)`},
			errs: map[string]string{"crime_stats/unknown_unit/ZZ": "unknown_unit left_out 1"}},
		{name: "statistics of an unknown offence count nowhere", read: readCounts, want: "A=5 B=1 C=2",
			sql:  []string{`INSERT INTO crime_stats VALUES ('C', '2025-07-01', 'XX', 5)`},
			errs: map[string]string{"crime_stats/unknown_offence/XX": "unknown_offence left_out 1"}},
		{name: "statistics in the future are left out", read: readCounts, want: "A=5 B=1 C=2",
			sql:  []string{`INSERT INTO crime_stats VALUES ('B', '2030-01-01', 'TT', 3)`},
			errs: map[string]string{"crime_stats/future_day/B": "future_day left_out 1"}},
		// A's copy agrees with the table: counted once. B's 1 and 9
		// disagree: both left out, B counts nothing. C's NULL is left out.
		{name: "copies and NULLs through a view", read: readCounts, want: "A=5 C=2",
			sql: view("crime_stats", `('A', '2025-06-01', 'TT', 5)`, `('B', '2025-06-01', 'TT', 9)`, `('C', '2025-06-02', 'TT', NULL)`),
			errs: map[string]string{"crime_stats/duplicate/A/TT": "duplicate counted_once 1", "crime_stats/duplicate/B/TT": "duplicate left_out 1",
				"crime_stats/null/C": "null left_out 1"}},
		// XY is an offence type, if unusable: C's 5 of it count nowhere
		// (C stays 2) without a crime_stats error of their own.
		{name: "an offence type of category 7 is left out", read: readCounts, want: "A=5 B=1 C=2",
			sql:  append(view("offence_types", `('XY', 'x', 7, true)`), `INSERT INTO crime_stats VALUES ('C', '2025-07-01', 'XY', 5)`),
			errs: map[string]string{"offence_types/bad_value/XY": "bad_value left_out 1"}},
		{name: "offence types that agree count once", read: readCounts, want: "A=5 B=1 C=2",
			sql:  view("offence_types", `('TT', 'Trộm cắp (tên khác)', 1, true)`),
			errs: map[string]string{"offence_types/duplicate/TT": "duplicate counted_once 2"}},

		{name: "clean selections", read: readSelections, want: "2025/A/1"},
		// The first problem of a row is the one reported: B's NULL year,
		// QQ unknown, B's category 9, C's two decisions of category 2 that
		// differ. C's categories 1 and 2 are two rows of one area (issue
		// 12), listed by decision day: category 2 was decided first.
		{name: "selections", read: readSelections, want: "2025/A/1 2026/C/2 2026/C/1",
			sql: viewOf("selections", "year, unit_code, category, decided_on", `(2025, 'A', 1, '2025-02-01')`, `(2025, 'QQ', 1, '2025-02-01')`, `(2026, 'B', 9, '2026-02-01')`,
				`(2026, 'C', 1, '2026-02-05')`, `(2026, 'C', 2, '2026-02-01')`, `(2026, 'C', 3, '2026-02-01')`, `(2026, 'C', 3, '2026-02-02')`,
				`(NULL, 'B', 1, '2026-02-01')`),
			errs: map[string]string{"selections/duplicate/2025/A/1": "duplicate counted_once 1", "selections/unknown_unit/QQ": "unknown_unit left_out 1",
				"selections/bad_value/2026/B": "bad_value left_out 1", "selections/duplicate/2026/C/3": "duplicate left_out 2",
				`selections/null/year=NULL, unit_code="B", category=1, decided_on=2026-02-01`: "null left_out 1"}},
		{name: "assessments", read: readAssessments, want: "2025/A/true",
			sql:  view("assessments", `(2025, 'A', true, '2026-01-15')`, `(2025, 'ZZ', false, '2026-01-10')`),
			errs: map[string]string{"assessments/duplicate/2025/A": "duplicate counted_once 1", "assessments/unknown_unit/ZZ": "unknown_unit left_out 1"}},
		// A report recorded twice counts from its earliest arrival; a
		// report of an unknown district is kept; one dated after now has
		// not arrived.
		{name: "submissions", read: readSubmissions, want: "D1/plan/2025/=2025-02-01 D9/plan/2026/=2026-01-01",
			sql: view("submissions", `('D1', 'plan', '2025', '', '2025-02-01T03:00:00.000000Z')`, `('D9', 'plan', '2026', '', '2026-01-01T03:00:00.000000Z')`,
				`('D1', 'report_h1', '2026-H1', '', '2031-01-01T00:00:00.000000Z')`),
			errs: map[string]string{"submissions/duplicate/D1/plan/2025/": "duplicate kept 2", "submissions/unknown_district/D9": "unknown_district kept 1",
				"submissions/future_day/D1/report_h1/2026-H1": "future_day left_out 1"}},
		// A run for a later day (planning, a test) does not call the days
		// up to it impossible.
		{name: "a run for a later day", read: readSubmissions, day: d(2026, 6, 1), want: "D1/plan/2025/=2025-03-01 D1/report_h1/2026-H1/=2026-05-01",
			sql: []string{`INSERT INTO submissions VALUES ('D1', 'report_h1', '2026-H1', '', '2026-05-01T03:00:00.000000Z')`}},
		// Unknown units stay in: the proposal check tells the district.
		{name: "proposals", read: readProposals, want: "2026/D1/A@2025-11-20 2026/D2/QQ@2025-12-01",
			sql: view("proposals", `(2026, 'D1', 'A', '2025-11-20')`, `(2026, 'D1', NULL, '2025-12-01')`, `(2026, 'D2', 'QQ', '2025-12-01')`),
			errs: map[string]string{"proposals/duplicate/2026/D1/A": "duplicate kept 2",
				`proposals/null/year=2026, district_code="D1", unit_code=NULL, proposed_on=2025-12-01`: "null left_out 1"}},
		{name: "clean case_stats", read: readCaseCounts, want: "A=4/3"},
		// C's identical copies count once; the negative and the impossible
		// rows are left out. The unknown unit's are handed over, as in
		// Counts, and the indicators never ask for them.
		{name: "case_stats", read: readCaseCounts, want: "A=4/3 C=2/1 ZZ=1/1",
			sql: view("case_stats", `('A', '2026-01-12', -3, 0, 0, 0, 0, 0, 0, 0)`, `('B', '2026-01-10', 5, 1, 6, 0, 0, 0, 0, 0)`,
				`('ZZ', '2026-01-10', 1, 1, 0, 0, 0, 0, 0, 0)`, `('C', '2026-01-11', 2, 1, 0, 0, 0, 0, 0, 0)`, `('C', '2026-01-11', 2, 1, 0, 0, 0, 0, 0, 0)`),
			errs: map[string]string{"case_stats/negative_count/A": "negative_count left_out 1", "case_stats/bad_value/B": "bad_value left_out 1",
				"case_stats/unknown_unit/ZZ": "unknown_unit left_out 1", "case_stats/duplicate/C": "duplicate counted_once 1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
				clean(t, s)
				exec(t, s, c.sql...)
				set, day := c.set, c.day
				if set.Location == nil {
					set = grouped
				}
				if day.IsZero() {
					day = today
				}
				src := contract.New(s, set, now, day)
				got, err := c.read(context.Background(), src)
				if err != nil {
					t.Fatal(err)
				}
				if got != c.want {
					t.Errorf("read %q, want %q", got, c.want)
				}
				if errs := errorsOf(src); !maps.Equal(errs, c.errs) {
					t.Errorf("data errors\n%v, want\n%v", errs, c.errs)
				}
			})
		})
	}
}

// A data error carries the first row as read and its message in the
// words of labels; a row read twice in one run counts once.
func TestDataErrorNamesTheRowAndWhatWasDone(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		clean(t, s)
		exec(t, s, append(view("units", `('A', 'Xã A', 'xa', 'D1', NULL, NULL, NULL)`),
			`INSERT INTO crime_stats VALUES ('ZZ', '2025-07-01', 'TT', 99)`)...)
		ctx := context.Background()
		src := contract.New(s, grouped, now, today)
		for range 2 {
			if _, err := readAll(ctx, src); err != nil {
				t.Fatal(err)
			}
		}
		want := []contract.Error{
			{Key: "crime_stats/unknown_unit/ZZ", Unit: "ZZ", DataError: finding.DataError{
				Relation: "crime_stats", Problem: finding.ProblemUnknownUnit, Rows: 1, Action: finding.ActionLeftOut,
				Example: `unit_code="ZZ": 99 vụ trong kỳ 15/12/2024–14/12/2025`,
				Message: `Mã xã "ZZ" trong crime_stats không có trong danh mục xã (units). Dòng này không được dùng trong lần tính; hãy sửa dữ liệu nguồn.`}},
			{Key: "units/duplicate/A", District: "D1", Unit: "A", DataError: finding.DataError{
				Relation: "units", Problem: finding.ProblemDuplicate, Rows: 1, Action: finding.ActionCountedOnce,
				Example: `code="A", name="Xã A", kind="xa", district_code="D1", ntm_certified_on=NULL, valid_from=NULL, valid_to=NULL`,
				Message: "Khóa trùng trong units: A (2 lần). Các bản giống nhau chỉ được tính một lần; hãy xóa bản trùng ở dữ liệu nguồn."}},
		}
		if got := src.Errors(); !slices.Equal(got, want) {
			t.Errorf("errors\n%+v, want\n%+v", got, want)
		}
	})
}

// A province's views over clean tables hand over what the tables do, with
// no data error: the check only speaks when something is wrong.
func TestCleanViewsGiveTheSameResult(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		clean(t, s)
		ctx := context.Background()
		src := contract.New(s, grouped, now, today)
		tables, err := readAll(ctx, src)
		if err != nil {
			t.Fatal(err)
		}
		if errs := src.Errors(); len(errs) > 0 {
			t.Errorf("data errors over clean tables: %v", errs)
		}
		for _, rel := range []string{"districts", "units", "offence_types", "crime_stats", "selections", "assessments", "submissions", "proposals", "case_stats", "unit_successions"} {
			exec(t, s, `ALTER TABLE `+rel+` RENAME TO `+rel+`_base`, `CREATE VIEW `+rel+` AS SELECT * FROM `+rel+`_base`)
		}
		src = contract.New(s, grouped, now, today)
		views, err := readAll(ctx, src)
		if err != nil {
			t.Fatal(err)
		}
		if views != tables {
			t.Errorf("over views\n%s, over tables\n%s", views, tables)
		}
		if errs := src.Errors(); len(errs) > 0 {
			t.Errorf("data errors over clean views: %v", errs)
		}
		const want = "A B C | A/D1 B/D1 C/D2 | A=5 B=1 C=2 | A=4/3 | 2025/A/1 | 2025/A/true | D1/plan/2025/=2025-03-01 | 2026/D1/A@2025-12-01"
		if tables != want {
			t.Errorf("over tables\n%s, want\n%s", tables, want)
		}
	})
}
