package ops

import (
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	before := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(before) })

	if s, from := TuneGC(250, func(string) string { return "" }); s != "250" || from != "runtime.gogc" {
		t.Errorf("without GOGC: %q from %q, want 250 from runtime.gogc", s, from)
	}
	if got := debug.SetGCPercent(100); got != 250 {
		t.Errorf("without GOGC the percentage is %d, want 250", got)
	}

	env := map[string]string{"GOGC": "80"}
	if s, from := TuneGC(250, func(k string) string { return env[k] }); s != "80" || from != "GOGC" {
		t.Errorf("with GOGC=80: %q from %q, want 80 from GOGC", s, from)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set the percentage was changed to %d; the environment's must stand", got)
	}
}
