package main

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// The benchmark's own pieces, at a size that runs in a second: generate,
// recompute twice (the second replaces the first with the same result),
// run the baseline, and the mail comparison with a handful of digests.
func TestSmoke(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		// Two years, so that the first year's areas have been assessed and
		// the relapse job has something to check.
		c, err := Generate(ctx, s, 5, 50, 2)
		if err != nil {
			t.Fatal(err)
		}
		var rows int64
		if err := s.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM crime_stats").Scan(&rows); err != nil {
			t.Fatal(err)
		}
		// 50 communes × 104 weeks × 2..4 rows a week.
		if rows != c.Rows || rows < 50*104*2 || rows > 50*104*4 {
			t.Errorf("%d statistic rows stored, generator reports %d; want the same, 10,400..20,800", rows, c.Rows)
		}

		first, err := c.Recompute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// One candidate finding per commune, plus the targets and areas
		// the other jobs report.
		if first["candidates"] != 50 || first["relapse"] == 0 || first["deadlines"] == 0 {
			t.Errorf("findings per job %v, want 50 candidates and some relapse and deadline findings", first)
		}
		before := findings(t, c)
		// A new day: the day-keyed jobs have nothing stored yet, the others
		// keep their period's findings.
		if err := c.NewDay(ctx); err != nil {
			t.Fatal(err)
		}
		if now := findings(t, c); len(now["deadlines"]) != 0 || len(now["cycle"]) != 0 || !reflect.DeepEqual(now["candidates"], before["candidates"]) {
			t.Errorf("after NewDay: %d deadline, %d cycle findings (want none), candidates kept: %t",
				len(now["deadlines"]), len(now["cycle"]), reflect.DeepEqual(now["candidates"], before["candidates"]))
		}
		again, err := c.Recompute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(first, again) || !reflect.DeepEqual(before, findings(t, c)) {
			t.Error("a second recompute of the same period gave different findings")
		}

		var seq int
		smp, err := Measure(func() error {
			var err error
			seq, err = c.Baseline(ctx)
			if err == nil && seq == 0 {
				t.Error("the baseline aggregation returned no rows")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// The same aggregations, the windows at the same time.
		if side, err := c.BaselineSideBySide(ctx); err != nil || side != seq {
			t.Errorf("side-by-side baseline read %d rows (%v), the sequential one %d", side, err, seq)
		}
		if smp.Wall <= 0 || smp.Alloc == 0 {
			t.Errorf("measure: %+v, want a wall time and allocations", smp)
		}
	})
}

func findings(t *testing.T, c *Country) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	r := c.Runner()
	for _, j := range Jobs {
		per, err := r.PeriodOf(j, c.Day)
		if err != nil {
			t.Fatal(err)
		}
		fs, err := c.Store.Findings(context.Background(), j, per)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			out[string(j)] = append(out[string(j)], string(f.Kind)+"/"+f.Key+"/"+string(f.State)+"/"+string(f.Payload))
		}
	}
	return out
}

func TestSmokeMail(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		// BenchMail checks itself that every digest was composed, sent and
		// accepted by the server, twice.
		m, err := BenchMail(context.Background(), s, 5, 0)
		if err != nil {
			t.Fatal(err)
		}
		if m.Ours() <= 0 || m.PlainRate() <= 0 || m.SendOnly() < m.Ours() {
			t.Errorf("rates: ours %.0f, send-only %.0f, plain %.0f", m.Ours(), m.SendOnly(), m.PlainRate())
		}
		// Through the delay line: every round trip takes at least what was
		// asked for, and the mail still all arrives.
		if err := EmptyMail(context.Background(), s); err != nil {
			t.Fatal(err)
		}
		far, err := BenchMail(context.Background(), s, 3, 4*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if far.Measured < 4*time.Millisecond || far.Measured > time.Second {
			t.Errorf("NOOP through a 4 ms delay line took %v", far.Measured)
		}
		var buf bytes.Buffer
		PrintMail(&buf, []mailRow{{Backend: s.Dialect(), MailResult: m}, {Backend: s.Dialect(), MailResult: far}})
		for _, want := range []string{s.Dialect(), "loopback", "4ms RTT", "target mail " + s.Dialect() + ", server 4ms RTT"} {
			if !strings.Contains(buf.String(), want) {
				t.Errorf("mail table lacks %q:\n%s", want, buf.String())
			}
		}
	})
}

func TestParseSizes(t *testing.T) {
	got, err := ParseSizes("1:1, 4,16x", 5)
	if err != nil {
		t.Fatal(err)
	}
	if want := []Size{{1, 1}, {4, 5}, {16, 5}}; !reflect.DeepEqual(got, want) {
		t.Errorf("ParseSizes = %v, want %v", got, want)
	}
	for _, bad := range []string{"", "0", "65", "x", "2:0", "2:31"} {
		if _, err := ParseSizes(bad, 5); err == nil {
			t.Errorf("ParseSizes(%q): no error", bad)
		}
	}
}

func TestPrintRecompute(t *testing.T) {
	rows := []Row{
		{Backend: "sqlite", Size: Size{1, 5}, Units: 663, Rows: 1000, Recompute: Sample{Wall: 120 * time.Millisecond}, Baseline: Sample{Wall: 100 * time.Millisecond},
			SideBySide: Sample{Wall: 60 * time.Millisecond}},
		{Backend: "sqlite", Size: Size{16, 5}, Units: 10608, Rows: 16000, Recompute: Sample{Wall: 1920 * time.Millisecond}, Baseline: Sample{Wall: 1600 * time.Millisecond},
			SideBySide: Sample{Wall: 1200 * time.Millisecond}},
	}
	var buf bytes.Buffer
	PrintRecompute(&buf, rows)
	PrintTargets(&buf, rows)
	out := buf.String()
	// 120/100 = 1.20, 120/60 = 2.00; growth 1920/120 = 16.0, baseline
	// 1600/100 = 16.0, side by side 1200/60 = 20.0.
	for _, want := range []string{"1.20×", "2.00×",
		"sqlite 1× → 16× (5y): 16.0× the rows, recompute 16.0× the time, baseline 16.0×, side by side 20.0×",
		"target sqlite 1×/5y: recompute 1.20× the baseline (≤ 1.3×): met",
		"target sqlite 16×/5y: recompute 1.60× the side-by-side baseline (≤ 1.3×): NOT met"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

// A bad server URL is refused before anything connects, without showing
// its password (url.Parse's error would repeat it).
func TestNewTargetRefusesBadURL(t *testing.T) {
	for _, u := range []string{"postgres://u:secret@h:port/db", "sqlite:x.db"} {
		_, err := NewTarget(context.Background(), store.Postgres, u)
		if err == nil || strings.Contains(err.Error(), "secret") {
			t.Errorf("NewTarget(%q) = %v, want an error without the password", u, err)
		}
	}
}
