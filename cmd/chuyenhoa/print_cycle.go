package main

import (
	"fmt"
	"strings"

	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/labels"
	"chuyenhoa/rules"
)

// cycle prints the year of work: areas and indicators, the projection of
// the targets, the district proposals beside the computed candidates and
// the proposal obligation.
func (p *printer) cycle(r *jobs.CycleReport) {
	c := r.Cycle
	p.heading(fmt.Sprintf("NĂM CHUYỂN HÓA %d: ĐỊA BÀN VÀ TIÊU CHÍ CHUYỂN HÓA (ngày %s)", r.Year, labels.Date(r.On)))
	switch {
	case !r.HasWindow:
		fmt.Fprintf(p.w, "Chưa có tháng thống kê nào của năm %d kết thúc: chưa tính tiêu chí.\n", r.Year)
	case r.Warn:
		fmt.Fprintf(p.w, "Tiêu chí tính từ %s đến %s; đã qua mốc sáu tháng (%s): địa bàn chưa đạt tiêu chí được cảnh báo sớm tới Ban Chỉ đạo cấp huyện.\n",
			labels.Date(r.Window.From), labels.Date(r.Window.To), labels.Date(r.SixMonths))
	default:
		fmt.Fprintf(p.w, "Tiêu chí tính từ %s đến %s; cảnh báo sớm bắt đầu từ mốc sáu tháng (%s).\n",
			labels.Date(r.Window.From), labels.Date(r.Window.To), labels.Date(r.SixMonths))
	}
	tw := p.table()
	head := []string{"Mã", "Địa bàn năm", "Huyện", "Loại", "Nguồn", "Quyết định"}
	if len(r.Areas) > 0 {
		for _, in := range r.Areas[0].Indicators.Indicators {
			head = append(head, fmt.Sprintf("%s (%s)", labels.IndicatorShort(in.Code), labels.IndicatorThreshold(in)))
		}
	}
	fmt.Fprintln(tw, strings.Join(append(head, "Tình trạng"), "\t"))
	states := map[finding.State]int{}
	for _, it := range r.Areas {
		states[it.State]++
		row := []string{it.Unit, fmt.Sprint(it.Year), p.dir.District(it.District), fmt.Sprint(int(it.Category)), labels.Origin(it.CycleArea), labels.Date(it.DecidedOn)}
		for _, in := range it.Indicators.Indicators {
			v := "—"
			if it.HasWindow && it.Indicators.HasData {
				v = labels.IndicatorValue(in)
				if !in.Met {
					v += " ✗"
				}
			}
			row = append(row, v)
		}
		state := labels.CycleState(it.State)
		if it.HasVerdict {
			state = labels.Stage(it.Stage)
		}
		if it.State == finding.CycleAtRisk {
			state = strings.ToUpper(state)
		}
		fmt.Fprintln(tw, strings.Join(append(row, state), "\t"))
	}
	tw.Flush()
	fmt.Fprintf(p.w, "Tổng hợp: %d địa bàn được chọn năm %d, %d địa bàn chuyển tiếp từ năm trước; %d đang đạt các tiêu chí, %d có nguy cơ không đạt, %d chưa đạt (trước mốc sáu tháng), %d chưa có số liệu, %d đã có kết luận.\n",
		c.Selected.Areas, r.Year, c.Carried.Areas, states[finding.CycleOnTrack], states[finding.CycleAtRisk], states[finding.CycleBelow], states[finding.CycleNoData], states[finding.CycleAssessed])

	pr := r.Projection
	t := p.cfg.Targets
	p.heading(fmt.Sprintf("DỰ BÁO CHỈ TIÊU NĂM %d (ngày %s)", r.Year, labels.Date(r.On)))
	if pr.HasPass {
		fmt.Fprintf(p.w, "Chuyển hóa (≥%d%% số địa bàn được chọn, địa bàn chuyển tiếp không tính): dự kiến %d/%d (%s) — %s. Gồm %d đã công nhận, %d đang đạt các tiêu chí; %d chưa đạt tiêu chí, %d chưa có số liệu, %d đã kết luận không đạt.\n",
			t.TransformedPercent, pr.Passing, pr.Selected, labels.Percent(pr.PassRate), met(true, pr.PassMet, pr.PassNeeded),
			pr.Transformed, pr.Meeting, pr.Below, pr.NoData, pr.Assessed-pr.Transformed)
	} else {
		fmt.Fprintf(p.w, "Chuyển hóa (≥%d%%): chưa đủ số liệu để dự báo (%d địa bàn được chọn, chưa có kết luận hay số liệu tiêu chí).\n", t.TransformedPercent, pr.Selected)
	}
	if pr.HasStable {
		fmt.Fprintf(p.w, "Không phức tạp trở lại (≥%d%% địa bàn đã chuyển hóa, mọi năm): %d/%d (%s) — %s; %d phức tạp trở lại.\n",
			t.StablePercent, pr.Stable, pr.AllTransformed, labels.Percent(pr.StableRate), met(true, pr.StableMet, pr.StableNeeded), pr.Relapsed)
	} else {
		fmt.Fprintf(p.w, "Không phức tạp trở lại (≥%d%%): chưa có địa bàn nào được công nhận chuyển hóa.\n", t.StablePercent)
	}

	p.proposals(r)
}

