package report

import (
	"context"

	"chuyenhoa/store"
)

// directory resolves the codes of units and districts to the names a
// reader of a document knows.
type directory struct {
	unit         map[string]string // unit code → name
	unitDistrict map[string]string // unit code → district code
	district     map[string]string // district code → name
}

func loadDirectory(ctx context.Context, s *store.Store) (*directory, error) {
	units, err := s.AllUnits(ctx)
	if err != nil {
		return nil, err
	}
	n := &directory{unit: map[string]string{}, unitDistrict: map[string]string{}, district: map[string]string{}}
	for _, u := range units {
		n.unit[u.Code], n.unitDistrict[u.Code] = u.Name, u.District
	}
	ds, err := s.Districts(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		n.district[d.Code] = d.Name
	}
	return n, nil
}

// District names a district: its name, else its code, "—" for none.
func (n *directory) District(code string) string {
	if name, ok := n.district[code]; ok {
		return name
	}
	if code == "" {
		return "—"
	}
	return code
}
