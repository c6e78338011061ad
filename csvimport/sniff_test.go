package csvimport_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf16"

	"chuyenhoa/csvimport"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// utf16File encodes s as UTF-16 with the byte order given, with or
// without a byte order mark.
func utf16File(s string, bigEndian, bom bool) string {
	var b []byte
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	for _, u := range units {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return string(b)
}

// A file saved in another encoding, with CR line breaks or another
// delimiter is refused with a message that says what the file is and how
// to save it; UTF-8 with or without a byte order mark is read.
func TestImportEncodingAndDelimiter(t *testing.T) {
	const good = "code,name,kind\nD05,Huyện Ba Tơ,huyen\n"
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for _, c := range []struct{ name, body, want string }{
			{"UTF-16 LE", utf16File(good, false, true), `d.csv: the file is in UTF-16 ("Unicode Text"), not UTF-8; save it again as "CSV UTF-8 (Comma delimited)"`},
			{"UTF-16 BE", utf16File(good, true, true), `d.csv: the file is in UTF-16 ("Unicode Text"), not UTF-8`},
			{"UTF-16 without BOM", utf16File(good, false, false), `d.csv: the file holds NUL bytes: it is UTF-16 without a byte order mark`},
			{"Windows-1258", "code,name,kind\nD05,Huy\xd2n Ba T\xf5,huyen\n", `d.csv: line 2 is not UTF-8: the file is in a legacy encoding (Windows-1258, Latin-1`},
			{"CR line breaks", strings.ReplaceAll(good, "\n", "\r"), `d.csv: its lines end with CR alone (classic Mac OS line breaks)`},
			{"semicolons", strings.ReplaceAll(good, ",", ";"), `d.csv: row 1: the columns are separated by semicolons (;), not commas`},
			{"tabs", strings.ReplaceAll(good, ",", "\t"), `d.csv: row 1: the columns are separated by tabs, not commas`},
		} {
			_, err := csvimport.Import(ctx, s, "districts", "d.csv", strings.NewReader(c.body), opts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
			}
		}
		if n := countRows(t, s, "districts"); n != 0 {
			t.Fatalf("%d districts after refused files", n)
		}
		for _, c := range []struct{ name, body string }{
			{"UTF-8", good}, {"UTF-8 with BOM", "\ufeff" + good}, {"UTF-8 with BOM and CRLF", "\ufeff" + strings.ReplaceAll(good, "\n", "\r\n")},
		} {
			if n, err := csvimport.Import(ctx, s, "districts", "d.csv", strings.NewReader(c.body), opts); err != nil || n != 1 {
				t.Errorf("%s: n=%d err=%v, want the row read", c.name, n, err)
			}
		}
		var name string
		if err := s.DB().Get(&name, "SELECT name FROM districts WHERE code = 'D05'"); err != nil || name != "Huyện Ba Tơ" {
			t.Errorf("stored name %q (%v), want Huyện Ba Tơ", name, err)
		}
	})
}
