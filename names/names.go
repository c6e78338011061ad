// Package names resolves the codes of communes and districts to the names
// users read, one way for the mail, the status page and the printouts: a
// commune as "Xã Bình Châu (D03X04)", a district by its name ("—" for
// none), a committee by the configured names of the bodies. It also says
// whether the province works through districts on a day, the mode the
// texts about the whole province follow.
package names

import (
	"context"
	"fmt"
	"time"

	"chuyenhoa/labels"
	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/valid"
)

// Directory is the code → name lookup over every unit, whatever its
// validity (a merged commune keeps its name in past findings), and every
// district.
type Directory struct {
	bodies    labels.Bodies
	units     map[string]rules.Unit
	valid     map[string]validity // by unit code; a unit missing is always valid
	districts map[string]rules.District
}

type validity struct{ from, to time.Time }

// New builds a directory from the units and districts as stored, every
// unit valid on every day. Every name it hands out is valid.Clean'ed, as
// are the codes it shows: a name in the shared database carries no
// constraint, and one line break or a name of megabytes in a subject
// would make every mail naming it undeliverable.
func New(b labels.Bodies, units []rules.Unit, districts []rules.District) *Directory {
	d := &Directory{bodies: b, units: make(map[string]rules.Unit, len(units)), valid: map[string]validity{},
		districts: make(map[string]rules.District, len(districts))}
	for _, u := range units {
		u.Name = valid.Clean(u.Name)
		d.units[u.Code] = u
	}
	for _, x := range districts {
		x.Name = valid.Clean(x.Name)
		d.districts[x.Code] = x
	}
	return d
}

// Source is where Load reads the units and districts: the store.
type Source interface {
	AllUnits(context.Context) ([]store.UnitRow, error)
	Districts(context.Context) ([]rules.District, error)
}

// Load reads every unit and district from src. grouped false is the
// configuration's word that there is no district level whatever the data
// says: the units are then read without their districts.
func Load(ctx context.Context, src Source, b labels.Bodies, grouped bool) (*Directory, error) {
	rows, err := src.AllUnits(ctx)
	if err != nil {
		return nil, fmt.Errorf("load units: %w", err)
	}
	ds, err := src.Districts(ctx)
	if err != nil {
		return nil, fmt.Errorf("load districts: %w", err)
	}
	units := make([]rules.Unit, len(rows))
	for i, r := range rows {
		units[i] = r.Unit
		if !grouped {
			units[i].District = ""
		}
	}
	d := New(b, units, ds)
	for _, r := range rows {
		d.valid[r.Code] = validity{r.ValidFrom, r.ValidTo}
	}
	return d, nil
}

// Grouped reports whether the province works through districts on day
// on: some commune valid then belongs to a district. Texts about the whole
// province (headings, the provincial digest) follow it.
func (d *Directory) Grouped(on time.Time) bool {
	var units []rules.Unit
	for code, u := range d.units {
		if v := d.valid[code]; (v.from.IsZero() || !v.from.After(on)) && (v.to.IsZero() || !v.to.Before(on)) {
			units = append(units, u)
		}
	}
	return rules.Grouped(true, units)
}

// Bodies are the names of the bodies the directory names committees with.
func (d *Directory) Bodies() labels.Bodies { return d.bodies }

// Unit is the unit with this code; ok is false (and the unit zero) when
// there is none.
func (d *Directory) Unit(code string) (u rules.Unit, ok bool) {
	u, ok = d.units[code]
	return u, ok
}

// UnitName names a unit with its code, "Xã Bình Châu (D03X04)"; an unknown
// code stands for itself.
func (d *Directory) UnitName(code string) string {
	if u, ok := d.units[code]; ok {
		return fmt.Sprintf("%s (%s)", u.Name, valid.Clean(code))
	}
	return valid.Clean(code)
}

// District names a district: its name, its code when unknown, labels.None
// for none.
func (d *Directory) District(code string) string {
	if code == "" {
		return labels.None
	}
	if x, ok := d.districts[code]; ok {
		return x.Name
	}
	return valid.Clean(code)
}

// Committee names committee c: "Ban Chỉ đạo 138 huyện Bình Sơn", "Công an
// Xã Bình Châu", "Ban Chỉ đạo 138 tỉnh".
func (d *Directory) Committee(c rules.Committee) string {
	switch c.Level {
	case rules.LevelDistrict:
		return d.bodies.Committee(c, d.districts[c.Code].Name)
	case rules.LevelCommune:
		return d.bodies.Committee(c, d.units[c.Code].Name)
	}
	return d.bodies.Province
}

// Owner names committee c in a table column that says it is a committee:
// a district by its name (as District does), a commune's body and the
// province by their committees' names.
func (d *Directory) Owner(c rules.Committee) string {
	if c.Level == rules.LevelDistrict {
		return d.District(c.Code)
	}
	return d.Committee(c)
}

// CommitteeOf is the committee responsible for the unit code: its
// district's, or its own body when it has no district (or is unknown).
func (d *Directory) CommitteeOf(code string) rules.Committee {
	if u, ok := d.units[code]; ok {
		return rules.CommitteeOf(true, u)
	}
	return rules.CommuneCommittee(code)
}
