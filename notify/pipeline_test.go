package notify

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"chuyenhoa/config"
)

// scripted is an SMTP server that answers as its test says, on one
// connection, so the tests can see what the client writes before it waits.
type scripted struct {
	t    *testing.T
	l    net.Listener
	done chan error
}

// startScripted serves one connection: the greeting, EHLO answered with
// ext, then serve's own dialogue on the connection's reader.
func startScripted(t *testing.T, ext []string, serve func(r *bufio.Reader, w io.Writer) error) *scripted {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &scripted{t: t, l: l, done: make(chan error, 1)}
	go func() {
		c, err := l.Accept()
		if err != nil {
			s.done <- err
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(testTimeout))
		r := bufio.NewReader(c)
		fmt.Fprint(c, "220 scripted ESMTP\r\n")
		if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "EHLO") {
			s.done <- fmt.Errorf("want EHLO, got %q (%v)", line, err)
			return
		}
		reply := "250-scripted\r\n"
		for _, e := range ext {
			reply += "250-" + e + "\r\n"
		}
		fmt.Fprint(c, reply+"250 SIZE\r\n")
		s.done <- serve(r, c)
	}()
	t.Cleanup(func() { _ = l.Close() })
	return s
}

// wait returns the dialogue's error.
func (s *scripted) wait() error {
	select {
	case err := <-s.done:
		return err
	case <-time.After(2 * testTimeout):
		return errors.New("the scripted server did not finish")
	}
}

func (s *scripted) batch() Batch {
	s.t.Helper()
	var c config.Mail
	c.Transport = config.TransportSMTP
	c.From = "bcd138@localhost"
	c.SMTP.Host = "127.0.0.1"
	c.SMTP.Port = s.l.Addr().(*net.TCPAddr).Port
	c.SMTP.TLS = config.TLSNone
	c.SMTP.Auth = config.AuthNone
	c.SMTP.Timeout = config.Duration{Duration: testTimeout}
	return openSMTP(s.t, c)
}

// readLines reads n command lines.
func readLines(r *bufio.Reader, n int) ([]string, error) {
	var out []string
	for range n {
		line, err := r.ReadString('\n')
		if err != nil {
			return out, err
		}
		out = append(out, strings.TrimRight(line, "\r\n"))
	}
	return out, nil
}

// readBody reads the message up to its final ".".
func readBody(r *bufio.Reader) (string, error) {
	var sb strings.Builder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return sb.String(), err
		}
		if line == ".\r\n" {
			return sb.String(), nil
		}
		sb.WriteString(line)
	}
}

// A server that offers PIPELINING answers nothing until it has MAIL, RCPT
// and DATA: a client that waited for the reply to MAIL would hang here.
func TestSMTPPipelinesTheEnvelope(t *testing.T) {
	srv := startScripted(t, []string{"PIPELINING", "8BITMIME"}, func(r *bufio.Reader, w io.Writer) error {
		for i := range 2 {
			cmds, err := readLines(r, 3)
			if err != nil {
				return fmt.Errorf("message %d: want MAIL, RCPT and DATA before any reply, got %q: %w", i, cmds, err)
			}
			if !strings.HasPrefix(cmds[0], "MAIL FROM:<bcd138@localhost>") || !strings.Contains(cmds[0], "BODY=8BITMIME") ||
				cmds[1] != fmt.Sprintf("RCPT TO:<d0%d@example.vn>", i+1) || cmds[2] != "DATA" {
				return fmt.Errorf("message %d: commands %q", i, cmds)
			}
			fmt.Fprint(w, "250 2.0.0 sender ok\r\n250 2.0.0 recipient ok\r\n354 go ahead\r\n")
			body, err := readBody(r)
			if err != nil {
				return fmt.Errorf("message %d body: %w", i, err)
			}
			if !strings.Contains(body, fmt.Sprintf("Message-ID: <p%d@chuyenhoa>", i+1)) {
				return fmt.Errorf("message %d: body lacks its Message-ID:\n%s", i, body)
			}
			fmt.Fprint(w, "250 2.0.0 queued\r\n")
		}
		if cmds, err := readLines(r, 1); err != nil || cmds[0] != "QUIT" {
			return fmt.Errorf("want QUIT, got %q (%v)", cmds, err)
		}
		fmt.Fprint(w, "221 bye\r\n")
		return nil
	})
	b := srv.batch()
	for i := 1; i <= 2; i++ {
		if err := b.Send(context.Background(), vietMessage(fmt.Sprintf("p%d@chuyenhoa", i), fmt.Sprintf("d0%d@example.vn", i)), nil); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
	}
	if err := b.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := srv.wait(); err != nil {
		t.Fatal(err)
	}
}

// Without PIPELINING on offer, each command waits for its reply: the
// server finds nothing more to read before it has answered.
func TestSMTPWithoutPipeliningWaitsForEachReply(t *testing.T) {
	srv := startScripted(t, []string{"8BITMIME"}, func(r *bufio.Reader, w io.Writer) error {
		for _, want := range []string{"MAIL FROM:<bcd138@localhost>", "RCPT TO:<d01@example.vn>", "DATA"} {
			cmds, err := readLines(r, 1)
			if err != nil || !strings.HasPrefix(cmds[0], want) {
				return fmt.Errorf("want %s, got %q (%v)", want, cmds, err)
			}
			if r.Buffered() > 0 {
				return fmt.Errorf("after %q the client sent more before the reply", cmds[0])
			}
			// Give a client that does not wait the time to write ahead.
			time.Sleep(20 * time.Millisecond)
			if r.Buffered() > 0 {
				return fmt.Errorf("after %q the client sent more before the reply", cmds[0])
			}
			if want == "DATA" {
				fmt.Fprint(w, "354 go ahead\r\n")
			} else {
				fmt.Fprint(w, "250 ok\r\n")
			}
		}
		if _, err := readBody(r); err != nil {
			return err
		}
		fmt.Fprint(w, "250 queued\r\n")
		return nil
	})
	b := srv.batch()
	if err := b.Send(context.Background(), vietMessage("seq@chuyenhoa", "d01@example.vn"), nil); err != nil {
		t.Fatalf("Send: %v (server: %v)", err, srv.wait())
	}
	if err := srv.wait(); err != nil {
		t.Fatal(err)
	}
}

// A server that refuses the recipient yet opens DATA (RFC 2920 lets it)
// must not get a message: the client drops the connection instead of
// sending one, and says which step was refused.
func TestSMTPPipelinedRefusalWithDataOpenSendsNothing(t *testing.T) {
	srv := startScripted(t, []string{"PIPELINING"}, func(r *bufio.Reader, w io.Writer) error {
		if _, err := readLines(r, 3); err != nil {
			return err
		}
		fmt.Fprint(w, "250 ok\r\n550 5.1.1 no such user\r\n354 go ahead\r\n")
		rest, err := io.ReadAll(r)
		if len(rest) > 0 {
			return fmt.Errorf("after the refusal the client sent %q (%v); want the connection closed", rest, err)
		}
		return nil
	})
	b := srv.batch()
	err := b.Send(context.Background(), vietMessage("refused@chuyenhoa", "nobody@example.vn"), nil)
	if err == nil || Temporary(err) {
		t.Fatalf("Send: err = %v, want a permanent error (the 550 of RCPT)", err)
	}
	for _, part := range []string{"RCPT TO <nobody@example.vn>", "550"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not name %q", err, part)
		}
	}
	if err := srv.wait(); err != nil {
		t.Fatal(err)
	}
}
