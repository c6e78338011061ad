package config

import (
	"strings"
	"testing"
)

// The documents section and the plans: a file sets some keys and keeps the
// others' defaults; every bad value is named with its field.
func TestDocumentsAndPlans(t *testing.T) {
	c, err := Parse([]byte(`
documents:
  issuer: "BAN CHỈ ĐẠO 138 TỈNH KON TUM"
  signer: {name: "Nguyễn Văn A"}
  decision:
    signer: {authority: "KT. TRƯỞNG BAN", title: "PHÓ TRƯỞNG BAN"}
plans:
  - {name: "Kế hoạch giai đoạn 2021 - 2025", number: "67/KH-UBND", issued_on: "2021-04-15", from: 2021, to: 2025}
  - {name: "Kế hoạch giai đoạn 2026 - 2030", number: "12/KH-UBND", from: 2026, to: 2030, transformed_percent: 70}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	d := c.Documents
	if d.Issuer != "BAN CHỈ ĐẠO 138 TỈNH KON TUM" || d.Superior != "UBND TỈNH QUẢNG NGÃI" || d.Symbol != "BCĐ" || d.Signer.Title != "TRƯỞNG BAN" ||
		d.Signer.Name != "Nguyễn Văn A" || len(d.Recipients) != 5 {
		t.Errorf("documents = %+v", d)
	}
	if s := d.DecisionSigner(); s != (Signer{Authority: "KT. TRƯỞNG BAN", Title: "PHÓ TRƯỞNG BAN", Name: "Nguyễn Văn A"}) {
		t.Errorf("decision signer = %+v", s)
	}
	p, err := c.PlanOf(2026, 2030)
	if err != nil || p.Number != "12/KH-UBND" {
		t.Fatalf("PlanOf(2026, 2030) = %+v, %v", p, err)
	}
	if tg := c.PlanTargets(p); tg.TransformedPercent != 70 || tg.StablePercent != 85 {
		t.Errorf("2026–2030 targets %+v, want 70 and the targets section's 85", tg)
	}
	if tg := c.TargetsFor(2023); tg.TransformedPercent != 60 {
		t.Errorf("2023 targets %+v", tg)
	}
	if p, err := c.PlanOf(2021, 2023); err != nil || p.Number != "67/KH-UBND" || p.Issued().Format("2006-01-02") != "2021-04-15" {
		t.Errorf("PlanOf(2021, 2023) = %+v, %v; want plan 67 (a part of it)", p, err)
	}
	if _, err := c.PlanOf(2024, 2027); err == nil || !strings.Contains(err.Error(), "no plan holds the years 2024–2027 (configured: 67/KH-UBND 2021–2025; 12/KH-UBND 2026–2030)") {
		t.Errorf("PlanOf(2024, 2027): %v", err)
	}

	_, err = Parse([]byte(`
documents:
  issuer: ""
  symbol: "BC Đ"
  signer: {title: ""}
  recipients: []
  place: "Quảng\nNgãi"
plans:
  - {name: "A", number: "67/KH-UBND", issued_on: "15/04/2021", from: 2021, to: 2020}
  - {name: "B", number: "", from: 2024, to: 2026, stable_percent: 120}
`), nil)
	for _, want := range []string{
		`documents.issuer: is empty`, `documents.symbol: "BC Đ" must be the issuer's abbreviation`, `documents.signer.title: is empty`,
		`documents.recipients: is empty`, `documents.place: "Quảng\nNgãi" must be a single line`,
		`plans[0].issued_on: "15/04/2021" is not a date`, `plans[0].to: 2020 must be a year from 2021 on`,
		`plans[1].number: "" must be the plan's number`, `plans[1].stable_percent: 120 is out of range`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	_, err = Parse([]byte("plans:\n  - {name: A, number: 1/KH, from: 2021, to: 2025}\n  - {name: B, number: 2/KH, from: 2025, to: 2030}\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "plans[1].from: 2025–2030 overlaps plans[0] (2021–2025)") {
		t.Errorf("overlapping plans: %v", err)
	}
}
