package store

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net/url"
	"testing"

	"github.com/lib/pq"
)

// Every PostgreSQL connection gets a connect timeout unless the URL or
// PGCONNECT_TIMEOUT sets one: a server that accepts and never answers
// must not hang the start or a reconnect.
func TestWithConnectTimeout(t *testing.T) {
	t.Setenv("PGCONNECT_TIMEOUT", "")
	for _, c := range []struct{ in, want string }{
		{"postgres://u@h:5432/db?sslmode=disable", "30"},
		{"postgres://u@h/db", "30"},
		{"postgres://u@h/db?connect_timeout=5", "5"},
	} {
		u, err := url.Parse(withConnectTimeout(c.in))
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
	if got := withConnectTimeout("postgres://u@h/db"); got != "postgres://u@h/db" {
		t.Errorf("with PGCONNECT_TIMEOUT set the URL became %s", got)
	}
}

func mustQuery(t *testing.T, raw string) url.Values {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// ConnectionLost tells a lost connection (what a database restart looks
// like) from an error about the data.
func TestConnectionLost(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&pq.Error{Code: "57P01"}, true}, // terminating connection due to administrator command
		{fmt.Errorf("finish run: %w", driver.ErrBadConn), true},
		{fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{&pq.Error{Code: "08006"}, true},  // connection failure
		{&pq.Error{Code: "23505"}, false}, // unique violation
		{errors.New("count statistics: unit X has offences of category 7"), false},
		{nil, false},
	} {
		if got := ConnectionLost(c.err); got != c.want {
			t.Errorf("ConnectionLost(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
