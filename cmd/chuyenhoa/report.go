package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/labels"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// cmdReport writes the year-end report the provincial committee reviews:
// a printable HTML page (A4) and CSV tables.
func cmdReport(ctx context.Context, a *app, args []string) error {
	fs := a.flags("report")
	out := fs.String("out", ".", "`DIR` to write the report files to (created if missing)")
	at := fs.String("at", "", "the report's day (`YYYY-MM-DD`, province time): data known then; default today")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if pos[0] != "year" {
		return usageError{"report needs 'year YEAR', e.g. 'chuyenhoa report year 2026 --out bao-cao'"}
	}
	year, err := strconv.Atoi(pos[1])
	if err != nil || year < 2000 || year > 9999 {
		return usageError{fmt.Sprintf("report year %q: use a year such as 2026", pos[1])}
	}
	cfg, s, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	day, err := parseDay(*at, cfg)
	if err != nil {
		return err
	}
	if year > day.Year() {
		return usageError{fmt.Sprintf("report year %d: the year has not started on %s", year, labels.Date(day))}
	}
	rep, err := buildYearReport(ctx, s, cfg, year, day)
	if err != nil {
		return err
	}
	files, err := rep.write(*out)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Báo cáo năm %d (số liệu đến %s): %d địa bàn được chọn, %d chuyển tiếp, %d đề xuất của huyện.\n",
		year, labels.Date(day), rep.Cycle.Cycle.Selected.Areas, rep.Cycle.Cycle.Carried.Areas, len(rep.Proposals))
	for _, f := range files {
		fmt.Fprintf(a.stdout, "  %s\n", f)
	}
	return nil
}

// yearReport is everything the year-end report shows, with names resolved.
type yearReport struct {
	Province   string
	Year       int
	On         time.Time
	Targets    [2]int // transformed %, stable %
	Cycle      *jobs.CycleReport
	Areas      []reportArea
	Categories []categoryCount
	Proposals  []reportProposal
	Failing    int // district proposals not acceptable
	Duties     []reportDuty
	Relapses   []reportRelapse
	Years      []rules.YearCycle
	Indicators []string // column headings
}

type reportArea struct {
	finding.CycleItem
	Name, District string
	Values         []reportValue
	Result         string
	AtRisk         bool
}

type reportValue struct {
	Text string
	Bad  bool
}

type categoryCount struct {
	Label string
	N     int
}

type reportProposal struct {
	rules.ProposalCheck
	Name, District string
	Note           string
	OK             bool
}

type reportDuty struct {
	rules.ProposalDeadline
	District string
	State    string
	Late     bool
}

type reportRelapse struct {
	Unit, Name, District string
	Year                 int
	Category             rules.Category
	TransformedOn        time.Time
	Now                  string
	Since                time.Time
}

