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
// file name (year.html.tmpl), and the state document frame they share
// (frame.html.tmpl).
var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"date":     labels.Date,
	"percent":  labels.Percent,
	"num":      labels.Num,
	"add":      func(a, b int) int { return a + b },
	"sub":      func(a, b int) int { return a - b },
	"lower":    strings.ToLower,
	"window":   func(r period.Range) string { return r.String() },
	"met":      labels.TargetMet,
	"cats":     labels.Categories,
	"areacats": labels.AreaCategories,
	// dict passes several values to a shared block (templates/*.html.tmpl
	// define them), as key, value, ….
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict: %d arguments, want key and value pairs", len(kv))
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
}).ParseFS(templateFS, "templates/*.html.tmpl"))

// htmlFile renders the page template name with data as the file base.html.
func htmlFile(base, name string, data any) (File, error) {
	var page bytes.Buffer
	if err := pages.ExecuteTemplate(&page, name, data); err != nil {
		return File{}, fmt.Errorf("render report: %w", err)
	}
	return File{Name: base + ".html", Data: page.Bytes()}, nil
}
