// Package dburl reads the service's database URL, once, for everyone who
// needs it: the configuration check, store.Open, serve's SQLite lock and
// every log line or error that shows the URL.
//
// It exists because the URL used to be cut apart in three places that
// disagreed (store.Open took sqlite3: and sqlite://, the configuration
// refused them). The accepted forms are decided here:
//
//	sqlite:FILE, sqlite://FILE, sqlite3:FILE   a SQLite database file; a
//	                                           ?query goes to the driver
//	postgres://…, postgresql://…               a PostgreSQL connection URL
//
// The scheme is case-insensitive. In-memory SQLite (:memory:, mode=memory)
// is refused: every pooled connection would get its own empty database.
package dburl

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"strings"
)

// Dialects, as store.Store.Dialect reports them.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
)

// use is what every refusal suggests instead.
const use = "use sqlite:FILE or postgres://user@host/db"

// URL is a parsed database URL. Its String form is redacted, so a URL put
// in a message or a log line never shows a password.
type URL struct {
	// Dialect is Postgres or SQLite.
	Dialect string
	// Path is the SQLite database file as written (a relative path is
	// relative to the working directory); empty for PostgreSQL.
	Path string
	// Query is the SQLite URL's query without the '?', parameters for the
	// driver; empty for PostgreSQL.
	Query string

	raw string
}

// Parse checks a database URL and splits it. The error quotes the URL
// redacted and says what to write instead; it never repeats a part of a
// secret, not even one that a parser cut off in the wrong place.
func Parse(raw string) (URL, error) {
	if keyValue.MatchString(raw) {
		return URL{}, fmt.Errorf("%q is a key=value connection string, which is not supported; write it as a URL: postgres://user:password@host:5432/dbname?sslmode=verify-full (percent-encode a password that holds @ : / ? # or %%)", Redact(raw))
	}
	scheme, rest, ok := strings.Cut(raw, ":")
	if !ok || !schemeName.MatchString(scheme) {
		return URL{}, fmt.Errorf("%q is not supported; %s (no scheme)", Redact(raw), use)
	}
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3":
		path, query, _ := strings.Cut(strings.TrimPrefix(rest, "//"), "?")
		if path == "" {
			return URL{}, fmt.Errorf("%q names no file; use e.g. sqlite:chuyenhoa.db", Redact(raw))
		}
		if path == ":memory:" || strings.Contains(query, "mode=memory") {
			return URL{}, fmt.Errorf("%q is in-memory SQLite, which is not supported: every pooled connection would get its own empty database; use a file, e.g. sqlite:chuyenhoa.db", Redact(raw))
		}
		return URL{Dialect: SQLite, Path: path, Query: query, raw: raw}, nil
	case "postgres", "postgresql":
		if !strings.HasPrefix(rest, "//") {
			return URL{}, fmt.Errorf("%q is not supported; %s (a PostgreSQL URL starts with %s://)", Redact(raw), use, scheme)
		}
		pu, err := url.Parse(raw)
		if err != nil {
			return URL{}, fmt.Errorf("%q is not a valid URL: %s; use postgres://user@host:5432/db", Redact(raw), parseProblem(raw))
		}
		if strings.Contains(raw, "#") {
			// lib/pq ignores a fragment; one here is nearly always a '#'
			// in the password that cut the URL short.
			hint := "remove it"
			if pu.User == nil && strings.Contains(pu.Fragment, "@") {
				hint = "it seems to be in the password: write a '#' there as %23"
			}
			return URL{}, fmt.Errorf("%q is not a valid PostgreSQL URL: it has a '#', which starts a fragment; %s", Redact(raw), hint)
		}
		return URL{Dialect: Postgres, raw: raw}, nil
	default:
		return URL{}, fmt.Errorf("%q is not supported; %s (unknown scheme %q)", Redact(raw), use, scheme)
	}
}

