package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	netmail "net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"chuyenhoa/config"
)

// Message is one rendered email, ready to send; everything needed to
// resend it identically is here.
type Message struct {
	// ID is the Message-ID without angle brackets, e.g.
	// "digest.D01.deadlines.2026-11-25.ab12cd@chuyenhoa". It is also the
	// file name of the file transport, so a resend replaces the file.
	ID      string
	From    string   // "Name <addr>" or addr
	To      []string // header To, and the envelope recipients
	Subject string   // UTF-8; encoded per RFC 2047 on the wire
	Text    string   // text/plain part, UTF-8; required
	HTML    string   // text/html alternative, UTF-8; optional
	Date    time.Time
	// Headers are extra header fields such as X-Chuyenhoa-Committee.
	// Fields that Build sets from the other members cannot be given here.
	Headers map[string]string
}

// maxIDLen keeps the Message-ID well inside the 998-byte header line and
// the file name inside the 255-byte limit of common file systems.
const maxIDLen = 200

// Build turns m into a go-mail message: multipart/alternative with a
// text/plain and a text/html part (just text/plain when HTML is empty),
// UTF-8, quoted-printable, headers encoded per RFC 2047. Bad input gives
// an error naming the field; nothing is sent or written.
func Build(m Message) (*mail.Msg, error) {
	if err := checkID(m.ID); err != nil {
		return nil, fmt.Errorf("message ID %q: %w", m.ID, err)
	}
	if m.Date.IsZero() {
		return nil, fmt.Errorf("message %s: date is not set", m.ID)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, fmt.Errorf("message %s: subject %q has a line break", m.ID, m.Subject)
	}
	if m.Text == "" {
		return nil, fmt.Errorf("message %s: text body is empty", m.ID)
	}
	if len(m.To) == 0 {
		return nil, fmt.Errorf("message %s: no recipients", m.ID)
	}

	from, err := netmail.ParseAddress(m.From)
	if err != nil {
		return nil, fmt.Errorf("message %s: from %q: %w", m.ID, m.From, err)
	}
	to := make([]*netmail.Address, len(m.To))
	for i, r := range m.To {
		if to[i], err = netmail.ParseAddress(r); err != nil {
			return nil, fmt.Errorf("message %s: to[%d] %q: %w", m.ID, i, r, err)
		}
	}
	msg := mail.NewMsg(mail.WithCharset(mail.CharsetUTF8), mail.WithEncoding(mail.EncodingQP))
	// From, To and Subject are written by header.go, as one preformatted
	// block so that they always come out in this order (go-mail writes its
	// preformatted fields in map order).
	block := addressField("From", []*netmail.Address{from}) + "\r\n" + addressField("To", to) + "\r\n" + subjectField(m.Subject)
	msg.SetGenHeaderPreformatted(mail.Header(mail.HeaderFrom), strings.TrimPrefix(block, "From: "))
	msg.SetMessageIDWithValue(m.ID)
	msg.SetDateWithValue(m.Date)
	names := make([]string, 0, len(m.Headers))
	for name := range m.Headers {
		names = append(names, name)
	}
	slices.Sort(names) // report the same bad field first every time
	for _, name := range names {
		value := m.Headers[name]
		if err := checkHeader(name, value); err != nil {
			return nil, fmt.Errorf("message %s: header %q: %w", m.ID, name, err)
		}
		msg.SetGenHeader(mail.Header(textproto.CanonicalMIMEHeaderKey(name)), value)
	}
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// checkID accepts id-left "@" id-right made of RFC 5322 atext and dots,
// the form every mail system keeps intact.
func checkID(id string) error {
	if id == "" {
		return errors.New("is empty")
	}
	if len(id) > maxIDLen {
		return fmt.Errorf("is %d bytes long; the limit is %d", len(id), maxIDLen)
	}
	left, right, ok := strings.Cut(id, "@")
	if !ok || left == "" || right == "" || strings.Contains(right, "@") {
		return errors.New("must be left@right with exactly one @")
	}
	for _, r := range id {
		if r != '@' && r != '.' && !isAtext(r) {
			return fmt.Errorf("has %q; use letters, digits and . - _ + = ! # $ %% & ' * / ? ^ ` { | } ~", r)
		}
	}
	return nil
}

func isAtext(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r)
}