func buildYearReport(ctx context.Context, s *store.Store, cfg *config.Config, year int, day time.Time) (*yearReport, error) {
	r := &jobs.Runner{Store: s, Config: cfg}
	cyc, err := r.CycleOf(ctx, jobs.CycleQuery{On: day, Year: year, ProposalYear: year})
	if err != nil {
		return nil, fmt.Errorf("report %d: %w", year, err)
	}
	units, err := s.AllUnits(ctx)
	if err != nil {
		return nil, err
	}
	name, unitDistrict := map[string]string{}, map[string]string{}
	for _, u := range units {
		name[u.Code], unitDistrict[u.Code] = u.Name, u.District
	}
	ds, err := s.Districts(ctx)
	if err != nil {
		return nil, err
	}
	dname := map[string]string{}
	for _, d := range ds {
		dname[d.Code] = d.Name
	}
	district := func(code string) string {
		if n, ok := dname[code]; ok {
			return n
		}
		if code == "" {
			return "—"
		}
		return code
	}
	rep := &yearReport{
		Province: cfg.Province.Name, Year: year, On: day, Cycle: cyc,
		Targets: [2]int{cfg.Targets.TransformedPercent, cfg.Targets.StablePercent},
	}

	cats := map[rules.Category]int{}
	for _, it := range cyc.Areas {
		ra := reportArea{CycleItem: it, Name: name[it.Unit], District: district(it.District), AtRisk: it.State == finding.CycleAtRisk}
		if !it.CarriedOver {
			cats[it.Category]++
		}
		for _, in := range it.Indicators.Indicators {
			v := reportValue{Text: "—"}
			if it.HasWindow && it.Indicators.HasData {
				v = reportValue{Text: labels.IndicatorValue(in), Bad: !in.Met}
			}
			ra.Values = append(ra.Values, v)
		}
		ra.Result = labels.CycleState(it.State)
		if it.HasVerdict {
			ra.Result = labels.Stage(it.Stage)
			if it.CarriesOver {
				ra.Result += "; chuyển tiếp năm sau"
			}
		}
		rep.Areas = append(rep.Areas, ra)
	}
	if len(cyc.Areas) > 0 {
		for _, in := range cyc.Areas[0].Indicators.Indicators {
			rep.Indicators = append(rep.Indicators, fmt.Sprintf("%s (%s)", labels.IndicatorShort(in.Code), labels.IndicatorThreshold(in)))
		}
	}
	for _, k := range rules.Categories {
		if cats[k] > 0 {
			rep.Categories = append(rep.Categories, categoryCount{labels.Category(k), cats[k]})
		}
	}
	for _, c := range cyc.Proposals {
		rp := reportProposal{ProposalCheck: c, Name: name[c.Proposal.Unit], District: district(c.Proposal.District),
			Note: proposalNote(c, cyc.Proposal, cfg.Selection.CapPercent), OK: c.Acceptable()}
		if !rp.OK {
			rep.Failing++
		}
		rep.Proposals = append(rep.Proposals, rp)
	}
	for _, d := range cyc.ProposalDeadlines {
		rep.Duties = append(rep.Duties, reportDuty{ProposalDeadline: d, District: district(d.District), State: labels.Deadline(d.State),
			Late: d.State != rules.DeadlineSubmitted && d.State != rules.DeadlinePending && d.State != rules.DeadlineUpcoming})
	}

	sel, err := s.Selections(ctx)
	if err != nil {
		return nil, err
	}
	as, err := s.Assessments(ctx)
	if err != nil {
		return nil, err
	}
	states, err := s.RelapseStates(ctx)
	if err != nil {
		return nil, err
	}
	relapsed := map[rules.AreaKey]bool{}
	for k, st := range states {
		if st.EverRelapsed {
			relapsed[k] = true
		}
	}
	for _, a := range rules.TransformedAreas(sel, as) {
		st, ok := states[a.Key()]
		if !ok || !st.EverRelapsed || a.Year > year || a.TransformedOn.After(day) {
			continue
		}
		now := "Bình thường trở lại"
		if st.Relapsed {
			now = "Phức tạp trở lại"
		}
		rep.Relapses = append(rep.Relapses, reportRelapse{Unit: a.Unit, Name: name[a.Unit], District: district(unitDistrict[a.Unit]),
			Year: a.Year, Category: a.Category, TransformedOn: a.TransformedOn, Now: now, Since: st.Since})
	}
	first := year
	for _, x := range sel {
		first = min(first, x.Year)
	}
	for y := first; y <= year; y++ {
		rep.Years = append(rep.Years, rules.YearCycleOf(cfg.CycleParams(), y, day, sel, as, relapsed))
	}
	return rep, nil
}

// write puts the HTML page and the CSV tables in dir, each file written
// whole under a temporary name and then renamed, so a failed run never
// leaves half a report.
func (rep *yearReport) write(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report folder: %w", err)
	}
	base := filepath.Join(dir, fmt.Sprintf("bao-cao-chuyen-hoa-%d", rep.Year))
	var page bytes.Buffer
	if err := reportTmpl.Execute(&page, rep); err != nil {
		return nil, fmt.Errorf("render report: %w", err)
	}
	files := []struct {
		path string
		data []byte
	}{{base + ".html", page.Bytes()}}
	for _, t := range rep.tables() {
		b, err := csvBytes(t.rows)
		if err != nil {
			return nil, err
		}
		files = append(files, struct {
			path string
			data []byte
		}{base + "-" + t.name + ".csv", b})
	}
	var written []string
	for _, f := range files {
		if err := writeFileAtomic(f.path, f.data); err != nil {
			return written, err
		}
		written = append(written, f.path)
	}
	return written, nil
}

type csvTable struct {
	name string
	rows [][]string
}

