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
// redacted and says what to write instead.
func Parse(raw string) (URL, error) {
	scheme, rest, ok := strings.Cut(raw, ":")
	if !ok {
		return URL{}, fmt.Errorf("%q is not supported; %s (no scheme)", Redact(raw), use)
	}
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3":
		path, query, _ := strings.Cut(strings.TrimPrefix(rest, "//"), "?")
		if path == "" {
			return URL{}, fmt.Errorf("%q names no file; use e.g. sqlite:chuyenhoa.db", raw)
		}
		if path == ":memory:" || strings.Contains(query, "mode=memory") {
			return URL{}, fmt.Errorf("%q is in-memory SQLite, which is not supported: every pooled connection would get its own empty database; use a file, e.g. sqlite:chuyenhoa.db", raw)
		}
		return URL{Dialect: SQLite, Path: path, Query: query, raw: raw}, nil
	case "postgres", "postgresql":
		if !strings.HasPrefix(rest, "//") {
			return URL{}, fmt.Errorf("%q is not supported; %s (a PostgreSQL URL starts with %s://)", Redact(raw), use, scheme)
		}
		if _, err := url.Parse(raw); err != nil {
			// url.Error would repeat the URL with its password.
			var uerr *url.Error
			if errors.As(err, &uerr) {
				err = uerr.Err
			}
			return URL{}, fmt.Errorf("%q is not a valid URL: %v; use postgres://user@host:5432/db", Redact(raw), err)
		}
		return URL{Dialect: Postgres, raw: raw}, nil
	default:
		return URL{}, fmt.Errorf("%q is not supported; %s (unknown scheme %q)", Redact(raw), use, scheme)
	}
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
// messages: today the password in the URL's user information, which
// becomes "***". Every place that shows a database URL goes through here,
// so a new kind of secret (a password= query parameter, a key=value DSN)
// is hidden everywhere by extending this one function.
func Redact(raw string) string {
	return redactUserinfo(raw)
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
