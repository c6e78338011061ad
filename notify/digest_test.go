package notify

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/labels"
	"chuyenhoa/links"
	"chuyenhoa/names"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run 'go test ./notify -run Golden -update' to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

func payload(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func goldenFixture(t *testing.T, unitName string) (*names.Directory, []store.Alert) {
	d := period.Date
	dir := names.New(labels.DefaultBodies(),
		[]rules.Unit{
			{Code: "D03X04", Name: unitName, District: "D03"},
			{Code: "D03X12", Name: "Xã Bình Nguyên", District: "D03"},
		},
		[]rules.District{{Code: "D03", Name: "Huyện Bình Sơn", Kind: "huyen"}},
	)
	plan := rules.Obligation{Code: "plan", Name: "Kế hoạch chuyển hóa địa bàn", PerUnit: true, DueAfterDecisionDays: 30, ReminderDays: 7, GraceDays: 3, EscalateDays: 10}
	h1 := rules.Obligation{Code: "report_h1", Name: "Báo cáo sơ kết 6 tháng", Period: rules.PeriodHalf1, DueMonth: time.June, DueDay: 20, ReminderDays: 7, GraceDays: 3, EscalateDays: 10}
	upcoming := rules.Deadline{Obligation: plan, Committee: rules.DistrictCommittee("D03"), Unit: "D03X04", Year: 2026, Period: "2026", Due: d(2026, 11, 29), EscalateOn: d(2026, 12, 13), State: rules.DeadlineUpcoming}
	escalated := rules.Deadline{Obligation: h1, Committee: rules.DistrictCommittee("D03"), Year: 2026, Period: "2026-H1", Due: d(2026, 6, 20), EscalateOn: d(2026, 7, 4), State: rules.DeadlineEscalated, DaysLate: 158}
	late := rules.Deadline{Obligation: plan, Committee: rules.DistrictCommittee("D03"), Unit: "D03X12", Year: 2026, Period: "2026", Due: d(2026, 4, 13), EscalateOn: d(2026, 4, 27), SubmittedOn: d(2026, 11, 20), State: rules.DeadlineSubmittedLate, DaysLate: 221}
	relapse := finding.RelapseItem{
		RelapseResult: rules.RelapseResult{
			Area:    rules.Area{Unit: "D03X04", Year: 2024, Category: rules.Cat4, TransformedOn: d(2025, 1, 20)},
			Checked: true, Relapsed: true, ByCategory: true,
			Counts:      rules.Counts{SocialOrder: 42, ByCategory: [5]int{0, 30, 0, 0, 12}},
			ProvinceAvg: 60.9, DistrictAvg: 108.4, CatProvinceAvg: 6.7, CatDistrictAvg: 11.3,
		},
		Since:  d(2026, 11, 14),
		Window: period.Range{From: d(2025, 11, 15), To: d(2026, 11, 14)},
	}
	alerts := []store.Alert{
		{Committee: "D03", Key: "deadline/D03/plan/2026/D03X04", Kind: finding.AlertDeadline, State: "upcoming", Open: true, Payload: payload(t, upcoming)},
		{Committee: "D03", Key: "deadline/D03/report_h1/2026-H1", Kind: finding.AlertDeadline, State: "escalated", Open: true, NotifiedState: "overdue", Payload: payload(t, escalated)},
		{Committee: "D03", Key: "deadline/D03/plan/2026/D03X12", Kind: finding.AlertDeadline, State: "submitted_late", Open: false, NotifiedState: "escalated", Payload: payload(t, late)},
		{Committee: "D03", Key: "relapse/D03X04/2024", Kind: finding.AlertRelapse, State: "relapsed", Open: true, NotifiedState: "relapsed", Payload: payload(t, relapse)},
		{Committee: "", Key: "escalation/D03/report_h1/2026-H1", Kind: finding.AlertEscalation, State: "escalated", Open: true, Payload: payload(t, escalated)},
		{Committee: "", Key: "relapse/D03X04/2024", Kind: finding.AlertRelapse, State: "relapsed", Open: true, Payload: payload(t, relapse)},
	}
	return dir, alerts
}

func render(t *testing.T, c *Composer, dir *names.Directory, com string, alerts []store.Alert, repeat bool, mod func(*Digest)) (string, string, string) {
	t.Helper()
	var mine []store.Alert
	for _, a := range alerts {
		if a.Committee == com {
			mine = append(mine, a)
		}
	}
	g, err := c.digest(dir, com, mine, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), repeat)
	if err != nil {
		t.Fatal(err)
	}
	if mod != nil {
		mod(g)
	}
	text, html, err := g.Render()
	if err != nil {
		t.Fatal(err)
	}
	return g.Subject(), text, html
}

