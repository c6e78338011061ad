package labels

import (
	"strings"

	"chuyenhoa/rules"
)

// Bodies names the bodies the service writes to and about, and the level of
// the committees below the province. Every text that names a body takes the
// name from here. Today's names are DefaultBodies; since the 2025 reform the
// province decides how its committees are organised, so these are meant to
// come from its configuration.
type Bodies struct {
	// Province is the provincial Steering Committee 138, to which the
	// district committees report.
	Province string
	// Local comes before a district's name to name its committee:
	// Local + " " + "Huyện Bình Sơn".
	Local string
	// Locals names the district committees together, as a level.
	Locals string
	// Level is the level of the districts in a comparison such as "BQ
	// huyện", the average of a commune of the district.
	Level string

	// Shorter names some texts give the same bodies today. They stand
	// here so that every name of a body is in one place and those texts
	// read as they did; unifying them with Province and Locals changes
	// what users read, which is for a change of its own.
	ProvinceShort string // in the escalated deadline state
	LocalsShort   string // in the early-warning texts
}

// DefaultBodies are the names of the bodies under plan 67 of Quảng Ngãi.
func DefaultBodies() Bodies {
	return Bodies{
		Province:      "Ban Chỉ đạo 138 tỉnh",
		Local:         "Ban Chỉ đạo 138",
		Locals:        "Ban Chỉ đạo 138 cấp huyện",
		Level:         "huyện",
		ProvinceShort: "Ban Chỉ đạo tỉnh",
		LocalsShort:   "Ban Chỉ đạo cấp huyện",
	}
}

// Committee names a district's committee, or the province's when code is
// empty; name is the district's name (its code when it has none).
func (b Bodies) Committee(code, name string) string {
	if code == "" {
		return b.Province
	}
	if name == "" {
		name = code
	}
	return b.Local + " " + name
}

// LevelAvg is the heading of the district average, "BQ huyện".
func (b Bodies) LevelAvg() string { return "BQ " + b.Level }

// LevelTitle is the level as a column heading, "Huyện".
func (b Bodies) LevelTitle() string { return upperFirst(b.Level) }

// Deadline says where an obligation stands; an escalated one names the
// committee it went to.
func (b Bodies) Deadline(s rules.DeadlineState) string {
	if s == rules.DeadlineEscalated {
		return "Quá hạn, báo cáo " + b.ProvinceShort
	}
	return lookup(deadlines, s)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToLower(string(r[0])) + string(r[1:])
}
