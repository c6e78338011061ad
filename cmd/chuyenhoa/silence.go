package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/labels"
	"chuyenhoa/names"
	"chuyenhoa/notify"
	"chuyenhoa/store"
)

// The silence commands: Alertmanager's silences for chuyenhoa's alerts,
// kept in the database (see notify/silence.go for what one does).

func cmdSilenceAdd(ctx context.Context, a *app, args []string) error {
	fs := a.flags("silence add")
	key := fs.String("key", "", "the alert `KEY`, as the status page and the logs give it (e.g. deadline/D01/plan/2026/D01X04)")
	commune := fs.String("commune", "", "the alerts about this commune (unit `CODE`), and those its own body owes")
	committee := fs.String("committee", "", "the alerts mailed to this `COMMITTEE`: a district's code (D01), xa:<commune code>, or tinh for the province")
	kind := fs.String("kind", "", fmt.Sprintf("the alerts of this `KIND`: %s", strings.Join(finding.Strings(finding.AlertKinds()), ", ")))
	until := fs.String("until", "", "when it ends (`TIME`, required): YYYY-MM-DD (the end of that day), \"YYYY-MM-DD HH:MM\" (province time), or a duration such as 72h or 14d")
	reason := fs.String("reason", "", "why (`TEXT`, required): shown in silence list and in the digest after it ends")
	by := fs.String("by", "", "who adds it (`NAME`); default the USER of the environment")
	if _, err := a.parse(fs, args); err != nil {
		return err
	}
	var m store.Matchers
	if *key != "" {
		m.Key = key
	}
	if *commune != "" {
		m.Unit = commune
	}
	if *committee != "" {
		c, err := committeeArg(*committee)
		if err != nil {
			return err
		}
		m.Committee = &c
	}
	if *kind != "" {
		k := finding.AlertKind(*kind)
		if !slices.Contains(finding.AlertKinds(), k) {
			return usageError{fmt.Sprintf("--kind %q: use one of %s", *kind, strings.Join(finding.Strings(finding.AlertKinds()), ", "))}
		}
		m.Kind = &k
	}
	who := *by
	if who == "" {
		who = a.getenv("USER")
	}
	switch {
	case m.Empty():
		return usageError{"say which alerts: give --key, --commune, --committee or --kind (all those given must match)"}
	case *until == "":
		return usageError{"give --until: a silence always ends (a date, a time or a duration such as 14d)"}
	case strings.TrimSpace(*reason) == "":
		return usageError{"give --reason: it is shown with the silence and in the digest after it ends"}
	case strings.TrimSpace(who) == "":
		return usageError{"give --by: who adds the silence (USER is not set)"}
	}
	cfg, s, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	now := a.now()
	end, err := untilArg(*until, now, cfg.Location())
	if err != nil {
		return err
	}
	if m.Unit != nil {
		codes, err := s.UnitCodes(ctx)
		if err != nil {
			return err
		}
		if !slices.Contains(codes, *m.Unit) {
			return fmt.Errorf("--commune %q: no commune has this code in the data; use the code the unit data gives it", *m.Unit)
		}
	}
	sl := store.Silence{Matchers: m, StartsAt: now, EndsAt: end, CreatedBy: who, Reason: *reason}
	id, err := s.AddSilence(ctx, sl)
	if err != nil {
		return err
	}
	dir, held, err := holding(ctx, s, cfg, m)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, labels.SilenceAdded(id, notify.DescribeMatchers(m, dir), end.In(cfg.Location()), held))
	return nil
}

func cmdSilenceList(ctx context.Context, a *app, args []string) error {
	fs := a.flags("silence list")
	all := fs.Bool("all", false, "also the silences that ended")
	cfg, s, err := a.parseOpen(ctx, fs, args)
	if err != nil {
		return err
	}
	defer s.Close()
	now := a.now()
	list, err := s.Silences(ctx)
	if err != nil {
		return err
	}
	if !*all {
		list = slices.DeleteFunc(list, func(sl store.Silence) bool { return !sl.ActiveAt(now) })
	}
	if len(list) == 0 {
		fmt.Fprintln(a.stdout, labels.NoSilences)
		return nil
	}
	loc := cfg.Location()
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	writeRow(tw, labels.SilenceColumns())
	for _, sl := range list {
		dir, held, err := holding(ctx, s, cfg, sl.Matchers)
		if err != nil {
			return err
		}
		state, holds := labels.SilenceActive, strconv.Itoa(held)
		switch {
		case !sl.ExpiredAt.IsZero():
			state, holds = labels.SilenceExpired, labels.None
		case !sl.ActiveAt(now):
			state, holds = labels.SilenceEnded, labels.None
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", sl.ID, state, notify.DescribeMatchers(sl.Matchers, dir),
			labels.DateTime(sl.StartsAt.In(loc)), labels.DateTime(sl.EndsAt.In(loc)), sl.CreatedBy, sl.Reason, holds)
	}
	return tw.Flush()
}

func cmdSilenceExpire(ctx context.Context, a *app, args []string) error {
	fs := a.flags("silence expire")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return usageError{fmt.Sprintf("%q is not a silence ID; give one 'chuyenhoa silence list' shows", pos[0])}
	}
	cfg, s, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	sl, err := s.ExpireSilence(ctx, id, a.now())
	if err != nil {
		return err
	}
	dir, err := names.Load(ctx, s, cfg.Bodies, cfg.Grouped())
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, labels.SilenceExpiredNow(sl.ID, notify.DescribeMatchers(sl.Matchers, dir), sl.EndsAt.In(cfg.Location())))
	return nil
}

// holding counts the open alerts matchers m select, with the names to
// describe them.
func holding(ctx context.Context, s *store.Store, cfg *config.Config, m store.Matchers) (*names.Directory, int, error) {
	dir, err := names.Load(ctx, s, cfg.Bodies, cfg.Grouped())
	if err != nil {
		return nil, 0, err
	}
	open, err := s.OpenAlerts(ctx)
	if err != nil {
		return nil, 0, err
	}
	n := 0
	for _, al := range open {
		if notify.Matches(m, al) {
			n++
		}
	}
	return dir, n, nil
}

// untilArg reads --until: a date (until the end of that day), a date and
// time in the province, or a duration from now (with d for days).
func untilArg(v string, now time.Time, loc *time.Location) (time.Time, error) {
	var end time.Time
	if t, err := time.ParseInLocation(time.DateOnly, v, loc); err == nil {
		end = t.AddDate(0, 0, 1)
	} else if t, err := time.ParseInLocation("2006-01-02 15:04", v, loc); err == nil {
		end = t
	} else if d, ok := durationArg(v); ok {
		end = now.Add(d)
	} else {
		return time.Time{}, usageError{fmt.Sprintf("--until %q: use YYYY-MM-DD, \"YYYY-MM-DD HH:MM\" or a duration such as 72h or 14d", v)}
	}
	if !end.After(now) {
		return time.Time{}, usageError{fmt.Sprintf("--until %q is not in the future", v)}
	}
	return end, nil
}

func durationArg(v string) (time.Duration, bool) {
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		return time.Duration(n) * 24 * time.Hour, err == nil && n > 0
	}
	d, err := time.ParseDuration(v)
	return d, err == nil && d > 0
}

// now is the clock of the commands that stamp the time (the test clock in
// the end-to-end tests).
func (a *app) now() time.Time {
	if c, err := a.testClock(); err == nil && c != nil {
		return c()
	}
	return time.Now()
}
