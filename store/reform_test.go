package store_test

import (
	"reflect"
	"testing"

	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// Districts keep their validity and unit_successions its rows; a relapse
// state its first relapse day (TestRelapseStates).
func TestReformRelationsRoundTrip(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ds := &store.Dataset{
			Districts: []rules.District{{Code: "D1", Name: "Huyện Một", Kind: "huyen", ValidFrom: d(2010, 1, 1), ValidTo: d(2025, 6, 30)},
				{Code: "D2", Name: "Huyện Hai", Kind: "huyen"}},
			Units: []store.UnitRow{{Unit: rules.Unit{Code: "A", Name: "Xã A", Kind: "xa", District: "D1"}, ValidTo: d(2025, 6, 30)},
				{Unit: rules.Unit{Code: "N", Name: "Đặc khu N", Kind: "dac_khu"}, ValidFrom: d(2025, 7, 1)}},
			Successions: []rules.Succession{{Predecessor: "A", Successor: "N", EffectiveOn: d(2025, 7, 1)}},
		}
		mustLoad(t, s, ds)
		got, err := s.Districts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, ds.Districts) {
			t.Errorf("districts\n%+v, want\n%+v", got, ds.Districts)
		}
		succ, err := s.Successions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(succ, ds.Successions) {
			t.Errorf("successions %+v, want %+v", succ, ds.Successions)
		}
		raw, err := s.RawSuccessions(ctx)
		if err != nil || len(raw) != 1 || raw[0].Row != ds.Successions[0] || len(raw[0].Bad) != 0 {
			t.Errorf("raw successions %+v, %v", raw, err)
		}
		for _, bad := range []store.Dataset{
			{Successions: []rules.Succession{{Predecessor: "A", Successor: "A", EffectiveOn: d(2025, 7, 1)}}},
			{Successions: []rules.Succession{{Predecessor: "A", Successor: "N"}}},
			{Districts: []rules.District{{Code: "D3", Name: "Huyện Ba", Kind: "huyen", ValidFrom: d(2025, 7, 1), ValidTo: d(2025, 6, 30)}}},
		} {
			if err := s.Load(ctx, &bad); err == nil {
				t.Errorf("%+v loaded", bad)
			}
		}
	})
}

// Migration 00005 down and up again keeps the contract's rows; the
// validity columns come back empty.
func TestReformMigrationDownAndUp(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		mustLoad(t, s, &store.Dataset{Districts: []rules.District{{Code: "D1", Name: "Huyện Một", Kind: "huyen", ValidTo: d(2025, 6, 30)}}})
		if err := store.MigrateTo(ctx, s, 4); err != nil {
			t.Fatalf("down to 4: %v", err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("up again: %v", err)
		}
		got, err := s.Districts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Code != "D1" || !got[0].ValidTo.IsZero() {
			t.Errorf("districts after down and up: %+v", got)
		}
	})
}

// A PostgreSQL province that replaced districts by a view before the
// reform upgrades without losing it: the migration alters only a table,
// and the view without validity columns reads as districts valid always.
func TestReformMigrationKeepsADistrictsView(t *testing.T) {
	s := storetest.Open(t, storetest.PostgresURL(t), false)
	if err := store.MigrateTo(ctx, s, 4); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE qlhc_huyen (ma TEXT, ten TEXT, loai TEXT)`,
		`INSERT INTO qlhc_huyen VALUES ('D1', 'Huyện Một', 'huyen')`,
		`DROP TABLE districts`,
		`CREATE VIEW districts AS SELECT ma AS code, ten AS name, loai AS kind FROM qlhc_huyen`,
	} {
		if _, err := s.DB().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate over the view: %v", err)
	}
	var kind string
	if err := s.DB().GetContext(ctx, &kind, `SELECT relkind::text FROM pg_class WHERE oid = to_regclass('districts')`); err != nil || kind != "v" {
		t.Fatalf("districts is %q (%v), want still the view", kind, err)
	}
	got, err := s.Districts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Code != "D1" || !got[0].ValidFrom.IsZero() || !got[0].ValidTo.IsZero() {
		t.Errorf("districts over the view: %+v", got)
	}
	raw, err := s.RawDistricts(ctx)
	if err != nil || len(raw) != 1 || len(raw[0].Bad) != 0 {
		t.Errorf("raw districts over the view: %+v, %v", raw, err)
	}
}
