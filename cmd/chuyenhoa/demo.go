package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"chuyenhoa/jobs"
	"chuyenhoa/labels"
	"chuyenhoa/synth"
)

// demoDay is the demo's fixed "today", so its output is the same on every
// run and every machine.
var demoDay = time.Date(2026, time.November, 25, 0, 0, 0, 0, time.UTC)

func cmdDemo(ctx context.Context, a *app, args []string) error {
	fl := a.flags("demo")
	db := fl.String("db", "chuyenhoa-demo.db", "SQLite file to create (replaced if it exists)")
	at := fl.String("at", demoDay.Format(time.DateOnly), "the demo's today (YYYY-MM-DD)")
	seed := fl.Int64("seed", 67, "seed of the synthetic province (same seed, same province)")
	all := fl.Bool("all", false, "list every commune in the candidate table, not only those above average")
	if err := fl.Parse(args); err != nil {
		return err
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	cfg.Database.URL = "sqlite:" + *db
	day, err := parseDay(*at, cfg)
	if err != nil {
		return err
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(*db + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("replace demo database: %w", err)
		}
	}
	s, err := a.openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	ds := synth.Province(*seed, synth.Options{Districts: 13, Units: 170, FromYear: 2021, ToYear: day.Year(), Today: day})
	if err := s.Load(ctx, ds); err != nil {
		return fmt.Errorf("load demo province: %w", err)
	}
	names, err := districtNames(ctx, s)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Tỉnh mô phỏng: %d huyện, %d xã, %d dòng thống kê; hôm nay là %s. Cơ sở dữ liệu: %s\n",
		len(ds.Districts), len(ds.Units), len(ds.Stats), labels.Date(day), *db)
	p := newPrinter(a.stdout, cfg, names)
	p.showAll = *all
	r := &jobs.Runner{Store: s, Config: cfg, Log: a.logger(), Now: func() time.Time { return day }}
	for _, n := range jobs.Names {
		res, err := r.Run(ctx, n, day)
		if err != nil {
			return err
		}
		p.result(res)
	}
	return nil
}
