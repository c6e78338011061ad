package names

import (
	"testing"

	"chuyenhoa/labels"
	"chuyenhoa/rules"
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
		{d.Committee("D03"), "Ban Chỉ đạo 138 Huyện Bình Sơn"},
		{d.Committee("D07"), "Ban Chỉ đạo 138 D07"},
		{d.Committee("D09"), "Ban Chỉ đạo 138 D09"},
		{d.Committee(""), "Ban Chỉ đạo 138 tỉnh"},
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
}
