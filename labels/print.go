package labels

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/period"
	"chuyenhoa/rules"
)

// The words of the tables the command line prints for a job's result
// (run-once, demo). Headings and sentences come without their line end;
// columns come as the cells of a heading row.

// The states of a transformed area in the relapse check, also a digest
// line's.
const (
	RelapsedAgain = "Phức tạp trở lại"
	NormalAgain   = "Bình thường trở lại"
)

// CandidatesHeading heads the proposal of candidate areas for year.
func CandidatesHeading(year int) string {
	return fmt.Sprintf("ĐỀ XUẤT ĐỊA BÀN TRỌNG ĐIỂM, PHỨC TẠP VỀ TTATXH CHUYỂN HÓA NĂM %d", year)
}

// CandidatesIntro gives the proposal's statistical period, the province's
// unit count and the cap.
func CandidatesIntro(ref period.Range, units, capPercent, limit int) string {
	return fmt.Sprintf("Kỳ số liệu: %s. Tổng số đơn vị cấp xã: %d. Hạn mức %d%%: tối đa %d địa bàn.", ref, units, capPercent, limit)
}

// ProvinceAverage gives the province's average of a commune with its
// numbers.
func ProvinceAverage(b rules.GroupAverages) string {
	return fmt.Sprintf("Bình quân số vụ phạm tội xâm phạm TTXH một xã trong tỉnh: %s (tổng %d vụ / %d xã).", Num(b.Avg), b.Total, b.Units)
}

// CandidateColumns heads the table of candidates; without districts it
// has no district and no district average.
func (b Bodies) CandidateColumns(grouped bool) []string {
	if !grouped {
		return []string{"Hạng", "Mã", "Địa bàn", "Số vụ", "BQ tỉnh", "Loại phức tạp", "Kết quả", "Lý do"}
	}
	return []string{"Hạng", "Mã", "Địa bàn", b.LevelTitle(), "Số vụ", "BQ tỉnh", b.LevelAvg(), "Loại phức tạp", "Kết quả", "Lý do"}
}

// CandidatesSummary counts the proposal's communes by status.
func CandidatesSummary(n map[rules.Status]int) string {
	return fmt.Sprintf("Tổng hợp: %d đề xuất, %d vượt hạn mức, %d loại trừ do đạt chuẩn nông thôn mới, %d không cao hơn bình quân.",
		n[rules.StatusProposed], n[rules.StatusCutByCap], n[rules.StatusExcludedNTM], n[rules.StatusBelowAverage])
}

// RelapseHeading heads the relapse check of the rolling year window.
func RelapseHeading(window period.Range) string {
	return fmt.Sprintf("THEO DÕI ĐỊA BÀN ĐÃ CHUYỂN HÓA (kỳ %s)", window)
}

// RelapseColumns heads the table of the relapse check; without districts
// it quotes the province's averages alone.
func (b Bodies) RelapseColumns(grouped bool) []string {
	if !grouped {
		return []string{"Mã", "Địa bàn năm", "Loại", "Tình trạng", "Từ ngày", "Số vụ TTXH", "BQ tỉnh", "Số vụ theo loại", "BQ loại tỉnh", "Thay đổi"}
	}
	return []string{"Mã", "Địa bàn năm", "Loại", "Tình trạng", "Từ ngày", "Số vụ TTXH", "BQ tỉnh", b.LevelAvg(), "Số vụ theo loại", "BQ loại tỉnh/" + b.Level, "Thay đổi"}
}

// RelapseState says how a checked area stands, and why when it is complex
// again: "PHỨC TẠP TRỞ LẠI (vượt bình quân, phức tạp loại 4)".
func RelapseState(it finding.RelapseItem) string {
	if !it.Relapsed {
		return NormalAgain
	}
	var why []string
	if it.ByGate {
		why = append(why, "vượt bình quân")
	}
	if it.ByCategory {
		why = append(why, "phức tạp loại "+Categories(it.ComplexAgain()))
	}
	return strings.ToUpper(RelapsedAgain) + " (" + strings.Join(why, ", ") + ")"
}

