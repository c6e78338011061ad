package labels

import "chuyenhoa/rules"

// ProposalNote says what is wrong with a district proposal, with the
// numbers, or that it meets the conditions. pr is the computed proposal
// the check was made against, capPercent the selection cap.
func ProposalNote(c rules.ProposalCheck, pr rules.Proposal, capPercent int) string {
	note := "Đạt điều kiện"
	switch {
	case !c.Known:
		note = "KHÔNG HỢP LỆ: không phải đơn vị cấp xã của tỉnh"
	case c.OtherDistrict:
		note = "KHÔNG HỢP LỆ: xã thuộc huyện khác"
	case c.FailsGate:
		note = "KHÔNG ĐẠT điều kiện: " + Reason(c.Candidate, pr.TotalUnits, capPercent, pr.Cap)
	case c.ExcludedNTM:
		note = "KHÔNG ĐẠT điều kiện: đạt chuẩn nông thôn mới ngày " + Date(c.Candidate.Unit.NTMCertifiedOn)
	}
	if c.Selected {
		note += "; đã được chọn"
	}
	return note
}
