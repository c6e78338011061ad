package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/labels"
	"chuyenhoa/names"
	"chuyenhoa/notify"
	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/synth"
)

// demoDay is the demo's fixed "today", so its output is the same on every
// run and every machine.
var demoDay = time.Date(2026, time.November, 25, 0, 0, 0, 0, time.UTC)

func cmdDemo(ctx context.Context, a *app, args []string) error {
	fl := a.flags("demo")
	db := fl.String("db", "chuyenhoa-demo.db", "SQLite `FILE` to create (replaced if it exists)")
	mailDir := fl.String("mail-dir", "chuyenhoa-demo-mail", "`DIR` for the digests as .eml files (emptied of .eml first)")
	at := fl.String("at", demoDay.Format(time.DateOnly), "the demo's today (`YYYY-MM-DD`)")
	seed := fl.Int64("seed", 67, "seed of the synthetic province (same seed, same province)")
	all := fl.Bool("all", false, "list every commune in the candidate table, not only those above average")
	threeTier := fl.Bool("three-tier", false, "the province as it was before the reform of 1 July 2025: districts and old communes to this day")
	if _, err := a.parse(fl, args); err != nil {
		return err
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	cfg.Database.URL = "sqlite:" + *db
	cfg.Mail.Transport, cfg.Mail.Dir = "file", *mailDir
	day, err := parseDay(*at, cfg)
	if err != nil {
		return err
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(*db + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("replace demo database: %w", err)
		}
	}
	old, err := filepath.Glob(filepath.Join(*mailDir, "*.eml"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return fmt.Errorf("empty demo mail folder: %w", err)
		}
	}
	s, err := a.openStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer s.Close()
	opts := synth.Options{Districts: 13, Units: 170, FromYear: 2021, ToYear: day.Year(), Today: day}
	if !*threeTier {
		opts.Reform = synth.ReformDay()
	}
	ds := synth.Province(*seed, opts)
	if err := s.Load(ctx, ds); err != nil {
		return fmt.Errorf("load demo province: %w", err)
	}
	if err := s.LoadCycle(ctx, synth.Cycle(*seed, opts, ds)); err != nil {
		return fmt.Errorf("load demo proposals and case statistics: %w", err)
	}
	bodies := cfg.Bodies
	dir, err := names.Load(ctx, s, bodies, cfg.Grouped())
	if err != nil {
		return err
	}
	demoRecipients(cfg, bodies, ds.Districts)
	if len(ds.Successions) == 0 {
		fmt.Fprintln(a.stdout, labels.DemoProvince(len(ds.Districts), len(ds.Units), len(ds.Stats), day, *db))
	} else {
		fmt.Fprintln(a.stdout, labels.DemoReformIntro(reformFacts(ds, dir, bodies, day, *db)))
		demoUnitRecipients(cfg, ds, day)
	}
	p := newPrinter(a.stdout, cfg, dir)
	p.showAll = *all
	// The demo's clock stands at its day's first digest time, so
	// Message-IDs and Date headers, and with them the .eml files, are the
	// same on every run. Every job runs, then the dispatcher once: one
	// digest per committee.
	first := notify.SlotsOf(cfg).First(day)
	now := func() time.Time { return first }
	if _, err := a.mailRound(ctx, s, cfg, now, day, finding.RecomputeJobs(), true, nil, p.result); err != nil {
		return err
	}
	snd, err := newSender(s, cfg, a.logger(), now)
	if err != nil {
		return err
	}
	st, err := snd.Drain(ctx)
	if err != nil {
		return fmt.Errorf("write demo mail: %w", err)
	}
	p.heading(labels.DemoMailHeading)
	msgs, err := s.Outbox(ctx, 0, store.OutboxSent)
	if err != nil {
		return err
	}
	tw := p.table()
	writeRow(tw, labels.DemoMailColumns())
	for _, m := range msgs {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", m.Recipient, m.Subject, filepath.Join(*mailDir, notify.FileName(m.MessageID)))
	}
	tw.Flush()
	fmt.Fprintln(a.stdout, labels.DemoMailWritten(st.Sent, *mailDir))
	return nil
}

// reformFacts sums up the demo province's reform for its introduction.
func reformFacts(ds *store.Dataset, dir *names.Directory, b labels.Bodies, day time.Time, db string) labels.DemoReformFacts {
	f := labels.DemoReformFacts{Reform: ds.Successions[0].EffectiveOn, Districts: len(ds.Districts), Stats: len(ds.Stats),
		Today: day, Database: db, Communes: b.Communes}
	preds := map[string][]string{}
	for _, s := range ds.Successions {
		preds[s.Successor] = append(preds[s.Successor], dir.UnitName(s.Predecessor))
	}
	for _, u := range ds.Units {
		switch {
		case !u.ValidTo.IsZero():
			f.OldUnits++
			continue
		case u.Kind == "phuong":
			f.Phuong++
		case u.Kind == "dac_khu":
			f.DacKhu++
		default:
			f.Xa++
		}
		if f.Example == "" && len(preds[u.Code]) > 1 {
			f.Example, f.ExampleParts = dir.UnitName(u.Code), preds[u.Code]
		}
	}
	return f
}

// demoUnitRecipients gives the body of every commune existing on day an
// address but one: the commune selected last, whose address the province
// has not recorded yet, so that its items reach the provincial committee
// to pass on.
func demoUnitRecipients(cfg *config.Config, ds *store.Dataset, day time.Time) {
	latest := rules.Selection{}
	for _, s := range ds.Selections {
		if s.DecidedOn.After(latest.DecidedOn) || (s.DecidedOn.Equal(latest.DecidedOn) && s.Unit > latest.Unit) {
			latest = s
		}
	}
	cfg.Recipients.Units = map[string][]string{}
	for _, u := range ds.Units {
		if u.ValidOn(day) && u.District == "" && u.Code != latest.Unit {
			cfg.Recipients.Units[u.Code] = []string{fmt.Sprintf("congan.%s@quangngai.gov.vn", lower(u.Code))}
		}
	}
}
