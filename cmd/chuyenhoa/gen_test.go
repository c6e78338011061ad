package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// gen is called directly: the lead registers it in commands().
func runGen(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	err := cmdGen(context.Background(), a, args)
	return out.String(), err
}

func TestGenFillsAnEmptyDatabaseOnce(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "gen.db")
	out, err := runGen(t, "--units", "20", "--years", "1", "--seed", "3", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	// 20 communes, ten to a district.
	for _, want := range []string{"2 huyện, 20 xã, 12 loại tội phạm", "từ 26/11/2025 đến 25/11/2026"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, err := runGen(t, "--units", "20", "--years", "1", "--db", db); err == nil || !strings.Contains(err.Error(), "already has rows") {
		t.Errorf("second gen into the same database: err = %v, want a refusal", err)
	}
}

func TestGenRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--units", "1"},
		{"--years", "0"},
		{"--today", "25/11/2026"},
		{"extra"},
	} {
		_, err := runGen(t, append(args, "--db", "sqlite:"+filepath.Join(t.TempDir(), "x.db"))...)
		if err == nil || exitCode(err) != 2 {
			t.Errorf("gen %v: err = %v, want a usage error", args, err)
		}
	}
}
