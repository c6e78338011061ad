// Package csvsafe writes CSV that spreadsheets open as data. Excel,
// LibreOffice and Google Sheets read a cell that starts with =, +, -, @, a
// tab or a carriage return as a formula: a commune named
// "=cmd|' /C calc'!A0" would run a command on the machine of whoever
// opens the report (CSV injection). Every CSV the service writes goes
// through Writer, which prefixes such a cell with an apostrophe, the
// spreadsheets' own mark for "text", so that it shows as it was written.
package csvsafe

import (
	"encoding/csv"
	"io"
)

// Cell is s as a CSV cell a spreadsheet does not evaluate: s itself, or s
// after an apostrophe when it starts like a formula. A number ("-3",
// "+1.5") is left as it is: it is a value, not a formula, and stays one.
func Cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '+', '-':
		if number(s[1:]) {
			return s
		}
		return "'" + s
	case '=', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// number reports whether s is digits with at most one decimal point, as
// the service writes numbers (strconv's 'f' format).
func number(s string) bool {
	digits, point := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			digits++
		case c == '.' && !point:
			point = true
		default:
			return false
		}
	}
	return digits > 0
}

// Writer is a csv.Writer whose every cell goes through Cell.
type Writer struct {
	w   *csv.Writer
	rec []string
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Write writes one record.
func (w *Writer) Write(record []string) error {
	w.rec = w.rec[:0]
	for _, c := range record {
		w.rec = append(w.rec, Cell(c))
	}
	return w.w.Write(w.rec)
}

// WriteAll writes every record and flushes.
func (w *Writer) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.w.Flush()
	return w.w.Error()
}

// Flush writes what is buffered; Error reports a failure of it.
func (w *Writer) Flush() { w.w.Flush() }

// Error is the error of an earlier Write or Flush.
func (w *Writer) Error() error { return w.w.Error() }
