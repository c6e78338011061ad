package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/labels"
	"chuyenhoa/names"
	"chuyenhoa/notify"
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
	fmt.Fprintln(a.stdout, labels.DemoProvince(len(ds.Districts), len(ds.Units), len(ds.Stats), day, *db))
	demoRecipients(cfg, bodies, ds.Districts)
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
