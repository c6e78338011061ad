package status

import (
	"cmp"
	"container/list"
	"context"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"chuyenhoa/chart"
	"chuyenhoa/contract"
	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/labels"
	"chuyenhoa/links"
	"chuyenhoa/names"
	"chuyenhoa/notify"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// The tables, in the order the overview shows them: what needs someone
// today first, then the year's areas, the targets and the reports owed,
// then the proposal and the history.
const (
	tabAction    = "viec-can-lam"
	tabAreas     = "dia-ban"
	tabTargets   = "chi-tieu"
	tabBoard     = "han"
	tabProposal  = "de-xuat"
	tabRelapses  = "tai-phuc-tap"
	tabAlerts    = "canh-bao"
	tabRuns      = "lan-chay"
	tabMail      = "thu"
	tabSilences  = "tam-ngung"
	failedShown  = 200 // refused messages listed at most
	runsShown    = 20
	overviewRows = 15 // rows of a table on the overview; the rest on its own page
)

var tableOrder = []string{tabAction, tabAreas, tabTargets, tabBoard, tabProposal, tabRelapses, tabAlerts, tabMail, tabSilences, tabRuns}

// snapshot is everything the pages show, read and worded once per
// store.Version: the pages answer from it, never by recomputing, and it
// is replaced when a run finishes (or mail is refused).
type snapshot struct {
	version    store.Version
	read       time.Time // when it was read
	today      time.Time
	loc        *time.Location
	dir        *names.Directory
	bodies     labels.Bodies
	year       int // the year of work
	statsReach time.Time
	noRuns     bool
	noUnits    bool

	tables map[string]*table
	// scope lists, per committee (string form), the communes it may see:
	// those of its district, or a commune body's own with the communes
	// merged into it.
	scope map[string]map[string]bool
	// targets and their chart (the province's view only).
	targets     []rules.Progress
	targetChart template.HTML
	targetPct   [2]int

	communes map[string]*communeInfo
	terr     *rules.Territory
	preds    map[string][]string // today's communes: the codes whose rows are theirs
	grouped  bool                // whether today's communes have districts
	all      []store.UnitRow
	units    []rules.Unit // of today
	sel      []rules.Selection
	as       []rules.Assessment

	// pages holds rendered pages by address, up to cacheBytes: the same
	// page of the same snapshot is the same bytes.
	pagesMu sync.Mutex
	pages   *pageCache

	scopedTables sync.Map // table name, committee → the table as it sees it
	optionsOnce  sync.Once
	options      []option

	monthsOnce sync.Once
	months     []month
	monthsErr  error
}

// communeInfo is what the stored findings say about one commune.
type communeInfo struct {
	cycle     []finding.CycleItem
	relapse   []finding.RelapseItem
	candidate *finding.CandidateItem
	deadlines []rules.Deadline
	alerts    []row // rows of the alerts table
}

// month is one statistical month of the province, for the commune pages.
type month struct {
	r      period.Range
	counts map[string]rules.Counts
	base   rules.Baseline
}

func (s *Server) build(ctx context.Context, v store.Version) (*snapshot, error) {
	cfg := s.Config
	loc := cfg.Location()
	now := s.now()
	sn := &snapshot{version: v, read: now, loc: loc, today: period.Day(now, loc), noRuns: v.Runs == 0,
		targetPct: [2]int{cfg.Targets.TransformedPercent, cfg.Targets.StablePercent}, tables: map[string]*table{},
		communes: map[string]*communeInfo{}, scope: map[string]map[string]bool{}}
	dir, err := names.Load(ctx, s.Store, cfg.Bodies, cfg.Grouped())
	if err != nil {
		return nil, err
	}
	sn.dir, sn.bodies = dir, dir.Bodies()
	if sn.statsReach, _, err = s.Store.StatsReach(ctx); err != nil {
		return nil, err
	}
	src := s.source(sn.today)
	if sn.all, err = src.AllUnits(ctx); err != nil {
		return nil, err
	}
	sn.noUnits = len(sn.all) == 0
	if sn.terr, err = src.Territory(ctx); err != nil {
		return nil, err
	}
	if sn.units, err = src.Units(ctx, sn.today); err != nil {
		return nil, err
	}
	if sn.sel, err = src.Selections(ctx, sn.today); err != nil {
		return nil, err
	}
	if sn.as, err = src.Assessments(ctx, sn.today); err != nil {
		return nil, err
	}
	sn.buildScope(cfg.Grouped())
	sn.grouped = dir.Grouped(sn.today)

	b := &builder{sn: sn, s: s}
	for _, step := range []func(context.Context) error{b.cycle, b.deadlines, b.relapse, b.candidates, b.mail, b.alerts, b.silences, b.runs} {
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	b.finish()
	return sn, nil
}

func (s *Server) source(day time.Time) *contract.Source {
	return (&jobs.Runner{Store: s.Store, Config: s.Config, Now: s.Now}).Source(day)
}

// buildScope fills sn.scope from every unit row: a district's communes,
// and each commune for its own body with those merged into it.
func (sn *snapshot) buildScope(grouped bool) {
	add := func(c rules.Committee, unit string) {
		k := c.String()
		if sn.scope[k] == nil {
			sn.scope[k] = map[string]bool{}
		}
		sn.scope[k][unit] = true
	}
	for _, u := range sn.all {
		if grouped && u.District != "" {
			add(rules.DistrictCommittee(u.District), u.Code)
		}
		add(rules.CommuneCommittee(u.Code), u.Code)
	}
	// The communes merged into each of today's, each code resolved once
	// (Territory.Predecessors resolves every code per call).
	sn.preds = map[string][]string{}
	seen := map[string]bool{}
	for _, u := range sn.all {
		if seen[u.Code] {
			continue
		}
		seen[u.Code] = true
		if r := sn.terr.Resolve(u.Code, sn.today); r.Found() {
			sn.preds[r.Code] = append(sn.preds[r.Code], u.Code)
			add(rules.CommuneCommittee(r.Code), u.Code)
		}
	}
	for _, ps := range sn.preds {
		slices.Sort(ps)
	}
}

// predecessors lists the codes whose rows belong to code on day, as
// Territory.Predecessors does, from the snapshot's for today.
func (sn *snapshot) predecessors(code string, day time.Time) []string {
	if day.Equal(sn.today) {
		return sn.preds[code]
	}
	return sn.terr.Predecessors(code, day)
}

// builder turns the stored findings into the snapshot's tables.
type builder struct {
	sn *snapshot
	s  *Server

	action    []actionRow
	areas     []row
	plan      map[string]string // unit → its plan's deadline state, worded
	board     map[string]map[string]boardCell
	boardCols []string

	// What the outbox says of the mail (b.mail): when the server last
	// accepted a mail showing each alert, and each committee's mail.
	accepted map[[2]string]time.Time
	mailBy   map[string]store.CommitteeMail
}

type actionRow struct {
	row
	rank int       // what comes first: escalated, relapsed, overdue, at risk, mail
	day  time.Time // then the oldest
}

type boardCell struct {
	label, note string
	severity    int
}

func (b *builder) info(unit string) *communeInfo {
	ci := b.sn.communes[unit]
	if ci == nil {
		ci = &communeInfo{}
		b.sn.communes[unit] = ci
	}
	return ci
}

// unitCell names a commune with a link to its page.
func (b *builder) unitCell(code string) cell {
	u, ok := b.sn.dir.Unit(code)
	name := code
	if ok {
		name = u.Name
	}
	return cell{Text: name, Note: code, Href: links.CommunePath(code), Sort: fold(name) + "\x00" + code}
}

// committeeCell names a committee with a link to its page.
func (b *builder) committeeCell(c rules.Committee) cell {
	if c.IsProvince() {
		return cell{Text: b.sn.bodies.Province}
	}
	name := b.sn.dir.Owner(c)
	return cell{Text: name, Href: links.CommitteePath(c), Sort: fold(name)}
}

func dateCell(t time.Time) cell {
	return cell{Text: labels.Date(t), Sort: t.Format(time.DateOnly)}
}

func (b *builder) timeCell(t time.Time, none string) cell {
	if t.IsZero() {
		return cell{Text: none}
	}
	return cell{Text: labels.DateTime(t.In(b.sn.loc)), Sort: t.UTC().Format(time.RFC3339)}
}

func numCell(n int) cell { return cell{Text: strconv.Itoa(n), Num: float64(n)} }

func avgCell(f float64) cell { return cell{Text: labels.Num(f), Num: f} }

// failing words an area's indicators that miss their threshold.
func failing(it finding.CycleItem) string {
	var out []string
	for _, in := range it.Indicators.Failing() {
		out = append(out, fmt.Sprintf("%s %s %s (%s)", labels.IndicatorShort(in.Code), labels.IndicatorValue(in), labels.IndicatorThreshold(in), labels.IndicatorGap(in)))
	}
	return strings.Join(out, "; ")
}

func (b *builder) cycle(ctx context.Context) error {
	_, fs, err := b.s.Store.LatestFindings(ctx, finding.JobCycle)
	if err != nil {
		return err
	}
	var items []finding.CycleItem
	var pds []rules.ProposalDeadline
	for _, f := range fs {
		switch f.Kind {
		case finding.KindCycleArea:
			it, err := finding.Decode[finding.CycleItem](f.Kind, f.Payload)
			if err != nil {
				return fmt.Errorf("decode area %s: %w", f.Key, err)
			}
			items = append(items, it)
			b.sn.year = max(b.sn.year, it.Year)
			ci := b.info(it.Unit)
			ci.cycle = append(ci.cycle, it)
		case finding.KindProposalDeadline:
			pd, err := finding.Decode[rules.ProposalDeadline](f.Kind, f.Payload)
			if err != nil {
				return fmt.Errorf("decode proposal obligation %s: %w", f.Key, err)
			}
			pds = append(pds, pd)
		}
	}
	if b.sn.year == 0 {
		b.sn.year = b.sn.today.Year()
	}
	b.board = map[string]map[string]boardCell{}
	name := b.s.Config.Proposals.Name
	for _, pd := range pds {
		b.boardCell(pd.Deadline, name)
		b.deadlineAction(pd.Deadline, labels.PageKindProposalLate, fmt.Sprintf("%s năm %d: %d/%d địa bàn", name, pd.Year, pd.Proposed, pd.Required))
	}
	if len(pds) > 0 {
		b.boardCols = append(b.boardCols, name)
	}
	for _, it := range items {
		com := rules.CommitteeFor(it.District, it.Unit)
		state := labels.CycleState(it.State)
		if it.HasVerdict {
			state = labels.PageVerdict(it.Transformed)
		}
		if it.State == finding.CycleAtRisk {
			b.action = append(b.action, actionRow{rank: 3, day: it.YearEnd, row: row{Committee: com.String(), Unit: it.Unit,
				Kind: labels.PageKindAtRisk, State: state, Cells: []cell{{Text: labels.PageKindAtRisk}, b.committeeCell(com), b.unitCell(it.Unit),
					{Text: state, Badge: "bad"}, dateCell(it.YearEnd), {Text: failing(it)}}}})
		}
		if it.Year != b.sn.year {
			continue
		}
		b.areas = append(b.areas, row{Committee: com.String(), Unit: it.Unit, Kind: labels.Origin(it.CycleArea), State: state,
			Cells: []cell{b.unitCell(it.Unit), b.committeeCell(com), {Text: labels.AreaCategories(it.Categories)}, {Text: labels.Origin(it.CycleArea)},
				dateCell(it.DecidedOn), {Text: state, Badge: cycleBadge(it)}, {Text: failing(it)}}})
	}
	return nil
}

func cycleBadge(it finding.CycleItem) string {
	switch {
	case it.HasVerdict && it.Transformed, it.State == finding.CycleOnTrack:
		return "good"
	case it.State == finding.CycleAtRisk, it.HasVerdict:
		return "bad"
	case it.State == finding.CycleBelow:
		return "warn"
	}
	return ""
}

// severity ranks the deadline states by urgency, for the board.
var severity = map[rules.DeadlineState]int{
	rules.DeadlinePending: 0, rules.DeadlineSubmitted: 1, rules.DeadlineSubmittedLate: 2,
	rules.DeadlineUpcoming: 3, rules.DeadlineDue: 4, rules.DeadlineOverdue: 5, rules.DeadlineEscalated: 6,
}

func deadlineBadge(s rules.DeadlineState) string {
	switch s {
	case rules.DeadlineEscalated, rules.DeadlineOverdue:
		return "bad"
	case rules.DeadlineDue, rules.DeadlineUpcoming:
		return "warn"
	case rules.DeadlineSubmitted, rules.DeadlineSubmittedLate:
		return "good"
	}
	return ""
}

// boardCell puts dl into the board: a committee's cell of an obligation
// shows its worst instance, with the due day written out (a title would
// not show on a phone or on paper).
func (b *builder) boardCell(dl rules.Deadline, obligation string) {
	com := dl.Committee.String()
	r := b.board[com]
	if r == nil {
		r = map[string]boardCell{}
		b.board[com] = r
	}
	sev := severity[dl.State]
	if cur, ok := r[obligation]; !ok || sev > cur.severity {
		note := "hạn " + labels.Date(dl.Due)
		if !dl.SubmittedOn.IsZero() {
			note = "nộp " + labels.Date(dl.SubmittedOn) + ", hạn " + labels.Date(dl.Due)
		}
		r[obligation] = boardCell{label: b.sn.bodies.Deadline(dl.State), note: note, severity: sev}
	}
}

// deadlineAction lists an overdue or escalated obligation among the
// things to do today.
func (b *builder) deadlineAction(dl rules.Deadline, kind, what string) {
	rank := map[rules.DeadlineState]int{rules.DeadlineEscalated: 1, rules.DeadlineOverdue: 2}
	r, ok := rank[dl.State]
	if !ok {
		return
	}
	state := b.sn.bodies.Deadline(dl.State)
	unit := cell{Text: labels.None}
	if dl.Unit != "" {
		unit = b.unitCell(dl.Unit)
	}
	b.action = append(b.action, actionRow{rank: r, day: dl.Due, row: row{Committee: dl.Committee.String(), Unit: dl.Unit, Kind: kind, State: state,
		Cells: []cell{{Text: kind}, b.committeeCell(dl.Committee), unit, {Text: state, Badge: "bad"}, dateCell(dl.Due),
			{Text: what + ", " + labels.PageOverdue(dl.DaysLate)}}}})
}

func (b *builder) deadlines(ctx context.Context) error {
	_, fs, err := b.s.Store.LatestFindings(ctx, finding.JobDeadlines)
	if err != nil {
		return err
	}
	b.plan = map[string]string{}
	for _, o := range b.s.Config.Obligations {
		b.boardCols = append(b.boardCols, o.Name)
	}
	for _, f := range fs {
		if f.Kind != finding.KindDeadline {
			continue // the run's data errors
		}
		dl, err := finding.Decode[rules.Deadline](f.Kind, f.Payload)
		if err != nil {
			return fmt.Errorf("decode deadline %s: %w", f.Key, err)
		}
		o := dl.Obligation
		b.deadlineAction(dl, labels.PageKindLate, o.Name+", "+labels.PeriodKey(dl.Period))
		if dl.Unit != "" {
			ci := b.info(dl.Unit)
			ci.deadlines = append(ci.deadlines, dl)
		}
		if dl.Year != b.sn.year {
			continue
		}
		if dl.Unit != "" {
			b.plan[dl.Unit] = b.sn.bodies.Deadline(dl.State)
		}
		b.boardCell(dl, o.Name)
	}
	return nil
}

func (b *builder) relapse(ctx context.Context) error {
	_, fs, err := b.s.Store.LatestFindings(ctx, finding.JobRelapse)
	if err != nil {
		return err
	}
	t := &table{Name: tabRelapses, Title: "Theo dõi địa bàn đã chuyển hóa", Empty: "Chưa có kết quả kiểm tra.",
		Cols: []column{{Title: "Địa bàn"}, {Title: "Đơn vị"}, {Title: "Năm chuyển hóa", Num: true}, {Title: "Loại"}, {Title: "Tình trạng"},
			{Title: "Từ ngày"}, {Title: "Số vụ 12 tháng", Num: true}, {Title: "BQ tỉnh", Num: true}, {Title: b.sn.bodies.LevelAvg(), Num: true}}}
	anyDistrict := false
	for _, f := range fs {
		switch f.Kind {
		case finding.KindTarget:
			p, err := finding.Decode[rules.Progress](f.Kind, f.Payload)
			if err != nil {
				return fmt.Errorf("decode target %s: %w", f.Key, err)
			}
			b.sn.targets = append(b.sn.targets, p)
		case finding.KindRelapse:
			it, err := finding.Decode[finding.RelapseItem](f.Kind, f.Payload)
			if err != nil {
				return fmt.Errorf("decode relapse %s: %w", f.Key, err)
			}
			owner := it.Committee
			if owner.IsProvince() {
				owner = b.sn.dir.CommitteeOf(it.Area.Unit) // stored before payloads named it
			}
			grouped := owner.Level == rules.LevelDistrict
			anyDistrict = anyDistrict || grouped
			ci := b.info(it.Area.Unit)
			ci.relapse = append(ci.relapse, it)
			state, badge := labels.PageStateNormal, "good"
			if it.Relapsed {
				state, badge = labels.RelapsedAgain, "bad"
				if again := it.ComplexAgain(); len(again) > 0 {
					state += " về loại " + labels.Categories(again)
				}
				line := b.sn.bodies.RelapseLine(labels.Alert{Kind: finding.AlertRelapse, Open: true, State: finding.Relapsed}, it, b.sn.dir.UnitName(it.Area.Unit), grouped)
				b.action = append(b.action, actionRow{rank: 1, day: it.Since, row: row{Committee: owner.String(), Unit: it.Area.Unit,
					Kind: labels.PageKindRelapse, State: labels.RelapsedAgain, Cells: []cell{{Text: labels.PageKindRelapse}, b.committeeCell(owner),
						b.unitCell(it.Area.Unit), {Text: labels.RelapsedAgain, Badge: "bad"}, dateCell(it.Since), {Text: line.Rule}}}})
			}
			dist := cell{Text: labels.None}
			if grouped {
				dist = avgCell(it.DistrictAvg)
			}
			t.Rows = append(t.Rows, row{Committee: owner.String(), Unit: it.Area.Unit, Kind: labels.AreaCategories(it.Area.Categories), State: state,
				Cells: []cell{b.unitCell(it.Area.Unit), b.committeeCell(owner), numCell(it.Area.Year), {Text: labels.Categories(it.Area.Categories)},
					{Text: state, Badge: badge}, dateCell(it.Since), numCell(it.Counts.SocialOrder), avgCell(it.ProvinceAvg), dist}})
		}
	}
	if !anyDistrict {
		dropColumn(t, len(t.Cols)-1)
	}
	// Relapsed first, then by year and commune.
	slices.SortStableFunc(t.Rows, func(x, y row) int {
		return cmp.Compare(boolRank(x.State == labels.PageStateNormal), boolRank(y.State == labels.PageStateNormal))
	})
	b.sn.tables[t.Name] = t
	slices.SortFunc(b.sn.targets, func(x, y rules.Progress) int { return cmp.Compare(x.Year, y.Year) })
	b.sn.targetChart = chart.Targets(b.sn.targets, b.sn.targetPct[0], b.sn.targetPct[1])
	tt := &table{Name: tabTargets, Title: "Tiến độ chỉ tiêu hằng năm", Province: true, Empty: "Chưa có kết quả đánh giá.",
		Cols: []column{{Title: "Năm", Num: true}, {Title: "Được chọn", Num: true}, {Title: "Đã đánh giá", Num: true}, {Title: "Chuyển hóa đạt", Num: true},
			{Title: fmt.Sprintf("Tỷ lệ (≥%d%%)", b.sn.targetPct[0])}, {Title: "Phức tạp trở lại", Num: true}, {Title: fmt.Sprintf("Không phức tạp trở lại (≥%d%%)", b.sn.targetPct[1])}}}
	for _, p := range b.sn.targets {
		pass := cell{Text: "chưa đánh giá"}
		if p.Assessed > 0 {
			pass = cell{Text: labels.Percent(p.TransformedRate) + " — " + labels.TargetVerdict(p.TransformedMet, p.TransformedNeeded), Num: p.TransformedRate, Badge: metBadge(p.TransformedMet)}
		}
		stable := cell{Text: labels.None}
		if p.HasTransformed {
			stable = cell{Text: labels.Percent(p.StableRate) + " — " + labels.TargetVerdict(p.StableMet, p.StableNeeded), Num: p.StableRate, Badge: metBadge(p.StableMet)}
		}
		tt.Rows = append(tt.Rows, row{Cells: []cell{numCell(p.Year), numCell(p.Selected), numCell(p.Assessed), numCell(p.Transformed), pass, numCell(p.Relapsed), stable}})
	}
	b.sn.tables[tt.Name] = tt
	return nil
}

func metBadge(met bool) string {
	if met {
		return "good"
	}
	return "bad"
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// dropColumn removes column i from t and its rows.
func dropColumn(t *table, i int) {
	t.Cols = slices.Delete(t.Cols, i, i+1)
	for k := range t.Rows {
		t.Rows[k].Cells = slices.Delete(t.Rows[k].Cells, i, i+1)
	}
}

func (b *builder) candidates(ctx context.Context) error {
	_, fs, err := b.s.Store.LatestFindings(ctx, finding.JobCandidates)
	if err != nil {
		return err
	}
	cfg := b.s.Config
	t := &table{Name: tabProposal, Title: "Đề xuất địa bàn chuyển hóa", Empty: "Chưa có đề xuất.",
		Cols: []column{{Title: "Hạng", Num: true}, {Title: "Địa bàn"}, {Title: "Đơn vị"}, {Title: "Số vụ", Num: true}, {Title: "BQ tỉnh", Num: true},
			{Title: b.sn.bodies.LevelAvg(), Num: true}, {Title: "Loại phức tạp"}, {Title: "Kết quả"}, {Title: "Lý do"}}}
	anyDistrict := false
	type ranked struct {
		r     row
		order string
	}
	var rows []ranked
	for _, f := range fs {
		if f.Kind != finding.KindCandidate {
			continue // the run's data errors
		}
		c, err := finding.Decode[finding.CandidateItem](f.Kind, f.Payload)
		if err != nil {
			return fmt.Errorf("decode candidate %s: %w", f.Key, err)
		}
		t.Title = fmt.Sprintf("Đề xuất địa bàn chuyển hóa năm %d", c.Year)
		t.Note = labels.PageProposalNote(c.Reference.String(), c.TotalUnits, c.Cap)
		ci := b.info(c.Unit.Code)
		cc := c
		ci.candidate = &cc
		if c.Status == rules.StatusBelowAverage {
			continue
		}
		com := rules.CommitteeOf(cfg.Grouped(), c.Unit)
		anyDistrict = anyDistrict || c.HasDistrict
		rank := cell{Text: labels.None, Num: 1e9}
		if c.Rank > 0 {
			rank = numCell(c.Rank)
		}
		dist := cell{Text: labels.None}
		if c.HasDistrict {
			dist = avgCell(c.DistrictAvg)
		}
		st := labels.Status(c.Status)
		order := map[rules.Status]string{rules.StatusProposed: "0", rules.StatusCutByCap: "1", rules.StatusExcludedNTM: "2"}[c.Status]
		rows = append(rows, ranked{order: fmt.Sprintf("%s%06d%s", order, c.Rank, c.Unit.Code), r: row{Committee: com.String(), Unit: c.Unit.Code, State: st,
			Cells: []cell{rank, b.unitCell(c.Unit.Code), b.committeeCell(com), numCell(c.Counts.SocialOrder), avgCell(c.ProvinceAvg), dist,
				{Text: labels.Categories(c.Complex)}, {Text: st, Badge: statusBadge(c.Status)},
				{Text: b.sn.bodies.Reason(c.Candidate, c.TotalUnits, cfg.Selection.CapPercent, c.Cap)}}}})
	}
	slices.SortStableFunc(rows, func(x, y ranked) int { return cmp.Compare(x.order, y.order) })
	for _, r := range rows {
		t.Rows = append(t.Rows, r.r)
	}
	if !anyDistrict {
		dropColumn(t, 5)
	}
	b.sn.tables[t.Name] = t
	return nil
}

func statusBadge(s rules.Status) string {
	switch s {
	case rules.StatusProposed:
		return "info"
	case rules.StatusExcludedNTM:
		return "good"
	}
	return ""
}

// alertUnit is the commune an alert's payload is about, "" for none.
func alertUnit(a store.Alert) string {
	switch a.Kind.Source() {
	case finding.KindDeadline:
		if dl, err := finding.Decode[rules.Deadline](finding.KindDeadline, a.Payload); err == nil {
			return dl.Unit
		}
	case finding.KindRelapse:
		if it, err := finding.Decode[finding.RelapseItem](finding.KindRelapse, a.Payload); err == nil {
			return it.Area.Unit
		}
	case finding.KindCycleArea:
		if it, err := finding.Decode[finding.CycleItem](finding.KindCycleArea, a.Payload); err == nil {
			return it.Unit
		}
	}
	return ""
}

// alertWhat says what an alert is about, from its payload.
func (b *builder) alertWhat(a store.Alert) string {
	switch a.Kind.Source() {
	case finding.KindDeadline:
		if dl, err := finding.Decode[rules.Deadline](finding.KindDeadline, a.Payload); err == nil {
			return dl.Obligation.Name + ", " + labels.PeriodKey(dl.Period)
		}
	case finding.KindProposalDeadline:
		if pd, err := finding.Decode[rules.ProposalDeadline](finding.KindProposalDeadline, a.Payload); err == nil {
			return fmt.Sprintf("%s năm %d", pd.Obligation.Name, pd.Year)
		}
	case finding.KindRelapse:
		if it, err := finding.Decode[finding.RelapseItem](finding.KindRelapse, a.Payload); err == nil {
			return fmt.Sprintf("Chuyển hóa năm %d (%s)", it.Area.Year, labels.AreaCategories(it.Area.Categories))
		}
	case finding.KindCycleArea:
		if it, err := finding.Decode[finding.CycleItem](finding.KindCycleArea, a.Payload); err == nil {
			return fmt.Sprintf("Địa bàn chuyển hóa năm %d: %s", it.Year, failing(it))
		}
	case finding.KindProjection:
		if it, err := finding.Decode[finding.ProjectionItem](finding.KindProjection, a.Payload); err == nil {
			return labels.ProjectionTarget(it.Target, it.Percent, it.Year)
		}
	}
	return labels.AlertKind(a.Kind)
}

func (b *builder) alerts(ctx context.Context) error {
	open, err := b.s.Store.OpenAlerts(ctx)
	if err != nil {
		return err
	}
	t := &table{Name: tabAlerts, Title: "Cảnh báo đang mở", Empty: "Không có cảnh báo đang mở.",
		Cols: []column{{Title: "Gửi tới"}, {Title: "Loại"}, {Title: "Địa bàn"}, {Title: "Nội dung"}, {Title: "Tình trạng"}, {Title: "Mở từ"}, {Title: "Gửi thư gần nhất"}}}
	for _, a := range open {
		com := rules.ParseCommittee(a.Committee)
		unit := alertUnit(a)
		uc := cell{Text: labels.None}
		if unit != "" {
			uc = b.unitCell(unit)
		}
		kind, state := labels.AlertKind(a.Kind), b.sn.bodies.AlertState(a.Kind, a.State)
		r := row{Committee: com.String(), ToProvince: com.IsProvince(), Unit: unit, Kind: kind, State: state,
			Cells: []cell{b.committeeCell(com), {Text: kind}, uc, {Text: b.alertWhat(a)}, {Text: state}, b.timeCell(a.OpenedAt, labels.None),
				b.lastMailed(a)}}
		t.Rows = append(t.Rows, r)
		if unit != "" {
			ci := b.info(unit)
			ci.alerts = append(ci.alerts, r)
		}
	}
	b.sn.tables[t.Name] = t
	return nil
}

// mail lists the refused messages among the things to do (nobody got
// them), and each committee's mail as the server answered it: the last
// message it accepted (a message only queued is not "mailed"), what
// waits, and what it refused since.
func (b *builder) mail(ctx context.Context) error {
	ms, err := b.s.Store.FailedMail(ctx, failedShown)
	if err != nil {
		return err
	}
	for _, m := range ms {
		com := rules.ParseCommittee(m.Committee)
		b.action = append(b.action, actionRow{rank: 4, day: m.CreatedAt, row: row{Committee: com.String(), ToProvince: com.IsProvince(), Kind: labels.PageMailRefused,
			State: labels.PageMailRefused, Cells: []cell{{Text: labels.PageMailRefused}, b.committeeCell(com), {Text: labels.None},
				{Text: labels.PageMailRefused, Badge: "bad"}, b.timeCell(m.CreatedAt, labels.None),
				{Text: labels.PageMailRefusedWhat(m.Recipient, m.Subject, m.LastError)}}}})
	}
	if b.accepted, err = b.s.Store.AcceptedItems(ctx); err != nil {
		return err
	}
	byCom, err := b.s.Store.MailByCommittee(ctx)
	if err != nil {
		return err
	}
	b.mailBy = map[string]store.CommitteeMail{}
	t := &table{Name: tabMail, Title: labels.PageMailTitle, Note: labels.PageMailNote, Empty: labels.PageMailEmpty}
	for _, title := range labels.PageMailColumns() {
		t.Cols = append(t.Cols, column{Title: title, Num: title == "Đang chờ gửi"})
	}
	for _, m := range byCom {
		b.mailBy[m.Committee] = m
		com := rules.ParseCommittee(m.Committee)
		state, badge := labels.PageMailAccepted, "good"
		switch {
		case m.Refused > 0:
			state, badge = labels.PageMailRefused, "bad"
		case m.LastAccepted.IsZero() && m.Waiting > 0:
			state, badge = labels.PageMailWaiting, ""
		case m.LastAccepted.IsZero():
			state, badge = labels.PageMailNever, ""
		}
		refused := cell{Text: labels.None, Num: 0}
		if m.Refused > 0 {
			refused = cell{Text: labels.PageMailRefusedSince(m.Refused), Num: float64(m.Refused), Badge: "bad"}
		}
		lastErr := cell{Text: labels.None}
		if m.Refused > 0 {
			lastErr = cell{Text: labels.DateTime(m.LastRefused.In(b.sn.loc)) + ": " + m.LastError}
		}
		t.Rows = append(t.Rows, row{Committee: com.String(), ToProvince: com.IsProvince(), Kind: labels.PageMailKind, State: state,
			Cells: []cell{b.committeeCell(com), {Text: state, Badge: badge}, b.timeCell(m.LastAccepted, labels.PageNotMailedYet),
				numCell(m.Waiting), refused, lastErr}})
	}
	b.sn.tables[t.Name] = t
	return nil
}

// lastMailed is the alerts table's "last mailed": when the server last
// accepted a mail that showed the alert; else whether its committee's
// mail is being refused, or none was accepted yet.
func (b *builder) lastMailed(a store.Alert) cell {
	if at, ok := b.accepted[[2]string{a.Committee, a.Key}]; ok {
		return b.timeCell(at, labels.PageNotMailedYet)
	}
	if b.mailBy[a.Committee].Refused > 0 {
		return cell{Text: labels.PageMailRefused, Badge: "bad"}
	}
	return cell{Text: labels.PageNotMailedYet}
}

// silences lists the silences in force, with what they hold back; an
// item they hold keeps its place in the other tables.
func (b *builder) silences(ctx context.Context) error {
	ss, err := b.s.Store.ActiveSilences(ctx, b.sn.read)
	if err != nil {
		return err
	}
	open, err := b.s.Store.OpenAlerts(ctx)
	if err != nil {
		return err
	}
	t := &table{Name: tabSilences, Title: labels.PageSilencesTitle, Province: true, Empty: labels.PageSilencesEmpty}
	for _, title := range labels.PageSilenceColumns() {
		t.Cols = append(t.Cols, column{Title: title, Num: title == "Số"})
	}
	for _, sl := range ss {
		held := 0
		for _, a := range open {
			if notify.Matches(sl.Matchers, a) {
				held++
			}
		}
		t.Rows = append(t.Rows, row{Kind: labels.PageSilenceKind, State: labels.SilenceActive, Cells: []cell{numCell(int(sl.ID)),
			{Text: notify.DescribeMatchers(sl.Matchers, b.sn.dir)}, b.timeCell(sl.StartsAt, labels.None), b.timeCell(sl.EndsAt, labels.None),
			{Text: sl.CreatedBy}, {Text: sl.Reason}, {Text: labels.PageSilenceHeld(held), Num: float64(held)}}})
	}
	b.sn.tables[t.Name] = t
	return nil
}

func (b *builder) runs(ctx context.Context) error {
	rs, err := b.s.Store.Runs(ctx, "", runsShown)
	if err != nil {
		return err
	}
	t := &table{Name: tabRuns, Title: "Lần chạy gần nhất", Province: true, Empty: labels.PageNoRunsTable,
		Cols: []column{{Title: "Việc"}, {Title: "Kỳ"}, {Title: "Kết quả"}, {Title: "Bắt đầu"}, {Title: "Kết thúc"}, {Title: "Số lần", Num: true}, {Title: "Lỗi"}}}
	for _, r := range rs {
		st := labels.RunStatus(r.Status)
		badge := map[string]string{store.RunOK: "good", store.RunFailed: "bad"}[r.Status]
		t.Rows = append(t.Rows, row{Kind: labels.JobName(r.Job), State: st, Cells: []cell{{Text: labels.JobName(r.Job)}, {Text: labels.RunPeriod(r.Period), Sort: r.Period},
			{Text: st, Badge: badge}, b.timeCell(r.StartedAt, labels.None), b.timeCell(r.FinishedAt, labels.None), numCell(r.Attempts), {Text: r.Error}}})
	}
	b.sn.tables[t.Name] = t
	return nil
}

// finish builds the tables gathered from several jobs' findings.
func (b *builder) finish() {
	sn := b.sn
	slices.SortStableFunc(b.action, func(x, y actionRow) int {
		return cmp.Or(cmp.Compare(x.rank, y.rank), x.day.Compare(y.day))
	})
	at := &table{Name: tabAction, Title: "Cần xử lý ngay", Empty: "Không có việc quá hạn, địa bàn phức tạp trở lại, địa bàn có nguy cơ hay thư bị từ chối.",
		Cols: []column{{Title: "Việc"}, {Title: "Đơn vị"}, {Title: "Địa bàn"}, {Title: "Tình trạng"}, {Title: "Hạn, từ ngày"}, {Title: "Chi tiết"}}}
	for _, a := range b.action {
		at.Rows = append(at.Rows, a.row)
	}
	sn.tables[at.Name] = at

	ar := &table{Name: tabAreas, Title: fmt.Sprintf("Địa bàn chuyển hóa năm %d", sn.year), Empty: fmt.Sprintf("Chưa có quyết định lựa chọn cho năm %d.", sn.year),
		Cols: []column{{Title: "Địa bàn"}, {Title: "Đơn vị"}, {Title: "Loại"}, {Title: "Vào năm"}, {Title: "Ngày quyết định"}, {Title: "Tình trạng"},
			{Title: "Tiêu chí chưa đạt"}, {Title: "Kế hoạch chuyển hóa"}}}
	for _, r := range b.areas {
		plan := labels.None
		if p, ok := b.plan[r.Unit]; ok {
			plan = p
		}
		r.Cells = append(r.Cells, cell{Text: plan})
		ar.Rows = append(ar.Rows, r)
	}
	sn.tables[ar.Name] = ar

	bt := &table{Name: tabBoard, Title: fmt.Sprintf("Nghĩa vụ báo cáo năm %d", sn.year), Empty: "Không có nghĩa vụ cần theo dõi.",
		Cols: []column{{Title: "Đơn vị"}}}
	var cols []string
	seen := map[string]bool{}
	for _, c := range b.boardCols {
		if !seen[c] {
			seen[c] = true
			cols = append(cols, c)
			bt.Cols = append(bt.Cols, column{Title: c})
		}
	}
	type boardRow struct {
		r   row
		sev int
	}
	var rows []boardRow
	for com, cells := range b.board {
		c := rules.ParseCommittee(com)
		r := row{Committee: com, Cells: []cell{b.committeeCell(c)}}
		worst := -1
		for _, o := range cols {
			bc, ok := cells[o]
			if !ok {
				r.Cells = append(r.Cells, cell{Text: labels.None})
				continue
			}
			if bc.severity > worst {
				worst, r.State = bc.severity, bc.label
			}
			r.Cells = append(r.Cells, cell{Text: bc.label, Note: bc.note, Badge: deadlineBadge(stateOfSeverity(bc.severity)), Sort: strconv.Itoa(9 - bc.severity)})
		}
		rows = append(rows, boardRow{r, worst})
	}
	slices.SortFunc(rows, func(x, y boardRow) int {
		return cmp.Or(cmp.Compare(y.sev, x.sev), cmp.Compare(x.r.Cells[0].Sort, y.r.Cells[0].Sort))
	})
	for _, r := range rows {
		bt.Rows = append(bt.Rows, r.r)
	}
	sn.tables[bt.Name] = bt
	// Searched by many requests at once: folded here, read-only after.
	for _, t := range sn.tables {
		for i := range t.Rows {
			t.Rows[i].search = fold(t.Rows[i].text())
		}
	}
}

func stateOfSeverity(sev int) rules.DeadlineState {
	for s, v := range severity {
		if v == sev {
			return s
		}
	}
	return rules.DeadlinePending
}

// inScope reports whether committee c (string form; "" the province) may
// see row r: its own rows, and rows about its communes.
func (sn *snapshot) inScope(c string, r row) bool {
	if c == "" {
		return true
	}
	if r.ToProvince {
		return false
	}
	if r.Committee != "" {
		return r.Committee == c
	}
	return r.Unit != "" && sn.scope[c][r.Unit]
}

// communeInScope reports whether committee c may see unit's page.
func (sn *snapshot) communeInScope(c, unit string) bool {
	return c == "" || sn.scope[c][unit]
}

// loadMonths reads the province's last twelve statistical months once
// per snapshot: every commune page shows them against the averages.
func (s *Server) loadMonths(ctx context.Context, sn *snapshot) ([]month, error) {
	sn.monthsOnce.Do(func() {
		sn.months, sn.monthsErr = s.readMonths(ctx, s.source(sn.today), sn.today, sn.units)
	})
	return sn.months, sn.monthsErr
}

// readMonths reads the twelve statistical months before on; the
// statistics of communes merged by then count for their successor.
func (s *Server) readMonths(ctx context.Context, src *contract.Source, on time.Time, units []rules.Unit) ([]month, error) {
	cal := s.Config.Calendar()
	y, m, _ := cal.LastClosedMonth(on)
	var out []month
	for i := 11; i >= 0; i-- {
		r := cal.Month(y, m-time.Month(i))
		counts, err := src.Counts(ctx, r, on)
		if err != nil {
			return nil, err
		}
		out = append(out, month{r: r, counts: counts, base: rules.ComputeBaseline(units, counts)})
	}
	return out, nil
}

// cached is the page rendered for key, if the snapshot kept it.
func (sn *snapshot) cached(key string) *response {
	sn.pagesMu.Lock()
	defer sn.pagesMu.Unlock()
	if sn.pages == nil {
		return nil
	}
	if e, ok := sn.pages.index[key]; ok {
		sn.pages.order.MoveToFront(e)
		return e.Value.(*cachedPage).resp
	}
	return nil
}

type cachedPage struct {
	key  string
	resp *response
}

// pageCache keeps the most recently used rendered pages up to a number of
// bytes: the same page of the same snapshot is the same bytes, and a
// crawl of every filter only pushes the oldest out.
type pageCache struct {
	limit, size int
	order       *list.List // front: most recently used
	index       map[string]*list.Element
}

// keep remembers a rendered page within limit bytes (none when limit is
// 0).
func (sn *snapshot) keep(key string, r *response, limit int) {
	n := len(r.body) + len(key)
	if limit <= 0 || n > limit {
		return
	}
	sn.pagesMu.Lock()
	defer sn.pagesMu.Unlock()
	c := sn.pages
	if c == nil {
		c = &pageCache{limit: limit, order: list.New(), index: map[string]*list.Element{}}
		sn.pages = c
	}
	if _, ok := c.index[key]; ok {
		return
	}
	for c.size+n > c.limit {
		old := c.order.Back()
		p := c.order.Remove(old).(*cachedPage)
		delete(c.index, p.key)
		c.size -= len(p.resp.body) + len(p.key)
	}
	c.index[key] = c.order.PushFront(&cachedPage{key: key, resp: r})
	c.size += n
}
