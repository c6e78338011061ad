package report_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"chuyenhoa/period"
	"chuyenhoa/report"
	"chuyenhoa/store/storetest"
)

// chromium is the browser the PDFs are printed with, and the poppler
// tools that read them back; without them the test is skipped, and under
// CI=true it fails.
func chromium(t *testing.T) string {
	t.Helper()
	path, err := report.FindChromium("")
	if err == nil {
		for _, tool := range []string{"pdfinfo", "pdftotext"} {
			if _, err = exec.LookPath(tool); err != nil {
				break
			}
		}
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("printing needs Debian's chromium and poppler-utils: %v", err)
		}
		t.Skipf("printing needs Debian's chromium and poppler-utils: %v", err)
	}
	return path
}

// A4 in points, and the decree's margins as the page sets them.
const (
	mm                           = 72 / 25.4
	marginTop, marginBottom      = 20 * mm, 20 * mm
	marginLeft, marginRight      = 30 * mm, 15 * mm
	a4Width, a4Height, tolerance = 595.28, 841.89, 1.5
)

// word is a word of a printed page with its box, in points from the top
// left corner.
type word struct {
	page                   int
	text                   string
	xMin, yMin, xMax, yMax float64
}

var (
	pageTag = regexp.MustCompile(`<page width="([\d.]+)" height="([\d.]+)">`)
	wordTag = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)
)

// printed reads a PDF back: its page count, and every word with its box
// (pdftotext -bbox). Every page must be A4.
func printed(t *testing.T, pdf string) (pages int, words []word) {
	t.Helper()
	out, err := exec.Command("pdfinfo", pdf).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo %s: %v\n%s", pdf, err, out)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("pdfinfo %s: no page count\n%s", pdf, out)
	}
	pages, _ = strconv.Atoi(string(m[1]))
	out, err = exec.Command("pdftotext", "-bbox", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", pdf, err)
	}
	for i, p := range strings.Split(string(out), "<page ")[1:] {
		pm := pageTag.FindStringSubmatch("<page " + p)
		w, _ := strconv.ParseFloat(pm[1], 64)
		h, _ := strconv.ParseFloat(pm[2], 64)
		if abs(w-a4Width) > tolerance || abs(h-a4Height) > tolerance {
			t.Errorf("%s page %d is %.1f × %.1f pt, not A4", filepath.Base(pdf), i+1, w, h)
		}
		for _, wm := range wordTag.FindAllStringSubmatch(p, -1) {
			f := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
			words = append(words, word{page: i + 1, text: html.UnescapeString(wm[5]), xMin: f(wm[1]), yMin: f(wm[2]), xMax: f(wm[3]), yMax: f(wm[4])})
		}
	}
	return pages, words
}

// inkBox is the box of a page's dark pixels below the top margin, in
// points; ok is false for a page without any.
type inkBox struct {
	ok               bool
	xMin, xMax, yMax float64
}

// inkBoxes renders each page of pdf at 72 dpi in grey (pdftoppm) and
// measures where it is inked.
func inkBoxes(t *testing.T, pdf string) []inkBox {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("pdftoppm", "-r", "72", "-gray", pdf, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm %s: %v\n%s", pdf, err, out)
	}
	files, err := filepath.Glob(filepath.Join(dir, "p-*.pgm"))
	if err != nil || len(files) == 0 {
		t.Fatalf("pdftoppm %s wrote no page (%v)", pdf, err)
	}
	slices.SortFunc(files, func(a, b string) int { return cmp.Compare(len(a), len(b))*2 + strings.Compare(a, b) })
	var out []inkBox
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// P5, width, height, maximum, each after white space, then one
		// white space character and the pixels.
		var head [4]string
		n := 0
		for i := range head {
			for n < len(data) && (data[n] == ' ' || data[n] == '\n' || data[n] == '\r' || data[n] == '\t') {
				n++
			}
			start := n
			for n < len(data) && data[n] != ' ' && data[n] != '\n' && data[n] != '\r' && data[n] != '\t' {
				n++
			}
			head[i] = string(data[start:n])
		}
		w, err1 := strconv.Atoi(head[1])
		h, err2 := strconv.Atoi(head[2])
		if head[0] != "P5" || err1 != nil || err2 != nil || len(data) < n+1+w*h {
			t.Fatalf("%s: not a grey PGM (%q)", f, head)
		}
		px := data[n+1:]
		box := inkBox{xMin: float64(w)}
		var top float64 = marginTop // the page number stands above
		for y := int(top) + 1; y < h; y++ {
			for x := 0; x < w; x++ {
				if px[y*w+x] < 128 {
					box.ok = true
					box.xMin, box.xMax, box.yMax = min(box.xMin, float64(x)), max(box.xMax, float64(x+1)), max(box.yMax, float64(y+1))
				}
			}
		}
		out = append(out, box)
	}
	return out
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// checkPages holds a printed document to the page: between lo and hi A4
// pages; every word inside the decree's margins but the page number,
// which stands alone in the top margin from the second page on; no empty
// last page.
func checkPages(t *testing.T, pdf string, lo, hi int) int {
	t.Helper()
	name := filepath.Base(pdf)
	pages, words := printed(t, pdf)
	if pages < lo || pages > hi {
		t.Errorf("%s has %d pages, want %d to %d", name, pages, lo, hi)
	}
	numbered := map[int]bool{}
	body := map[int]int{}
	for _, w := range words {
		if w.yMax < marginTop+tolerance {
			// Only the page number may stand in the top margin.
			if n, err := strconv.Atoi(w.text); err == nil && n == w.page && w.page > 1 && abs((w.xMin+w.xMax)/2-(marginLeft+a4Width-marginRight)/2) < 10 {
				numbered[w.page] = true
				continue
			}
		}
		body[w.page]++
		if w.xMin < marginLeft-tolerance || w.xMax > a4Width-marginRight+tolerance || w.yMin < marginTop-tolerance || w.yMax > a4Height-marginBottom+tolerance {
			t.Errorf("%s page %d: %q at x %.1f–%.1f, y %.1f–%.1f lies outside the margins (%.1f–%.1f, %.1f–%.1f)", name, w.page, w.text,
				w.xMin, w.xMax, w.yMin, w.yMax, marginLeft, a4Width-marginRight, marginTop, a4Height-marginBottom)
		}
	}
	for i, box := range inkBoxes(t, pdf) {
		// Borders and charts too: every mark below the top margin lies
		// inside the margins.
		if box.ok && (box.xMin < marginLeft-tolerance-1 || box.xMax > a4Width-marginRight+tolerance+1 || box.yMax > a4Height-marginBottom+tolerance+1) {
			t.Errorf("%s page %d: ink at x %.0f–%.0f, down to y %.0f, beyond the margins (%.1f–%.1f, %.1f)", name, i+1, box.xMin, box.xMax, box.yMax,
				marginLeft, a4Width-marginRight, a4Height-marginBottom)
		}
	}
	for p := 2; p <= pages; p++ {
		if !numbered[p] {
			t.Errorf("%s page %d has no page number in its top margin", name, p)
		}
	}
	if numbered[1] {
		t.Errorf("%s numbers its first page", name)
	}
	if body[pages] == 0 {
		t.Errorf("%s ends with an empty page (%d)", name, pages)
	}
	return pages
}

