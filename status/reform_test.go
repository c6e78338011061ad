package status_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/status"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// The page of X, made of A1 and A2 on 01/07/2025, counts their months
// before the merger (storetest.ReformProvince): March 2025 (15/02–14/03)
// holds A1's 9 and A2's 3, 12; September X's own 1. The page of A1, ended
// on 30/06/2025, shows it as it was then (its 9 in March) and says X holds
// it now.
func TestCommunePageAfterTheMerger(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		if err := s.Load(context.Background(), storetest.ReformProvince()); err != nil {
			t.Fatal(err)
		}
		now := func() time.Time { return time.Date(2025, 12, 20, 1, 0, 0, 0, time.UTC) }
		h := (&status.Server{Store: s, Config: config.Default(), Now: now}).Handler()
		month := regexp.MustCompile(`<tr><td data-label="Tháng">` + label("Tháng") + `([^<]+)</span></td><td data-label="Số vụ TTXH" class="n">` + label("Số vụ TTXH") + `(\d+)</span></td>`)
		rows := func(body string) string {
			var out []string
			for _, m := range month.FindAllStringSubmatch(body, -1) {
				if m[2] != "0" {
					out = append(out, m[1]+"="+m[2])
				}
			}
			return strings.Join(out, " ")
		}
		code, body := get(t, h, "/xa/X")
		if code != 200 || !strings.Contains(body, "Gồm địa bàn của: Xã A1 (A1), Xã A2 (A2)") {
			t.Errorf("GET /xa/X = %d, lacks the merged communes", code)
		}
		if got := rows(body); got != "03/2025=12 09/2025=1" {
			t.Errorf("X's months with crimes: %s, want 03/2025=12 09/2025=1", got)
		}
		code, body = get(t, h, "/xa/A1")
		if code != 200 || !strings.Contains(body, "Đến 30/06/2025; nay thuộc Xã X (X).") {
			t.Errorf("GET /xa/A1 = %d, lacks its successor", code)
		}
		if got := rows(body); got != "03/2025=9" {
			t.Errorf("A1's months with crimes: %s, want 03/2025=9", got)
		}
	})
}
