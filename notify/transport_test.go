package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/notify/smtptest"
)

const testTimeout = 5 * time.Second

var hcm = time.FixedZone("ICT", 7*3600)

// smtpConfig points the SMTP transport at srv: plain TCP, AUTH PLAIN.
func smtpConfig(srv *smtptest.Server) config.Mail {
	var c config.Mail
	c.Transport = config.TransportSMTP
	c.From = "Ban Chỉ đạo 138 tỉnh <bcd138@localhost>"
	c.SMTP.Host = srv.Host()
	c.SMTP.Port = srv.Port()
	c.SMTP.TLS = config.TLSNone
	c.SMTP.Auth = config.AuthPlain
	c.SMTP.Username = "bcd138"
	c.SMTP.Password = "mật-khẩu"
	c.SMTP.Timeout = config.Duration{Duration: testTimeout}
	return c
}

func vietMessage(id string, to ...string) Message {
	return Message{
		ID:      id,
		From:    "Ban Chỉ đạo 138 tỉnh <bcd138@localhost>",
		To:      to,
		Subject: "[CHUYENHOA] Huyện Bình Sơn: 2 nghĩa vụ quá hạn",
		Text: "Kính gửi Ban Chỉ đạo 138 huyện Bình Sơn,\n\n" +
			"1. Kế hoạch chuyển hóa địa bàn xã Bình Thạnh: quá hạn 5 ngày (hạn 20/11/2026).\n" +
			"2. Báo cáo tổng kết năm: quá hạn 0 ngày.\n\n" +
			"Một dòng rất dài để buộc quoted-printable phải ngắt dòng mềm: " + strings.Repeat("Đường ", 30) + "\n",
		HTML: "<p>Kính gửi Ban Chỉ đạo 138 huyện <b>Bình Sơn</b>,</p>\n" +
			"<ol><li>Kế hoạch chuyển hóa địa bàn xã Bình Thạnh: quá hạn 5 ngày</li>" +
			"<li>Báo cáo tổng kết năm</li></ol>\n",
		Date:    time.Date(2026, 11, 25, 7, 0, 0, 0, hcm),
		Headers: map[string]string{"X-Chuyenhoa-Committee": "D01"},
	}
}

