package config

import (
	"fmt"
	"strings"
	"time"

	"chuyenhoa/rules"
)

// Documents configures the official documents the report command writes,
// laid out as Decree 30/2020/NĐ-CP sets state documents: the issuing body
// (with the body above it) over the number, the place and date, the
// recipients and the signature.
type Documents struct {
	// Superior is the body above the issuer (cơ quan chủ quản), printed
	// above it; "" for none.
	Superior string `yaml:"superior"`
	// Issuer is the issuing body, upper left.
	Issuer string `yaml:"issuer"`
	// Symbol is the issuer's abbreviation in the number and symbol: a
	// report is "Số: …/BC-<Symbol>", a decision "Số: …/QĐ-<Symbol>". The
	// number itself is given when the clerk registers the document
	// (report --number); a draft leaves it blank.
	Symbol string `yaml:"symbol"`
	// Place is the place of the date line, "Quảng Ngãi, ngày … tháng … năm …".
	Place      string   `yaml:"place"`
	Signer     Signer   `yaml:"signer"`
	Recipients []string `yaml:"recipients"` // Nơi nhận of the reports, one line each
	Decision   Decision `yaml:"decision"`
	// Chromium is the browser that prints each document's page to PDF:
	// a path, "" to look for chromium, chromium-browser, google-chrome or
	// google-chrome-stable on PATH, or "none" to write no PDF.
	Chromium string `yaml:"chromium"`
}

// ChromiumNone turns the PDF off (documents.chromium).
const ChromiumNone = "none"

// Signer is the signature block: the authority of the signature (TM. BAN
// CHỈ ĐẠO, KT. TRƯỞNG BAN; "" when the head signs as such), the title and
// the name ("" leaves a line for it).
type Signer struct {
	Authority string `yaml:"authority"`
	Title     string `yaml:"title"`
	Name      string `yaml:"name"`
}

// Decision configures the draft selection decision (Quyết định).
type Decision struct {
	// Authority is the line naming who decides, above the bases
	// ("TRƯỞNG BAN CHỈ ĐẠO 138 TỈNH QUẢNG NGÃI").
	Authority string `yaml:"authority"`
	// Bases are the "Căn cứ …" lines after the plan's own.
	Bases []string `yaml:"bases"`
	// Proposer is whose proposal the decision considers ("Xét đề nghị
	// của …"); "" leaves the line out.
	Proposer string `yaml:"proposer"`
	// Signer of the decision; each key left empty takes documents.signer's.
	Signer     Signer   `yaml:"signer"`
	Recipients []string `yaml:"recipients"`
}

// DecisionSigner is the decision's signer, documents.signer filling the
// keys it leaves empty.
func (d Documents) DecisionSigner() Signer {
	s := d.Decision.Signer
	if s.Authority == "" {
		s.Authority = d.Signer.Authority
	}
	if s.Title == "" {
		s.Title = d.Signer.Title
	}
	if s.Name == "" {
		s.Name = d.Signer.Name
	}
	return s
}

// Plan is a plan period the yearly work follows (plan 67/KH-UBND for
// 2021–2025): the period summary quotes it and measures the years against
// its targets. The next plan is a new entry.
type Plan struct {
	Name     string `yaml:"name"`      // the plan's summary, as its title reads
	Number   string `yaml:"number"`    // "67/KH-UBND"
	IssuedOn string `yaml:"issued_on"` // "YYYY-MM-DD"
	Issuer   string `yaml:"issuer"`    // who issued it, "Chủ tịch UBND tỉnh"
	From     int    `yaml:"from"`
	To       int    `yaml:"to"`
	// The targets of the plan, in percent; 0 takes the targets section's.
	TransformedPercent int `yaml:"transformed_percent"`
	StablePercent      int `yaml:"stable_percent"`
}

// Issued is the day the plan was issued; zero when not given.
func (p Plan) Issued() time.Time {
	t, _ := time.Parse(time.DateOnly, p.IssuedOn)
	return t
}

// PlanFor is the plan whose period holds year.
func (c *Config) PlanFor(year int) (Plan, bool) {
	for _, p := range c.Plans {
		if p.From <= year && year <= p.To {
			return p, true
		}
	}
	return Plan{}, false
}

