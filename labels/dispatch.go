package labels

import (
	"fmt"
	"strings"
	"time"

	"chuyenhoa/finding"
)

// The words of the dispatcher, the silences and the outbox commands.

var alertKindNames = map[finding.AlertKind]string{
	finding.AlertDeadline:           "nghĩa vụ báo cáo",
	finding.AlertEscalation:         "nghĩa vụ báo cáo quá hạn chuyển tỉnh",
	finding.AlertRelapse:            "địa bàn phức tạp trở lại",
	finding.AlertProposal:           "đề xuất địa bàn",
	finding.AlertProposalEscalation: "đề xuất địa bàn quá hạn chuyển tỉnh",
	finding.AlertAtRisk:             "địa bàn có nguy cơ không đạt",
	finding.AlertProjection:         "dự báo không đạt chỉ tiêu",
}

// AlertKindName names a kind of alert; its code when unknown.
func AlertKindName(k finding.AlertKind) string {
	if n, ok := alertKindNames[k]; ok {
		return n
	}
	return string(k)
}

// SilenceMatchers says what a silence holds; the empty parts are not
// matched on.
func SilenceMatchers(unit, committee, kind, key string) string {
	var parts []string
	if key != "" {
		parts = append(parts, "mục "+key)
	}
	if unit != "" {
		parts = append(parts, "địa bàn "+unit)
	}
	if committee != "" {
		parts = append(parts, "gửi "+committee)
	}
	if kind != "" {
		parts = append(parts, "loại "+kind)
	}
	return strings.Join(parts, "; ")
}

// SilenceEndedLine tells a committee that a silence over n of its open
// items ended, so those items are in its digest again.
func SilenceEndedLine(id int64, what, by, reason string, ended time.Time, early bool, n int) string {
	how := "hết hạn"
	if early {
		how = "được dỡ bỏ"
	}
	return fmt.Sprintf("Tạm ngừng thông báo số %d (%s), do %s đặt vì: %s — %s lúc %s; %d mục trở lại trong thư này.",
		id, what, by, reason, how, DateTime(ended), n)
}

// SilencedItems says that n open items are held back by a silence.
func SilencedItems(n int) string {
	return fmt.Sprintf("%d mục đang tạm ngừng thông báo (xem: chuyenhoa silence list).", n)
}

// Silence states, as silence list shows them.
const (
	SilenceActive  = "đang hiệu lực"
	SilenceEnded   = "đã hết hạn"
	SilenceExpired = "đã dỡ bỏ"
)

// SilenceColumns heads silence list.
func SilenceColumns() []string {
	return []string{"ID", "Trạng thái", "Áp dụng cho", "Từ", "Đến", "Người đặt", "Lý do", "Đang giữ"}
}

// SilenceAdded is silence add's answer.
func SilenceAdded(id int64, what string, until time.Time, held int) string {
	return fmt.Sprintf("Đã tạm ngừng thông báo số %d (%s) đến %s; hiện giữ %d mục đang mở. Dỡ bỏ sớm: chuyenhoa silence expire %d.",
		id, what, DateTime(until), held, id)
}

// SilenceExpiredNow is silence expire's answer.
func SilenceExpiredNow(id int64, what string, at time.Time) string {
	return fmt.Sprintf("Đã dỡ bỏ tạm ngừng thông báo số %d (%s) lúc %s; bản tin tiếp theo sẽ ghi lại điều này.", id, what, DateTime(at))
}

// NoSilences stands for an empty silence list.
const NoSilences = "Không có tạm ngừng thông báo nào."

// OutboxCancelledCount adds the cancelled mail to the outbox's counts.
func OutboxCancelledCount(n int) string { return fmt.Sprintf("%d thư đã hủy.", n) }

// OutboxCancelledAs is a cancelled message's line in the outbox list.
func OutboxCancelledAs(at time.Time, reason string) string {
	return fmt.Sprintf("đã hủy %s: %s", at.Format("02/01 15:04"), reason)
}

// OutboxCancelled is outbox cancel's answer.
func OutboxCancelled(n int, reason string) string {
	return fmt.Sprintf("Đã hủy %d thư; lý do: %s. Thư đã hủy không bao giờ được gửi; nội dung của chúng vào bản tin kế tiếp.", n, reason)
}

// DigestRound says for which digest time a run composed mail, and how
// much.
func DigestRound(slot time.Time, messages int) string {
	return fmt.Sprintf("Bản tin lượt %s: đã soạn %d thư (mỗi Ban Chỉ đạo, đơn vị nhiều nhất một bản tin mỗi lượt).", DateTime(slot), messages)
}

// OtherDay says that a run for a day other than today only computes: it
// neither moves the alerts nor queues mail, unless asked with --mail.
func OtherDay(day, today time.Time) string {
	return fmt.Sprintf("Chạy cho ngày %s, không phải hôm nay (%s): chỉ tính và in kết quả; không cập nhật cảnh báo và không xếp thư nào vào hộp thư đi. Thêm --mail để xếp thư như vào ngày đó.",
		Date(day), Date(today))
}

// OtherDayMail warns that mail is queued as on another day than today.
func OtherDayMail(day, today time.Time) string {
	return fmt.Sprintf("Chú ý: --mail cập nhật cảnh báo và xếp thư như vào ngày %s (hôm nay là %s); hủy thư nhầm bằng 'chuyenhoa outbox cancel'.", Date(day), Date(today))
}
