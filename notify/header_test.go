package notify

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// headerCases are subjects and names as the service writes them: long
// enough to fold, with diacritics everywhere and ASCII punctuation.
var headerCases = []struct{ from, to, subject string }{
	{"Ban Chỉ đạo 138 tỉnh Quảng Ngãi <bcd138@example.gov.vn>", `"Công an xã Bình Châu, huyện Bình Sơn (tỉnh Quảng Ngãi)" <ca@example.vn>`,
		"[CHUYENHOA] Ban Chỉ đạo 138 huyện Bình Sơn: 2 quá hạn, 1 đến hạn, 3 phức tạp trở lại, 1 địa bàn có nguy cơ không đạt (25/11/2026)"},
	{"Ban Chỉ đạo 138 tỉnh <bcd138@localhost>", "bcd-binhson@example.vn", "[CHUYENHOA] Ban Chỉ đạo 138 tỉnh Quảng Ngãi: không có mục mới (01/12/2026)"},
	{"Ủy ban nhân dân tỉnh Quảng Ngãi và Ban Chỉ đạo phòng chống tội phạm của tỉnh Quảng Ngãi <a@b.vn>", "Trưởng Công an phường Trương Quang Trọng <x@y.vn>",
		"[CHUYENHOA] Đường =?x?= ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ"},
}

// writeCases writes each case as an .eml with the file transport and
// returns the paths.
func writeCases(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	tr := NewFile(dir)
	b, err := tr.Open(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for i, c := range headerCases {
		m := Message{ID: "h" + string(rune('a'+i)) + "@chuyenhoa", From: c.from, To: []string{c.to}, Subject: c.subject,
			Text: "x", HTML: "<p>x</p>", Date: time.Date(2026, 11, 25, 7, 0, 0, 0, hcm)}
		if err := b.Send(t.Context(), m, nil); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, filepath.Join(dir, FileName(m.ID)))
	}
	return paths
}

func TestHeadersReadExactlyByGo(t *testing.T) {
	for i, p := range writeCases(t) {
		c := headerCases[i]
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for n, line := range strings.Split(string(raw[:bytes.Index(raw, []byte("\r\n\r\n"))]), "\r\n") {
			if len(line) > 998 || !strings.HasPrefix(line, " ") && !strings.Contains(line, ":") {
				t.Errorf("case %d: header line %d %q", i, n, line)
			}
		}
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		var dec mime.WordDecoder
		subj, err := dec.DecodeHeader(msg.Header.Get("Subject"))
		if err != nil || subj != c.subject {
			t.Errorf("case %d: Subject = %q (%v), want %q", i, subj, err, c.subject)
		}
		for _, f := range []struct{ field, want string }{{"From", c.from}, {"To", c.to}} {
			got, err := mail.ParseAddress(msg.Header.Get(f.field))
			want, _ := mail.ParseAddress(f.want)
			if err != nil || *got != *want {
				t.Errorf("case %d: %s = %+v (%v), want %+v", i, f.field, got, err, want)
			}
		}
	}
}

// pyRead reads the .eml files with Python's email package (policy
// default, as mail filters and tools written in Python do) and prints the
// subject and the display names and addresses of From and To, as JSON.
const pyRead = `
import email, email.policy, json, sys
out = []
for p in sys.argv[1:]:
    m = email.message_from_binary_file(open(p, 'rb'), policy=email.policy.default)
    f, t = m['From'].addresses[0], m['To'].addresses[0]
    out.append([str(m['Subject']), f.display_name, f.addr_spec, t.display_name, t.addr_spec])
print(json.dumps(out))
`

func TestHeadersReadExactlyByPython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	paths := writeCases(t)
	out, err := exec.Command(py, append([]string{"-c", pyRead}, paths...)...).Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var got [][5]string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("python3 output %q: %v", out, err)
	}
	for i, c := range headerCases {
		from, _ := mail.ParseAddress(c.from)
		to, _ := mail.ParseAddress(c.to)
		want := [5]string{c.subject, from.Name, from.Address, to.Name, to.Address}
		if got[i] != want {
			t.Errorf("case %d: python reads %q, want %q", i, got[i], want)
		}
		if !strings.HasPrefix(got[i][0], "[CHUYENHOA]") {
			t.Errorf("case %d: subject %q does not start with the tag", i, got[i][0])
		}
	}
}
