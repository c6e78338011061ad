package valid

import (
	"strings"
	"testing"
	"time"
)

func TestName(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"Xã Bình Sơn", true},
		{"", false},
		{"  ", false},
		{"Bình\nSơn", false},
		{"Bình\rSơn", false},
		{"Bình\x1b[31mSơn", false},
		{"\xe0\xe1", false},
		{strings.Repeat("a", MaxNameRunes), true},
		{strings.Repeat("ă", MaxNameRunes+1), false},
	} {
		if err := Name(c.in); (err == nil) != c.ok {
			t.Errorf("Name(%q) = %v, want ok=%v", c.in, err, c.ok)
		}
	}
}

func TestCode(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"D03X04", true}, {"X-01_a.b", true}, {"", false}, {"X 01", false}, {"X\n01", false},
		{"Xã", false}, {"X/1", false}, {strings.Repeat("A", MaxCodeLen), true}, {strings.Repeat("A", MaxCodeLen+1), false},
	} {
		if err := Code(c.in); (err == nil) != c.ok {
			t.Errorf("Code(%q) = %v, want ok=%v", c.in, err, c.ok)
		}
	}
}

func TestCount(t *testing.T) {
	for _, c := range []struct {
		in int64
		ok bool
	}{{0, true}, {MaxCount, true}, {MaxCount + 1, false}, {-1, false}, {1<<63 - 1, false}} {
		if err := Count(c.in); (err == nil) != c.ok {
			t.Errorf("Count(%d) = %v, want ok=%v", c.in, err, c.ok)
		}
	}
}

func TestDay(t *testing.T) {
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in time.Time
		ok bool
	}{
		{today, true}, {time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), false}, {today.AddDate(0, 0, 1), false},
	} {
		if err := Day(c.in, today); (err == nil) != c.ok {
			t.Errorf("Day(%s) = %v, want ok=%v", c.in, err, c.ok)
		}
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"Xã Bình Sơn":            "Xã Bình Sơn",
		"Bình\r\nSơn":            "Bình Sơn",
		"  a \t b  ":             "a b",
		"Bình\x1b[31mSơn":        "Bình [31mSơn",
		"\xe0x":                  "\uFFFDx",
		strings.Repeat("ă", 205): strings.Repeat("ă", MaxNameRunes) + "…",
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReasons(t *testing.T) {
	for _, c := range []struct {
		err  error
		want Reason
	}{
		{Name("\xe0"), NotUTF8}, {Name(" "), Empty}, {Name(strings.Repeat("a", MaxNameRunes+1)), TooLong},
		{Name("a\nb"), LineBreak}, {Name("a\u2028b"), LineBreak}, {Name("a\x1bb"), Control},
		{Code(""), Empty}, {Code(strings.Repeat("A", MaxCodeLen+1)), TooLong}, {Code("Đ1"), NotASCII},
	} {
		e, ok := c.err.(*Error)
		if !ok || e.Reason != c.want {
			t.Errorf("%v: reason %v, want %d", c.err, e, c.want)
		}
	}
}

func TestCleanPlain(t *testing.T) {
	for _, in := range []string{"D01X05", "a b", "a  b", " a", "a ", "", strings.Repeat("A", MaxNameRunes+1), "a\x7fb", "Xã"} {
		want := in
		if !plain(in) {
			continue
		}
		// What the fast path returns is what the full path would.
		if got := cleanSlow(in); got != want {
			t.Errorf("plain(%q) but Clean gives %q", in, got)
		}
	}
	if plain("a  b") || plain(" a") || plain("a\x7fb") || plain("Xã") || !plain("D01X05") {
		t.Error("plain misjudges")
	}
}

// cleanSlow is Clean without its fast path: a trailing control character
// makes the string not plain, and Clean drops it.
func cleanSlow(s string) string { return Clean(s + "\x00") }
