package notify

import (
	"fmt"
	"mime"
	"net/mail"
	"strings"
)

// The address and subject fields are written here, not by go-mail: go-mail
// folds a long Subject right after "Subject:" (Python's email parser then
// reads it with a leading space, so a filter on the [CHUYENHOA] tag
// fails), and net/mail splits a long display name into adjacent
// encoded-words, which Python joins with the folding space ("Quảng  Ngãi")
// while Go drops it. So: ASCII words stay as they are, each run of words
// that needs encoding becomes encoded-words of its own, the line folds
// only between words, and a display name never has two encoded-words side
// by side. Both parsers then read exactly what was written (a test runs
// both).

// maxLine is the length a header line is folded at (RFC 5322 recommends 78).
const maxLine = 76

// subjectField is "Subject: …", folded, without the final CRLF.
func subjectField(s string) string {
	return fold("Subject", tokens(s, false))
}

// addressField is "From: …" or "To: a, b", folded.
func addressField(name string, addrs []*mail.Address) string {
	var toks []string
	for i, a := range addrs {
		var t []string
		if a.Name != "" {
			t = tokens(a.Name, true)
		}
		t = append(t, "<"+a.Address+">")
		if i < len(addrs)-1 {
			t[len(t)-1] += ","
		}
		toks = append(toks, t...)
	}
	return fold(name, toks)
}

// fold joins toks with spaces, breaking the line before a token rather
// than letting it pass maxLine.
func fold(name string, toks []string) string {
	var sb strings.Builder
	sb.WriteString(name + ":")
	n := len(name) + 1
	for _, t := range toks {
		if n+1+len(t) > maxLine && n > len(name)+1 {
			sb.WriteString("\r\n")
			n = 0
		}
		sb.WriteString(" " + t)
		n += 1 + len(t)
	}
	return sb.String()
}

// tokens splits s into the words of a header value: plain ASCII words as
// they are, each run of words that cannot go plain as encoded-words.
// phrase is set for a display name: there a run becomes one encoded-word
// however long (two side by side would not read the same in every
// parser), and words with RFC 5322 specials are encoded.
func tokens(s string, phrase bool) []string {
	var out, run []string
	flush := func() {
		if len(run) == 0 {
			return
		}
		text := strings.Join(run, " ")
		if phrase {
			out = append(out, encodeWord(text))
		} else {
			// Encoded-words of at most 75 bytes, split between
			// characters: parsers join adjacent ones of unstructured text
			// without the space between them.
			out = append(out, strings.Fields(mime.QEncoding.Encode("utf-8", text))...)
		}
		run = run[:0]
	}
	for _, w := range strings.Fields(s) {
		if plain(w, phrase) {
			flush()
			out = append(out, w)
			continue
		}
		run = append(run, w)
	}
	flush()
	return out
}

// plain reports whether w can be written as it is.
func plain(w string, phrase bool) bool {
	if strings.Contains(w, "=?") {
		return false // would read as an encoded-word
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c < '!' || c > '~' {
			return false
		}
		if phrase && strings.IndexByte(`()<>[]:;@\,."`, c) >= 0 {
			return false
		}
	}
	return true
}

const wordStart, wordEnd = "=?utf-8?q?", "?="

// qByte writes one byte the way an encoded-word may carry it in a
// display name as well as in a subject: letters and digits as they are,
// a space as "_", the rest as =XX.
func qByte(sb *strings.Builder, c byte) {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		sb.WriteByte(c)
	case c == ' ':
		sb.WriteByte('_')
	default:
		fmt.Fprintf(sb, "=%02X", c)
	}
}

// encodeWord is s as one encoded-word.
func encodeWord(s string) string {
	var sb strings.Builder
	sb.WriteString(wordStart)
	for i := 0; i < len(s); i++ {
		qByte(&sb, s[i])
	}
	sb.WriteString(wordEnd)
	return sb.String()
}
