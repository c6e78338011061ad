// Package names resolves the codes of communes and districts to the names
// users read, one way for the mail, the status page and the printouts: a
// commune as "Xã Bình Châu (D03X04)", a district by its name ("—" for
// none), a committee by the configured names of the bodies.
package names

import (
	"context"
	"fmt"

	"chuyenhoa/labels"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// Directory is the code → name lookup over every unit, whatever its
// validity (a merged commune keeps its name in past findings), and every
// district.
type Directory struct {
	bodies    labels.Bodies
	units     map[string]rules.Unit
	districts map[string]rules.District
}

// New builds a directory from the units and districts as stored.
func New(b labels.Bodies, units []rules.Unit, districts []rules.District) *Directory {
	d := &Directory{bodies: b, units: make(map[string]rules.Unit, len(units)), districts: make(map[string]rules.District, len(districts))}
	for _, u := range units {
		d.units[u.Code] = u
	}
	for _, x := range districts {
		d.districts[x.Code] = x
	}
	return d
}

// Source is where Load reads the units and districts: the store.
type Source interface {
	AllUnits(context.Context) ([]store.UnitRow, error)
	Districts(context.Context) ([]rules.District, error)
}

// Load reads every unit and district from src.
func Load(ctx context.Context, src Source, b labels.Bodies) (*Directory, error) {
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
	}
	return New(b, units, ds), nil
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
		return fmt.Sprintf("%s (%s)", u.Name, code)
	}
	return code
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
	return code
}

// Committee names the committee of a district, or the province's when
// code is empty.
func (d *Directory) Committee(code string) string {
	return d.bodies.Committee(code, d.districts[code].Name)
}
