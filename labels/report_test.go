package labels

import (
	"testing"
	"time"
)

// Decree 30 writes a day below 10 and the months January and February with
// a leading zero, the others without; plan 67's own date line reads "ngày
// 15 tháng 4 năm 2021".
func TestDocumentDay(t *testing.T) {
	for _, c := range []struct {
		day  time.Time
		want string
	}{
		{time.Date(2021, 4, 15, 0, 0, 0, 0, time.UTC), "ngày 15 tháng 4 năm 2021"},
		{time.Date(2026, 2, 5, 0, 0, 0, 0, time.UTC), "ngày 05 tháng 02 năm 2026"},
		{time.Date(2026, 1, 25, 0, 0, 0, 0, time.UTC), "ngày 25 tháng 01 năm 2026"},
		{time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), "ngày 25 tháng 11 năm 2026"},
		{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), "ngày 01 tháng 3 năm 2026"},
	} {
		if got := DocumentDay(c.day); got != c.want {
			t.Errorf("DocumentDay(%s) = %q, want %q", c.day.Format(time.DateOnly), got, c.want)
		}
	}
	if got := DocumentDate("Quảng Ngãi", time.Date(2021, 4, 15, 0, 0, 0, 0, time.UTC)); got != "Quảng Ngãi, ngày 15 tháng 4 năm 2021" {
		t.Errorf("DocumentDate = %q", got)
	}
	if got := PlanBasis("67/KH-UBND", time.Date(2021, 4, 15, 0, 0, 0, 0, time.UTC), "Chủ tịch UBND tỉnh", "Kế hoạch thực hiện công tác chuyển hóa"); got !=
		"Kế hoạch số 67/KH-UBND ngày 15/4/2021 của Chủ tịch UBND tỉnh về thực hiện công tác chuyển hóa" {
		t.Errorf("PlanBasis = %q", got)
	}
}
