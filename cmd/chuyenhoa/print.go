package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"chuyenhoa/config"
	"chuyenhoa/jobs"
	"chuyenhoa/labels"
	"chuyenhoa/names"
	"chuyenhoa/rules"
)

// printer writes job results as Vietnamese tables for a terminal.
type printer struct {
	w   io.Writer
	cfg *config.Config
	dir *names.Directory
	// ShowAll lists below-average units one by one instead of counting them.
	showAll bool
}

func newPrinter(w io.Writer, cfg *config.Config, dir *names.Directory) *printer {
	return &printer{w: w, cfg: cfg, dir: dir}
}

func (p *printer) result(res *jobs.Result) {
	switch r := res.Report.(type) {
	case *jobs.CandidatesReport:
		p.candidates(r)
	case *jobs.RelapseReport:
		p.relapse(r)
	case *jobs.DeadlinesReport:
		p.deadlines(r)
	case *jobs.CycleReport:
		p.cycle(r)
	}
	p.dataErrors(res)
}

func (p *printer) table() *tabwriter.Writer {
	return tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
}

func (p *printer) heading(s string) {
	fmt.Fprintf(p.w, "\n%s\n%s\n", s, strings.Repeat("=", len([]rune(s))))
}

func (p *printer) candidates(r *jobs.CandidatesReport) {
	pr := r.Proposal
	p.heading(fmt.Sprintf("ĐỀ XUẤT ĐỊA BÀN TRỌNG ĐIỂM, PHỨC TẠP VỀ TTATXH CHUYỂN HÓA NĂM %d", r.Year))
	fmt.Fprintf(p.w, "Kỳ số liệu: %s. Tổng số đơn vị cấp xã: %d. Hạn mức %d%%: tối đa %d địa bàn.\n",
		r.Reference, pr.TotalUnits, p.cfg.Selection.CapPercent, pr.Cap)
	fmt.Fprintf(p.w, "Bình quân số vụ phạm tội xâm phạm TTXH một xã trong tỉnh: %s (tổng %d vụ / %d xã).\n",
		labels.Num(pr.Baseline.Province.Avg), pr.Baseline.Province.Total, pr.Baseline.Province.Units)
	counts := map[rules.Status]int{}
	tw := p.table()
	fmt.Fprintln(tw, "Hạng\tMã\tĐịa bàn\tHuyện\tSố vụ\tBQ tỉnh\tBQ huyện\tLoại phức tạp\tKết quả\tLý do")
	for _, c := range pr.Candidates {
		counts[c.Status]++
		if c.Status == rules.StatusBelowAverage && !p.showAll {
			continue
		}
		rank, dist := "—", "—"
		if c.Rank > 0 {
			rank = fmt.Sprint(c.Rank)
		}
		if c.HasDistrict {
			dist = labels.Num(c.DistrictAvg)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", rank, c.Unit.Code, c.Unit.Name, p.dir.District(c.Unit.District),
			c.Counts.SocialOrder, labels.Num(c.ProvinceAvg), dist, labels.Categories(c.Complex), labels.Status(c.Status),
			labels.Reason(c, pr.TotalUnits, p.cfg.Selection.CapPercent, pr.Cap))
	}
	tw.Flush()
	fmt.Fprintf(p.w, "Tổng hợp: %d đề xuất, %d vượt hạn mức, %d loại trừ do đạt chuẩn nông thôn mới, %d không cao hơn bình quân.\n",
		counts[rules.StatusProposed], counts[rules.StatusCutByCap], counts[rules.StatusExcludedNTM], counts[rules.StatusBelowAverage])
}

