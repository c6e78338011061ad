package links_test

import (
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"chuyenhoa/links"
	"chuyenhoa/rules"
)

var key = []byte("0123456789abcdef0123456789abcdef")

func TestBuilderURLs(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	b := links.New("https://bcd138.example.gov.vn/trang/", key, 48*time.Hour, func() time.Time { return now })
	if got := b.Overview(rules.ProvinceCommittee()); got != "https://bcd138.example.gov.vn/trang/" {
		t.Errorf("province overview = %q", got)
	}
	if got := b.Commune(rules.ProvinceCommittee(), "D01X02"); got != "https://bcd138.example.gov.vn/trang/xa/D01X02" {
		t.Errorf("province commune = %q", got)
	}
	for _, c := range []rules.Committee{rules.DistrictCommittee("D01"), rules.CommuneCommittee("X07")} {
		for _, raw := range []string{b.Overview(c), b.Commune(c, "X07")} {
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			got, exp, err := links.Verify(key, u.Query().Get(links.Param), now.Add(47*time.Hour))
			if err != nil || got != c || !exp.Equal(now.Add(48*time.Hour)) {
				t.Errorf("%s: token opens %v until %v (%v), want %v until %v", raw, got, exp, err, c, now.Add(48*time.Hour))
			}
		}
	}
	if got := b.Overview(rules.DistrictCommittee("D01")); !strings.HasPrefix(got, "https://bcd138.example.gov.vn/trang/don-vi/D01?t=") {
		t.Errorf("district overview = %q", got)
	}
	if got := b.Overview(rules.CommuneCommittee("X07")); !strings.HasPrefix(got, "https://bcd138.example.gov.vn/trang/don-vi/xa:X07?t=") {
		t.Errorf("commune committee overview = %q", got)
	}
	var none *links.Builder
	for _, b := range []*links.Builder{none, links.New("", key, time.Hour, nil)} {
		if b.Overview(rules.DistrictCommittee("D01")) != "" || b.Commune(rules.ProvinceCommittee(), "X") != "" {
			t.Error("a builder without a public URL made a link")
		}
	}
	if got := links.New("https://x", nil, time.Hour, nil).Overview(rules.DistrictCommittee("D01")); got != "" {
		t.Errorf("without a key a committee link is %q, want none", got)
	}
}

func TestVerifyRefuses(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	good := links.Sign(key, rules.DistrictCommittee("D01"), now.Add(time.Hour))
	other := links.Sign([]byte("another key, another key, another"), rules.DistrictCommittee("D01"), now.Add(time.Hour))
	// The committee swapped under the same MAC: D02 for D01.
	parts := strings.Split(good, ".")
	parts[1] = strings.TrimRight(strings.Replace(parts[1], "RDAx", "RDAy", 1), "=")
	swapped := strings.Join(parts, ".")
	for name, c := range map[string]struct {
		token string
		at    time.Time
		want  error
	}{
		"expired":             {good, now.Add(time.Hour), links.ErrExpired},
		"other key":           {other, now, links.ErrInvalid},
		"committee swapped":   {swapped, now, links.ErrInvalid},
		"empty":               {"", now, links.ErrInvalid},
		"garbage":             {"v1.a.b.c", now, links.ErrInvalid},
		"truncated MAC":       {good[:len(good)-2], now, links.ErrInvalid},
		"province":            {links.Sign(key, rules.ProvinceCommittee(), now.Add(time.Hour)), now, links.ErrInvalid},
		"future version":      {"v2" + good[2:], now, links.ErrInvalid},
		"expiry not a number": {links.SignBody(key, "v1."+b64("D01")+"."+b64("soon")), now, links.ErrInvalid},
	} {
		if _, _, err := links.Verify(key, c.token, c.at); !errors.Is(err, c.want) {
			t.Errorf("%s: Verify = %v, want %v", name, err, c.want)
		}
	}
	if swapped == good {
		t.Fatal("the swap changed nothing")
	}
	if _, _, err := links.Verify(nil, good, now); !errors.Is(err, links.ErrInvalid) {
		t.Errorf("no key: %v", err)
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
