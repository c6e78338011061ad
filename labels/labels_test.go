package labels

import (
	"testing"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/rules"
)

// Every value of every labelled enum has a label of its own: a value the
// tables lack would show users its stored English.
func TestEveryValueIsLabelled(t *testing.T) {
	b := DefaultBodies()
	check := func(value, label string) {
		t.Helper()
		if label == "" || label == value {
			t.Errorf("%q has no label (got %q)", value, label)
		}
	}
	for _, s := range []rules.Status{rules.StatusProposed, rules.StatusCutByCap, rules.StatusExcludedNTM, rules.StatusBelowAverage} {
		check(string(s), Status(s))
	}
	for _, s := range []rules.DeadlineState{rules.DeadlinePending, rules.DeadlineUpcoming, rules.DeadlineDue, rules.DeadlineOverdue,
		rules.DeadlineEscalated, rules.DeadlineSubmitted, rules.DeadlineSubmittedLate} {
		check(string(s), b.Deadline(s))
		check(string(s), Deadline(s))
	}
	for _, c := range []rules.IndicatorCode{rules.IndDetection, rules.IndSeriousDetection, rules.IndReportsHandled, rules.IndReoffending} {
		check(string(c), Indicator(c))
		check(string(c), IndicatorShort(c))
	}
	for _, s := range []rules.Stage{rules.StageInProgress, rules.StageNotTransformed, rules.StageWatched, rules.StageStable, rules.StageRelapsed} {
		check(string(s), Stage(s))
		check(string(s), StageShort(s))
	}
	for _, s := range []finding.State{finding.CycleOnTrack, finding.CycleBelow, finding.CycleAtRisk, finding.CycleNoData, finding.CycleAssessed} {
		check(string(s), CycleState(s))
	}
	for _, c := range rules.Categories {
		check("", Category(c))
	}
	for _, j := range finding.Jobs() {
		title, ok := JobTitle(j)
		if !ok {
			t.Errorf("job %s has no title", j)
		}
		check(string(j), title)
	}
}

