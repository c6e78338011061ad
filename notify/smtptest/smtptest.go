// Package smtptest runs an SMTP server inside a test, over real TCP on
// 127.0.0.1, so that mail code is tested against the protocol rather than
// against a fake of the mail library. The server records what it accepts,
// can be told to refuse a recipient or a message with a chosen reply code,
// and can be stopped and restarted on the same port to play an outage.
package smtptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// TLS modes for WithTLS.
const (
	TLSNone     = "none"
	TLSStartTLS = "starttls" // plain TCP that offers STARTTLS
	TLSImplicit = "implicit" // TLS from the first byte
)

// Option changes how Start sets up the server.
type Option func(*Server)

// WithTLS serves TLS in the given mode with a self-signed certificate for
// 127.0.0.1 and localhost; clients trust it through RootCAs.
func WithTLS(mode string) Option {
	return func(s *Server) { s.tlsMode = mode }
}

// Server is an SMTP server for one test.
type Server struct {
	host string
	port int

	tlsMode string
	tlsConf *tls.Config
	roots   *x509.CertPool

	mu         sync.Mutex
	t          testing.TB // for logs; nil once stopped
	srv        *smtp.Server
	ln         net.Listener
	served     chan struct{} // closed when the current Serve returns
	conns      map[*smtp.Conn]int
	active     int // sessions not yet logged out
	msgs       []Received
	changed    chan struct{} // closed and replaced whenever msgs grows
	rejectRcpt map[string]int
	failCode   int
	failTimes  int
	onMessage  func(Received)
}

// Received is one message the server accepted.
type Received struct {
	From     string   // envelope sender (MAIL FROM)
	To       []string // envelope recipients (RCPT TO), in order
	Raw      []byte   // the message as transmitted, dot-unstuffed
	Conn     int      // which connection carried it, counting from 1
	Username string   // the AUTH user of that connection, "" without AUTH
	TLS      bool     // whether the connection was encrypted

	MessageID string // Message-ID without the angle brackets
	Subject   string // decoded from RFC 2047
	Text      string // decoded text/plain part
	HTML      string // decoded text/html part
	// Header holds the single-valued header fields, decoded from RFC 2047,
	// under canonical keys (textproto.CanonicalMIMEHeaderKey, so
	// "Message-Id"); use Get to look one up by any spelling.
	Header map[string]string
	// ParseErr is set when Raw is not a well-formed MIME message; the
	// decoded fields above are then incomplete.
	ParseErr error
}

// Start listens on 127.0.0.1 on a free port and serves until the test
// ends. AUTH PLAIN and LOGIN are offered without TLS and accept any
// credentials, recording the user name.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{
		host:       "127.0.0.1",
		tlsMode:    TLSNone,
		conns:      map[*smtp.Conn]int{},
		changed:    make(chan struct{}),
		rejectRcpt: map[string]int{},
	}
	for _, o := range opts {
		o(s)
	}
	switch s.tlsMode {
	case TLSNone:
	case TLSStartTLS, TLSImplicit:
		conf, roots, err := selfSigned()
		if err != nil {
			t.Fatalf("smtptest: certificate: %v", err)
		}
		s.tlsConf, s.roots = conf, roots
	default:
		t.Fatalf("smtptest: unknown TLS mode %q", s.tlsMode)
	}
	l, err := net.Listen("tcp", s.host+":0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	s.serve(t, l)
	t.Cleanup(s.Stop)
	return s
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.host, strconv.Itoa(s.port)) }

// Host is the listening IP address, 127.0.0.1.
func (s *Server) Host() string { return s.host }

// Port is the listening port; it stays the same across Restart.
func (s *Server) Port() int { return s.port }

// RootCAs trusts the server's certificate; nil without TLS.
func (s *Server) RootCAs() *x509.CertPool { return s.roots }

// Messages returns copies of the accepted messages in arrival order.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.copyMsgs()
}

// Connections counts the client connections that got past the greeting
// (EHLO/HELO), across restarts.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// WaitFor waits until at least n messages have arrived and returns them;
// the test fails if they do not arrive within timeout.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if len(s.msgs) >= n {
			msgs := s.copyMsgs()
			s.mu.Unlock()
			return msgs
		}
		changed, got := s.changed, len(s.msgs)
		s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("smtptest: %d message(s) after %s, want %d", got, timeout, n)
			return nil
		}
	}
}

// RejectRcpt makes RCPT TO for addr (case-insensitive) answer code, e.g.
// 550 for a permanent or 451 for a temporary refusal; code 0 accepts it
// again.
func (s *Server) RejectRcpt(addr string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		delete(s.rejectRcpt, strings.ToLower(addr))
		return
	}
	s.rejectRcpt[strings.ToLower(addr)] = code
}

// FailData makes the next `times` messages fail with code. The server
// answers 354 to DATA as every real server does and gives code as the
// reply to the end of the message, so the message is not recorded.
func (s *Server) FailData(code int, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failCode, s.failTimes = code, times
}

// OnMessage makes the server call f with each message it accepts, after
// recording it and before answering the client: a test can kill the
// sending process there, so that the message is delivered but the sender
// never learns it (the crash an at-least-once sender repeats a message
// for). f runs on the connection's goroutine; nil removes it.
func (s *Server) OnMessage(f func(Received)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onMessage = f
}

