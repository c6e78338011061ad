package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/jobs"
	"chuyenhoa/labels"
	"chuyenhoa/names"
	"chuyenhoa/period"
	"chuyenhoa/rules"
)

// The printed relapse check lists every category of an area, each with its
// count and averages, and the category it is complex again in; an area of
// one category prints as before.
func TestPrintRelapseTwoCategories(t *testing.T) {
	win := period.Range{From: period.Date(2025, 2, 15), To: period.Date(2026, 2, 14)}
	two := finding.RelapseItem{RelapseResult: rules.RelapseResult{
		Area:    rules.Area{Unit: "A", Year: 2024, Category: rules.Cat1, Categories: []rules.Category{rules.Cat1, rules.Cat3}},
		Checked: true, Relapsed: true, ByCategory: true, Counts: rules.Counts{SocialOrder: 2, ByCategory: [5]int{0, 2, 0, 5, 0}},
		ProvinceAvg: 16.0 / 6, DistrictAvg: 2.5,
		CategoryChecks: []rules.CategoryCheck{{Category: rules.Cat1, Count: 2, ProvinceAvg: 14.0 / 6, DistrictAvg: 2.5},
			{Category: rules.Cat3, Count: 5, ProvinceAvg: 8.0 / 6, DistrictAvg: 1.5, Complex: true}}},
		Changed: true, Since: win.To, Window: win}
	one := finding.RelapseItem{RelapseResult: rules.RelapseResult{
		Area:    rules.Area{Unit: "B", Year: 2025, Category: rules.Cat4, Categories: []rules.Category{rules.Cat4}},
		Checked: true, Relapsed: true, ByGate: true, ByCategory: true, Counts: rules.Counts{SocialOrder: 9, ByCategory: [5]int{0, 0, 0, 0, 3}},
		ProvinceAvg: 2.5, DistrictAvg: 3.25,
		CategoryChecks: []rules.CategoryCheck{{Category: rules.Cat4, Count: 3, ProvinceAvg: 4.0 / 6, DistrictAvg: 1.5, Complex: true}}},
		Since: win.To, Window: win}
	var b strings.Builder
	p := newPrinter(&b, config.Default(), names.New(labels.DefaultBodies(), nil, nil))
	p.relapse(&jobs.RelapseReport{On: win.To, Window: win, Grouped: true, Areas: []finding.RelapseItem{two, one}})
	cells := map[string][]string{}
	for _, line := range strings.Split(b.String(), "\n") {
		f := regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(line), -1)
		cells[f[0]] = f
	}
	for code, want := range map[string][]string{
		"A": {"A", "2024", "1, 3", "PHỨC TẠP TRỞ LẠI (phức tạp loại 3)", "14/02/2026", "2", "2,7", "2,5", "2, 5", "2,3 / 2,5; 1,3 / 1,5", "mới"},
		"B": {"B", "2025", "4", "PHỨC TẠP TRỞ LẠI (vượt bình quân, phức tạp loại 4)", "14/02/2026", "9", "2,5", "3,2", "3", "0,7 / 1,5"},
	} {
		if !slices.Equal(cells[code], want) {
			t.Errorf("row %s\n got %q\nwant %q", code, cells[code], want)
		}
	}
}
