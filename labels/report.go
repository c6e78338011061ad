package labels

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/rules"
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

// YearDutyHeadings head the year report's table of proposal obligations.
func YearDutyHeadings(grouped bool) []string {
	who := "Đơn vị"
	if grouped {
		who = "Ban Chỉ đạo 138"
	}
	return []string{who, "Đã đề xuất", "Phải đề xuất", "Hạn", "Ngày đủ số lượng", "Tình trạng", "Số ngày trễ"}
}

// DecisionHeadings head the table of the decided areas that depart from
// a rule of the plan; the district's column and average only where there
// are districts.
func DecisionHeadings(grouped bool) []string {
	h := []string{"Năm", "Mã xã", "Tên xã", "Huyện", "Loại", "Số vụ phạm tội xâm phạm TTXH", "BQ tỉnh", "BQ huyện", "Nội dung"}
	if !grouped {
		h = slices.Delete(h, 7, 8)
	}
	return WithDistrict(grouped, 3, h...)
}

// WithDistrict is a row of cells whose cell i is a district's, left out
// when the row's table has no districts: the headings above and the rows
// under them.
func WithDistrict[T any](grouped bool, i int, cells ...T) []T {
	if grouped {
		return cells
	}
	return slices.Delete(cells, i, i+1)
}

// The kinds of state document the report command writes, and their
// abbreviations in the number and symbol (Decree 30/2020/NĐ-CP, Appendix
// III).
const (
	KindReport   = "BÁO CÁO"
	KindDecision = "QUYẾT ĐỊNH"
	CodeReport   = "BC"
	CodeDecision = "QĐ"
)

// The national motto and tagline over every state document.
const (
	Motto   = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
	Tagline = "Độc lập - Tự do - Hạnh phúc"
)

// DocumentDay writes a day of a date line as Decree 30 does: a day below
// 10 and the months 1 and 2 with a leading zero, "ngày 05 tháng 02 năm
// 2026", "ngày 15 tháng 4 năm 2021".
func DocumentDay(t time.Time) string {
	m := strconv.Itoa(int(t.Month()))
	if t.Month() <= 2 {
		m = "0" + m
	}
	return fmt.Sprintf("ngày %02d tháng %s năm %d", t.Day(), m, t.Year())
}

// DocumentDate is the place and date line, "Quảng Ngãi, ngày 25 tháng 11
// năm 2026".
func DocumentDate(place string, t time.Time) string { return place + ", " + DocumentDay(t) }

// Provisional says that a document's figures are not final: the year's
// verdicts are not all recorded on the day of its data.
func Provisional(on time.Time) string { return "số liệu tạm tính đến ngày " + Date(on) }

// YearSummary is the summary line (trích yếu) of the year report: a
// review (tổng kết) once every verdict of the year is recorded, the
// results so far, provisional, until then.
func YearSummary(year int, final bool, on time.Time) string {
	if final {
		return fmt.Sprintf("Tổng kết công tác chuyển hóa địa bàn trọng điểm, phức tạp về trật tự, an toàn xã hội năm %d", year)
	}
	return fmt.Sprintf("Kết quả công tác chuyển hóa địa bàn trọng điểm, phức tạp về trật tự, an toàn xã hội năm %d (%s)", year, Provisional(on))
}

// PeriodSummary is the summary line of the period summary: a review of
// the whole plan period once its last year's verdicts are recorded, a
// mid-term review (sơ kết) of part of it, provisional while a year of it
// awaits verdicts.
func PeriodSummary(from, to int, whole, final bool, on time.Time) string {
	kind := "Tổng kết"
	if !whole {
		kind = "Sơ kết"
	}
	s := fmt.Sprintf("%s công tác chuyển hóa địa bàn trọng điểm, phức tạp về trật tự, an toàn xã hội giai đoạn %d - %d", kind, from, to)
	if !final {
		s += " (" + Provisional(on) + ")"
	}
	return s
}

// DecisionSummary is the summary line of the selection decision.
func DecisionSummary(year int) string {
	return fmt.Sprintf("Về việc lựa chọn địa bàn trọng điểm, phức tạp về trật tự, an toàn xã hội để tổ chức chuyển hóa năm %d", year)
}

// PlanBasis is the basis line a document quotes its plan by: "Kế hoạch
// số 67/KH-UBND ngày 15/4/2021 của Chủ tịch UBND tỉnh về …".
func PlanBasis(number string, issued time.Time, issuer, name string) string {
	s := "Kế hoạch số " + number
	if !issued.IsZero() {
		s += fmt.Sprintf(" ngày %d/%d/%d", issued.Day(), int(issued.Month()), issued.Year())
	}
	if issuer != "" {
		s += " của " + issuer
	}
	if name != "" {
		name = strings.TrimPrefix(name, "Kế hoạch ")
		s += " về " + lowerFirst(name)
	}
	return s
}

// DecisionRecord names a recorded decision: "Quyết định số 12/QĐ-BCĐ ngày
// 01/03/2026 (Nguyễn Văn A ký)"; one without a number by its day.
func DecisionRecord(d rules.DecisionRecord) string {
	s := "Quyết định"
	if d.Number != "" {
		s += " số " + d.Number
	}
	s += " ngày " + Date(d.DecidedOn)
	if d.Signer != "" {
		s += " (" + d.Signer + " ký)"
	}
	return s
}

