// Package valid is the one definition of what a value read from the data
// may be: a name, a code, a count, a day. The importer rejects a value that
// fails it with the row and field; the data check of the shared database
// turns it into a data error with the row. Both call the same functions so
// that what one accepts the other accepts.
package valid

import (
	"errors"
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

// Name checks a name: valid UTF-8, not blank, one line, no control
// characters (a terminal escape is one), at most MaxNameRunes runes.
func Name(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("is not valid UTF-8 (save the file as UTF-8)")
	}
	if strings.TrimSpace(s) == "" {
		return errors.New("is empty")
	}
	if n := utf8.RuneCountInString(s); n > MaxNameRunes {
		return fmt.Errorf("has %d characters; a name has at most %d", n, MaxNameRunes)
	}
	for _, r := range s {
		if r == '\n' || r == '\r' {
			return errors.New("holds a line break; write it on one line")
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return fmt.Errorf("holds the control character %U", r)
		}
	}
	return nil
}

// Code checks a code: 1 to MaxCodeLen ASCII letters, digits, '-', '_' or
// '.'. Anything else could not be written in the configuration, a URL or
// an alert key ("relapse/2026/X01") as it is.
func Code(s string) error {
	if s == "" {
		return errors.New("is empty")
	}
	if len(s) > MaxCodeLen {
		return fmt.Errorf("has %d characters; a code has at most %d", len(s), MaxCodeLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '_' || c == '.') {
			return fmt.Errorf("%q: a code holds only ASCII letters, digits, '-', '_' and '.'", s)
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