// PlanTargets are the targets of plan p: its own, or the targets
// section's where it sets none.
func (c *Config) PlanTargets(p Plan) rules.TargetParams {
	t := c.TargetParams()
	if p.TransformedPercent > 0 {
		t.TransformedPercent = p.TransformedPercent
	}
	if p.StablePercent > 0 {
		t.StablePercent = p.StablePercent
	}
	return t
}

// TargetsFor are the targets of year: its plan's, or the targets
// section's for a year no plan holds.
func (c *Config) TargetsFor(year int) rules.TargetParams {
	if p, ok := c.PlanFor(year); ok {
		return c.PlanTargets(p)
	}
	return c.TargetParams()
}

// defaultDocuments are Quảng Ngãi's: the provincial Steering Committee 138
// under the provincial People's Committee, its head signing.
func defaultDocuments() Documents {
	return Documents{
		Superior: "UBND TỈNH QUẢNG NGÃI",
		Issuer:   "BAN CHỈ ĐẠO 138",
		Symbol:   "BCĐ",
		Place:    "Quảng Ngãi",
		Signer:   Signer{Authority: "TM. BAN CHỈ ĐẠO", Title: "TRƯỞNG BAN"},
		Recipients: []string{
			"Bộ Công an (để báo cáo);",
			"Thường trực Tỉnh ủy (để báo cáo);",
			"Chủ tịch, các Phó Chủ tịch UBND tỉnh;",
			"Các thành viên Ban Chỉ đạo 138 tỉnh;",
			"Lưu: VT.",
		},
		Decision: Decision{
			Authority: "TRƯỞNG BAN CHỈ ĐẠO 138 TỈNH QUẢNG NGÃI",
			Bases:     []string{},
			Proposer:  "Công an tỉnh (Cơ quan Thường trực Ban Chỉ đạo 138 tỉnh)",
			Recipients: []string{
				"Như Điều 3;",
				"Thường trực Tỉnh ủy (để báo cáo);",
				"Chủ tịch, các Phó Chủ tịch UBND tỉnh;",
				"Lưu: VT.",
			},
		},
	}
}

// defaultPlans is plan 67/KH-UBND of Quảng Ngãi (15/04/2021).
func defaultPlans() []Plan {
	return []Plan{{
		Name:     "Kế hoạch thực hiện công tác chuyển hóa địa bàn trọng điểm, phức tạp về trật tự, an toàn xã hội giai đoạn 2021 - 2025",
		Number:   "67/KH-UBND",
		IssuedOn: "2021-04-15",
		Issuer:   "Chủ tịch UBND tỉnh",
		From:     2021,
		To:       2025,
	}}
}

func (c *Config) validateDocuments() []error {
	var errs []error
	d := &c.Documents
	add := func(path, format string, args ...any) { errs = append(errs, c.fieldErr(path, format, args...)) }
	line := func(path, v string, required bool, example string) {
		switch {
		case strings.ContainsAny(v, "\r\n"):
			add(path, "%q must be a single line, e.g. %q", v, example)
		case required && strings.TrimSpace(v) == "":
			add(path, "is empty; give it, e.g. %q", example)
		}
	}
	lines := func(path string, vs []string, example string) {
		if len(vs) == 0 {
			add(path, "is empty; list the recipients one a line, ending with %q", "Lưu: VT.")
		}
		for i, v := range vs {
			line(fmt.Sprintf("%s[%d]", path, i), v, true, example)
		}
	}
	line("documents.superior", d.Superior, false, "UBND TỈNH QUẢNG NGÃI")
	line("documents.issuer", d.Issuer, true, "BAN CHỈ ĐẠO 138")
	line("documents.place", d.Place, true, "Quảng Ngãi")
	if s := d.Symbol; strings.TrimSpace(s) == "" || strings.ContainsAny(s, " /\t\r\n") {
		add("documents.symbol", "%q must be the issuer's abbreviation without spaces or slashes, e.g. \"BCĐ\" (Số: 12/BC-BCĐ)", s)
	}
	line("documents.signer.authority", d.Signer.Authority, false, "TM. BAN CHỈ ĐẠO")
	line("documents.signer.title", d.Signer.Title, true, "TRƯỞNG BAN")
	line("documents.signer.name", d.Signer.Name, false, "Nguyễn Văn A")
	lines("documents.recipients", d.Recipients, "Thường trực Tỉnh ủy (để báo cáo);")
	line("documents.decision.authority", d.Decision.Authority, true, "TRƯỞNG BAN CHỈ ĐẠO 138 TỈNH QUẢNG NGÃI")
	line("documents.decision.proposer", d.Decision.Proposer, false, "Công an tỉnh")
	for i, b := range d.Decision.Bases {
		line(fmt.Sprintf("documents.decision.bases[%d]", i), b, true, "Căn cứ Quyết định số …;")
	}
	line("documents.decision.signer.authority", d.Decision.Signer.Authority, false, "TM. BAN CHỈ ĐẠO")
	line("documents.decision.signer.title", d.Decision.Signer.Title, false, "TRƯỞNG BAN")
	line("documents.decision.signer.name", d.Decision.Signer.Name, false, "Nguyễn Văn A")
	lines("documents.decision.recipients", d.Decision.Recipients, "Như Điều 3;")
	line("documents.chromium", d.Chromium, false, "/usr/bin/chromium")
	return errs
}

