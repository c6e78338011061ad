package labels

import (
	"fmt"
	"strings"
	"time"
)

// DemoReformFacts is what the demo says first about its province after the
// 2025 reform.
type DemoReformFacts struct {
	Reform              time.Time // first day of the two-tier government
	Districts, OldUnits int       // until the day before
	Xa, Phuong, DacKhu  int       // the new communes, by kind
	Stats               int
	Today               time.Time
	Database            string
	Communes            string // the communes' bodies as a level (Bodies.Communes)
	// Example is a new commune and its predecessors, by UnitName.
	Example      string
	ExampleParts []string
}

// DemoReformIntro introduces the demo's province after the reform: what it
// held until the reform, what since, one merged commune, and how to see
// the province as it was.
func DemoReformIntro(f DemoReformFacts) string {
	before := f.Reform.AddDate(0, 0, -1)
	lines := []string{
		fmt.Sprintf("Tỉnh mô phỏng sau sắp xếp đơn vị hành chính: từ %s chính quyền địa phương hai cấp (tỉnh, xã); hôm nay là %s.",
			Date(f.Reform), Date(f.Today)),
		fmt.Sprintf("- Đến %s: %d huyện, %d xã, phường, thị trấn; số liệu, quyết định và báo cáo đến ngày này ghi theo mã cũ.",
			Date(before), f.Districts, f.OldUnits),
		fmt.Sprintf("- Từ %s: không còn cấp huyện; %d đơn vị cấp xã mới (%d xã, %d phường, %d đặc khu) với mã mới, mỗi đơn vị gồm các xã cũ sáp nhập vào (bảng unit_successions).",
			Date(f.Reform), f.Xa+f.Phuong+f.DacKhu, f.Xa, f.Phuong, f.DacKhu),
		fmt.Sprintf("- Số liệu và quyết định của xã cũ được tính cho đơn vị kế thừa: địa bàn chuyển hóa trước sắp xếp được theo dõi dưới mã mới; nghĩa vụ báo cáo và thư cảnh báo thuộc %s.",
			f.Communes),
	}
	if f.Example != "" {
		lines = append(lines, fmt.Sprintf("- Ví dụ: %s gồm %s.", f.Example, strings.Join(f.ExampleParts, ", ")))
	}
	lines = append(lines, fmt.Sprintf("- %d dòng thống kê. Cơ sở dữ liệu: %s. Tỉnh ba cấp như trước sắp xếp: chuyenhoa demo --three-tier", f.Stats, f.Database))
	return strings.Join(lines, "\n")
}
