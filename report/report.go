// Package report writes the documents the provincial committee files, in
// the state format of Decree 30/2020/NĐ-CP: the year report (year.go), the
// plan period's summary (period.go) and the draft selection decision
// (decision.go). Each is built from the store into a plain struct, rendered
// into files — its A4 page from templates/ inside the state document frame
// (frame.go), its tables as CSV and one XLSX workbook (table.go, xlsx.go) —
// and put in a folder whole by Write; PrintPDF prints the page beside it
// with headless Chromium (pdf.go).
package report

import (
	"fmt"
	"os"
	"path/filepath"
)

// A Document is one of the committee's documents, built and ready to render.
type Document interface {
	// Files renders the document: its pages and tables, each under the
	// name it is written with.
	Files() ([]File, error)
}

// File is one rendered file of a document.
type File struct {
	Name string // base name, e.g. bao-cao-chuyen-hoa-2026.html
	Data []byte
}

// documentFiles renders a document: its page from the template tmpl with
// data, and its tables.
func documentFiles(base, tmpl string, data any, tables []Table) ([]File, error) {
	page, err := htmlFile(base, tmpl, data)
	if err != nil {
		return nil, err
	}
	ts, err := tableFiles(base, tables)
	if err != nil {
		return nil, err
	}
	return append([]File{page}, ts...), nil
}

// Write renders d into dir (created if missing) and returns the paths it
// wrote. Each file is written whole under a temporary name and then
// renamed, so a failed run never leaves half a report.
func Write(dir string, d Document) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report folder: %w", err)
	}
	files, err := d.Files()
	if err != nil {
		return nil, err
	}
	var written []string
	for _, f := range files {
		path := filepath.Join(dir, f.Name)
		if err := writeFileAtomic(path, f.Data); err != nil {
			return written, err
		}
		written = append(written, path)
	}
	return written, nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
