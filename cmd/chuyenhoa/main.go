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
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"chuyenhoa/csvimport"
	"chuyenhoa/finding"
)

// command is one subcommand of the binary. Its help, its synopsis and the
// check of its arguments are all made from this entry and from the flags
// the command defines, so they cannot drift from what it accepts.
type command struct {
	name string
	// args names its positional arguments, one word each ("KIND
	// FILE.csv"); a.parse requires that many, a word in brackets ("[TO]")
	// being optional.
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
	// describe, when set, receives a command's flag set from a.parse in
	// place of parsing: see flagsOf.
	describe func(*flag.FlagSet)
	// gogc is the garbage collector's setting loadConfig put in force,
	// gogcFrom where it came from (ops.TuneGC), for the start-up log.
	gogc, gogcFrom string
}

func commands() []command {
	return []command{
		{"demo", "",
			"create a synthetic demo province in SQLite, run every job once, print the results in Vietnamese and write the digests as .eml files",
			[]string{"chuyenhoa demo", "chuyenhoa demo --db /tmp/demo.db --at 2026-06-25"}, cmdDemo},
		{"migrate", "", "apply database migrations up to the latest",
			[]string{"chuyenhoa --config /etc/chuyenhoa/config.yaml migrate"}, cmdMigrate},
		{"run-once", "JOB|all",
			fmt.Sprintf("run one job (%s) or all for the period containing a day, and print its result; --mail also queues the digests due (for another day than today nothing is mailed without it)", strings.Join(finding.Strings(finding.RecomputeJobs()), ", ")),
			[]string{"chuyenhoa run-once candidates", "chuyenhoa run-once deadlines --at 2026-07-01", "chuyenhoa run-once all --config /etc/chuyenhoa/config.yaml"}, cmdRunOnce},
		{"check-config", "", "load and validate the configuration; print every problem with its field",
			[]string{"chuyenhoa --config deploy/config.example.yaml check-config"}, cmdCheckConfig},
		{"notify", "", "recheck relapse, deadlines and the yearly cycle, then run the dispatcher once: queue the digests due at the latest digest time and send them; --dry-run prints exactly what the real run would queue and changes nothing",
			[]string{"chuyenhoa notify --dry-run", "chuyenhoa notify", "chuyenhoa notify --at 2026-07-01 --mail"}, cmdNotify},
		{"send", "", "send the mail waiting in the outbox now; exits 1 when the server refuses a message or defers them all",
			[]string{"chuyenhoa send"}, cmdSend},
		{"outbox", "", "list queued, sent, failed and cancelled mail with the last error or the reason it was cancelled",
			[]string{"chuyenhoa outbox", "chuyenhoa outbox --status failed"}, cmdOutbox},
		{"outbox cancel", "[ID...]", "cancel mail waiting in the outbox, keeping the reason: a cancelled message is never sent, and its news goes into the committee's next digest",
			[]string{"chuyenhoa outbox cancel 12 13 --reason \"chạy nhầm ngày\"", "chuyenhoa outbox cancel --committee D01 --reason \"địa chỉ sai\""}, cmdOutboxCancel},
		{"silence add", "", "stop mailing the alerts that match (alert key, commune, committee, kind) until a time; they stay tracked, and the digest after the end says so",
			[]string{"chuyenhoa silence add --commune D01X04 --kind deadline --until 2026-12-31 --reason \"đã gia hạn\" --by \"Nguyễn Văn A\""}, cmdSilenceAdd},
		{"silence list", "", "list the silences in force (--all: also those that ended) with what they hold",
			[]string{"chuyenhoa silence list", "chuyenhoa silence list --all"}, cmdSilenceList},
		{"silence expire", "ID", "end a silence now: the next digest lists its alerts again",
			[]string{"chuyenhoa silence expire 3"}, cmdSilenceExpire},
		{"send-test", "ADDRESS", "send one test mail with the configured transport, to prove the SMTP settings",
			[]string{"chuyenhoa send-test canbo@congan.quangngai.gov.vn"}, cmdSendTest},
		{"import", "KIND FILE.csv",
			fmt.Sprintf("import a CSV file of one kind (%s); a file with any bad row changes nothing", strings.Join(csvimport.KindNames(), ", ")),
			[]string{"chuyenhoa import units units.csv", "chuyenhoa import statistics stats-2026-11.csv"}, cmdImport},
		{"serve", "", "run the service: scheduled jobs in provincial time with catch-up, mail sending, /healthz /readyz /metrics and the status page",
			[]string{"chuyenhoa --config /etc/chuyenhoa/config.yaml serve"}, cmdServe},
		{"schedule", "", "print the next runs of every scheduled job in provincial time, to check cron specs before deploying",
			[]string{"chuyenhoa schedule", "chuyenhoa --config deploy/config.example.yaml schedule --count 3"}, cmdSchedule},
		{"gen", "", "fill an empty database with a synthetic country (communes ten to a district, hot spots, new-rural communes, decisions, reports, daily statistics streamed in) for benchmarks and load tests",
			[]string{"chuyenhoa gen --units 663 --years 5 --db sqlite:/tmp/province.db"}, cmdGen},
		{"report", "year|period|decision YEAR [TO]",
			"write a document for the provincial committee in the state format (Decree 30/2020/NĐ-CP): the year report, the plan period's summary or the draft selection decision, as an A4 page (HTML and PDF) and its tables (CSV, XLSX)",
			[]string{"chuyenhoa report year 2026 --out bao-cao", "chuyenhoa report period 2021 2025 --out bao-cao", "chuyenhoa report decision 2027 --out du-thao"}, cmdReport},
	}
}

