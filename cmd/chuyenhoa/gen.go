package main

import (
	"context"
	"fmt"
	"time"

	"chuyenhoa/dburl"
	"chuyenhoa/labels"
	"chuyenhoa/store"
	"chuyenhoa/synth"
)

// cmdGen fills an empty database with a synthetic country of the size
// asked for, for benchmarks and load tests: the statistics are streamed
// into the database, never held in memory.
func cmdGen(ctx context.Context, a *app, args []string) error {
	fl := a.flags("gen")
	units := fl.Int("units", 663, fmt.Sprintf("commune-level units, ten to a district (the whole country: %d)", synth.NationalUnits))
	years := fl.Int("years", 5, "years of daily statistics, ending on --today")
	seed := fl.Int64("seed", 67, "seed (same seed and sizes, same rows)")
	db := fl.String("db", "", "database `URL` (sqlite:FILE or postgres://...); default: the configured database")
	today := fl.String("today", "2026-11-25", "last day with statistics (`YYYY-MM-DD`)")
	if _, err := a.parse(fl, args); err != nil {
		return err
	}
	if *units < 2 || *units > 1_000_000 {
		return usageError{fmt.Sprintf("--units %d: want 2..1000000", *units)}
	}
	if *years < 1 || *years > 30 {
		return usageError{fmt.Sprintf("--years %d: want 1..30", *years)}
	}
	day, err := time.Parse(time.DateOnly, *today)
	if err != nil {
		return usageError{fmt.Sprintf("--today %q: use a date as YYYY-MM-DD", *today)}
	}
	url := *db
	if url == "" {
		cfg, err := a.loadConfig()
		if err != nil {
			return err
		}
		url = cfg.Database.URL
	}
	s, err := store.Open(ctx, url)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	start := time.Now()
	n, err := synth.NewNational(*seed, synth.NationalOptions{Units: *units, Years: *years, Today: day})
	if err != nil {
		return usageError{err.Error()}
	}
	rows, err := n.Fill(ctx, s)
	if err != nil {
		return fmt.Errorf("generate %d units × %d years into %s: %w", *units, *years, dburl.Redact(url), err)
	}
	ds, span := n.Dataset(), n.Span()
	took := time.Since(start)
	fmt.Fprintln(a.stdout, labels.Generated{Seed: *seed, Districts: len(ds.Districts), Units: len(ds.Units), Offences: len(ds.Offences),
		Stats: rows, From: span.From, To: span.To, Selections: len(ds.Selections), Assessments: len(ds.Assessments), Submissions: len(ds.Submissions)})
	fmt.Fprintln(a.stdout, labels.GenerationTime(took.Round(time.Millisecond), float64(rows)/took.Seconds(), dburl.Redact(url)))
	return nil
}