// Stop closes the listener and every open connection, as when the mail
// server goes down, and waits for the sessions to end. Stopping a stopped
// server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	srv, served, ln := s.srv, s.served, s.ln
	s.srv, s.ln = nil, nil
	s.t = nil
	s.mu.Unlock()
	if srv == nil {
		return
	}
	_ = srv.Close()
	// go-smtp's Close only closes listeners Serve has already registered;
	// closing ours too stops a Serve that had not got that far.
	_ = ln.Close()
	<-served
	// Close returns before the connection goroutines notice; wait so that
	// nothing of this server runs once Stop returns.
	for i := 0; i < 500; i++ {
		s.mu.Lock()
		active := s.active
		s.mu.Unlock()
		if active == 0 {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Restart listens again on the same port after Stop. Recorded messages,
// connections and fault settings are kept.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	var l net.Listener
	var err error
	// The port is free again at once (Go sets SO_REUSEADDR), but allow for
	// a slow kernel rather than fail the test.
	for i := 0; i < 50; i++ {
		if l, err = net.Listen("tcp", s.Addr()); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("smtptest: listen again on %s: %v", s.Addr(), err)
	}
	s.serve(t, l)
}

func (s *Server) serve(t testing.TB, l net.Listener) {
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "smtptest.localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.ErrorLog = logger{s}
	if s.tlsMode == TLSStartTLS {
		srv.TLSConfig = s.tlsConf
	}
	if s.tlsMode == TLSImplicit {
		l = tls.NewListener(l, s.tlsConf)
	}
	served := make(chan struct{})
	s.mu.Lock()
	s.srv, s.served, s.t, s.ln = srv, served, t, l
	s.mu.Unlock()
	go func() {
		defer close(served)
		_ = srv.Serve(l)
	}()
}

func (s *Server) copyMsgs() []Received {
	out := make([]Received, len(s.msgs))
	for i, m := range s.msgs {
		m.To = append([]string(nil), m.To...)
		m.Raw = append([]byte(nil), m.Raw...)
		h := make(map[string]string, len(m.Header))
		for k, v := range m.Header {
			h[k] = v
		}
		m.Header = h
		out[i] = m
	}
	return out
}

// logger passes go-smtp's error log to the test while it runs.
type logger struct{ s *Server }

func (l logger) Printf(format string, v ...any) {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	if l.s.t != nil {
		l.s.t.Logf("smtptest: "+format, v...)
	}
}

func (l logger) Println(v ...any) { l.Printf("%s", fmt.Sprintln(v...)) }

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.conns[c]
	if !ok {
		n = len(s.conns) + 1
		s.conns[c] = n
	}
	s.active++
	_, isTLS := c.TLSConnectionState()
	return &session{s: s, conn: n, tls: isTLS}, nil
}

// session is one SMTP session; go-smtp calls it from the connection's
// goroutine only, but the server's settings are shared.
type session struct {
	s        *Server
	conn     int
	tls      bool
	username string
	from     string
	to       []string
}

func (se *session) AuthMechanisms() []string { return []string{sasl.Plain, sasl.Login} }

func (se *session) Auth(mech string) (sasl.Server, error) {
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, username, _ string) error {
			se.username = username
			return nil
		}), nil
	case sasl.Login:
		return &loginServer{done: func(username string) { se.username = username }}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	se.from = from
	se.to = nil
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	se.s.mu.Lock()
	code := se.s.rejectRcpt[strings.ToLower(to)]
	se.s.mu.Unlock()
	if code != 0 {
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet,
			Message: fmt.Sprintf("recipient <%s> refused by smtptest", to)}
	}
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := se.s
	s.mu.Lock()
	if s.failTimes > 0 {
		s.failTimes--
		s.mu.Unlock()
		return &smtp.SMTPError{Code: s.failCode, EnhancedCode: smtp.EnhancedCodeNotSet,
			Message: "message refused by smtptest"}
	}
	m, perr := Parse(raw)
	m.ParseErr = perr
	m.From = se.from
	m.To = append([]string(nil), se.to...)
	m.Conn, m.Username, m.TLS = se.conn, se.username, se.tls
	s.msgs = append(s.msgs, m)
	close(s.changed)
	s.changed = make(chan struct{})
	hook := s.onMessage
	s.mu.Unlock()
	if hook != nil {
		hook(m)
	}
	return nil
}

func (se *session) Reset() {
	se.from = ""
	se.to = nil
}

func (se *session) Logout() error {
	se.s.mu.Lock()
	se.s.active--
	se.s.mu.Unlock()
	return nil
}

// loginServer is the server side of AUTH LOGIN, which go-sasl does not
// provide: ask for the user name, then the password.
type loginServer struct {
	step     int
	username string
	done     func(username string)
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step++
		if response == nil {
			return []byte("Username:"), false, nil
		}
		l.username = string(response) // sent as the initial response
		l.step++
		return []byte("Password:"), false, nil
	case 1:
		l.username = string(response)
		l.step++
		return []byte("Password:"), false, nil
	case 2:
		l.step++
		l.done(l.username)
		return nil, true, nil
	}
	return nil, false, errors.New("unexpected AUTH LOGIN response")
}

// selfSigned makes a short-lived certificate for 127.0.0.1 and localhost.
func selfSigned() (*tls.Config, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "smtptest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	conf := &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}},
		MinVersion:   tls.VersionTLS12,
	}
	return conf, roots, nil
}

// Get returns the decoded header field name in any spelling.
func (r Received) Get(name string) string {
	return r.Header[canonicalKey(name)]
}