func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	a := &app{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	code := a.run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// usageError marks a mistake in how the command was called (exit 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// commandError is an error of the named command, so that a.run can say
// how that command is called.
type commandError struct {
	cmd string
	err error
}

func (e commandError) Error() string { return e.err.Error() }
func (e commandError) Unwrap() error { return e.err }

func exitCode(err error) int {
	var u usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &u):
		return 2
	}
	return 1
}

// run runs the command line and reports its outcome once: nothing more on
// success; otherwise the error on stderr, and after a usage error how the
// command is called. It returns the exit status.
func (a *app) run(ctx context.Context, args []string) int {
	err := a.main(ctx, args)
	if err == nil {
		return 0
	}
	fmt.Fprintln(a.stderr, "chuyenhoa:", err)
	if exitCode(err) != 2 {
		return 1
	}
	var ce commandError
	if errors.As(err, &ce) {
		c, _ := lookup(ce.cmd)
		fmt.Fprintf(a.stderr, "Usage: %s\nRun 'chuyenhoa help %s' for what it does, its flags and examples.\n", synopsis(c, flagsOf(ctx, c)), c.name)
	} else {
		fmt.Fprintf(a.stderr, "Usage: %s\nRun 'chuyenhoa --help' for the commands.\n", globalSynopsis)
	}
	return 2
}

const (
	globalSynopsis = "chuyenhoa [--config FILE] COMMAND [ARGS] [FLAGS]"
	configUsage    = "configuration `FILE` (YAML); env CHUYENHOA_CONFIG; before or after the command"
)

// main runs the command line and returns what went wrong; --help, help
// and --version print to stdout and return nil.
func (a *app) main(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("chuyenhoa", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // a.run reports the error, once
	fs.Usage = func() {}
	fs.StringVar(&a.configPath, "config", a.getenv("CHUYENHOA_CONFIG"), configUsage)
	showVersion := fs.Bool("version", false, "print the module version and the VCS revision of this build")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			a.usage(ctx, fs)
			return nil
		}
		return usageError{err.Error()}
	}
	if *showVersion {
		if fs.NArg() > 0 {
			return usageError{"--version takes no arguments; unexpected " + quoteAll(fs.Args())}
		}
		bi, _ := debug.ReadBuildInfo()
		fmt.Fprintln(a.stdout, version(bi))
		return nil
	}
	if fs.NArg() == 0 {
		return usageError{"no command given"}
	}
	name, rest := fs.Arg(0), fs.Args()[1:]
	if name == "help" {
		_, sub := lookup(strings.Join(rest, " "))
		switch {
		case len(rest) == 0:
			a.usage(ctx, fs)
			return nil
		case len(rest) == 1 || len(rest) == 2 && sub:
			name, rest = strings.Join(rest, " "), []string{"--help"}
		default:
			return usageError{"help takes one command; unexpected " + quoteAll(rest[1:])}
		}
	}
	c, ok := lookup(name)
	if len(rest) > 0 {
		// A command of two words: outbox cancel, silence add.
		if sub, found := lookup(name + " " + rest[0]); found {
			c, ok, rest = sub, true, rest[1:]
		}
	}
	if !ok {
		var subs []string
		for _, c := range commands() {
			if first, second, two := strings.Cut(c.name, " "); two && first == name {
				subs = append(subs, second)
			}
		}
		if len(subs) > 0 {
			return usageError{fmt.Sprintf("%s needs one of %s, e.g. 'chuyenhoa %s %s'", name, strings.Join(subs, ", "), name, subs[0])}
		}
		return usageError{fmt.Sprintf("unknown command %q", name)}
	}
	err := c.run(ctx, a, rest)
	if errors.Is(err, flag.ErrHelp) {
		return nil // a.parse printed the command's help
	}
	if err != nil {
		return commandError{c.name, err}
	}
	return nil
}

// usage prints the list of commands on stdout.
func (a *app) usage(ctx context.Context, global *flag.FlagSet) {
	w := a.stdout
	fmt.Fprintln(w, "chuyenhoa — chuyển hóa địa bàn trọng điểm, phức tạp về TTATXH")
	fmt.Fprintf(w, "\nUsage: %s\n\nCommands:\n", globalSynopsis)
	cmds := commands()
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
		fmt.Fprintf(w, "  %-14s   %s\n", "", synopsis(c, flagsOf(ctx, c)))
		for _, e := range c.examples {
			fmt.Fprintf(w, "  %-14s   e.g. %s\n", "", e)
		}
	}
	fmt.Fprintln(w, "\nGlobal flags:")
	global.SetOutput(w)
	global.PrintDefaults()
	global.SetOutput(io.Discard)
	fmt.Fprintln(w, "\nRun 'chuyenhoa help COMMAND' or 'chuyenhoa COMMAND --help' for a command's flags.")
}

