package status

import (
	"cmp"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"chuyenhoa/chart"
	"chuyenhoa/finding"
	"chuyenhoa/labels"
	"chuyenhoa/links"
	"chuyenhoa/rules"
)

const (
	pageRows   = 100 // rows of a table's own page
	maxOptions = 300 // committees listed in a filter; past that, the search box
)

// tableView is one table as a page shows it.
type tableView struct {
	T           *table
	Rows        []row
	Kept, Total int
	Full        bool // on its own page: the filters and the pages
	More        string
	MoreText    string
	Sorts       []sortLink
	Query       query
	Nav         nav
	Action      string // the filter form's target
	CSV, XLSX   string // the downloads of the rows the filters select
	Kinds       []string
	States      []string
	Committees  []option
	FixedCom    string // the committee a committee page is about
	Page, Pages int
	PageText    string
	Prev, Next  string
	Empty       string
	CountText   string
}

type sortLink struct{ Href, Mark string }

type option struct{ Value, Text string }

// scoped is t as committee c sees it ("" the province): only its rows,
// found once per snapshot.
func (sn *snapshot) scoped(t *table, c string) *table {
	if c == "" {
		return t
	}
	key := t.Name + "\x00" + c
	if v, ok := sn.scopedTables.Load(key); ok {
		return v.(*table)
	}
	cp := &table{Name: t.Name, Title: t.Title, Cols: t.Cols, Note: t.Note, Empty: t.Empty, Province: t.Province}
	for _, r := range t.Rows {
		if sn.inScope(c, r) {
			cp.Rows = append(cp.Rows, r)
		}
	}
	v, _ := sn.scopedTables.LoadOrStore(key, cp)
	return v.(*table)
}

func tablePath(name string, v url.Values) string {
	p := "/bang/" + name
	if len(v) > 0 {
		p += "?" + v.Encode()
	}
	return p
}

// view builds the table view of t for q; full shows a page of it with
// its filters, else its first rows with a link to the rest.
func (sn *snapshot) tableView(t *table, q query, full bool, n nav, fixed string) tableView {
	kept := t.apply(q)
	tv := tableView{T: t, Kept: len(kept), Total: len(t.Rows), Full: full, Query: q, Nav: n, FixedCom: fixed, Empty: t.Empty}
	if sn.noRuns {
		tv.Empty = labels.PageNoRunsTable
	}
	base := q
	base.Page = 0
	if fixed != "" {
		base.Committee = fixed
	}
	for i := range t.Cols {
		sq := base
		sq.Sort = i + 1
		mark := ""
		switch q.Sort {
		case i + 1:
			sq.Sort, mark = -(i + 1), "▲"
		case -(i + 1):
			mark = "▼"
		}
		tv.Sorts = append(tv.Sorts, sortLink{Href: n.URL(tablePath(t.Name, sq.values())), Mark: mark})
	}
	if !full {
		tv.Rows = kept[:min(len(kept), overviewRows)]
		if len(kept) > len(tv.Rows) {
			tv.More, tv.MoreText = n.URL(tablePath(t.Name, base.values())), labels.PageShowAll(len(tv.Rows), len(kept))
		}
		return tv
	}
	tv.CountText = labels.PageRows(len(kept), len(t.Rows))
	tv.Pages = max(1, (len(kept)+pageRows-1)/pageRows)
	tv.Page = min(q.Page, tv.Pages)
	lo := (tv.Page - 1) * pageRows
	tv.Rows = kept[lo:min(len(kept), lo+pageRows)]
	if tv.Pages > 1 {
		tv.PageText = labels.PagePage(tv.Page, tv.Pages)
		pq := base
		if tv.Page > 1 {
			pq.Page = tv.Page - 1
			tv.Prev = n.URL(tablePath(t.Name, pq.values()))
		}
		if tv.Page < tv.Pages {
			pq.Page = tv.Page + 1
			tv.Next = n.URL(tablePath(t.Name, pq.values()))
		}
	}
	cq := q
	cq.Page = 0
	tv.CSV = n.URL(tablePath(t.Name+".csv", cq.values()))
	tv.XLSX = n.URL(tablePath(t.Name+".xlsx", cq.values()))
	tv.Action = "/bang/" + t.Name
	t.opts.Do(func() {
		t.kinds = options(t.Rows, func(r row) string { return r.Kind })
		t.states = options(t.Rows, func(r row) string { return r.State })
		coms := options(t.Rows, func(r row) string { return r.Committee })
		if len(coms) > 1 && len(coms) <= maxOptions {
			for _, c := range coms {
				t.committees = append(t.committees, option{Value: c, Text: sn.dir.Owner(rules.ParseCommittee(c))})
			}
		}
	})
	tv.Kinds, tv.States, tv.Committees = t.kinds, t.states, t.committees
	return tv
}

