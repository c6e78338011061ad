package status

import (
	"bytes"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func testTable() *table {
	t := &table{Name: "x", Cols: []column{{Title: "Địa bàn"}, {Title: "Số vụ", Num: true}, {Title: "Tình trạng"}}}
	for _, r := range []struct {
		com, name, state string
		n                float64
	}{
		{"D01", "Xã Bình Châu", "Quá hạn", 12}, {"D02", "Phường Nghĩa Lộ", "Đến hạn", 3},
		{"D01", "Xã Tịnh Kỳ", "Đến hạn", 40}, {"xa:X09", "Đặc khu Lý Sơn", "Quá hạn", 7},
	} {
		t.Rows = append(t.Rows, row{Committee: r.com, State: r.state, Kind: "k",
			Cells: []cell{{Text: r.name}, {Text: strconv.Itoa(int(r.n)), Num: r.n}, {Text: r.state}}})
	}
	return t
}

func rowNames(rows []row) string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Cells[0].Text)
	}
	return strings.Join(out, "|")
}

func TestTableFilterSortSearch(t *testing.T) {
	tb := testTable()
	for _, c := range []struct {
		q    string
		want string
	}{
		{"", "Xã Bình Châu|Phường Nghĩa Lộ|Xã Tịnh Kỳ|Đặc khu Lý Sơn"},
		{"don-vi=D01", "Xã Bình Châu|Xã Tịnh Kỳ"},
		{"huyen=D01", "Xã Bình Châu|Xã Tịnh Kỳ"},
		{"tt=Qu%C3%A1+h%E1%BA%A1n", "Xã Bình Châu|Đặc khu Lý Sơn"},
		{"don-vi=D01&tt=%C4%90%E1%BA%BFn+h%E1%BA%A1n", "Xã Tịnh Kỳ"},
		{"q=binh+chau", "Xã Bình Châu"},          // without diacritics
		{"q=L%C3%9D+S%C6%A0N", "Đặc khu Lý Sơn"}, // any case
		{"q=dac+khu", "Đặc khu Lý Sơn"},          // đ folds to d
		{"sx=2", "Phường Nghĩa Lộ|Đặc khu Lý Sơn|Xã Bình Châu|Xã Tịnh Kỳ"},
		{"sx=-2", "Xã Tịnh Kỳ|Xã Bình Châu|Đặc khu Lý Sơn|Phường Nghĩa Lộ"},
		{"sx=1&don-vi=D01", "Xã Bình Châu|Xã Tịnh Kỳ"},
		{"sx=99", "Xã Bình Châu|Phường Nghĩa Lộ|Xã Tịnh Kỳ|Đặc khu Lý Sơn"},
		{"loai=none", ""},
	} {
		v, _ := url.ParseQuery(c.q)
		if got := rowNames(tb.apply(parseQuery(v))); got != c.want {
			t.Errorf("%s: %s, want %s", c.q, got, c.want)
		}
	}
	if got := parseQuery(url.Values{"don-vi": {"D01"}, "sx": {"-2"}, "trang": {"3"}}).values().Encode(); got != "don-vi=D01&sx=-2&trang=3" {
		t.Errorf("query round trip: %s", got)
	}
	var b bytes.Buffer
	if err := tb.writeCSV(&b, tb.apply(parseQuery(url.Values{"don-vi": {"D02"}}))); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "\ufeffĐịa bàn,Số vụ,Tình trạng\nPhường Nghĩa Lộ,3,Đến hạn\n" {
		t.Errorf("CSV = %q", got)
	}
}

// The page cache keeps the most recently used pages within its bytes.
func TestPageCacheEvictsTheOldest(t *testing.T) {
	sn := &snapshot{}
	page := func(n int) *response { return &response{body: make([]byte, n)} }
	sn.keep("/a", page(40), 100) // 42 bytes with its key
	sn.keep("/b", page(40), 100)
	if sn.cached("/a") == nil { // /a is now the most recent
		t.Fatal("/a not kept")
	}
	sn.keep("/c", page(40), 100) // pushes /b out
	if sn.cached("/b") != nil || sn.cached("/a") == nil || sn.cached("/c") == nil {
		t.Errorf("after /c: /a %v, /b %v, /c %v", sn.cached("/a") != nil, sn.cached("/b") != nil, sn.cached("/c") != nil)
	}
	sn.keep("/big", page(200), 100) // larger than the cache: not kept
	if sn.cached("/big") != nil || sn.pages.size > 100 {
		t.Errorf("kept a page over the limit; size %d", sn.pages.size)
	}
}
