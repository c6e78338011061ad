package labels

import (
	"testing"

	"chuyenhoa/finding"
	"chuyenhoa/period"
	"chuyenhoa/rules"
)

// The messages data officers read, word for word: they were written for
// them, and run-once, the digests and the status page show them as they are.
func TestDataMessage(t *testing.T) {
	const (
		leftOut = " Dòng này không được dùng trong lần tính; hãy sửa dữ liệu nguồn."
		once    = " Các bản giống nhau chỉ được tính một lần; hãy xóa bản trùng ở dữ liệu nguồn."
		kept    = " Dữ liệu vẫn được dùng; hãy kiểm tra lại dữ liệu nguồn."
	)
	for _, c := range []struct {
		rel     string
		problem finding.State
		action  finding.Action
		detail  string
		want    string
	}{
		{"units", finding.ProblemNull, finding.ActionLeftOut, "name", "Dòng của units thiếu giá trị hoặc sai kiểu ở cột: name." + leftOut},
		{"crime_stats", finding.ProblemNegative, finding.ActionLeftOut, "count=-7", "Số liệu âm trong crime_stats: count=-7." + leftOut},
		{"offence_types", finding.ProblemBadValue, finding.ActionLeftOut, DataCategory(7), "Giá trị ngoài phạm vi trong offence_types (category 7, phải từ 1 đến 4)." + leftOut},
		{"selections", finding.ProblemUnknownUnit, finding.ActionLeftOut, "QQ", `Mã xã "QQ" trong selections không có trong danh mục xã (units).` + leftOut},
		{"crime_stats", finding.ProblemUnknownOffence, finding.ActionLeftOut, "XX", `Mã loại tội phạm "XX" trong crime_stats không có trong danh mục offence_types.` + leftOut},
		{"units", finding.ProblemUnknownDistrict, finding.ActionKept, "D9", `Mã huyện "D9" trong units không có trong danh mục huyện (districts).` + kept},
		{"crime_stats", finding.ProblemFutureDay, finding.ActionLeftOut, "01/03/2026", "Dòng của crime_stats ghi ngày sau hôm nay (01/03/2026)." + leftOut},
		{"units", finding.ProblemDuplicate, finding.ActionCountedOnce, DataCopies("A", 2), "Khóa trùng trong units: A (2 lần)." + once},
		{"units", finding.ProblemDuplicate, finding.ActionLeftOut, DataCopiesDiffer("C", 3), "Khóa trùng trong units: C (3 lần, khác nhau)." + leftOut},
		{"units", finding.ProblemTwoDistricts, finding.ActionLeftOut, "B: D1, D2", "Xã được ghi thuộc nhiều huyện cùng lúc trong units: B: D1, D2." + leftOut},
		{"districts", finding.ProblemEmptyDistrict, finding.ActionKept, "D3 (01/03/2026)", "Huyện D3 (01/03/2026) không có xã nào còn hiệu lực." + kept},
		{"unit_successions", finding.ProblemSplit, finding.ActionLeftOut,
			DataSplit(rules.Split{Predecessor: "S", Successors: []rules.Succession{{Predecessor: "S", Successor: "T", EffectiveOn: period.Date(2025, 7, 1)}, {Predecessor: "S", Successor: "U", EffectiveOn: period.Date(2025, 7, 1)}}}),
			"Xã được ghi tách cho nhiều xã kế thừa trong unit_successions: S → T (01/07/2025), U (01/07/2025). Số liệu và quyết định của xã này không tính cho xã nào cho đến khi tỉnh quyết định xã kế thừa (giữ một dòng)." + leftOut},
		{"crime_stats", finding.ProblemNoSuccessor, finding.ActionLeftOut, DataCodeOn("G", period.Date(2025, 12, 14)),
			`Mã xã "G" (ngày 14/12/2025) trong crime_stats không có hiệu lực vào ngày tính và không có xã kế thừa (unit_successions).` + leftOut},
		{"assessments", finding.ProblemNotWatched, finding.ActionKept, DataArea("G", 2023, period.Date(2025, 12, 14)),
			"Địa bàn đã chuyển hóa G (năm 2023, ngày 14/12/2025) không theo được sang xã hiện nay (xã hết hiệu lực, không có hoặc có nhiều xã kế thừa): không kiểm tra được phức tạp trở lại." + kept},
		{"units", "other", finding.ActionKept, "x", "Dữ liệu units không dùng được: x." + kept},
	} {
		if got := DataMessage(c.rel, c.problem, c.action, c.detail); got != c.want {
			t.Errorf("DataMessage(%s, %s, %s, %q)\n= %q\nwant %q", c.rel, c.problem, c.action, c.detail, got, c.want)
		}
	}
	r := period.Range{From: period.Date(2024, 12, 15), To: period.Date(2025, 12, 14)}
	if got, want := DataUnitTotal("ZZ", 99, r), `unit_code="ZZ": 99 vụ trong kỳ 15/12/2024–14/12/2025`; got != want {
		t.Errorf("DataUnitTotal = %q, want %q", got, want)
	}
	if got, want := DataCaseTotal("G", 12, 3, r), `unit_code="G": 12 vụ phạm tội trong 3 dòng, kỳ 15/12/2024–14/12/2025`; got != want {
		t.Errorf("DataCaseTotal = %q, want %q", got, want)
	}
}
