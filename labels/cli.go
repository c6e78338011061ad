package labels

import (
	"fmt"
	"time"

	"chuyenhoa/finding"
)

// The command line's messages to its user, command by command. Sentences
// come without their line end.

// ConfigValid is check-config's answer for a valid configuration.
func ConfigValid(province, timezone, database string, obligations int) string {
	return fmt.Sprintf("Cấu hình hợp lệ: tỉnh %s, múi giờ %s, cơ sở dữ liệu %s, %d nghĩa vụ báo cáo.", province, timezone, database, obligations)
}

// MigrationStatus is migrate's answer: the schema version and the latest.
func MigrationStatus(current, latest int64) string {
	return fmt.Sprintf("Cơ sở dữ liệu ở phiên bản %d (mới nhất %d).", current, latest)
}

// Queued says how many messages a run put in the outbox, and how they
// leave it.
func Queued(n int) string {
	return fmt.Sprintf("%d thư đã vào hộp thư đi; 'chuyenhoa send' gửi ngay, dịch vụ 'serve' tự gửi.", n)
}

// Imported is import's answer: how many rows of which table from which
// file.
func Imported(n int, table, file string) string {
	return fmt.Sprintf("Đã nhập %d dòng %s từ %s.", n, table, file)
}

// DemoProvince introduces the demo's synthetic province.
func DemoProvince(districts, units, stats int, today time.Time, database string) string {
	return fmt.Sprintf("Tỉnh mô phỏng: %d huyện, %d xã, %d dòng thống kê; hôm nay là %s. Cơ sở dữ liệu: %s",
		districts, units, stats, Date(today), database)
}

// DemoMailHeading heads the list of the mail the demo wrote.
const DemoMailHeading = "THƯ ĐÃ GỬI (GHI RA TỆP .eml)"

// DemoMailColumns heads the list of the mail the demo wrote.
func DemoMailColumns() []string { return []string{"Người nhận", "Tiêu đề", "Tệp"} }

// DemoMailWritten says how many messages the demo wrote, and where.
func DemoMailWritten(n int, dir string) string {
	return fmt.Sprintf("%d thư đã ghi vào thư mục %s (mở bằng trình đọc thư bất kỳ).", n, dir)
}

// Generated counts what gen put into the database.
type Generated struct {
	Seed                                 int64
	Districts, Units, Offences           int
	Stats                                int64
	From, To                             time.Time // the statistics' first and last day
	Selections, Assessments, Submissions int
}

// String is gen's account of what it generated.
func (g Generated) String() string {
	return fmt.Sprintf("Đã tạo dữ liệu mô phỏng (hạt giống %d): %d huyện, %d xã, %d loại tội phạm, %d dòng thống kê từ %s đến %s, %d quyết định lựa chọn, %d kết quả đánh giá, %d báo cáo đã nộp.",
		g.Seed, g.Districts, g.Units, g.Offences, g.Stats, Date(g.From), Date(g.To), g.Selections, g.Assessments, g.Submissions)
}

// GenerationTime says how long gen took and where it wrote.
func GenerationTime(took time.Duration, rowsPerSecond float64, database string) string {
	return fmt.Sprintf("Thời gian: %s (%.0f dòng/giây). Cơ sở dữ liệu: %s", took, rowsPerSecond, database)
}

// OutboxCounts counts the outbox's messages by status.
func OutboxCounts(pending, sending, sent, failed int) string {
	return fmt.Sprintf("Hộp thư đi: %d chờ gửi, %d đang gửi, %d đã gửi, %d lỗi.", pending, sending, sent, failed)
}

// OutboxColumns heads the list of the outbox's messages.
func OutboxColumns() []string {
	return []string{"ID", "Trạng thái", "Tạo lúc", "Gửi lúc", "Lần thử", "Người nhận", "Tiêu đề", "Lỗi gần nhất"}
}

// OutboxRetry says when a message that failed is tried again.
func OutboxRetry(at time.Time) string { return "thử lại " + at.Format("02/01 15:04") }

// DryRunMail shows the n-th message a dry run would send.
func DryRunMail(n int, messageID, from, to, subject, text string) string {
	return fmt.Sprintf("──── Thư %d ────\nMessage-ID: <%s>\nTừ: %s\nĐến: %s\nTiêu đề: %s\n\n%s", n, messageID, from, to, subject, text)
}

// DryRunSummary says how many messages a dry run would send.
func DryRunSummary(n int) string {
	return fmt.Sprintf("Chạy thử: %d thư sẽ được gửi; không có gì được ghi lại hay gửi đi.", n)
}

// Composed says how many messages notify composed.
func Composed(n int) string { return fmt.Sprintf("Đã soạn %d thư.", n) }

// Drained says what sending the outbox through a transport did.
func Drained(transport string, sent, retried, failed int) string {
	return fmt.Sprintf("Gửi thư qua %s: %d đã gửi, %d hoãn thử lại, %d lỗi vĩnh viễn.", transport, sent, retried, failed)
}

// TestMailSubject is the subject of send-test's message, after the tag.
func TestMailSubject(tag string) string { return tag + " Thư thử cấu hình gửi thư" }

// TestMailText is the body of send-test's message.
func TestMailText(province string, at time.Time) string {
	return fmt.Sprintf("Thư thử từ hệ thống theo dõi chuyển hóa địa bàn tỉnh %s, gửi lúc %s.\nNếu đọc được thư này với đầy đủ dấu tiếng Việt, cấu hình gửi thư đã đúng.\n",
		province, at.Format("15:04 02/01/2006"))
}

// TestMailSent is send-test's answer once the message is sent.
func TestMailSent(to, transport, messageID string) string {
	return fmt.Sprintf("Đã gửi thư thử tới %s qua %s (Message-ID <%s>).", to, transport, messageID)
}

var jobTitles = map[finding.Job]string{
	finding.JobCandidates: "đề xuất địa bàn trọng điểm",
	finding.JobRelapse:    "kiểm tra địa bàn phức tạp trở lại",
	finding.JobDeadlines:  "nhắc hạn, quá hạn báo cáo",
	finding.JobCycle:      "theo dõi năm chuyển hóa: đề xuất, chỉ tiêu, cảnh báo sớm, dự báo",
	finding.JobDigest:     "soạn bản tin cho từng Ban Chỉ đạo, đơn vị (mail.digest_times)",
	finding.JobSend:       "gửi thư trong hàng đợi",
}

// JobTitle says what a job does, for the schedule listing; ok is false for
// a job without a title.
func JobTitle(j finding.Job) (title string, ok bool) {
	title, ok = jobTitles[j]
	return title, ok
}

var weekdays = [...]string{"Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"}

// Weekday names a day of the week.
func Weekday(d time.Weekday) string { return weekdays[d] }

// ScheduleIntro heads the schedule listing: how many runs per job, after
// when, in which time zone.
func ScheduleIntro(count int, start time.Time, loc *time.Location) string {
	return fmt.Sprintf("Lịch chạy %d lần tiếp theo sau %s, giờ %s:", count, DateTime(start.In(loc)), loc)
}

// ScheduleNone stands for a job whose cron spec never fires.
const ScheduleNone = "(không có lần chạy nào: kiểm tra lại biểu thức cron)"
