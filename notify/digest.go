package notify

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"sort"
	"strings"
	texttemplate "text/template"
	"time"

	"chuyenhoa/chart"
	"chuyenhoa/finding"
	"chuyenhoa/labels"
	"chuyenhoa/names"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// Digest is one committee's mail: every open item of that committee, the
// ones new since the last mail marked, and what closed since then. A
// district digest holds only that district's communes; the provincial one
// holds the province-wide picture.
type Digest struct {
	Tag           string // subject tag users filter on, e.g. [CHUYENHOA]
	Province      string
	Committee     string // district code; "" = provincial committee
	CommitteeName string // "Ban Chỉ đạo 138 Huyện Bình Sơn"
	Date          time.Time
	Repeat        bool // nothing new: a reminder after the repeat interval

	Deadlines   []Item // district: its obligations needing action
	Escalations []Item // province: obligations escalated by districts
	Relapses    []Item // areas complex again
	AtRisk      []Item // early warnings: areas missing an indicator after six months
	Projections []Item // province: yearly targets projected to be missed
	Forwarded   []Forward
	Resolved    []Item
	Targets     []rules.Progress // province: yearly target progress
	TargetPct   [2]int           // transformed %, stable %
}

// TargetChart is the status page's target chart, inline in the HTML mail.
func (g *Digest) TargetChart() htmltemplate.HTML {
	return chart.Targets(g.Targets, g.TargetPct[0], g.TargetPct[1])
}

// Item is one line of a digest with everything a reader needs to act.
type Item struct {
	New       bool
	Committee string // committee name, in the provincial digest
	Title     string
	Facts     string // the numbers
	Rule      string // the rule it broke
	Deadline  string // when something is expected, or ""
	Expected  string // what is expected
	State     string
	order     string
}

// Forward lists the open items of a district committee that has no mail
// address, so the provincial committee can pass them on.
type Forward struct {
	Committee string
	Items     []Item
}

// item renders one alert as a digest line.
func item(d *names.Directory, a store.Alert) (Item, error) {
	it := Item{New: a.Open && a.NotifiedState != a.State}
	src := a.Kind.Source()
	switch a.Kind {
	case finding.AlertDeadline, finding.AlertEscalation:
		dl, err := finding.Decode[rules.Deadline](src, a.Payload)
		if err != nil {
			return it, fmt.Errorf("alert %s: decode deadline: %w", a.Key, err)
		}
		deadlineItem(d, &it, dl, a)
	case finding.AlertRelapse:
		r, err := finding.Decode[finding.RelapseItem](src, a.Payload)
		if err != nil {
			return it, fmt.Errorf("alert %s: decode relapse: %w", a.Key, err)
		}
		relapseItem(d, &it, r, a)
	case finding.AlertProposal, finding.AlertProposalEscalation:
		pd, err := finding.Decode[rules.ProposalDeadline](src, a.Payload)
		if err != nil {
			return it, fmt.Errorf("alert %s: decode proposal obligation: %w", a.Key, err)
		}
		deadlineItem(d, &it, pd.Deadline, a)
		it.Facts += fmt.Sprintf(" Đã đề xuất %d/%d địa bàn.", pd.Proposed, pd.Required)
		switch {
		case !a.Open:
		case a.Kind == finding.AlertProposal:
			it.Expected = fmt.Sprintf("Đề xuất ít nhất %d địa bàn chuyển hóa năm %d, kèm số liệu, về Ban Chỉ đạo 138 tỉnh.", pd.Required, pd.Year)
		default:
			it.Expected = fmt.Sprintf("Đôn đốc %s đề xuất ngay; xem xét trách nhiệm theo quy chế.", it.Committee)
		}
	case finding.AlertAtRisk:
		c, err := finding.Decode[finding.CycleItem](src, a.Payload)
		if err != nil {
			return it, fmt.Errorf("alert %s: decode area: %w", a.Key, err)
		}
		atRiskItem(d, &it, c, a)
	case finding.AlertProjection:
		p, err := finding.Decode[finding.ProjectionItem](src, a.Payload)
		if err != nil {
			return it, fmt.Errorf("alert %s: decode projection: %w", a.Key, err)
		}
		projectionItem(&it, p, a)
	default:
		return it, fmt.Errorf("alert %s: unknown kind %q", a.Key, a.Kind)
	}
	return it, nil
}

