package status_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/labels"
	"chuyenhoa/notify"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/status"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
	"chuyenhoa/synth"
)

func get(t *testing.T, h http.Handler, path string, auth ...string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if len(auth) == 2 {
		req.SetBasicAuth(auth[0], auth[1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, string(b)
}

func TestStatusPages(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		today := period.Date(2026, 11, 25)
		ds := synth.Province(67, synth.Options{Districts: 13, Units: 170, FromYear: 2021, ToYear: 2026, Today: today})
		if err := s.Load(ctx, ds); err != nil {
			t.Fatal(err)
		}
		cfg := config.Default()
		now := func() time.Time { return time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC) }
		comp := &notify.Composer{Store: s, Config: cfg, Now: now}
		r := &jobs.Runner{Store: s, Config: cfg, Now: now, AfterFindings: comp.Hook}
		for _, j := range finding.RecomputeJobs() {
			if _, err := r.Run(ctx, j, today); err != nil {
				t.Fatal(err)
			}
		}
		srv := &status.Server{Store: s, Config: cfg, Now: now}
		h := srv.Handler()
		code, body := get(t, h, "/")
		if code != 200 {
			t.Fatalf("GET / = %d: %s", code, body)
		}
		for _, want := range []string{`<html lang="vi">`, `id="bang-viec-can-lam"`, `id="bang-chi-tieu"`, `id="bang-de-xuat"`, `id="bang-dia-ban"`, `id="bang-han"`,
			`id="bang-tai-phuc-tap"`, `id="bang-canh-bao"`, "<svg", "Đề xuất chuyển hóa", "Phức tạp trở lại", "Quá hạn"} {
			if !strings.Contains(body, want) {
				t.Errorf("overview lacks %q", want)
			}
		}
		// What needs someone today comes before the year's areas, the
		// proposal and the history.
		if a, b, c := strings.Index(body, `id="bang-viec-can-lam"`), strings.Index(body, `id="bang-dia-ban"`), strings.Index(body, `id="bang-de-xuat"`); !(a < b && b < c) {
			t.Errorf("sections out of order: action %d, areas %d, proposal %d", a, b, c)
		}
		// The overview shows the proposal's first rows; its own page the rest.
		if code, b := get(t, h, "/bang/de-xuat?trang=1"); code != 200 || !strings.Contains(b, "Vượt hạn mức 15%") {
			t.Errorf("GET /bang/de-xuat = %d, lacks the communes cut by the cap", code)
		}
		// Every commune named on the page belongs to the province's data.
		for _, u := range ds.Units[:5] {
			if code, b := get(t, h, "/xa/"+u.Code); code != 200 || !strings.Contains(b, u.Name) || !strings.Contains(b, "<svg") || !strings.Contains(b, `id="bang-thang"`) {
				t.Errorf("GET /xa/%s = %d", u.Code, code)
			}
		}
		if code, _ := get(t, h, "/huyen/D01?sx=2"); code != http.StatusMovedPermanently {
			t.Errorf("GET /huyen/D01 = %d, want a redirect to /don-vi/D01", code)
		}
		if code, b := get(t, h, "/don-vi/D01"); code != 200 || !strings.Contains(b, `id="bang-viec-can-lam"`) {
			t.Errorf("GET /don-vi/D01 = %d", code)
		}
		if code, _ := get(t, h, "/xa/NOPE"); code != 404 {
			t.Errorf("unknown commune = %d, want 404", code)
		}
		if code, _ := get(t, h, "/", "x", "y"); code != 200 {
			t.Errorf("no auth configured: %d", code)
		}
		srv.User, srv.Password = "bcd138", "bí mật"
		h = srv.Handler()
		if code, _ := get(t, h, "/"); code != 401 {
			t.Errorf("without credentials = %d, want 401", code)
		}
		if code, _ := get(t, h, "/", "bcd138", "sai"); code != 401 {
			t.Errorf("wrong password = %d, want 401", code)
		}
		if code, _ := get(t, h, "/", "bcd138", "bí mật"); code != 200 {
			t.Errorf("right password = %d, want 200", code)
		}
	})
}

