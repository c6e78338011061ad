package labels

import (
	"strings"

	"chuyenhoa/rules"
)

// Bodies names the bodies the service writes to and about. Every text that
// names a body takes the name from here. Since the 2025 reform the province
// decides how its committees are organised, so these come from the
// configuration (its bodies section, whose keys are the yaml tags);
// DefaultBodies are the names under plan 67.
//
// Texts follow the mode: where the units they speak of have a district in
// force they name the district committees and quote district averages;
// where they have none, they name the communes' bodies and quote the
// province's average alone (the methods taking grouped).
type Bodies struct {
	// Province is the provincial Steering Committee 138, to which the
	// committees below it report.
	Province string `yaml:"province"`
	// District names a district's committee: a template in which {name}
	// stands for the district's name, "Ban Chỉ đạo 138 {name}".
	District string `yaml:"district"`
	// Districts names the district committees together, as a level.
	Districts string `yaml:"districts"`
	// Level is the level of the districts in a comparison such as "BQ
	// huyện", the average of a commune of the district.
	Level string `yaml:"district_level"`
	// Commune names a commune's body, which owes the obligations where
	// there is no district: a template in which {name} stands for the
	// commune's name, "Công an {name}".
	Commune string `yaml:"commune"`
	// Communes names the communes' bodies together, as a level.
	Communes string `yaml:"communes"`

	// Shorter names some texts give the same bodies today. They stand
	// here so that every name of a body is in one place and those texts
	// read as they did; unifying them with Province and Districts changes
	// what users read, which is for a change of its own.
	ProvinceShort  string `yaml:"province_short"`  // in the escalated deadline state
	DistrictsShort string `yaml:"districts_short"` // in the early-warning texts
}

// NamePlaceholder stands for the district's or the commune's name in the
// District and Commune templates.
const NamePlaceholder = "{name}"

// DefaultBodies are the names of the bodies under plan 67 of Quảng Ngãi;
// since the reform the commune police do the districts' work.
func DefaultBodies() Bodies {
	return Bodies{
		Province:       "Ban Chỉ đạo 138 tỉnh",
		District:       "Ban Chỉ đạo 138 " + NamePlaceholder,
		Districts:      "Ban Chỉ đạo 138 cấp huyện",
		Level:          "huyện",
		Commune:        "Công an " + NamePlaceholder,
		Communes:       "Công an cấp xã",
		ProvinceShort:  "Ban Chỉ đạo tỉnh",
		DistrictsShort: "Ban Chỉ đạo cấp huyện",
	}
}

// Committee names committee c; name is its district's or commune's name
// (its code when it has none).
func (b Bodies) Committee(c rules.Committee, name string) string {
	if name == "" {
		name = c.Code
	}
	switch c.Level {
	case rules.LevelDistrict:
		return fill(b.District, name)
	case rules.LevelCommune:
		return fill(b.Commune, name)
	}
	return b.Province
}

// unitKinds are the words a unit's name starts with, capitalised at the
// head of a name ("Xã Bình Châu") and written small inside a phrase
// ("Công an xã Bình Châu"), as Vietnamese writes them.
var unitKinds = []string{"Xã ", "Phường ", "Thị trấn ", "Đặc khu ", "Huyện ", "Quận ", "Thị xã ", "Thành phố "}

// fill puts name into a template in place of NamePlaceholder, the kind
// word of the name small unless the name opens the template.
func fill(template, name string) string {
	if !strings.HasPrefix(template, NamePlaceholder) {
		for _, k := range unitKinds {
			if strings.HasPrefix(name, k) {
				name = lowerFirst(k) + name[len(k):]
				break
			}
		}
	}
	return strings.Replace(template, NamePlaceholder, name, 1)
}

// Locals names the committees below the province as a level: the district
// committees where there are districts, else the communes' bodies.
func (b Bodies) Locals(grouped bool) string {
	if grouped {
		return b.Districts
	}
	return b.Communes
}

// LocalsShort is Locals as the early-warning texts name it.
func (b Bodies) LocalsShort(grouped bool) string {
	if grouped {
		return b.DistrictsShort
	}
	return b.Communes
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
