-- An area may be selected in several categories at once (plan 67, II.1.b):
-- the committee's decision is one selections row per category, so the key
-- of the selections table becomes (year, unit_code, category). SQLite
-- cannot change a primary key in place: the table is built anew under the
-- new key and the rows copied (the new key holds every row the old one
-- did). The embedded database holds the read contract as tables.

-- +goose Up
CREATE TABLE selections_00006 (
    year       INTEGER NOT NULL,
    unit_code  TEXT NOT NULL,
    category   INTEGER NOT NULL,
    decided_on DATE NOT NULL,
    PRIMARY KEY (year, unit_code, category)
);
INSERT INTO selections_00006 (year, unit_code, category, decided_on)
    SELECT year, unit_code, category, decided_on FROM selections;
DROP TABLE selections;
ALTER TABLE selections_00006 RENAME TO selections;

-- +goose Down
-- Fails while an area holds several categories: they cannot fit the old key.
CREATE TABLE selections_00006 (
    year       INTEGER NOT NULL,
    unit_code  TEXT NOT NULL,
    category   INTEGER NOT NULL,
    decided_on DATE NOT NULL,
    PRIMARY KEY (year, unit_code)
);
INSERT INTO selections_00006 (year, unit_code, category, decided_on)
    SELECT year, unit_code, category, decided_on FROM selections;
DROP TABLE selections;
ALTER TABLE selections_00006 RENAME TO selections;