// The year report, the period summary and the draft decision of the demo
// print on A4 within the decree's margins, numbered from the second page,
// without an empty last page; a table row is never cut across pages.
func TestDocumentsPrintOnA4(t *testing.T) {
	browser := chromium(t)
	ctx := context.Background()
	s := storetest.Open(t, "sqlite:"+filepath.Join(t.TempDir(), "print.db"), true)
	year, per, draft := demoDocuments(t, s, 2027, period.Date(2026, 12, 20))
	dir := t.TempDir()
	for _, c := range []struct {
		doc    report.Document
		base   string
		lo, hi int
	}{
		{year, "bao-cao-chuyen-hoa-2026", 4, 9},
		{per, "bao-cao-giai-doan-2021-2025", 4, 9},
		{draft, "du-thao-quyet-dinh-2027", 3, 7},
	} {
		if _, err := report.Write(dir, c.doc); err != nil {
			t.Fatal(err)
		}
		pdf, err := report.PrintPDF(ctx, browser, filepath.Join(dir, c.base+".html"))
		if err != nil {
			t.Fatal(err)
		}
		if pdf != filepath.Join(dir, c.base+".pdf") {
			t.Errorf("printed to %s, want beside the page", pdf)
		}
		n := checkPages(t, pdf, c.lo, c.hi)
		t.Logf("%s: %d pages", c.base, n)
	}

	// Rows of several lines across a page break: each proposal's note
	// starts with Rnn< and ends with >Rnn; both ends of every row must be
	// on one page, and the rows must span pages for this to prove anything.
	filler := strings.Repeat("nội dung nhận xét dài để hàng bảng có nhiều dòng ", 5)
	for i := range year.Proposals {
		year.Proposals[i].Note = fmt.Sprintf("R%02d< %s >R%02d", i, filler, i)
	}
	if _, err := report.Write(dir, year); err != nil {
		t.Fatal(err)
	}
	pdf, err := report.PrintPDF(ctx, browser, filepath.Join(dir, "bao-cao-chuyen-hoa-2026.html"))
	if err != nil {
		t.Fatal(err)
	}
	_, words := printed(t, pdf)
	pageOf := map[string]int{}
	for _, w := range words {
		pageOf[w.text] = w.page
	}
	spans := map[int]bool{}
	for i := range year.Proposals {
		first, last := pageOf[fmt.Sprintf("R%02d<", i)], pageOf[fmt.Sprintf(">R%02d", i)]
		if first == 0 || last == 0 {
			t.Errorf("row %d: its ends were not printed (pages %d, %d)", i, first, last)
			continue
		}
		if first != last {
			t.Errorf("row %d is cut: it starts on page %d and ends on page %d", i, first, last)
		}
		spans[first] = true
	}
	if len(spans) < 2 {
		t.Errorf("the %d long rows fit on one page (%v): the test of cut rows proves nothing", len(year.Proposals), spans)
	}
	checkPages(t, pdf, 5, 12)
}

// Without a browser on PATH there is no PDF, and the error says what was
// looked for; a configured path that does not exist names the setting.
func TestFindChromium(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	if _, err := report.FindChromium(""); !errors.Is(err, report.ErrNoChromium) || !strings.Contains(err.Error(), "chromium, chromium-browser") {
		t.Errorf("FindChromium on an empty PATH: %v", err)
	}
	if _, err := report.FindChromium("/nonexistent/chromium"); err == nil || errors.Is(err, report.ErrNoChromium) || !strings.Contains(err.Error(), "documents.chromium") {
		t.Errorf("FindChromium of a missing path: %v", err)
	}
}
