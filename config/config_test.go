package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"chuyenhoa/finding"
	"chuyenhoa/labels"
	"chuyenhoa/period"
	"chuyenhoa/rules"
)

// env builds a getenv from a map.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaultsValid(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	if got := c.Location().String(); got != "Asia/Ho_Chi_Minh" {
		t.Errorf("Location() = %s", got)
	}
	if got := c.Calendar(); got != (period.Calendar{Cutoff: 15}) {
		t.Errorf("Calendar() = %+v", got)
	}
	if !c.Grouped() {
		t.Error("Grouped() = false for the default district grouping")
	}
	// Load with no file and no environment is exactly the defaults.
	l, err := Load("", nil)
	if err != nil {
		t.Fatalf("Load(\"\", nil) = %v", err)
	}
	if !sameSettings(l, c) {
		t.Errorf("Load(\"\", nil) differs from Default():\n%+v\n%+v", l, c)
	}
}

// sameSettings compares the exported settings, not the caches.
func sameSettings(a, b *Config) bool {
	x, y := *a, *b
	x.origin, y.origin, x.loc, y.loc = nil, nil, nil, nil
	// An empty list written as [] and an absent one mean the same.
	for _, m := range []*Mail{&x.Mail, &y.Mail} {
		if len(m.ImmediateKinds) == 0 {
			m.ImmediateKinds = nil
		}
	}
	for _, r := range []*Recipients{&x.Recipients, &y.Recipients} {
		if len(r.Province) == 0 {
			r.Province = nil
		}
		if len(r.Cc) == 0 {
			r.Cc = nil
		}
		if len(r.Districts) == 0 {
			r.Districts = nil
		}
		if len(r.Units) == 0 {
			r.Units = nil
		}
		if len(r.Muted) == 0 {
			r.Muted = nil
		}
	}
	return reflect.DeepEqual(x, y)
}

func TestEmptyAndCommentOnlyFiles(t *testing.T) {
	for _, data := range []string{"", "   \n", "# nothing here\n"} {
		c, err := Parse([]byte(data), nil)
		if err != nil {
			t.Fatalf("Parse(%q) = %v", data, err)
		}
		if !sameSettings(c, Default()) {
			t.Errorf("Parse(%q) is not the defaults", data)
		}
	}
}

// The configuration accepts every database URL store.Open opens (they
// disagreed on sqlite3: and sqlite://).
func TestDatabaseURLForms(t *testing.T) {
	for _, u := range []string{"sqlite:chuyenhoa.db", "sqlite://chuyenhoa.db", "sqlite:///var/lib/chuyenhoa/chuyenhoa.db",
		"sqlite3:chuyenhoa.db", "postgres://u@h:5432/db?sslmode=disable", "postgresql://u@h/db"} {
		c := Default()
		c.Database.URL = u
		if err := c.Validate(); err != nil {
			t.Errorf("database.url %q: %v", u, err)
		}
	}
}