// deadlineRank orders deadline items most urgent first.
var deadlineRank = map[rules.DeadlineState]string{rules.DeadlineEscalated: "0", rules.DeadlineOverdue: "1", rules.DeadlineDue: "2", rules.DeadlineUpcoming: "3"}

func deadlineItem(d *names.Directory, it *Item, dl rules.Deadline, a store.Alert) {
	o := dl.Obligation
	it.Committee = d.Committee(dl.District)
	it.Title = fmt.Sprintf("%s, kỳ %s", o.Name, dl.Period)
	if dl.Unit != "" {
		it.Title = fmt.Sprintf("%s: %s, kỳ %s", o.Name, d.UnitName(dl.Unit), dl.Period)
	}
	it.Deadline = labels.Date(dl.Due)
	it.State = labels.Deadline(dl.State)
	it.order = deadlineRank[dl.State] + dl.Due.Format(time.DateOnly) + a.Key
	grace := dl.Due.AddDate(0, 0, o.GraceDays)
	switch dl.State {
	case rules.DeadlineUpcoming:
		it.Facts = fmt.Sprintf("Hạn nộp %s; chưa nhận được.", labels.Date(dl.Due))
		it.Rule = fmt.Sprintf("Nhắc trước hạn %d ngày.", o.ReminderDays)
	case rules.DeadlineDue:
		it.Facts = fmt.Sprintf("Hạn nộp %s; chưa nhận được.", labels.Date(dl.Due))
		it.Rule = fmt.Sprintf("Đã đến hạn; ân hạn %d ngày, đến hết %s.", o.GraceDays, labels.Date(grace))
	case rules.DeadlineOverdue:
		it.Facts = fmt.Sprintf("Hạn nộp %s; chưa nhận được, trễ %d ngày.", labels.Date(dl.Due), dl.DaysLate)
		it.Rule = fmt.Sprintf("Quá hạn sau %d ngày ân hạn; nếu chưa nộp, từ %s sẽ báo cáo Ban Chỉ đạo 138 tỉnh.", o.GraceDays, labels.Date(dl.EscalateOn))
	case rules.DeadlineEscalated:
		it.Facts = fmt.Sprintf("Hạn nộp %s; chưa nhận được, trễ %d ngày.", labels.Date(dl.Due), dl.DaysLate)
		it.Rule = fmt.Sprintf("Quá hạn quá %d ngày sau ân hạn: đã báo cáo Ban Chỉ đạo 138 tỉnh từ %s.", o.EscalateDays, labels.Date(dl.EscalateOn))
	}
	it.Expected = fmt.Sprintf("Gửi %s về Ban Chỉ đạo 138 tỉnh.", lowerFirst(o.Name))
	if dl.Unit != "" {
		it.Expected = fmt.Sprintf("Gửi %s của %s về Ban Chỉ đạo 138 tỉnh.", lowerFirst(o.Name), d.UnitName(dl.Unit))
	}
	if a.Kind == finding.AlertEscalation {
		it.Expected = fmt.Sprintf("Đôn đốc %s nộp ngay; xem xét trách nhiệm theo quy chế.", it.Committee)
	}
	if !a.Open {
		it.State = labels.Deadline(a.State.Deadline())
		switch a.State.Deadline() {
		case rules.DeadlineSubmittedLate:
			it.Facts = fmt.Sprintf("Đã nhận ngày %s, muộn %d ngày so với hạn %s.", labels.Date(dl.SubmittedOn), dl.DaysLate, labels.Date(dl.Due))
		case rules.DeadlineSubmitted:
			it.Facts = fmt.Sprintf("Đã nhận ngày %s, đúng hạn %s.", labels.Date(dl.SubmittedOn), labels.Date(dl.Due))
		default:
			it.State = "Không còn theo dõi"
			it.Facts = "Nghĩa vụ không còn trong danh sách theo dõi."
		}
		it.Rule, it.Expected, it.Deadline = "", "", ""
	}
}