type overviewData struct {
	*PageData
	Committee   string // the committee a committee page is about
	Sections    []tableView
	TargetChart template.HTML
	Committees  []option // the province's view: a way to each committee's page
}

func (s *Server) overview(w *response, r *http.Request) {
	sc := scopeOf(r)
	if !sc.committee.IsProvince() {
		s.committeePage(w, r, sc.committee)
		return
	}
	s.committeePage(w, r, rules.ProvinceCommittee())
}

func (s *Server) committee(w *response, r *http.Request) {
	c := rules.ParseCommittee(r.PathValue("com"))
	if sc := scopeOf(r); !sc.committee.IsProvince() && sc.committee != c {
		s.messagePage(w, http.StatusNotFound, labels.PageNotInScope)
		return
	}
	if c.IsProvince() {
		s.messagePage(w, http.StatusNotFound, labels.PageNotInScope)
		return
	}
	s.committeePage(w, r, c)
}

// committeePage is the overview of committee c: the province's (c the
// province) or that committee's own rows.
func (s *Server) committeePage(w *response, r *http.Request, c rules.Committee) {
	sn, p, ok := s.view(w, r)
	if !ok {
		return
	}
	key := c.String()
	if !c.IsProvince() && len(sn.scope[key]) == 0 {
		s.messagePage(w, http.StatusNotFound, labels.PageNotInScope)
		return
	}
	d := &overviewData{PageData: p}
	d.Title = fmt.Sprintf("Chuyển hóa địa bàn — %s", s.Config.Province.Name)
	if !c.IsProvince() {
		d.Committee = sn.dir.Committee(c)
		d.Title = d.Committee + " — chuyển hóa địa bàn"
	} else {
		d.TargetChart = sn.targetChart
		d.Committees = sn.committeeOptions()
	}
	for _, name := range tableOrder {
		t := sn.tables[name]
		if t == nil || (t.Province && !c.IsProvince()) {
			continue
		}
		d.Sections = append(d.Sections, sn.tableView(sn.scoped(t, key), query{}, false, p.Nav, key))
	}
	s.render(w, "overview.tmpl", d)
}

// committeeOptions lists every committee with communes, for the
// province's way to their pages (none past maxOptions: a country's
// committees are reached from the tables).
func (sn *snapshot) committeeOptions() []option {
	sn.optionsOnce.Do(func() {
		type keyed struct {
			option
			key string
		}
		var out []keyed
		for k := range sn.scope {
			c := rules.ParseCommittee(k)
			if c.Level != rules.LevelDistrict && sn.grouped {
				continue
			}
			name := sn.dir.Owner(c)
			out = append(out, keyed{option{Value: links.CommitteePath(c), Text: name}, fold(name)})
		}
		if len(out) > maxOptions {
			return
		}
		slices.SortFunc(out, func(a, b keyed) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.Value, b.Value)) })
		for _, o := range out {
			sn.options = append(sn.options, o.option)
		}
	})
	return sn.options
}

type tablePageData struct {
	*PageData
	Committee string
	Table     tableView
}

func (s *Server) table(w *response, r *http.Request) {
	name, ext := r.PathValue("name"), ""
	for _, e := range []string{".csv", ".xlsx"} {
		if n, ok := strings.CutSuffix(name, e); ok {
			name, ext = n, e
		}
	}
	sn, p, ok := s.view(w, r)
	if !ok {
		return
	}
	sc := scopeOf(r)
	t := sn.tables[name]
	if t == nil || (t.Province && !sc.committee.IsProvince()) {
		s.messagePage(w, http.StatusNotFound, labels.PageNoTable)
		return
	}
	q := parseQuery(r.URL.Query())
	key := sc.committee.String()
	fixed := ""
	if key != "" {
		fixed = key
	}
	t = sn.scoped(t, key)
	if ext != "" {
		rows := t.apply(q)
		w.header.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s%s"`, name, sn.today.Format(time.DateOnly), ext))
		w.header.Set("Cache-Control", "no-store")
		if ext == ".csv" {
			w.header.Set("Content-Type", "text/csv; charset=utf-8")
			if err := t.writeCSV(w, rows); err != nil {
				s.log().Error("status page: write CSV", "table", name, "err", err)
			}
			return
		}
		data, err := t.workbook(rows)
		if err != nil {
			s.log().Error("status page: write XLSX", "table", name, "err", err)
			s.messagePage(w, http.StatusInternalServerError, labels.PageNoTable)
			return
		}
		w.header.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		_, _ = w.Write(data)
		return
	}
	d := &tablePageData{PageData: p, Table: sn.tableView(t, q, true, p.Nav, fixed)}
	d.Title = t.Title + " — " + s.Config.Province.Name
	if q.Committee != "" {
		d.Committee = sn.dir.Committee(rules.ParseCommittee(q.Committee))
	}
	s.render(w, "table.tmpl", d)
}

