package labels

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/valid"
)

// DataMessage says what is wrong with rows of relation rel and what the run
// did with them (the message of a data_error finding, for the data officer
// who fixes them at the source). detail is what the problem quotes: the
// columns, the code, the key, the limit.
func DataMessage(rel string, problem finding.State, action finding.Action, detail string) string {
	var what string
	switch problem {
	case finding.ProblemNull:
		what = fmt.Sprintf("Dòng của %s thiếu giá trị hoặc sai kiểu ở cột: %s.", rel, detail)
	case finding.ProblemNegative:
		what = fmt.Sprintf("Số liệu âm trong %s: %s.", rel, detail)
	case finding.ProblemBadValue:
		what = fmt.Sprintf("Giá trị ngoài phạm vi trong %s (%s).", rel, detail)
	case finding.ProblemUnknownUnit:
		what = fmt.Sprintf("Mã xã %q trong %s không có trong danh mục xã (units).", detail, rel)
	case finding.ProblemUnknownOffence:
		what = fmt.Sprintf("Mã loại tội phạm %q trong %s không có trong danh mục offence_types.", detail, rel)
	case finding.ProblemUnknownDistrict:
		what = fmt.Sprintf("Mã huyện %q trong %s không có trong danh mục huyện (districts).", detail, rel)
	case finding.ProblemFutureDay:
		what = fmt.Sprintf("Dòng của %s ghi ngày sau hôm nay (%s).", rel, detail)
	case finding.ProblemDuplicate:
		what = fmt.Sprintf("Khóa trùng trong %s: %s.", rel, detail)
	case finding.ProblemTwoDistricts:
		what = fmt.Sprintf("Xã được ghi thuộc nhiều huyện cùng lúc trong %s: %s.", rel, detail)
	case finding.ProblemEmptyDistrict:
		what = fmt.Sprintf("Huyện %s không có xã nào còn hiệu lực.", detail)
	case finding.ProblemSplit:
		what = fmt.Sprintf("Xã được ghi tách cho nhiều xã kế thừa trong %s: %s. Số liệu và quyết định của xã này không tính cho xã nào cho đến khi tỉnh quyết định xã kế thừa (giữ một dòng).", rel, detail)
	case finding.ProblemNoSuccessor:
		what = fmt.Sprintf("Mã xã %s trong %s không có hiệu lực vào ngày tính và không có xã kế thừa (unit_successions).", detail, rel)
	case finding.ProblemBadName:
		what = fmt.Sprintf("Tên không hợp lệ trong %s: %s; thư và trang hiển thị tên đã làm sạch.", rel, detail)
	case finding.ProblemBadCode:
		what = fmt.Sprintf("Mã không hợp lệ trong %s: %s.", rel, detail)
	case finding.ProblemNotWatched:
		what = fmt.Sprintf("Địa bàn đã chuyển hóa %s không theo được sang xã hiện nay (xã hết hiệu lực, không có hoặc có nhiều xã kế thừa): không kiểm tra được phức tạp trở lại.", detail)
	default:
		what = fmt.Sprintf("Dữ liệu %s không dùng được: %s.", rel, detail)
	}
	switch action {
	case finding.ActionLeftOut:
		return what + " Dòng này không được dùng trong lần tính; hãy sửa dữ liệu nguồn."
	case finding.ActionCountedOnce:
		return what + " Các bản giống nhau chỉ được tính một lần; hãy xóa bản trùng ở dữ liệu nguồn."
	default:
		return what + " Dữ liệu vẫn được dùng; hãy kiểm tra lại dữ liệu nguồn."
	}
}

// DataCopies names a key recorded n times, "A (2 lần)": the detail of a
// duplicate.
func DataCopies(key string, n int) string { return fmt.Sprintf("%s (%d lần)", key, n) }

// DataCopiesDiffer names a key recorded n times in rows that differ.
func DataCopiesDiffer(key string, n int) string {
	return fmt.Sprintf("%s (%d lần, khác nhau)", key, n)
}

// DataCountAbove says that column col holds n, more than max, the most
// one row may count.
func DataCountAbove(col string, n, max int) string {
	return fmt.Sprintf("%s=%d, tối đa %d", col, n, max)
}

// DataCategory says that category c is out of range.
func DataCategory(c rules.Category) string {
	return fmt.Sprintf("category %d, phải từ 1 đến 4", c)
}

// DataSplit names a commune and its successors, "A → B, C (01/07/2025)":
// the detail of a split.
func DataSplit(s rules.Split) string {
	var to []string
	for _, x := range s.Successors {
		to = append(to, fmt.Sprintf("%s (%s)", x.Successor, x.EffectiveOn.Format("02/01/2006")))
	}
	return s.Predecessor + " → " + strings.Join(to, ", ")
}

// DataCodeOn names a code and the day it was looked up on, "\"A\" (ngày
// 14/12/2025)": the detail of a code with no successor.
func DataCodeOn(code string, day time.Time) string {
	return fmt.Sprintf("%q (ngày %s)", code, day.Format("02/01/2006"))
}

// DataArea names a transformed area and the day its commune could not be
// followed to, "A (năm 2023, ngày 14/12/2025)".
func DataArea(unit string, year int, day time.Time) string {
	return fmt.Sprintf("%s (năm %d, ngày %s)", unit, year, day.Format("02/01/2006"))
}

// DataCaseTotal shows the case statistics of a unit code as the period's
// total: crimes recorded, in how many rows.
func DataCaseTotal(code string, crimes, rows int, r period.Range) string {
	return fmt.Sprintf("unit_code=%q: %d vụ phạm tội trong %d dòng, kỳ %s–%s", code, crimes, rows, r.From.Format("02/01/2006"), r.To.Format("02/01/2006"))
}

// DataUnitTotal shows the statistics of a unit code that is in no units
// row as the period's total (they are found in the totals, not as a row).
func DataUnitTotal(code string, total int, r period.Range) string {
	return fmt.Sprintf("unit_code=%q: %d vụ trong kỳ %s–%s", code, total, r.From.Format("02/01/2006"), r.To.Format("02/01/2006"))
}

// DataText says in Vietnamese why valid refused the name or code of
// code (the Error's Reason), "D01X05: tên có xuống dòng": the detail of a
// bad_name or bad_code data error.
func DataText(code string, err error) string {
	var why string
	var ve *valid.Error
	if errors.As(err, &ve) {
		switch ve.Reason {
		case valid.NotUTF8:
			why = "không phải UTF-8"
		case valid.Empty:
			why = "để trống"
		case valid.TooLong:
			why = fmt.Sprintf("quá dài (tên tối đa %d ký tự, mã tối đa %d)", valid.MaxNameRunes, valid.MaxCodeLen)
		case valid.LineBreak:
			why = "có ký tự xuống dòng"
		case valid.Control:
			why = "có ký tự điều khiển"
		case valid.NotASCII:
			why = "có ký tự ngoài chữ cái và chữ số không dấu, gạch ngang (-), gạch dưới (_) và dấu chấm (.)"
		}
	}
	if why == "" {
		why = "không hợp lệ"
	}
	return valid.Clean(code) + ": " + why
}
