package report_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"chuyenhoa/config"
	"chuyenhoa/period"
	"chuyenhoa/report"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// formula is a commune name that a spreadsheet would run as a command.
const formula = "=cmd|' /C calc'!A0"

// No cell of the year report's CSV tables starts like a formula, whatever
// the communes are called (issue 15): a commune named =cmd|' /C calc'!A0
// is written '=cmd|' /C calc'!A0, which a spreadsheet shows as text.
func TestYearReportCSVNeutralisesFormulas(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		cfg := config.Default()
		day := period.Date(2026, 11, 25)
		demo(t, s, cfg, day, func(ds *store.Dataset) {
			for i := range ds.Units {
				ds.Units[i].Name = formula + " " + ds.Units[i].Code
			}
		})
		rep, err := report.BuildYear(t.Context(), s, cfg, 2026, day)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		files, err := report.Write(dir, rep)
		if err != nil {
			t.Fatal(err)
		}
		named := 0
		for _, f := range files {
			if !strings.HasSuffix(f, ".csv") {
				continue
			}
			raw, err := os.ReadFile(filepath.Join(dir, filepath.Base(f)))
			if err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff")))).ReadAll()
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			for _, r := range rows {
				for _, c := range r {
					if c != "" && strings.ContainsRune("=+@\t\r", rune(c[0])) {
						t.Errorf("%s: cell %q starts like a formula", f, c)
					}
					if strings.HasPrefix(c, "'"+formula) {
						named++
					}
				}
			}
		}
		if named == 0 {
			t.Error("no CSV table names a commune: the test checks nothing")
		}
	})
}
