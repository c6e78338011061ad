package labels

import (
	"fmt"
	"strings"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/rules"
)

// Line is the wording of one line of a committee's digest: everything a
// reader needs to act on one alert.
type Line struct {
	Title    string
	Facts    string // the numbers
	Rule     string // the rule it broke
	Deadline string // when something is expected, or ""
	Expected string // what is expected
	State    string
	// Ended is set on a closed line whose matter ended without being met
	// (an obligation no longer tracked that never arrived): the digest
	// lists it apart, never as fixed.
	Ended bool
}

// Alert is what the wording of a line needs to know of its alert: its
// kind, whether it is open, and its state (for a closed alert, the state
// its finding settled in, or finding.Resolved).
type Alert struct {
	Kind  finding.AlertKind
	Open  bool
	State finding.State
}

// DeadlineLine words the alert of a report obligation; unit names its
// commune ("" for a report of the whole committee) and committee the
// committee that owes it (a district's, or a commune's body), whom the
// provincial copy (an escalation) asks to press.
func (b Bodies) DeadlineLine(a Alert, dl rules.Deadline, unit, committee string) Line {
	o := dl.Obligation
	var l Line
	l.Title = fmt.Sprintf("%s, kỳ %s", o.Name, dl.Period)
	if unit != "" {
		l.Title = fmt.Sprintf("%s: %s, kỳ %s", o.Name, unit, dl.Period)
	}
	l.Deadline = Date(dl.Due)
	l.State = b.Deadline(dl.State)
	grace := dl.Due.AddDate(0, 0, o.GraceDays)
	switch dl.State {
	case rules.DeadlineUpcoming:
		l.Facts = fmt.Sprintf("Hạn nộp %s; chưa nhận được.", Date(dl.Due))
		l.Rule = fmt.Sprintf("Nhắc trước hạn %d ngày.", o.ReminderDays)
	case rules.DeadlineDue:
		l.Facts = fmt.Sprintf("Hạn nộp %s; chưa nhận được.", Date(dl.Due))
		l.Rule = fmt.Sprintf("Đã đến hạn; ân hạn %d ngày, đến hết %s.", o.GraceDays, Date(grace))
	case rules.DeadlineOverdue:
		l.Facts = fmt.Sprintf("Hạn nộp %s; chưa nhận được, trễ %d ngày.", Date(dl.Due), dl.DaysLate)
		l.Rule = fmt.Sprintf("Quá hạn sau %d ngày ân hạn; nếu chưa nộp, từ %s sẽ báo cáo %s.", o.GraceDays, Date(dl.EscalateOn), b.Province)
	case rules.DeadlineEscalated:
		l.Facts = fmt.Sprintf("Hạn nộp %s; chưa nhận được, trễ %d ngày.", Date(dl.Due), dl.DaysLate)
		l.Rule = fmt.Sprintf("Quá hạn quá %d ngày sau ân hạn: đã báo cáo %s từ %s.", o.EscalateDays, b.Province, Date(dl.EscalateOn))
	}
	l.Expected = fmt.Sprintf("Gửi %s về %s.", lowerFirst(o.Name), b.Province)
	if unit != "" {
		l.Expected = fmt.Sprintf("Gửi %s của %s về %s.", lowerFirst(o.Name), unit, b.Province)
	}
	if a.Kind == finding.AlertEscalation {
		l.Expected = fmt.Sprintf("Đôn đốc %s nộp ngay; xem xét trách nhiệm theo quy chế.", committee)
	}
	if !a.Open {
		l.State = b.Deadline(a.State.Deadline())
		switch a.State.Deadline() {
		case rules.DeadlineSubmittedLate:
			l.Facts = fmt.Sprintf("Đã nhận ngày %s, muộn %d ngày so với hạn %s.", Date(dl.SubmittedOn), dl.DaysLate, Date(dl.Due))
		case rules.DeadlineSubmitted:
			l.Facts = fmt.Sprintf("Đã nhận ngày %s, đúng hạn %s.", Date(dl.SubmittedOn), Date(dl.Due))
		default:
			l.State, l.Ended = EndedUnmet, true
			l.Facts = fmt.Sprintf("Hạn nộp %s; nghĩa vụ đã kết thúc (không còn theo dõi) mà chưa nhận được.", Date(dl.Due))
		}
		l.Rule, l.Expected, l.Deadline = "", "", ""
	}
	return l
}

