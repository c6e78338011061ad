package status_test

import (
	"bytes"
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/notify"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/status"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
	"chuyenhoa/synth"
)

// The tables every view has (lan-chay, tam-ngung and chi-tieu are the province's).
var tableNames = []string{"viec-can-lam", "dia-ban", "chi-tieu", "han", "de-xuat", "tai-phuc-tap", "canh-bao", "thu", "tam-ngung", "lan-chay"}

var (
	tagRe   = regexp.MustCompile(`(?s)<[^>]*>`)
	dropRe  = regexp.MustCompile(`(?is)<(style|script)[^>]*>.*?</(style|script)>`)
	attrRe  = regexp.MustCompile(`\b(?:title|placeholder|aria-label|alt|data-label)="([^"]*)"`)
	wordRe  = regexp.MustCompile(`[A-Za-z_]+`)
	keyRe   = regexp.MustCompile(`\b[a-z_]{2,}/[A-Za-z0-9]|\bxa:[A-Za-z0-9]`)
	hrefRe  = regexp.MustCompile(`href="(/[^"]*)"`)
	spaceRe = regexp.MustCompile(`\s+`)
)

// visible is the text a reader sees of a page: its text and the
// attributes a browser shows (a phone shows the data-label of every
// cell, a mouse the titles).
func visible(page string) string {
	page = dropRe.ReplaceAllString(page, " ")
	var b strings.Builder
	for _, m := range attrRe.FindAllStringSubmatch(page, -1) {
		b.WriteString(m[1] + " \n ")
	}
	b.WriteString(tagRe.ReplaceAllString(page, " "))
	return spaceRe.ReplaceAllString(html.UnescapeString(b.String()), " ")
}

// internalCodes are the words the service stores and a reader must never
// see: the finding kinds and states, the alert kinds, the jobs, the rules'
// statuses and deadline states, run and outbox statuses, indicator codes.
func internalCodes() map[string]bool {
	codes := map[string]bool{}
	add := func(ss ...string) {
		for _, s := range ss {
			codes[s] = true
		}
	}
	add(finding.Strings(finding.Jobs())...)
	add(finding.Strings(finding.AlertKinds())...)
	add(finding.Strings([]finding.Kind{finding.KindCandidate, finding.KindRelapse, finding.KindTarget, finding.KindDeadline, finding.KindCycleArea,
		finding.KindProposal, finding.KindProposalDeadline, finding.KindProjection, finding.KindDataError})...)
	add(finding.Strings([]finding.State{finding.Normal, finding.Relapsed, finding.TargetPending, finding.TargetMet, finding.TargetNotMet,
		finding.CycleOnTrack, finding.CycleBelow, finding.CycleAtRisk, finding.CycleNoData, finding.CycleAssessed,
		finding.ProposalAcceptable, finding.ProposalUnknownUnit, finding.ProposalOtherDistrict, finding.ProposalFailsGate, finding.ProposalExcludedNTM,
		finding.ProjectionNoData, finding.ProjectionMet, finding.ProjectionBelow, finding.Resolved,
		finding.ProblemNull, finding.ProblemNegative, finding.ProblemBadValue, finding.ProblemUnknownUnit, finding.ProblemUnknownOffence,
		finding.ProblemUnknownDistrict, finding.ProblemFutureDay, finding.ProblemDuplicate, finding.ProblemTwoDistricts, finding.ProblemEmptyDistrict,
		finding.ProblemSplit, finding.ProblemNoSuccessor, finding.ProblemNotWatched})...)
	add(finding.Strings([]rules.Status{rules.StatusProposed, rules.StatusCutByCap, rules.StatusExcludedNTM, rules.StatusBelowAverage})...)
	add(finding.Strings([]rules.DeadlineState{rules.DeadlinePending, rules.DeadlineUpcoming, rules.DeadlineDue, rules.DeadlineOverdue,
		rules.DeadlineEscalated, rules.DeadlineSubmitted, rules.DeadlineSubmittedLate})...)
	add(finding.Strings([]rules.IndicatorCode{rules.IndDetection, rules.IndSeriousDetection, rules.IndReportsHandled, rules.IndReoffending})...)
	add(store.RunOK, store.RunFailed, store.RunRunning, store.OutboxPending, store.OutboxSending, store.OutboxSent, store.OutboxFailed)
	add(string(finding.ActionLeftOut), string(finding.ActionCountedOnce), string(finding.ActionKept), finding.PassTarget, finding.StableTarget)
	add(string(rules.PeriodHalf1), string(rules.PeriodHalf2), "report_h1", "report_year", "plan")
	return codes
}

