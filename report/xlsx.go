package report

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// The number formats of the workbook's cells: whole numbers, one or two
// decimals, and days. The separators are the reader's: a spreadsheet set
// to Vietnamese shows 71,4 and 25/11/2026 from the same cells.
const (
	fmtInt  = "0"
	fmtDay  = "dd/mm/yyyy"
	fmtDec1 = "0.0"
	fmtDec2 = "0.00"
)

// xlsxFile renders the tables as one workbook, base.xlsx.
func xlsxFile(base string, ts []Table) (File, error) {
	data, err := Workbook(ts)
	if err != nil {
		return File{}, fmt.Errorf("write %s.xlsx: %w", base, err)
	}
	return File{Name: base + ".xlsx", Data: data}, nil
}

// Workbook renders the tables as one XLSX workbook, a sheet per table
// (named by its Title, first row its headings): the headings bold on a
// frozen first row with filters, every cell of the type it holds. The
// status page's downloads use it too, so a table reads the same from
// either.
func Workbook(ts []Table) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return nil, err
	}
	for i, t := range ts {
		sheet := t.Title
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sheet); err != nil {
				return nil, fmt.Errorf("workbook %s: %w", sheet, err)
			}
		} else if _, err := f.NewSheet(sheet); err != nil {
			return nil, fmt.Errorf("workbook %s: %w", sheet, err)
		}
		if err := writeSheet(f, sheet, t, st); err != nil {
			return nil, fmt.Errorf("workbook %s: %w", sheet, err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type styles struct{ head, text, int, day, dec1, dec2 int }

func newStyles(f *excelize.File) (styles, error) {
	var s styles
	var err error
	border := []excelize.Border{{Type: "left", Color: "999999", Style: 1}, {Type: "right", Color: "999999", Style: 1},
		{Type: "top", Color: "999999", Style: 1}, {Type: "bottom", Color: "999999", Style: 1}}
	mk := func(dst *int, st *excelize.Style) {
		if err == nil {
			st.Border = border
			*dst, err = f.NewStyle(st)
		}
	}
	custom := func(s string) *string { return &s }
	mk(&s.head, &excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8E8E8"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center", Horizontal: "center"}})
	mk(&s.text, &excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	mk(&s.int, &excelize.Style{CustomNumFmt: custom(fmtInt), Alignment: &excelize.Alignment{Vertical: "top"}})
	mk(&s.day, &excelize.Style{CustomNumFmt: custom(fmtDay), Alignment: &excelize.Alignment{Vertical: "top"}})
	mk(&s.dec1, &excelize.Style{CustomNumFmt: custom(fmtDec1), Alignment: &excelize.Alignment{Vertical: "top"}})
	mk(&s.dec2, &excelize.Style{CustomNumFmt: custom(fmtDec2), Alignment: &excelize.Alignment{Vertical: "top"}})
	return s, err
}

func writeSheet(f *excelize.File, sheet string, t Table, st styles) error {
	widths := map[int]int{}
	for r, row := range t.Rows {
		for c, v := range row {
			cell, err := excelize.CoordinatesToCellName(c+1, r+1)
			if err != nil {
				return err
			}
			style := st.text
			switch x := v.(type) {
			case nil:
			case string:
				err = f.SetCellStr(sheet, cell, x)
				if r == 0 {
					style = st.head
				}
			case int:
				err, style = f.SetCellInt(sheet, cell, int64(x)), st.int
			case Dec:
				style = st.dec1
				if x.Places >= 2 {
					style = st.dec2
				}
				err = f.SetCellFloat(sheet, cell, x.V, x.Places, 64)
			case time.Time:
				if !x.IsZero() {
					err = f.SetCellValue(sheet, cell, x)
				}
				style = st.day
			default:
				return fmt.Errorf("cell %s: cannot write a %T", cell, v)
			}
			if err != nil {
				return err
			}
			if err := f.SetCellStyle(sheet, cell, cell, style); err != nil {
				return err
			}
			w := utf8.RuneCountInString(cellText(v))
			if r == 0 {
				w = min(w, 18) // headings wrap
			}
			widths[c] = max(widths[c], w)
		}
	}
	for c, w := range widths {
		col, err := excelize.ColumnNumberToName(c + 1)
		if err != nil {
			return err
		}
		if err := f.SetColWidth(sheet, col, col, float64(min(max(w, 6), 60))+2); err != nil {
			return err
		}
	}
	if len(t.Rows) == 0 {
		return nil
	}
	last, err := excelize.CoordinatesToCellName(len(t.Rows[0]), max(len(t.Rows), 2))
	if err != nil {
		return err
	}
	if err := f.AutoFilter(sheet, "A1:"+last, nil); err != nil {
		return err
	}
	return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}