// testKey signs the golden digests' links.
var testKey = []byte("a link key of at least thirty-two bytes, for tests")

func TestGoldenDigests(t *testing.T) {
	at := time.Date(2026, 11, 25, 7, 0, 0, 0, time.UTC)
	c := &Composer{Config: config.Default(), Links: links.New("https://bcd138.example.gov.vn/theo-doi/", testKey, 336*time.Hour, func() time.Time { return at })}
	dir, alerts := goldenFixture(t, "Xã Bình Thạnh")
	subj, text, html := render(t, c, dir, "D03", alerts, false, nil)
	golden(t, "district.txt", subj+"\n\n"+text)
	golden(t, "district.html", html)

	subj, text, html = render(t, c, dir, "", alerts, false, func(g *Digest) {
		g.Targets = []rules.Progress{
			{Year: 2024, Selected: 17, Assessed: 17, Transformed: 8, Relapsed: 1, Stable: 7, TransformedRate: 47.05882352941177, StableRate: 87.5, TransformedNeeded: 11, StableNeeded: 7, StableMet: true, HasSelected: true, HasTransformed: true},
			{Year: 2026, Selected: 19, HasSelected: true},
		}
		g.Forwarded = []Forward{{Committee: "Ban Chỉ đạo 138 huyện Lý Sơn", Items: []Item{{New: true, Line: labels.Line{Title: "Báo cáo sơ kết 6 tháng, kỳ 2026-H1", State: "Quá hạn", Facts: "Hạn nộp 20/06/2026; chưa nhận được, trễ 158 ngày."}}}}}
	})
	golden(t, "province.txt", subj+"\n\n"+text)
	golden(t, "province.html", html)

	subj, text, _ = render(t, c, dir, "D03", alerts, true, nil)
	if !strings.Contains(text, "Nhắc lại") {
		t.Errorf("repeat digest does not say it is a reminder:\n%s", text)
	}
	if subj == "" {
		t.Error("empty subject")
	}
}

func TestDigestHTMLIsEscaped(t *testing.T) {
	c := &Composer{Config: config.Default()}
	dir, alerts := goldenFixture(t, `Xã <script>alert("x")</script> & Co`)
	_, text, html := render(t, c, dir, "D03", alerts, false, nil)
	if strings.Contains(html, "<script>") {
		t.Errorf("HTML digest carries a raw <script> from a unit name")
	}
	if !strings.Contains(html, "&lt;script&gt;") || !strings.Contains(html, "&amp; Co") {
		t.Errorf("HTML digest does not escape the unit name")
	}
	if !strings.Contains(text, `<script>alert("x")</script> & Co`) {
		t.Errorf("plain text should carry the name as written")
	}
}

