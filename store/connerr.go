package store

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/lib/pq"
)

// ConnectionLost reports whether err means the database connection went
// away under a statement: the server restarted or terminated the session
// (PostgreSQL error classes 57 and 08), or the network failed. Such a
// failure says nothing about the data; a later attempt can succeed.
func ConnectionLost(err error) bool {
	if err == nil {
		return false
	}
	var pe *pq.Error
	if errors.As(err, &pe) {
		class := string(pe.Code.Class())
		return class == "57" || class == "08"
	}
	var ne net.Error
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &ne) {
		return true
	}
	// lib/pq reports a connection closed under it as plain text.
	msg := err.Error()
	return strings.Contains(msg, "bad connection") || strings.Contains(msg, "connection reset by peer") ||
		strings.Contains(msg, "broken pipe") || strings.Contains(msg, "server closed the connection")
}
