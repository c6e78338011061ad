package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/wneessen/go-mail"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/notify"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// Sink is a local SMTP server that accepts every message and throws it
// away, so that both senders measure their own cost, not the server's.
// With a round trip above zero, clients reach it through a delay line
// (see delayLine), as a server across a network would be.
type Sink struct {
	srv      *smtp.Server
	ln       net.Listener // the server's
	front    net.Listener // the delay line's, when there is one
	accepted atomic.Int64
}

// StartSink listens on a free port of 127.0.0.1; rtt is the round trip
// clients see (0: the loopback's own).
func StartSink(rtt time.Duration) (*Sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Sink{ln: ln}
	s.srv = smtp.NewServer(sinkBackend{s})
	s.srv.Domain = "localhost"
	s.srv.ReadTimeout = 30 * time.Second
	s.srv.WriteTimeout = 30 * time.Second
	s.srv.MaxMessageBytes = 10 << 20
	s.srv.MaxRecipients = 50
	go func() { _ = s.srv.Serve(ln) }()
	if rtt > 0 {
		if s.front, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			_ = s.srv.Close()
			return nil, err
		}
		go delayLine(s.front, ln.Addr().String(), rtt/2)
	}
	return s, nil
}

// Port is the port clients connect to.
func (s *Sink) Port() int {
	if s.front != nil {
		return s.front.Addr().(*net.TCPAddr).Port
	}
	return s.ln.Addr().(*net.TCPAddr).Port
}

// RoundTrip measures the round trip clients see: the median of 20 NOOPs
// on a connection of its own (a delay line's sleeps overshoot what they
// were asked for, more so on a busy machine).
func (s *Sink) RoundTrip() (time.Duration, error) {
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port())), 10*time.Second)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	tp := textproto.NewConn(c)
	if _, _, err := tp.ReadResponse(220); err != nil {
		return 0, fmt.Errorf("greeting: %w", err)
	}
	var rtts []time.Duration
	for range 20 {
		start := time.Now()
		if err := tp.PrintfLine("NOOP"); err != nil {
			return 0, err
		}
		if _, _, err := tp.ReadResponse(250); err != nil {
			return 0, fmt.Errorf("NOOP: %w", err)
		}
		rtts = append(rtts, time.Since(start))
	}
	return middle(rtts), tp.PrintfLine("QUIT")
}

// Accepted counts the messages accepted so far.
func (s *Sink) Accepted() int64 { return s.accepted.Load() }

// Close stops the server.
func (s *Sink) Close() error {
	if s.front != nil {
		_ = s.front.Close()
	}
	return s.srv.Close()
}

// delayLine forwards each connection accepted on l to upstream, every
// write arriving oneWay after it was made, in order, however many are on
// the way: a network's latency with unlimited bandwidth.
func delayLine(l net.Listener, upstream string, oneWay time.Duration) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		u, err := net.Dial("tcp", upstream)
		if err != nil {
			_ = c.Close()
			continue
		}
		go delayed(u, c, oneWay)
		go delayed(c, u, oneWay)
	}
}

// delayed copies src to dst, each chunk oneWay after it was read.
func delayed(dst, src net.Conn, oneWay time.Duration) {
	type chunk struct {
		b  []byte
		at time.Time
	}
	q := make(chan chunk, 4096)
	go func() {
		defer close(q)
		buf := make([]byte, 64<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				q <- chunk{slices.Clone(buf[:n]), time.Now().Add(oneWay)}
			}
			if err != nil {
				return
			}
		}
	}()
	for ch := range q {
		time.Sleep(time.Until(ch.at))
		if _, err := dst.Write(ch.b); err != nil {
			break
		}
	}
	_ = dst.Close()
	_ = src.Close()
}

type sinkBackend struct{ s *Sink }

func (b sinkBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{b.s}, nil }

type sinkSession struct{ s *Sink }

