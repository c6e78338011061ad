package status_test

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"chuyenhoa/config"
	"chuyenhoa/period"
	"chuyenhoa/status"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
	"chuyenhoa/synth"
)

// Every table's Excel download holds the rows of its CSV download under
// the same filters, numbers as numbers: a committee that sums a column in
// its spreadsheet gets the page's figures.
func TestExcelDownloadIsTheCSVTyped(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ds := synth.Province(67, synth.Options{Districts: 6, Units: 60, FromYear: 2021, ToYear: 2026, Today: period.Date(2026, 11, 25)})
		cfg := config.Default()
		now := province(t, s, ds, cfg)
		h := (&status.Server{Store: s, Config: cfg, Now: now}).Handler()
		var numbers int
		for _, n := range tableNames {
			for _, q := range []string{"", "?sx=-2"} {
				code, text := get(t, h, "/bang/"+n+".csv"+q)
				xcode, data := get(t, h, "/bang/"+n+".xlsx"+q)
				if code != 200 || xcode != 200 {
					t.Fatalf("%s%s: CSV %d, XLSX %d", n, q, code, xcode)
				}
				want, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "\ufeff"))).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				f, err := excelize.OpenReader(bytes.NewReader([]byte(data)))
				if err != nil {
					t.Fatalf("%s: %v", n, err)
				}
				sheet := f.GetSheetList()[0]
				got, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(want) {
					t.Fatalf("%s%s: %d rows in the workbook, %d in the CSV", n, q, len(got), len(want))
				}
				for i := range want {
					for j, w := range want[i] {
						g := ""
						if j < len(got[i]) {
							g = got[i][j]
						}
						cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
						typ, _ := f.GetCellType(sheet, cell)
						switch {
						case g == w:
						case typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset:
							// A number as the page writes it (71,4) or a
							// day (25/11/2026) against its cell's value.
							if !sameNumber(w, g) {
								t.Errorf("%s%s %s: workbook %q, CSV %q", n, q, cell, g, w)
							}
						default:
							t.Errorf("%s%s %s: workbook %q (%v), CSV %q", n, q, cell, g, typ, w)
						}
						// excelize leaves a number's type unset, as
						// the file format does.
						if i > 0 && g != "" && (typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset) {
							numbers++
						}
					}
				}
				f.Close()
			}
		}
		if numbers == 0 {
			t.Error("no cell of any workbook is a number")
		}
	})
}

// sameNumber compares a CSV number (71,4) or day (25/11/2026) with a
// workbook cell's raw value (71.4; a day as its serial number, which
// stands for some day: not compared further).
func sameNumber(csvText, raw string) bool {
	if strings.Count(csvText, "/") == 2 {
		_, err := strconv.ParseFloat(raw, 64)
		return err == nil
	}
	a, err1 := strconv.ParseFloat(strings.Replace(csvText, ",", ".", 1), 64)
	b, err2 := strconv.ParseFloat(raw, 64)
	return err1 == nil && err2 == nil && a == b
}
