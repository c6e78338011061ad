package config

import (
	"regexp"
	"strings"
	"testing"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"
)

// problemStart is how every reported problem begins: the YAML line, the
// field path (an environment variable's name when it set the value), or
// the YAML parser's own error, which carries its line.
var problemStart = regexp.MustCompile(`^(line \d+: |parse config: yaml: |` +
	`(province|timezone|database|grouping|periods|selection|relapse|targets|indicators|proposals|obligations|mail|recipients|schedule|http)([.\[].*?)?: |` +
	`CHUYENHOA_[A-Z_]+: |the file holds more than one YAML document)`)

// FuzzConfigParse feeds arbitrary YAML to Parse. Whatever the input:
//   - it never panics;
//   - a rejected file gets one or more problems, each starting with the
//     line or the field it is about (the promise "bad values stop the
//     program with the field named");
//   - an accepted configuration is valid through and through: Validate
//     passes again, the zone loads, every cron spec and due date parses,
//     and written back to YAML it parses to the same configuration.
//
// The seeds in testdata/fuzz/FuzzConfigParse run with every `go test`;
// `make fuzz` explores further.
func FuzzConfigParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, nil)
		if err != nil {
			if c != nil {
				t.Fatalf("Parse returned a configuration with the error %v", err)
			}
			for _, e := range unjoin(err) {
				for i, line := range strings.Split(e.Error(), "\n") {
					if i == 0 && !problemStart.MatchString(line) {
						t.Fatalf("problem %q names no line or field", line)
					}
				}
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted configuration fails Validate: %v", err)
		}
		if c.Location() == nil {
			t.Fatal("accepted configuration has no time zone")
		}
		for job, spec := range c.Schedule {
			if _, err := cron.ParseStandard(spec); err != nil {
				t.Fatalf("accepted schedule.%s %q does not parse: %v", job, spec, err)
			}
		}
		for i, o := range c.Obligations {
			if _, _, ok := DueDate(o.Due); !o.PerUnit && !ok {
				t.Fatalf("accepted obligations[%d].due %q is not a date", i, o.Due)
			}
		}
		if _, _, ok := DueDate(c.Proposals.Due); !ok {
			t.Fatalf("accepted proposals.due %q is not a date", c.Proposals.Due)
		}
		out, err := yaml.Marshal(c)
		if err != nil {
			t.Fatalf("accepted configuration does not marshal: %v", err)
		}
		again, err := Parse(out, nil)
		if err != nil {
			t.Fatalf("accepted configuration, written back, is rejected: %v\n%s", err, out)
		}
		out2, err := yaml.Marshal(again)
		if err != nil {
			t.Fatal(err)
		}
		if string(out2) != string(out) {
			t.Fatalf("configuration changes on a round trip:\n%s\nthen:\n%s", out, out2)
		}
	})
}