func (p *printer) relapse(r *jobs.RelapseReport) {
	p.heading(fmt.Sprintf("THEO DÕI ĐỊA BÀN ĐÃ CHUYỂN HÓA (kỳ %s)", r.Window))
	relapsed := 0
	tw := p.table()
	fmt.Fprintln(tw, "Mã\tĐịa bàn năm\tLoại\tTình trạng\tTừ ngày\tSố vụ TTXH\tBQ tỉnh\tBQ huyện\tSố vụ theo loại\tBQ loại tỉnh/huyện\tThay đổi")
	for _, it := range r.Areas {
		if !it.Relapsed && !it.Changed {
			continue
		}
		state := "Bình thường trở lại"
		if it.Relapsed {
			relapsed++
			state = "PHỨC TẠP TRỞ LẠI"
			var why []string
			if it.ByGate {
				why = append(why, "vượt bình quân")
			}
			if it.ByCategory {
				why = append(why, fmt.Sprintf("phức tạp loại %d", it.Area.Category))
			}
			state += " (" + strings.Join(why, ", ") + ")"
		}
		change := ""
		if it.Changed {
			change = "mới"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%d\t%s\t%s\t%d\t%s / %s\t%s\n", it.Area.Unit, it.Area.Year, it.Area.Category, state,
			labels.Date(it.Since), it.Counts.SocialOrder, labels.Num(it.ProvinceAvg), labels.Num(it.DistrictAvg),
			it.Counts.ByCategory[it.Area.Category], labels.Num(it.CatProvinceAvg), labels.Num(it.CatDistrictAvg), change)
	}
	tw.Flush()
	fmt.Fprintf(p.w, "Đã kiểm tra %d địa bàn đã chuyển hóa; %d phức tạp trở lại.\n", len(r.Areas), relapsed)

	p.heading("TIẾN ĐỘ CHỈ TIÊU HẰNG NĂM")
	t := p.cfg.Targets
	tw = p.table()
	fmt.Fprintf(tw, "Năm\tĐược chọn\tĐã đánh giá\tChuyển hóa đạt\tTỷ lệ (≥%d%%)\tĐạt\tPhức tạp trở lại\tKhông phức tạp trở lại (≥%d%%)\tĐạt\n",
		t.TransformedPercent, t.StablePercent)
	for _, g := range r.Progress {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%s\t%s\t%d\t%s\t%s\n", g.Year, g.Selected, g.Assessed, g.Transformed,
			rate(g.HasSelected && g.Assessed > 0, g.TransformedRate), met(g.HasSelected && g.Assessed > 0, g.TransformedMet, g.TransformedNeeded),
			g.Relapsed, rate(g.HasTransformed, g.StableRate), met(g.HasTransformed, g.StableMet, g.StableNeeded))
	}
	tw.Flush()
}

func rate(has bool, r float64) string {
	if !has {
		return "—"
	}
	return labels.Percent(r)
}

func met(has, ok bool, needed int) string {
	switch {
	case !has:
		return "chưa đánh giá"
	case ok:
		return "đạt"
	}
	return fmt.Sprintf("KHÔNG ĐẠT (cần %d)", needed)
}

func (p *printer) deadlines(r *jobs.DeadlinesReport) {
	p.heading(fmt.Sprintf("NGHĨA VỤ BÁO CÁO CỦA BAN CHỈ ĐẠO 138 CẤP HUYỆN (ngày %s)", labels.Date(r.On)))
	tw := p.table()
	fmt.Fprintln(tw, "Ban Chỉ đạo\tNghĩa vụ\tKỳ\tĐịa bàn\tHạn\tNgày nộp\tTình trạng\tSố ngày trễ")
	shown := 0
	for _, d := range r.Deadlines {
		if d.State == rules.DeadlineSubmitted {
			continue
		}
		shown++
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", p.dir.District(d.District), d.Obligation.Name, d.Period, orDash(d.Unit),
			labels.Date(d.Due), labels.Date(d.SubmittedOn), labels.Deadline(d.State), d.DaysLate)
	}
	tw.Flush()
	fmt.Fprintf(p.w, "%d nghĩa vụ cần chú ý (%d đã nộp đúng hạn không liệt kê).\n", shown, len(r.Deadlines)-shown)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
