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

// None stands where there is nothing to show: no date, no district.
const None = "—"

// lookup finds k's label in a table; a value the table lacks is shown as
// stored, so a new value reads oddly rather than not at all.
func lookup[K ~string](table map[K]string, k K) string {
	if s, ok := table[k]; ok {
		return s
	}
	return string(k)
}

var categories = map[rules.Category]string{
	rules.Cat1: "Loại 1: tội phạm xâm phạm TTXH và tệ nạn xã hội",
	rules.Cat2: "Loại 2: trật tự quản lý kinh tế",
	rules.Cat3: "Loại 3: môi trường, tài nguyên, an toàn thực phẩm",
	rules.Cat4: "Loại 4: tội phạm và tệ nạn ma túy",
}

// Category is the short name of an area category (plan 67, II.1.b).
func Category(c rules.Category) string {
	if s, ok := categories[c]; ok {
		return s
	}
	return fmt.Sprintf("loại %d", int(c))
}

// AreaCategories names the categories of an area: one by its short name
// ("Loại 3: môi trường, tài nguyên, an toàn thực phẩm"), several by their
// numbers ("Loại 1, 3").
func AreaCategories(cs []rules.Category) string {
	switch len(cs) {
	case 0:
		return None
	case 1:
		return Category(cs[0])
	}
	return "Loại " + Categories(cs)
}

// Categories lists categories as "1, 3, 4" or "—".
func Categories(cs []rules.Category) string {
	if len(cs) == 0 {
		return None
	}
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = strconv.Itoa(int(c))
	}
	return strings.Join(parts, ", ")
}

var statuses = map[rules.Status]string{
	rules.StatusProposed:     "Đề xuất chuyển hóa",
	rules.StatusCutByCap:     "Vượt hạn mức 15%",
	rules.StatusExcludedNTM:  "Loại trừ: đạt chuẩn nông thôn mới",
	rules.StatusBelowAverage: "Không cao hơn bình quân",
}

// Status says what the proposal decided for a unit.
func Status(s rules.Status) string { return lookup(statuses, s) }

// deadlines labels the deadline states but escalated, which names a body
// (see Bodies.Deadline).
var deadlines = map[rules.DeadlineState]string{
	rules.DeadlinePending:       "Chưa đến hạn",
	rules.DeadlineUpcoming:      "Sắp đến hạn",
	rules.DeadlineDue:           "Đến hạn",
	rules.DeadlineOverdue:       "Quá hạn",
	rules.DeadlineSubmitted:     "Đã nộp đúng hạn",
	rules.DeadlineSubmittedLate: "Đã nộp muộn",
}

// Deadline says where an obligation stands, naming the default bodies: for
// readers that do not carry the configured Bodies (see Bodies.Deadline).
func Deadline(s rules.DeadlineState) string { return DefaultBodies().Deadline(s) }

// Date formats a day the Vietnamese way, 25/11/2026.
func Date(t time.Time) string {
	if t.IsZero() {
		return None
	}
	return t.Format("02/01/2006")
}

// Num formats a fraction with one decimal and a decimal comma, 3,7.
func Num(f float64) string {
	return strings.Replace(strconv.FormatFloat(f, 'f', 1, 64), ".", ",", 1)
}

// Percent formats a percentage (0–100) as 71,4%.
func Percent(p float64) string { return Num(p) + "%" }