// untracked is the state of a line whose alert closed without its finding
// saying how.
const untracked = "Không còn theo dõi"

// EndedUnmet is the state of an obligation that ended without being met.
const EndedUnmet = "Kết thúc, không nộp"

// ProposalLine words the alert of a committee's proposal obligation, as
// DeadlineLine does, with how many proposals arrived of how many required.
func (b Bodies) ProposalLine(a Alert, pd rules.ProposalDeadline, unit, committee string) Line {
	l := b.DeadlineLine(a, pd.Deadline, unit, committee)
	l.Facts += fmt.Sprintf(" Đã đề xuất %d/%d địa bàn.", pd.Proposed, pd.Required)
	switch {
	case !a.Open:
	case a.Kind == finding.AlertProposal:
		l.Expected = fmt.Sprintf("Đề xuất ít nhất %d địa bàn chuyển hóa năm %d, kèm số liệu, về %s.", pd.Required, pd.Year, b.Province)
	default:
		l.Expected = fmt.Sprintf("Đôn đốc %s đề xuất ngay; xem xét trách nhiệm theo quy chế.", committee)
	}
	return l
}

// RelapseLine words the alert of a transformed area complex again; unit
// names the commune, grouped says it belongs to a district (whose averages
// the line then quotes; without one, the province's alone).
func (b Bodies) RelapseLine(a Alert, r finding.RelapseItem, unit string, grouped bool) Line {
	var l Line
	l.Title = fmt.Sprintf("%s — chuyển hóa năm %d (%s)", unit, r.Area.Year, AreaCategories(r.Area.Categories))
	facts := fmt.Sprintf("Kỳ %s: %d vụ phạm tội xâm phạm TTXH (BQ tỉnh %s", r.Window, r.Counts.SocialOrder, Num(r.ProvinceAvg))
	if grouped {
		facts += ", " + b.LevelAvg() + " " + Num(r.DistrictAvg)
	}
	facts += ")"
	for _, c := range r.CategoryChecks {
		facts += fmt.Sprintf("; loại %d: %d vụ (BQ tỉnh %s", c.Category, c.Count, Num(c.ProvinceAvg))
		if grouped {
			facts += ", " + b.LevelAvg() + " " + Num(c.DistrictAvg)
		}
		facts += ")"
	}
	l.Facts = facts + "."
	if !a.Open {
		l.State = NormalAgain
		l.Rule = fmt.Sprintf("Không còn vượt bình quân và không còn phức tạp loại %s.", Categories(r.Area.Categories))
		return l
	}
	l.State = RelapsedAgain
	var why []string
	if r.ByGate {
		gate := "số vụ cao hơn bình quân một xã của tỉnh"
		if grouped {
			gate += " và của " + b.Level
		}
		why = append(why, gate)
	}
	if r.ByCategory {
		why = append(why, "phức tạp trở lại về loại "+Categories(r.ComplexAgain()))
	}
	l.Rule = "Phức tạp trở lại từ " + Date(r.Since) + ": " + strings.Join(why, "; ") + "."
	l.Expected = "Rà soát nguyên nhân, đề ra biện pháp khắc phục và báo cáo kết quả về " + b.Province + "."
	return l
}

