package csvsafe

import (
	"strings"
	"testing"
)

func TestCell(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"},
		{"+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"Xã Bình Châu", "Xã Bình Châu"},
		{"a=b", "a=b"},
		{"", ""},
		{"-3", "-3"},
		{"+1.5", "+1.5"},
		{"-12.5", "-12.5"},
		{"42", "42"},
		{"-", "'-"},
		{"-Inf", "'-Inf"},
		{"-0x1p3", "'-0x1p3"},
	} {
		if got := Cell(c.in); got != c.want {
			t.Errorf("Cell(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestWriter(t *testing.T) {
	var b strings.Builder
	w := NewWriter(&b)
	if err := w.WriteAll([][]string{{"name", "count"}, {"=cmd|' /C calc'!A0", "-3"}}); err != nil {
		t.Fatal(err)
	}
	if want := "name,count\n'=cmd|' /C calc'!A0,-3\n"; b.String() != want {
		t.Errorf("wrote %q, want %q", b.String(), want)
	}
}