// tables are the report's CSV files: Vietnamese headings, one row per
// item, numbers plain (a spreadsheet computes with them).
func (rep *yearReport) tables() []csvTable {
	d := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	b := func(v bool) string {
		if v {
			return "có"
		}
		return "không"
	}
	areas := [][]string{{"Năm", "Mã xã", "Tên xã", "Huyện", "Loại", "Nguồn", "Năm lựa chọn", "Ngày quyết định",
		"Số vụ phạm tội", "Số vụ khám phá", "Số vụ RNT/ĐBNT", "Số vụ RNT/ĐBNT khám phá", "Tin báo tiếp nhận", "Tin báo giải quyết",
		"Người chấp hành xong án", "Người tái phạm", "Đạt tiêu chí", "Tình trạng", "Kết luận", "Ngày kết luận"}}
	for _, a := range rep.Areas {
		c := a.Indicators.Counts
		verdict := ""
		if a.HasVerdict {
			verdict = map[bool]string{true: "chuyển hóa đạt", false: "không đạt"}[a.Transformed]
		}
		met := ""
		if a.HasWindow && a.Indicators.HasData {
			met = b(a.Indicators.Met)
		}
		areas = append(areas, []string{strconv.Itoa(a.Year), a.Unit, a.Name, a.District, strconv.Itoa(int(a.Category)), labels.Origin(a.CycleArea),
			strconv.Itoa(a.Origin), d(a.DecidedOn), strconv.Itoa(c.Crimes), strconv.Itoa(c.Detected), strconv.Itoa(c.SeriousCrimes),
			strconv.Itoa(c.SeriousDetected), strconv.Itoa(c.ReportsReceived), strconv.Itoa(c.ReportsHandled), strconv.Itoa(c.Released),
			strconv.Itoa(c.Reoffended), met, a.Result, verdict, d(a.AssessedOn)})
	}
	props := [][]string{{"Năm", "Huyện đề xuất", "Mã xã", "Tên xã", "Ngày đề xuất", "Số vụ phạm tội xâm phạm TTXH", "BQ tỉnh", "BQ huyện",
		"Vượt BQ tỉnh", "Vượt BQ huyện", "Đạt điều kiện", "Được chọn", "Nhận xét"}}
	for _, p := range rep.Proposals {
		c := p.Candidate
		props = append(props, []string{strconv.Itoa(p.Proposal.Year), p.District, p.Proposal.Unit, p.Name, d(p.Proposal.ProposedOn),
			strconv.Itoa(c.Counts.SocialOrder), fmt.Sprintf("%.2f", c.ProvinceAvg), fmt.Sprintf("%.2f", c.DistrictAvg),
			b(c.AboveProvince), b(c.AboveDistrict), b(p.OK), b(p.Selected), p.Note})
	}
	years := [][]string{{"Năm", "Được chọn", "Đã kết luận", "Chuyển hóa đạt", "Tỷ lệ (%)", fmt.Sprintf("Đạt %d%%", rep.Targets[0]),
		"Chuyển tiếp", "Chuyển tiếp đạt", "Phức tạp trở lại", "Không phức tạp trở lại (%)", fmt.Sprintf("Đạt %d%%", rep.Targets[1])}}
	for _, y := range rep.Years {
		s := y.Selected
		rate, stable, m1, m2 := "", "", "", ""
		if s.Assessed > 0 {
			rate, m1 = fmt.Sprintf("%.1f", y.TransformedRate), b(y.TransformedMet)
		}
		if y.HasTransformed {
			stable, m2 = fmt.Sprintf("%.1f", y.StableRate), b(y.StableMet)
		}
		years = append(years, []string{strconv.Itoa(y.Year), strconv.Itoa(s.Areas), strconv.Itoa(s.Assessed), strconv.Itoa(s.Transformed), rate, m1,
			strconv.Itoa(y.Carried.Areas), strconv.Itoa(y.Carried.Transformed), strconv.Itoa(s.Relapsed), stable, m2})
	}
	rel := [][]string{{"Mã xã", "Tên xã", "Huyện", "Năm chuyển hóa", "Loại", "Ngày công nhận", "Hiện nay", "Từ ngày"}}
	for _, r := range rep.Relapses {
		rel = append(rel, []string{r.Unit, r.Name, r.District, strconv.Itoa(r.Year), strconv.Itoa(int(r.Category)), d(r.TransformedOn), r.Now, d(r.Since)})
	}
	return []csvTable{{"dia-ban", areas}, {"de-xuat", props}, {"chi-tieu", years}, {"phuc-tap-tro-lai", rel}}
}