// proposals prints the district proposals beside the computed candidates:
// every commune the computation proposes (or cuts by the cap) and every
// commune a district put forward, with the numbers of the gate.
func (p *printer) proposals(r *jobs.CycleReport) {
	pr := r.Proposal
	p.heading(fmt.Sprintf("ĐỀ XUẤT CỦA BAN CHỈ ĐẠO 138 CẤP HUYỆN BÊN CẠNH ĐỀ XUẤT TÍNH TOÁN, NĂM %d", r.ProposalYear))
	fmt.Fprintf(p.w, "Kỳ số liệu: %s. Bình quân một xã trong tỉnh: %s vụ.\n", r.Reference, labels.Num(pr.Baseline.Province.Avg))
	byUnit := map[string][]rules.ProposalCheck{}
	for _, c := range r.Proposals {
		byUnit[c.Proposal.Unit] = append(byUnit[c.Proposal.Unit], c)
	}
	tw := p.table()
	fmt.Fprintln(tw, "Mã\tĐịa bàn\tHuyện\tSố vụ\tBQ tỉnh\tBQ huyện\tTính toán\tHuyện đề xuất\tNhận xét")
	shown := map[string]bool{}
	row := func(c rules.Candidate, checks []rules.ProposalCheck) {
		computed := labels.Status(c.Status)
		if c.Rank > 0 {
			computed = fmt.Sprintf("%s (hạng %d)", computed, c.Rank)
		}
		dist := "—"
		if c.HasDistrict {
			dist = labels.Num(c.DistrictAvg)
		}
		by, note := "—", ""
		if len(checks) > 0 {
			var who []string
			for _, ch := range checks {
				who = append(who, fmt.Sprintf("%s, %s", p.dir.District(ch.Proposal.District), labels.Date(ch.Proposal.ProposedOn)))
			}
			by = strings.Join(who, "; ")
			note = proposalNote(checks[0], pr, p.cfg.Selection.CapPercent)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", c.Unit.Code, c.Unit.Name, p.dir.District(c.Unit.District),
			c.Counts.SocialOrder, labels.Num(c.ProvinceAvg), dist, computed, by, note)
	}
	for _, c := range pr.Candidates {
		if c.Status == rules.StatusProposed || c.Status == rules.StatusCutByCap || len(byUnit[c.Unit.Code]) > 0 {
			row(c, byUnit[c.Unit.Code])
			shown[c.Unit.Code] = true
		}
	}
	for _, c := range r.Proposals {
		if !shown[c.Proposal.Unit] {
			shown[c.Proposal.Unit] = true
			fmt.Fprintf(tw, "%s\t—\t%s\t—\t—\t—\t—\t%s, %s\t%s\n", c.Proposal.Unit, p.dir.District(c.Proposal.District),
				p.dir.District(c.Proposal.District), labels.Date(c.Proposal.ProposedOn), proposalNote(c, pr, p.cfg.Selection.CapPercent))
		}
	}
	tw.Flush()
	bad := 0
	for _, c := range r.Proposals {
		if !c.Acceptable() {
			bad++
		}
	}
	fmt.Fprintf(p.w, "Tổng hợp: %d đề xuất của các huyện, %d không đạt điều kiện hoặc có sai sót.\n", len(r.Proposals), bad)

	if len(r.ProposalDeadlines) == 0 {
		return
	}
	o := p.cfg.Proposals
	tw = p.table()
	fmt.Fprintf(p.w, "\nNghĩa vụ đề xuất (ít nhất %d địa bàn mỗi huyện, hạn %s):\n", o.MinPerDistrict, labels.Date(r.ProposalDeadlines[0].Due))
	fmt.Fprintln(tw, "Ban Chỉ đạo\tĐã đề xuất\tNgày đủ số lượng\tTình trạng\tSố ngày trễ")
	for _, d := range r.ProposalDeadlines {
		fmt.Fprintf(tw, "%s\t%d/%d\t%s\t%s\t%d\n", p.dir.District(d.District), d.Proposed, d.Required, labels.Date(d.SubmittedOn), labels.Deadline(d.State), d.DaysLate)
	}
	tw.Flush()
}

// proposalNote says what is wrong with a district proposal, with the
// numbers, or that it meets the conditions.
func proposalNote(c rules.ProposalCheck, pr rules.Proposal, capPercent int) string {
	note := "Đạt điều kiện"
	switch {
	case !c.Known:
		note = "KHÔNG HỢP LỆ: không phải đơn vị cấp xã của tỉnh"
	case c.OtherDistrict:
		note = "KHÔNG HỢP LỆ: xã thuộc huyện khác"
	case c.FailsGate:
		note = "KHÔNG ĐẠT điều kiện: " + labels.Reason(c.Candidate, pr.TotalUnits, capPercent, pr.Cap)
	case c.ExcludedNTM:
		note = "KHÔNG ĐẠT điều kiện: đạt chuẩn nông thôn mới ngày " + labels.Date(c.Candidate.Unit.NTMCertifiedOn)
	}
	if c.Selected {
		note += "; đã được chọn"
	}
	return note
}