// leaks lists the internal codes and keys in a page's visible text.
func leaks(page string, codes map[string]bool) []string {
	text := visible(page)
	var out []string
	for _, w := range wordRe.FindAllString(text, -1) {
		if codes[w] && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	for _, k := range keyRe.FindAllString(text, -1) {
		out = append(out, "key "+k)
	}
	return out
}

// province loads ds, runs every recompute job with the notifier (so
// alerts open), then the 08:00 digest (so mail is queued) on 25/11/2026, and refuses one message.
func province(t *testing.T, s *store.Store, ds *store.Dataset, cfg *config.Config) func() time.Time {
	t.Helper()
	ctx := context.Background()
	if err := s.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC) }
	if len(cfg.Recipients.Province) == 0 {
		cfg.Recipients.Province = []string{"bcd138@congan.example.gov.vn"}
	}
	comp := &notify.Composer{Store: s, Config: cfg, Now: now}
	r := &jobs.Runner{Store: s, Config: cfg, Now: now, AfterFindings: comp.Hook}
	for _, j := range finding.RecomputeJobs() {
		if _, err := r.Run(ctx, j, period.Date(2026, 11, 25)); err != nil {
			t.Fatal(err)
		}
	}
	// The jobs only move alert states; the morning's digest queues the mail.
	if _, err := comp.Dispatch(ctx, notify.SlotsOf(cfg).Latest(now())); err != nil {
		t.Fatal(err)
	}
	ms, err := s.Outbox(ctx, 1)
	if err != nil || len(ms) == 0 {
		t.Fatalf("no mail queued: %v", err)
	}
	if err := s.MarkFailed(ctx, ms[0].ID, "550 5.1.1 mailbox unavailable"); err != nil {
		t.Fatal(err)
	}
	return now
}

// crawl fetches path and every page it links to on the server, once each,
// with the view's token, and returns the bodies by path.
func crawl(t *testing.T, h http.Handler, start []string, token string, limit int) map[string]string {
	t.Helper()
	if testing.Short() {
		// The race detector's pass (.ci/run) runs -short: the pages the
		// start list names and what they link to first, not the whole
		// site, which the plain pass crawls.
		limit = min(limit, len(start)+150)
	}
	pages := map[string]string{}
	queue := slices.Clone(start)
	for len(queue) > 0 && len(pages) < limit {
		p := queue[0]
		queue = queue[1:]
		p = strings.ReplaceAll(html.UnescapeString(p), "&amp;", "&")
		if _, ok := pages[p]; ok {
			continue
		}
		u := p
		if token != "" && !strings.Contains(u, "t=") {
			u += map[bool]string{true: "&", false: "?"}[strings.Contains(u, "?")] + "t=" + token
		}
		req := httptest.NewRequest("GET", u, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Errorf("GET %s = %d: %s", u, rec.Code, visible(rec.Body.String()))
			pages[p] = ""
			continue
		}
		body := rec.Body.String()
		if strings.HasSuffix(strings.SplitN(p, "?", 2)[0], ".xlsx") {
			body = workbookText(t, rec.Body.Bytes())
		}
		pages[p] = body
		if isDownload(p) {
			continue
		}
		for _, m := range hrefRe.FindAllStringSubmatch(body, -1) {
			link := html.UnescapeString(m[1])
			if i := strings.Index(link, "#"); i >= 0 {
				link = link[:i]
			}
			if token != "" { // the crawl adds it back
				link = regexp.MustCompile(`[?&]t=[^&]*`).ReplaceAllString(link, "")
			}
			// Every filtered view links its workbook; the start list
			// fetches each table's, and building them all is the slowest
			// part of a crawl.
			if link != "" && !strings.HasSuffix(strings.SplitN(link, "?", 2)[0], ".xlsx") {
				queue = append(queue, link)
			}
		}
	}
	return pages
}

