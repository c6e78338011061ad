package labels

import "fmt"

// The words of the status page's mail tables: what the mail server
// accepted, what waits, what it refused, and the silences.

const (
	PageMailTitle      = "Thư đã gửi theo đơn vị nhận"
	PageMailNote       = "\"Được nhận\" là thư máy chủ thư đã nhận; thư mới xếp hàng chưa tính."
	PageMailEmpty      = "Chưa có thư nào."
	PageMailKind       = "Thư"
	PageMailAccepted   = "Đã được nhận"
	PageMailWaiting    = "Đang chờ gửi"
	PageMailNever      = "Chưa có thư được nhận"
	PageSilencesTitle  = "Tạm ngừng thông báo đang hiệu lực"
	PageSilencesEmpty  = "Không có tạm ngừng thông báo nào đang hiệu lực."
	PageSilenceKind    = "Tạm ngừng thông báo"
	PageMailColumnLast = "Thư được nhận gần nhất"
)

// PageMailColumns head the mail table.
func PageMailColumns() []string {
	return []string{"Gửi tới", "Tình trạng", PageMailColumnLast, "Đang chờ gửi", "Bị từ chối", "Lỗi gần nhất"}
}

// PageSilenceColumns head the silences table.
func PageSilenceColumns() []string {
	return []string{"Số", "Áp dụng cho", "Từ", "Đến", "Người đặt", "Lý do", "Đang giữ"}
}

// PageMailRefusedSince says how many messages the server refused after
// the last one it accepted.
func PageMailRefusedSince(n int) string { return fmt.Sprintf("%d thư bị từ chối", n) }

// PageSilenceHeld says how many open alerts a silence holds back.
func PageSilenceHeld(n int) string { return fmt.Sprintf("%d cảnh báo", n) }