type communeData struct {
	*PageData
	Unit rules.Unit
	// Committee names the body responsible for the commune (CommitteeURL
	// its page); District its district, when it has one on the page's day
	// (HasDistrict: then its average is shown).
	Committee, CommitteeURL string
	District                string
	HasDistrict             bool
	LevelAvg                string
	// Merged names the communes whose territory this one holds; Succeeded
	// says, for a commune that has ended, which one holds it now.
	Merged, Succeeded string
	Why               []string
	Indicators        []indicatorBlock
	Watch             tableView
	Alerts            tableView
	Deadlines         tableView
	Chart             template.HTML
	Months            tableView
	Decisions         tableView
}

type indicatorBlock struct {
	Title string
	State string
	Badge string
	Table tableView
}

// commune shows one commune: why it needs attention, its indicators
// against the thresholds, its open alerts and deadlines, its last twelve
// statistical months against the averages, its decisions and the
// communes merged into it.
func (s *Server) commune(w *response, r *http.Request) {
	ctx := r.Context()
	code := r.PathValue("code")
	sn, p, ok := s.view(w, r)
	if !ok {
		return
	}
	sc := scopeOf(r)
	key := sc.committee.String()
	u, ok := sn.dir.Unit(code)
	if !ok || !sn.communeInScope(key, code) {
		msg := labels.PageNoCommune(code)
		if key != "" {
			msg = labels.PageNotInScope
		}
		s.messagePage(w, http.StatusNotFound, msg)
		return
	}
	cfg := s.Config
	d := &communeData{PageData: p, Unit: u, LevelAvg: sn.bodies.LevelAvg()}
	d.Title = u.Name + " — chuyển hóa địa bàn"
	on := sn.today
	if !sn.terr.ValidOn(code, sn.today) {
		var last time.Time
		for _, x := range sn.all {
			if x.Code == code && !x.ValidTo.IsZero() && x.ValidTo.Before(sn.today) && x.ValidTo.After(last) {
				last = x.ValidTo
			}
		}
		if !last.IsZero() {
			on = last
			if res := sn.terr.Resolve(code, sn.today); res.Found() && sn.communeInScope(key, res.Code) {
				d.Succeeded = labels.PageSucceeded(sn.dir.UnitName(res.Code), last)
			}
		}
	}
	var merged []string
	for _, c := range sn.predecessors(code, on) {
		if c != code {
			merged = append(merged, sn.dir.UnitName(c))
		}
	}
	if len(merged) > 0 {
		d.Merged = labels.PageMerged(merged)
	}
	// Its district of the day: none once districts are abolished.
	units, months, sel, as := sn.units, []month(nil), sn.sel, sn.as
	var err error
	if on.Equal(sn.today) {
		months, err = s.loadMonths(ctx, sn)
	} else {
		// An ended commune as it was on its last day: rare, read for it.
		src := s.source(on)
		if units, err = src.Units(ctx, on); err == nil {
			months, err = s.readMonths(ctx, src, on, units)
		}
		if err == nil {
			sel, err = src.Selections(ctx, on)
		}
		if err == nil {
			as, err = src.Assessments(ctx, on)
		}
	}
	if err != nil {
		s.log().Error("status page: commune months", "unit", code, "err", err)
		s.messagePage(w, http.StatusServiceUnavailable, labels.PageDBUnreachable(err))
		return
	}
	district := ""
	for _, v := range units {
		if v.Code == code {
			district = v.District
		}
	}
	d.District = sn.dir.District(district)
	owner := rules.CommitteeOf(cfg.Grouped(), rules.Unit{Code: code, District: district})
	d.Committee, d.HasDistrict = sn.dir.Committee(owner), owner.Level == rules.LevelDistrict
	if sn.communeInScopeCommittee(key, owner) {
		d.CommitteeURL = p.Nav.URL(links.CommitteePath(owner))
	}
	s.communeWhy(sn, d, code)
	s.communeTables(sn, d, code, key, months, district, sel, as)
	s.render(w, "commune.tmpl", d)
}

