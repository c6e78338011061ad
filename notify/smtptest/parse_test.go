package smtptest

import (
	"strings"
	"testing"
)

// A message as another mailer might write it: base64 text, quoted-printable
// HTML, alternative nested in mixed, B-encoded subject split over two words.
const nested = "From: =?UTF-8?B?QmFuIENo4buJIMSR4bqhbw==?= <bcd@example.vn>\r\n" +
	"To: d01@example.vn\r\n" +
	"Subject: =?UTF-8?B?SHV54buHbiBCw6xuaA==?=\r\n =?UTF-8?B?IFPGoW4=?=\r\n" +
	"Message-ID: <x.1@chuyenhoa>\r\n" +
	"X-Chuyenhoa-Committee: D01\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=OUT\r\n" +
	"\r\n" +
	"--OUT\r\n" +
	"Content-Type: multipart/alternative; boundary=IN\r\n" +
	"\r\n" +
	"--IN\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"UXXDoSBo4bqhbg0K\r\nxJDDoyBu4buZcC4=\r\n" +
	"--IN\r\n" +
	"Content-Type: text/html; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"<p>Qu=C3=A1 h=E1=BA=A1n, r=\r\n=E1=BA=A5t d=C3=A0i</p>\r\n" +
	"--IN--\r\n" +
	"--OUT\r\n" +
	"Content-Type: application/pdf\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"JVBERi0=\r\n" +
	"--OUT--\r\n"

func TestParseNested(t *testing.T) {
	r, err := Parse([]byte(nested))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	checks := []struct{ name, got, want string }{
		{"Subject", r.Subject, "Huyện Bình Sơn"},
		{"From", r.Get("from"), "Ban Chỉ đạo <bcd@example.vn>"},
		{"MessageID", r.MessageID, "x.1@chuyenhoa"},
		{"committee", r.Get("x-chuyenhoa-committee"), "D01"},
		// base64 of "Quá hạn\r\nĐã nộp." split over two lines; CRLF → LF.
		{"Text", r.Text, "Quá hạn\nĐã nộp."},
		// soft line break "=\r\n" joins "r" and "ất".
		{"HTML", r.HTML, "<p>Quá hạn, rất dài</p>"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
}

func TestParseRefusesOtherCharsets(t *testing.T) {
	raw := strings.ReplaceAll(nested, "charset=utf-8", "charset=windows-1258")
	if _, err := Parse([]byte(raw)); err == nil || !strings.Contains(err.Error(), "windows-1258") {
		t.Errorf("Parse = %v, want an error naming the charset", err)
	}
}
