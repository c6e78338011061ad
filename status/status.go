// Package status serves the read-only web page the provincial committee
// looks at between emails: this year's proposal and selected areas, target
// progress, the deadline board, the relapse watchlist with the open alerts,
// and one page per commune. Server-rendered html/template and SVG; it works
// without JavaScript.
package status

import (
	"context"
	"crypto/subtle"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"sort"
	"time"

	"chuyenhoa/chart"
	"chuyenhoa/config"
	"chuyenhoa/contract"
	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/labels"
	"chuyenhoa/names"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// Server renders the status pages from the store.
type Server struct {
	Store  *store.Store
	Config *config.Config
	Log    *slog.Logger
	Now    func() time.Time
	// User and Password, when both set, require HTTP basic auth.
	User, Password string
}

//go:embed templates/*.tmpl
var tmplFS embed.FS

var tmpl = template.Must(template.New("").Funcs(template.FuncMap{
	"date":     labels.Date,
	"num":      labels.Num,
	"percent":  labels.Percent,
	"cats":     labels.Categories,
	"category": labels.Category,
	"status":   labels.Status,
}).ParseFS(tmplFS, "templates/*.tmpl"))

// Handler routes the pages; every route is GET only.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.overview)
	mux.HandleFunc("GET /xa/{code}", s.commune)
	if s.User == "" || s.Password == "" {
		return mux
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(u), []byte(s.User)) != 1 || subtle.ConstantTimeCompare([]byte(p), []byte(s.Password)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="chuyenhoa", charset="UTF-8"`)
			http.Error(w, labels.PageLoginRequired, http.StatusUnauthorized)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func (s *Server) render(w http.ResponseWriter, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:")
	if err := tmpl.ExecuteTemplate(w, name, data); err != nil {
		s.log().Error("render status page", "page", name, "err", err)
	}
}

func (s *Server) fail(w http.ResponseWriter, err error) {
	s.log().Error("status page", "err", err)
	http.Error(w, labels.PageReadFailed(err), http.StatusInternalServerError)
}

// candidateRow is a stored candidate finding with its reason and district
// spelled out.
type candidateRow struct {
	finding.CandidateItem
	Reason   string
	District string
}

// areaRow is one selected area of the year with where it stands.
type areaRow struct {
	Unit, Name, District string
	Categories           []rules.Category
	DecidedOn            time.Time
	Stage                string
	Plan                 string // deadline state of its transformation plan
}

type boardCell struct {
	State, Label, Title string
	severity            int // of State: the worst instance fills the cell
}

type boardRow struct {
	Committee string // a district by its name, a commune by its body's name
	Cells     []boardCell
}

type alertRow struct {
	Committee, Key       string
	Kind                 finding.AlertKind
	State                finding.State
	OpenedAt, NotifiedAt time.Time
}

type relapseRow struct {
	Unit, Name, District string
	Year                 int
	Categories           []rules.Category
	Again                []rules.Category // the categories it is complex again in
	Relapsed             bool
	Since                time.Time
	Count                int
	ProvinceAvg          float64
	DistrictAvg          float64
	HasDistrict          bool // checked against its district's average too
}

type overviewData struct {
	Province string
	// Grouped is set while the province works through districts: the
	// tables then name each area's district and the board its committee.
	// The candidates' and relapses' own flags say whether any row quotes
	// a district average.
	Grouped, CandidatesGrouped, RelapsesGrouped bool
	Bodies                                      labels.Bodies
	Today                                       time.Time
	Year                                        int
	Reference                                   period.Range
	Cap, Total                                  int
	Candidates                                  []candidateRow
	Below                                       int
	Areas                                       []areaRow
	Targets                                     []rules.Progress
	TargetChart                                 template.HTML
	TargetPct                                   [2]int
	Obligations                                 []string
	Board                                       []boardRow
	Relapses                                    []relapseRow
	Alerts                                      []alertRow
	LastRuns                                    []store.JobRun
	UpdatedNever                                bool
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request) {
	d, err := s.loadOverview(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	s.render(w, "overview.tmpl", d)
}

func (s *Server) loadOverview(ctx context.Context) (*overviewData, error) {
	cfg := s.Config
	dir, err := s.directory(ctx)
	if err != nil {
		return nil, err
	}
	d := &overviewData{
		Province:  cfg.Province.Name,
		Today:     period.Day(s.now(), cfg.Location()),
		TargetPct: [2]int{cfg.Targets.TransformedPercent, cfg.Targets.StablePercent},
		Bodies:    dir.Bodies(),
	}
	d.Grouped = dir.Grouped(d.Today)
	// Candidates: the latest proposal.
	_, fs, err := s.Store.LatestFindings(ctx, finding.JobCandidates)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		if f.Kind != finding.KindCandidate {
			continue // the run's data errors
		}
		item, err := finding.Decode[finding.CandidateItem](f.Kind, f.Payload)
		if err != nil {
			return nil, fmt.Errorf("decode candidate %s: %w", f.Key, err)
		}
		c := candidateRow{CandidateItem: item}
		d.Year, d.Reference, d.Cap, d.Total = c.Year, c.Reference, c.Cap, c.TotalUnits
		if c.Status == rules.StatusBelowAverage {
			d.Below++
			continue
		}
		c.Reason = dir.Bodies().Reason(c.Candidate, c.TotalUnits, cfg.Selection.CapPercent, c.Cap)
		c.District = dir.District(c.Unit.District)
		d.CandidatesGrouped = d.CandidatesGrouped || c.HasDistrict
		d.Candidates = append(d.Candidates, c)
	}
	sort.SliceStable(d.Candidates, func(i, j int) bool { return candidateOrder(d.Candidates[i]) < candidateOrder(d.Candidates[j]) })
	if d.Year == 0 {
		d.Year = d.Today.Year()
	}
	// Deadlines, latest day.
	_, dls, err := s.Store.LatestFindings(ctx, finding.JobDeadlines)
	if err != nil {
		return nil, err
	}
	plans := map[string]rules.DeadlineState{}
	board := map[string]map[string]boardCell{}
	for _, o := range cfg.Obligations {
		d.Obligations = append(d.Obligations, o.Name)
	}
	for _, f := range dls {
		if f.Kind != finding.KindDeadline {
			continue // the run's data errors
		}
		dl, err := finding.Decode[rules.Deadline](f.Kind, f.Payload)
		if err != nil {
			return nil, fmt.Errorf("decode deadline %s: %w", f.Key, err)
		}
		if dl.Year != d.Year {
			continue
		}
		if dl.Unit != "" {
			plans[dl.Unit] = f.State.Deadline()
		}
		com := dl.Committee.String()
		row := board[com]
		if row == nil {
			row = map[string]boardCell{}
			board[com] = row
		}
		// A committee's cell shows its worst instance of the obligation.
		sev := severity[f.State.Deadline()]
		if cur, ok := row[dl.Obligation.Name]; !ok || sev > cur.severity {
			row[dl.Obligation.Name] = boardCell{State: string(f.State), Label: dir.Bodies().Deadline(dl.State),
				Title: labels.BoardTitle(dl.Obligation.Name, dl.Period, dl.Due), severity: sev}
		}
	}
	for _, code := range sortedKeys(board) {
		row := boardRow{Committee: dir.Owner(rules.ParseCommittee(code))}
		for _, o := range d.Obligations {
			c, ok := board[code][o]
			if !ok {
				c = boardCell{State: "none", Label: labels.None}
			}
			row.Cells = append(row.Cells, c)
		}
		d.Board = append(d.Board, row)
	}
	// Selected areas of the year, as the communes of today hold them: an
	// area selected on a commune that merged is its successor's.
	src := (&jobs.Runner{Store: s.Store, Config: cfg, Now: s.Now}).Source(d.Today)
	sel, err := src.Selections(ctx, d.Today)
	if err != nil {
		return nil, err
	}
	as, err := src.Assessments(ctx, d.Today)
	if err != nil {
		return nil, err
	}
	states, err := src.RelapseStates(ctx, d.Today)
	if err != nil {
		return nil, err
	}
	assessed := map[rules.AreaKey]rules.Assessment{}
	for _, a := range as {
		assessed[rules.AreaKey{Unit: a.Unit, Year: a.Year}] = a
	}
	for _, x := range rules.GroupSelections(sel) {
		if x.Year != d.Year {
			continue
		}
		u, _ := dir.Unit(x.Unit)
		stage := rules.StageInProgress
		if a, ok := assessed[rules.AreaKey{Unit: x.Unit, Year: x.Year}]; ok {
			stage = rules.StageNotTransformed
			if a.Transformed {
				stage = rules.StageWatched // or stable: the page does not tell them apart
				if st, ok := states[rules.AreaKey{Unit: x.Unit, Year: x.Year}]; ok && st.Relapsed {
					stage = rules.StageRelapsed
				}
			}
		}
		row := areaRow{Unit: x.Unit, Name: u.Name, District: dir.District(u.District), Categories: x.Categories, DecidedOn: x.DecidedOn, Stage: labels.StageShort(stage)}
		if p, ok := plans[x.Unit]; ok {
			row.Plan = dir.Bodies().Deadline(p)
		}
		d.Areas = append(d.Areas, row)
	}
	// Relapse watchlist and targets.
	_, rel, err := s.Store.LatestFindings(ctx, finding.JobRelapse)
	if err != nil {
		return nil, err
	}
	for _, f := range rel {
		switch f.Kind {
		case finding.KindTarget:
			p, err := finding.Decode[rules.Progress](f.Kind, f.Payload)
			if err != nil {
				return nil, fmt.Errorf("decode target %s: %w", f.Key, err)
			}
			d.Targets = append(d.Targets, p)
		case finding.KindRelapse:
			it, err := finding.Decode[finding.RelapseItem](f.Kind, f.Payload)
			if err != nil {
				return nil, fmt.Errorf("decode relapse %s: %w", f.Key, err)
			}
			u, _ := dir.Unit(it.Area.Unit)
			owner := it.Committee
			if owner.IsProvince() {
				owner = dir.CommitteeOf(it.Area.Unit) // stored before payloads named it
			}
			grouped := owner.Level == rules.LevelDistrict
			d.RelapsesGrouped = d.RelapsesGrouped || grouped
			d.Relapses = append(d.Relapses, relapseRow{Unit: it.Area.Unit, Name: u.Name, District: dir.District(u.District),
				Year: it.Area.Year, Categories: it.Area.Categories, Again: it.ComplexAgain(), Relapsed: it.Relapsed, Since: it.Since,
				Count: it.Counts.SocialOrder, ProvinceAvg: it.ProvinceAvg, DistrictAvg: it.DistrictAvg, HasDistrict: grouped})
		}
	}
	sort.SliceStable(d.Relapses, func(i, j int) bool { return d.Relapses[i].Relapsed && !d.Relapses[j].Relapsed })
	sort.Slice(d.Targets, func(i, j int) bool { return d.Targets[i].Year < d.Targets[j].Year })
	d.TargetChart = chart.Targets(d.Targets, d.TargetPct[0], d.TargetPct[1])
	// Open alerts with when each was last mailed.
	open, err := s.Store.OpenAlerts(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range open {
		com := dir.Owner(rules.ParseCommittee(a.Committee))
		d.Alerts = append(d.Alerts, alertRow{Committee: com, Kind: a.Kind, Key: a.Key, State: a.State, OpenedAt: a.OpenedAt, NotifiedAt: a.NotifiedAt})
	}
	if d.LastRuns, err = s.Store.Runs(ctx, "", 8); err != nil {
		return nil, err
	}
	d.UpdatedNever = len(d.LastRuns) == 0
	return d, nil
}

// severity ranks the deadline states by urgency, for the board.
var severity = map[rules.DeadlineState]int{
	rules.DeadlinePending: 0, rules.DeadlineSubmitted: 1, rules.DeadlineSubmittedLate: 2,
	rules.DeadlineUpcoming: 3, rules.DeadlineDue: 4, rules.DeadlineOverdue: 5, rules.DeadlineEscalated: 6,
}

func candidateOrder(c candidateRow) string {
	rank := map[rules.Status]string{rules.StatusProposed: "0", rules.StatusCutByCap: "1", rules.StatusExcludedNTM: "2"}[c.Status]
	return fmt.Sprintf("%s%06d%s", rank, c.Rank, c.Unit.Code)
}

type communeData struct {
	Province string
	Unit     rules.Unit
	// Committee names the body responsible for the commune; District its
	// district, when it has one on the page's day (HasDistrict: then its
	// average is shown).
	Committee   string
	District    string
	HasDistrict bool
	LevelAvg    string
	// Merged names the communes whose territory this one holds; Succeeded
	// says, for a commune that has ended, which one holds it now.
	Merged, Succeeded string
	on                time.Time // the day the page is computed for
	Chart             template.HTML
	Months            []monthRow
	Selections        []rules.Selection
	Assessments       []rules.Assessment
}

type monthRow struct {
	Label       string
	Counts      rules.Counts
	ProvinceAvg float64
	DistrictAvg float64
}

// commune shows one commune's last twelve statistical months by category
// against the province's and its district's averages.
func (s *Server) commune(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	code := r.PathValue("code")
	dir, err := s.directory(ctx)
	if err != nil {
		s.fail(w, err)
		return
	}
	u, ok := dir.Unit(code)
	if !ok {
		http.Error(w, labels.PageNoCommune(code), http.StatusNotFound)
		return
	}
	cfg := s.Config
	cal := cfg.Calendar()
	today := period.Day(s.now(), cfg.Location())
	src := (&jobs.Runner{Store: s.Store, Config: cfg, Now: s.Now}).Source(today)
	d, err := s.communeData(ctx, src, dir, u, today)
	if err != nil {
		s.fail(w, err)
		return
	}
	y, m, _ := cal.LastClosedMonth(d.on)
	units, err := src.Units(ctx, d.on)
	if err != nil {
		s.fail(w, err)
		return
	}
	// Its district of the day: none once districts are abolished.
	district := ""
	for _, v := range units {
		if v.Code == code {
			district = v.District
		}
	}
	d.District = dir.District(district)
	owner := rules.CommitteeOf(cfg.Grouped(), rules.Unit{Code: code, District: district})
	d.Committee, d.HasDistrict, d.LevelAvg = dir.Committee(owner), owner.Level == rules.LevelDistrict, dir.Bodies().LevelAvg()
	legend := ""
	if d.HasDistrict {
		legend = d.LevelAvg
	}
	var pts []chart.Point
	for i := 11; i >= 0; i-- {
		r := cal.Month(y, m-time.Month(i))
		// Statistics of the communes merged into this one count for it.
		counts, err := src.Counts(ctx, r, d.on)
		if err != nil {
			s.fail(w, err)
			return
		}
		b := rules.ComputeBaseline(units, counts)
		label := labels.Month(r.To)
		row := monthRow{Label: label, Counts: counts[code], ProvinceAvg: b.Province.Avg, DistrictAvg: b.Districts[district].Avg}
		d.Months = append(d.Months, row)
		pts = append(pts, chart.Point{Label: label, Count: row.Counts.SocialOrder, ProvinceAvg: row.ProvinceAvg, DistrictAvg: row.DistrictAvg})
	}
	d.Chart = chart.Series(pts, legend)
	sel, err := src.Selections(ctx, d.on)
	if err != nil {
		s.fail(w, err)
		return
	}
	for _, x := range sel {
		if x.Unit == code {
			d.Selections = append(d.Selections, x)
		}
	}
	as, err := src.Assessments(ctx, d.on)
	if err != nil {
		s.fail(w, err)
		return
	}
	for _, a := range as {
		if a.Unit == code {
			d.Assessments = append(d.Assessments, a)
		}
	}
	s.render(w, "commune.tmpl", d)
}

// communeData starts the page of u: a commune of today is shown today,
// with the communes merged into it; one that has ended as it was on its
// last day, with the commune that holds its territory now.
func (s *Server) communeData(ctx context.Context, src *contract.Source, dir *names.Directory, u rules.Unit, today time.Time) (*communeData, error) {
	d := &communeData{Province: s.Config.Province.Name, Unit: u, on: today}
	terr, err := src.Territory(ctx)
	if err != nil {
		return nil, err
	}
	if !terr.ValidOn(u.Code, today) {
		all, err := src.AllUnits(ctx)
		if err != nil {
			return nil, err
		}
		var last time.Time
		for _, r := range all {
			if r.Code == u.Code && !r.ValidTo.IsZero() && r.ValidTo.Before(today) && r.ValidTo.After(last) {
				last = r.ValidTo
			}
		}
		if !last.IsZero() {
			d.on = last
			if res := terr.Resolve(u.Code, today); res.Found() {
				d.Succeeded = labels.PageSucceeded(dir.UnitName(res.Code), last)
			}
		}
	}
	var merged []string
	for _, c := range terr.Predecessors(u.Code, d.on) {
		if c != u.Code {
			merged = append(merged, dir.UnitName(c))
		}
	}
	if len(merged) > 0 {
		d.Merged = labels.PageMerged(merged)
	}
	return d, nil
}

func (s *Server) directory(ctx context.Context) (*names.Directory, error) {
	return names.Load(ctx, s.Store, s.Config.Bodies, s.Config.Grouped())
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}
