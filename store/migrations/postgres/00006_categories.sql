-- An area may be selected in several categories at once (plan 67, II.1.b):
-- the committee's decision is one selections row per category, so the key
-- of our own selections table becomes (year, unit_code, category). The
-- read contract stays as it was for a province that mapped selections to a
-- view (or keeps its own table under another key): only a table whose
-- primary key is exactly (year, unit_code), the one 00001 created, is
-- changed. The new key holds every row the old one did.

-- +goose Up
-- +goose StatementBegin
DO $$
DECLARE
    pk name;
BEGIN
    SELECT con.conname INTO pk
    FROM pg_class c
    JOIN pg_constraint con ON con.conrelid = c.oid AND con.contype = 'p'
    WHERE c.oid = to_regclass('selections') AND c.relkind = 'r'
      AND (SELECT array_agg(a.attname::text ORDER BY a.attname)
           FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum = ANY (con.conkey)) = ARRAY['unit_code', 'year'];
    IF pk IS NOT NULL THEN
        EXECUTE format('ALTER TABLE selections DROP CONSTRAINT %I, ADD PRIMARY KEY (year, unit_code, category)', pk);
    END IF;
END $$;
-- +goose StatementEnd

-- +goose Down
-- Fails while an area holds several categories: they cannot fit the old key.
-- +goose StatementBegin
DO $$
DECLARE
    pk name;
BEGIN
    SELECT con.conname INTO pk
    FROM pg_class c
    JOIN pg_constraint con ON con.conrelid = c.oid AND con.contype = 'p'
    WHERE c.oid = to_regclass('selections') AND c.relkind = 'r'
      AND (SELECT array_agg(a.attname::text ORDER BY a.attname)
           FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum = ANY (con.conkey)) = ARRAY['category', 'unit_code', 'year'];
    IF pk IS NOT NULL THEN
        EXECUTE format('ALTER TABLE selections DROP CONSTRAINT %I, ADD PRIMARY KEY (year, unit_code)', pk);
    END IF;
END $$;
-- +goose StatementEnd