// reserved are header fields Build derives from Message members or that
// shape the MIME structure; setting them twice would make a broken mail.
var reserved = []string{
	"From", "To", "Cc", "Bcc", "Subject", "Message-Id", "Date", "Sender", "Reply-To",
	"Mime-Version", "Content-Type", "Content-Transfer-Encoding", "Content-Disposition",
}

func checkHeader(name, value string) error {
	if name == "" {
		return errors.New("empty name")
	}
	for _, r := range name {
		// RFC 5322 field-name: printable ASCII except colon.
		if r < '!' || r > '~' || r == ':' {
			return fmt.Errorf("name has %q", r)
		}
	}
	if slices.Contains(reserved, textproto.CanonicalMIMEHeaderKey(name)) {
		return errors.New("is set from the message fields; it cannot be an extra header")
	}
	if strings.ContainsAny(value, "\r\n") {
		return errors.New("value has a line break")
	}
	return nil
}

// Transport delivers messages.
type Transport interface {
	// Open starts a batch: for SMTP one connection, logged in.
	Open(ctx context.Context) (Batch, error)
	// Name says where mail goes, for logs: "smtp mail.example:587 (starttls)".
	Name() string
}

// Batch sends messages over one connection, one at a time, so that the
// caller can record each as sent as soon as the server has accepted it.
type Batch interface {
	// Send delivers m to all of m.To as one SMTP transaction: when it
	// returns nil the server has taken responsibility for the message.
	// When it fails, no recipient got it, and the error names the message,
	// the recipients and the SMTP stage; see Temporary. The batch stays
	// usable after a refused message.
	//
	// ready, when not nil, is called once m has travelled and just before
	// the step that makes the server take it (the end of DATA; the file's
	// rename), and Send waits for it: the sender records the previous
	// message there, so that it overlaps this one's transfer yet is
	// recorded before this one is accepted. If ready fails, m is
	// abandoned unaccepted (for SMTP the connection is dropped, so the
	// batch is done) and Send returns ready's error.
	Send(ctx context.Context, m Message, ready func() error) error
	// Close ends the batch. An error here (say, QUIT got no answer) does
	// not undo messages Send already reported as delivered.
	Close() error
}

// NewSMTP makes a transport that sends through the SMTP server in c.SMTP:
// TLS starttls (mandatory, refusing servers that do not offer it),
// implicit (TLS from connect, usually port 465) or none; AUTH plain or
// login with the username and password, or none; c.SMTP.Timeout bounds
// every network step. tls none with auth is refused unless the host is a
// loopback address, so a password never crosses a network in clear.
func NewSMTP(c config.Mail) (Transport, error) {
	return newSMTP(c, nil)
}

