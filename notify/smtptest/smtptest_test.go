package smtptest

import (
	"net/smtp"
	"testing"
	"time"
)

// OnMessage runs after the message is recorded and before the client gets
// the reply: a client that dies there has delivered a message it never
// heard about.
func TestOnMessageRunsBeforeTheReply(t *testing.T) {
	s := Start(t)
	hooked := make(chan Received, 1)
	release := make(chan struct{})
	s.OnMessage(func(m Received) {
		hooked <- m
		<-release
	})
	replied := make(chan error, 1)
	go func() {
		replied <- smtp.SendMail(s.Addr(), nil, "a@example.org", []string{"b@example.org"},
			[]byte("Message-ID: <x@example.org>\r\nSubject: hi\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nxin chào\r\n"))
	}()
	var m Received
	select {
	case m = <-hooked:
	case <-time.After(5 * time.Second):
		t.Fatal("the hook was not called")
	}
	if m.MessageID != "x@example.org" || len(s.Messages()) != 1 {
		t.Errorf("hook got %q with %d recorded, want the message already recorded", m.MessageID, len(s.Messages()))
	}
	select {
	case err := <-replied:
		t.Fatalf("the client got its reply (%v) before the hook returned", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if err := <-replied; err != nil {
		t.Fatalf("send: %v", err)
	}
	s.OnMessage(nil)
}
