package labels

import (
	"fmt"

	"chuyenhoa/finding"
	"chuyenhoa/rules"
)

var indicators = map[rules.IndicatorCode]string{
	rules.IndDetection:        "Tỷ lệ điều tra, khám phá",
	rules.IndSeriousDetection: "Khám phá án rất nghiêm trọng, đặc biệt nghiêm trọng",
	rules.IndReportsHandled:   "Tố giác, tin báo về tội phạm được giải quyết",
	rules.IndReoffending:      "Tái phạm của người chấp hành xong án phạt tù",
}

// Indicator names an assessment indicator (tiêu chí chuyển hóa đạt).
func Indicator(c rules.IndicatorCode) string { return lookup(indicators, c) }

var indicatorsShort = map[rules.IndicatorCode]string{
	rules.IndDetection:        "Khám phá",
	rules.IndSeriousDetection: "RNT/ĐBNT",
	rules.IndReportsHandled:   "Tin báo",
	rules.IndReoffending:      "Tái phạm",
}

// IndicatorShort is the short column heading of an indicator.
func IndicatorShort(c rules.IndicatorCode) string { return lookup(indicatorsShort, c) }

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

var stages = map[rules.Stage]string{
	rules.StageInProgress:     "Đang thực hiện",
	rules.StageNotTransformed: "Không đạt chuyển hóa",
	rules.StageWatched:        "Chuyển hóa đạt, đang theo dõi",
	rules.StageStable:         "Chuyển hóa đạt, ổn định",
	rules.StageRelapsed:       "Chuyển hóa đạt, phức tạp trở lại",
}

// Stage says where an area stands in its yearly life cycle.
func Stage(s rules.Stage) string { return lookup(stages, s) }

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

var cycleStates = map[finding.State]string{
	finding.CycleOnTrack:  "Đang đạt các tiêu chí",
	finding.CycleBelow:    "Chưa đạt tiêu chí",
	finding.CycleAtRisk:   "Có nguy cơ không đạt",
	finding.CycleNoData:   "Chưa có số liệu",
	finding.CycleAssessed: "Đã có kết luận",
}

// CycleState says how an area of the year of work stands against the
// indicators (the states of the cycle job's findings).
func CycleState(s finding.State) string { return lookup(cycleStates, s) }