func relapseItem(d *names.Directory, it *Item, r finding.RelapseItem, a store.Alert) {
	u, _ := d.Unit(r.Area.Unit)
	it.Committee = d.Committee(u.District)
	it.Title = fmt.Sprintf("%s — chuyển hóa năm %d (%s)", d.UnitName(r.Area.Unit), r.Area.Year, labels.Category(r.Area.Category))
	k := r.Area.Category
	facts := fmt.Sprintf("Kỳ %s: %d vụ phạm tội xâm phạm TTXH (BQ tỉnh %s", r.Window, r.Counts.SocialOrder, labels.Num(r.ProvinceAvg))
	if u.District != "" {
		facts += ", BQ huyện " + labels.Num(r.DistrictAvg)
	}
	facts += fmt.Sprintf("); loại %d: %d vụ (BQ tỉnh %s", k, r.Counts.ByCategory[k], labels.Num(r.CatProvinceAvg))
	if u.District != "" {
		facts += ", BQ huyện " + labels.Num(r.CatDistrictAvg)
	}
	it.Facts = facts + ")."
	it.order = r.Area.Unit
	if !a.Open {
		it.State = "Bình thường trở lại"
		it.Rule = fmt.Sprintf("Không còn vượt bình quân và không còn phức tạp loại %d.", k)
		return
	}
	it.State = "Phức tạp trở lại"
	var why []string
	if r.ByGate {
		why = append(why, "số vụ cao hơn bình quân một xã của tỉnh và của huyện")
	}
	if r.ByCategory {
		why = append(why, fmt.Sprintf("phức tạp trở lại về loại %d", k))
	}
	it.Rule = "Phức tạp trở lại từ " + labels.Date(r.Since) + ": " + strings.Join(why, "; ") + "."
	it.Expected = "Rà soát nguyên nhân, đề ra biện pháp khắc phục và báo cáo kết quả về Ban Chỉ đạo 138 tỉnh."
}

func atRiskItem(d *names.Directory, it *Item, c finding.CycleItem, a store.Alert) {
	it.Committee = d.Committee(c.District)
	how := "quyết định lựa chọn ngày " + labels.Date(c.DecidedOn)
	if c.CarriedOver {
		how = fmt.Sprintf("chuyển tiếp, lựa chọn năm %d", c.Origin)
	}
	it.Title = fmt.Sprintf("%s — địa bàn chuyển hóa năm %d (%s; %s)", d.UnitName(c.Unit), c.Year, how, labels.Category(c.Category))
	var facts []string
	for _, in := range c.Indicators.Indicators {
		facts = append(facts, fmt.Sprintf("%s %s", lowerFirst(labels.Indicator(in.Code)), labels.IndicatorValue(in)))
	}
	it.Facts = fmt.Sprintf("Từ %s đến %s: %s.", labels.Date(c.Window.From), labels.Date(c.Window.To), strings.Join(facts, "; "))
	it.order = c.Unit + fmt.Sprint(c.Year)
	if !a.Open {
		switch a.State {
		case finding.CycleOnTrack:
			it.State = "Đã đạt các tiêu chí"
		case finding.CycleAssessed:
			it.State = "Đã có kết luận đánh giá"
			if c.HasVerdict {
				verdict := "không đạt"
				if c.Transformed {
					verdict = "chuyển hóa đạt"
				}
				it.Facts = fmt.Sprintf("Ban Chỉ đạo 138 tỉnh kết luận ngày %s: %s.", labels.Date(c.AssessedOn), verdict)
			}
		default:
			it.State = "Không còn theo dõi"
		}
		return
	}
	it.State = "Có nguy cơ không đạt"
	var miss []string
	for _, in := range c.Indicators.Failing() {
		miss = append(miss, fmt.Sprintf("%s %s (%s)", lowerFirst(labels.Indicator(in.Code)), labels.IndicatorThreshold(in), labels.IndicatorGap(in)))
	}
	it.Rule = "Chưa đạt tiêu chí chuyển hóa: " + strings.Join(miss, "; ") + "."
	it.Deadline = labels.Date(c.YearEnd)
	it.Expected = "Tập trung chỉ đạo khắc phục các tiêu chí chưa đạt trước kỳ đánh giá cuối năm; báo cáo kết quả về Ban Chỉ đạo 138 tỉnh."
}

