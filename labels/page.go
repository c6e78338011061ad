package labels

import (
	"fmt"
	"strings"
	"time"

	"chuyenhoa/finding"
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

// The status page's headings and messages that take no argument.
const (
	PageLinkRefused   = "Liên kết không hợp lệ hoặc đã hết hạn. Xin liên kết mới trong thư gần nhất, hoặc liên hệ " // + the province's body
	PageNoRuns        = "Chưa có lần chạy nào thành công: các bảng dưới đây chưa có dữ liệu. Điều đó không có nghĩa là không có việc cần xử lý."
	PageNoRunsTable   = "Chưa có dữ liệu: chưa có lần chạy nào thành công."
	PageNoUnits       = "Cơ sở dữ liệu chưa có danh sách địa bàn (bảng units trống): chưa nhập dữ liệu của tỉnh."
	PageBusy          = "Máy chủ đang bận, xin thử lại sau ít giây."
	PageNotInScope    = "Không có địa bàn này trong phạm vi của liên kết."
	PageMailRefused   = "Thư bị từ chối"
	PageNoStatsYet    = "chưa có số liệu"
	PageNeverRun      = "chưa có"
	PageNotMailedYet  = "chưa gửi"
	PageAlertClosed   = "Đã đóng"
	PageStateNormal   = "Ổn định"
	PageProjectionMet = "Dự báo đạt"
	PageProjectionLow = "Dự báo không đạt"
	PageProjectionNA  = "Chưa đủ số liệu dự báo"
)

// PageDBUnreachable says the page could not read the database, and that
// this says nothing about the alerts.
func PageDBUnreachable(err error) string {
	return "Không đọc được cơ sở dữ liệu (" + err.Error() + "). Trang chưa thể cho biết tình hình: điều này không có nghĩa là không có cảnh báo."
}

// PageStale says the figures shown were read before the database became
// unreachable.
func PageStale(err error, read, zone string) string {
	return fmt.Sprintf("Không đọc được cơ sở dữ liệu lúc này (%v). Số liệu dưới đây là của lần đọc lúc %s (%s).", err, read, zone)
}

// Zone names the time zone the page's times are in, "giờ
// Asia/Ho_Chi_Minh, UTC+07:00".
func Zone(loc *time.Location, at time.Time) string {
	return "giờ " + loc.String() + ", UTC" + at.In(loc).Format("-07:00")
}

// PageScope says whose view a committee's link opens, until when.
func PageScope(committee, until string) string {
	return fmt.Sprintf("Trang của %s: chỉ các địa bàn của đơn vị. Liên kết có hiệu lực đến %s.", committee, until)
}

var alertKinds = map[finding.AlertKind]string{
	finding.AlertDeadline:           "Nghĩa vụ báo cáo",
	finding.AlertEscalation:         "Nghĩa vụ quá hạn chuyển tỉnh",
	finding.AlertRelapse:            "Phức tạp trở lại",
	finding.AlertProposal:           "Đề xuất địa bàn",
	finding.AlertProposalEscalation: "Đề xuất quá hạn chuyển tỉnh",
	finding.AlertAtRisk:             "Có nguy cơ không đạt",
	finding.AlertProjection:         "Dự báo chỉ tiêu",
}

// AlertKind names the kind of an alert.
func AlertKind(k finding.AlertKind) string { return lookup(alertKinds, k) }

// AlertState says where an alert of kind k stands, as the finding that
// raised it does.
func (b Bodies) AlertState(k finding.AlertKind, s finding.State) string {
	if s == finding.Resolved {
		return PageAlertClosed
	}
	switch k.Source() {
	case finding.KindDeadline, finding.KindProposalDeadline:
		return b.Deadline(s.Deadline())
	case finding.KindRelapse:
		if s == finding.Relapsed {
			return RelapsedAgain
		}
		return PageStateNormal
	case finding.KindCycleArea:
		return CycleState(s)
	case finding.KindProjection:
		return ProjectionState(s)
	}
	return string(s)
}

// ProjectionState says how a target's projection stands.
func ProjectionState(s finding.State) string {
	switch s {
	case finding.ProjectionMet:
		return PageProjectionMet
	case finding.ProjectionBelow:
		return PageProjectionLow
	}
	return PageProjectionNA
}

var runStatuses = map[string]string{"ok": "Thành công", "failed": "Lỗi", "running": "Đang chạy"}

// RunStatus says how a job run went (job_runs.status).
func RunStatus(s string) string { return lookup(runStatuses, s) }

// RunPeriod names the period a run covered: a day (2026-11-25 →
// 25/11/2026), a statistical month (2026-11 → tháng 11/2026) or a year
// (2026 → năm 2026).
func RunPeriod(p string) string {
	if t, err := time.Parse(time.DateOnly, p); err == nil {
		return Date(t)
	}
	if t, err := time.Parse("2006-01", p); err == nil {
		return "tháng " + t.Format("01/2006")
	}
	return PeriodKey(p)
}

// PeriodKey names an obligation's period key: 2026 → năm 2026, 2026-H1 →
// 6 tháng đầu năm 2026, 2026-H2 → 6 tháng cuối năm 2026.
func PeriodKey(p string) string {
	if y, half, ok := strings.Cut(p, "-H"); ok {
		switch half {
		case "1":
			return "6 tháng đầu năm " + y
		case "2":
			return "6 tháng cuối năm " + y
		}
	}
	if len(p) == 4 {
		return "năm " + p
	}
	return p
}

// JobName names a job in a table of runs, "Đề xuất địa bàn trọng điểm".
func JobName(j finding.Job) string {
	if t, ok := JobTitle(j); ok {
		return upperFirst(t)
	}
	return string(j)
}

// PageOverdue says how late a missing report is, "trễ 12 ngày".
func PageOverdue(days int) string { return fmt.Sprintf("trễ %d ngày", days) }

// PageShowAll links a section to its full table.
func PageShowAll(shown, total int) string {
	return fmt.Sprintf("Đang hiện %d/%d dòng — xem đủ, lọc, sắp xếp, tải CSV", shown, total)
}

// PageRows counts the rows a filter kept.
func PageRows(kept, total int) string {
	if kept == total {
		return fmt.Sprintf("%d dòng", total)
	}
	return fmt.Sprintf("%d/%d dòng khớp bộ lọc", kept, total)
}

// PagePage says which page of a long table is shown.
func PagePage(page, pages int) string { return fmt.Sprintf("Trang %d/%d", page, pages) }

// The kinds of things to do today, as the page's first table names them.
const (
	PageKindLate         = "Nghĩa vụ quá hạn"
	PageKindProposalLate = "Đề xuất quá hạn"
	PageKindRelapse      = "Phức tạp trở lại"
	PageKindAtRisk       = "Có nguy cơ không đạt"
)

// PageVerdict is the committee's verdict on an area's year, in a table
// cell.
func PageVerdict(transformed bool) string { return upperFirst(Verdict(transformed)) }

// TargetVerdict says whether a yearly target is met, and how many areas it
// needs when it is not.
func TargetVerdict(met bool, needed int) string {
	if met {
		return "đạt"
	}
	return fmt.Sprintf("không đạt (cần %d)", needed)
}

// PageProposalNote heads the proposal: its reference period, the units it
// counts and the cap.
func PageProposalNote(reference string, total, limit int) string {
	return fmt.Sprintf("Kỳ số liệu %s; %d đơn vị cấp xã; hạn mức %d địa bàn. Các xã không cao hơn bình quân không liệt kê.", reference, total, limit)
}

// PageMailRefusedWhat says which mail the server refused and why.
func PageMailRefusedWhat(recipient, subject, cause string) string {
	return fmt.Sprintf("Gửi %s: %s. Lỗi của máy chủ thư: %s", recipient, subject, cause)
}

// ProjectionTarget names the target a projection is about.
func ProjectionTarget(target string, percent, year int) string {
	if target == finding.StableTarget {
		return fmt.Sprintf("Chỉ tiêu không phức tạp trở lại ≥ %d%%", percent)
	}
	return fmt.Sprintf("Chỉ tiêu chuyển hóa ≥ %d%% năm %d", percent, year)
}

// PageNotBuilt answers when the stored results could not be read (the
// log has why).
const PageNotBuilt = "Không đọc được kết quả đã lưu; xem nhật ký dịch vụ."

// More of the status page's words.
const (
	PageNoTable               = "Không có bảng này."
	PageNeverSelected         = "Chưa từng được chọn chuyển hóa."
	PageProposalIsNotDecision = "Đây là đề xuất của phần mềm; Ban Chỉ đạo tỉnh quyết định."
)

// PageYearOfWork names a year of work, "năm chuyển hóa 2026".
func PageYearOfWork(year int) string { return fmt.Sprintf("Năm chuyển hóa %d", year) }

// PageWindow names the days the indicators cover.
func PageWindow(from, to time.Time) string {
	return fmt.Sprintf("số liệu từ %s đến %s", Date(from), Date(to))
}
