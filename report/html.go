package report

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"strings"

	"chuyenhoa/labels"
	"chuyenhoa/period"
)

//go:embed templates/*.html.tmpl
var templateFS embed.FS

// pages holds every document's page, one template file each, named by its
// file name (year.html.tmpl).
var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"date":    labels.Date,
	"percent": labels.Percent,
	"num":     labels.Num,
	"add":     func(a, b int) int { return a + b },
	"sub":     func(a, b int) int { return a - b },
	"upper":   strings.ToUpper,
	"window":  func(r period.Range) string { return r.String() },
	"met":     labels.TargetMet,
	"cats":    labels.Categories,
}).ParseFS(templateFS, "templates/*.html.tmpl"))

// htmlFile renders the page template name with data as the file base.html.
func htmlFile(base, name string, data any) (File, error) {
	var page bytes.Buffer
	if err := pages.ExecuteTemplate(&page, name, data); err != nil {
		return File{}, fmt.Errorf("render report: %w", err)
	}
	return File{Name: base + ".html", Data: page.Bytes()}, nil
}