// Every item links to its commune (or the committee's view) as the
// digest's committee sees it: a district's links carry its token, the
// province's none; without a public URL there are no links and the
// digest still reads whole.
func TestDigestLinks(t *testing.T) {
	at := time.Date(2026, 11, 25, 7, 0, 0, 0, time.UTC)
	c := &Composer{Config: config.Default(), Links: links.New("https://bcd138.example.gov.vn", testKey, 336*time.Hour, func() time.Time { return at })}
	dir, alerts := goldenFixture(t, "Xã Bình Thạnh")
	_, text, html := render(t, c, dir, "D03", alerts, false, nil)
	for _, want := range []string{
		"https://bcd138.example.gov.vn/xa/D03X04?t=",  // the relapse and the plan of Bình Thạnh
		"https://bcd138.example.gov.vn/don-vi/D03?t=", // the six-month report: the district's view
	} {
		if !strings.Contains(text, want) || !strings.Contains(html, want) {
			t.Errorf("district digest has no link %s…", want)
		}
	}
	i := strings.Index(text, "/xa/D03X04?t=")
	tok, _, _ := strings.Cut(text[i+len("/xa/D03X04?t="):], "\n")
	com, exp, err := links.Verify(testKey, tok, at)
	if err != nil || com != rules.DistrictCommittee("D03") || !exp.Equal(at.Add(336*time.Hour).Truncate(time.Second)) {
		t.Errorf("the district's link token opens %v until %v (%v), want D03 until %v", com, exp, err, at.Add(336*time.Hour))
	}
	_, text, _ = render(t, c, dir, "", alerts, false, nil)
	if !strings.Contains(text, "https://bcd138.example.gov.vn/xa/D03X04\n") || strings.Contains(text, "?t=") {
		t.Errorf("the provincial digest's links should carry no token:\n%s", text)
	}

	c.Links = links.New("", testKey, time.Hour, nil)
	_, text, html = render(t, c, dir, "D03", alerts, false, nil)
	if strings.Contains(html, "href") || strings.Contains(text, "http") {
		t.Errorf("without a public URL the digest has links")
	}
	for _, want := range []string{"Yêu cầu:", "chuyenhoa silence add --key relapse/D03X04/2024 --committee D03", "Thư này được gửi vì"} {
		if !strings.Contains(text, want) {
			t.Errorf("digest without links lacks %q", want)
		}
	}
}

// An obligation that ended without being met (a proposal never sent, no
// longer tracked) is not news of a fix: it has its own section, worded so.
func TestEndedObligationIsNotFixed(t *testing.T) {
	c := &Composer{Config: config.Default()}
	dir, alerts := goldenFixture(t, "Xã Bình Thạnh")
	prop := rules.Obligation{Code: "proposal", Name: "Đề xuất địa bàn chuyển hóa", ReminderDays: 7, GraceDays: 3, EscalateDays: 10}
	pd := rules.ProposalDeadline{Deadline: rules.Deadline{Obligation: prop, Committee: rules.DistrictCommittee("D03"), Year: 2027, Period: "2027",
		Due: period.Date(2026, 10, 31), State: rules.DeadlineEscalated, DaysLate: 20}, Required: 2}
	alerts = append(alerts, store.Alert{Committee: "D03", Key: "proposal/D03/2027", Kind: finding.AlertProposal, State: finding.Resolved,
		Open: false, NotifiedState: "escalated", Payload: payload(t, pd)})
	subj, text, html := render(t, c, dir, "D03", alerts, false, nil)
	fixed, ended, ok := strings.Cut(text, "ĐÃ KHẮC PHỤC TỪ LẦN THÔNG BÁO TRƯỚC")
	if !ok {
		t.Fatalf("no fixed section:\n%s", text)
	}
	_ = fixed
	fixedPart, endedPart, ok := strings.Cut(ended, "ĐÃ KẾT THÚC MÀ CHƯA THỰC HIỆN (1)")
	if !ok {
		t.Fatalf("no section of obligations ended unmet:\n%s", text)
	}
	if strings.Contains(fixedPart, "Đề xuất địa bàn") {
		t.Errorf("the proposal never sent is listed as fixed:\n%s", fixedPart)
	}
	for _, want := range []string{"Đề xuất địa bàn chuyển hóa", "Kết thúc, không nộp", "mà chưa nhận được"} {
		if !strings.Contains(endedPart, want) {
			t.Errorf("ended section lacks %q:\n%s", want, endedPart)
		}
	}
	if !strings.Contains(subj, "1 kết thúc không thực hiện") || !strings.Contains(html, "Đã kết thúc mà chưa thực hiện (1)") {
		t.Errorf("subject %q or HTML does not count the ended obligation", subj)
	}
}