var (
	// keyValue is the start of a libpq key=value connection string
	// ("host=db user=chuyenhoa password=…").
	keyValue = regexp.MustCompile(`^\s*[A-Za-z_]+\s*=`)
	// schemeName is a URL scheme as RFC 3986 defines it.
	schemeName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*$`)
)

// parseProblem says why net/url refused raw, without quoting any of it:
// its errors quote the piece they stumble on ("invalid port \":pa\""),
// which for a password holding '#', '/' or '?' is the start of the
// password. The redacted URL is parsed instead; when that one parses, the
// trouble is inside the secret.
func parseProblem(raw string) string {
	_, err := url.Parse(Redact(raw))
	if err == nil {
		return "the user name or password holds a character that must be percent-encoded (@ %40, : %3A, / %2F, ? %3F, # %23, % %25)"
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err // url.Error would repeat the whole URL
	}
	return err.Error()
}

// String is the URL as written with its secrets hidden (see Redact).
func (u URL) String() string { return Redact(u.raw) }

// LogValue logs the URL as its String, whatever the slog handler.
func (u URL) LogValue() slog.Value { return slog.StringValue(u.String()) }

// defaultConnectTimeout bounds how long opening one PostgreSQL connection
// may take, handshake included. Without it a server that accepts the TCP
// connection and never answers (a half-dead host, a firewall that drops
// packets) hangs the start, or a job whose pool reconnects after a
// restart, for as long as the kernel keeps the socket.
const defaultConnectTimeout = "30"

// PostgresDSN is the URL to hand lib/pq: as written, with connect_timeout
// added when neither the URL nor PGCONNECT_TIMEOUT sets one. It is empty
// for SQLite.
func (u URL) PostgresDSN() string {
	if u.Dialect != Postgres {
		return ""
	}
	if os.Getenv("PGCONNECT_TIMEOUT") != "" {
		return u.raw
	}
	pu, err := url.Parse(u.raw)
	if err != nil {
		return u.raw // Parse accepted it, so this does not happen
	}
	q := pu.Query()
	if q.Has("connect_timeout") {
		return u.raw
	}
	q.Set("connect_timeout", defaultConnectTimeout)
	pu.RawQuery = q.Encode()
	return pu.String()
}

// Redact hides the secrets of a database URL, valid or not, for logs and
// messages; each becomes "***":
//
//   - the password in the user information (scheme://user:password@host),
//     also when an unescaped '@', '/', '?' or '#' in it breaks the URL;
//   - the value of every query parameter whose name speaks of a secret
//     (password, sslpassword, passfile, …; see secretKey), percent-encoded
//     names included;
//   - the same in a libpq key=value string ("host=db password='…'"), and
//     "user:password@" in a string that is no URL at all.
//
// Every place that shows a database URL goes through here, so a new kind
// of secret is hidden everywhere by extending this one function. It hides
// too much rather than too little: a message loses some detail, a password
// never shows.
func Redact(raw string) string {
	if strings.Contains(raw, "://") {
		return redactQuery(redactUserinfo(raw))
	}
	s := redactKeyValue(raw)
	if scheme, _, _ := strings.Cut(s, ":"); strings.EqualFold(scheme, "sqlite") || strings.EqualFold(scheme, "sqlite3") {
		return s // a file name may hold ':' and '@'
	}
	return redactBareUserinfo(s)
}

// keyValueSecret is the key of a secret in key=value text, with its '='.
var keyValueSecret = regexp.MustCompile(`(?i)\b[\w.-]*(?:pass|secret|token|pwd)[\w.-]*\s*=\s*`)

// redactKeyValue hides the values of secret keys in key=value text. A
// value is single-quoted with backslash escapes, as libpq reads it (an
// unterminated quote runs to the end), or runs to the next space; words
// after it that are no key=value are hidden with it, since they are most
// likely the rest of a password with a space.
func redactKeyValue(raw string) string {
	var b strings.Builder
	rest := raw
	for {
		loc := keyValueSecret.FindStringIndex(rest)
		if loc == nil {
			b.WriteString(rest)
			return b.String()
		}
		b.WriteString(rest[:loc[1]])
		b.WriteString("***")
		rest = rest[loc[1]:]
		if strings.HasPrefix(rest, "'") {
			end := len(rest)
			for i := 1; i < len(rest); i++ {
				if rest[i] == '\\' {
					i++
				} else if rest[i] == '\'' {
					end = i + 1
					break
				}
			}
			rest = rest[end:]
			if rest == "" || strings.ContainsAny(rest[:1], " \t\n") {
				continue
			}
			// A quote inside the quotes: hide on to the next space.
		}
		for {
			i := strings.IndexAny(rest, " \t\n")
			if i < 0 {
				rest = ""
				break
			}
			next := strings.TrimLeft(rest[i:], " \t\n")
			word, _, _ := strings.Cut(next, " ")
			if next == "" || strings.Contains(word, "=") {
				rest = rest[i:]
				break
			}
			rest = next
		}
	}
}

// secretKey reports whether a connection parameter holds a secret.
// lib/pq reads password, sslpassword and passfile (a path, hidden too).
func secretKey(key string) bool {
	k := strings.ToLower(key)
	for _, w := range []string{"pass", "secret", "token", "pwd"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// redactQuery hides the values of secret query parameters. The query is
// everything after the first '?' and is split on '&' only, so a value with
// an unescaped '#' or ';' is hidden whole, and pieces without '=' after a
// secret are taken for the rest of it.
func redactQuery(raw string) string {
	head, query, ok := strings.Cut(raw, "?")
	if !ok {
		return raw
	}
	parts := strings.Split(query, "&")
	changed, hiding := false, false
	for i, p := range parts {
		k, _, hasValue := strings.Cut(p, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		switch {
		case hasValue && secretKey(k):
			parts[i] = p[:strings.Index(p, "=")] + "=***"
			changed, hiding = true, true
		case !hasValue && hiding:
			// No parameter: the rest of a secret holding an unescaped '&'.
			parts[i] = "***"
		default:
			hiding = false
		}
	}
	if !changed {
		return raw
	}
	return head + "?" + strings.Join(parts, "&")
}

// redactBareUserinfo hides "user:password@" in a string without "://"
// (a Go MySQL DSN "root:pw@tcp(h)/db", or "postgres:u:pw@h/db"): from the
// first ':' to the last '@'.
func redactBareUserinfo(raw string) string {
	at := strings.LastIndex(raw, "@")
	if at < 0 {
		return raw
	}
	i := strings.Index(raw[:at], ":")
	if i < 0 {
		return raw
	}
	return raw[:i+1] + "***" + raw[at:]
}

// redactUserinfo replaces the password in scheme://user:password@host….
// The user information ends at the last '@' of the authority, as net/url
// reads it; when the authority has none but the rest of the URL does, the
// password probably holds an unescaped '/', '?' or '#', so everything up to
// the last '@' is taken as user information: hiding too much is better
// than showing a password.
func redactUserinfo(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		return raw
	}
	head, rest := raw[:i+3], raw[i+3:]
	authority := rest
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		authority = rest[:j]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		at = strings.LastIndex(rest, "@")
	}
	if at < 0 {
		return raw
	}
	user, _, hasPassword := strings.Cut(rest[:at], ":")
	if !hasPassword {
		return raw
	}
	return head + user + ":***" + rest[at:]
}
