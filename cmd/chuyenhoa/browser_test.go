package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chromiumPath finds Debian's chromium; .ci/run installs it, so under CI a
// missing browser fails the test instead of skipping it.
func chromiumPath(t *testing.T) string {
	for _, p := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed; .ci/run installs it with apt-get install chromium")
	}
	t.Skip("chromium is not installed (apt-get install chromium)")
	return ""
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// demoServer builds the binary, makes the demo database in dir and
// serves it with extra YAML under http: and env; it returns the page's
// base URL and the database file.
func demoServer(t *testing.T, dir, httpYAML string, env ...string) (base, db string) {
	t.Helper()
	return demoServerOf(t, dir, nil, httpYAML, env...)
}

// demoServerOf is demoServer on the demo that demoArgs choose (e.g.
// --three-tier).
func demoServerOf(t *testing.T, dir string, demoArgs []string, httpYAML string, env ...string) (base, db string) {
	t.Helper()
	bin := filepath.Join(dir, "chuyenhoa")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	db = filepath.Join(dir, "demo.db")
	if out, err := exec.Command(bin, append([]string{"demo", "--db", db, "--mail-dir", filepath.Join(dir, "mail")}, demoArgs...)...).CombinedOutput(); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	addr := freePort(t)
	cfg := filepath.Join(dir, "config.yaml")
	yaml := fmt.Sprintf("database:\n  url: \"sqlite:%s\"\nmail:\n  dir: %q\nhttp:\n  listen: %q\n%s", db, filepath.Join(dir, "mail"), addr, httpYAML)
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	serve := exec.CommandContext(ctx, bin, "--config", cfg, "serve", "--log-format", "text")
	serve.Env = append(os.Environ(), env...)
	logf, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	serve.Stdout, serve.Stderr = logf, logf
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = serve.Process.Signal(os.Interrupt)
		_ = serve.Wait()
	})
	base = "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logf.Name())
			t.Fatalf("serve did not become ready: %v\n%s", err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return base, db
}

// TestStatusPageInBrowser runs the real binary: demo data, then serve, and
// loads the status page in headless Chromium.
func TestStatusPageInBrowser(t *testing.T) {
	browser := chromiumPath(t)
	dir := t.TempDir()
	base, _ := demoServer(t, dir, "")

	chrome := func(args ...string) string {
		t.Helper()
		base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--user-data-dir=" + filepath.Join(dir, "chrome-profile")}
		cctx, ccancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer ccancel()
		out, err := exec.CommandContext(cctx, browser, append(base, args...)...).Output()
		if err != nil {
			t.Fatalf("chromium %v: %v", args, err)
		}
		return string(out)
	}
	dom := chrome("--dump-dom", base+"/")
	for _, want := range []string{`id="bang-chi-tieu"`, `id="bang-de-xuat"`, `id="bang-dia-ban"`, `id="bang-han"`,
		`id="bang-tai-phuc-tap"`, `id="bang-canh-bao"`, "<svg", "Tiến độ chỉ tiêu hằng năm", "Quảng Ngãi", "Đề xuất chuyển hóa"} {
		if !strings.Contains(dom, want) {
			t.Errorf("page in chromium lacks %q", want)
		}
	}
	// The page shows the demo province and nothing else: every commune
	// link on it resolves to a commune of this database.
	for _, part := range strings.Split(dom, `href="/xa/`)[1:] {
		code := part[:strings.IndexByte(part, '"')]
		resp, err := http.Get(base + "/xa/" + code)
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("commune link /xa/%s: %v %v", code, err, resp)
		}
		if resp != nil {
			resp.Body.Close()
		}
		break
	}
	shot := filepath.Join(dir, "status.png")
	chrome("--window-size=1280,2400", "--screenshot="+shot, base+"/")
	if fi, err := os.Stat(shot); err != nil || fi.Size() < 10_000 {
		t.Fatalf("screenshot %s: %v (size %v)", shot, err, fi)
	}
	t.Logf("screenshot saved at %s", shot)
	if keep := os.Getenv("CHUYENHOA_KEEP_SCREENSHOT"); keep != "" {
		b, _ := os.ReadFile(shot)
		_ = os.WriteFile(keep, b, 0o644)
	}
}
