package notify

import (
	"testing"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// Every matcher given must match; a commune matches the alerts about it
// and those its own body owes, in the committee's and in the provincial
// copy.
func TestSilenceMatchers(t *testing.T) {
	plan := rules.Deadline{Committee: rules.DistrictCommittee("D1"), Unit: "X1", Period: "2026"}
	report := rules.Deadline{Committee: rules.CommuneCommittee("X2"), Period: "2025"}
	relapse := finding.RelapseItem{RelapseResult: rules.RelapseResult{Area: rules.Area{Unit: "X1", Year: 2024}}}
	alerts := map[string]store.Alert{
		"plan":       {Committee: "D1", Key: "deadline/D1/plan/2026/X1", Kind: finding.AlertDeadline, Payload: payload(t, plan)},
		"report":     {Committee: "xa:X2", Key: "deadline/xa:X2/report_year/2025", Kind: finding.AlertDeadline, Payload: payload(t, report)},
		"escalation": {Committee: "", Key: "escalation/xa:X2/report_year/2025", Kind: finding.AlertEscalation, Payload: payload(t, report)},
		"relapse D1": {Committee: "D1", Key: "relapse/X1/2024", Kind: finding.AlertRelapse, Payload: payload(t, relapse)},
		"relapse":    {Committee: "", Key: "relapse/X1/2024", Kind: finding.AlertRelapse, Payload: payload(t, relapse)},
	}
	s := func(v string) *string { return &v }
	k := func(v finding.AlertKind) *finding.AlertKind { return &v }
	for _, c := range []struct {
		name string
		m    store.Matchers
		want []string
	}{
		{"none: matches nothing", store.Matchers{}, nil},
		{"commune X1", store.Matchers{Unit: s("X1")}, []string{"plan", "relapse D1", "relapse"}},
		{"commune X2: its body's report and the provincial copy", store.Matchers{Unit: s("X2")}, []string{"report", "escalation"}},
		{"the province", store.Matchers{Committee: s("")}, []string{"escalation", "relapse"}},
		{"kind and committee", store.Matchers{Committee: s("D1"), Kind: k(finding.AlertRelapse)}, []string{"relapse D1"}},
		{"key: both copies", store.Matchers{Key: s("relapse/X1/2024")}, []string{"relapse D1", "relapse"}},
		{"key and commune that disagree", store.Matchers{Key: s("relapse/X1/2024"), Unit: s("X2")}, nil},
	} {
		var got []string
		for _, name := range []string{"plan", "report", "escalation", "relapse D1", "relapse"} {
			if Matches(c.m, alerts[name]) {
				got = append(got, name)
			}
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: matches %v, want %v", c.name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: matches %v, want %v", c.name, got, c.want)
			}
		}
	}
	// Active from its start to (not including) its end.
	now := time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC)
	ss := []store.Silence{{ID: 7, Matchers: store.Matchers{Unit: s("X1")}, StartsAt: now, EndsAt: now.Add(time.Hour)}}
	if silencedBy(ss, alerts["plan"], now.Add(-time.Second)) != nil || silencedBy(ss, alerts["plan"], now) == nil ||
		silencedBy(ss, alerts["plan"], now.Add(time.Hour)) != nil {
		t.Error("a silence is not active exactly from its start until its end")
	}
}

// The digest times of a day, in the province: the latest at or before a
// moment, the next at or after it, the first of a day.
func TestSlots(t *testing.T) {
	cfg := config.Default()
	cfg.Mail.DigestTimes = []string{"16:30", "08:00"}
	sl := SlotsOf(cfg)
	loc := cfg.Location()
	at := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, loc) }
	for _, c := range []struct {
		now, latest, next time.Time
	}{
		{at(2, 8, 0), at(2, 8, 0), at(2, 8, 0)},
		{at(2, 7, 59), at(1, 16, 30), at(2, 8, 0)},
		{at(2, 12, 0), at(2, 8, 0), at(2, 16, 30)},
		{at(2, 23, 0), at(2, 16, 30), at(3, 8, 0)},
		{at(1, 0, 0), time.Date(2026, 2, 28, 16, 30, 0, 0, loc), at(1, 8, 0)},
	} {
		if got := sl.Latest(c.now); !got.Equal(c.latest) {
			t.Errorf("Latest(%s) = %s, want %s", c.now, got, c.latest)
		}
		if got := sl.Next(c.now); !got.Equal(c.next) {
			t.Errorf("Next(%s) = %s, want %s", c.now, got, c.next)
		}
	}
	if got := sl.First(period.Date(2026, 3, 2)); !got.Equal(at(2, 8, 0)) {
		t.Errorf("First = %s, want 08:00 of 02/03", got)
	}
	if got := sl.Key(at(2, 16, 30).UTC()); got != "2026-03-02T16:30" {
		t.Errorf("Key = %s", got)
	}
}