func (se *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (se *sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (se *sinkSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	se.s.accepted.Add(1)
	return nil
}
func (se *sinkSession) Reset()        {}
func (se *sinkSession) Logout() error { return nil }

// MailResult compares our mail path with a plain go-mail loop.
type MailResult struct {
	Messages int
	// RTT is the round trip to the server asked for (0: the loopback's
	// own); Measured is what a NOOP took.
	RTT, Measured time.Duration
	// Compose renders the digests and queues them in the outbox; Send
	// drains the outbox through notify.Sender. Plain sends the same
	// rendered messages in a bare go-mail loop over one connection.
	Compose, Send, Plain Sample
}

// Ours is our end-to-end rate (compose, queue, send), in messages a second.
func (m MailResult) Ours() float64 { return rate(m.Messages, m.Compose.Wall+m.Send.Wall) }

// SendOnly is notify.Sender's rate alone.
func (m MailResult) SendOnly() float64 { return rate(m.Messages, m.Send.Wall) }

// PlainRate is the plain loop's rate.
func (m MailResult) PlainRate() float64 { return rate(m.Messages, m.Plain.Wall) }

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// mailConfig is the SMTP transport to the sink: plain TCP on loopback,
// no login, as a relay on the same host would be.
func mailConfig(port int) config.Mail {
	m := config.Default().Mail
	m.Transport = config.TransportSMTP
	m.SMTP.Host = "127.0.0.1"
	m.SMTP.Port = port
	m.SMTP.TLS = config.TLSNone
	m.SMTP.Auth = config.AuthNone
	m.SMTP.Timeout.Duration = 30 * time.Second
	return m
}

// deadlineFindings are what the deadlines job reports for n district
// committees on a busy day: each has a transformation plan overdue,
// another due and the six-month report coming due, so the composer
// writes n district digests of three items each (and nothing to the
// province: nothing is escalated). The districts and their communes are
// stored, so the digests carry their names.
func deadlineFindings(ctx context.Context, s *store.Store, cfg *config.Config, n int, day time.Time) ([]store.Finding, error) {
	obl := cfg.RuleObligations()
	byCode := map[string]rules.Obligation{}
	for _, o := range obl {
		byCode[o.Code] = o
	}
	plan, h1 := byCode["plan"], byCode["report_h1"]
	ds := &store.Dataset{}
	var fs []store.Finding
	cfg.Recipients.Districts = map[string][]string{}
	for i := range n {
		code := fmt.Sprintf("H%04d", i+1)
		ds.Districts = append(ds.Districts, rules.District{Code: code, Name: fmt.Sprintf("Huyện Tân Lập %d", i+1), Kind: "huyen"})
		cfg.Recipients.Districts[code] = []string{fmt.Sprintf("bcd138.%s@localhost", strings.ToLower(code))}
		decided := day.AddDate(0, 0, -40)
		items := []rules.Deadline{
			{Obligation: plan, Unit: code + "X01", Due: decided.AddDate(0, 0, plan.DueAfterDecisionDays), State: rules.DeadlineOverdue, DaysLate: 10},
			{Obligation: plan, Unit: code + "X02", Due: day.AddDate(0, 0, -1), State: rules.DeadlineDue, DaysLate: 1},
			{Obligation: h1, Due: day.AddDate(0, 0, 5), State: rules.DeadlineUpcoming},
		}
		for j, d := range items {
			d.Committee, d.Year, d.Period = rules.DistrictCommittee(code), day.Year(), d.Obligation.PeriodKey(day.Year())
			d.EscalateOn = d.Due.AddDate(0, 0, d.Obligation.GraceDays+d.Obligation.EscalateDays+1)
			if d.Unit != "" {
				ds.Units = append(ds.Units, store.UnitRow{Unit: rules.Unit{Code: d.Unit, Name: fmt.Sprintf("Xã Hòa Bình %d", j+1), Kind: "xa", District: code}})
			}
			kind, b, err := finding.Encode(d)
			if err != nil {
				return nil, err
			}
			key := strings.Join([]string{code, d.Obligation.Code, d.Period, d.Unit}, "/")
			fs = append(fs, store.Finding{Kind: kind, Key: key, District: code, Unit: d.Unit, State: finding.DeadlineState(d.State), Payload: b})
		}
	}
	if err := s.Load(ctx, ds); err != nil {
		return nil, err
	}
	return fs, nil
}

// BenchMail composes one digest per district committee for n committees
// with notify.Composer, as the deadlines job's hook and the dispatcher do, and sends them
// to a sink with notify.Sender, as the service does; then it sends the
// same messages again with a plain go-mail loop over one connection. rtt
// puts the server that far away (0: on the loopback). The store must be
// empty.
func BenchMail(ctx context.Context, s *store.Store, n int, rtt time.Duration) (MailResult, error) {
	res := MailResult{Messages: n, RTT: rtt}
	// The record of digests composed: a run before this one must not make
	// this digest time look done.
	if _, err := s.DB().ExecContext(ctx, "DELETE FROM digests"); err != nil {
		return res, err
	}
	sink, err := StartSink(rtt)
	if err != nil {
		return res, err
	}
	defer sink.Close()
	if res.Measured, err = sink.RoundTrip(); err != nil {
		return res, fmt.Errorf("round trip to the server: %w", err)
	}
	cfg := config.Default()
	cfg.Mail = mailConfig(sink.Port())
	day := period.Date(2026, time.November, 25)
	now := time.Date(2026, time.November, 25, 7, 0, 0, 0, cfg.Location())
	clock := func() time.Time { return now }
	fs, err := deadlineFindings(ctx, s, cfg, n, day)
	if err != nil {
		return res, fmt.Errorf("prepare findings: %w", err)
	}
	// As the service's configuration is: validated (which also loads the
	// time zone once instead of at every use).
	if err := cfg.Validate(); err != nil {
		return res, fmt.Errorf("bench configuration: %w", err)
	}

	comp := &notify.Composer{Store: s, Config: cfg, Now: clock}
	var done notify.Composed
	res.Compose, err = Measure(func() error {
		// The deadlines job's hook moves the alerts, the dispatcher mails
		// them at the day's digest time.
		err := s.InTx(ctx, func(tx *store.Tx) error {
			return comp.Hook(ctx, tx, finding.JobDeadlines, day.Format(time.DateOnly), fs)
		})
		if err != nil {
			return err
		}
		done, err = comp.Dispatch(ctx, notify.SlotsOf(cfg).First(day))
		return err
	})
	if err != nil {
		return res, fmt.Errorf("compose: %w", err)
	}
	if done.Digests != n || done.Messages != n {
		return res, fmt.Errorf("compose: %d digests, %d messages; want %d of each", done.Digests, done.Messages, n)
	}
	queued, err := s.Outbox(ctx, 0, store.OutboxPending)
	if err != nil {
		return res, err
	}

	tr, err := notify.NewTransport(cfg.Mail)
	if err != nil {
		return res, err
	}
	snd := &notify.Sender{Store: s, Transport: tr, Now: clock}
	var st notify.DrainStats
	res.Send, err = Measure(func() error {
		var err error
		st, err = snd.Drain(ctx)
		return err
	})
	if err != nil {
		return res, fmt.Errorf("send: %w", err)
	}
	if st.Sent != n || sink.Accepted() != int64(n) {
		return res, fmt.Errorf("send: %d sent, %d accepted by the server, want %d", st.Sent, sink.Accepted(), n)
	}

	res.Plain, err = Measure(func() error { return plainLoop(ctx, sink.Port(), queued) })
	if err != nil {
		return res, fmt.Errorf("plain loop: %w", err)
	}
	if got := sink.Accepted() - int64(n); got != int64(n) {
		return res, fmt.Errorf("plain loop: server accepted %d, want %d", got, n)
	}
	return res, nil
}

// plainLoop is what sending mail costs at the least with go-mail: one
// connection, one message after the other, multipart text and HTML, no
// outbox and no bookkeeping. (go-mail still ends each message with RSET.)
func plainLoop(ctx context.Context, port int, msgs []store.OutboxMessage) error {
	// WithoutNoop: go-mail otherwise checks the connection with a NOOP
	// before every message, a round trip our sender does not make either.
	c, err := mail.NewClient("127.0.0.1", mail.WithPort(port), mail.WithTLSPolicy(mail.NoTLS), mail.WithTimeout(30*time.Second), mail.WithoutNoop())
	if err != nil {
		return err
	}
	if err := c.DialWithContext(ctx); err != nil {
		return err
	}
	var errs []error
	for _, m := range msgs {
		msg := mail.NewMsg()
		if err := msg.From(m.Sender); err != nil {
			return err
		}
		if err := msg.To(m.Recipient); err != nil {
			return err
		}
		msg.Subject(m.Subject)
		msg.SetMessageIDWithValue(m.MessageID)
		msg.SetDateWithValue(m.CreatedAt)
		for k, v := range m.Headers {
			msg.SetGenHeader(mail.Header(k), v)
		}
		msg.SetBodyString(mail.TypeTextPlain, m.Text)
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
		if err := c.Send(msg); err != nil && !msg.IsDelivered() {
			errs = append(errs, err)
			break
		}
	}
	errs = append(errs, c.Close())
	return errors.Join(errs...)
}
