package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The fault and clock hooks the other tests steer the binary with are
// compiled in only under the build tag chuyenhoa_testhooks: the default
// build, the one shipped, must not know them. The tagged binary must, or
// this test would prove nothing.
func TestShippedBinaryHasNoTestHooks(t *testing.T) {
	shipped := filepath.Join(t.TempDir(), "chuyenhoa")
	build := exec.Command("go", "build", "-o", shipped, "chuyenhoa/cmd/chuyenhoa")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, c := range []struct {
		path string
		want bool
	}{{shipped, false}, {binary, true}} {
		exe, err := os.ReadFile(c.path)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"CHUYENHOA_FAULT", "CHUYENHOA_TEST_CLOCK_OFFSET", "chuyenhoa-fault:"} {
			if got := bytes.Contains(exe, []byte(name)); got != c.want {
				t.Errorf("%s contains %q: %v, want %v", c.path, name, got, c.want)
			}
		}
	}
}
