package store

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/lib/pq"
)

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
