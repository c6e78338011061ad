// Package status serves the read-only web page the committees look at
// between emails, and where a digest's links land. It puts first what
// needs someone today (overdue and escalated obligations, relapses, areas
// at risk, refused mail), then the year's areas, the targets and the
// reports owed, then the proposal and the history; one page per committee
// and per commune, every table filtered, sorted, searched and downloaded
// as CSV on the server (see table). Server-rendered html/template and
// SVG; it works without JavaScript and prints.
//
// The pages read what the last runs stored, worded once per run (see
// snapshot), never a recompute per request; a bounded number of requests
// render at once.
//
// The provincial view asks for basic auth when it is configured. A
// committee's link (package links) opens that committee's view without an
// account: its own communes only, on every page and in every CSV.
package status

import (
	"bytes"
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/labels"
	"chuyenhoa/links"
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
	// User and Password, when both set, require HTTP basic auth for the
	// provincial view.
	User, Password string
	// LinkKey checks the committees' links; without it a link is refused.
	LinkKey []byte
	// MaxRenders bounds the requests answered at once (default: twice the
	// CPUs, at least 4); the others wait up to Queue (default 10s), then
	// are told the server is busy.
	MaxRenders int
	Queue      time.Duration
	// PageCache bounds the bytes of rendered pages kept per snapshot
	// (default 32 MiB; negative: none).
	PageCache int
	// Recheck is how often the store is asked whether a run finished
	// (default 2s): between checks the pages answer from what they read.
	Recheck time.Duration
	// Observe, when set, is told about refused logins and links and how
	// long each page took (ops.Metrics has these methods).
	Observe Observer

	once     sync.Once
	renders  chan struct{}
	mu       sync.Mutex
	cur      *snapshot
	building chan struct{} // closed when the build in flight ends
	checked  time.Time     // when the store's version was last read
	fails    map[string]failure
}

// Observer receives what the page counts.
type Observer interface {
	LoginFailed()
	LinkRefused(reason string)
	ObservePage(page string, took time.Duration)
}

type failure struct {
	n    int
	last time.Time
}

//go:embed templates/*.tmpl
var tmplFS embed.FS

var tmpl = template.Must(template.New("").Funcs(template.FuncMap{
	"date":      labels.Date,
	"num":       labels.Num,
	"percent":   labels.Percent,
	"cats":      labels.Categories,
	"areaCats":  labels.AreaCategories,
	"indicator": labels.Indicator,
	"threshold": labels.IndicatorThreshold,
	"value":     labels.IndicatorValue,
	"gap":       labels.IndicatorGap,
	"inc":       func(i int) int { return i + 1 },
}).ParseFS(tmplFS, "templates/*.tmpl"))

// scope is who is asking: the province (committee "") or the committee a
// link opened.
type scope struct {
	committee rules.Committee
	token     string
	until     time.Time
}

type scopeKey struct{}

func scopeOf(r *http.Request) scope {
	sc, _ := r.Context().Value(scopeKey{}).(scope)
	return sc
}

// Handler routes the pages; every route is GET only.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.page("overview", s.overview))
	mux.HandleFunc("GET /don-vi/{com}", s.page("committee", s.committee))
	mux.HandleFunc("GET /bang/{name}", s.page("table", s.table))
	mux.HandleFunc("GET /xa/{code}", s.page("commune", s.commune))
	// A district's page under the word users try first.
	mux.HandleFunc("GET /huyen/{code}", func(w http.ResponseWriter, r *http.Request) {
		u := links.CommitteePath(rules.DistrictCommittee(r.PathValue("code")))
		if r.URL.RawQuery != "" {
			u += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, u, http.StatusMovedPermanently)
	})
	return s.auth(mux)
}