// Changed marks a row that changed since the last check.
const Changed = "mới"

// RelapseSummary counts the areas checked and those complex again.
func RelapseSummary(checked, relapsed int) string {
	return fmt.Sprintf("Đã kiểm tra %d địa bàn đã chuyển hóa; %d phức tạp trở lại.", checked, relapsed)
}

// TargetsHeading heads the yearly target progress.
const TargetsHeading = "TIẾN ĐỘ CHỈ TIÊU HẰNG NĂM"

// TargetColumns heads the table of yearly target progress, with the two
// targets' percentages.
func TargetColumns(transformedPct, stablePct int) []string {
	return []string{"Năm", "Được chọn", "Đã đánh giá", "Chuyển hóa đạt", fmt.Sprintf("Tỷ lệ (≥%d%%)", transformedPct), "Đạt",
		"Phức tạp trở lại", fmt.Sprintf("Không phức tạp trở lại (≥%d%%)", stablePct), "Đạt"}
}

// DeadlinesHeading heads the obligations of the committees below the
// province on a day, naming the levels that owe them: a list that still
// holds a district's obligation of before the reform beside the communes'
// names both.
func (b Bodies) DeadlinesHeading(on time.Time, districts, communes bool) string {
	owners := b.Locals(districts)
	if districts && communes {
		owners = b.Districts + " và " + b.Communes
	}
	return fmt.Sprintf("NGHĨA VỤ BÁO CÁO CỦA %s (ngày %s)", strings.ToUpper(owners), Date(on))
}

// OwnerColumn heads the column naming the committee that owes an
// obligation: "Ban Chỉ đạo" (of a district), or the body of a commune.
func OwnerColumn(grouped bool) string {
	if grouped {
		return "Ban Chỉ đạo"
	}
	return "Đơn vị"
}

// DeadlineColumns heads the table of obligations.
func DeadlineColumns(grouped bool) []string {
	return []string{OwnerColumn(grouped), "Nghĩa vụ", "Kỳ", "Địa bàn", "Hạn", "Ngày nộp", "Tình trạng", "Số ngày trễ"}
}

// DeadlinesSummary counts the obligations listed and those submitted on
// time, which are not.
func DeadlinesSummary(shown, onTime int) string {
	return fmt.Sprintf("%d nghĩa vụ cần chú ý (%d đã nộp đúng hạn không liệt kê).", shown, onTime)
}

// CycleHeading heads the year of work on a day.
func CycleHeading(year int, on time.Time) string {
	return fmt.Sprintf("NĂM CHUYỂN HÓA %d: ĐỊA BÀN VÀ TIÊU CHÍ CHUYỂN HÓA (ngày %s)", year, Date(on))
}

// CycleWindow says over which days the indicators stand and whether the
// early warnings have begun. has is false before the year's first month
// closes.
func (b Bodies) CycleWindow(year int, has bool, window period.Range, sixMonths time.Time, warn, grouped bool) string {
	switch {
	case !has:
		return fmt.Sprintf("Chưa có tháng thống kê nào của năm %d kết thúc: chưa tính tiêu chí.", year)
	case warn:
		return fmt.Sprintf("Tiêu chí tính từ %s đến %s; đã qua mốc sáu tháng (%s): địa bàn chưa đạt tiêu chí được cảnh báo sớm tới %s.",
			Date(window.From), Date(window.To), Date(sixMonths), b.LocalsShort(grouped))
	}
	return fmt.Sprintf("Tiêu chí tính từ %s đến %s; cảnh báo sớm bắt đầu từ mốc sáu tháng (%s).",
		Date(window.From), Date(window.To), Date(sixMonths))
}

// CycleColumns heads the table of the year's areas, one column per
// indicator; the district's only where there are districts.
func (b Bodies) CycleColumns(indicators []rules.Indicator, grouped bool) []string {
	head := []string{"Mã", "Địa bàn năm", b.LevelTitle(), "Loại", "Nguồn", "Quyết định"}
	if !grouped {
		head = slices.Delete(head, 2, 3)
	}
	for _, in := range indicators {
		head = append(head, fmt.Sprintf("%s (%s)", IndicatorShort(in.Code), IndicatorThreshold(in)))
	}
	return append(head, "Tình trạng")
}

