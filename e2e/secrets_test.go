package e2e

import (
	"encoding/base64"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mark is in every planted secret and nowhere else: no file name, no data.
const mark = "Plant3dS3cret"

// Secrets never show: every command of the binary (the list is read from
// its --help, so a new command must be added here) runs with a planted
// database password in every form a URL can carry one, the SMTP password
// (from the environment or a password file) and the status page's
// password, on working and failing paths — unreachable database, URLs that
// do not parse, a bad configuration, a mail server that is down, wrong
// basic-auth — and nothing any of them prints holds a piece of a secret.
func TestNoCommandPrintsASecret(t *testing.T) {
	e := newEnv(t)
	commands := helpCommands(t)
	dbPW := mark + "Db#1@2/3?4%5 6&7"
	smtpPW, httpPW := mark+"Smtp", mark+"Http"
	pg, err := url.Parse(e.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	withUser := *pg
	withUser.User = url.UserPassword("postgres", dbPW)
	withQuery := *pg
	q := withQuery.Query()
	q.Set("password", dbPW)
	withQuery.RawQuery = q.Encode()
	down := *pg
	down.Host, down.User = "127.0.0.1:1", url.UserPassword("postgres", dbPW)
	q = down.Query()
	q.Set("sslpassword", dbPW)
	down.RawQuery = q.Encode()

	pwFile := filepath.Join(e.dir, "smtp-password")
	if err := os.WriteFile(pwFile, []byte(smtpPW+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	smtpEnv := []string{"CHUYENHOA_SMTP_PASSWORD=" + smtpPW}
	cases := []struct {
		name string
		url  string
		// works: the database is reachable and the configuration good, so
		// the data commands must succeed (the test checks it did run).
		works bool
		// passwordFile: the SMTP password comes from mail.smtp.password_file
		// and the mail server is down.
		passwordFile bool
		badCron      bool
	}{
		{name: "password in the user information", url: withUser.String(), works: true},
		{name: "password as ?password=, SMTP password file, mail server down", url: withQuery.String(), works: true, passwordFile: true},
		{name: "unreachable database, ?sslpassword=", url: down.String()},
		{name: "unescaped # in the password", url: "postgres://postgres:" + mark + "a#" + mark + "b@127.0.0.1:5432/test"},
		{name: "unescaped / in the password, bad port", url: "postgres://postgres:" + mark + "a/" + mark + "b@127.0.0.1:bad/test"},
		{name: "key=value connection string", url: "host=127.0.0.1 user=postgres password=" + mark + " dbname=test"},
		{name: "quoted key=value password with a space", url: "host=127.0.0.1 password='" + mark + "a " + mark + "b' dbname=test"},
		{name: "unsupported scheme", url: "mysql://root:" + mark + "@127.0.0.1/x"},
		{name: "no scheme", url: "root:" + mark + "@tcp(127.0.0.1:3306)/x"},
		{name: "bad configuration beside a good URL", url: withUser.String(), badCron: true},
	}
	units := filepath.Join(e.dir, "units.csv")
	if err := os.WriteFile(units, []byte("code,name,kind,district_code,ntm_certified_on,valid_from,valid_to\nZZ01,Xã Thử,village,ZZ,,,\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	var seen int
	check := func(what, out string) {
		t.Helper()
		seen++
		for _, secret := range []string{mark, base64.StdEncoding.EncodeToString([]byte("\x00bcd138\x00" + smtpPW))} {
			if i := strings.Index(out, secret); i >= 0 {
				lo, hi := max(0, i-200), min(len(out), i+100)
				t.Errorf("%s printed a secret:\n…%s…", what, out[lo:hi])
			}
		}
	}
	for i, c := range cases {
		yaml := strings.Replace(e.yaml, "url: "+quoteYAML(e.dbURL), "url: "+quoteYAML(c.url), 1)
		yaml = strings.Replace(yaml, "    tls: none\n", "    tls: none\n    auth: plain\n    username: bcd138\n", 1)
		yaml = strings.Replace(yaml, "  listen: \"127.0.0.1:0\"\n", "  listen: \"127.0.0.1:0\"\n  user: admin\n", 1)
		env := append([]string{"CHUYENHOA_HTTP_PASSWORD=" + httpPW}, smtpEnv...)
		if c.passwordFile {
			env = []string{"CHUYENHOA_HTTP_PASSWORD=" + httpPW}
			yaml = strings.Replace(yaml, "    username: bcd138\n", "    username: bcd138\n    password_file: "+quoteYAML(pwFile)+"\n", 1)
			yaml = regexp.MustCompile(`port: \d+`).ReplaceAllString(yaml, "port: 1")
		}
		if c.badCron {
			yaml += "schedule:\n  deadlines: \"0 25 * * *\"\n"
		}
		if !strings.Contains(yaml, c.url) {
			t.Fatalf("%s: the URL did not make it into the configuration", c.name)
		}
		cfg := e.writeConfig(filepath.Base(t.TempDir())+".yaml", yaml)
		scratch := t.TempDir()
		for _, name := range commands {
			args, ok := secretArgs(name, scratch, units)
			if !ok {
				t.Errorf("command %q has no case in TestNoCommandPrintsASecret: add one", name)
				continue
			}
			if name == "serve" {
				check(c.name+": serve", serveWithSecrets(t, cfg, env, c.works, httpPW))
				continue
			}
			p := startProc(t, cfg, env, args...)
			code := p.wait(2 * time.Minute)
			out := p.out.String() + p.errb.String()
			check(c.name+": chuyenhoa "+strings.Join(args, " "), out)
			// The runs must have run: the good configurations do their
			// work, the bad ones are refused for the database URL.
			dataCommand := name == "run-once" || name == "migrate" || name == "outbox" || name == "report"
			switch {
			case c.works && dataCommand && code != 0:
				t.Errorf("%s: chuyenhoa %s exited %d:\n%s", c.name, strings.Join(args, " "), code, out)
			case !c.works && !c.badCron && dataCommand && (code != 1 || !strings.Contains(out, "database.url")):
				t.Errorf("%s: chuyenhoa %s exited %d without naming database.url:\n%s", c.name, strings.Join(args, " "), code, out)
			case c.badCron && dataCommand && !strings.Contains(out, "schedule.deadlines"):
				t.Errorf("%s: chuyenhoa %s did not refuse the bad cron spec:\n%s", c.name, strings.Join(args, " "), out)
			}
		}
		if i == 0 && len(e.smtp.Messages()) == 0 {
			t.Errorf("%s: no mail reached the server, so the SMTP password was never used", c.name)
		}
	}
	for _, args := range [][]string{{"--help"}, {"help", "serve"}, {"--version"}} {
		p := startProc(t, "", nil, args...)
		p.wait(time.Minute)
		check("chuyenhoa "+strings.Join(args, " "), p.out.String()+p.errb.String())
	}
	t.Logf("%d commands × %d forms of secrets: %d outputs checked, none shows %q", len(commands), len(cases), seen, mark)
}

// serveWithSecrets runs serve with the configuration, asks every endpoint
// (the status page without, with a wrong and with the right password),
// reloads it with SIGHUP, stops it and returns everything it printed.
func serveWithSecrets(t *testing.T, cfg string, env []string, works bool, httpPW string) string {
	t.Helper()
	p := startProc(t, cfg, env, "serve", "--log-format", "json", "--stop-timeout", "10s")
	if !works {
		if code := p.wait(time.Minute); code != 1 {
			t.Errorf("serve with a bad database URL or configuration exited %d, want 1", code)
		}
		return p.out.String() + p.errb.String()
	}
	addr := p.serving(time.Minute)
	var bodies strings.Builder
	for _, r := range []struct {
		path, user, password string
		want                 int
	}{
		{"/readyz", "", "", 200},
		{"/metrics", "", "", 200},
		{"/", "", "", 401},
		{"/", "admin", mark + "Wrong", 401},
		{"/", "admin", httpPW, 200},
	} {
		code, body := get(t, addr, r.path, r.user, r.password)
		if code != r.want {
			t.Errorf("serve: GET %s as %q: %d, want %d", r.path, r.user, code, r.want)
		}
		bodies.WriteString(body)
	}
	p.signal(syscall.SIGHUP)
	p.waitLine("configuration reloaded", 30*time.Second)
	p.signal(syscall.SIGTERM)
	if code := p.wait(time.Minute); code != 0 {
		t.Errorf("serve exited %d after SIGTERM", code)
	}
	return p.out.String() + p.errb.String() + bodies.String()
}

// secretArgs is how TestNoCommandPrintsASecret calls each command.
func secretArgs(name, scratch, units string) ([]string, bool) {
	switch name {
	case "demo":
		return []string{"demo", "--db", filepath.Join(scratch, "demo.db"), "--mail-dir", filepath.Join(scratch, "mail")}, true
	case "migrate", "check-config", "send", "outbox", "schedule", "serve":
		return []string{name}, true
	case "run-once":
		return []string{"run-once", "all", "--at", demoDay.Format(time.DateOnly)}, true
	case "notify":
		return []string{"notify", "--at", demoDay.Format(time.DateOnly), "--mail"}, true
	case "silence":
		return []string{"silence", "list"}, true
	case "send-test":
		return []string{"send-test", "canbo@congan.quangngai.gov.vn"}, true
	case "import":
		return []string{"import", "units", units}, true
	case "gen":
		return []string{"gen", "--units", "2", "--years", "1"}, true
	case "report":
		return []string{"report", "year", "2026", "--out", filepath.Join(scratch, "report"), "--at", demoDay.Format(time.DateOnly)}, true
	}
	return nil, false
}

// helpCommands lists the commands chuyenhoa --help names, which are those
// of its command table.
func helpCommands(t *testing.T) []string {
	t.Helper()
	p := startProc(t, "", nil, "--help")
	if code := p.wait(time.Minute); code != 0 {
		t.Fatalf("--help exited %d", code)
	}
	text, _, _ := strings.Cut(p.out.String(), "Global flags:")
	var names []string
	for _, m := range regexp.MustCompile(`(?m)^  ([a-z][a-z-]*) +\S`).FindAllStringSubmatch(text, -1) {
		// A command of two words (outbox cancel, silence add) is named
		// by its first.
		if !slices.Contains(names, m[1]) {
			names = append(names, m[1])
		}
	}
	if len(names) < 10 {
		t.Fatalf("--help names only %v", names)
	}
	return names
}

// quoteYAML is s as the harness writes it into the configuration (%q).
func quoteYAML(s string) string { return strconv.Quote(s) }
