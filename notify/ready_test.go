package notify

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"chuyenhoa/notify/smtptest"
)

// Send's ready runs once the message has travelled and before the server
// takes it; a failing ready leaves the message untaken. The sender relies
// on both to record each message before the next is accepted.
func TestSendWaitsForReadyBeforeTheMessageIsTaken(t *testing.T) {
	boom := errors.New("mark failed")
	t.Run("smtp", func(t *testing.T) {
		srv := smtptest.Start(t)
		b := openSMTP(t, smtpConfig(srv))
		called := false
		err := b.Send(context.Background(), vietMessage("r1@chuyenhoa", "d01@example.vn"), func() error {
			called = true
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("the server had %d messages when ready ran, want 0 (ready runs before the end of DATA)", n)
			}
			return nil
		})
		if err != nil || !called {
			t.Fatalf("Send = %v, ready called %v", err, called)
		}
		if n := len(srv.Messages()); n != 1 {
			t.Fatalf("%d messages after Send, want 1", n)
		}
		err = b.Send(context.Background(), vietMessage("r2@chuyenhoa", "d01@example.vn"), func() error { return boom })
		if !errors.Is(err, boom) || !strings.Contains(err.Error(), "r2@chuyenhoa") {
			t.Fatalf("Send with a failing ready = %v, want it to name r2 and wrap the ready error", err)
		}
		// The server gets no end of DATA, only a dropped connection.
		srv.Stop()
		if got := srv.Messages(); len(got) != 1 || got[0].MessageID != "r1@chuyenhoa" {
			t.Errorf("the server took %d messages, want only r1", len(got))
		}
	})
	t.Run("file", func(t *testing.T) {
		dir := t.TempDir()
		b, err := NewFile(dir).Open(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		m := vietMessage("r1@chuyenhoa", "d01@example.vn")
		path := filepath.Join(dir, FileName(m.ID))
		err = b.Send(context.Background(), m, func() error {
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s exists when ready runs (stat: %v), want it renamed into place after", path, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		checkFile(t, path, m)
		bad := vietMessage("r2@chuyenhoa", "d01@example.vn")
		if err := b.Send(context.Background(), bad, func() error { return boom }); !errors.Is(err, boom) {
			t.Fatalf("Send with a failing ready = %v, want the ready error", err)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].Name() != FileName(m.ID) {
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Errorf("folder holds %v, want only %s (no r2, no temporary file)", names, FileName(m.ID))
		}
	})
}