// communeInScopeCommittee reports whether the view of key may open
// committee c's page.
func (sn *snapshot) communeInScopeCommittee(key string, c rules.Committee) bool {
	return key == "" || key == c.String()
}

// communeWhy says why the commune needs attention, and lists its
// indicators against the thresholds.
func (s *Server) communeWhy(sn *snapshot, d *communeData, code string) {
	ci := sn.communes[code]
	if ci == nil {
		return
	}
	b := sn.bodies
	for _, it := range ci.relapse {
		if it.Relapsed {
			l := b.RelapseLine(labels.Alert{Kind: finding.AlertRelapse, Open: true, State: finding.Relapsed}, it, sn.dir.UnitName(code), d.HasDistrict)
			d.Why = append(d.Why, l.Rule+" "+l.Facts)
		}
	}
	for i := len(ci.cycle) - 1; i >= 0; i-- {
		it := ci.cycle[i]
		if it.State == finding.CycleAtRisk || it.State == finding.CycleBelow {
			l := b.AtRiskLine(labels.Alert{Kind: finding.AlertAtRisk, Open: true, State: finding.CycleAtRisk}, it, sn.dir.UnitName(code))
			d.Why = append(d.Why, fmt.Sprintf("%s, %s: %s", labels.PageYearOfWork(it.Year), lowerFirst(labels.CycleState(it.State)), l.Rule))
		}
		t := &table{Name: "tieu-chi", Cols: []column{{Title: "Tiêu chí"}, {Title: "Ngưỡng"}, {Title: "Kết quả"}, {Title: "Đánh giá"}},
			Empty: labels.CycleState(finding.CycleNoData)}
		for _, in := range it.Indicators.Indicators {
			verdict, badge := "Đạt", "good"
			if !in.Met {
				verdict, badge = "Chưa đạt: "+labels.IndicatorGap(in), "bad"
			}
			t.Rows = append(t.Rows, row{Cells: []cell{{Text: labels.Indicator(in.Code)}, {Text: labels.IndicatorThreshold(in)},
				{Text: labels.IndicatorValue(in)}, {Text: verdict, Badge: badge}}})
		}
		if !it.Indicators.HasData {
			t.Rows = nil
		}
		state := labels.CycleState(it.State)
		if it.HasVerdict {
			state = labels.PageVerdict(it.Transformed)
		}
		title := labels.PageYearOfWork(it.Year)
		if it.HasWindow {
			title += ", " + labels.PageWindow(it.Window.From, it.Window.To)
		}
		d.Indicators = append(d.Indicators, indicatorBlock{Title: title, State: state, Badge: cycleBadge(it), Table: tableView{T: t, Rows: t.Rows, Empty: t.Empty}})
	}
	wt := &table{Name: "theo-doi-xa", Cols: []column{{Title: "Năm chuyển hóa", Num: true}, {Title: "Tình trạng"}, {Title: "Từ ngày"}, {Title: "Kỳ kiểm tra"},
		{Title: "Số vụ", Num: true}, {Title: "BQ tỉnh", Num: true}}}
	if d.HasDistrict {
		wt.Cols = append(wt.Cols, column{Title: d.LevelAvg, Num: true})
	}
	for _, it := range ci.relapse {
		state, badge := labels.PageStateNormal, "good"
		if it.Relapsed {
			state, badge = labels.RelapsedAgain, "bad"
		}
		cells := []cell{numCell(it.Area.Year), {Text: state, Badge: badge}, dateCell(it.Since), {Text: it.Window.String()},
			numCell(it.Counts.SocialOrder), avgCell(it.ProvinceAvg)}
		if d.HasDistrict {
			cells = append(cells, avgCell(it.DistrictAvg))
		}
		wt.Rows = append(wt.Rows, row{Cells: cells})
	}
	d.Watch = tableView{T: wt, Rows: wt.Rows}
	if c := ci.candidate; c != nil && c.Status != rules.StatusBelowAverage {
		d.Why = append(d.Why, fmt.Sprintf("%s năm %d: %s. %s", labels.Status(c.Status), c.Year,
			b.Reason(c.Candidate, c.TotalUnits, s.Config.Selection.CapPercent, c.Cap), labels.PageProposalIsNotDecision))
	}
}