// IndicatorCell is an indicator's cell in the table of areas: its value,
// marked ✗ when missed, or None when not measured.
func IndicatorCell(in rules.Indicator, measured bool) string {
	if !measured {
		return None
	}
	v := IndicatorValue(in)
	if !in.Met {
		v += " ✗"
	}
	return v
}

// CycleSummary counts the year's areas by origin and by state.
func CycleSummary(year, selected, carried int, n map[finding.State]int) string {
	return fmt.Sprintf("Tổng hợp: %d địa bàn được chọn năm %d, %d địa bàn chuyển tiếp từ năm trước; %d đang đạt các tiêu chí, %d có nguy cơ không đạt, %d chưa đạt (trước mốc sáu tháng), %d chưa có số liệu, %d đã có kết luận.",
		selected, year, carried, n[finding.CycleOnTrack], n[finding.CycleAtRisk], n[finding.CycleBelow], n[finding.CycleNoData], n[finding.CycleAssessed])
}

// ProjectionHeading heads the projection of the year's targets.
func ProjectionHeading(year int, on time.Time) string {
	return fmt.Sprintf("DỰ BÁO CHỈ TIÊU NĂM %d (ngày %s)", year, Date(on))
}

// PassProjection projects the transformation target (pct of the year's
// selected areas).
func PassProjection(pr rules.Projection, pct int) string {
	if !pr.HasPass {
		return fmt.Sprintf("Chuyển hóa (≥%d%%): chưa đủ số liệu để dự báo (%d địa bàn được chọn, chưa có kết luận hay số liệu tiêu chí).", pct, pr.Selected)
	}
	return fmt.Sprintf("Chuyển hóa (≥%d%% số địa bàn được chọn, địa bàn chuyển tiếp không tính): dự kiến %d/%d (%s) — %s. Gồm %d đã công nhận, %d đang đạt các tiêu chí; %d chưa đạt tiêu chí, %d chưa có số liệu, %d đã kết luận không đạt.",
		pct, pr.Passing, pr.Selected, Percent(pr.PassRate), TargetStatusNeeded(true, pr.PassMet, pr.PassNeeded),
		pr.Transformed, pr.Meeting, pr.Below, pr.NoData, pr.Assessed-pr.Transformed)
}

// StableProjection projects the target of transformed areas not complex
// again (pct of them, every year).
func StableProjection(pr rules.Projection, pct int) string {
	if !pr.HasStable {
		return fmt.Sprintf("Không phức tạp trở lại (≥%d%%): chưa có địa bàn nào được công nhận chuyển hóa.", pct)
	}
	return fmt.Sprintf("Không phức tạp trở lại (≥%d%% địa bàn đã chuyển hóa, mọi năm): %d/%d (%s) — %s; %d phức tạp trở lại.",
		pct, pr.Stable, pr.AllTransformed, Percent(pr.StableRate), TargetStatusNeeded(true, pr.StableMet, pr.StableNeeded), pr.Relapsed)
}

// ProposalsHeading heads the proposals of the committees below the
// province beside the computed candidates for year.
func (b Bodies) ProposalsHeading(year int, grouped bool) string {
	return fmt.Sprintf("ĐỀ XUẤT CỦA %s BÊN CẠNH ĐỀ XUẤT TÍNH TOÁN, NĂM %d", strings.ToUpper(b.Locals(grouped)), year)
}

// ProposalsIntro gives the statistical period of the proposal and the
// province's average of a commune.
func ProposalsIntro(ref period.Range, avg float64) string {
	return fmt.Sprintf("Kỳ số liệu: %s. Bình quân một xã trong tỉnh: %s vụ.", ref, Num(avg))
}

