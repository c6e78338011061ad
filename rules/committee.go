package rules

import "strings"

// Level is the level of government a committee works at.
type Level int

// The levels. Since the 2025 reform there is no district level: the
// province and the commune remain.
const (
	LevelProvince Level = iota // the provincial Steering Committee 138
	LevelDistrict              // a district's Steering Committee 138
	LevelCommune               // a commune-level body (the commune police)
)

// Committee is the body that owes an obligation and is mailed about it:
// the province, a district's committee or a commune's body. It is the one
// name of a committee every package uses; its string form is what the
// store keeps (the alerts' and findings' committee, the deadline payloads)
// and what recipients.muted lists.
//
// The string form is stable: "" for the province, the district's code for
// a district (as stored before communes could owe anything, so alerts
// stored then still read), "xa:" and the unit's code for a commune. A
// district code never holds a colon (config and imports refuse one).
type Committee struct {
	Level Level
	Code  string // the district's or the unit's code; "" for the province
}

// communePrefix marks a commune committee's string form.
const communePrefix = "xa:"

// ProvinceCommittee is the provincial committee.
func ProvinceCommittee() Committee { return Committee{} }

// DistrictCommittee is the committee of district code; the province's when
// code is empty.
func DistrictCommittee(code string) Committee {
	if code == "" {
		return Committee{}
	}
	return Committee{Level: LevelDistrict, Code: code}
}

// CommuneCommittee is the commune-level body of unit code; the province's
// when code is empty.
func CommuneCommittee(code string) Committee {
	if code == "" {
		return Committee{}
	}
	return Committee{Level: LevelCommune, Code: code}
}

// CommitteeOf is the committee responsible for unit u: its district's when
// grouped and u has a district (in force on the day u was given for),
// else u's own commune-level body.
func CommitteeOf(grouped bool, u Unit) Committee {
	if grouped && u.District != "" {
		return DistrictCommittee(u.District)
	}
	return CommuneCommittee(u.Code)
}

// CommitteeFor is the committee a row naming a district and a commune
// speaks for: the district's when there is one, else the commune's (a
// proposal or a report made by a commune has no district), else the
// province's.
func CommitteeFor(district, unit string) Committee {
	if district != "" {
		return DistrictCommittee(district)
	}
	return CommuneCommittee(unit)
}

// ParseCommittee reads a committee's string form.
func ParseCommittee(s string) Committee {
	if code, ok := strings.CutPrefix(s, communePrefix); ok {
		return CommuneCommittee(code)
	}
	return DistrictCommittee(s)
}

// String is the committee's stable string form (see Committee).
func (c Committee) String() string {
	switch c.Level {
	case LevelDistrict:
		return c.Code
	case LevelCommune:
		return communePrefix + c.Code
	}
	return ""
}

// IsProvince reports whether c is the provincial committee.
func (c Committee) IsProvince() bool { return c.Level == LevelProvince }

// Slug names c in a mail header or a Message-ID: "tinh" for the province,
// the lower-case code of a district, "xa-" and the lower-case code of a
// commune.
func (c Committee) Slug() string {
	switch c.Level {
	case LevelDistrict:
		return strings.ToLower(c.Code)
	case LevelCommune:
		return "xa-" + strings.ToLower(c.Code)
	}
	return "tinh"
}

// MarshalText writes the string form, so a payload holds a committee as
// the string the store already knows.
func (c Committee) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads the string form.
func (c *Committee) UnmarshalText(b []byte) error {
	*c = ParseCommittee(string(b))
	return nil
}

// Grouped reports whether units are worked on through districts: the
// province is grouped and some unit has a district. Texts about all of
// them (headings, the averages a table quotes) follow it.
func Grouped(grouped bool, units []Unit) bool {
	if !grouped {
		return false
	}
	for _, u := range units {
		if u.District != "" {
			return true
		}
	}
	return false
}