func TestBadValues(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // substrings of the error
	}{
		{"cap over 100", "selection:\n  cap_percent: 150\n", []string{"selection.cap_percent: 150 is out of range; use 1..100"}},
		{"cap zero", "selection:\n  cap_percent: 0\n", []string{"selection.cap_percent: 0 is out of range; use 1..100"}},
		{"gogc too low", "runtime:\n  gogc: 5\n", []string{"runtime.gogc: 5 is out of range; use 25..1000"}},
		{"cap not a number", "selection:\n  cap_percent: many\n", []string{"line 2: selection.cap_percent: cannot unmarshal", "use a whole number"}},
		{"ntm rule", "selection:\n  ntm_exclusion: sometimes\n", []string{"selection.ntm_exclusion: \"sometimes\" is not allowed; use one of always, previous_year, none"}},
		{"category factor zero", "selection:\n  category_factor: 0\n", []string{"selection.category_factor: 0 must be a number above 0"}},
		{"category factor NaN", "selection:\n  category_factor: .nan\n", []string{"selection.category_factor: NaN"}},
		{"category min negative", "selection:\n  category_min_count: -1\n", []string{"selection.category_min_count: -1 is negative"}},
		{"timezone", "timezone: Asia/Hanoi_City\n", []string{"timezone: \"Asia/Hanoi_City\" is not a known time zone"}},
		{"database", "database:\n  url: mysql://x\n", []string{"database.url: \"mysql://x\" is not supported; use sqlite:FILE or postgres://"}},
		{"database password redacted", "database:\n  url: mysql://u:secret@h/db\n", []string{"mysql://u:***@h/db"}},
		{"sqlite without file", "database:\n  url: \"sqlite:\"\n", []string{"database.url: \"sqlite:\" names no file"}},
		{"in-memory sqlite", "database:\n  url: \"sqlite::memory:\"\n", []string{"database.url: \"sqlite::memory:\" is in-memory SQLite, which is not supported"}},
		{"grouping", "grouping: province\n", []string{"grouping: \"province\" is not allowed; use one of auto, district, none"}},
		{"cutoff", "periods:\n  cutoff_day: 31\n", []string{"periods.cutoff_day: 31 is out of range; use 1..28"}},
		{"watch months", "relapse:\n  watch_months: -6\n", []string{"relapse.watch_months: -6 is negative"}},
		{"transformed target", "targets:\n  transformed_percent: 0\n", []string{"targets.transformed_percent: 0 is out of range; use 1..100"}},
		{"stable target", "targets:\n  stable_percent: 101\n", []string{"targets.stable_percent: 101 is out of range; use 1..100"}},
		{"due 02-30", "obligations:\n  - {code: r, name: R, period: year, due: \"02-30\"}\n", []string{"obligations[0].due: \"02-30\" is not a date"}},
		{"due 02-29", "obligations:\n  - {code: r, name: R, period: year, due: \"02-29\"}\n", []string{"obligations[0].due: \"02-29\" is not a date that exists every year"}},
		{"due format", "obligations:\n  - {code: r, name: R, period: year, due: \"20/06\"}\n", []string{"obligations[0].due: \"20/06\""}},
		{"due missing", "obligations:\n  - {code: r, name: R, period: half1}\n", []string{"obligations[0].due: is required when per_unit is false"}},
		{"period missing", "obligations:\n  - {code: r, name: R, due: \"06-20\"}\n", []string{"obligations[0].period: is required when per_unit is false"}},
		{"period bad", "obligations:\n  - {code: r, name: R, period: quarter1, due: \"06-20\"}\n", []string{"obligations[0].period: \"quarter1\" is not allowed"}},
		{"code bad", "obligations:\n  - {code: Report-H1, name: R, period: year, due: \"06-20\"}\n", []string{"obligations[0].code: \"Report-H1\" is not a code"}},
		{"code duplicate", "obligations:\n  - {code: r, name: R, period: year, due: \"06-20\"}\n  - {code: r, name: S, period: year, due: \"12-20\"}\n", []string{"obligations[1].code: \"r\" is already used by obligations[0]"}},
		{"name empty", "obligations:\n  - {code: r, period: year, due: \"06-20\"}\n", []string{"obligations[0].name: is empty"}},
		{"per unit days", "obligations:\n  - {code: p, name: P, per_unit: true}\n", []string{"obligations[0].due_after_decision_days: 0 must be at least 1"}},
		{"per unit with due", "obligations:\n  - {code: p, name: P, per_unit: true, due_after_decision_days: 30, due: \"06-20\"}\n", []string{"obligations[0].period: a per-unit obligation is due after the selection decision"}},
		{"negative reminder", "obligations:\n  - {code: r, name: R, period: year, due: \"06-20\", reminder_days: -1}\n", []string{"obligations[0].reminder_days: -1 is negative"}},
		{"negative grace", "obligations:\n  - {code: r, name: R, period: year, due: \"06-20\", grace_days: -2}\n", []string{"obligations[0].grace_days: -2 is negative"}},
		{"negative escalate", "obligations:\n  - {code: r, name: R, period: year, due: \"06-20\", escalate_after_days: -3}\n", []string{"obligations[0].escalate_after_days: -3 is negative"}},
		{"transport", "mail:\n  transport: pigeon\n", []string{"mail.transport: \"pigeon\" is not allowed; use file or smtp"}},
		{"file without dir", "mail:\n  dir: \"\"\n", []string{"mail.dir: is empty"}},
		{"smtp without host", "mail:\n  transport: smtp\n", []string{"mail.smtp.host: is empty; transport smtp needs"}},
		{"from", "mail:\n  from: not an address\n", []string{"mail.from: \"not an address\" is not an email address"}},
		{"subject tag", "mail:\n  subject_tag: \"\"\n", []string{"mail.subject_tag"}},
		{"repeat zero", "mail:\n  repeat_interval: 0s\n", []string{"mail.repeat_interval: 0s must be above 0"}},
		{"repeat not a duration", "mail:\n  repeat_interval: 1 week\n", []string{"line 2: mail.repeat_interval: \"1 week\" is not a duration; use e.g. 168h"}},
		{"digest times empty", "mail:\n  digest_times: []\n", []string{"mail.digest_times: is empty; give at least one time of day"}},
		{"digest time", "mail:\n  digest_times: [\"8h\", \"24:00\", \"7:30\"]\n", []string{`mail.digest_times[0]: "8h" is not a time of day; use HH:MM`,
			`mail.digest_times[1]: "24:00" is not a time of day`, `mail.digest_times[2]: "7:30" is not a time of day`}},
		{"digest time twice", "mail:\n  digest_times: [\"08:00\", \"16:00\", \"08:00\"]\n", []string{`mail.digest_times[2]: "08:00" is listed twice`}},
		{"immediate kind", "mail:\n  immediate_kinds: [escalation, overdue]\n", []string{`mail.immediate_kinds[1]: "overdue" is not an alert kind; use one of deadline, escalation`}},
		{"digest in schedule", "schedule:\n  digest: \"0 8 * * *\"\n", []string{"schedule.digest: the digest runs at mail.digest_times; remove schedule.digest"}},
		{"port", "mail:\n  smtp:\n    port: 70000\n", []string{"mail.smtp.port: 70000 is out of range; use 1..65535"}},
		{"tls", "mail:\n  smtp:\n    tls: ssl\n", []string{"mail.smtp.tls: \"ssl\" is not allowed; use starttls, implicit or none"}},
		{"auth", "mail:\n  smtp:\n    auth: cram\n", []string{"mail.smtp.auth: \"cram\" is not allowed; use none, plain or login"}},
		{"timeout", "mail:\n  smtp:\n    timeout: -1s\n", []string{"mail.smtp.timeout: -1s must be above 0"}},
		{"auth without username or password", "mail:\n  transport: smtp\n  smtp:\n    host: mail.example.gov.vn\n    auth: plain\n",
			[]string{"mail.smtp.username: is empty; auth plain needs a user name", "mail.smtp.auth: plain needs a password; set CHUYENHOA_SMTP_PASSWORD or mail.smtp.password_file"}},
		{"missing password file", "mail:\n  smtp:\n    password_file: /nonexistent/smtp-password\n", []string{"mail.smtp.password_file: cannot read /nonexistent/smtp-password"}},
		{"province address", "recipients:\n  province: [\"bcd@x.vn\", \"nope\"]\n", []string{"recipients.province[1]: \"nope\" is not an email address"}},
		{"cc address", "recipients:\n  cc: [\"@x\"]\n", []string{"recipients.cc[0]: \"@x\" is not an email address"}},
		{"district address", "recipients:\n  districts:\n    DQ03: [\"a@b.vn\", \"abc\"]\n", []string{`recipients.districts.DQ03[1]: "abc" is not an email address`}},
		{"district code", "recipients:\n  districts:\n    \"D 03\": [\"a@b.vn\"]\n", []string{`recipients.districts: "D 03" is not a district code`}},
		{"districts without grouping", "grouping: none\nrecipients:\n  districts:\n    D01: [\"a@b.vn\"]\n", []string{"recipients.districts: set but grouping is none"}},
		{"muted code", "recipients:\n  muted: [\"\"]\n", []string{`recipients.muted[0]: "" is not a district code`}},
		{"muted commune", "recipients:\n  muted: [\"xa:\", \"xa:X 1\"]\n", []string{`recipients.muted[0]: "xa:" is not xa: and a unit code`, `recipients.muted[1]: "xa:X 1" is not xa: and a unit code`}},
		{"unit address", "recipients:\n  units:\n    X01: [\"abc\"]\n", []string{`recipients.units.X01[0]: "abc" is not an email address`}},
		{"unit code", "recipients:\n  units:\n    \"xa:X01\": [\"a@b.vn\"]\n", []string{`recipients.units: "xa:X01" is not a unit code`}},
		{"proposals per unit", "proposals:\n  min_per_unit: 2\n", []string{"proposals.min_per_unit: 2 is not allowed; use 1 (each commune without a district proposes its own area every year) or 0"}},
		{"body empty", "bodies:\n  province: \"\"\n", []string{`bodies.province: "" must be a non-empty single line, e.g. "Ban Chỉ đạo 138 tỉnh"`}},
		{"body template without name", "bodies:\n  commune: \"Công an xã\"\n", []string{`bodies.commune: "Công an xã" must hold {name} once`}},
		{"body template twice", "bodies:\n  district: \"{name} {name}\"\n", []string{`bodies.district: "{name} {name}" must hold {name} once`}},
		{"level with name", "bodies:\n  communes: \"Công an {name}\"\n", []string{`bodies.communes: "Công an {name}" names a level, not one body`}},
		{"body on two lines", "bodies:\n  districts: \"Ban Chỉ đạo\\ncấp huyện\"\n", []string{"bodies.districts:", "must be a non-empty single line"}},
		{"cron", "schedule:\n  relapse: \"0 5 32 * *\"\n", []string{"schedule.relapse: \"0 5 32 * *\" is not a cron spec"}},
		{"unknown job", "schedule:\n  backup: \"0 1 * * *\"\n", []string{"schedule.backup: unknown job; use one of candidates, relapse, deadlines, cycle, send"}},
		{"listen", "http:\n  listen: 9138\n", []string{"http.listen: \"9138\" is not host:port"}},
		{"province empty", "province:\n  name: \"\"\n", []string{"province.name: is empty"}},
		{"not a mapping", "- a\n- b\n", []string{"must be a mapping"}},
		{"syntax", "selection:\n  cap_percent: [1\n", []string{"parse config:"}},
		{"two documents", "timezone: UTC\n---\ntimezone: UTC\n", []string{"more than one YAML document"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), nil)
			if err == nil {
				t.Fatalf("Parse accepted:\n%s", tt.yaml)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestUnknownKeys(t *testing.T) {
	data := "timezone: UTC\nselection:\n  cap_percnt: 10\nmail:\n  smtp:\n    hostname: x\nobligations:\n  - {code: r, name: R, period: year, due: \"06-20\", remind: 3}\nfoo: 1\n"
	_, err := Parse([]byte(data), nil)
	if err == nil {
		t.Fatal("unknown keys accepted")
	}
	for _, w := range []string{
		"line 3: selection.cap_percnt: unknown key; known keys here: cap_percent, category_factor, category_min_count, ntm_exclusion",
		"line 6: mail.smtp.hostname: unknown key",
		"line 8: obligations[0].remind: unknown key",
		"line 9: foo: unknown key",
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
	// Each unknown key is reported once, not again by the decoder.
	if n := strings.Count(err.Error(), "cap_percnt"); n != 1 {
		t.Errorf("cap_percnt reported %d times:\n%v", n, err)
	}
	if strings.Contains(err.Error(), "not found in type") {
		t.Errorf("raw decoder message leaked:\n%v", err)
	}
}

func TestPasswordInYAMLRefused(t *testing.T) {
	data := "mail:\n  transport: smtp\n  smtp:\n    host: mail.example.gov.vn\n    auth: login\n    username: bcd\n    password: hunter2\n"
	_, err := Parse([]byte(data), env(map[string]string{"CHUYENHOA_SMTP_PASSWORD": "ok"}))
	if err == nil {
		t.Fatal("password in YAML accepted")
	}
	msg := err.Error()
	for _, w := range []string{"line 7: mail.smtp.password:", "CHUYENHOA_SMTP_PASSWORD", "mail.smtp.password_file"} {
		if !strings.Contains(msg, w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
	if strings.Contains(msg, "hunter2") {
		t.Errorf("error repeats the secret:\n%v", err)
	}
	if strings.Contains(msg, "unknown key") {
		t.Errorf("password reported as a mere unknown key:\n%v", err)
	}
}

func TestEnvOverrides(t *testing.T) {
	// allow_open: an address other machines reach needs a password or
	// this (TestHTTPFailsClosed).
	data := "database:\n  url: sqlite:file.db\nmail:\n  transport: file\n  smtp:\n    auth: plain\n    tls: implicit\nhttp:\n  allow_open: true\n"
	c, err := Parse([]byte(data), env(map[string]string{
		"CHUYENHOA_DATABASE_URL":   "postgres://postgres@127.0.0.1:5432/test",
		"CHUYENHOA_TIMEZONE":       "Asia/Bangkok",
		"CHUYENHOA_SMTP_HOST":      "mail.example.gov.vn",
		"CHUYENHOA_SMTP_PORT":      "465",
		"CHUYENHOA_SMTP_USERNAME":  "bcd138",
		"CHUYENHOA_SMTP_PASSWORD":  "s3cret",
		"CHUYENHOA_MAIL_TRANSPORT": "smtp",
		"CHUYENHOA_MAIL_DIR":       "/var/spool/chuyenhoa",
		"CHUYENHOA_HTTP_LISTEN":    "0.0.0.0:8080",
	}))
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	got := []string{c.Database.URL, c.Timezone, c.Mail.SMTP.Host, c.Mail.SMTP.Username, c.Mail.SMTP.Password, c.Mail.Transport, c.Mail.Dir, c.HTTP.Listen}
	want := []string{"postgres://postgres@127.0.0.1:5432/test", "Asia/Bangkok", "mail.example.gov.vn", "bcd138", "s3cret", "smtp", "/var/spool/chuyenhoa", "0.0.0.0:8080"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("overrides:\n got %q\nwant %q", got, want)
	}
	if c.Mail.SMTP.Port != 465 {
		t.Errorf("port = %d, want 465", c.Mail.SMTP.Port)
	}
	if c.Location().String() != "Asia/Bangkok" {
		t.Errorf("Location() = %s", c.Location())
	}
}

func TestEnvBadValues(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"CHUYENHOA_SMTP_PORT": "smtp"}, `CHUYENHOA_SMTP_PORT: "smtp" is not a port number`},
		{map[string]string{"CHUYENHOA_SMTP_PORT": "0"}, "mail.smtp.port: 0 is out of range; use 1..65535 (587 for starttls, 465 for implicit) (set by CHUYENHOA_SMTP_PORT)"},
		{map[string]string{"CHUYENHOA_TIMEZONE": "Mars/Olympus"}, `timezone: "Mars/Olympus" is not a known time zone; use an IANA zone name such as Asia/Ho_Chi_Minh (set by CHUYENHOA_TIMEZONE)`},
		{map[string]string{"CHUYENHOA_DATABASE_URL": "oracle://x"}, "(set by CHUYENHOA_DATABASE_URL)"},
		{map[string]string{"CHUYENHOA_MAIL_TRANSPORT": "fax"}, `mail.transport: "fax" is not allowed; use file or smtp (set by CHUYENHOA_MAIL_TRANSPORT)`},
		{map[string]string{"CHUYENHOA_HTTP_LISTEN": "localhost"}, "(set by CHUYENHOA_HTTP_LISTEN)"},
		{map[string]string{"CHUYENHOA_MAIL_TRANSPORT": "smtp"}, "mail.smtp.host: is empty"},
	}
	for _, tt := range tests {
		_, err := Load("", env(tt.env))
		if err == nil {
			t.Errorf("env %v accepted", tt.env)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("env %v: error lacks %q:\n%v", tt.env, tt.want, err)
		}
	}
}

func TestPasswordFile(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "smtp-password")
	if err := os.WriteFile(pwFile, []byte("pa ss\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "chuyenhoa.yaml")
	data := "mail:\n  transport: smtp\n  smtp:\n    host: mail.example.gov.vn\n    auth: login\n    username: bcd138\n    password_file: " + pwFile + "\n"
	if err := os.WriteFile(cfg, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(cfg, nil)
	if err != nil {
		t.Fatalf("Load = %v", err)
	}
	// The final newline is the editor's; inner spaces are the password's.
	if c.Mail.SMTP.Password != "pa ss" {
		t.Errorf("password = %q, want %q", c.Mail.SMTP.Password, "pa ss")
	}
	// The environment wins over the file.
	c, err = Load(cfg, env(map[string]string{"CHUYENHOA_SMTP_PASSWORD": "from-env"}))
	if err != nil || c.Mail.SMTP.Password != "from-env" {
		t.Errorf("with env: password %q, err %v", c.Mail.SMTP.Password, err)
	}

	if err := os.WriteFile(pwFile, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(cfg, nil); err == nil || !strings.Contains(err.Error(), "mail.smtp.password_file: "+pwFile+" is empty") {
		t.Errorf("empty password file: %v", err)
	}

	if err := os.Remove(pwFile); err != nil {
		t.Fatal(err)
	}
	_, err = Load(cfg, nil)
	if err == nil {
		t.Fatal("missing password file accepted")
	}
	if !strings.Contains(err.Error(), cfg+": mail.smtp.password_file: cannot read "+pwFile) {
		t.Errorf("missing password file: %v", err)
	}
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error does not wrap os.ErrNotExist: %v", err)
	}
}

func TestPlainAuthWithoutTLS(t *testing.T) {
	base := "mail:\n  transport: smtp\n  smtp:\n    auth: plain\n    tls: none\n    username: u\n    host: "
	getenv := env(map[string]string{"CHUYENHOA_SMTP_PASSWORD": "p"})
	if _, err := Parse([]byte(base+"mail.example.gov.vn\n"), getenv); err == nil || !strings.Contains(err.Error(), "mail.smtp.tls: none with auth plain would send the password in clear") {
		t.Errorf("remote host without TLS: %v", err)
	}
	// A relay on the same machine is not on the wire.
	if _, err := Parse([]byte(base+"127.0.0.1\n"), getenv); err != nil {
		t.Errorf("loopback relay refused: %v", err)
	}
}

func TestMultipleErrorsJoined(t *testing.T) {
	data := "selection:\n  cap_percent: 150\n  ntm_exclusion: maybe\nperiods:\n  cutoff_day: 0\nrecipients:\n  districts:\n    DQ03: [\"a@b.vn\", \"abc\"]\nschedule:\n  send: never\nmail:\n  repeat_interval: soon\n"
	_, err := Parse([]byte(data), nil)
	if err == nil {
		t.Fatal("accepted")
	}
	want := []string{
		"line 12: mail.repeat_interval: \"soon\" is not a duration",
		"selection.cap_percent: 150 is out of range; use 1..100",
		"selection.ntm_exclusion: \"maybe\"",
		"periods.cutoff_day: 0 is out of range",
		`recipients.districts.DQ03[1]: "abc" is not an email address`,
		"schedule.send: \"never\" is not a cron spec",
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q", w)
		}
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("error is not joined: %T", err)
	}
	if n := len(joined.Unwrap()); n != len(want) {
		t.Errorf("%d errors joined, want %d:\n%v", n, len(want), err)
	}
}

func TestLoadPrefixesFileName(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(cfg, []byte("selection:\n  cap_percent: 150\ngrouping: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(cfg, nil)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		if !strings.HasPrefix(line, cfg+": ") {
			t.Errorf("line without file name: %q", line)
		}
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml"), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestPartialOverridesKeepDefaults(t *testing.T) {
	data := "selection:\n  cap_percent: 10\nschedule:\n  send: \"*/10 * * * *\"\nobligations:\n  - code: report_q\n    name: Báo cáo quý\n    period: half2\n    due: \"12-05\"\n    grace_days: 0\n"
	c, err := Parse([]byte(data), nil)
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	if c.Selection.CapPercent != 10 || c.Selection.NTMExclusion != NTMAlways || c.Selection.CategoryFactor != 1.0 {
		t.Errorf("selection = %+v", c.Selection)
	}
	wantSched := map[finding.Job]string{finding.JobCandidates: "0 6 * * 1", finding.JobRelapse: "0 5 15 * *", finding.JobDeadlines: "0 7 * * *", finding.JobCycle: "30 7 * * *", finding.JobSend: "*/10 * * * *"}
	if !reflect.DeepEqual(c.Schedule, wantSched) {
		t.Errorf("schedule = %v, want %v", c.Schedule, wantSched)
	}
	// A listed obligation replaces the defaults; missing day counts take
	// the defaults (7/3/10) while an explicit 0 stays 0.
	want := []Obligation{{Code: "report_q", Name: "Báo cáo quý", Period: PeriodHalf2, Due: "12-05", ReminderDays: 7, GraceDays: 0, EscalateAfterDays: 10}}
	if !reflect.DeepEqual(c.Obligations, want) {
		t.Errorf("obligations = %+v, want %+v", c.Obligations, want)
	}
}

// A bodies section names only what it changes; the rest keep their
// defaults, and a commune's recipients and muting are accepted with
// grouping: none.
func TestBodiesAndCommuneRecipients(t *testing.T) {
	data := "grouping: none\nbodies:\n  commune: \"Công an {name}, tỉnh Quảng Ngãi\"\n  communes: \"Công an các xã\"\nrecipients:\n  units:\n    X01: [\"Công an xã A <ca.a@example.gov.vn>\"]\n  muted: [D05, \"xa:X02\"]\nproposals:\n  min_per_unit: 1\n"
	c, err := Parse([]byte(data), nil)
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	want := labels.DefaultBodies()
	want.Commune, want.Communes = "Công an {name}, tỉnh Quảng Ngãi", "Công an các xã"
	if c.Bodies != want {
		t.Errorf("bodies = %+v, want %+v", c.Bodies, want)
	}
	if got := c.Recipients.Addresses(rules.CommuneCommittee("X01")); len(got) != 1 || got[0] != "Công an xã A <ca.a@example.gov.vn>" {
		t.Errorf("addresses of xa:X01 = %v", got)
	}
	if got := c.Recipients.Addresses(rules.CommuneCommittee("X02")); len(got) != 0 {
		t.Errorf("addresses of xa:X02 = %v, want none", got)
	}
	if c.Proposals.MinPerUnit != 1 {
		t.Errorf("min_per_unit = %d", c.Proposals.MinPerUnit)
	}
}

func TestRuleConversions(t *testing.T) {
	c := Default()
	got := c.RuleObligations()
	want := []rules.Obligation{
		{Code: "plan", Name: "Kế hoạch chuyển hóa địa bàn", PerUnit: true, DueAfterDecisionDays: 30, ReminderDays: 7, GraceDays: 3, EscalateDays: 10},
		{Code: "report_h1", Name: "Báo cáo sơ kết 6 tháng", Period: rules.PeriodHalf1, DueMonth: time.June, DueDay: 20, ReminderDays: 7, GraceDays: 3, EscalateDays: 10},
		{Code: "report_year", Name: "Báo cáo tổng kết năm", Period: rules.PeriodYear, DueMonth: time.December, DueDay: 20, ReminderDays: 7, GraceDays: 3, EscalateDays: 10},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RuleObligations:\n got %+v\nwant %+v", got, want)
	}

	c.Grouping = GroupingNone
	c.Selection.CapPercent = 12
	c.Selection.NTMExclusion = NTMPreviousYear
	c.Relapse.WatchMonths = 6
	asOf := period.Date(2026, time.March, 1)
	sp := c.SelectionParams(2026, asOf)
	if sp != (rules.SelectionParams{Year: 2026, AsOf: asOf, Grouped: false, CapPercent: 12, NTMRule: rules.NTMPreviousYear, CategoryFactor: 1, CategoryMinCount: 1}) {
		t.Errorf("SelectionParams = %+v", sp)
	}
	if err := sp.Validate(); err != nil {
		t.Errorf("SelectionParams invalid for rules: %v", err)
	}
	if rp := c.RelapseParams(); rp != (rules.RelapseParams{Grouped: false, CategoryFactor: 1, CategoryMinCount: 1, WatchMonths: 6}) {
		t.Errorf("RelapseParams = %+v", rp)
	}
	if tp := c.TargetParams(); tp != (rules.TargetParams{TransformedPercent: 60, StablePercent: 85}) {
		t.Errorf("TargetParams = %+v", tp)
	}
	if cp := c.CycleParams(); cp != (rules.CycleParams{WatchMonths: 6, Targets: rules.TargetParams{TransformedPercent: 60, StablePercent: 85}}) {
		t.Errorf("CycleParams = %+v", cp)
	}
	if ip := c.IndicatorParams(); ip != (rules.IndicatorParams{DetectionPercent: 80, SeriousDetectionPercent: 95, ReportsHandledPercent: 100, ReoffendingBelowPercent: 15}) {
		t.Errorf("IndicatorParams = %+v", ip)
	}
	want = []rules.Obligation{{Code: "proposal", Name: "Đề xuất địa bàn chuyển hóa", Period: rules.PeriodYear, DueMonth: time.January, DueDay: 31, ReminderDays: 7, GraceDays: 3, EscalateDays: 10}}
	if po := c.ProposalObligation(); !reflect.DeepEqual([]rules.Obligation{po}, want) {
		t.Errorf("ProposalObligation = %+v", po)
	}
}

// The cycle settings: partial sections keep their defaults, bad values
// are named by field.
func TestCycleSettings(t *testing.T) {
	c, err := Parse([]byte("indicators:\n  detection_percent: 70\nproposals:\n  min_per_district: 2\n  due: \"12-20\"\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Indicators.DetectionPercent != 70 || c.Indicators.SeriousDetectionPercent != 95 || c.Indicators.ReoffendingBelowPercent != 15 {
		t.Errorf("indicators = %+v", c.Indicators)
	}
	if p := c.Proposals; p.MinPerDistrict != 2 || p.Due != "12-20" || p.ReminderDays != 7 || p.Name != "Đề xuất địa bàn chuyển hóa" {
		t.Errorf("proposals = %+v", p)
	}
	// 0 turns the proposal obligation off and is valid.
	if _, err := Parse([]byte("proposals:\n  min_per_district: 0\n"), nil); err != nil {
		t.Errorf("min_per_district 0: %v", err)
	}
	data := "indicators:\n  detection_percent: 0\n  serious_detection_percent: 101\n  reports_handled_percent: 100\n  reoffending_below_percent: -1\n" +
		"proposals:\n  name: \"\"\n  min_per_district: -1\n  due: \"02-30\"\n  grace_days: -2\nschedule:\n  cycle: \"daily\"\n"
	_, err = Parse([]byte(data), nil)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, w := range []string{
		"indicators.detection_percent: 0 is out of range; use 1..100",
		"indicators.serious_detection_percent: 101 is out of range",
		"indicators.reoffending_below_percent: -1 is out of range",
		"proposals.name: is empty",
		"proposals.min_per_district: -1 is negative",
		`proposals.due: "02-30" is not a date that exists every year`,
		"proposals.grace_days: -2 is negative",
		`schedule.cycle: "daily" is not a cron spec`,
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
	if strings.Contains(err.Error(), "reports_handled_percent") {
		t.Errorf("100%% handled refused: %v", err)
	}
}

func TestDueDate(t *testing.T) {
	tests := []struct {
		in    string
		month time.Month
		day   int
		ok    bool
	}{
		{"06-20", time.June, 20, true},
		{"12-31", time.December, 31, true},
		{"02-28", time.February, 28, true},
		{"02-29", 0, 0, false}, // not every year
		{"02-30", 0, 0, false},
		{"04-31", 0, 0, false},
		{"13-01", 0, 0, false},
		{"00-10", 0, 0, false},
		{"6-20", 0, 0, false},
		{"06/20", 0, 0, false},
		{"06-00", 0, 0, false},
	}
	for _, tt := range tests {
		m, d, ok := DueDate(tt.in)
		if m != tt.month || d != tt.day || ok != tt.ok {
			t.Errorf("DueDate(%q) = %v, %d, %v; want %v, %d, %v", tt.in, m, d, ok, tt.month, tt.day, tt.ok)
		}
	}
}

// The example file documents every key with its default: it must parse to
// exactly Default(), and hold every key the Config has.
func TestExampleFile(t *testing.T) {
	path := filepath.Join("..", "deploy", "config.example.yaml")
	c, err := Load(path, nil)
	if err != nil {
		t.Fatalf("example does not load: %v", err)
	}
	if !sameSettings(c, Default()) {
		t.Errorf("example differs from Default():\n%+v\n%+v", c, Default())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	present := map[string]bool{}
	collectKeys(doc.Content[0], "", present)
	for _, k := range structKeys(reflect.TypeFor[Config](), "") {
		if !present[k] {
			t.Errorf("example lacks key %s", k)
		}
	}
}

func collectKeys(n *yaml.Node, path string, out map[string]bool) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			p := join(path, n.Content[i].Value)
			out[p] = true
			collectKeys(n.Content[i+1], p, out)
		}
	case yaml.SequenceNode:
		for _, item := range n.Content {
			collectKeys(item, path+"[]", out)
		}
	}
}

// structKeys lists the YAML key paths of t; list elements appear as
// path[] and map values are not descended into.
func structKeys(t reflect.Type, path string) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		p := join(path, name)
		out = append(out, p)
		ft := f.Type
		switch {
		case ft == durationType:
		case ft.Kind() == reflect.Struct:
			out = append(out, structKeys(ft, p)...)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			out = append(out, structKeys(ft.Elem(), p+"[]")...)
		}
	}
	return out
}

// The digest times read as times of day, earliest first, whatever order
// the file lists them in; the immediate kinds as alert kinds.
func TestDigestTimes(t *testing.T) {
	c, err := Parse([]byte("mail:\n  digest_times: [\"16:30\", \"08:00\"]\n  immediate_kinds: [escalation, proposal_escalation]\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := c.Mail.DigestClock()
	if len(got) != 2 || got[0] != 8*time.Hour || got[1] != 16*time.Hour+30*time.Minute {
		t.Errorf("DigestClock = %v, want [8h 16h30m]", got)
	}
	if !c.Mail.Immediate(finding.AlertEscalation) || !c.Mail.Immediate(finding.AlertProposalEscalation) || c.Mail.Immediate(finding.AlertDeadline) {
		t.Errorf("Immediate: %v", c.Mail.ImmediateKinds)
	}
	if d := Default().Mail.DigestClock(); len(d) != 1 || d[0] != 8*time.Hour {
		t.Errorf("default digest times %v, want one at 08:00", d)
	}
}

// The status page fails closed: a password without a user, or an address
// other machines reach with no password, stops the start naming the
// field, unless allow_open says it is on purpose.
func TestHTTPFailsClosed(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short.key")
	long := filepath.Join(dir, "link.key")
	if err := os.WriteFile(short, []byte("too short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(long, []byte(strings.Repeat("k", 40)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, yaml string
		env        map[string]string
		want       string // "" = accepted
	}{
		{"loopback, no auth", "http:\n  listen: 127.0.0.1:9138\n", nil, ""},
		{"localhost, no auth", "http:\n  listen: localhost:9138\n", nil, ""},
		{"password without user", "", map[string]string{"CHUYENHOA_HTTP_PASSWORD": "pw"}, "http.user: is empty but a password is set"},
		{"user without password", "http:\n  user: admin\n", nil, "http.user: \"admin\" is set but there is no password"},
		{"all interfaces, no auth", "http:\n  listen: 0.0.0.0:9138\n", nil, "http.listen: \"0.0.0.0:9138\" is reachable from other machines"},
		{"empty host, no auth", "http:\n  listen: \":9138\"\n", nil, "http.listen: \":9138\" is reachable"},
		{"from the environment", "", map[string]string{"CHUYENHOA_HTTP_LISTEN": "10.0.0.5:80"}, "(set by CHUYENHOA_HTTP_LISTEN)"},
		{"all interfaces, allowed open", "http:\n  listen: 0.0.0.0:9138\n  allow_open: true\n", nil, ""},
		{"allowed open from the environment", "http:\n  listen: 0.0.0.0:9138\n", map[string]string{"CHUYENHOA_HTTP_ALLOW_OPEN": "true"}, ""},
		{"allow open not a boolean", "", map[string]string{"CHUYENHOA_HTTP_ALLOW_OPEN": "yes please"}, "CHUYENHOA_HTTP_ALLOW_OPEN: \"yes please\" is not true or false"},
		{"all interfaces with auth", "http:\n  listen: 0.0.0.0:9138\n  user: admin\n", map[string]string{"CHUYENHOA_HTTP_PASSWORD": "pw"}, ""},
		{"password from a file", "http:\n  listen: 0.0.0.0:9138\n  user: admin\n  password_file: " + long + "\n", nil, ""},
		{"password file missing", "http:\n  user: admin\n  password_file: " + filepath.Join(dir, "none") + "\n", nil, "http.password_file: cannot read"},
		{"public URL without a key", "http:\n  public_url: https://bcd138.example.gov.vn\n", nil, "http.public_url: is set but the committees' links have no signing key"},
		{"public URL not absolute", "http:\n  public_url: bcd138.example.gov.vn\n", map[string]string{"CHUYENHOA_LINK_KEY": strings.Repeat("k", 32)}, "http.public_url: \"bcd138.example.gov.vn\" is not an absolute"},
		{"short key from the environment", "http:\n  public_url: https://x.example\n", map[string]string{"CHUYENHOA_LINK_KEY": "short"}, "CHUYENHOA_LINK_KEY: the link key has 5 bytes"},
		{"short key file", "http:\n  public_url: https://x.example\n  link_key_file: " + short + "\n", nil, "http.link_key_file: the link key has 9 bytes"},
		{"key file", "http:\n  public_url: https://x.example/trang\n  link_key_file: " + long + "\n  link_ttl: 72h\n", nil, ""},
		{"no lifetime", "http:\n  link_ttl: 0s\n", nil, "http.link_ttl: 0s must be above 0"},
	} {
		cfg, err := Parse([]byte(c.yaml), env(c.env))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.want != "" && err == nil:
			t.Errorf("%s: accepted, want %q", c.name, c.want)
		case c.want != "" && !strings.Contains(err.Error(), c.want):
			t.Errorf("%s: %v\nwant %q", c.name, err, c.want)
		case c.name == "key file" && (string(cfg.HTTP.LinkKey) != strings.Repeat("k", 40) || cfg.HTTP.LinkTTL.Duration != 72*time.Hour):
			t.Errorf("key file: key %q, ttl %s", cfg.HTTP.LinkKey, cfg.HTTP.LinkTTL)
		}
	}
}
