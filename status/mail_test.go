package status_test

import (
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/labels"
	"chuyenhoa/notify"
	"chuyenhoa/period"
	"chuyenhoa/status"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
	"chuyenhoa/synth"
)

// refusing accepts every message except those to refuse, which it
// refuses for good (as a 550 would be).
type refusing struct{ refuse string }

func (r refusing) Name() string                               { return "test" }
func (r refusing) Open(context.Context) (notify.Batch, error) { return r, nil }
func (r refusing) Close() error                               { return nil }
func (r refusing) Send(_ context.Context, m notify.Message, ready func() error) error {
	if m.To[0] == r.refuse {
		return errors.New("550 5.1.1 mailbox unavailable")
	}
	if ready != nil {
		return ready()
	}
	return nil
}

func csvRows(t *testing.T, body string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v\n%s", err, body)
	}
	return rows
}

// "Last mailed" is the last mail the server accepted: a digest only
// queued shows no time, one refused shows as refused (per committee),
// one accepted shows when. Silences in force are listed with what they
// hold.
func TestStatusMailIsWhatTheServerAccepted(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		today := period.Date(2026, 11, 25)
		ds := synth.Province(67, synth.Options{Districts: 4, Units: 40, FromYear: 2021, ToYear: 2026, Today: today})
		if err := s.Load(ctx, ds); err != nil {
			t.Fatal(err)
		}
		cfg := config.Default()
		cfg.Recipients.Province = []string{"tinh@example.vn"}
		cfg.Recipients.Districts = map[string][]string{}
		for _, d := range ds.Districts {
			cfg.Recipients.Districts[d.Code] = []string{strings.ToLower(d.Code) + "@example.vn"}
		}
		at := time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)
		now := func() time.Time { return at }
		comp := &notify.Composer{Store: s, Config: cfg, Now: now}
		r := &jobs.Runner{Store: s, Config: cfg, Now: now, AfterFindings: comp.Hook}
		for _, j := range finding.RecomputeJobs() {
			if _, err := r.Run(ctx, j, today); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := comp.Dispatch(ctx, notify.SlotsOf(cfg).First(today)); err != nil {
			t.Fatal(err)
		}
		// A new server each time: a running one shows its snapshot until
		// the next is read in the background.
		page := func(path string) (int, string) {
			return get(t, (&status.Server{Store: s, Config: cfg, Now: now}).Handler(), path)
		}
		mailTable := func() map[string][]string {
			t.Helper()
			code, body := page("/bang/thu.csv")
			if code != 200 {
				t.Fatalf("GET /bang/thu.csv = %d", code)
			}
			out := map[string][]string{}
			for _, row := range csvRows(t, body)[1:] {
				out[row[0]] = row
			}
			return out
		}
		queued := mailTable()
		if len(queued) < 2 {
			t.Fatalf("mail table has %d committees, want the province and districts: %v", len(queued), queued)
		}
		for com, row := range queued {
			if row[1] != labels.PageMailWaiting || row[2] != labels.PageNotMailedYet {
				t.Errorf("%s before any send: %q, want %q and no time", com, row, labels.PageMailWaiting)
			}
		}
		_, alerts := page("/bang/canh-bao.csv")
		for _, row := range csvRows(t, alerts)[1:] {
			if last := row[len(row)-1]; last != labels.PageNotMailedYet {
				t.Fatalf("alert %q shows last mailed %q while its digest is only queued", row, last)
			}
		}

		// The server accepts all but the first district's.
		refused := strings.ToLower(ds.Districts[0].Code) + "@example.vn"
		at = at.Add(5 * time.Minute)
		st, err := (&notify.Sender{Store: s, Transport: refusing{refused}, Now: now}).Drain(ctx)
		if err != nil || st.Failed == 0 || st.Sent == 0 {
			t.Fatalf("drain = %+v, %v; want some sent and one refused", st, err)
		}
		sil := store.Silence{StartsAt: at, EndsAt: at.Add(72 * time.Hour), CreatedBy: "Nguyễn Văn A", Reason: "đã có kế hoạch khắc phục"}
		kind := finding.AlertRelapse
		sil.Matchers.Kind = &kind
		if _, err := s.AddSilence(ctx, sil); err != nil {
			t.Fatal(err)
		}
		sent := labels.DateTime(at.In(cfg.Location()))
		refusedName := ""
		for com, row := range mailTable() {
			if strings.Contains(row[5], "550 5.1.1") {
				refusedName = com
				if row[1] != labels.PageMailRefused || row[2] != labels.PageNotMailedYet || row[4] != labels.PageMailRefusedSince(1) {
					t.Errorf("refused committee %s: %q", com, row)
				}
				continue
			}
			if row[1] != labels.PageMailAccepted || row[2] != sent || row[3] != "0" {
				t.Errorf("%s after its digest was accepted: %q, want %q at %s", com, row, labels.PageMailAccepted, sent)
			}
		}
		if !strings.Contains(refusedName, ds.Districts[0].Name) {
			t.Errorf("the refused committee is %q, want %s's", refusedName, ds.Districts[0].Name)
		}
		_, alerts = page("/bang/canh-bao.csv")
		var ok, bad int
		for _, row := range csvRows(t, alerts)[1:] {
			switch row[len(row)-1] {
			case sent:
				ok++
			case labels.PageMailRefused:
				bad++
				if row[0] != refusedName {
					t.Errorf("alert of %s shows refused mail", row[0])
				}
			default:
				t.Errorf("alert %q: last mailed %q", row, row[len(row)-1])
			}
		}
		if ok == 0 || bad == 0 {
			t.Errorf("alerts: %d accepted, %d refused; want both", ok, bad)
		}
		_, sils := page("/bang/tam-ngung.csv")
		rows := csvRows(t, sils)
		if len(rows) != 2 || !strings.Contains(rows[1][1], labels.AlertKindName(finding.AlertRelapse)) || rows[1][4] != "Nguyễn Văn A" ||
			rows[1][6] == labels.PageSilenceHeld(0) {
			t.Errorf("silences table = %q, want the relapse silence holding some alerts", rows)
		}
	})
}