// DecisionCap says how the recorded selection stands against the cap.
func DecisionCap(d rules.DecisionCheck) string {
	if d.OverCap > 0 {
		return fmt.Sprintf("%d địa bàn được chọn, vượt %d địa bàn so với mức tối đa %d (%d%% của %d đơn vị cấp xã tại ngày quyết định)",
			d.Areas, d.OverCap, d.Cap, d.CapPercent, d.TotalUnits)
	}
	return fmt.Sprintf("%d địa bàn được chọn, trong mức tối đa %d (%d%% của %d đơn vị cấp xã)", d.Areas, d.Cap, d.CapPercent, d.TotalUnits)
}

// Departure says, with its numbers, how a decided area departs from a
// rule of the plan.
func (b Bodies) Departure(x rules.DecidedArea) string {
	c := x.Candidate
	switch x.Rule {
	case rules.DepartsGate:
		var not []string
		if !c.AboveProvince {
			not = append(not, "bình quân tỉnh "+Num(c.ProvinceAvg))
		}
		if c.HasDistrict && !c.AboveDistrict {
			not = append(not, "bình quân "+b.Level+" "+Num(c.DistrictAvg))
		}
		return fmt.Sprintf("%d vụ phạm tội xâm phạm TTXH, không cao hơn %s: không đủ điều kiện lựa chọn", c.Counts.SocialOrder, strings.Join(not, " và "))
	case rules.DepartsNTM:
		return fmt.Sprintf("đạt chuẩn nông thôn mới ngày %s: thuộc diện không lựa chọn", Date(c.Unit.NTMCertifiedOn))
	case rules.DepartsUnknown:
		return "không phải đơn vị cấp xã tại ngày quyết định"
	}
	return string(x.Rule)
}

// PeriodTotal labels the period's row of sums.
const PeriodTotal = "Cả giai đoạn"

// PeriodYearHeadings head the period summary's table of years.
func PeriodYearHeadings(transformed, stable int) []string {
	return []string{"Năm", "Được chọn", "Loại 1", "Loại 2", "Loại 3", "Loại 4", "Thuộc nhiều loại", "Đã kết luận", "Chuyển hóa đạt",
		"Tỷ lệ (%)", fmt.Sprintf("Đạt %d%%", transformed), "Chuyển tiếp", "Chuyển tiếp đạt", "Phức tạp trở lại",
		"Không phức tạp trở lại (%)", fmt.Sprintf("Đạt %d%%", stable)}
}

// PeriodAreaHeadings head the period summary's table of communes: as
// selected, and the commune each is part of now when it is another.
func PeriodAreaHeadings() []string {
	return []string{"Mã xã", "Tên xã", "Huyện", "Nay thuộc (mã)", "Nay thuộc (tên)", "Năm được chọn", "Loại", "Kết quả",
		"Năm chuyển hóa", "Năm cuối", "Hiện nay"}
}

var periodOutcomes = map[rules.PeriodOutcome]string{
	rules.PeriodStable:         "Đã chuyển hóa, không phức tạp trở lại",
	rules.PeriodRelapsed:       "Đã chuyển hóa, phức tạp trở lại",
	rules.PeriodNotTransformed: "Chưa chuyển hóa",
	rules.PeriodPending:        "Chưa có kết luận",
}

// PeriodOutcome says where a commune selected in a plan period ended.
func PeriodOutcome(o rules.PeriodOutcome) string { return lookup(periodOutcomes, o) }

// PeriodLatest says how the latest year a commune was worked on ended:
// "2025: không đạt", "2024 (chuyển tiếp): chuyển hóa đạt", "2025: chưa có
// kết luận".
func PeriodLatest(year int, carried, hasVerdict, transformed bool) string {
	s := strconv.Itoa(year)
	if carried {
		s += " (chuyển tiếp)"
	}
	if !hasVerdict {
		return s + ": chưa có kết luận"
	}
	return s + ": " + Verdict(transformed)
}

// PeriodReportSummary is the line the report command prints once the
// period summary is written.
func PeriodReportSummary(from, to int, on time.Time, selected, transformed, communes int) string {
	return fmt.Sprintf("Báo cáo giai đoạn %d - %d (số liệu đến %s): %d lượt địa bàn được chọn, %d chuyển hóa đạt; %d xã, phường được chọn.",
		from, to, Date(on), selected, transformed, communes)
}

// DecisionDraftSummary is the line the report command prints once the
// draft decision is written.
func DecisionDraftSummary(year int, on time.Time, proposed int) string {
	return fmt.Sprintf("Dự thảo quyết định lựa chọn năm %d (số liệu đến %s): %d địa bàn đề xuất.", year, Date(on), proposed)
}

// NoPDF says that a document's PDF was not written, and why.
func NoPDF(why string) string {
	return "Không tạo tệp PDF: " + why + ". Mở tệp .html bằng trình duyệt và in ra PDF (khổ A4, lề theo trang), hoặc cài chromium (gói Debian chromium) hay đặt documents.chromium."
}

// DraftHeadings head the draft decision's tables of candidate areas.
func DraftHeadings(grouped bool) []string {
	h := []string{"Năm", "Mã xã", "Tên xã", "Huyện", "Loại", "Số vụ phạm tội xâm phạm TTXH", "BQ tỉnh", "BQ huyện", "Hạng",
		"Kết quả tính toán", "Căn cứ", "Đề xuất của"}
	if !grouped {
		h = slices.Delete(h, 7, 8)
	}
	return WithDistrict(grouped, 3, h...)
}

// DecisionHeading heads the check of a year's recorded selection.
func DecisionHeading(year int) string {
	return fmt.Sprintf("QUYẾT ĐỊNH LỰA CHỌN NĂM %d SO VỚI ĐIỀU KIỆN CỦA KẾ HOẠCH", year)
}
