package status_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/links"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/status"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
	"chuyenhoa/synth"
)

var linkKey = []byte("a key of thirty-two bytes or more, for tests")

// A district's link opens its own communes only: no page, table or CSV of
// its view names another district's commune, or another committee, and
// it cannot reach them by changing the address. An expired or forged
// token shows nothing but the refusal.
func TestCommitteeLinkShowsOnlyItsCommunes(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ds := synth.Province(67, synth.Options{Districts: 6, Units: 60, FromYear: 2021, ToYear: 2026, Today: period.Date(2026, 11, 25)})
		cfg := config.Default()
		now := province(t, s, ds, cfg)
		srv := &status.Server{Store: s, Config: cfg, Now: now, LinkKey: linkKey, User: "bcd138", Password: "mật khẩu"}
		h := srv.Handler()
		b := links.New("https://bcd138.example.gov.vn", linkKey, 72*time.Hour, now)

		// The district with the most to show: the owner of the first
		// thing to do.
		own := map[string]bool{}
		var district string
		for _, u := range ds.Units {
			if district == "" && u.District != "" {
				district = u.District
			}
		}
		for _, x := range ds.Selections {
			for _, u := range ds.Units {
				if u.Code == x.Unit && x.Year == 2026 {
					district = u.District
				}
			}
		}
		for _, u := range ds.Units {
			if u.District == district {
				own[u.Code] = true
			}
		}
		c := rules.DistrictCommittee(district)
		token := tokenOf(t, b.Overview(c))
		others := []string{}
		for _, u := range ds.Units {
			if !own[u.Code] {
				others = append(others, u.Code, u.Name)
			}
		}
		for _, d := range ds.Districts {
			if d.Code != district {
				others = append(others, d.Name)
			}
		}
		start := []string{"/", "/don-vi/" + district}
		for _, n := range tableNames {
			if n != "chi-tieu" && n != "lan-chay" && n != "tam-ngung" { // the province's
				start = append(start, "/bang/"+n, "/bang/"+n+".csv", "/bang/"+n+".csv?don-vi=D99", "/bang/"+n+".xlsx?don-vi=D99")
			}
		}
		for code := range own {
			start = append(start, "/xa/"+code)
		}
		pages := crawl(t, h, start, token, 2000)
		var ownShown int
		for path, body := range pages {
			text := visible(body)
			if isDownload(path) {
				text = body
			}
			for _, o := range others {
				if containsWord(text, o) {
					t.Errorf("%s in %s's view names %q", path, district, o)
				}
			}
			for code := range own {
				if strings.Contains(text, code) {
					ownShown++
					break
				}
			}
		}
		if ownShown < len(own) {
			t.Errorf("only %d of the view's %d pages name its own communes", ownShown, len(pages))
		}
		if len(pages) < 20 {
			t.Errorf("the view has %d pages: the crawl did not get far", len(pages))
		}
		// Another district's commune and committee page, the province's
		// tables, are refused without their names.
		for _, path := range []string{"/xa/" + others[0], "/don-vi/D99", "/bang/lan-chay", "/bang/chi-tieu.csv"} {
			code, body := get(t, h, path+"?t="+token)
			if code != http.StatusNotFound || containsWord(visible(body), others[1]) {
				t.Errorf("GET %s in %s's view = %d", path, district, code)
			}
		}
		// The provincial view still asks for its password; the link does
		// not open it.
		if code, _ := get(t, h, "/"); code != http.StatusUnauthorized {
			t.Errorf("GET / without a password = %d", code)
		}
		if code, body := get(t, h, "/", "bcd138", "mật khẩu"); code != 200 || !strings.Contains(body, others[len(others)-1]) {
			t.Errorf("the provincial view = %d, or lacks the other districts", code)
		}

		// Expired, forged, for another key: the refusal and nothing else.
		expired := links.Sign(linkKey, c, now().Add(-time.Second))
		forged := strings.Replace(token, token[len(token)-6:], "AAAAAA", 1)
		otherKey := links.Sign([]byte("another key of thirty-two bytes or more"), c, now().Add(time.Hour))
		for name, tok := range map[string]string{"expired": expired, "forged": forged, "other key": otherKey} {
			for _, path := range []string{"/", "/don-vi/" + district, "/xa/" + ds.Units[0].Code, "/bang/viec-can-lam.csv"} {
				code, body := get(t, h, path+"?t="+tok)
				text := visible(body)
				if code != http.StatusForbidden || !strings.Contains(text, "Liên kết không hợp lệ hoặc đã hết hạn") {
					t.Errorf("%s token: GET %s = %d: %s", name, path, code, text)
				}
				for _, u := range ds.Units {
					if strings.Contains(text, u.Code) {
						t.Errorf("%s token: GET %s shows %s", name, path, u.Code)
					}
				}
			}
		}
	})
}

// containsWord reports whether s holds w not as part of a longer name
// ("Xã An 1" is not in "Xã An 12").
func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		end := i + j + len(w)
		if end >= len(s) || !isNameChar(s[end]) {
			return true
		}
		i = end
	}
}

func isNameChar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