// No page, table page, CSV or commune page shows an internal code or key:
// a district province and one without districts, with refused mail and
// the reform's merged communes.
func TestNoInternalCodeOnAnyPage(t *testing.T) {
	codes := internalCodes()
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		for _, c := range []struct {
			name     string
			grouping string
			ds       *store.Dataset
		}{
			{"districts", config.GroupingAuto, synth.Province(67, synth.Options{Districts: 6, Units: 60, FromYear: 2021, ToYear: 2026, Today: period.Date(2026, 11, 25)})},
			{"no districts", config.GroupingNone, synth.Province(68, synth.Options{Districts: 3, Units: 30, FromYear: 2023, ToYear: 2026, Today: period.Date(2026, 11, 25)})},
		} {
			t.Run(c.name, func(t *testing.T) {
				cfg := config.Default()
				cfg.Grouping = c.grouping
				st := s
				if c.name != "districts" {
					st = storetest.Open(t, "sqlite:"+filepath.Join(t.TempDir(), "none.db"), true)
				}
				now := province(t, st, c.ds, cfg)
				h := (&status.Server{Store: st, Config: cfg, Now: now}).Handler()
				start := []string{"/"}
				for _, n := range tableNames {
					start = append(start, "/bang/"+n, "/bang/"+n+".csv", "/bang/"+n+".xlsx")
				}
				pages := crawl(t, h, start, "", 2000)
				seen := map[string]bool{}
				for path, body := range pages {
					kind := strings.SplitN(strings.TrimPrefix(path, "/"), "/", 2)[0]
					seen[kind] = true
					if l := leaks(body, codes); len(l) > 0 {
						t.Errorf("%s shows internal codes %v", path, l)
					}
					if isDownload(path) {
						continue
					}
					// Every page says how recent its figures are, in
					// provincial time with the zone named.
					text := visible(body)
					for _, want := range []string{"Số liệu thống kê đến ngày 25/11/2026", "Lần chạy thành công gần nhất: 25/11/2026 08:00",
						"giờ Asia/Ho_Chi_Minh, UTC+07:00"} {
						if !strings.Contains(text, want) {
							t.Errorf("%s lacks %q", path, want)
						}
					}
				}
				for _, want := range []string{"", "bang", "don-vi", "xa"} {
					if !seen[want] {
						t.Errorf("the crawl reached no %q page (%d pages)", want, len(pages))
					}
				}
				// Alerts opened at 01:00 UTC read 08:00, provincial time.
				if alerts := visible(pages["/bang/canh-bao"]); !strings.Contains(alerts, "25/11/2026 08:00") || strings.Contains(alerts, "25/11/2026 01:00") {
					t.Errorf("the alerts' times are not in provincial time: %.400s", alerts)
				}
				if !strings.Contains(visible(pages["/bang/viec-can-lam"]), "Thư bị từ chối") {
					t.Error("the refused message is not among the things to do")
				}
				t.Logf("%d pages checked", len(pages))
			})
		}
	})
}

// The leak check itself finds what it must.
func TestLeakCheckFindsCodes(t *testing.T) {
	codes := internalCodes()
	for _, page := range []string{`<td>at_risk</td>`, `<td data-label="escalated">x</td>`, `<p>deadline/D03/plan/2026/D03X05</p>`,
		`<span title="overdue">Quá hạn</span>`, `<td>Gửi xa:D01X01</td>`} {
		if len(leaks(page, codes)) == 0 {
			t.Errorf("no leak found in %s", page)
		}
	}
	if l := leaks(`<style>.st-overdue{}</style><td class="st-overdue">Quá hạn</td><a href="/bang/han?tt=x">Hạn</a>`, codes); len(l) > 0 {
		t.Errorf("false leaks %v", l)
	}
}

// isDownload reports whether path is a table's CSV or XLSX download,
// which the crawl reads as text and does not follow.
func isDownload(path string) bool {
	p := strings.SplitN(path, "?", 2)[0]
	return strings.HasSuffix(p, ".csv") || strings.HasSuffix(p, ".xlsx")
}

// workbookText is every cell of an XLSX download, a line a row, so the
// crawl's checks read the workbook as they read a CSV.
func workbookText(t *testing.T, data []byte) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Errorf("not a workbook: %v", err)
		return ""
	}
	defer f.Close()
	var b strings.Builder
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Errorf("sheet %s: %v", sh, err)
		}
		for _, r := range rows {
			b.WriteString(strings.Join(r, ","))
			b.WriteByte('\n')
		}
	}
	return b.String()
}
