// Command chuyenhoa steers the yearly transformation of key and complex
// areas on social order and safety (chuyển hóa địa bàn trọng điểm, phức tạp
// về TTATXH): it proposes candidate areas, watches transformed areas for
// relapse, tracks reporting deadlines and mails the committees concerned.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// command is one subcommand of the binary.
type command struct {
	name     string
	args     string
	summary  string
	examples []string
	run      func(ctx context.Context, a *app, args []string) error
}

// app carries what every command shares: output streams and environment.
type app struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	configPath     string
}

func commands() []command {
	return []command{
		{"demo", "[--db FILE] [--mail-dir DIR] [--at YYYY-MM-DD] [--seed N] [--all]",
			"create a synthetic demo province in SQLite, run every job once, print the results in Vietnamese and write the digests as .eml files",
			[]string{"chuyenhoa demo", "chuyenhoa demo --db /tmp/demo.db --at 2026-06-25"}, cmdDemo},
		{"migrate", "", "apply database migrations up to the latest",
			[]string{"chuyenhoa --config /etc/chuyenhoa/config.yaml migrate"}, cmdMigrate},
		{"run-once", "JOB|all [--at YYYY-MM-DD]", "run one job (candidates, relapse, deadlines) or all for the period containing a day, and print its result",
			[]string{"chuyenhoa run-once candidates", "chuyenhoa run-once deadlines --at 2026-07-01", "chuyenhoa run-once all"}, cmdRunOnce},
		{"check-config", "", "load and validate the configuration; print every problem with its field",
			[]string{"chuyenhoa --config deploy/config.example.yaml check-config"}, cmdCheckConfig},
		{"notify", "[--dry-run] [--at YYYY-MM-DD]", "recheck relapse, deadlines and the yearly cycle, queue the digests that are due and send them; --dry-run only prints them",
			[]string{"chuyenhoa notify --dry-run", "chuyenhoa notify"}, cmdNotify},
		{"send", "", "send the mail waiting in the outbox now",
			[]string{"chuyenhoa send"}, cmdSend},
		{"outbox", "[--status pending|sending|sent|failed] [--limit N]", "list queued, sent and failed mail with the last error",
			[]string{"chuyenhoa outbox", "chuyenhoa outbox --status failed"}, cmdOutbox},
		{"send-test", "ADDRESS", "send one test mail with the configured transport, to prove the SMTP settings",
			[]string{"chuyenhoa send-test canbo@congan.quangngai.gov.vn"}, cmdSendTest},
		{"import", "KIND FILE.csv", "import a CSV file (districts, units, offences, statistics, decisions, submissions); a file with any bad row changes nothing",
			[]string{"chuyenhoa import units units.csv", "chuyenhoa import statistics stats-2026-11.csv"}, cmdImport},
		{"serve", "[--stop-timeout 60s] [--log-format auto|json|text]", "run the service: scheduled jobs in provincial time with catch-up, mail sending, /healthz /readyz /metrics and the status page",
			[]string{"chuyenhoa --config /etc/chuyenhoa/config.yaml serve"}, cmdServe},
		{"schedule", "[--count N]", "print the next runs of every scheduled job in provincial time, to check cron specs before deploying",
			[]string{"chuyenhoa schedule", "chuyenhoa --config deploy/config.example.yaml schedule --count 3"}, cmdSchedule},
		{"gen", "--units N --years Y [--seed S] [--db URL] [--today YYYY-MM-DD]", "fill an empty database with a synthetic country (communes ten to a district, hot spots, new-rural communes, decisions, reports, daily statistics streamed in) for benchmarks and load tests",
			[]string{"chuyenhoa gen --units 663 --years 5 --db sqlite:/tmp/province.db"}, cmdGen},
		{"report", "year YEAR [--out DIR] [--at YYYY-MM-DD]", "write the year-end report for the provincial committee: a printable A4 HTML page and CSV tables",
			[]string{"chuyenhoa report year 2026 --out bao-cao"}, cmdReport},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := &app{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	if err := a.main(ctx, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "chuyenhoa:", err)
		}
		os.Exit(exitCode(err))
	}
}

// usageError marks a mistake in how the command was called (exit 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

func (a *app) main(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("chuyenhoa", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.StringVar(&a.configPath, "config", a.getenv("CHUYENHOA_CONFIG"), "configuration file (YAML); env CHUYENHOA_CONFIG")
	fs.Usage = func() { a.usage(fs) }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		a.usage(fs)
		return usageError{"no command given"}
	}
	name, rest := fs.Arg(0), fs.Args()[1:]
	if name == "help" {
		if len(rest) == 0 {
			fs.SetOutput(a.stdout)
			a.usage(fs)
			return nil
		}
		name, rest = rest[0], []string{"--help"}
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, a, rest)
		}
	}
	return usageError{fmt.Sprintf("unknown command %q; run 'chuyenhoa --help' for the list", name)}
}

func (a *app) usage(fs *flag.FlagSet) {
	w := fs.Output()
	fmt.Fprintln(w, "chuyenhoa — chuyển hóa địa bàn trọng điểm, phức tạp về TTATXH")
	fmt.Fprintln(w, "\nUsage: chuyenhoa [--config FILE] COMMAND [ARGS]\n\nCommands:")
	cmds := commands()
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
		if c.args != "" {
			fmt.Fprintf(w, "  %-13s   args: %s\n", "", c.args)
		}
		for _, e := range c.examples {
			fmt.Fprintf(w, "  %-13s   e.g.  %s\n", "", e)
		}
	}
	fmt.Fprintln(w, "\nGlobal flags:")
	fs.PrintDefaults()
	fmt.Fprintln(w, "\nRun 'chuyenhoa COMMAND --help' for a command's flags.")
}

// flags makes a subcommand's flag set whose --help shows its examples.
func (a *app) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		for _, c := range commands() {
			if c.name == name {
				fmt.Fprintf(fs.Output(), "Usage: chuyenhoa %s %s\n\n%s\n\nExamples:\n", c.name, c.args, c.summary)
				for _, e := range c.examples {
					fmt.Fprintf(fs.Output(), "  %s\n", e)
				}
			}
		}
		fmt.Fprintln(fs.Output(), "\nFlags:")
		fs.PrintDefaults()
	}
	return fs
}

// parseInterleaved parses flags that may come before or after positional
// arguments ("run-once deadlines --at 2026-07-01").
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func lower(s string) string { return strings.ToLower(s) }