// newSMTP is NewSMTP with extra trusted roots, for tests against a
// server with a self-signed certificate.
func newSMTP(c config.Mail, roots *x509.CertPool) (*smtpTransport, error) {
	s := c.SMTP
	host := strings.TrimSpace(s.Host)
	if host == "" {
		return nil, errors.New("smtp: mail.smtp.host is empty")
	}
	if s.Port < 1 || s.Port > 65535 {
		return nil, fmt.Errorf("smtp: mail.smtp.port %d is out of range 1..65535", s.Port)
	}
	if s.Timeout.Duration <= 0 {
		return nil, fmt.Errorf("smtp: mail.smtp.timeout %s must be above 0", s.Timeout.Duration)
	}
	t := &smtpTransport{
		host:     host,
		addr:     net.JoinHostPort(host, strconv.Itoa(s.Port)),
		implicit: s.TLS == config.TLSImplicit,
		timeout:  s.Timeout.Duration,
		tlsConf:  &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12, RootCAs: roots},
	}
	t.name = fmt.Sprintf("smtp %s (%s)", t.addr, s.TLS)
	t.opts = []mail.Option{
		mail.WithPort(s.Port),
		mail.WithTimeout(s.Timeout.Duration),
		mail.WithTLSConfig(t.tlsConf),
	}
	switch s.TLS {
	case config.TLSStartTLS:
		t.opts = append(t.opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case config.TLSImplicit:
		// The TLS handshake itself happens in batch.dial; WithSSL keeps
		// go-mail from also trying STARTTLS.
		t.opts = append(t.opts, mail.WithSSL())
	case config.TLSNone:
		t.opts = append(t.opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		return nil, fmt.Errorf("smtp: mail.smtp.tls %q is not starttls, implicit or none", s.TLS)
	}
	if s.Auth != config.AuthNone {
		if s.Username == "" || s.Password == "" {
			return nil, fmt.Errorf("smtp: auth %s needs mail.smtp.username and a password", s.Auth)
		}
		inClear := s.TLS == config.TLSNone
		if inClear && !loopback(host) {
			return nil, fmt.Errorf("smtp: tls none with auth %s would send the password in clear to %s", s.Auth, host)
		}
		var auth mail.SMTPAuthType
		switch {
		case s.Auth == config.AuthPlain && inClear:
			auth = mail.SMTPAuthPlainNoEnc // loopback only, checked above
		case s.Auth == config.AuthPlain:
			auth = mail.SMTPAuthPlain
		case s.Auth == config.AuthLogin && inClear:
			auth = mail.SMTPAuthLoginNoEnc
		case s.Auth == config.AuthLogin:
			auth = mail.SMTPAuthLogin
		default:
			return nil, fmt.Errorf("smtp: mail.smtp.auth %q is not none, plain or login", s.Auth)
		}
		t.opts = append(t.opts, mail.WithSMTPAuth(auth), mail.WithUsername(s.Username), mail.WithPassword(s.Password))
	}
	// Fail now on options go-mail refuses, not at the first send.
	if _, err := mail.NewClient(host, t.opts...); err != nil {
		return nil, fmt.Errorf("smtp %s: %w", t.addr, err)
	}
	return t, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

type smtpTransport struct {
	host, addr, name string
	implicit         bool
	timeout          time.Duration
	tlsConf          *tls.Config
	opts             []mail.Option
}

func (t *smtpTransport) Name() string { return t.name }

// Open connects, greets, starts TLS and logs in. go-mail's Client does
// the dialling, TLS and AUTH; the transactions go over its smtp.Client
// directly, since the headers are ours (header.go) and a message needs
// no NOOP before it nor RSET after it.
func (t *smtpTransport) Open(ctx context.Context) (Batch, error) {
	b := &smtpBatch{t: t}
	c, err := mail.NewClient(t.host, append(slices.Clip(t.opts), mail.WithDialContextFunc(b.dial))...)
	if err != nil {
		return nil, fmt.Errorf("smtp %s: %w", t.addr, err)
	}
	b.client = c
	// go-mail bounds only the TCP connect by ctx; the greeting, STARTTLS
	// and AUTH that follow are cut short by closing the socket.
	stop := context.AfterFunc(ctx, b.abort)
	b.smtp, err = c.DialToSMTPClientWithContext(ctx)
	stop()
	if err != nil {
		// go-mail leaves the socket open when a step after connect fails.
		b.abort()
		return nil, fmt.Errorf("connect to %s: %w", t.name, withCtx(ctx, err))
	}
	return b, nil
}

type smtpBatch struct {
	t      *smtpTransport
	client *mail.Client
	smtp   *smtp.Client

	mu   sync.Mutex
	conn net.Conn // the TCP socket under any TLS
}

// dial connects for go-mail and keeps the socket so that a cancelled
// context can close it. With implicit TLS the handshake is done here,
// since go-mail does its own TLS dial only without a DialContextFunc.
func (b *smtpBatch) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.conn = conn
	b.mu.Unlock()
	if !b.t.implicit {
		return conn, nil
	}
	tc := tls.Client(conn, b.t.tlsConf)
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("TLS handshake: %w", err)
	}
	return tc, nil
}

func (b *smtpBatch) abort() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.conn != nil {
		_ = b.conn.Close()
	}
}

func (b *smtpBatch) Send(ctx context.Context, m Message, ready func() error) error {
	what := fmt.Sprintf("send message %s to %s", m.ID, strings.Join(m.To, ", "))
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	msg, err := Build(m)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	stop := context.AfterFunc(ctx, b.abort)
	err = b.transaction(m, msg, ready)
	stop()
	var rerr notReady
	if errors.As(err, &rerr) {
		return fmt.Errorf("%s: abandoned before the end of DATA: %w", what, rerr.err)
	}
	if err != nil {
		return fmt.Errorf("%s via %s: %w", what, b.t.addr, withCtx(ctx, err))
	}
	return nil
}

// notReady carries the error of Send's ready, to tell it from the
// server's.
type notReady struct{ err error }

func (e notReady) Error() string { return e.err.Error() }

