package report

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"chuyenhoa/csvsafe"
)

// Table is one of a document's tables: the first row holds the Vietnamese
// headings, then one row per item. A cell is a string, an int, a Dec (a
// number with decimals), a time.Time (a day; zero for none) or nil
// (empty), so that each file says what it holds: the CSV for machines
// (plain digits, a dot before the decimals, ISO days), the XLSX for people
// (real numbers and dates their spreadsheet shows in its own way).
type Table struct {
	Name  string // the table's part of the file name, e.g. dia-ban
	Title string // its sheet in the workbook, e.g. "Địa bàn" (at most 31 characters)
	Rows  [][]any
}

// Dec is a number shown with Places decimals (a rate, an average).
type Dec struct {
	V      float64
	Places int
}

// Strings is the table as text, as the CSV writes it.
func (t Table) Strings() [][]string {
	out := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		out[i] = make([]string, len(r))
		for j, c := range r {
			out[i][j] = cellText(c)
		}
	}
	return out
}

// cellText writes a cell for the CSV: numbers plain with a dot before the
// decimals, days as 2026-11-25 (ISO 8601), "" for nothing.
func cellText(c any) string {
	switch v := c.(type) {
	case nil:
		return ""
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case Dec:
		return strconv.FormatFloat(v.V, 'f', v.Places, 64)
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.Format(time.DateOnly)
	}
	// Unreachable for the cells the documents build.
	return fmt.Sprint(c)
}

// csvFile renders t as the CSV file base-Name.csv: UTF-8 with a byte order
// mark, commas between fields.
func csvFile(base string, t Table) (File, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csvsafe.NewWriter(&buf)
	if err := w.WriteAll(t.Strings()); err != nil {
		return File{}, fmt.Errorf("write %s.csv: %w", t.Name, err)
	}
	return File{Name: base + "-" + t.Name + ".csv", Data: buf.Bytes()}, nil
}

// tableFiles renders a document's tables: one CSV each and one workbook
// holding them all, a sheet each.
func tableFiles(base string, ts []Table) ([]File, error) {
	var out []File
	for _, t := range ts {
		f, err := csvFile(base, t)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	x, err := xlsxFile(base, ts)
	if err != nil {
		return nil, err
	}
	return append(out, x), nil
}