func (c *Config) validatePlans() []error {
	var errs []error
	for i, p := range c.Plans {
		path := fmt.Sprintf("plans[%d]", i)
		add := func(field, format string, args ...any) {
			errs = append(errs, c.fieldErr(path+"."+field, format, args...))
		}
		if strings.TrimSpace(p.Name) == "" || strings.ContainsAny(p.Name, "\r\n") {
			add("name", "%q must be the plan's title on one line, e.g. \"Kế hoạch thực hiện công tác chuyển hóa … giai đoạn 2021 - 2025\"", p.Name)
		}
		if strings.TrimSpace(p.Number) == "" || strings.ContainsAny(p.Number, " \r\n") {
			add("number", "%q must be the plan's number and symbol, e.g. \"67/KH-UBND\"", p.Number)
		}
		if p.IssuedOn != "" {
			if _, err := time.Parse(time.DateOnly, p.IssuedOn); err != nil {
				add("issued_on", "%q is not a date; use YYYY-MM-DD, e.g. \"2021-04-15\"", p.IssuedOn)
			}
		}
		if strings.ContainsAny(p.Issuer, "\r\n") {
			add("issuer", "%q must be a single line, e.g. \"Chủ tịch UBND tỉnh\"", p.Issuer)
		}
		switch {
		case p.From < 2000 || p.From > 9999:
			add("from", "%d is not a year; use the plan's first year, e.g. 2021", p.From)
		case p.To < p.From || p.To > 9999:
			add("to", "%d must be a year from %d on (the plan's last year, e.g. 2025)", p.To, p.From)
		}
		for _, f := range []struct {
			name string
			v    int
		}{{"transformed_percent", p.TransformedPercent}, {"stable_percent", p.StablePercent}} {
			if f.v < 0 || f.v > 100 {
				add(f.name, "%d is out of range; use 1..100, or leave it out to take the targets section's", f.v)
			}
		}
		for j, q := range c.Plans[:i] {
			if p.From <= q.To && q.From <= p.To {
				add("from", "%d–%d overlaps plans[%d] (%d–%d); a year belongs to one plan", p.From, p.To, j, q.From, q.To)
			}
		}
	}
	return errs
}

// PlanOf is the plan that holds the years from..to, for a period summary:
// the whole plan or a part of it (a mid-term review).
func (c *Config) PlanOf(from, to int) (Plan, error) {
	for _, p := range c.Plans {
		if p.From <= from && to <= p.To {
			return p, nil
		}
	}
	var have []string
	for _, p := range c.Plans {
		have = append(have, fmt.Sprintf("%s %d–%d", p.Number, p.From, p.To))
	}
	if len(have) == 0 {
		have = append(have, "none")
	}
	return Plan{}, fmt.Errorf("plans: no plan holds the years %d–%d (configured: %s); add the plan as an entry of plans, e.g. with from: %d and to: %d",
		from, to, strings.Join(have, "; "), from, to)
}
