package labels

import (
	"fmt"
	"strings"

	"chuyenhoa/rules"
)

// Reason explains, with its numbers, why the proposal put a unit where it
// is. total and limit are the province's unit count and the 15% cap.
func (b Bodies) Reason(c rules.Candidate, total, capPercent, limit int) string {
	above := fmt.Sprintf("%d vụ > BQ tỉnh %s", c.Counts.SocialOrder, Num(c.ProvinceAvg))
	if c.HasDistrict {
		above += fmt.Sprintf(" và > %s %s", b.LevelAvg(), Num(c.DistrictAvg))
	}
	cats := "không phức tạp loại nào"
	if len(c.Complex) > 0 {
		cats = "phức tạp loại " + Categories(c.Complex)
	}
	switch c.Status {
	case rules.StatusProposed:
		return fmt.Sprintf("%s; %s; hạng %d/%d trong hạn mức", above, cats, c.Rank, limit)
	case rules.StatusCutByCap:
		return fmt.Sprintf("%s; %s; hạng %d, vượt hạn mức %d địa bàn (%d%% của %d đơn vị)", above, cats, c.Rank, limit, capPercent, total)
	case rules.StatusExcludedNTM:
		return fmt.Sprintf("%s nhưng đạt chuẩn nông thôn mới ngày %s", above, Date(c.Unit.NTMCertifiedOn))
	case rules.StatusBelowAverage:
		var not []string
		if !c.AboveProvince {
			not = append(not, "BQ tỉnh "+Num(c.ProvinceAvg))
		}
		if c.HasDistrict && !c.AboveDistrict {
			not = append(not, b.LevelAvg()+" "+Num(c.DistrictAvg))
		}
		return fmt.Sprintf("%d vụ không cao hơn %s", c.Counts.SocialOrder, strings.Join(not, " và "))
	}
	return string(c.Status)
}