// AtRiskLine words the early warning of an area of the year of work that
// misses an indicator after the six-month mark; unit names the commune.
func (b Bodies) AtRiskLine(a Alert, c finding.CycleItem, unit string) Line {
	var l Line
	how := "quyết định lựa chọn ngày " + Date(c.DecidedOn)
	if c.CarriedOver {
		how = fmt.Sprintf("chuyển tiếp, lựa chọn năm %d", c.Origin)
	}
	l.Title = fmt.Sprintf("%s — địa bàn chuyển hóa năm %d (%s; %s)", unit, c.Year, how, AreaCategories(c.Categories))
	var facts []string
	for _, in := range c.Indicators.Indicators {
		facts = append(facts, fmt.Sprintf("%s %s", lowerFirst(Indicator(in.Code)), IndicatorValue(in)))
	}
	l.Facts = fmt.Sprintf("Từ %s đến %s: %s.", Date(c.Window.From), Date(c.Window.To), strings.Join(facts, "; "))
	if !a.Open {
		switch a.State {
		case finding.CycleOnTrack:
			l.State = "Đã đạt các tiêu chí"
		case finding.CycleAssessed:
			l.State = "Đã có kết luận đánh giá"
			if c.HasVerdict {
				verdict := "không đạt"
				if c.Transformed {
					verdict = "chuyển hóa đạt"
				}
				l.Facts = fmt.Sprintf("%s kết luận ngày %s: %s.", b.Province, Date(c.AssessedOn), verdict)
			}
		default:
			l.State, l.Ended = untracked, true
		}
		return l
	}
	l.State = CycleState(finding.CycleAtRisk)
	var miss []string
	for _, in := range c.Indicators.Failing() {
		miss = append(miss, fmt.Sprintf("%s %s (%s)", lowerFirst(Indicator(in.Code)), IndicatorThreshold(in), IndicatorGap(in)))
	}
	l.Rule = "Chưa đạt tiêu chí chuyển hóa: " + strings.Join(miss, "; ") + "."
	l.Deadline = Date(c.YearEnd)
	l.Expected = "Tập trung chỉ đạo khắc phục các tiêu chí chưa đạt trước kỳ đánh giá cuối năm; báo cáo kết quả về " + b.Province + "."
	return l
}

// ProjectionLine words the warning that a yearly target is projected to
// be missed; grouped says the province's areas are worked on by district
// committees (else by the communes' bodies).
func (b Bodies) ProjectionLine(a Alert, p finding.ProjectionItem, grouped bool) Line {
	var l Line
	pr := p.Projection
	if p.Target == finding.StableTarget {
		l.Title = fmt.Sprintf("Dự báo chỉ tiêu địa bàn đã chuyển hóa không phức tạp trở lại (ít nhất %d%%)", p.Percent)
		l.Facts = fmt.Sprintf("%d/%d địa bàn đã chuyển hóa không phức tạp trở lại (%s); %d phức tạp trở lại.",
			pr.Stable, pr.AllTransformed, Percent(pr.StableRate), pr.Relapsed)
		l.Rule = fmt.Sprintf("Chỉ tiêu: ít nhất %d%%, tức %d/%d địa bàn.", p.Percent, pr.StableNeeded, pr.AllTransformed)
		l.Expected = "Chỉ đạo rà soát nguyên nhân ở các địa bàn phức tạp trở lại và củng cố các địa bàn đang theo dõi."
	} else {
		l.Title = fmt.Sprintf("Dự báo chỉ tiêu chuyển hóa năm %d (ít nhất %d%%)", pr.Year, p.Percent)
		l.Facts = fmt.Sprintf("Dự kiến đạt %d/%d địa bàn được chọn (%s): %d đã công nhận chuyển hóa, %d đang đạt các tiêu chí; %d chưa đạt tiêu chí, %d chưa có số liệu, %d đã kết luận không đạt.",
			pr.Passing, pr.Selected, Percent(pr.PassRate), pr.Transformed, pr.Meeting, pr.Below, pr.NoData, pr.Assessed-pr.Transformed)
		l.Rule = fmt.Sprintf("Chỉ tiêu: chuyển hóa ít nhất %d%% số địa bàn được chọn, tức %d/%d (địa bàn chuyển tiếp không tính).", p.Percent, pr.PassNeeded, pr.Selected)
		l.Expected = "Chỉ đạo các " + b.LocalsShort(grouped) + " có địa bàn chưa đạt tiêu chí tập trung khắc phục."
	}
	l.State = "Dự báo không đạt"
	if !a.Open {
		l.State = "Dự báo đạt trở lại"
		if a.State != finding.ProjectionMet {
			l.State, l.Ended = untracked, true
		}
		l.Rule, l.Expected = "", ""
	}
	return l
}

