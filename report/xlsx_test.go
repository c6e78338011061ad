package report_test

import (
	"bytes"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"chuyenhoa/period"
	"chuyenhoa/report"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// Every table of every document is also a sheet of the document's
// workbook: read back with excelize, each sheet holds its CSV's cells —
// numbers as numbers, days as dates, text as text — under a frozen row of
// Vietnamese headings.
func TestWorkbooksMatchTheCSVs(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		year, per, draft := demoDocuments(t, s, 2026, period.Date(2026, 11, 25))
		for _, c := range []struct {
			base   string
			doc    report.Document
			tables []report.Table
		}{
			{"bao-cao-chuyen-hoa-2026", year, year.Tables()},
			{"bao-cao-giai-doan-2021-2025", per, per.Tables()},
			{"du-thao-quyet-dinh-2026", draft, draft.Tables()},
		} {
			dir := t.TempDir()
			if _, err := report.Write(dir, c.doc); err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenFile(filepath.Join(dir, c.base+".xlsx"))
			if err != nil {
				t.Fatal(err)
			}
			if got := f.GetSheetList(); len(got) != len(c.tables) {
				t.Errorf("%s.xlsx has sheets %v, want one per table (%d)", c.base, got, len(c.tables))
			}
			numbers, dates := 0, 0
			for _, tb := range c.tables {
				rows := readCSV(t, filepath.Join(dir, c.base+"-"+tb.Name+".csv"))
				n, d := compareSheet(t, f, tb.Title, rows)
				numbers, dates = numbers+n, dates+d
			}
			f.Close()
			if numbers == 0 {
				t.Errorf("%s.xlsx holds no number cell", c.base)
			}
			if c.base == "bao-cao-chuyen-hoa-2026" && dates == 0 {
				t.Errorf("%s.xlsx holds no date cell", c.base)
			}
		}
	})
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte("\ufeff")) {
		t.Errorf("%s lacks the byte order mark", path)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// compareSheet compares sheet, cell by cell, with the CSV's rows, and
// counts the number and date cells below the headings.
func compareSheet(t *testing.T, f *excelize.File, sheet string, rows [][]string) (numbers, dates int) {
	t.Helper()
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("sheet %q: panes %+v (%v), want the heading row frozen", sheet, panes, err)
	}
	got, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) {
		t.Errorf("sheet %q has %d rows, its CSV %d", sheet, len(got), len(rows))
	}
	for r := range min(len(got), len(rows)) {
		for c, want := range rows[r] {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			raw := ""
			if c < len(got[r]) {
				raw = got[r][c]
			}
			typ, err := f.GetCellType(sheet, cell)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case want == "":
				if raw != "" {
					t.Errorf("%s!%s = %q, the CSV has nothing", sheet, cell, raw)
				}
			case typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset && isNumber(raw):
				v, err := strconv.ParseFloat(raw, 64)
				if err != nil {
					t.Errorf("%s!%s: %q is not a number", sheet, cell, raw)
					continue
				}
				if d, err := time.Parse(time.DateOnly, want); err == nil {
					// A day: a date serial with a date format.
					at, err := excelize.ExcelDateToTime(v, false)
					if err != nil || !at.Equal(d) {
						t.Errorf("%s!%s = %v (%v), the CSV has the day %s", sheet, cell, at, err, want)
					}
					if style := dateStyle(t, f, sheet, cell); style != "dd/mm/yyyy" {
						t.Errorf("%s!%s: a day shown as %q", sheet, cell, style)
					}
					dates++
					continue
				}
				w, err := strconv.ParseFloat(want, 64)
				if err != nil || math.Abs(v-w) > 1e-9 {
					t.Errorf("%s!%s = %v, the CSV has %q", sheet, cell, v, want)
				}
				if r > 0 {
					numbers++
				}
			default:
				if raw != want {
					t.Errorf("%s!%s = %q, the CSV has %q", sheet, cell, raw, want)
				}
				if r > 0 && isNumber(want) && !lists[rows[0][c]] {
					t.Errorf("%s!%s holds the number %q as text", sheet, cell, want)
				}
			}
		}
	}
	return numbers, dates
}

// lists are the columns that hold lists ("1, 3", "2023, 2025"): text,
// even where a row's list has one item.
var lists = map[string]bool{"Loại": true, "Năm được chọn": true}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// dateStyle is the custom number format of a cell ("" without one).
func dateStyle(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt == nil {
		return ""
	}
	return *st.CustomNumFmt
}
