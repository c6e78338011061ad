package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Bad configuration stops every command that loads it before it does
// anything, with exit code 1 and a message that names the field and says
// what to write instead. The database is a SQLite file that is never
// created, so none of these needs PostgreSQL — except the unreachable
// one, which points at a port nothing listens on.
func TestBadConfigurationStopsWithTheFieldAndAFix(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "never.db")
	cases := []struct {
		name string
		yaml string
		want []string // all in stderr
		// checkConfig: check-config reports it too (it does not connect).
		checkConfig bool
	}{
		{"invalid cron spec", "schedule:\n  deadlines: \"0 25 * * *\"\n",
			[]string{"schedule.deadlines", `"0 25 * * *" is not a cron spec`, `use 5 fields, e.g. "0 7 * * *"`}, true},
		{"cron spec with seconds", "schedule:\n  send: \"*/30 * * * * *\"\n",
			[]string{"schedule.send", "use 5 fields"}, true},
		{"unknown job in the schedule", "schedule:\n  backup: \"0 1 * * *\"\n",
			[]string{"schedule.backup: unknown job", "use one of"}, true},
		{"unknown time zone", "timezone: Asia/Quang_Ngai\n",
			[]string{"timezone", `"Asia/Quang_Ngai" is not a known time zone`, "Asia/Ho_Chi_Minh"}, true},
		{"bad sender address", "mail:\n  from: \"Ban Chỉ đạo 138\"\n",
			[]string{"mail.from", "is not an email address", "bcd138@example.gov.vn"}, true},
		{"bad recipient address", "recipients:\n  province: [\"bcd138 at congan.quangngai.gov.vn\"]\n  districts:\n    D01: [\"d01@\"]\n",
			[]string{"recipients.province[0]", "recipients.districts.D01[0]", "write name@domain"}, true},
		{"unsupported database URL", "database:\n  url: \"mysql://root@127.0.0.1/chuyenhoa\"\n",
			[]string{"database.url", "is not supported", "use sqlite:FILE or postgres://"}, true},
		{"unreachable database", "database:\n  url: \"postgres://postgres@127.0.0.1:1/test?sslmode=disable\"\n",
			[]string{"database.url", "connection refused", "Check that the database server is running"}, false},
		{"obligation due on a day that does not exist", "obligations:\n  - code: report_h1\n    name: \"Báo cáo sơ kết 6 tháng\"\n    period: half1\n    due: \"02-30\"\n",
			[]string{"obligations[0].due", `"02-30" is not a date that exists every year`, `"MM-DD"`}, true},
		{"obligation due on 29 February", "obligations:\n  - code: report_year\n    name: \"Báo cáo năm\"\n    period: year\n    due: \"02-29\"\n",
			[]string{"obligations[0].due", "exists every year"}, true},
		{"obligation due in month 13", "proposals:\n  due: \"13-01\"\n",
			[]string{"proposals.due", `"13-01" is not a date that exists every year`}, true},
		{"per-commune obligation due at once", "obligations:\n  - code: plan\n    name: \"Kế hoạch chuyển hóa\"\n    per_unit: true\n    due_after_decision_days: 0\n",
			[]string{"obligations[0].due_after_decision_days", "must be at least 1"}, true},
		{"negative escalation", "obligations:\n  - code: report_h1\n    name: \"Báo cáo\"\n    period: half1\n    due: \"06-20\"\n    escalate_after_days: -3\n",
			[]string{"obligations[0].escalate_after_days", "is negative; use 0 or more"}, true},
		{"unknown key", "mail:\n  smtp:\n    hots: smtp.example.gov.vn\n",
			[]string{"mail.smtp.hots: unknown key", "known keys here"}, true},
	}
	for _, c := range cases {
		yaml := "http:\n  listen: \"127.0.0.1:0\"\n" + c.yaml
		if !strings.Contains(c.yaml, "database:") {
			yaml = "database:\n  url: \"" + db + "\"\n" + yaml
		}
		path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".yaml")
		if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		commands := [][]string{{"serve"}, {"run-once", "all"}, {"notify"}}
		if c.checkConfig {
			commands = append(commands, []string{"check-config"})
		}
		for _, args := range commands {
			p := startProc(t, path, nil, args...)
			code := p.wait(time.Minute)
			stderr := p.errb.String()
			if code != 1 {
				t.Errorf("%s: chuyenhoa %s exited %d, want 1; stderr:\n%s", c.name, strings.Join(args, " "), code, stderr)
				continue
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("%s: chuyenhoa %s does not say %q:\n%s", c.name, strings.Join(args, " "), w, stderr)
				}
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "never.db")); err == nil {
		t.Errorf("a command with a bad configuration created the database")
	}
}