// transaction is one MAIL, RCPT… DATA exchange. Build has checked the
// addresses. A refused MAIL, RCPT or DATA is followed by RSET, so the
// batch stays usable; when DATA's end is answered, the transaction is over
// either way. ready runs before the end of DATA; if it fails the socket
// is closed instead, so that the server drops the message.
func (b *smtpBatch) transaction(m Message, msg *mail.Msg, ready func() error) error {
	c := b.smtp
	if err := c.UpdateDeadline(b.t.timeout); err != nil {
		return err
	}
	// The whole message first, then one write: go-mail writes it in many
	// small pieces, and each would reach the socket on its own.
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return fmt.Errorf("render message: %w", err)
	}
	from, _ := netmail.ParseAddress(m.From)
	to := make([]string, len(m.To))
	for i, r := range m.To {
		a, _ := netmail.ParseAddress(r)
		to[i] = a.Address
	}
	if err := b.envelope(from.Address, to); err != nil {
		return err
	}
	w := c.Text.DotWriter()
	if _, err := w.Write(buf.Bytes()); err != nil {
		_ = w.Close()
		return fmt.Errorf("DATA (writing the message): %w", err)
	}
	if ready != nil {
		if err := ready(); err != nil {
			// Without the final "." the server never takes the message.
			b.abort()
			return notReady{err}
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("end of DATA: %w", err)
	}
	if _, _, err := c.Text.ReadResponse(250); err != nil {
		return fmt.Errorf("end of DATA: %w", err)
	}
	return nil
}

// envelope gives the server the sender and recipients and opens DATA
// (its 354 read). Where the server offers PIPELINING (RFC 2920) and there
// is one recipient, as the sender's every message has, MAIL, RCPT and
// DATA go in one write and their replies are read after: one round trip
// instead of three, which on a server across a network is most of a
// message's time. With several recipients the steps go one by one, so
// that a refused recipient stops the message before DATA and nobody gets
// it.
func (b *smtpBatch) envelope(from string, to []string) error {
	c := b.smtp
	if ok, _ := c.Extension("PIPELINING"); !ok || len(to) != 1 {
		// go-mail's Mail and Rcpt send the path as given: RFC 5321 wants
		// it in angle brackets, and strict servers refuse it without.
		if err := c.Mail("<" + from + ">"); err != nil {
			return errors.Join(fmt.Errorf("MAIL FROM <%s>: %w", from, err), b.reset())
		}
		for _, r := range to {
			if err := c.Rcpt("<" + r + ">"); err != nil {
				return errors.Join(fmt.Errorf("RCPT TO <%s>: %w", r, err), b.reset())
			}
		}
		if err := c.Text.PrintfLine("DATA"); err != nil {
			return fmt.Errorf("DATA: %w", err)
		}
		if _, _, err := c.Text.ReadResponse(354); err != nil {
			return errors.Join(fmt.Errorf("DATA: %w", err), b.reset())
		}
		return nil
	}
	// The parameters go-mail's Mail would add for this server.
	params := ""
	if ok, _ := c.Extension("8BITMIME"); ok {
		params += " BODY=8BITMIME"
	}
	if ok, _ := c.Extension("SMTPUTF8"); ok {
		params += " SMTPUTF8"
	}
	if strings.ContainsAny(from+to[0], "\r\n") {
		return fmt.Errorf("MAIL FROM <%s>, RCPT TO <%s>: an address has a line break", from, to[0])
	}
	w := c.Text.W
	fmt.Fprintf(w, "MAIL FROM:<%s>%s\r\nRCPT TO:<%s>\r\nDATA\r\n", from, params, to[0])
	if err := w.Flush(); err != nil {
		return fmt.Errorf("MAIL FROM <%s>, RCPT TO <%s>, DATA: %w", from, to[0], err)
	}
	// Every reply is read, whatever the first ones said, so that the
	// next transaction starts in step with the server.
	_, _, merr := c.Text.ReadResponse(250)
	_, _, rerr := c.Text.ReadResponse(25)
	_, _, derr := c.Text.ReadResponse(354)
	switch {
	case (merr != nil || rerr != nil) && derr == nil:
		// The server opened DATA for a transaction it refused part of:
		// only dropping the connection ends it without a message.
		b.abort()
		return errors.Join(stepErr("MAIL FROM", from, merr), stepErr("RCPT TO", to[0], rerr), net.ErrClosed)
	case merr != nil || rerr != nil || derr != nil:
		return errors.Join(stepErr("MAIL FROM", from, merr), stepErr("RCPT TO", to[0], rerr), stepErr("DATA", "", derr), b.reset())
	}
	return nil
}

