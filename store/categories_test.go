package store_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"chuyenhoa/rules"
	"chuyenhoa/store"
	"chuyenhoa/store/storetest"
)

// Migration 00006 moves the key of our own selections table to (year,
// unit_code, category): the rows stored under the old key stay, and an
// area then takes a second category.
func TestMigrateSelectionsKey(t *testing.T) {
	for name, url := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite:" + t.TempDir() + "/old.db" },
		"postgres": storetest.PostgresURL,
	} {
		t.Run(name, func(t *testing.T) {
			s := storetest.Open(t, url(t), false)
			if err := store.MigrateTo(context.Background(), s, 4); err != nil {
				t.Fatal(err)
			}
			exec(t, s, `INSERT INTO selections (year, unit_code, category, decided_on) VALUES (2025, 'U1', 1, '2025-02-28'), (2026, 'U2', 4, '2026-03-02')`)
			// The old key refuses a second category.
			if _, err := s.DB().ExecContext(ctx, `INSERT INTO selections (year, unit_code, category, decided_on) VALUES (2026, 'U2', 1, '2026-03-02')`); err == nil {
				t.Fatal("the old key took a second category of one area")
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			exec(t, s, `INSERT INTO selections (year, unit_code, category, decided_on) VALUES (2026, 'U2', 1, '2026-04-10')`)
			// The same area and category twice is still one key.
			if _, err := s.DB().ExecContext(ctx, `INSERT INTO selections (year, unit_code, category, decided_on) VALUES (2026, 'U2', 4, '2026-05-01')`); err == nil {
				t.Fatal("the new key took the same category twice")
			}
			got, err := s.Selections(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := []rules.Selection{
				{Year: 2025, Unit: "U1", Category: rules.Cat1, DecidedOn: d(2025, 2, 28)},
				{Year: 2026, Unit: "U2", Category: rules.Cat4, DecidedOn: d(2026, 3, 2)},
				{Year: 2026, Unit: "U2", Category: rules.Cat1, DecidedOn: d(2026, 4, 10)},
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("selections after the migration\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// A province that mapped selections to a view keeps it through 00006 on
// PostgreSQL, and so does a table of its own under another key.
func TestMigrateSelectionsLeavesAViewAlone(t *testing.T) {
	for _, c := range []struct {
		name, sql, kind string
	}{
		{"view", `ALTER TABLE selections RENAME TO quyet_dinh; CREATE VIEW selections AS SELECT year, unit_code, category, decided_on FROM quyet_dinh`, "v"},
		{"table under another key", `DROP TABLE selections; CREATE TABLE selections (year INTEGER NOT NULL, unit_code TEXT NOT NULL, category INTEGER NOT NULL, decided_on DATE NOT NULL, PRIMARY KEY (unit_code, decided_on))`, "r"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := storetest.Open(t, storetest.PostgresURL(t), false)
			if err := store.MigrateTo(context.Background(), s, 4); err != nil {
				t.Fatal(err)
			}
			exec(t, s, strings.Split(c.sql, "; ")...)
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			var kind, key string
			if err := s.DB().QueryRowContext(ctx, `SELECT relkind::text FROM pg_class WHERE oid = to_regclass('selections')`).Scan(&kind); err != nil {
				t.Fatal(err)
			}
			err := s.DB().QueryRowContext(ctx, `SELECT COALESCE(string_agg(a.attname, ',' ORDER BY a.attnum), '') FROM pg_constraint con
				JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = ANY (con.conkey)
				WHERE con.conrelid = to_regclass('selections') AND con.contype = 'p'`).Scan(&key)
			if err != nil {
				t.Fatal(err)
			}
			wantKey := map[string]string{"v": "", "r": "unit_code,decided_on"}[c.kind]
			if kind != c.kind || key != wantKey {
				t.Errorf("selections after the migration: relkind %s key %q, want %s key %q", kind, key, c.kind, wantKey)
			}
		})
	}
}

func exec(t *testing.T, s *store.Store, queries ...string) {
	t.Helper()
	for _, q := range queries {
		if _, err := s.DB().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// A dataset may hold one selections row per category of an area; the same
// area and category twice is a duplicate key, and loading again updates
// the row of that category in place.
func TestLoadSelectionsPerCategory(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ds := fixture()
		ds.Selections = append(ds.Selections, rules.Selection{Year: 2026, Unit: "U2", Category: rules.Cat1, DecidedOn: d(2026, 4, 10)})
		mustLoad(t, s, ds)
		again := &store.Dataset{Selections: []rules.Selection{{Year: 2026, Unit: "U2", Category: rules.Cat1, DecidedOn: d(2026, 4, 11)}}}
		mustLoad(t, s, again)
		got, err := s.Selections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var u2 []rules.Selection
		for _, x := range got {
			if x.Year == 2026 && x.Unit == "U2" {
				u2 = append(u2, x)
			}
		}
		want := []rules.Selection{
			{Year: 2026, Unit: "U2", Category: rules.Cat4, DecidedOn: d(2026, 3, 2)},
			{Year: 2026, Unit: "U2", Category: rules.Cat1, DecidedOn: d(2026, 4, 11)},
		}
		if !reflect.DeepEqual(u2, want) {
			t.Errorf("2026 U2\n got %+v\nwant %+v", u2, want)
		}

		dup := &store.Dataset{Selections: []rules.Selection{
			{Year: 2027, Unit: "U1", Category: rules.Cat3, DecidedOn: d(2027, 3, 1)},
			{Year: 2027, Unit: "U1", Category: rules.Cat3, DecidedOn: d(2027, 3, 2)},
		}}
		if err := s.Load(ctx, dup); err == nil || !strings.Contains(err.Error(), "Selections[1] (2027, U1, 3): same key as Selections[0]") {
			t.Errorf("same area and category twice: %v", err)
		}
	})
}

// Migration 00008 adds the decision's number and signer to our selections
// table; a row stored before reads without them, and Load writes them.
func TestSelectionsDecisionNumber(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ds := &store.Dataset{
			Units: []store.UnitRow{{Unit: rules.Unit{Code: "U1", Name: "Xã Một", Kind: "xa"}}, {Unit: rules.Unit{Code: "U2", Name: "Xã Hai", Kind: "xa"}}},
			Selections: []rules.Selection{
				{Year: 2026, Unit: "U1", Category: rules.Cat1, DecidedOn: d(2026, 3, 2), Number: "12/QĐ-BCĐ", Signer: "Nguyễn Văn A"},
				{Year: 2026, Unit: "U2", Category: rules.Cat4, DecidedOn: d(2026, 3, 2)},
			},
		}
		if err := s.Load(ctx, ds); err != nil {
			t.Fatal(err)
		}
		got, err := s.Selections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := s.RawSelections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0] != ds.Selections[0] || got[1] != ds.Selections[1] || len(raw) != 2 || raw[0].Row != ds.Selections[0] || raw[1].Row != ds.Selections[1] {
			t.Errorf("selections read back\n got %+v\n raw %+v\nwant %+v", got, raw, ds.Selections)
		}
		// A row without number and signer reads as it did before 00008.
		if want := `year=2026, unit_code="U2", category=4, decided_on=2026-03-02`; raw[1].Text() != want {
			t.Errorf("raw text %q, want %q", raw[1].Text(), want)
		}
		// Down to 00006 the columns are gone and the selections read
		// without them; up again they are back, empty.
		if err := store.MigrateTo(ctx, s, 6); err != nil {
			t.Fatalf("down to 6: %v", err)
		}
		if got, err = s.Selections(ctx); err != nil || len(got) != 2 || got[0].Number != "" || got[0].Unit != "U1" {
			t.Errorf("selections at 00006: %+v, %v", got, err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("up again: %v", err)
		}
		if got, err = s.Selections(ctx); err != nil || len(got) != 2 || got[0].Number != "" {
			t.Errorf("selections up again: %+v, %v", got, err)
		}
	})
}