// RelapseAction sets what an open relapse line expects and by when: the
// causes and measures reported before the next relapse check (next), which
// says whether the area is still complex.
func (b Bodies) RelapseAction(l *Line, next time.Time) {
	if next.IsZero() {
		return
	}
	l.Deadline = Date(next)
	l.Expected = fmt.Sprintf("Rà soát nguyên nhân, đề ra biện pháp khắc phục và báo cáo kết quả về %s trước kỳ kiểm tra tiếp theo (%s).", b.Province, Date(next))
}

// DecisionLine words the check of a year's recorded selection that
// departs from the plan's rules; unit names a commune by its code.
func (b Bodies) DecisionLine(d rules.DecisionCheck, unit func(string) string) Line {
	var l Line
	l.Title = fmt.Sprintf("Quyết định lựa chọn địa bàn chuyển hóa năm %d khác điều kiện của kế hoạch", d.Year)
	var recs []string
	for _, r := range d.Decisions {
		recs = append(recs, DecisionRecord(r))
	}
	facts := []string{DecisionCap(d)}
	for _, x := range d.Departures {
		facts = append(facts, unit(x.Unit)+": "+b.Departure(x))
	}
	l.Facts = strings.Join(facts, "; ") + "."
	if len(recs) > 0 {
		l.Facts = strings.Join(recs, ", ") + ": " + l.Facts
	}
	l.Rule = "Kế hoạch: chọn không quá mức tối đa, chỉ địa bàn cao hơn bình quân, không chọn xã đạt chuẩn nông thôn mới thuộc diện loại trừ. Ban Chỉ đạo tỉnh có thể quyết định khác, nhưng cần ghi rõ lý do."
	l.State = "Khác điều kiện của kế hoạch"
	l.Expected = "Xem lại quyết định; nếu giữ nguyên, ghi rõ lý do trong hồ sơ lựa chọn."
	return l
}

// The footer of a digest: why it came, when it repeats, how to stop an
// item.

// DigestWhy says why a digest was sent to committee (reason as the
// dispatcher names it: news, repeat, immediate); open counts its open
// items.
func DigestWhy(reason, committee string, open int) string {
	switch reason {
	case "repeat":
		return fmt.Sprintf("Thư này được gửi vì %s còn %d việc chưa xử lý và đã qua thời gian nhắc lại kể từ thư trước.", committee, open)
	case "immediate":
		return fmt.Sprintf("Thư này được gửi ngay vì có việc cần %s xử lý khẩn.", committee)
	}
	if open == 0 {
		return fmt.Sprintf("Thư này được gửi vì có việc của %s đã thay đổi hoặc kết thúc kể từ thư trước.", committee)
	}
	return fmt.Sprintf("Thư này được gửi vì %s có %d việc đang mở, trong đó có việc mới hoặc thay đổi kể từ thư trước.", committee, open)
}

// DigestRepeat says when the open items (open of them) are mailed again
// if nothing changes: at next, every interval; a zero next (a mail sent at
// once) says they are in the next digest.
func DigestRepeat(open int, next time.Time, every time.Duration) string {
	switch {
	case open == 0:
		return "Không còn việc đang mở: thư này sẽ không được nhắc lại."
	case next.IsZero():
		return "Các việc này cũng có trong bản tin kế tiếp."
	}
	return fmt.Sprintf("Nếu không có gì thay đổi, các việc đang mở được nhắc lại trong bản tin lúc %s (mỗi %s một lần); có thay đổi thì bản tin kế tiếp báo ngay.", DateTime(next), Interval(every))
}

