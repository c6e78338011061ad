// Package chart draws the few charts users see as SVG on the server: no
// script, no front-end build, and the status page's. (The digest mail draws its
// target bars as tables: webmail drops SVG.)
package chart

import (
	"fmt"
	"html/template"
	"strings"

	"chuyenhoa/labels"
	"chuyenhoa/rules"
)

const (
	colTransformed = "#1f5fa8"
	colStable      = "#2e8b57"
	colAxis        = "#555"
	colGrid        = "#ddd"
)

// Targets draws, per year, the share of selected areas transformed and the
// share of transformed areas not relapsed, against the two target lines
// (60% and 85% by default). Years not yet assessed show no bars.
//
// The drawing is narrow (64 px a year) and scales down with the page: the
// legend, under the plot, names the target lines, and each bar carries
// its value inside its top (white on the bar, which is drawn over the
// target lines), so no label is ever crossed by a line. A bar too short
// for its label has it above, on a white halo.
func Targets(ps []rules.Progress, transformedPct, stablePct int) template.HTML {
	const (
		h, top, bottom, left = 300, 16, 96, 36
		group, bar           = 64, 26
	)
	w := left + max(len(ps), 3)*group + 8
	plotR := w - 4
	plotH := float64(h - top - bottom)
	y := func(pct float64) float64 { return float64(top) + plotH*(1-pct/100) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="Tiến độ chỉ tiêu chuyển hóa" font-family="Arial, sans-serif" font-size="11">`, w, h, w, h)
	b.WriteString(`<title>Tỷ lệ chuyển hóa đạt và tỷ lệ không phức tạp trở lại theo năm</title>`)
	for _, p := range []float64{0, 25, 50, 75, 100} {
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s"/>`, left, plotR, y(p), y(p), colGrid)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" fill="%s">%d%%</text>`, left-4, y(p)+4, colAxis, int(p))
	}
	// The target lines go under the bars.
	target := func(pct int, col string) {
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s" stroke-width="1.5" stroke-dasharray="6 4"/>`, left, plotR, y(float64(pct)), y(float64(pct)), col)
	}
	target(transformedPct, colTransformed)
	target(stablePct, colStable)
	for i, p := range ps {
		x0 := left + i*group + 5
		if p.Assessed > 0 {
			bars(&b, x0, bar, y, p.TransformedRate, colTransformed)
		}
		if p.HasTransformed {
			bars(&b, x0+bar+2, bar, y, p.StableRate, colStable)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="%s" font-weight="bold">%d</text>`, x0+bar+1, h-bottom+15, colAxis, p.Year)
		if p.Assessed == 0 {
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="%s" font-size="10"><tspan x="%d">chưa</tspan><tspan x="%d" dy="12">đánh giá</tspan></text>`,
				x0+bar+1, h-bottom-20, colAxis, x0+bar+1, x0+bar+1)
		}
	}
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s"/>`, left, plotR, y(0), y(0), colAxis)
	ly := h - bottom + 36
	legend(&b, 4, ly, colTransformed, "chuyển hóa đạt / được chọn")
	legend(&b, 4, ly+15, colStable, "không phức tạp trở lại / đã chuyển hóa")
	lineLegend(&b, 4, ly+30, colTransformed, fmt.Sprintf("chỉ tiêu chuyển hóa %d%%", transformedPct))
	lineLegend(&b, 4, ly+45, colStable, fmt.Sprintf("chỉ tiêu không phức tạp trở lại %d%%", stablePct))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// halo paints a white outline under a label, so that it stays legible on
// any line it sits on.
const halo = ` stroke="#fff" stroke-width="3" paint-order="stroke"`

func bars(b *strings.Builder, x, width int, y func(float64) float64, pct float64, col string) {
	fmt.Fprintf(b, `<rect x="%d" y="%.1f" width="%d" height="%.1f" fill="%s"/>`, x, y(pct), width, y(0)-y(pct), col)
	label := fmt.Sprintf("%.0f%%", pct)
	if y(0)-y(pct) >= 18 {
		fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="middle" fill="#fff" font-weight="bold">%s</text>`, x+width/2, y(pct)+13, label)
		return
	}
	fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="middle" fill="%s"%s>%s</text>`, x+width/2, y(pct)-3, col, halo, label)
}

func legend(b *strings.Builder, x, y int, col, text string) {
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d" fill="%s">%s</text>`, x, y-9, col, x+14, y, colAxis, text)
}

func lineLegend(b *strings.Builder, x, y int, col, text string) {
	fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s" stroke-width="1.5" stroke-dasharray="6 4"/><text x="%d" y="%d" fill="%s">%s</text>`,
		x, x+22, y-4, y-4, col, x+26, y, colAxis, text)
}

// Point is one statistical month of a commune against the averages.
type Point struct {
	Label       string // "11/2026"
	Count       int    // the commune's crimes against social order
	ProvinceAvg float64
	DistrictAvg float64 // ignored without a district line
}

// Series draws a commune's monthly crimes against social order as bars,
// with the province's and, when district names its legend ("BQ huyện"),
// the district's average per commune as lines. A commune without a
// district (district "") gets the province's line alone.
func Series(pts []Point, district string) template.HTML {
	const (
		h, top, bottom, left = 236, 16, 64, 36
		step                 = 34
	)
	w := left + len(pts)*step + 16
	maxV := 1.0
	for _, p := range pts {
		maxV = max(maxV, float64(p.Count), p.ProvinceAvg)
		if district != "" {
			maxV = max(maxV, p.DistrictAvg)
		}
	}
	maxV *= 1.1
	plotH := float64(h - top - bottom)
	y := func(v float64) float64 { return float64(top) + plotH*(1-v/maxV) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="Số vụ theo tháng so với bình quân" font-family="Arial, sans-serif" font-size="11">`, w, h, w, h)
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s"/>`, left, w-8, y(0), y(0), colAxis)
	fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" fill="%s">%s</text>`, left-4, y(maxV/1.1)+4, colAxis, labels.Num(maxV/1.1))
	var prov, dist []string
	for i, p := range pts {
		x := left + i*step + 6
		fmt.Fprintf(&b, `<rect x="%d" y="%.1f" width="%d" height="%.1f" fill="%s"><title>%s: %d vụ</title></rect>`, x, y(float64(p.Count)), step-12, y(0)-y(float64(p.Count)), colTransformed, p.Label, p.Count)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" fill="%s" transform="rotate(-45 %d %d)">%s</text>`, x+step/2-2, h-bottom+12, colAxis, x+step/2-2, h-bottom+12, p.Label)
		cx := float64(x + step/2 - 6)
		prov = append(prov, fmt.Sprintf("%.1f,%.1f", cx, y(p.ProvinceAvg)))
		dist = append(dist, fmt.Sprintf("%.1f,%.1f", cx, y(p.DistrictAvg)))
	}
	fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#c0392b" stroke-width="2"/>`, strings.Join(prov, " "))
	legend(&b, left, h-6, "#c0392b", "BQ tỉnh")
	next := left + 70
	if district != "" {
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#e67e22" stroke-width="2" stroke-dasharray="5 3"/>`, strings.Join(dist, " "))
		legend(&b, next, h-6, "#e67e22", template.HTMLEscapeString(district))
		next += 80
	}
	legend(&b, next, h-6, colTransformed, "số vụ của xã")
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
