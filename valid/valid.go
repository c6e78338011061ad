// Package valid is the one definition of what a value read from the data
// may be: a name, a code, a count, a day. The importer rejects a value that
// fails it with the row and field; the data check of the shared database
// turns it into a data error with the row. Both call the same functions so
// that what one accepts the other accepts.
package valid

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

const (
	// MaxNameRunes bounds a unit's or district's name: the longest
	// Vietnamese commune names are under 40 characters; 200 leaves room
	// for an official long form while keeping every subject line and
	// table cell that names it far below what a mail server accepts.
	MaxNameRunes = 200
	// MaxCodeLen bounds a code. Codes are ASCII so that the configuration
	// (YAML), URLs and mail headers can name them as they are.
	MaxCodeLen = 32
	// MaxCount bounds one statistic row's count (one commune, one month,
	// one kind). No commune sees a million offences of a kind in a month;
	// the bound keeps every sum over ten years of a whole country inside
	// int64 and every stored value inside PostgreSQL's integer.
	MaxCount = 1_000_000
	// FirstYear is the earliest year the service has data for: the plan
	// it serves began in 2000-era statistics at the earliest.
	FirstYear = 2000
)

// Reason is why Name or Code refused a value, for a message in another
// language than the Error's own (the data errors are in Vietnamese).
type Reason int

// The reasons of an Error.
const (
	NotUTF8   Reason = iota + 1 // bytes that are not UTF-8
	Empty                       // nothing but blanks
	TooLong                     // more than MaxNameRunes or MaxCodeLen
	LineBreak                   // a line break in a name
	Control                     // a control character (a terminal escape) in a name
	NotASCII                    // a code character other than ASCII letters, digits, '-', '_', '.'
)

// Error is a value Name or Code refused: its message, in English for the
// command line, and its Reason.
type Error struct {
	Reason Reason
	msg    string
}

func (e *Error) Error() string { return e.msg }

func fail(r Reason, format string, args ...any) *Error {
	return &Error{Reason: r, msg: fmt.Sprintf(format, args...)}
}

// Name checks a name: valid UTF-8, not blank, one line, no control
// characters (a terminal escape is one), at most MaxNameRunes runes. It
// fails with an *Error.
func Name(s string) error {
	if !utf8.ValidString(s) {
		return fail(NotUTF8, "is not valid UTF-8 (save the file as UTF-8)")
	}
	if strings.TrimSpace(s) == "" {
		return fail(Empty, "is empty")
	}
	if n := utf8.RuneCountInString(s); n > MaxNameRunes {
		return fail(TooLong, "has %d characters; a name has at most %d", n, MaxNameRunes)
	}
	for _, r := range s {
		if r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' {
			return fail(LineBreak, "holds a line break; write it on one line")
		}
		if unicode.IsControl(r) {
			return fail(Control, "holds the control character %U", r)
		}
	}
	return nil
}

// Code checks a code: 1 to MaxCodeLen ASCII letters, digits, '-', '_' or
// '.'. Anything else could not be written in the configuration, a URL or
// an alert key ("relapse/2026/X01") as it is. It fails with an *Error.
func Code(s string) error {
	if s == "" {
		return fail(Empty, "is empty")
	}
	if len(s) > MaxCodeLen {
		return fail(TooLong, "has %d characters; a code has at most %d", len(s), MaxCodeLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '_' || c == '.') {
			return fail(NotASCII, "%q: a code holds only ASCII letters, digits, '-', '_' and '.'", s)
		}
	}
	return nil
}

// Count checks one statistic row's count.
func Count(n int64) error {
	switch {
	case n < 0:
		return fmt.Errorf("%d is negative; counts are 0 or more", n)
	case n > MaxCount:
		return fmt.Errorf("%d is more than %d, the most one row may count", n, MaxCount)
	}
	return nil
}

// Day checks a day of the data: not before FirstYear and not after today.
func Day(t, today time.Time) error {
	switch {
	case t.Year() < FirstYear:
		return fmt.Errorf("%s is before %d", t.Format(time.DateOnly), FirstYear)
	case !today.IsZero() && t.After(today):
		return fmt.Errorf("%s is in the future (today is %s)", t.Format(time.DateOnly), today.Format(time.DateOnly))
	}
	return nil
}

// Clean makes any text from the data safe to show and to mail, whatever
// got past the checks (a view of the shared database carries no
// constraints): invalid bytes become U+FFFD, control characters and line
// breaks become spaces, runs of spaces one, and the result is cut to
// MaxNameRunes with an ellipsis.
func Clean(s string) string {
	if plain(s) {
		return s // a code, most often: nothing to do
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	n, space := 0, false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if n >= MaxNameRunes {
			b.WriteRune('…')
			break
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// plain reports whether Clean would return s as it is, for the common
// case of printable ASCII with single spaces inside.
func plain(s string) bool {
	if s == "" || len(s) > MaxNameRunes || s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c == ' ' && s[i+1] == ' ' {
			return false
		}
	}
	return true
}
