package dburl_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"chuyenhoa/dburl"
)

func TestParseAccepts(t *testing.T) {
	for _, c := range []struct {
		in, dialect, path, query string
	}{
		{"sqlite:chuyenhoa.db", dburl.SQLite, "chuyenhoa.db", ""},
		{"sqlite:/var/lib/chuyenhoa/chuyenhoa.db", dburl.SQLite, "/var/lib/chuyenhoa/chuyenhoa.db", ""},
		{"sqlite://chuyenhoa.db", dburl.SQLite, "chuyenhoa.db", ""},
		{"sqlite:///var/lib/x.db", dburl.SQLite, "/var/lib/x.db", ""},
		{"sqlite3:x.db?_pragma=cache_size(-2000)", dburl.SQLite, "x.db", "_pragma=cache_size(-2000)"},
		{"SQLite:x.db", dburl.SQLite, "x.db", ""},
		{"postgres://u@h:5432/db?sslmode=disable", dburl.Postgres, "", ""},
		{"postgresql://u:p@h/db", dburl.Postgres, "", ""},
		{"postgres:///db?host=/run/postgresql", dburl.Postgres, "", ""},
	} {
		u, err := dburl.Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if u.Dialect != c.dialect || u.Path != c.path || u.Query != c.query {
			t.Errorf("Parse(%q) = dialect %q, path %q, query %q; want %q, %q, %q",
				c.in, u.Dialect, u.Path, u.Query, c.dialect, c.path, c.query)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"mysql://root@localhost/x", `"mysql://root@localhost/x" is not supported; use sqlite:FILE or postgres://user@host/db (unknown scheme "mysql")`},
		{"mysql://u:secret@h/db", `"mysql://u:***@h/db" is not supported`},
		{"chuyenhoa.db", `"chuyenhoa.db" is not supported; use sqlite:FILE or postgres://user@host/db (no scheme)`},
		{"", `"" is not supported`},
		{"sqlite:", `"sqlite:" names no file; use e.g. sqlite:chuyenhoa.db`},
		{"sqlite://", `"sqlite://" names no file`},
		{"sqlite3:?cache=shared", `"sqlite3:?cache=shared" names no file`},
		{"sqlite::memory:", `"sqlite::memory:" is in-memory SQLite, which is not supported`},
		{"sqlite:x.db?mode=memory", `"sqlite:x.db?mode=memory" is in-memory SQLite`},
		{"postgres:db", `"postgres:db" is not supported; use sqlite:FILE or postgres://user@host/db (a PostgreSQL URL starts with postgres://)`},
		{"postgres://u:secret@h:port/db", `"postgres://u:***@h:port/db" is not a valid URL: invalid port ":port" after host; use postgres://user@host:5432/db`},
		{"host=db user=u password=secret dbname=x", `"host=db user=u password=*** dbname=x" is a key=value connection string, which is not supported; write it as a URL: postgres://user:password@host:5432/dbname`},
		{"postgres://u:se#cret@h/db", `"postgres://u:***@h/db" is not a valid URL: the user name or password holds a character that must be percent-encoded`},
		{"postgres://u:12#secret@h/db", `"postgres://u:***@h/db" is not a valid PostgreSQL URL: it has a '#', which starts a fragment; it seems to be in the password: write a '#' there as %23`},
		{"postgres://u:se/cret@h/db", `is not a valid URL: the user name or password holds a character that must be percent-encoded`},
		{"postgres://u:se%cret@h/db", `is not a valid URL: the user name or password holds a character that must be percent-encoded`},
		{"postgres://u@h/db#x", `it has a '#', which starts a fragment; remove it`},
		{"root:secret@tcp(h)/db", `"root:***@tcp(h)/db" is not supported; use sqlite:FILE or postgres://user@host/db (unknown scheme "root")`},
		{"a b:secret@h", `"a b:***@h" is not supported; use sqlite:FILE or postgres://user@host/db (no scheme)`},
	} {
		_, err := dburl.Parse(c.in)
		if err == nil {
			t.Errorf("Parse(%q) accepted it", c.in)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q): %q, want it to contain %q", c.in, err, c.want)
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("Parse(%q): the message shows the password: %q", c.in, err)
		}
	}
}

