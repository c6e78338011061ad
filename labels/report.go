package labels

import (
	"fmt"
	"slices"
	"time"

	"chuyenhoa/finding"
)

// The words of the documents package report writes. The prose of a page
// stays in its template, as the digests' and the status page's do; what Go
// code writes into a document or a table is here.

// YearReportSummary is the line the report command prints once the year
// report is written: the year, the day of its data, the areas selected
// and carried over, and the proposals of the districts (or, without
// districts, of the communes).
func (b Bodies) YearReportSummary(year int, on time.Time, selected, carried, proposals int, grouped bool) string {
	return fmt.Sprintf("Báo cáo năm %d (số liệu đến %s): %d địa bàn được chọn, %d chuyển tiếp, %d đề xuất của %s.",
		year, Date(on), selected, carried, proposals, b.level(grouped))
}

// YearResult says how an area of the year of work ended or stands: its
// stage once the committee decided, noting an area that carries over into
// the next year, else its state against the indicators.
func YearResult(it finding.CycleItem) string {
	if !it.HasVerdict {
		return CycleState(it.State)
	}
	s := Stage(it.Stage)
	if it.CarriesOver {
		s += "; chuyển tiếp năm sau"
	}
	return s
}

// Verdict is the committee's conclusion on an area's year.
func Verdict(transformed bool) string {
	if transformed {
		return "chuyển hóa đạt"
	}
	return "không đạt"
}

// TargetMet says whether a yearly target is met, in a document's words:
// "chưa đánh giá" while there is nothing to judge (has false).
func TargetMet(has, ok bool) string {
	switch {
	case !has:
		return "chưa đánh giá"
	case ok:
		return "đạt"
	}
	return "không đạt"
}

// YesNo is a yes-or-no cell of a table.
func YesNo(v bool) string {
	if v {
		return "có"
	}
	return "không"
}

// YearAreaHeadings head the year report's table of areas; the district
// column only where there are districts.
func YearAreaHeadings(grouped bool) []string {
	return WithDistrict(grouped, 3, "Năm", "Mã xã", "Tên xã", "Huyện", "Loại", "Nguồn", "Năm lựa chọn", "Ngày quyết định",
		"Số vụ phạm tội", "Số vụ khám phá", "Số vụ RNT/ĐBNT", "Số vụ RNT/ĐBNT khám phá", "Tin báo tiếp nhận", "Tin báo giải quyết",
		"Người chấp hành xong án", "Người tái phạm", "Đạt tiêu chí", "Tình trạng", "Kết luận", "Ngày kết luận")
}

// YearProposalHeadings head the year report's table of proposals; without
// districts a commune proposes itself, and there is no district average.
func YearProposalHeadings(grouped bool) []string {
	if !grouped {
		return []string{"Năm", "Mã xã", "Tên xã", "Ngày đề xuất", "Số vụ phạm tội xâm phạm TTXH", "BQ tỉnh",
			"Vượt BQ tỉnh", "Đạt điều kiện", "Được chọn", "Nhận xét"}
	}
	return []string{"Năm", "Huyện đề xuất", "Mã xã", "Tên xã", "Ngày đề xuất", "Số vụ phạm tội xâm phạm TTXH", "BQ tỉnh", "BQ huyện",
		"Vượt BQ tỉnh", "Vượt BQ huyện", "Đạt điều kiện", "Được chọn", "Nhận xét"}
}

// YearTargetHeadings head the year report's table of the targets over the
// years; transformed and stable are the targets' percentages.
func YearTargetHeadings(transformed, stable int) []string {
	return []string{"Năm", "Được chọn", "Đã kết luận", "Chuyển hóa đạt", "Tỷ lệ (%)", fmt.Sprintf("Đạt %d%%", transformed),
		"Chuyển tiếp", "Chuyển tiếp đạt", "Phức tạp trở lại", "Không phức tạp trở lại (%)", fmt.Sprintf("Đạt %d%%", stable)}
}

// YearRelapseHeadings head the year report's table of relapsed areas.
func YearRelapseHeadings(grouped bool) []string {
	return WithDistrict(grouped, 2, "Mã xã", "Tên xã", "Huyện", "Năm chuyển hóa", "Loại", "Ngày công nhận", "Hiện nay", "Từ ngày")
}

// WithDistrict is a row of cells whose cell i is a district's, left out
// when the row's table has no districts: the headings above and the rows
// under them.
func WithDistrict(grouped bool, i int, cells ...string) []string {
	if grouped {
		return cells
	}
	return slices.Delete(cells, i, i+1)
}
