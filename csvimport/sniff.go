package csvimport

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// sniffBytes is how much of a file sniff looks at: enough for the header
// and some hundred rows, without reading a large file twice.
const sniffBytes = 64 << 10

// sniff looks at the start of a file for the mistakes a spreadsheet makes
// when it saves "CSV": another encoding than UTF-8, line breaks that are
// CR alone (old Mac Excel), semicolons or tabs between the columns (Excel
// in locales that write a decimal comma). encoding/csv would read such a
// file as one odd column or one long row and the error would point at the
// wrong thing; the message says instead what the file is and how to save
// it. It returns a reader of the whole file (the looked-at bytes
// included) with a UTF-8 byte order mark dropped.
func sniff(file string, r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, sniffBytes)
	head, err := br.Peek(sniffBytes)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("%s: read: %w", file, err)
	}
	if msg := encodingProblem(head, len(head) < sniffBytes); msg != "" {
		return nil, fmt.Errorf("%s: %s", file, msg)
	}
	if bytes.HasPrefix(head, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
		head = head[len(utf8BOM):]
	}
	if msg := layoutProblem(head); msg != "" {
		return nil, fmt.Errorf("%s: %s", file, msg)
	}
	return br, nil
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

const saveAsUTF8 = `save it again as "CSV UTF-8 (Comma delimited)" (Excel) or "Text CSV" with character set UTF-8 (LibreOffice), then import that file`

// encodingProblem says what is wrong with the encoding of a file that
// starts with head ("" when it reads as UTF-8); whole is set when head is
// the whole file, so that a character cut at its end is a fault.
func encodingProblem(head []byte, whole bool) string {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		// FF FE also starts UTF-32 LE; both are "Unicode" to a spreadsheet.
		return "the file is in UTF-16 (\"Unicode Text\"), not UTF-8; " + saveAsUTF8
	case bytes.IndexByte(head, 0) >= 0:
		return "the file holds NUL bytes: it is UTF-16 without a byte order mark, or not a text file; " + saveAsUTF8
	}
	check := head
	if !whole {
		// The sniffed bytes may end inside a character.
		for i := 0; i < utf8.UTFMax && len(check) > 0 && !utf8.RuneStart(check[len(check)-1]); i++ {
			check = check[:len(check)-1]
		}
		if len(check) > 0 && !utf8.FullRune(check[len(check)-1:]) {
			check = check[:len(check)-1]
		}
	}
	if !utf8.Valid(check) {
		line := 1 + bytes.Count(check[:invalidAt(check)], []byte{'\n'})
		return fmt.Sprintf("line %d is not UTF-8: the file is in a legacy encoding (Windows-1258, Latin-1, TCVN3/VNI), which would garble Vietnamese names; %s", line, saveAsUTF8)
	}
	return ""
}

// invalidAt is the offset of the first byte of b that is not UTF-8.
func invalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// layoutProblem says what is wrong with the line breaks or the delimiter
// of a UTF-8 file that starts with head ("" when nothing is).
func layoutProblem(head []byte) string {
	if bytes.IndexByte(head, '\r') >= 0 && bytes.IndexByte(head, '\n') < 0 {
		return `its lines end with CR alone (classic Mac OS line breaks), so it reads as one line; save it again as "CSV UTF-8 (Comma delimited)" or convert the line breaks to LF or CRLF`
	}
	header := head
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		header = head[:i]
	}
	if bytes.IndexByte(header, ',') >= 0 {
		return ""
	}
	for _, d := range []struct {
		b    byte
		name string
	}{{';', "semicolons (;)"}, {'\t', "tabs"}} {
		if bytes.IndexByte(header, d.b) >= 0 {
			return fmt.Sprintf(`row 1: the columns are separated by %s, not commas; save it again as "CSV UTF-8 (Comma delimited)", or set the list separator to a comma before saving`, d.name)
		}
	}
	return ""
}
