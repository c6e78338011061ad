package labels

import (
	"fmt"

	"chuyenhoa/finding"
	"chuyenhoa/rules"
)

// Indicator names an assessment indicator (tiêu chí chuyển hóa đạt).
func Indicator(c rules.IndicatorCode) string {
	switch c {
	case rules.IndDetection:
		return "Tỷ lệ điều tra, khám phá"
	case rules.IndSeriousDetection:
		return "Khám phá án rất nghiêm trọng, đặc biệt nghiêm trọng"
	case rules.IndReportsHandled:
		return "Tố giác, tin báo về tội phạm được giải quyết"
	case rules.IndReoffending:
		return "Tái phạm của người chấp hành xong án phạt tù"
	}
	return string(c)
}

// IndicatorShort is the short column heading of an indicator.
func IndicatorShort(c rules.IndicatorCode) string {
	switch c {
	case rules.IndDetection:
		return "Khám phá"
	case rules.IndSeriousDetection:
		return "RNT/ĐBNT"
	case rules.IndReportsHandled:
		return "Tin báo"
	case rules.IndReoffending:
		return "Tái phạm"
	}
	return string(c)
}

// IndicatorThreshold writes the indicator's threshold, "≥ 80%" or "< 15%".
func IndicatorThreshold(in rules.Indicator) string {
	if in.Below {
		return fmt.Sprintf("< %d%%", in.Percent)
	}
	return fmt.Sprintf("≥ %d%%", in.Percent)
}

// IndicatorValue writes the measure with its numbers, "12/20 (60,0%)", or
// "không phát sinh" when there was nothing to measure.
func IndicatorValue(in rules.Indicator) string {
	if !in.Applicable {
		return "không phát sinh"
	}
	return fmt.Sprintf("%d/%d (%s)", in.Num, in.Den, Percent(in.Rate))
}

// IndicatorGap says what is missing to meet the threshold: "thiếu 4 vụ",
// "vượt 1 người"; "" when met.
func IndicatorGap(in rules.Indicator) string {
	if in.Met {
		return ""
	}
	unit := "vụ"
	switch in.Code {
	case rules.IndReportsHandled:
		unit = "tin"
	case rules.IndReoffending:
		return fmt.Sprintf("vượt %d người", in.Short)
	}
	return fmt.Sprintf("thiếu %d %s", in.Short, unit)
}

// Stage says where an area stands in its yearly life cycle.
func Stage(s rules.Stage) string {
	switch s {
	case rules.StageInProgress:
		return "Đang thực hiện"
	case rules.StageNotTransformed:
		return "Không đạt chuyển hóa"
	case rules.StageWatched:
		return "Chuyển hóa đạt, đang theo dõi"
	case rules.StageStable:
		return "Chuyển hóa đạt, ổn định"
	case rules.StageRelapsed:
		return "Chuyển hóa đạt, phức tạp trở lại"
	}
	return string(s)
}

// Origin says how an area came into a year of work.
func Origin(a rules.CycleArea) string {
	switch {
	case a.CarriedOver:
		return fmt.Sprintf("Chuyển tiếp (chọn năm %d)", a.Origin)
	case a.Reselected:
		return "Chọn lại"
	}
	return "Chọn mới"
}

// CycleState says how an area of the year of work stands against the
// indicators (the states of the cycle job's findings).
func CycleState(s finding.State) string {
	switch s {
	case finding.CycleOnTrack:
		return "Đang đạt các tiêu chí"
	case finding.CycleBelow:
		return "Chưa đạt tiêu chí"
	case finding.CycleAtRisk:
		return "Có nguy cơ không đạt"
	case finding.CycleNoData:
		return "Chưa có số liệu"
	case finding.CycleAssessed:
		return "Đã có kết luận"
	}
	return string(s)
}