func (s *Server) communeTables(sn *snapshot, d *communeData, code, key string, months []month, district string, sel []rules.Selection, as []rules.Assessment) {
	ci := sn.communes[code]
	if ci == nil {
		ci = &communeInfo{}
	}
	at := sn.tables[tabAlerts]
	alerts := &table{Name: "canh-bao-xa", Cols: at.Cols, Empty: "Không có cảnh báo đang mở."}
	for _, r := range ci.alerts {
		if sn.inScope(key, r) {
			alerts.Rows = append(alerts.Rows, r)
		}
	}
	if sn.noRuns {
		alerts.Empty = labels.PageNoRunsTable
	}
	d.Alerts = tableView{T: alerts, Rows: alerts.Rows, Empty: alerts.Empty}
	dl := &table{Name: "han-xa", Empty: "Không có nghĩa vụ báo cáo riêng của địa bàn.",
		Cols: []column{{Title: "Nghĩa vụ"}, {Title: "Kỳ"}, {Title: "Hạn"}, {Title: "Tình trạng"}, {Title: "Ngày nộp"}}}
	for _, x := range ci.deadlines {
		dl.Rows = append(dl.Rows, row{Cells: []cell{{Text: x.Obligation.Name}, {Text: labels.PeriodKey(x.Period)}, dateCell(x.Due),
			{Text: sn.bodies.Deadline(x.State), Badge: deadlineBadge(x.State)}, dateCell(x.SubmittedOn)}})
	}
	d.Deadlines = tableView{T: dl, Rows: dl.Rows, Empty: dl.Empty}

	legend := ""
	if d.HasDistrict {
		legend = d.LevelAvg
	}
	mt := &table{Name: "thang", Cols: []column{{Title: "Tháng"}, {Title: "Số vụ TTXH", Num: true}, {Title: "BQ tỉnh", Num: true}}}
	if d.HasDistrict {
		mt.Cols = append(mt.Cols, column{Title: d.LevelAvg, Num: true})
	}
	for c := rules.Cat1; c <= rules.Cat4; c++ {
		mt.Cols = append(mt.Cols, column{Title: fmt.Sprintf("Loại %d", c), Num: true})
	}
	var pts []chart.Point
	for _, m := range months {
		label := labels.Month(m.r.To)
		c := m.counts[code]
		cells := []cell{{Text: label}, numCell(c.SocialOrder), avgCell(m.base.Province.Avg)}
		if d.HasDistrict {
			cells = append(cells, avgCell(m.base.Districts[district].Avg))
		}
		for k := rules.Cat1; k <= rules.Cat4; k++ {
			cells = append(cells, numCell(c.ByCategory[k]))
		}
		mt.Rows = append(mt.Rows, row{Cells: cells})
		pts = append(pts, chart.Point{Label: label, Count: c.SocialOrder, ProvinceAvg: m.base.Province.Avg, DistrictAvg: m.base.Districts[district].Avg})
	}
	d.Chart = chart.Series(pts, legend)
	d.Months = tableView{T: mt, Rows: mt.Rows}

	dt := &table{Name: "quyet-dinh", Empty: labels.PageNeverSelected, Cols: []column{{Title: "Năm", Num: true}, {Title: "Quyết định"}, {Title: "Ngày"}}}
	for _, x := range sel {
		if x.Unit == code {
			dt.Rows = append(dt.Rows, row{Cells: []cell{numCell(x.Year), {Text: "Được chọn chuyển hóa — " + labels.Category(x.Category)}, dateCell(x.DecidedOn)}})
		}
	}
	for _, a := range as {
		if a.Unit == code {
			dt.Rows = append(dt.Rows, row{Cells: []cell{numCell(a.Year), {Text: labels.PageVerdict(a.Transformed)}, dateCell(a.AssessedOn)}})
		}
	}
	slices.SortStableFunc(dt.Rows, func(a, b row) int { return cmp.Compare(a.Cells[0].Num, b.Cells[0].Num) })
	d.Decisions = tableView{T: dt, Rows: dt.Rows, Empty: dt.Empty}
}

func lowerFirst(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	return strings.ToLower(string(r[0])) + string(r[1:])
}