func tokenOf(t *testing.T, link string) string {
	t.Helper()
	_, tok, ok := strings.Cut(link, "?t=")
	if !ok {
		t.Fatalf("link %q has no token", link)
	}
	return tok
}

// An empty database says there is nothing yet instead of "no alerts"; an
// unreachable one says it cannot tell, or, when the page read it before,
// shows what it read under a warning.
func TestEmptyAndUnreachableDatabase(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		h := (&status.Server{Store: s, Config: config.Default()}).Handler()
		code, body := get(t, h, "/")
		text := visible(body)
		if code != 200 || !strings.Contains(text, "chưa nhập dữ liệu") || strings.Contains(text, "Không có cảnh báo đang mở") {
			t.Errorf("empty database: GET / = %d: %s", code, text)
		}
	})
	ctx := context.Background()
	dir := t.TempDir()
	s, err := store.Create(ctx, "sqlite:"+filepath.Join(dir, "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Load(ctx, synth.Province(67, synth.Options{Districts: 2, Units: 10, FromYear: 2025, ToYear: 2026, Today: period.Date(2026, 11, 25)})); err != nil {
		t.Fatal(err)
	}
	h := (&status.Server{Store: s, Config: config.Default(), Recheck: time.Nanosecond}).Handler()
	code, body := get(t, h, "/")
	if text := visible(body); code != 200 || !strings.Contains(text, "Chưa có lần chạy nào thành công") || strings.Contains(text, "Không có cảnh báo đang mở") {
		t.Errorf("no runs: GET / = %d: %s", code, text)
	}
	s.Close()
	code, body = get(t, h, "/")
	if text := visible(body); code != 200 || !strings.Contains(text, "Không đọc được cơ sở dữ liệu lúc này") {
		t.Errorf("closed after a read: GET / = %d: %s", code, text)
	}
	code, body = get(t, (&status.Server{Store: s, Config: config.Default()}).Handler(), "/")
	if text := visible(body); code != http.StatusServiceUnavailable || !strings.Contains(text, "Không đọc được cơ sở dữ liệu") || !strings.Contains(text, "không có nghĩa là không có cảnh báo") {
		t.Errorf("closed before any read: GET / = %d: %s", code, text)
	}
}

type counter struct {
	mu              sync.Mutex
	logins, refused int
	pages           int
}

func (c *counter) LoginFailed()                      { c.mu.Lock(); c.logins++; c.mu.Unlock() }
func (c *counter) LinkRefused(string)                { c.mu.Lock(); c.refused++; c.mu.Unlock() }
func (c *counter) ObservePage(string, time.Duration) { c.mu.Lock(); c.pages++; c.mu.Unlock() }

// A wrong password is counted and answered late, later each time; a
// browser's first request (no credentials) is neither.
func TestFailedLoginsAreCountedAndSlowed(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		var c counter
		h := (&status.Server{Store: s, Config: config.Default(), User: "bcd138", Password: "đúng", Observe: &c, LinkKey: linkKey}).Handler()
		start := time.Now()
		if code, _ := get(t, h, "/"); code != http.StatusUnauthorized || c.logins != 0 || time.Since(start) > 400*time.Millisecond {
			t.Errorf("no credentials: %d, counted %d, took %s", code, c.logins, time.Since(start))
		}
		var took []time.Duration
		for range 2 {
			start := time.Now()
			if code, _ := get(t, h, "/", "bcd138", "sai"); code != http.StatusUnauthorized {
				t.Errorf("wrong password = %d", code)
			}
			took = append(took, time.Since(start))
		}
		if c.logins != 2 || took[0] < 500*time.Millisecond || took[1] < time.Second {
			t.Errorf("two wrong passwords: counted %d, answered after %v (want ≥ 0.5 s, then ≥ 1 s)", c.logins, took)
		}
		if code, _ := get(t, h, "/", "bcd138", "đúng"); code != 200 {
			t.Errorf("right password = %d", code)
		}
		if code, _ := get(t, h, "/?t=v1.x.y.z"); code != http.StatusForbidden || c.refused != 1 {
			t.Errorf("forged link = %d, refusals counted %d", code, c.refused)
		}
	})
}

// At most MaxRenders requests render at once; one more waits its turn
// and is told the server is busy when it waits too long.
func TestRendersAreLimited(t *testing.T) {
	s := storetest.Open(t, "sqlite:"+filepath.Join(t.TempDir(), "x.db"), true)
	srv := &status.Server{Store: s, Config: config.Default(), MaxRenders: 1, Queue: 50 * time.Millisecond}
	h := srv.Handler()
	block := make(chan struct{})
	entered := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	var first int
	go func() {
		defer wg.Done()
		req := httptest.NewRequest("GET", "/", nil).WithContext(status.HoldRender(context.Background(), entered, block))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		first = rec.Code
	}()
	<-entered
	code, body := get(t, h, "/")
	close(block)
	wg.Wait()
	if code != http.StatusServiceUnavailable || !strings.Contains(visible(body), "Máy chủ đang bận") || first != 200 {
		t.Errorf("with the only slot held: %d %q; the holder got %d", code, visible(body), first)
	}
}
