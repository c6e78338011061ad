package status_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"chuyenhoa/config"
	"chuyenhoa/period"
	"chuyenhoa/status"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
	"chuyenhoa/synth"
)

// formula is a commune name that a spreadsheet would run as a command.
const formula = "=cmd|' /C calc'!A0"

// No cell of a table download starts like a formula, whatever the
// communes are called: a commune named =cmd|' /C calc'!A0 is written
// '=cmd|' /C calc'!A0, which a spreadsheet shows as text.
func TestTableCSVNeutralisesFormulas(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ds := synth.Province(67, synth.Options{Districts: 6, Units: 60, FromYear: 2021, ToYear: 2026, Today: period.Date(2026, 11, 25)})
		for i := range ds.Units {
			ds.Units[i].Name = formula + " " + ds.Units[i].Code
		}
		cfg := config.Default()
		now := province(t, s, ds, cfg)
		h := (&status.Server{Store: s, Config: cfg, Now: now, User: "u", Password: "p"}).Handler()
		named := 0
		for _, n := range tableNames {
			code, body := get(t, h, "/bang/"+n+".csv", "u", "p")
			if code != http.StatusOK {
				t.Fatalf("/bang/%s.csv: %d", n, code)
			}
			rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix([]byte(body), []byte("\ufeff")))).ReadAll()
			if err != nil {
				t.Fatalf("/bang/%s.csv: %v", n, err)
			}
			for _, r := range rows {
				for _, c := range r {
					if c != "" && strings.ContainsRune("=+@\t\r", rune(c[0])) {
						t.Errorf("/bang/%s.csv: cell %q starts like a formula", n, c)
					}
					if strings.HasPrefix(c, "'"+formula) {
						named++
					}
				}
			}
		}
		if named == 0 {
			t.Error("no table download names a commune: the test checks nothing")
		}
	})
}