// DigestSilenceHow says how to stop the mail about one item.
const DigestSilenceHow = "Muốn tạm ngừng thông báo một việc (ví dụ đã có kế hoạch xử lý), đề nghị quản trị hệ thống chạy lệnh ghi dưới việc đó; việc vẫn được theo dõi trên trang theo dõi."

// SilenceCommand is the command an operator runs to silence one item of
// a committee's digest (committee as silence add takes it).
func SilenceCommand(key, committee string) string {
	return fmt.Sprintf("chuyenhoa silence add --key %s --committee %s --until 14d --reason \"...\"", key, committee)
}

// Interval words a duration in days or hours: "7 ngày", "12 giờ".
func Interval(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d ngày", d/(24*time.Hour))
	}
	return fmt.Sprintf("%d giờ", int(d.Hours()))
}

// The words of the digest's links and of its sections below the items.
const (
	DigestLinkItem      = "Xem trên trang theo dõi"
	DigestLinkOverview  = "Mở trang theo dõi"
	DigestSilenceLabel  = "Tạm ngừng thông báo việc này"
	DigestEndedTitle    = "Đã kết thúc mà chưa thực hiện"
	DigestDecisionTitle = "Quyết định lựa chọn khác điều kiện của kế hoạch"
)

// DigestCounts counts a digest's lines by what they ask, for its subject.
type DigestCounts struct {
	Escalations      int // obligations escalated to the province
	Late, Due, Soon  int // obligations overdue (or escalated), due, upcoming
	Relapses, AtRisk int
	Projections      int
	Forwarded        int // lines of committees without a mail address
	Resolved         int
	Ended            int // obligations that ended unmet
	Decisions        int
}

// DigestSubject is a digest's subject line: the tag users filter on, the
// committee, what the digest holds and the day.
func DigestSubject(tag, committee string, n DigestCounts, day time.Time) string {
	var parts []string
	count := func(k int, what string) {
		if k > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", k, what))
		}
	}
	count(n.Escalations, "nghĩa vụ quá hạn chuyển tỉnh")
	count(n.Late, "quá hạn")
	count(n.Due, "đến hạn")
	count(n.Soon, "sắp đến hạn")
	count(n.Relapses, "phức tạp trở lại")
	count(n.AtRisk, "địa bàn có nguy cơ không đạt")
	count(n.Projections, "dự báo không đạt chỉ tiêu")
	count(n.Forwarded, "mục chuyển tiếp")
	count(n.Decisions, "quyết định khác điều kiện kế hoạch")
	count(n.Resolved, "đã khắc phục")
	count(n.Ended, "kết thúc không thực hiện")
	what := strings.Join(parts, ", ")
	if what == "" {
		what = "không có mục mới"
	}
	return fmt.Sprintf("%s %s: %s (%s)", tag, committee, what, Date(day))
}

// TargetStatus says whether a yearly target is met: "chưa đánh giá" while
// there is nothing to judge (has false), "đạt", or "KHÔNG ĐẠT".
func TargetStatus(has, ok bool) string {
	switch {
	case !has:
		return "chưa đánh giá"
	case ok:
		return "đạt"
	}
	return "KHÔNG ĐẠT"
}

// TargetStatusNeeded is TargetStatus with, for a missed target, how many areas
// it needs: "KHÔNG ĐẠT (cần 11)".
func TargetStatusNeeded(has, ok bool, needed int) string {
	s := TargetStatus(has, ok)
	if has && !ok {
		s += fmt.Sprintf(" (cần %d)", needed)
	}
	return s
}

// The two bars of a year's targets in the HTML digest.
const (
	TargetBarTransformed = "Chuyển hóa đạt"
	TargetBarStable      = "Không phức tạp trở lại"
)