func TestRedact(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"postgres://chuyenhoa:s3cret@db:5432/chuyenhoa?sslmode=verify-full", "postgres://chuyenhoa:***@db:5432/chuyenhoa?sslmode=verify-full"},
		{"mysql://u:secret@h/db", "mysql://u:***@h/db"},
		{"postgres://:secret@h/db", "postgres://:***@h/db"},
		// Nothing secret: unchanged, byte for byte.
		{"postgres://u@h/db?sslmode=disable", "postgres://u@h/db?sslmode=disable"},
		{"postgres://h/db", "postgres://h/db"},
		{"sqlite:chuyenhoa.db", "sqlite:chuyenhoa.db"},
		{"postgres://u@h/db?application_name=a:b@c", "postgres://u@h/db?application_name=a:b@c"},
		// Passwords written without escaping: an '@', '/', '?' or '#' in
		// them must not let the rest show.
		{"postgres://u:p@ss@h/db", "postgres://u:***@h/db"},
		{"postgres://u:pa/ss@h/db", "postgres://u:***@h/db"},
		{"postgres://u:pa?ss@h/db", "postgres://u:***@h/db"},
		{"postgres://u:pa#ss@h/db", "postgres://u:***@h/db"},
		// Not parseable by net/url: still redacted.
		{"postgres://u:secret@h:port/db", "postgres://u:***@h:port/db"},
		// Secrets as query parameters, whatever their spelling.
		{"postgres://u@h/db?password=secret&sslmode=disable", "postgres://u@h/db?password=***&sslmode=disable"},
		{"postgres://u@h/db?sslmode=verify-full&sslpassword=secret", "postgres://u@h/db?sslmode=verify-full&sslpassword=***"},
		{"postgres://u@h/db?PASSWORD=secret", "postgres://u@h/db?PASSWORD=***"},
		{"postgres://u@h/db?pass%77ord=secret", "postgres://u@h/db?pass%77ord=***"},
		{"postgres://u@h/db?password=sec&ret&sslmode=disable", "postgres://u@h/db?password=***&***&sslmode=disable"},
		{"postgres://u@h/db?password=sec#ret", "postgres://u@h/db?password=***"},
		{"postgres://u:secret@h/db?password=secret", "postgres://u:***@h/db?password=***"},
		// key=value connection strings.
		{"host=db user=u password=secret dbname=x", "host=db user=u password=*** dbname=x"},
		{"host=db password = 'sec ret\\'s' dbname=x", "host=db password = *** dbname=x"},
		{"host=db password='unterminated dbname=x", "host=db password=***"},
		{"host=db password=sec ret dbname=x", "host=db password=*** dbname=x"},
		{"host=db sslpassword=secret", "host=db sslpassword=***"},
		// user:password@ without "://".
		{"root:secret@tcp(127.0.0.1:3306)/db", "root:***@tcp(127.0.0.1:3306)/db"},
		{"postgres:u:secret@h/db", "postgres:***@h/db"},
		// A SQLite file name may hold ':' and '@'.
		{"sqlite:/data/a:b@c.db", "sqlite:/data/a:b@c.db"},
	} {
		if got := dburl.Redact(c.in); got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	u, err := dburl.Parse("postgres://u:secret@h/db")
	if err != nil {
		t.Fatal(err)
	}
	if got := u.String(); got != "postgres://u:***@h/db" {
		t.Errorf("String() = %q, want the redacted URL", got)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("open", "database", u)
	if got := buf.String(); !strings.Contains(got, `"database":"postgres://u:***@h/db"`) || strings.Contains(got, "secret") {
		t.Errorf("JSON log line %s, want the redacted URL as a string", got)
	}
}

// A planted password, split by every character that can break a URL,
// never shows in Redact's result nor in Parse's error, in any of the forms
// a database URL is written in.
func TestSecretNeverShows(t *testing.T) {
	const mark = "Plant3d"
	var secrets []string
	for _, sep := range []string{"", "#", "@", "/", "?", "%", ":", "&", " ", "'", `\`, "=", ";", "%23", "@h:1"} {
		secrets = append(secrets, mark+"a"+sep+mark+"b")
	}
	forms := []string{
		"postgres://u:%s@127.0.0.1:5432/db?sslmode=disable",
		"postgresql://u:%s@h:bad/db",
		"postgres://u@h/db?password=%s",
		"postgres://u@h/db?sslmode=disable&password=%s&application_name=x",
		"postgres://u@h/db?sslpassword=%s",
		"postgres://u@h/db?pass%%77ord=%s",
		"host=h user=u password=%s dbname=d",
		"host=h user=u password='%s' dbname=d",
		"mysql://u:%s@h/db",
		"u:%s@h/db",
		"postgres:u:%s@h/db",
	}
	for _, f := range forms {
		for _, pw := range secrets {
			raw := fmt.Sprintf(f, pw)
			if got := dburl.Redact(raw); strings.Contains(got, mark) {
				t.Errorf("Redact(%q) = %q", raw, got)
			}
			if u, err := dburl.Parse(raw); err != nil && strings.Contains(err.Error(), mark) {
				t.Errorf("Parse(%q): %v", raw, err)
			} else if err == nil && strings.Contains(u.String(), mark) {
				t.Errorf("Parse(%q).String() = %q", raw, u)
			}
		}
	}
}

// Every PostgreSQL connection gets a connect timeout unless the URL or
// PGCONNECT_TIMEOUT sets one: a server that accepts and never answers
// must not hang the start or a reconnect.
func TestPostgresDSNConnectTimeout(t *testing.T) {
	t.Setenv("PGCONNECT_TIMEOUT", "")
	for _, c := range []struct{ in, want string }{
		{"postgres://u@h:5432/db?sslmode=disable", "30"},
		{"postgres://u@h/db", "30"},
		{"postgres://u@h/db?connect_timeout=5", "5"},
	} {
		u, err := url.Parse(dsn(t, c.in))
		if err != nil {
			t.Fatal(err)
		}
		if got := u.Query().Get("connect_timeout"); got != c.want {
			t.Errorf("%s: connect_timeout %q, want %q", c.in, got, c.want)
		}
		if u.Query().Get("sslmode") != mustQuery(t, c.in).Get("sslmode") {
			t.Errorf("%s: other parameters changed: %s", c.in, u)
		}
	}
	t.Setenv("PGCONNECT_TIMEOUT", "7")
	if got := dsn(t, "postgres://u@h/db"); got != "postgres://u@h/db" {
		t.Errorf("with PGCONNECT_TIMEOUT set the URL became %s", got)
	}
	if u, err := dburl.Parse("sqlite:x.db"); err != nil || u.PostgresDSN() != "" {
		t.Errorf("PostgresDSN of a SQLite URL = %q, %v; want empty", u.PostgresDSN(), err)
	}
}

func dsn(t *testing.T, raw string) string {
	t.Helper()
	u, err := dburl.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.PostgresDSN()
}

func mustQuery(t *testing.T, raw string) url.Values {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}
