package storetest

import (
	"time"

	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// ReformCapPercent is the cap ReformProvince's numbers are worked with.
const ReformCapPercent = 34

// ReformProvince is a province through the reform of 1 July 2025, for
// tests with hand-worked numbers: one social-order offence of category 1,
// cap ReformCapPercent (so that the cap differs before and after the
// merger).
//
// Until 30/06/2025: districts D1 (A1, A2, A3) and D2 (B1, B2, B3). From
// 01/07/2025 no district, the communes X (A1+A2), Y (A3+B1), Z (B2+B3).
//
// Statistics of the 2024 statistical year (15/12/2023–14/12/2024), the
// reference of the 2025 selection, on 01/06/2024:
//
//	D1: A1 2, A2 8, A3 2 → 12/3 = 4.0;  D2: B1 6, B2 0, B3 0 → 6/3 = 2.0
//	province 18/6 = 3.0; cap floor(6 × 34%) = floor(2.04) = 2
//	A2 (8 > 3, 8 > 4; severity 8/4 = 2) and B1 (6 > 3, 6 > 2; 6/3 = 2)
//	proposed, A2 first on its higher count.
//
// Statistics of the 2025 statistical year (15/12/2024–14/12/2025), the
// reference of the 2026 selection and the relapse window of 14/12/2025:
//
//	before the merger (01/03/2025): A1 9, A2 3, A3 0, B1 1, B2 2, B3 1 (16)
//	after (01/09/2025):             X 1, Y 4, Z 1                   (6)
//	attributed: X 9+3+1 = 13, Y 0+1+4 = 5, Z 2+1+1 = 4; 22/3 ≈ 7.33
//	new codes only: X 1, Y 4, Z 1; 6/3 = 2.0
//
// Decisions: 2023 A1 and B2 selected (01/03/2023), both transformed on
// 15/01/2024; 2025 A2 and B1 selected (01/03/2025), verdicts "not
// transformed" on 20/01/2026, A2's recorded on the new code X, B1's on the
// old code; 2026 X selected on 10/02/2026.
func ReformProvince() *store.Dataset {
	date := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	june, july := date(2025, 6, 30), date(2025, 7, 1)
	old := func(code, dist string) store.UnitRow {
		return store.UnitRow{Unit: rules.Unit{Code: code, Name: "Xã " + code, Kind: "xa", District: dist}, ValidTo: june}
	}
	nu := func(code string) store.UnitRow {
		return store.UnitRow{Unit: rules.Unit{Code: code, Name: "Xã " + code, Kind: "xa"}, ValidFrom: july}
	}
	stat := func(unit string, day time.Time, n int) store.Stat {
		return store.Stat{Unit: unit, Day: day, Offence: "TT", Count: n}
	}
	y24, pre, post := date(2024, 6, 1), date(2025, 3, 1), date(2025, 9, 1)
	sel := func(year int, unit string, on time.Time) rules.Selection {
		return rules.Selection{Year: year, Unit: unit, Category: rules.Cat1, DecidedOn: on}
	}
	verdict := func(year int, unit string, ok bool, on time.Time) rules.Assessment {
		return rules.Assessment{Year: year, Unit: unit, Transformed: ok, AssessedOn: on}
	}
	var succ []rules.Succession
	for _, p := range [][2]string{{"A1", "X"}, {"A2", "X"}, {"A3", "Y"}, {"B1", "Y"}, {"B2", "Z"}, {"B3", "Z"}} {
		succ = append(succ, rules.Succession{Predecessor: p[0], Successor: p[1], EffectiveOn: july})
	}
	return &store.Dataset{
		Districts: []rules.District{{Code: "D1", Name: "Huyện Một", Kind: "huyen", ValidTo: june}, {Code: "D2", Name: "Huyện Hai", Kind: "huyen", ValidTo: june}},
		Units: []store.UnitRow{old("A1", "D1"), old("A2", "D1"), old("A3", "D1"), old("B1", "D2"), old("B2", "D2"), old("B3", "D2"),
			nu("X"), nu("Y"), nu("Z")},
		Offences: []store.Offence{{Code: "TT", Name: "Trộm cắp tài sản", Category: rules.Cat1, SocialOrder: true}},
		Stats: []store.Stat{
			stat("A1", y24, 2), stat("A2", y24, 8), stat("A3", y24, 2), stat("B1", y24, 6),
			stat("A1", pre, 9), stat("A2", pre, 3), stat("B1", pre, 1), stat("B2", pre, 2), stat("B3", pre, 1),
			stat("X", post, 1), stat("Y", post, 4), stat("Z", post, 1),
		},
		Selections: []rules.Selection{sel(2023, "A1", date(2023, 3, 1)), sel(2023, "B2", date(2023, 3, 1)),
			sel(2025, "A2", date(2025, 3, 1)), sel(2025, "B1", date(2025, 3, 1)), sel(2026, "X", date(2026, 2, 10))},
		Assessments: []rules.Assessment{verdict(2023, "A1", true, date(2024, 1, 15)), verdict(2023, "B2", true, date(2024, 1, 15)),
			verdict(2025, "X", false, date(2026, 1, 20)), verdict(2025, "B1", false, date(2026, 1, 20))},
		Successions: succ,
	}
}