func TestLabels(t *testing.T) {
	b := DefaultBodies()
	day := time.Date(2026, 11, 25, 7, 5, 0, 0, time.UTC)
	for _, c := range []struct{ got, want string }{
		{Status("new_status"), "new_status"}, // an unknown value shows as stored
		{Category(rules.Category(7)), "loại 7"},
		{Deadline(rules.DeadlineEscalated), "Quá hạn, báo cáo Ban Chỉ đạo tỉnh"},
		{b.Committee(rules.ProvinceCommittee(), ""), "Ban Chỉ đạo 138 tỉnh"},
		{b.Committee(rules.DistrictCommittee("D03"), "Huyện Bình Sơn"), "Ban Chỉ đạo 138 huyện Bình Sơn"},
		{b.Committee(rules.DistrictCommittee("D03"), ""), "Ban Chỉ đạo 138 D03"},
		{b.Committee(rules.CommuneCommittee("X01"), "Xã Bình Châu"), "Công an xã Bình Châu"},
		{b.Committee(rules.CommuneCommittee("X01"), ""), "Công an X01"},
		{b.Committee(rules.CommuneCommittee("X02"), "Đặc khu Lý Sơn"), "Công an đặc khu Lý Sơn"},
		{b.Committee(rules.DistrictCommittee("D01"), "Thành phố Quảng Ngãi"), "Ban Chỉ đạo 138 thành phố Quảng Ngãi"},
		{b.Committee(rules.CommuneCommittee("X03"), "Xãnh"), "Công an Xãnh"}, // not a kind word
		{Bodies{Commune: "{name} (công an)"}.Committee(rules.CommuneCommittee("X01"), "Xã Bình Châu"), "Xã Bình Châu (công an)"},
		{b.LevelAvg(), "BQ huyện"},
		{b.LevelTitle(), "Huyện"},
		{b.DeadlinesHeading(day, true, false), "NGHĨA VỤ BÁO CÁO CỦA BAN CHỈ ĐẠO 138 CẤP HUYỆN (ngày 25/11/2026)"},
		{b.DeadlinesHeading(day, true, true), "NGHĨA VỤ BÁO CÁO CỦA BAN CHỈ ĐẠO 138 CẤP HUYỆN VÀ CÔNG AN CẤP XÃ (ngày 25/11/2026)"},
		{b.ProposalsHeading(2027, true), "ĐỀ XUẤT CỦA BAN CHỈ ĐẠO 138 CẤP HUYỆN BÊN CẠNH ĐỀ XUẤT TÍNH TOÁN, NĂM 2027"},
		{b.DeadlinesHeading(day, false, true), "NGHĨA VỤ BÁO CÁO CỦA CÔNG AN CẤP XÃ (ngày 25/11/2026)"},
		{b.ProposalsHeading(2027, false), "ĐỀ XUẤT CỦA CÔNG AN CẤP XÃ BÊN CẠNH ĐỀ XUẤT TÍNH TOÁN, NĂM 2027"},
		{b.ProposalsSummary(3, 1, false), "Tổng hợp: 3 đề xuất của các xã, 1 không đạt điều kiện hoặc có sai sót."},
		{b.ProposalObligation(1, day, false), "Nghĩa vụ đề xuất (mỗi xã đề xuất địa bàn của mình, hạn 25/11/2026):"},
		{b.ProposalObligation(2, day, true), "Nghĩa vụ đề xuất (ít nhất 2 địa bàn mỗi huyện, hạn 25/11/2026):"},
		{Date(time.Time{}), "—"},
		{DateTime(day), "25/11/2026 07:05"},
		{Month(day), "11/2026"},
		{Weekday(time.Wednesday), "Thứ Tư"},
		{TargetStatus(false, false), "chưa đánh giá"},
		{TargetStatusNeeded(true, true, 11), "đạt"},
		{TargetStatusNeeded(true, false, 11), "KHÔNG ĐẠT (cần 11)"},
		{TargetStatusNeeded(false, false, 11), "chưa đánh giá"},
		{DataErrorRows(100, true), "≥ 100"},
		{DataErrorRows(3, false), "3"},
		{Shorten("Xã Hòa Bình", 5), "Xã Hò…"},
		{Shorten("Xã", 5), "Xã"},
		{IndicatorCell(rules.Indicator{Applicable: true, Num: 6, Den: 10, Rate: 60}, true), "6/10 (60,0%) ✗"},
		{IndicatorCell(rules.Indicator{Applicable: true, Num: 9, Den: 10, Rate: 90, Met: true}, true), "9/10 (90,0%)"},
		{IndicatorCell(rules.Indicator{}, false), "—"},
		{RelapseState(finding.RelapseItem{RelapseResult: rules.RelapseResult{Area: rules.Area{Category: rules.Cat4, Categories: []rules.Category{rules.Cat4}},
			Relapsed: true, ByGate: true, ByCategory: true, CategoryChecks: []rules.CategoryCheck{{Category: rules.Cat4, Complex: true}}}}),
			"PHỨC TẠP TRỞ LẠI (vượt bình quân, phức tạp loại 4)"},
		{RelapseState(finding.RelapseItem{RelapseResult: rules.RelapseResult{Area: rules.Area{Category: rules.Cat1, Categories: []rules.Category{rules.Cat1, rules.Cat3}},
			Relapsed: true, ByCategory: true, CategoryChecks: []rules.CategoryCheck{{Category: rules.Cat1}, {Category: rules.Cat3, Complex: true}}}}),
			"PHỨC TẠP TRỞ LẠI (phức tạp loại 3)"},
		{AreaCategories([]rules.Category{rules.Cat3}), "Loại 3: môi trường, tài nguyên, an toàn thực phẩm"},
		{AreaCategories([]rules.Category{rules.Cat1, rules.Cat3, rules.Cat4}), "Loại 1, 3, 4"},
		{AreaCategories(nil), "—"},
		{RelapseState(finding.RelapseItem{}), "Bình thường trở lại"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// The digest's subject counts only what the digest holds, in a fixed order.
func TestDigestSubject(t *testing.T) {
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	got := DigestSubject("[CHUYENHOA]", "Ban Chỉ đạo 138 tỉnh", DigestCounts{Escalations: 1, Soon: 2, Forwarded: 3, Resolved: 1}, day)
	want := "[CHUYENHOA] Ban Chỉ đạo 138 tỉnh: 1 nghĩa vụ quá hạn chuyển tỉnh, 2 sắp đến hạn, 3 mục chuyển tiếp, 1 đã khắc phục (25/11/2026)"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if got := DigestSubject("[T]", "X", DigestCounts{}, day); got != "[T] X: không có mục mới (25/11/2026)" {
		t.Errorf("empty digest: %q", got)
	}
}
