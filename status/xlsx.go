package status

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"chuyenhoa/labels"
	"chuyenhoa/report"
)

// workbook writes rows as an XLSX workbook of one sheet, through the same
// writer as the official reports: numbers as numbers and days as days, so
// that a committee can sum and sort them in its spreadsheet.
func (t *table) workbook(rows []row) ([]byte, error) {
	out := make([][]any, 0, len(rows)+1)
	head := make([]any, len(t.Cols))
	for i, c := range t.Cols {
		head[i] = c.Title
	}
	out = append(out, head)
	for _, r := range rows {
		rec := make([]any, len(t.Cols))
		for i, c := range r.Cells {
			rec[i] = xlsxValue(t.Cols[i], c)
		}
		out = append(out, rec)
	}
	return report.Workbook([]report.Table{{Name: t.Name, Title: sheetName(t.Title), Rows: out}})
}

// xlsxValue is a cell as its type: a number where the column holds
// numbers and the text is that number as the page writes it, a day where
// the cell sorts by one, else the text with its note.
func xlsxValue(col column, c cell) any {
	if col.Num {
		if c.Text == strconv.Itoa(int(c.Num)) {
			return int(c.Num)
		}
		if c.Text == labels.Num(c.Num) {
			return report.Dec{V: c.Num, Places: 1}
		}
	}
	if d, err := time.Parse(time.DateOnly, c.Sort); err == nil && c.Note == "" {
		return d
	}
	if c.Note != "" {
		return c.Text + " " + c.Note
	}
	return c.Text
}

// sheetName makes a title a sheet name: at most 31 characters, none of
// the ones a spreadsheet refuses.
func sheetName(title string) string {
	s := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '-'
		}
		return r
	}, title)
	for utf8.RuneCountInString(s) > 31 {
		_, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
	}
	return strings.TrimSpace(s)
}