func openSMTP(t *testing.T, c config.Mail) Batch {
	t.Helper()
	tr, err := NewSMTP(c)
	if err != nil {
		t.Fatalf("NewSMTP: %v", err)
	}
	b, err := tr.Open(context.Background())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// checkReceived compares what the server decoded with what was sent.
func checkReceived(t *testing.T, got smtptest.Received, want Message) {
	t.Helper()
	if got.ParseErr != nil {
		t.Fatalf("server could not parse the message: %v\n%s", got.ParseErr, got.Raw)
	}
	if got.MessageID != want.ID {
		t.Errorf("Message-ID = %q, want %q", got.MessageID, want.ID)
	}
	if got.Subject != want.Subject {
		t.Errorf("Subject = %q, want %q", got.Subject, want.Subject)
	}
	if got.Text != want.Text {
		t.Errorf("Text = %q, want %q", got.Text, want.Text)
	}
	if got.HTML != want.HTML {
		t.Errorf("HTML = %q, want %q", got.HTML, want.HTML)
	}
	date, err := mail.ParseDate(got.Get("Date"))
	if err != nil || !date.Equal(want.Date) {
		t.Errorf("Date = %q (%v), want %v", got.Get("Date"), err, want.Date)
	}
	for k, v := range want.Headers {
		if got.Get(k) != v {
			t.Errorf("header %s = %q, want %q", k, got.Get(k), v)
		}
	}
	from, err := mail.ParseAddress(got.Get("From"))
	wantFrom, _ := mail.ParseAddress(want.From)
	if err != nil || *from != *wantFrom {
		t.Errorf("From = %q (%v), want %q", got.Get("From"), err, want.From)
	}
}

func TestSMTPSendsVietnameseMessage(t *testing.T) {
	srv := smtptest.Start(t)
	b := openSMTP(t, smtpConfig(srv))
	m := vietMessage("digest.D01.deadlines.2026-11-25.ab12cd@chuyenhoa", "bcd-binhson@example.vn", "Cong An Huyen <ca-binhson@example.vn>")

	if err := b.Send(context.Background(), m, nil); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.WaitFor(t, 1, testTimeout)[0]

	if got.From != "bcd138@localhost" {
		t.Errorf("envelope from = %q, want bcd138@localhost", got.From)
	}
	if want := []string{"bcd-binhson@example.vn", "ca-binhson@example.vn"}; !slices.Equal(got.To, want) {
		t.Errorf("envelope to = %q, want %q", got.To, want)
	}
	if got.Username != "bcd138" {
		t.Errorf("AUTH user = %q, want bcd138", got.Username)
	}
	checkReceived(t, got, m)
	to, err := mail.ParseAddressList(got.Get("To"))
	if err != nil || len(to) != 2 || to[0].Address != "bcd-binhson@example.vn" || to[1].Address != "ca-binhson@example.vn" {
		t.Errorf("To header = %q (%v)", got.Get("To"), err)
	}
	// Diacritics travel encoded: the message itself is 7-bit.
	for i, c := range got.Raw {
		if c >= 0x80 {
			t.Fatalf("raw message has 8-bit byte %#x at %d; want RFC 2047 / quoted-printable", c, i)
		}
	}
	if !strings.Contains(string(got.Raw), "multipart/alternative") {
		t.Errorf("raw message is not multipart/alternative:\n%s", got.Raw)
	}
}

func TestSMTPAuthLogin(t *testing.T) {
	srv := smtptest.Start(t)
	c := smtpConfig(srv)
	c.SMTP.Auth = config.AuthLogin
	c.SMTP.Username = "canbo"
	b := openSMTP(t, c)
	if err := b.Send(context.Background(), vietMessage("a1@chuyenhoa", "x@example.vn"), nil); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := srv.WaitFor(t, 1, testTimeout)[0]; got.Username != "canbo" {
		t.Errorf("AUTH LOGIN user = %q, want canbo", got.Username)
	}
}

func TestSMTPBatchUsesOneConnection(t *testing.T) {
	srv := smtptest.Start(t)
	b := openSMTP(t, smtpConfig(srv))
	var ids []string
	for i := 1; i <= 3; i++ {
		m := vietMessage(fmt.Sprintf("digest.D0%d.deadlines.2026-11-25.x@chuyenhoa", i), fmt.Sprintf("d0%d@example.vn", i))
		if err := b.Send(context.Background(), m, nil); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
		ids = append(ids, m.ID)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	got := srv.WaitFor(t, 3, testTimeout)
	if n := srv.Connections(); n != 1 {
		t.Errorf("server saw %d connections, want 1", n)
	}
	for i, r := range got {
		if r.MessageID != ids[i] || r.Conn != 1 {
			t.Errorf("message %d: ID %q on connection %d, want %q on 1", i, r.MessageID, r.Conn, ids[i])
		}
		if want := []string{fmt.Sprintf("d0%d@example.vn", i+1)}; !slices.Equal(r.To, want) {
			t.Errorf("message %d: to %q, want %q", i, r.To, want)
		}
	}
}

func TestSMTPRefusedRecipientIsPermanentAndBatchGoesOn(t *testing.T) {
	srv := smtptest.Start(t)
	srv.RejectRcpt("nobody@example.vn", 550)
	b := openSMTP(t, smtpConfig(srv))
	ctx := context.Background()

	bad := vietMessage("bad@chuyenhoa", "nobody@example.vn")
	err := b.Send(ctx, bad, nil)
	if err == nil {
		t.Fatal("Send to a refused recipient: no error")
	}
	if Temporary(err) {
		t.Errorf("Temporary(%v) = true, want false for 550", err)
	}
	for _, part := range []string{"nobody@example.vn", "RCPT TO", "550", "bad@chuyenhoa"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not mention %q", err, part)
		}
	}

	// One transaction for all recipients: a refused one stops the message
	// for the others too, so it is never half delivered.
	mixed := vietMessage("mixed@chuyenhoa", "ok1@example.vn", "nobody@example.vn")
	if err := b.Send(ctx, mixed, nil); err == nil || Temporary(err) {
		t.Errorf("Send with one refused recipient: err = %v, want a permanent error", err)
	}

	good := vietMessage("good@chuyenhoa", "ok2@example.vn")
	if err := b.Send(ctx, good, nil); err != nil {
		t.Fatalf("Send after a refused message in the same batch: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	got := srv.Messages()
	if len(got) != 1 || got[0].MessageID != "good@chuyenhoa" || !slices.Equal(got[0].To, []string{"ok2@example.vn"}) {
		t.Fatalf("server got %d messages %+v, want only good@chuyenhoa to ok2", len(got), got)
	}
	if srv.Connections() != 1 {
		t.Errorf("server saw %d connections, want 1", srv.Connections())
	}
}

func TestSMTPTemporaryReplies(t *testing.T) {
	srv := smtptest.Start(t)
	b := openSMTP(t, smtpConfig(srv))
	ctx := context.Background()

	srv.FailData(451, 1)
	m := vietMessage("retry@chuyenhoa", "d01@example.vn")
	err := b.Send(ctx, m, nil)
	if err == nil || !Temporary(err) {
		t.Fatalf("Send with DATA answered 451: err = %v, Temporary = %v; want a temporary error", err, Temporary(err))
	}
	if !strings.Contains(err.Error(), "451") {
		t.Errorf("error %q does not mention 451", err)
	}
	if err := b.Send(ctx, m, nil); err != nil {
		t.Fatalf("resend after 451 in the same batch: %v", err)
	}

	srv.RejectRcpt("busy@example.vn", 452)
	err = b.Send(ctx, vietMessage("busy@chuyenhoa", "busy@example.vn"), nil)
	if err == nil || !Temporary(err) {
		t.Errorf("RCPT answered 452: err = %v, want temporary", err)
	}

	srv.FailData(554, 1)
	err = b.Send(ctx, vietMessage("spam@chuyenhoa", "d01@example.vn"), nil)
	if err == nil || Temporary(err) {
		t.Errorf("DATA answered 554: err = %v, want permanent", err)
	}

	got := srv.Messages()
	if len(got) != 1 || got[0].MessageID != "retry@chuyenhoa" {
		t.Errorf("server has %+v, want just the resent retry@chuyenhoa", got)
	}
}

func TestSMTPServerDownIsTemporaryAndRecovers(t *testing.T) {
	srv := smtptest.Start(t)
	c := smtpConfig(srv)
	tr, err := NewSMTP(c)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	b, err := tr.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}

	srv.Stop()
	err = b.Send(ctx, vietMessage("down1@chuyenhoa", "d01@example.vn"), nil)
	if err == nil || !Temporary(err) {
		t.Fatalf("Send on a connection the server closed: err = %v, want temporary", err)
	}
	_ = b.Close() // may fail: the server is gone

	if _, err := tr.Open(ctx); err == nil || !Temporary(err) {
		t.Fatalf("Open while the server is down: err = %v, want temporary", err)
	}

	srv.Restart(t)
	b, err = tr.Open(ctx)
	if err != nil {
		t.Fatalf("Open after restart: %v", err)
	}
	m := vietMessage("down1@chuyenhoa", "d01@example.vn")
	if err := b.Send(ctx, m, nil); err != nil {
		t.Fatalf("Send after restart: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	got := srv.WaitFor(t, 1, testTimeout)
	if len(got) != 1 {
		t.Fatalf("server has %d messages, want 1", len(got))
	}
	checkReceived(t, got[0], m)
}

func TestSMTPContextCancelled(t *testing.T) {
	srv := smtptest.Start(t)
	b := openSMTP(t, smtpConfig(srv))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := b.Send(ctx, vietMessage("c@chuyenhoa", "d01@example.vn"), nil)
	if !errors.Is(err, context.Canceled) || !Temporary(err) {
		t.Errorf("Send with a cancelled context: err = %v, want context.Canceled and temporary", err)
	}
	tr, _ := NewSMTP(smtpConfig(srv))
	if _, err := tr.Open(ctx); err == nil || !Temporary(err) {
		t.Errorf("Open with a cancelled context: err = %v, want temporary", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server got %d messages, want 0", n)
	}
}

func TestSMTPWithTLS(t *testing.T) {
	for _, mode := range []string{config.TLSStartTLS, config.TLSImplicit} {
		t.Run(mode, func(t *testing.T) {
			srv := smtptest.Start(t, smtptest.WithTLS(mode))
			c := smtpConfig(srv)
			c.SMTP.TLS = mode
			tr, err := newSMTP(c, srv.RootCAs())
			if err != nil {
				t.Fatal(err)
			}
			b, err := tr.Open(context.Background())
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			m := vietMessage("tls@chuyenhoa", "d01@example.vn")
			if err := b.Send(context.Background(), m, nil); err != nil {
				t.Fatalf("Send: %v", err)
			}
			if err := b.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			got := srv.WaitFor(t, 1, testTimeout)[0]
			if !got.TLS || got.Username != "bcd138" {
				t.Errorf("TLS = %v, user = %q; want an encrypted, authenticated session", got.TLS, got.Username)
			}
			checkReceived(t, got, m)
		})
	}

	t.Run("untrusted certificate", func(t *testing.T) {
		srv := smtptest.Start(t, smtptest.WithTLS(config.TLSImplicit))
		c := smtpConfig(srv)
		c.SMTP.TLS = config.TLSImplicit
		tr, err := NewSMTP(c) // system roots only
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tr.Open(context.Background()); err == nil {
			t.Fatal("Open trusted a self-signed certificate")
		}
	})

	t.Run("starttls required but not offered", func(t *testing.T) {
		srv := smtptest.Start(t) // no TLS
		c := smtpConfig(srv)
		c.SMTP.TLS = config.TLSStartTLS
		tr, err := NewSMTP(c)
		if err != nil {
			t.Fatal(err)
		}
		_, err = tr.Open(context.Background())
		if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
			t.Fatalf("Open = %v, want an error about STARTTLS", err)
		}
		if Temporary(err) {
			t.Errorf("Temporary(%v) = true; a server without STARTTLS will not grow it", err)
		}
	})
}

func TestNewSMTPRefusesBadConfig(t *testing.T) {
	srv := smtptest.Start(t)
	tests := []struct {
		name   string
		change func(*config.Mail)
		want   string
	}{
		{"password in clear over a network", func(c *config.Mail) { c.SMTP.Host = "mail.example.vn" }, "in clear"},
		{"no host", func(c *config.Mail) { c.SMTP.Host = "" }, "host"},
		{"port 0", func(c *config.Mail) { c.SMTP.Port = 0 }, "port"},
		{"no timeout", func(c *config.Mail) { c.SMTP.Timeout = config.Duration{} }, "timeout"},
		{"unknown tls", func(c *config.Mail) { c.SMTP.TLS = "ssl" }, "tls"},
		{"unknown auth", func(c *config.Mail) { c.SMTP.Auth = "cram" }, "auth"},
		{"auth without user", func(c *config.Mail) { c.SMTP.Username = "" }, "username"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := smtpConfig(srv)
			tt.change(&c)
			_, err := NewSMTP(c)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewSMTP = %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestBuildRefusesBadMessage(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Message)
		want   string
	}{
		{"empty ID", func(m *Message) { m.ID = "" }, "empty"},
		{"ID without @", func(m *Message) { m.ID = "digest.D01" }, "@"},
		{"ID with brackets", func(m *Message) { m.ID = "<a@b>" }, "'<'"},
		{"ID with space", func(m *Message) { m.ID = "a b@c" }, "' '"},
		{"no recipients", func(m *Message) { m.To = nil }, "no recipients"},
		{"bad recipient", func(m *Message) { m.To = []string{"ok@example.vn", "not an address"} }, "to[1]"},
		{"bad from", func(m *Message) { m.From = "Ban Chỉ đạo" }, "from"},
		{"no date", func(m *Message) { m.Date = time.Time{} }, "date"},
		{"no text", func(m *Message) { m.Text = "" }, "text"},
		{"subject line break", func(m *Message) { m.Subject = "a\r\nBcc: x@y" }, "subject"},
		{"header value line break", func(m *Message) { m.Headers = map[string]string{"X-A": "1\nBcc: x@y"} }, "line break"},
		{"header sets Subject", func(m *Message) { m.Headers = map[string]string{"subject": "x"} }, "message fields"},
		{"header name with colon", func(m *Message) { m.Headers = map[string]string{"X-A:": "x"} }, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := vietMessage("digest.D01.deadlines.2026-11-25.ab12cd@chuyenhoa", "d01@example.vn")
			tt.change(&m)
			_, err := Build(m)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Build = %v, want an error mentioning %q", err, tt.want)
			}
			if Temporary(err) {
				t.Errorf("Temporary(%v) = true; a bad message stays bad", err)
			}
		})
	}
}

func TestFileTransport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox-mail") // created by Open
	tr := NewFile(dir)
	ctx := context.Background()
	b, err := tr.Open(ctx)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	m := vietMessage("digest.D01.deadlines.2026-11-25.ab12cd@chuyenhoa", "bcd-binhson@example.vn")
	if err := b.Send(ctx, m, nil); err != nil {
		t.Fatalf("Send: %v", err)
	}
	path := filepath.Join(dir, "digest.D01.deadlines.2026-11-25.ab12cd@chuyenhoa.eml")
	checkFile(t, path, m)

	// Sending the same ID again replaces the file.
	m.Subject = "[CHUYENHOA] Huyện Bình Sơn: 3 nghĩa vụ quá hạn"
	m.Text = "Đã cập nhật.\n"
	if err := b.Send(ctx, m, nil); err != nil {
		t.Fatalf("second Send: %v", err)
	}
	checkFile(t, path, m)

	other := vietMessage("digest.D02.deadlines.2026-11-25.ab12cd@chuyenhoa", "bcd-sontinh@example.vn")
	if err := b.Send(ctx, other, nil); err != nil {
		t.Fatalf("Send other: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"digest.D01.deadlines.2026-11-25.ab12cd@chuyenhoa.eml", "digest.D02.deadlines.2026-11-25.ab12cd@chuyenhoa.eml"}
	if !slices.Equal(names, want) {
		t.Errorf("folder holds %q, want %q (one file per ID, no temporary files)", names, want)
	}

	// A bad message writes nothing.
	bad := m
	bad.ID = "digest.D03@chuyenhoa"
	bad.To = nil
	if err := b.Send(ctx, bad, nil); err == nil {
		t.Error("Send of a message without recipients: no error")
	}
	if _, err := os.Stat(filepath.Join(dir, FileName(bad.ID))); !os.IsNotExist(err) {
		t.Errorf("bad message left a file (stat: %v)", err)
	}
}

func checkFile(t *testing.T, path string, want Message) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	got, err := smtptest.Parse(raw)
	if err != nil {
		t.Fatalf("parse %s: %v\n%s", path, err, raw)
	}
	checkReceived(t, got, want)
	to, err := mail.ParseAddressList(got.Get("To"))
	if err != nil || len(to) != len(want.To) {
		t.Errorf("To header = %q (%v), want %q", got.Get("To"), err, want.To)
	}
}

func TestFileName(t *testing.T) {
	tests := []struct{ id, want string }{
		{"digest.D01.deadlines.2026-11-25.ab12cd@chuyenhoa", "digest.D01.deadlines.2026-11-25.ab12cd@chuyenhoa.eml"},
		{"a/b@c", "a%2Fb@c.eml"},     // '/' = 0x2F: never a path separator
		{"a%2Fb@c", "a%252Fb@c.eml"}, // '%' = 0x25: escaped too, so the two IDs differ
		{"x*y@c", "x%2Ay@c.eml"},     // '*' = 0x2A
	}
	for _, tt := range tests {
		if got := FileName(tt.id); got != tt.want {
			t.Errorf("FileName(%q) = %q, want %q", tt.id, got, tt.want)
		}
	}
}

func TestTemporary(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"421 reply", fmt.Errorf("x: %w", &textproto.Error{Code: 421, Msg: "closing"}), true},
		{"550 reply", fmt.Errorf("x: %w", &textproto.Error{Code: 550, Msg: "no such user"}), false},
		{"535 auth failed", fmt.Errorf("SMTP AUTH failed: %w", &textproto.Error{Code: 535, Msg: "bad credentials"}), false},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, true},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), true},
		{"plain error", errors.New("STARTTLS not supported"), false},
	}
	for _, tt := range tests {
		if got := Temporary(tt.err); got != tt.want {
			t.Errorf("%s: Temporary(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
