// Package labels holds the Vietnamese words users see for domain values, so
// the CLI, the emails and the status page name things the same way.
package labels

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"chuyenhoa/rules"
)

// Category is the short name of an area category (plan 67, II.1.b).
func Category(c rules.Category) string {
	switch c {
	case rules.Cat1:
		return "Loại 1: tội phạm xâm phạm TTXH và tệ nạn xã hội"
	case rules.Cat2:
		return "Loại 2: trật tự quản lý kinh tế"
	case rules.Cat3:
		return "Loại 3: môi trường, tài nguyên, an toàn thực phẩm"
	case rules.Cat4:
		return "Loại 4: tội phạm và tệ nạn ma túy"
	}
	return fmt.Sprintf("loại %d", int(c))
}

// Categories lists categories as "1, 3, 4" or "—".
func Categories(cs []rules.Category) string {
	if len(cs) == 0 {
		return "—"
	}
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = strconv.Itoa(int(c))
	}
	return strings.Join(parts, ", ")
}

// Status says what the proposal decided for a unit.
func Status(s rules.Status) string {
	switch s {
	case rules.StatusProposed:
		return "Đề xuất chuyển hóa"
	case rules.StatusCutByCap:
		return "Vượt hạn mức 15%"
	case rules.StatusExcludedNTM:
		return "Loại trừ: đạt chuẩn nông thôn mới"
	case rules.StatusBelowAverage:
		return "Không cao hơn bình quân"
	}
	return string(s)
}

// Deadline says where an obligation stands.
func Deadline(s rules.DeadlineState) string {
	switch s {
	case rules.DeadlinePending:
		return "Chưa đến hạn"
	case rules.DeadlineUpcoming:
		return "Sắp đến hạn"
	case rules.DeadlineDue:
		return "Đến hạn"
	case rules.DeadlineOverdue:
		return "Quá hạn"
	case rules.DeadlineEscalated:
		return "Quá hạn, báo cáo Ban Chỉ đạo tỉnh"
	case rules.DeadlineSubmitted:
		return "Đã nộp đúng hạn"
	case rules.DeadlineSubmittedLate:
		return "Đã nộp muộn"
	}
	return string(s)
}

// Date formats a day the Vietnamese way, 25/11/2026.
func Date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Format("02/01/2006")
}

// Num formats a fraction with one decimal and a decimal comma, 3,7.
func Num(f float64) string {
	return strings.Replace(strconv.FormatFloat(f, 'f', 1, 64), ".", ",", 1)
}

// Percent formats a percentage (0–100) as 71,4%.
func Percent(p float64) string { return Num(p) + "%" }

// Committee names a district's Steering Committee 138, or the province's
// when code is empty.
func Committee(code, name string) string {
	if code == "" {
		return "Ban Chỉ đạo 138 tỉnh"
	}
	if name == "" {
		name = code
	}
	return "Ban Chỉ đạo 138 " + name
}