// flags makes a subcommand's flag set, with the global --config on it so
// that it may also follow the command. Parse it with a.parse.
func (a *app) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // a.parse prints the help, a.run the errors
	fs.Usage = func() {}
	fs.StringVar(&a.configPath, "config", a.configPath, configUsage)
	return fs
}

// parse parses a command's command line. Flags may come before or after
// the positional arguments ("run-once deadlines --at 2026-07-01"), and the
// arguments must be as many as the command table names. --help prints the
// command's help on stdout and returns flag.ErrHelp, which a.main takes for
// success; any other mistake is a usageError.
func (a *app) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	c, ok := lookup(fs.Name())
	if !ok {
		panic("chuyenhoa: flag set of unknown command " + fs.Name())
	}
	if a.describe != nil {
		a.describe(fs)
		return nil, flag.ErrHelp
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				a.commandHelp(c, fs)
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		if n := len(args) - fs.NArg(); n > 0 && args[n-1] == "--" {
			pos = append(pos, fs.Args()...) // after "--" nothing is a flag
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	want := strings.Fields(c.args)
	if n := len(want); n > 0 && strings.HasSuffix(want[n-1], "...]") {
		// Any number of the last argument, none included.
		if len(pos) < n-1 {
			return nil, usageError{fmt.Sprintf("%s needs %s, e.g. '%s'", c.name, c.args, c.examples[0])}
		}
		return pos, nil
	}
	required := 0
	for _, w := range want {
		if !strings.HasPrefix(w, "[") {
			required++
		}
	}
	switch {
	case len(pos) > len(want) && len(want) == 0:
		return nil, usageError{fmt.Sprintf("%s takes no arguments; unexpected %s", c.name, quoteAll(pos))}
	case len(pos) > len(want):
		return nil, usageError{fmt.Sprintf("%s takes %s only; unexpected %s", c.name, c.args, quoteAll(pos[len(want):]))}
	case len(pos) < required:
		return nil, usageError{fmt.Sprintf("%s needs %s, e.g. '%s'", c.name, c.args, c.examples[0])}
	}
	return pos, nil
}

// commandHelp prints what c does, how it is called and its flags.
func (a *app) commandHelp(c command, fs *flag.FlagSet) {
	w := a.stdout
	fmt.Fprintf(w, "Usage: %s\n\n%s\n\nExamples:\n", synopsis(c, fs), c.summary)
	for _, e := range c.examples {
		fmt.Fprintf(w, "  %s\n", e)
	}
	fmt.Fprintln(w, "\nFlags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// flagsOf returns the flags c defines. Every command declares its flags
// and then calls a.parse before it does anything else, so run on an app
// with describe set it hands its flag set over and returns.
func flagsOf(ctx context.Context, c command) *flag.FlagSet {
	var fs *flag.FlagSet
	d := &app{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" },
		describe: func(f *flag.FlagSet) { fs = f }}
	_ = c.run(ctx, d, nil)
	return fs
}

// synopsis is how c is called: its arguments, then its flags (but the
// global --config) with the value each takes, named as in its usage text.
func synopsis(c command, fs *flag.FlagSet) string {
	parts := []string{"chuyenhoa", c.name}
	if c.args != "" {
		parts = append(parts, c.args)
	}
	if fs != nil {
		fs.VisitAll(func(f *flag.Flag) {
			if f.Name == "config" {
				return
			}
			switch v, _ := flag.UnquoteUsage(f); v {
			case "": // a bool flag
				parts = append(parts, "[--"+f.Name+"]")
			case "int", "uint", "float":
				parts = append(parts, "[--"+f.Name+" N]")
			default:
				parts = append(parts, "[--"+f.Name+" "+strings.ToUpper(v)+"]")
			}
		})
	}
	return strings.Join(parts, " ")
}

// version says which build this is: the module version and the VCS
// revision the go command stamped into the binary.
func version(bi *debug.BuildInfo) string {
	if bi == nil {
		return "chuyenhoa, version unknown (built without build information)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, at, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = ", " + s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", with uncommitted changes"
			}
		}
	}
	if rev == "" {
		return fmt.Sprintf("chuyenhoa %s, revision unknown (built without VCS stamping), %s", v, bi.GoVersion)
	}
	return fmt.Sprintf("chuyenhoa %s, revision %s%s%s, %s", v, rev, at, modified, bi.GoVersion)
}

func quoteAll(args []string) string {
	q := make([]string, len(args))
	for i, s := range args {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, " ")
}

func lower(s string) string { return strings.ToLower(s) }
