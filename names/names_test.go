package names

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"chuyenhoa/labels"
	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/valid"
)

func TestDirectory(t *testing.T) {
	d := New(labels.DefaultBodies(),
		[]rules.Unit{{Code: "D03X04", Name: "Xã Bình Châu", District: "D03"}, {Code: "X99", Name: "Đặc khu Lý Sơn"}},
		[]rules.District{{Code: "D03", Name: "Huyện Bình Sơn"}, {Code: "D07"}},
	)
	for _, c := range []struct{ got, want string }{
		{d.UnitName("D03X04"), "Xã Bình Châu (D03X04)"},
		{d.UnitName("GONE"), "GONE"},
		{d.District("D03"), "Huyện Bình Sơn"},
		{d.District(""), "—"},
		{d.District("D09"), "D09"},
		{d.Committee(rules.DistrictCommittee("D03")), "Ban Chỉ đạo 138 huyện Bình Sơn"},
		{d.Committee(rules.DistrictCommittee("D07")), "Ban Chỉ đạo 138 D07"},
		{d.Committee(rules.DistrictCommittee("D09")), "Ban Chỉ đạo 138 D09"},
		{d.Committee(rules.ProvinceCommittee()), "Ban Chỉ đạo 138 tỉnh"},
		{d.Committee(rules.CommuneCommittee("X99")), "Công an đặc khu Lý Sơn"},
		{d.Committee(rules.CommuneCommittee("GONE")), "Công an GONE"},
		{d.Owner(rules.DistrictCommittee("D03")), "Huyện Bình Sơn"},
		{d.Owner(rules.CommuneCommittee("X99")), "Công an đặc khu Lý Sơn"},
		{d.Owner(rules.ProvinceCommittee()), "Ban Chỉ đạo 138 tỉnh"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if u, ok := d.Unit("X99"); !ok || u.Name != "Đặc khu Lý Sơn" || u.District != "" {
		t.Errorf("Unit(X99) = %+v, %v", u, ok)
	}
	if _, ok := d.Unit("GONE"); ok {
		t.Error("Unit(GONE) found a unit")
	}
	if c := d.CommitteeOf("D03X04"); c != rules.DistrictCommittee("D03") {
		t.Errorf("CommitteeOf(D03X04) = %v", c)
	}
	if c := d.CommitteeOf("X99"); c != rules.CommuneCommittee("X99") {
		t.Errorf("CommitteeOf(X99) = %v", c)
	}
}

// The province works through districts on a day when a commune valid then
// has one; the configuration's grouping: none reads the units without
// their districts.
func TestDirectoryGrouped(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	src := fakeSource{
		units: []store.UnitRow{
			{Unit: rules.Unit{Code: "D1X1", Name: "Xã Cũ", District: "D1"}, ValidTo: day(2025, 6, 30)},
			{Unit: rules.Unit{Code: "X1", Name: "Xã Mới"}, ValidFrom: day(2025, 7, 1)},
		},
		districts: []rules.District{{Code: "D1", Name: "Huyện Một"}},
	}
	d, err := Load(context.Background(), src, labels.DefaultBodies(), true)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Grouped(day(2025, 6, 30)) || d.Grouped(day(2025, 7, 1)) {
		t.Errorf("grouped on 30/06/2025 %v, on 01/07/2025 %v; want true, false", d.Grouped(day(2025, 6, 30)), d.Grouped(day(2025, 7, 1)))
	}
	if d, err = Load(context.Background(), src, labels.DefaultBodies(), false); err != nil {
		t.Fatal(err)
	}
	if d.Grouped(day(2025, 6, 30)) || d.CommitteeOf("D1X1") != rules.CommuneCommittee("D1X1") {
		t.Errorf("grouping none: grouped %v, committee of D1X1 %v", d.Grouped(day(2025, 6, 30)), d.CommitteeOf("D1X1"))
	}
}

type fakeSource struct {
	units     []store.UnitRow
	districts []rules.District
}

func (f fakeSource) AllUnits(context.Context) ([]store.UnitRow, error)   { return f.units, nil }
func (f fakeSource) Districts(context.Context) ([]rules.District, error) { return f.districts, nil }

// A name from the shared database is handed out cleaned: one line, no
// control characters, bounded; and so is a code shown for itself.
func TestNamesAreCleaned(t *testing.T) {
	d := New(labels.DefaultBodies(),
		[]rules.Unit{{Code: "X1", Name: strings.Repeat("Xã Bình Châu ", 1<<20), District: "D1"}},
		[]rules.District{{Code: "D1", Name: "Huyện\r\nBình\x1b[2J Sơn"}})
	for _, got := range []string{d.District("D1"), d.UnitName("X1"), d.Committee(rules.DistrictCommittee("D1")),
		d.Committee(rules.CommuneCommittee("X1")), d.UnitName("Y\n1"), d.District("E\r1")} {
		if strings.ContainsAny(got, "\r\n\x1b") || utf8.RuneCountInString(got) > 2*valid.MaxNameRunes {
			t.Errorf("handed out %.80q (%d characters)", got, utf8.RuneCountInString(got))
		}
	}
	if got := d.District("D1"); got != "Huyện Bình [2J Sơn" {
		t.Errorf("District = %q", got)
	}
}
