package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"time"
)

// Table is one of a document's tables: the first row holds the Vietnamese
// headings, then one row per item, numbers plain (a spreadsheet computes
// with them). Name is the table's part of the file name, e.g. dia-ban.
type Table struct {
	Name string
	Rows [][]string
}

// csvFile renders t as the CSV file base-Name.csv.
func csvFile(base string, t Table) (File, error) {
	b, err := csvBytes(t.Rows)
	if err != nil {
		return File{}, err
	}
	return File{Name: base + "-" + t.Name + ".csv", Data: b}, nil
}

// csvBytes writes rows as CSV with a UTF-8 byte order mark, which
// spreadsheet programs need to show Vietnamese diacritics.
func csvBytes(rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		return nil, fmt.Errorf("write CSV: %w", err)
	}
	return buf.Bytes(), nil
}

// isoDate writes a day in a table as 2026-11-25, the form spreadsheets
// read as a date; "" when there is none.
func isoDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}