// auth opens a committee's view for a valid link, asks the provincial
// view for its password, and refuses everything else without showing any
// of the page.
func (s *Server) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Referrer-Policy", "no-referrer") // links carry tokens
		if tok := r.URL.Query().Get(links.Param); tok != "" {
			c, until, err := links.Verify(s.LinkKey, tok, s.now())
			if err != nil {
				reason := "invalid"
				if errors.Is(err, links.ErrExpired) {
					reason = "expired"
				}
				s.log().Warn("status page: link refused", "reason", reason, "remote", r.RemoteAddr)
				if s.Observe != nil {
					s.Observe.LinkRefused(reason)
				}
				s.message(w, http.StatusForbidden, labels.PageLinkRefused+s.Config.Bodies.Province+".")
				return
			}
			ctx := context.WithValue(r.Context(), scopeKey{}, scope{committee: c, token: tok, until: until})
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		if s.User == "" || s.Password == "" {
			next.ServeHTTP(w, r)
			return
		}
		u, p, ok := r.BasicAuth()
		if ok && subtle.ConstantTimeCompare([]byte(u), []byte(s.User)) == 1 && subtle.ConstantTimeCompare([]byte(p), []byte(s.Password)) == 1 {
			s.loginOK(r)
			next.ServeHTTP(w, r)
			return
		}
		if ok { // credentials given, and wrong: a browser's first request gives none
			s.loginFailed(r, u)
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="chuyenhoa", charset="UTF-8"`)
		http.Error(w, labels.PageLoginRequired, http.StatusUnauthorized)
	})
}

// failureWindow is how long a client's failed logins are remembered.
const failureWindow = 15 * time.Minute

func remoteHost(r *http.Request) string {
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return h
}

// loginFailed logs and counts a refused login and answers it late: half
// a second after the first failure, twice as long after each next one
// from the same address within failureWindow, at most ten seconds, so a
// password cannot be guessed at speed.
func (s *Server) loginFailed(r *http.Request, user string) {
	host := remoteHost(r)
	now := time.Now()
	s.mu.Lock()
	if s.fails == nil {
		s.fails = map[string]failure{}
	}
	f := s.fails[host]
	if now.Sub(f.last) > failureWindow {
		f = failure{}
	}
	f.n++
	f.last = now
	s.fails[host] = f
	if len(s.fails) > 10000 {
		for k, v := range s.fails {
			if now.Sub(v.last) > failureWindow {
				delete(s.fails, k)
			}
		}
	}
	s.mu.Unlock()
	delay := min(500*time.Millisecond<<min(f.n-1, 5), 10*time.Second)
	s.log().Warn("status page: login refused", "remote", host, "user", user, "failures", f.n, "delay", delay.String())
	if s.Observe != nil {
		s.Observe.LoginFailed()
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

func (s *Server) loginOK(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fails != nil {
		delete(s.fails, remoteHost(r))
	}
}

// page wraps a page: at most MaxRenders at once, rendered into a buffer
// (a slow reader does not hold a slot), timed.
func (s *Server) page(name string, fn func(w *response, r *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		s.once.Do(s.init)
		wait := time.NewTimer(s.queue())
		defer wait.Stop()
		select {
		case s.renders <- struct{}{}:
		case <-wait.C:
			w.Header().Set("Retry-After", "5")
			s.message(w, http.StatusServiceUnavailable, labels.PageBusy)
			return
		case <-r.Context().Done():
			return
		}
		if h, ok := r.Context().Value(holdKey{}).(hold); ok {
			close(h.entered)
			<-h.release
		}
		sn, stale, err := s.snapshot(r.Context())
		var resp *response
		key := cacheKey(r)
		switch {
		case err != nil:
			resp = &response{header: http.Header{}}
			s.log().Error("status page", "err", err)
			s.messagePage(resp, http.StatusServiceUnavailable, labels.PageDBUnreachable(err))
		case stale == nil:
			resp = sn.cached(key)
		}
		if resp == nil {
			resp = &response{header: http.Header{}, code: http.StatusOK}
			ctx := context.WithValue(r.Context(), snapKey{}, snapAt{sn, stale})
			fn(resp, r.WithContext(ctx))
			if stale == nil && resp.code == http.StatusOK {
				sn.keep(key, resp, s.cacheBytes())
			}
		}
		<-s.renders
		for k, v := range resp.header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.code)
		_, _ = w.Write(resp.body)
		if s.Observe != nil {
			s.Observe.ObservePage(name, time.Since(start))
		}
	}
}

// hold keeps a render slot until release, for the test of the limit.
type hold struct{ entered, release chan struct{} }

type holdKey struct{}

// response is a page rendered in memory.
type response struct {
	header http.Header
	code   int
	body   []byte
}

func (w *response) Write(b []byte) (int, error) {
	w.body = append(w.body, b...)
	return len(b), nil
}

// snapAt is the snapshot a request is answered from, with the error that
// kept it from being checked.
type snapAt struct {
	sn    *snapshot
	stale error
}

type snapKey struct{}

func (s *Server) init() {
	n := s.MaxRenders
	if n <= 0 {
		n = max(4, 2*runtime.GOMAXPROCS(0))
	}
	s.renders = make(chan struct{}, n)
}

func (s *Server) cacheBytes() int {
	switch {
	case s.PageCache < 0:
		return 0
	case s.PageCache == 0:
		return 32 << 20
	}
	return s.PageCache
}

// cacheKey names what a request asks for: its path and the parameters
// the pages read (the token among them: it is the scope), so that an
// unknown parameter cannot make every request a new page.
func cacheKey(r *http.Request) string {
	q := r.URL.Query()
	v := url.Values{}
	for _, k := range []string{"don-vi", "tt", "loai", "q", "sx", "trang", links.Param} {
		if x, ok := q[k]; ok {
			v[k] = x
		}
	}
	return r.URL.Path + "?" + v.Encode()
}

func (s *Server) recheck() time.Duration {
	if s.Recheck > 0 {
		return s.Recheck
	}
	return 2 * time.Second
}

func (s *Server) queue() time.Duration {
	if s.Queue > 0 {
		return s.Queue
	}
	return 10 * time.Second
}

const csp = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'"

func (s *Server) render(w *response, name string, data any) {
	w.header.Set("Content-Type", "text/html; charset=utf-8")
	w.header.Set("Content-Security-Policy", csp)
	w.header.Set("Cache-Control", "no-store")
	if err := tmpl.ExecuteTemplate(w, name, data); err != nil {
		s.log().Error("render status page", "page", name, "err", err)
		w.body = []byte(labels.PageReadFailed(err))
		w.code = http.StatusInternalServerError
	}
}

// message answers with a page that says msg and shows nothing else.
func (s *Server) message(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", csp)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	var b bytes.Buffer
	if err := tmpl.ExecuteTemplate(&b, "message.tmpl", messageData{Province: s.Config.Province.Name, Message: msg}); err != nil {
		s.log().Error("render status message", "err", err)
	}
	_, _ = w.Write(b.Bytes())
}

type messageData struct{ Province, Message string }

func (s *Server) messagePage(w *response, code int, msg string) {
	w.code = code
	s.render(w, "message.tmpl", messageData{Province: s.Config.Province.Name, Message: msg})
}

// snapshot returns what the pages show: the current snapshot, checked
// against the store at most every Recheck. When the store has changed a
// new one is read in the background and the current one answers until it
// is complete; only the very first request waits for it. stale is the
// error that kept the snapshot from being checked (the database is
// unreachable): the page then says so over the figures read before.
func (s *Server) snapshot(ctx context.Context) (sn *snapshot, stale error, err error) {
	today := s.today()
	s.mu.Lock()
	if s.cur != nil && s.cur.today.Equal(today) && time.Since(s.checked) < s.recheck() {
		defer s.mu.Unlock()
		return s.cur, nil, nil
	}
	s.mu.Unlock()
	v, verr := s.Store.PageVersion(ctx)
	s.mu.Lock()
	if verr == nil {
		s.checked = time.Now()
	}
	cur, building := s.cur, s.building
	if verr != nil {
		s.mu.Unlock()
		if cur != nil {
			return cur, verr, nil
		}
		return nil, nil, verr
	}
	if cur != nil && cur.version.Runs == v.Runs && cur.version.LastOK.Equal(v.LastOK) && cur.version.FailedMail == v.FailedMail &&
		cur.version.SentMail == v.SentMail && cur.version.Silences == v.Silences && cur.version.SilencesExpired == v.SilencesExpired && cur.today.Equal(today) {
		s.mu.Unlock()
		return cur, nil, nil
	}
	if building == nil {
		building = make(chan struct{})
		s.building = building
		go s.rebuild(v, building)
	}
	s.mu.Unlock()
	if cur != nil {
		return cur, nil, nil // until the new one is complete
	}
	select {
	case <-building:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil {
		return nil, nil, errors.New(labels.PageNotBuilt)
	}
	return s.cur, nil, nil
}

// rebuild reads a new snapshot for version v, detached from the request
// that noticed the change (the others may wait for it too).
func (s *Server) rebuild(v store.Version, done chan struct{}) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	sn, err := s.build(ctx, v)
	if err == nil {
		// The commune pages' months too, before the snapshot is shown:
		// until then the pages answer from the previous one.
		_, err = s.loadMonths(ctx, sn)
	}
	s.mu.Lock()
	if err != nil {
		s.log().Error("status page: read the stored results", "err", err)
	} else {
		s.cur = sn
		s.log().Debug("status page: results read", "took", time.Since(start).String())
	}
	s.building = nil
	close(done)
	s.mu.Unlock()
}

func (s *Server) today() time.Time { return period.Day(s.now(), s.Config.Location()) }

// view starts a page: the snapshot, who asks, and the header every page
// carries. ok is false when the answer has been written.
func (s *Server) view(w *response, r *http.Request) (*snapshot, *PageData, bool) {
	at, _ := r.Context().Value(snapKey{}).(snapAt)
	sn, stale := at.sn, at.stale
	sc := scopeOf(r)
	p := &PageData{Province: s.Config.Province.Name, Nav: nav{token: sc.token}}
	zone := labels.Zone(sn.loc, sn.read)
	p.Meta.Zone = zone
	p.Meta.Today = labels.Date(sn.today)
	p.Meta.StatsReach = labels.PageNoStatsYet
	if !sn.statsReach.IsZero() {
		p.Meta.StatsReach = labels.Date(sn.statsReach)
	}
	p.Meta.LastRun = labels.PageNeverRun
	if !sn.version.LastOK.IsZero() {
		p.Meta.LastRun = labels.DateTime(sn.version.LastOK.In(sn.loc))
	}
	if stale != nil {
		p.Meta.Warning = labels.PageStale(stale, labels.DateTime(sn.read.In(sn.loc)), zone)
	}
	p.Meta.NoRuns, p.Meta.NoUnits = sn.noRuns, sn.noUnits
	if !sc.committee.IsProvince() {
		p.Scoped = true
		p.Meta.Scope = labels.PageScope(sn.dir.Committee(sc.committee), labels.DateTime(sc.until.In(sn.loc)))
		p.Home = links.CommitteePath(sc.committee)
	} else {
		p.Home = "/"
	}
	return sn, p, true
}

// PageData is what every page's header needs.
type PageData struct {
	Title    string
	Province string
	Meta     struct {
		Today, StatsReach, LastRun, Zone, Warning, Scope string
		NoRuns, NoUnits                                  bool
	}
	Nav    nav
	Home   string
	Scoped bool
}

// nav makes the page's links: in a committee's view each carries its
// token, so the view stays the committee's from page to page.
type nav struct{ token string }

// URL is path (which may hold a query) with the view's token.
func (n nav) URL(path string) string {
	if n.token == "" || path == "" {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + links.Param + "=" + url.QueryEscape(n.token)
}

// Token is the view's token, for the filter forms.
func (n nav) Token() string { return n.token }

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
