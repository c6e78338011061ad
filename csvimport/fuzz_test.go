package csvimport_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"chuyenhoa/csvimport"
	"chuyenhoa/store"
)

// FuzzImport feeds arbitrary bytes to the importer as one of the file
// kinds, into one SQLite database that keeps what earlier inputs loaded.
// Whatever the input:
//   - an import that fails changes nothing (the whole file is rejected);
//   - one that succeeds loaded at least one row, every stored row still
//     meets the contract the importer checks (counts ≥ 0, no day after
//     today, codes known, a proposal's commune in its district), and
//     loading the same file again succeeds and changes nothing;
//   - every error names the file.
//
// The seeds in testdata/fuzz/FuzzImport run with every `go test`; `make
// fuzz` explores further.
func FuzzImport(f *testing.F) {
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite:"+filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		f.Fatal(err)
	}
	for _, file := range []struct{ kind, body string }{{"districts", districts}, {"units", units}, {"offences", offences}} {
		if _, err := csvimport.Import(ctx, s, file.kind, file.kind+".csv", strings.NewReader(file.body), opts); err != nil {
			f.Fatalf("seed %s: %v", file.kind, err)
		}
	}
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		k := csvimport.Kinds[int(kind)%len(csvimport.Kinds)].Name
		before := snapshot(t, s)
		n, err := csvimport.Import(ctx, s, k, "fuzz.csv", bytes.NewReader(data), opts)
		after := snapshot(t, s)
		if err != nil {
			if after != before {
				t.Fatalf("a rejected %s file changed the data:\n%s\nwas:\n%s\nerror: %v", k, after, before, err)
			}
			if !strings.Contains(err.Error(), "fuzz.csv") && !strings.Contains(err.Error(), "import kind") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if n < 1 {
			t.Fatalf("a %s import succeeded with %d rows", k, n)
		}
		checkContract(t, s)
		n2, err := csvimport.Import(ctx, s, k, "fuzz.csv", bytes.NewReader(data), opts)
		if err != nil || n2 != n {
			t.Fatalf("importing the same %s file again: %d rows, %v; first time %d rows", k, n2, err, n)
		}
		if again := snapshot(t, s); again != after {
			t.Fatalf("importing the same %s file again changed the data:\n%s\nwas:\n%s", k, again, after)
		}
	})
}

// snapshot is every contract table's content as text.
func snapshot(t *testing.T, s *store.Store) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT code, name, kind, COALESCE(valid_from, ''), COALESCE(valid_to, '') FROM districts ORDER BY code`,
		`SELECT code, name, kind, COALESCE(district_code, ''), COALESCE(ntm_certified_on, ''), COALESCE(valid_from, ''), COALESCE(valid_to, '') FROM units ORDER BY code`,
		`SELECT code, name, category, social_order FROM offence_types ORDER BY code`,
		`SELECT unit_code, day, offence_code, count FROM crime_stats ORDER BY 1, 2, 3`,
		`SELECT year, unit_code, category, decided_on FROM selections ORDER BY 1, 2`,
		`SELECT year, unit_code, transformed, assessed_on FROM assessments ORDER BY 1, 2`,
		`SELECT district_code, obligation, period, unit_code, submitted_at FROM submissions ORDER BY 1, 2, 3, 4`,
		`SELECT year, district_code, unit_code, proposed_on FROM proposals ORDER BY 1, 2, 3`,
		`SELECT unit_code, day, crimes, detected, serious_crimes, serious_detected, reports_received, reports_handled, released, reoffended FROM case_stats ORDER BY 1, 2`,
		`SELECT predecessor_code, successor_code, effective_on FROM unit_successions ORDER BY 1, 2`,
	} {
		rows, err := s.DB().Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		b.WriteString("--\n")
	}
	return b.String()
}

// checkContract fails t if any stored row breaks what the importer
// promises to refuse.
func checkContract(t *testing.T, s *store.Store) {
	t.Helper()
	today := opts.Today.Format("2006-01-02")
	for what, q := range map[string]string{
		"negative or future statistic":    `SELECT COUNT(*) FROM crime_stats WHERE count < 0 OR day > '` + today + `'`,
		"statistic of an unknown unit":    `SELECT COUNT(*) FROM crime_stats WHERE unit_code NOT IN (SELECT code FROM units)`,
		"statistic of an unknown offence": `SELECT COUNT(*) FROM crime_stats WHERE offence_code NOT IN (SELECT code FROM offence_types)`,
		"unit of an unknown district":     `SELECT COUNT(*) FROM units WHERE COALESCE(district_code, '') <> '' AND district_code NOT IN (SELECT code FROM districts)`,
		"unit valid to before from":       `SELECT COUNT(*) FROM units WHERE valid_from IS NOT NULL AND valid_to IS NOT NULL AND valid_to < valid_from`,
		"district valid to before from":   `SELECT COUNT(*) FROM districts WHERE valid_from IS NOT NULL AND valid_to IS NOT NULL AND valid_to < valid_from`,
		"succession of an unknown unit or to itself": `SELECT COUNT(*) FROM unit_successions WHERE predecessor_code NOT IN (SELECT code FROM units)
			OR successor_code NOT IN (SELECT code FROM units) OR predecessor_code = successor_code OR effective_on > '` + today + `'`,
		"decision of an unknown unit": `SELECT (SELECT COUNT(*) FROM selections WHERE unit_code NOT IN (SELECT code FROM units) OR category NOT BETWEEN 1 AND 4)
			+ (SELECT COUNT(*) FROM assessments WHERE unit_code NOT IN (SELECT code FROM units))`,
		"future decision": `SELECT (SELECT COUNT(*) FROM selections WHERE decided_on > '` + today + `')
			+ (SELECT COUNT(*) FROM assessments WHERE assessed_on > '` + today + `')`,
		"submission of an unknown district": `SELECT COUNT(*) FROM submissions WHERE district_code NOT IN (SELECT code FROM districts)`,
		"proposal of another district's commune": `SELECT COUNT(*) FROM proposals p JOIN units u ON u.code = p.unit_code
			WHERE COALESCE(u.district_code, '') <> '' AND p.district_code <> '' AND u.district_code <> p.district_code`,
		"bad case statistic": `SELECT COUNT(*) FROM case_stats WHERE day > '` + today + `' OR serious_crimes > crimes OR serious_detected > detected
			OR unit_code NOT IN (SELECT code FROM units)`,
	} {
		var n int
		if err := s.DB().QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n != 0 {
			t.Fatalf("the store holds %d rows with a %s after a successful import", n, what)
		}
	}
}