// ProposalColumns heads the table of proposals; without districts a
// commune proposes itself, and only the province's average is quoted.
func (b Bodies) ProposalColumns(grouped bool) []string {
	if !grouped {
		return []string{"Mã", "Địa bàn", "Số vụ", "BQ tỉnh", "Tính toán", "Đề xuất", "Nhận xét"}
	}
	return []string{"Mã", "Địa bàn", b.LevelTitle(), "Số vụ", "BQ tỉnh", b.LevelAvg(), "Tính toán", b.LevelTitle() + " đề xuất", "Nhận xét"}
}

// Computed says what the computation made of a commune, with its rank.
func Computed(c rules.Candidate) string {
	if c.Rank > 0 {
		return fmt.Sprintf("%s (hạng %d)", Status(c.Status), c.Rank)
	}
	return Status(c.Status)
}

// ProposedBy says who proposed a commune and when: "Huyện Bình Sơn,
// 10/01/2026"; who names the district, or the commune's body.
func ProposedBy(who string, on time.Time) string {
	return fmt.Sprintf("%s, %s", who, Date(on))
}

// ProposalsSummary counts the proposals and the faulty ones.
func (b Bodies) ProposalsSummary(proposals, faulty int, grouped bool) string {
	return fmt.Sprintf("Tổng hợp: %d đề xuất của các %s, %d không đạt điều kiện hoặc có sai sót.", proposals, b.level(grouped), faulty)
}

// ProposalObligation introduces the table of the proposal obligation: each
// district proposes at least minPerDistrict areas; without districts each
// commune its own area.
func (b Bodies) ProposalObligation(minPerDistrict int, due time.Time, grouped bool) string {
	if !grouped {
		return fmt.Sprintf("Nghĩa vụ đề xuất (mỗi xã đề xuất địa bàn của mình, hạn %s):", Date(due))
	}
	return fmt.Sprintf("Nghĩa vụ đề xuất (ít nhất %d địa bàn mỗi %s, hạn %s):", minPerDistrict, b.Level, Date(due))
}

// ProposalObligationColumns heads the table of the proposal obligation.
func ProposalObligationColumns(grouped bool) []string {
	return []string{OwnerColumn(grouped), "Đã đề xuất", "Ngày đủ số lượng", "Tình trạng", "Số ngày trễ"}
}

// level is the level of the committees below the province in a phrase
// such as "của các huyện": the district's, or the commune's.
func (b Bodies) level(grouped bool) string {
	if grouped {
		return b.Level
	}
	return "xã"
}

// ProposalNote says what is wrong with a district proposal, with the
// numbers, or that it meets the conditions.
func (b Bodies) ProposalNote(c rules.ProposalCheck, pr rules.Proposal, capPercent int) string {
	note := "Đạt điều kiện"
	switch {
	case !c.Known:
		note = "KHÔNG HỢP LỆ: không phải đơn vị cấp xã của tỉnh"
	case c.OtherDistrict:
		note = "KHÔNG HỢP LỆ: xã thuộc " + b.Level + " khác"
	case c.FailsGate:
		note = "KHÔNG ĐẠT điều kiện: " + b.Reason(c.Candidate, pr.TotalUnits, capPercent, pr.Cap)
	case c.ExcludedNTM:
		note = "KHÔNG ĐẠT điều kiện: đạt chuẩn nông thôn mới ngày " + Date(c.Candidate.Unit.NTMCertifiedOn)
	}
	if c.Selected {
		note += "; đã được chọn"
	}
	return note
}

// DataErrorsHeading heads the data errors of a job's run.
func DataErrorsHeading(job finding.Job, per string, n int) string {
	return fmt.Sprintf("LỖI DỮ LIỆU (%s, kỳ %s): %d", job, per, n)
}

// DataErrorColumns heads the table of data errors.
func DataErrorColumns() []string {
	return []string{"Bảng", "Lỗi", "Số dòng", "Ví dụ", "Nội dung"}
}

// DataErrorRows counts the rows of a data error, "≥ 100" when the count
// stopped at its limit.
func DataErrorRows(rows int, truncated bool) string {
	if truncated {
		return fmt.Sprintf("≥ %d", rows)
	}
	return fmt.Sprint(rows)
}

// Shorten cuts s to at most n characters, marking the cut with "…".
func Shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