// stepErr names the SMTP step err answered, nil when it did not fail.
func stepErr(step, addr string, err error) error {
	switch {
	case err == nil:
		return nil
	case addr == "":
		return fmt.Errorf("%s: %w", step, err)
	}
	return fmt.Errorf("%s <%s>: %w", step, addr, err)
}

// reset ends a refused transaction; an error here means the connection
// is gone, which Temporary then reports.
func (b *smtpBatch) reset() error {
	if err := b.smtp.Reset(); err != nil {
		return fmt.Errorf("RSET: %w", err)
	}
	return nil
}

func (b *smtpBatch) Close() error {
	err := b.smtp.Quit()
	b.abort()
	if err != nil {
		return fmt.Errorf("close %s: %w", b.t.name, err)
	}
	return nil
}

// withCtx puts the context's error first when it caused err.
func withCtx(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return errors.Join(cerr, err)
	}
	return err
}

// NewFile makes a transport that writes each message to
// <dir>/<FileName(ID)>, creating dir when a batch opens. A message sent
// again replaces its file, and a crash never leaves half a file: the
// message is written to a hidden temporary file that is renamed into place.
func NewFile(dir string) Transport { return fileTransport{dir: dir} }

type fileTransport struct{ dir string }

func (t fileTransport) Name() string { return "file " + t.dir }

func (t fileTransport) Open(ctx context.Context) (Batch, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open mail folder %s: %w", t.dir, err)
	}
	if err := os.MkdirAll(t.dir, 0o750); err != nil {
		return nil, fmt.Errorf("create mail folder: %w", err)
	}
	return t, nil
}

func (t fileTransport) Send(ctx context.Context, m Message, ready func() error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("write message %s: %w", m.ID, err)
	}
	msg, err := Build(m)
	if err != nil {
		return fmt.Errorf("write message %s: %w", m.ID, err)
	}
	path := filepath.Join(t.dir, FileName(m.ID))
	if err := writeAtomic(path, msg, ready); err != nil {
		return fmt.Errorf("write message %s: %w", m.ID, err)
	}
	return nil
}

func (t fileTransport) Close() error { return nil }

// writeAtomic writes to a temporary file in the same folder, syncs it and
// renames it over path, after ready (when not nil) has returned nil. The
// temporary name ends in .tmp so that tools reading *.eml never see a
// partial message.
func writeAtomic(path string, w io.WriterTo, ready func() error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if _, err = w.WriteTo(f); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if ready != nil {
		if err = ready(); err != nil {
			return err
		}
	}
	return os.Rename(f.Name(), path)
}

// FileName is the file the file transport writes for a message ID:
// the ID with every byte outside [A-Za-z0-9.@_+=-] written as %XX (so two
// IDs never share a file and none contains a path separator), plus ".eml".
func FileName(id string) string {
	var sb strings.Builder
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(".@_+=-", c) >= 0 {
			sb.WriteByte(c)
		} else {
			fmt.Fprintf(&sb, "%%%02X", c)
		}
	}
	return sb.String() + ".eml"
}

// Temporary reports whether sending may work later: a 4xx reply, or the
// connection failing, timing out or being cancelled. A 5xx reply or a
// message that cannot be built is permanent: sending it again gives the
// same answer.
func Temporary(err error) bool {
	if err == nil {
		return false
	}
	// SendError does not unwrap to the server's reply, so its own code
	// and reason decide.
	var se *mail.SendError
	if errors.As(err, &se) {
		if se.IsTemp() {
			return true
		}
		if code := se.ErrorCode(); code != 0 {
			return code/100 == 4
		}
		switch se.Reason {
		case mail.ErrGetSender, mail.ErrGetRcpts, mail.ErrNoUnencoded:
			return false // the message itself is at fault
		}
		return true // no reply code: the connection broke mid-transaction
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code/100 == 4
	}
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, mail.ErrNoActiveConnection), errors.As(err, &ne):
		return true
	}
	return false
}

// NewTransport builds the transport the configuration names.
func NewTransport(c config.Mail) (Transport, error) {
	switch c.Transport {
	case "", "file":
		return NewFile(c.Dir), nil
	case "smtp":
		return NewSMTP(c)
	}
	return nil, fmt.Errorf("mail.transport %q: use file or smtp", c.Transport)
}