func projectionItem(it *Item, p finding.ProjectionItem, a store.Alert) {
	pr := p.Projection
	it.order = p.Target
	if p.Target == finding.StableTarget {
		it.Title = fmt.Sprintf("Dự báo chỉ tiêu địa bàn đã chuyển hóa không phức tạp trở lại (ít nhất %d%%)", p.Percent)
		it.Facts = fmt.Sprintf("%d/%d địa bàn đã chuyển hóa không phức tạp trở lại (%s); %d phức tạp trở lại.",
			pr.Stable, pr.AllTransformed, labels.Percent(pr.StableRate), pr.Relapsed)
		it.Rule = fmt.Sprintf("Chỉ tiêu: ít nhất %d%%, tức %d/%d địa bàn.", p.Percent, pr.StableNeeded, pr.AllTransformed)
		it.Expected = "Chỉ đạo rà soát nguyên nhân ở các địa bàn phức tạp trở lại và củng cố các địa bàn đang theo dõi."
	} else {
		it.Title = fmt.Sprintf("Dự báo chỉ tiêu chuyển hóa năm %d (ít nhất %d%%)", pr.Year, p.Percent)
		it.Facts = fmt.Sprintf("Dự kiến đạt %d/%d địa bàn được chọn (%s): %d đã công nhận chuyển hóa, %d đang đạt các tiêu chí; %d chưa đạt tiêu chí, %d chưa có số liệu, %d đã kết luận không đạt.",
			pr.Passing, pr.Selected, labels.Percent(pr.PassRate), pr.Transformed, pr.Meeting, pr.Below, pr.NoData, pr.Assessed-pr.Transformed)
		it.Rule = fmt.Sprintf("Chỉ tiêu: chuyển hóa ít nhất %d%% số địa bàn được chọn, tức %d/%d (địa bàn chuyển tiếp không tính).", p.Percent, pr.PassNeeded, pr.Selected)
		it.Expected = "Chỉ đạo các Ban Chỉ đạo cấp huyện có địa bàn chưa đạt tiêu chí tập trung khắc phục."
	}
	it.State = "Dự báo không đạt"
	if !a.Open {
		it.State = "Dự báo đạt trở lại"
		if a.State != finding.ProjectionMet {
			it.State = "Không còn theo dõi"
		}
		it.Rule, it.Expected = "", ""
	}
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToLower(string(r[0])) + string(r[1:])
}

func sortItems(items []Item) {
	sort.SliceStable(items, func(i, j int) bool { return items[i].order < items[j].order })
}

// Subject is the digest's subject line: the tag, the committee and counts.
func (g *Digest) Subject() string {
	var parts []string
	count := func(items []Item, n string) {
		if len(items) > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", len(items), n))
		}
	}
	count(g.Escalations, "nghĩa vụ quá hạn chuyển tỉnh")
	var late, due, soon []Item
	for _, it := range g.Deadlines {
		switch it.order[:1] {
		case "0", "1":
			late = append(late, it)
		case "2":
			due = append(due, it)
		default:
			soon = append(soon, it)
		}
	}
	count(late, "quá hạn")
	count(due, "đến hạn")
	count(soon, "sắp đến hạn")
	count(g.Relapses, "phức tạp trở lại")
	count(g.AtRisk, "địa bàn có nguy cơ không đạt")
	count(g.Projections, "dự báo không đạt chỉ tiêu")
	fw := 0
	for _, f := range g.Forwarded {
		fw += len(f.Items)
	}
	if fw > 0 {
		parts = append(parts, fmt.Sprintf("%d mục chuyển tiếp", fw))
	}
	count(g.Resolved, "đã khắc phục")
	what := strings.Join(parts, ", ")
	if what == "" {
		what = "không có mục mới"
	}
	return fmt.Sprintf("%s %s: %s (%s)", g.Tag, g.CommitteeName, what, labels.Date(g.Date))
}

//go:embed templates/*.tmpl
var templateFS embed.FS

var funcs = map[string]any{
	"date":    labels.Date,
	"percent": labels.Percent,
	"upper":   strings.ToUpper,
	"met": func(has, ok bool) string {
		switch {
		case !has:
			return "chưa đánh giá"
		case ok:
			return "đạt"
		}
		return "KHÔNG ĐẠT"
	},
}

var (
	textTmpl = texttemplate.Must(texttemplate.New("digest.txt.tmpl").Funcs(funcs).ParseFS(templateFS, "templates/digest.txt.tmpl"))
	htmlTmpl = htmltemplate.Must(htmltemplate.New("digest.html.tmpl").Funcs(funcs).ParseFS(templateFS, "templates/digest.html.tmpl"))
)

// Render produces the plain-text and HTML bodies of a digest.
func (g *Digest) Render() (text, html string, err error) {
	var t, h bytes.Buffer
	if err := textTmpl.Execute(&t, g); err != nil {
		return "", "", fmt.Errorf("render text digest: %w", err)
	}
	if err := htmlTmpl.Execute(&h, g); err != nil {
		return "", "", fmt.Errorf("render html digest: %w", err)
	}
	return t.String(), h.String(), nil
}
