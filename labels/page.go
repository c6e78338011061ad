package labels

import (
	"fmt"
	"strings"
	"time"

	"chuyenhoa/rules"
)

// The status page's messages.
const (
	PageLoginRequired = "Cần đăng nhập"
)

// PageReadFailed is the status page's answer when the data cannot be read.
func PageReadFailed(err error) string { return "Không đọc được dữ liệu: " + err.Error() }

// PageNoCommune is the status page's answer for a commune code it does not
// know.
func PageNoCommune(code string) string { return "Không có địa bàn mã " + code }

// PageMerged says which communes' territory a commune holds, "Gồm địa
// bàn của: Xã A (A01), Xã B (A02)": its page counts their statistics.
func PageMerged(communes []string) string {
	return "Gồm địa bàn của: " + strings.Join(communes, ", ")
}

// PageSucceeded says which commune holds an ended commune's territory
// today; its page shows it as it was on its last day.
func PageSucceeded(commune string, last time.Time) string {
	return fmt.Sprintf("Đến %s; nay thuộc %s.", Date(last), commune)
}

// BoardTitle is the tooltip of a cell of the deadline board: the
// obligation, its period and its due day.
func BoardTitle(obligation, period string, due time.Time) string {
	return fmt.Sprintf("%s %s: hạn %s", obligation, period, Date(due))
}

// stagesShort are the short stages of the status page's table of the
// year's areas; they do not tell a watched area from a stable one.
var stagesShort = map[rules.Stage]string{
	rules.StageInProgress:     "Đang chuyển hóa",
	rules.StageNotTransformed: "Chưa đạt",
	rules.StageWatched:        "Chuyển hóa đạt",
	rules.StageStable:         "Chuyển hóa đạt",
	rules.StageRelapsed:       "Phức tạp trở lại",
}

// StageShort is where an area stands, in the few words of a table cell.
func StageShort(s rules.Stage) string { return lookup(stagesShort, s) }

// Month names a statistical month by the month it ends in, 11/2026.
func Month(t time.Time) string { return t.Format("01/2006") }

// DateTime formats a moment to the minute, 25/11/2026 07:00.
func DateTime(t time.Time) string { return t.Format("02/01/2006 15:04") }