// csvBytes writes rows as CSV with a UTF-8 byte order mark, which
// spreadsheet programs need to show Vietnamese diacritics.
func csvBytes(rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		return nil, fmt.Errorf("write CSV: %w", err)
	}
	return buf.Bytes(), nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

var reportFuncs = template.FuncMap{
	"date":    labels.Date,
	"percent": labels.Percent,
	"num":     labels.Num,
	"add":     func(a, b int) int { return a + b },
	"sub":     func(a, b int) int { return a - b },
	"upper":   strings.ToUpper,
	"window":  func(r period.Range) string { return r.String() },
	"met": func(has, ok bool) string {
		switch {
		case !has:
			return "chưa đánh giá"
		case ok:
			return "đạt"
		}
		return "không đạt"
	},
	"deadline": labels.Deadline,
}

var reportTmpl = template.Must(template.New("report").Funcs(reportFuncs).Parse(reportHTML))

const reportHTML = `<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>Báo cáo chuyển hóa địa bàn năm {{.Year}} — {{.Province}}</title>
<style>
@page { size: A4; margin: 15mm 12mm 15mm 18mm; }
* { box-sizing: border-box; }
body { font-family: "Times New Roman", Times, "Liberation Serif", serif; font-size: 11pt; line-height: 1.35; color: #000; margin: 0; }
header.doc { display: flex; justify-content: space-between; text-align: center; font-size: 10.5pt; margin-bottom: 6mm; }
header.doc div { width: 48%; }
h1 { font-size: 14pt; text-align: center; margin: 4mm 0 1mm; }
p.sub { text-align: center; font-style: italic; margin: 0 0 5mm; }
h2 { font-size: 12pt; margin: 6mm 0 2mm; break-after: avoid; page-break-after: avoid; }
table { width: 100%; border-collapse: collapse; font-size: 8.5pt; margin-bottom: 3mm; }
th, td { border: 0.6pt solid #000; padding: 1mm 1.2mm; vertical-align: top; }
th { background: #eee; font-weight: bold; text-align: center; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.n { text-align: right; white-space: nowrap; }
td.v { text-align: right; }
.bad { font-weight: bold; text-decoration: underline; }
.risk td { background: #f4f4f4; }
ul { margin: 0 0 2mm; padding-left: 6mm; }
footer { margin-top: 6mm; font-size: 9pt; font-style: italic; }
@media screen { body { max-width: 210mm; margin: 10mm auto; padding: 0 12mm; } }
@media print { th, .risk td { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
</style>
</head>
<body>
<header class="doc">
<div><strong>BAN CHỈ ĐẠO 138 TỈNH {{upper .Province}}</strong></div>
<div><strong>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</strong><br><strong>Độc lập - Tự do - Hạnh phúc</strong></div>
</header>
<h1>BÁO CÁO TỔNG KẾT CÔNG TÁC CHUYỂN HÓA ĐỊA BÀN TRỌNG ĐIỂM, PHỨC TẠP VỀ TRẬT TỰ, AN TOÀN XÃ HỘI NĂM {{.Year}}</h1>
{{with .Cycle}}<p class="sub">Số liệu tính đến ngày {{date .On}}{{if .HasWindow}}; tiêu chí chuyển hóa tính từ {{date .Window.From}} đến {{date .Window.To}}{{end}}.</p>{{end}}

<h2>I. TỔNG HỢP</h2>
{{$c := .Cycle.Cycle}}{{$p := .Cycle.Projection}}
<ul>
<li>Địa bàn được lựa chọn năm {{.Year}}: <strong>{{$c.Selected.Areas}}</strong>{{with .Categories}} ({{range $i, $k := .}}{{if $i}}; {{end}}{{$k.Label}}: {{$k.N}}{{end}}){{end}}.</li>
<li>Địa bàn chưa đạt năm trước chuyển tiếp sang năm {{.Year}}: <strong>{{$c.Carried.Areas}}</strong> (không tính vào tỷ lệ của năm).</li>
<li>Kết luận của Ban Chỉ đạo: {{$c.Selected.Assessed}}/{{$c.Selected.Areas}} địa bàn được chọn đã có kết luận, chuyển hóa đạt <strong>{{$c.Selected.Transformed}}</strong>{{if $c.Selected.Assessed}} ({{percent $c.TransformedRate}}; chỉ tiêu ít nhất {{index .Targets 0}}%, cần {{$c.TransformedNeeded}}: <strong>{{met true $c.TransformedMet}}</strong>){{end}}; địa bàn chuyển tiếp chuyển hóa đạt {{$c.Carried.Transformed}}/{{$c.Carried.Areas}}.</li>
{{if $p.HasPass}}<li>Dự báo theo tiêu chí: dự kiến đạt {{$p.Passing}}/{{$p.Selected}} địa bàn được chọn ({{percent $p.PassRate}}) — <strong>{{met true $p.PassMet}}</strong> chỉ tiêu {{index .Targets 0}}%: {{$p.Transformed}} đã công nhận, {{$p.Meeting}} đang đạt các tiêu chí, {{$p.Below}} chưa đạt tiêu chí, {{$p.NoData}} chưa có số liệu.</li>{{end}}
{{if $c.HasTransformed}}<li>Địa bàn chuyển hóa đạt năm {{.Year}} không phức tạp trở lại: {{sub $c.Selected.Transformed $c.Selected.Relapsed}}/{{$c.Selected.Transformed}} ({{percent $c.StableRate}}) — <strong>{{met true $c.StableMet}}</strong> chỉ tiêu {{index .Targets 1}}%.</li>{{end}}
{{if $p.HasStable}}<li>Toàn bộ địa bàn đã chuyển hóa đến ngày {{date .On}}: {{$p.Stable}}/{{$p.AllTransformed}} không phức tạp trở lại ({{percent $p.StableRate}}) — <strong>{{met true $p.StableMet}}</strong> chỉ tiêu {{index .Targets 1}}%; {{$p.Relapsed}} phức tạp trở lại.</li>{{end}}
<li>Đề xuất của Ban Chỉ đạo 138 cấp huyện: {{len .Proposals}} đề xuất, trong đó <strong>{{.Failing}}</strong> không đạt điều kiện hoặc có sai sót.</li>
</ul>

<h2>II. ĐỀ XUẤT VÀ QUYẾT ĐỊNH LỰA CHỌN</h2>
<p>Điều kiện: số vụ phạm tội xâm phạm TTXH trong kỳ {{window .Cycle.Reference}} cao hơn bình quân một xã của tỉnh ({{num .Cycle.Proposal.Baseline.Province.Avg}} vụ) và của huyện; không đạt chuẩn nông thôn mới; tối đa {{.Cycle.Proposal.Cap}} địa bàn ({{.Cycle.Proposal.TotalUnits}} đơn vị cấp xã).</p>
{{if .Proposals}}<table>
<thead><tr><th>TT</th><th>Huyện đề xuất</th><th>Địa bàn</th><th>Ngày đề xuất</th><th>Số vụ</th><th>BQ tỉnh</th><th>BQ huyện</th><th>Nhận xét</th></tr></thead>
<tbody>
{{range $i, $r := .Proposals}}<tr><td class="n">{{add $i 1}}</td><td>{{$r.District}}</td><td>{{$r.Name}} ({{$r.Proposal.Unit}})</td><td class="n">{{date $r.Proposal.ProposedOn}}</td><td class="n">{{$r.Candidate.Counts.SocialOrder}}</td><td class="n">{{num $r.Candidate.ProvinceAvg}}</td><td class="n">{{if $r.Candidate.HasDistrict}}{{num $r.Candidate.DistrictAvg}}{{else}}—{{end}}</td><td{{if not $r.OK}} class="bad"{{end}}>{{$r.Note}}</td></tr>
{{end}}</tbody></table>{{else}}<p>Không có đề xuất của huyện trong dữ liệu.</p>{{end}}
{{if .Duties}}<table>
<thead><tr><th>Ban Chỉ đạo 138</th><th>Đã đề xuất</th><th>Hạn</th><th>Ngày đủ số lượng</th><th>Tình trạng</th><th>Số ngày trễ</th></tr></thead>
<tbody>
{{range .Duties}}<tr><td>{{.District}}</td><td class="n">{{.Proposed}}/{{.Required}}</td><td class="n">{{date .Due}}</td><td class="n">{{date .SubmittedOn}}</td><td{{if .Late}} class="bad"{{end}}>{{.State}}</td><td class="n">{{.DaysLate}}</td></tr>
{{end}}</tbody></table>{{end}}

<h2>III. ĐỊA BÀN VÀ TIÊU CHÍ CHUYỂN HÓA</h2>
<p>Tiêu chí (Quyết định 1960/QĐ-BCA-C41): tỷ lệ điều tra, khám phá; khám phá án rất nghiêm trọng, đặc biệt nghiêm trọng; tố giác, tin báo về tội phạm được giải quyết; tái phạm của người chấp hành xong án phạt tù. Chữ gạch dưới: chưa đạt.</p>
{{if .Areas}}<table>
<thead><tr><th>TT</th><th>Địa bàn</th><th>Huyện</th><th>Loại</th><th>Nguồn, quyết định</th>{{range .Indicators}}<th>{{.}}</th>{{end}}<th>Tình trạng, kết luận</th></tr></thead>
<tbody>
{{range $i, $a := .Areas}}<tr{{if $a.AtRisk}} class="risk"{{end}}><td class="n">{{add $i 1}}</td><td>{{$a.Name}} ({{$a.Unit}})</td><td>{{$a.District}}</td><td class="n">{{$a.Category}}</td><td>{{if $a.CarriedOver}}Chuyển tiếp, chọn năm {{$a.Origin}}{{else if $a.Reselected}}Chọn lại {{date $a.DecidedOn}}{{else}}Chọn {{date $a.DecidedOn}}{{end}}</td>{{range $a.Values}}<td class="v{{if .Bad}} bad{{end}}">{{.Text}}</td>{{end}}<td{{if $a.AtRisk}} class="bad"{{end}}>{{$a.Result}}{{if $a.HasVerdict}} ({{date $a.AssessedOn}}){{end}}</td></tr>
{{end}}</tbody></table>{{else}}<p>Chưa có địa bàn nào được lựa chọn hay chuyển tiếp trong năm {{.Year}}.</p>{{end}}

<h2>IV. ĐỊA BÀN ĐÃ CHUYỂN HÓA PHỨC TẠP TRỞ LẠI</h2>
{{if .Relapses}}<table>
<thead><tr><th>TT</th><th>Địa bàn</th><th>Huyện</th><th>Năm chuyển hóa</th><th>Loại</th><th>Ngày công nhận</th><th>Hiện nay</th><th>Từ ngày</th></tr></thead>
<tbody>
{{range $i, $r := .Relapses}}<tr><td class="n">{{add $i 1}}</td><td>{{$r.Name}} ({{$r.Unit}})</td><td>{{$r.District}}</td><td class="n">{{$r.Year}}</td><td class="n">{{$r.Category}}</td><td class="n">{{date $r.TransformedOn}}</td><td>{{$r.Now}}</td><td class="n">{{date $r.Since}}</td></tr>
{{end}}</tbody></table>{{else}}<p>Không có địa bàn đã chuyển hóa nào phức tạp trở lại.</p>{{end}}

<h2>V. CHỈ TIÊU QUA CÁC NĂM</h2>
<table>
<thead><tr><th>Năm</th><th>Được chọn</th><th>Đã kết luận</th><th>Chuyển hóa đạt</th><th>Tỷ lệ (≥ {{index .Targets 0}}%)</th><th>Chuyển tiếp (đạt)</th><th>Phức tạp trở lại</th><th>Không phức tạp trở lại (≥ {{index .Targets 1}}%)</th></tr></thead>
<tbody>
{{range .Years}}<tr><td class="n">{{.Year}}</td><td class="n">{{.Selected.Areas}}</td><td class="n">{{.Selected.Assessed}}</td><td class="n">{{.Selected.Transformed}}</td><td class="n">{{if .Selected.Assessed}}{{percent .TransformedRate}} — {{met true .TransformedMet}}{{else}}chưa đánh giá{{end}}</td><td class="n">{{.Carried.Areas}} ({{.Carried.Transformed}})</td><td class="n">{{.Selected.Relapsed}}</td><td class="n">{{if .HasTransformed}}{{percent .StableRate}} — {{met true .StableMet}}{{else}}—{{end}}</td></tr>
{{end}}</tbody></table>

<footer>Bản tổng hợp do hệ thống chuyenhoa lập tự động từ số liệu thống kê, quyết định và báo cáo đã nhập, để Ban Chỉ đạo 138 tỉnh xem xét; kết luận của Ban Chỉ đạo là căn cứ. Kỳ thống kê tính từ ngày 15 tháng trước đến ngày 14 tháng báo cáo.</footer>
</body>
</html>
`
