package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The PDF beside each page is the page as headless Chromium prints it: the
// same layout a user gets from the browser's own "print to PDF", with the
// page size, margins, page numbers and the rows kept whole that the
// page's print style asks for, and the fonts of the machine (Liberation
// Serif has the metrics of Times New Roman). A PDF library of our own
// would be a second layout of every document to keep in step with the
// first; Chromium is a Debian package (chromium) the province installs
// beside the service, found on PATH or named by documents.chromium.

// ErrNoChromium is returned by FindChromium when no browser is found on
// PATH: the documents are written without their PDF.
var ErrNoChromium = errors.New("no chromium found")

// chromiumNames are the names the browser goes by, in the order looked for.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// FindChromium resolves the documents.chromium setting: a path is used
// as it is (it must exist); "" looks for the browser on PATH.
func FindChromium(setting string) (string, error) {
	if setting != "" {
		p, err := exec.LookPath(setting)
		if err != nil {
			return "", fmt.Errorf("documents.chromium: %w", err)
		}
		return p, nil
	}
	for _, n := range chromiumNames {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w on PATH (looked for %s)", ErrNoChromium, strings.Join(chromiumNames, ", "))
}

// printTimeout bounds one print: a browser that hangs must not hang the
// command.
const printTimeout = 2 * time.Minute

// PrintPDF prints the page at htmlPath with the browser at chromium to a
// PDF beside it (the same name, .pdf), written whole under a temporary
// name and then renamed. It returns the PDF's path.
func PrintPDF(ctx context.Context, chromium, htmlPath string) (string, error) {
	abs, err := filepath.Abs(htmlPath)
	if err != nil {
		return "", err
	}
	out := strings.TrimSuffix(abs, filepath.Ext(abs)) + ".pdf"
	profile, err := os.MkdirTemp("", "chuyenhoa-chromium-")
	if err != nil {
		return "", fmt.Errorf("print %s: %w", htmlPath, err)
	}
	defer os.RemoveAll(profile)
	tmp := filepath.Join(profile, "out.pdf")
	ctx, cancel := context.WithTimeout(ctx, printTimeout)
	defer cancel()
	// The page is our own, without scripts or remote content: the sandbox
	// (which needs user namespaces that containers and root lack) guards
	// nothing here, and the network stays off.
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--no-default-browser-check", "--user-data-dir="+profile, "--no-pdf-header-footer", "--print-to-pdf="+tmp,
		"file://"+abs)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("print %s with %s: %w\n%s", htmlPath, chromium, err, lastLines(stderr.String(), 5))
	}
	data, err := os.ReadFile(tmp)
	if err != nil || !bytes.HasPrefix(data, []byte("%PDF-")) {
		return "", fmt.Errorf("print %s with %s: no PDF came out (%v)\n%s", htmlPath, chromium, err, lastLines(stderr.String(), 5))
	}
	if err := writeFileAtomic(out, data); err != nil {
		return "", err
	}
	return out, nil
}

// lastLines is the end of a browser's chatter, for an error message.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
