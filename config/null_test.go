package config

import (
	"strings"
	"testing"
)

// A section, list or map written without a value is refused: decoding it
// would silently erase its defaults (found by FuzzConfigParse: "schedule:"
// alone scheduled no job at all).
func TestNullSectionIsRefused(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"schedule:\n", "line 1: schedule: has no value"},
		{"obligations: ~\n", "line 1: obligations: has no value"},
		{"mail:\n  smtp: null\n", "line 2: mail.smtp: has no value"},
		{"recipients:\n  districts:\n    D01:\n", "line 3: recipients.districts.D01: has no value"},
	} {
		_, err := Parse([]byte(c.yaml), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "remove the key to keep them") {
			t.Errorf("%q: err = %v, want %q and how to fix it", c.yaml, err, c.want)
		}
	}
	// An explicit empty list is a choice, not an accident.
	c, err := Parse([]byte("obligations: []\nrecipients:\n  province: []\n"), nil)
	if err != nil || len(c.Obligations) != 0 {
		t.Errorf("obligations: [] → %v, %d obligations; want accepted and empty", err, len(c.Obligations))
	}
	// A scalar left empty is the empty value; Validate judges it.
	if _, err := Parse([]byte("mail:\n  smtp:\n    username:\n"), nil); err != nil {
		t.Errorf("an empty user name is refused: %v", err)
	}
}
