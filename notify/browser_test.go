package notify

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"chuyenhoa/config"
	"chuyenhoa/labels"
	"chuyenhoa/rules"
)

// The HTML digests in real Chromium: at 400 px (a phone) nothing scrolls
// sideways and no table is squeezed to a word a line (every item is a
// card of its own); and no SVG, which webmail does not show. Screenshots
// at 1280 and 400 px go to CHUYENHOA_SCREENSHOTS when it is set.
func TestDigestInChromium(t *testing.T) {
	path := ""
	for _, p := range []string{"chromium", "chromium-browser"} {
		if lp, err := exec.LookPath(p); err == nil {
			path = lp
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed (apt-get install chromium)")
		}
		t.Skip("chromium is not installed (apt-get install chromium)")
	}
	c := &Composer{Config: config.Default()}
	dir, alerts := goldenFixture(t, "Xã Bình Thạnh")
	tmp := t.TempDir()
	pages := map[string]string{}
	_, _, pages["district"] = render(t, c, dir, "D03", alerts, false, nil)
	_, _, pages["province"] = render(t, c, dir, "", alerts, false, func(g *Digest) {
		g.Targets = []rules.Progress{
			{Year: 2024, Selected: 17, Assessed: 17, Transformed: 8, Relapsed: 1, Stable: 7, TransformedRate: 47.05882352941177, StableRate: 87.5, TransformedNeeded: 11, StableNeeded: 7, StableMet: true, HasSelected: true, HasTransformed: true},
			{Year: 2025, Selected: 18, Assessed: 18, Transformed: 12, TransformedRate: 66.7, TransformedMet: true, HasSelected: true, HasTransformed: true, StableRate: 100, StableMet: true, Stable: 12},
			{Year: 2026, Selected: 19, HasSelected: true},
		}
		g.Forwarded = []Forward{{Committee: "Ban Chỉ đạo 138 huyện Lý Sơn", Items: []Item{{New: true, Line: labels.Line{Title: "Báo cáo sơ kết 6 tháng, kỳ 2026-H1", State: "Quá hạn", Facts: "Hạn nộp 20/06/2026; chưa nhận được, trễ 158 ngày."}}}}}
	})
	for name, html := range pages {
		if strings.Contains(strings.ToLower(html), "<svg") {
			t.Errorf("%s digest has SVG", name)
		}
		if err := os.WriteFile(filepath.Join(tmp, name+".html"), []byte(html), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.NoSandbox, chromedp.ExecPath(path),
		chromedp.UserDataDir(filepath.Join(tmp, "profile")))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	shots := os.Getenv("CHUYENHOA_SCREENSHOTS")
	for _, name := range []string{"province", "district"} {
		for _, w := range []int64{1280, 400} {
			c, cancel := context.WithTimeout(ctx, 60*time.Second)
			if err := chromedp.Do(c, chromedp.EmulateViewport(w, 900), chromedp.Navigate("file://"+filepath.Join(tmp, name+".html"))); err != nil {
				cancel()
				t.Fatal(err)
			}
			// The widest line and the narrowest card text: a card squeezed
			// to a word a line would be far narrower than the page.
			got, err := chromedp.Run(c, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth,
				Math.min(...Array.from(document.querySelectorAll('div[style*="border-left"]')).map(d => d.clientWidth))]`))
			if err != nil {
				cancel()
				t.Fatal(err)
			}
			if got[0] > got[1] {
				t.Errorf("%s at %d px scrolls sideways: scrollWidth %d > clientWidth %d", name, w, got[0], got[1])
			}
			// The column is at most 720 px wide, less its padding.
			if want := min(int(w), 720) - 60; got[2] < want {
				t.Errorf("%s at %d px: a card is %d px wide, want at least %d (the column's width)", name, w, got[2], want)
			}
			if shots != "" {
				buf, err := chromedp.Run(c, chromedp.FullScreenshot(100))
				if err == nil {
					_ = os.WriteFile(filepath.Join(shots, "digest-"+name+"-"+map[int64]string{1280: "1280", 400: "400"}[w]+".png"), buf, 0o644)
				}
			}
			cancel()
		}
	}
}
