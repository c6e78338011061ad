package contract_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/notify"
	"chuyenhoa/notify/smtptest"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
	"chuyenhoa/valid"
)

// A name written straight into the shared database that the importer
// would refuse (issue 15) is a data error naming the row, and every
// committee's digest is still composed and accepted, its subject one
// line: the district with a line break in its name, the commune named
// by megabytes with a terminal escape. A unit whose code cannot be
// written (a line feed) is left out, reported too.
func TestHostileNamesInTheSharedDatabase(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		day := period.Date(2026, 3, 1)
		u := func(code, name, dist string) store.UnitRow {
			return store.UnitRow{Unit: rules.Unit{Code: code, Name: name, Kind: "xa", District: dist}}
		}
		ds := &store.Dataset{
			Districts: []rules.District{{Code: "D1", Name: "Huyện Bình Sơn", Kind: "huyen"}, {Code: "D2", Name: "Huyện Ba Tơ", Kind: "huyen"}},
			Units:     []store.UnitRow{u("A", "Xã Bình Châu", "D1"), u("B", "Xã Bình Thạnh", "D1"), u("C", "Xã Ba Vì", "D2"), u("E", "Xã Ba Tô", "D2")},
			Offences:  []store.Offence{{Code: "TT", Name: "Trộm cắp tài sản", Category: rules.Cat1, SocialOrder: true}},
			Stats:     []store.Stat{{Unit: "A", Day: period.Date(2025, 6, 1), Offence: "TT", Count: 10}},
			Selections: []rules.Selection{
				{Year: 2025, Unit: "C", Category: rules.Cat1, DecidedOn: period.Date(2025, 2, 1)},
				{Year: 2026, Unit: "A", Category: rules.Cat1, DecidedOn: period.Date(2026, 2, 1)},
				{Year: 2026, Unit: "B", Category: rules.Cat1, DecidedOn: period.Date(2026, 2, 1)},
			},
		}
		if err := s.Load(ctx, ds); err != nil {
			t.Fatal(err)
		}
		huge := "Xã \x1b[2J" + strings.Repeat("Bình Thạnh ", 1<<20) // 11 MB
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{"UPDATE districts SET name = ? WHERE code = 'D1'", []any{"Huyện\r\nBình Sơn"}},
			{"UPDATE units SET name = ? WHERE code = 'B'", []any{huge}},
			{"INSERT INTO units (code, name, kind, district_code) VALUES (?, ?, 'xa', 'D2')", []any{"X\n9", "Xã Lạ"}},
		} {
			if _, err := s.DB().ExecContext(ctx, s.DB().Rebind(q.sql), q.args...); err != nil {
				t.Fatal(err)
			}
		}

		srv := smtptest.Start(t)
		cfg := config.Default()
		cfg.Mail.Transport, cfg.Mail.SMTP.Host, cfg.Mail.SMTP.Port = "smtp", srv.Host(), srv.Port()
		cfg.Mail.SMTP.TLS, cfg.Mail.SMTP.Auth = "none", "none"
		cfg.Mail.SMTP.Timeout = config.Duration{Duration: 5 * time.Second}
		cfg.Mail.From = "Ban Chỉ đạo 138 tỉnh <bcd138@congan.quangngai.gov.vn>"
		cfg.Recipients.Province = []string{"tinh@congan.quangngai.gov.vn"}
		cfg.Recipients.Districts = map[string][]string{"D1": {"binhson@quangngai.gov.vn"}, "D2": {"bato@quangngai.gov.vn"}}
		cfg.Proposals.MinPerDistrict = 0
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		comp := &notify.Composer{Store: s, Config: cfg, Now: clock}
		r := &jobs.Runner{Store: s, Config: cfg, Now: clock, AfterFindings: comp.Hook}
		problems := map[string]string{}
		for _, j := range finding.RecomputeJobs() {
			res, err := r.Run(ctx, j, day)
			if err != nil {
				t.Fatalf("run %s: %v", j, err)
			}
			for _, f := range res.Findings {
				if f.Kind == finding.KindDataError {
					problems[f.Key] = string(f.Payload)
				}
			}
		}
		for _, want := range []string{"districts/bad_name/D1", "units/bad_name/B", `units/bad_code/"X\n9"`} {
			p, ok := problems[want]
			if !ok {
				t.Errorf("no data error %s; have %v", want, keys(problems))
				continue
			}
			if len(p) > 4000 {
				t.Errorf("data error %s is %d bytes: the example is not bounded", want, len(p))
			}
		}
		if _, err := comp.Dispatch(ctx, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		tr, err := notify.NewTransport(cfg.Mail)
		if err != nil {
			t.Fatal(err)
		}
		st, err := (&notify.Sender{Store: s, Transport: tr, Now: clock}).Drain(ctx)
		if err != nil || st.Failed != 0 {
			t.Fatalf("drain = %+v, %v; want every digest accepted", st, err)
		}
		got := map[string]bool{}
		for _, m := range srv.Messages() {
			for _, to := range m.To {
				got[to] = true
			}
			if strings.ContainsAny(m.Subject, "\r\n\x1b") {
				t.Errorf("subject %q holds a line break or an escape", m.Subject)
			}
			if len(m.Raw) > 1<<20 {
				t.Errorf("a digest of %d bytes to %v: a mail server refuses it", len(m.Raw), m.To)
			}
			if strings.Contains(m.Text, "\x1b") || strings.Contains(m.Text, strings.Repeat("Bình Thạnh ", valid.MaxNameRunes)) {
				t.Errorf("digest to %v carries the raw name", m.To)
			}
		}
		for _, to := range []string{"binhson@quangngai.gov.vn", "bato@quangngai.gov.vn", "tinh@congan.quangngai.gov.vn"} {
			if !got[to] {
				t.Errorf("%s got no digest; got %v", to, got)
			}
		}
	})
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