// An area of the year selected in two categories is one row of the page's
// areas, listing both.
func TestStatusTwoCategories(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		today := period.Date(2026, 11, 25)
		ds := synth.Province(67, synth.Options{Districts: 13, Units: 170, FromYear: 2021, ToYear: 2026, Today: today})
		var unit string
		var cats []rules.Category
		for _, x := range ds.Selections {
			if x.Year == 2026 {
				unit, cats = x.Unit, rules.AreaCategories([]rules.Category{x.Category, x.Category%4 + 1})
				ds.Selections = append(ds.Selections, rules.Selection{Year: 2026, Unit: x.Unit, Category: x.Category%4 + 1, DecidedOn: x.DecidedOn})
				break
			}
		}
		if err := s.Load(ctx, ds); err != nil {
			t.Fatal(err)
		}
		cfg := config.Default()
		now := func() time.Time { return time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC) }
		r := &jobs.Runner{Store: s, Config: cfg, Now: now}
		for _, j := range finding.RecomputeJobs() {
			if _, err := r.Run(ctx, j, today); err != nil {
				t.Fatal(err)
			}
		}
		_, body := get(t, (&status.Server{Store: s, Config: cfg, Now: now}).Handler(), "/bang/dia-ban")
		i := strings.Index(body, `id="bang-dia-ban"`)
		if i < 0 {
			t.Fatal("no areas table")
		}
		areas, _, _ := strings.Cut(body[i:], "</table>")
		if n := strings.Count(areas, `<a href="/xa/`+unit+`">`); n != 1 {
			t.Errorf("area %s listed %d times, want once", unit, n)
		}
		k := strings.Index(areas, `<a href="/xa/`+unit+`">`)
		row, _, _ := strings.Cut(areas[max(k, 0):], "</tr>")
		if k < 0 || !strings.Contains(row, `<td data-label="Loại">`+label("Loại")+labels.AreaCategories(cats)+"</span></td>") {
			t.Errorf("area %s does not list categories %v: %s", unit, cats, row)
		}
	})
}

// With grouping: none the pages follow the mode: the board lists the
// communes' bodies, and no heading or column names a district level or a
// district average (the province's data still holds its old districts).
func TestStatusPagesWithoutDistricts(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		today := period.Date(2026, 11, 25)
		ds := synth.Province(67, synth.Options{Districts: 3, Units: 30, FromYear: 2023, ToYear: 2026, Today: today})
		if err := s.Load(ctx, ds); err != nil {
			t.Fatal(err)
		}
		cfg := config.Default()
		cfg.Grouping = config.GroupingNone
		now := func() time.Time { return time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC) }
		r := &jobs.Runner{Store: s, Config: cfg, Now: now}
		for _, j := range finding.RecomputeJobs() {
			if _, err := r.Run(ctx, j, today); err != nil {
				t.Fatal(err)
			}
		}
		h := (&status.Server{Store: s, Config: cfg, Now: now}).Handler()
		code, body := get(t, h, "/")
		if code != 200 {
			t.Fatalf("GET / = %d: %s", code, body)
		}
		for _, want := range []string{`id="bang-han"`, ">Đơn vị</a></th>", `<td data-label="Đơn vị">` + label("Đơn vị") + `<a href="/don-vi/xa:`, ">Công an "} {
			if !strings.Contains(body, want) {
				t.Errorf("overview lacks %q", want)
			}
		}
		for _, u := range ds.Units[:3] {
			code, b := get(t, h, "/xa/"+u.Code)
			if code != 200 || !strings.Contains(b, labels.DefaultBodies().Committee(rules.CommuneCommittee(u.Code), u.Name)) {
				t.Errorf("GET /xa/%s = %d, want its body named", u.Code, code)
			}
			body += b
		}
		for _, leak := range []string{"huyện", "Huyện", "Ban Chỉ đạo 138 cấp"} {
			if strings.Contains(body, leak) {
				t.Errorf("pages without districts name %q", leak)
			}
		}
	})
}

// label is what a table cell writes before its value: its column's title
// for the phone's layout, then the value's span.
func label(title string) string { return `<span class="lbl">` + title + `</span><span class="v">` }
