-- The 2025 reform: communes merged into new ones with new codes, districts
-- abolished on 1 July 2025.
--   unit_successions  a new relation of the read contract: from
--                     effective_on on, the territory (statistics, decisions,
--                     obligations) of predecessor_code belongs to
--                     successor_code. Like the others a province may
--                     replace it by a view of the same name and columns.
--   districts         gets valid_from / valid_to (DATE NULL, open when
--                     NULL): the days a district exists, so the grouping in
--                     force on a day is what the data says. Only a table
--                     is altered; a province that replaced districts by a
--                     view adds the two columns to its view (the worker
--                     reads a view without them as districts valid always).
--   relapse_state     (our own) gets first_relapsed_on: the check that
--                     first found the area relapsed, so a report for a past
--                     day counts only the relapses found by then.

-- +goose Up
CREATE TABLE IF NOT EXISTS unit_successions (
    predecessor_code TEXT NOT NULL,
    successor_code   TEXT NOT NULL,
    effective_on     DATE NOT NULL,
    PRIMARY KEY (predecessor_code, successor_code)
);

-- +goose StatementBegin
DO $$
BEGIN
    IF (SELECT relkind FROM pg_class WHERE oid = to_regclass('districts')) IN ('r', 'p') THEN
        ALTER TABLE districts ADD COLUMN IF NOT EXISTS valid_from DATE NULL;
        ALTER TABLE districts ADD COLUMN IF NOT EXISTS valid_to DATE NULL;
    END IF;
END
$$;
-- +goose StatementEnd

ALTER TABLE relapse_state ADD COLUMN first_relapsed_on DATE NULL;

-- +goose Down
ALTER TABLE relapse_state DROP COLUMN first_relapsed_on;

-- +goose StatementBegin
DO $$
BEGIN
    IF (SELECT relkind FROM pg_class WHERE oid = to_regclass('districts')) IN ('r', 'p') THEN
        ALTER TABLE districts DROP COLUMN IF EXISTS valid_to;
        ALTER TABLE districts DROP COLUMN IF EXISTS valid_from;
    END IF;
END
$$;
-- +goose StatementEnd

DROP TABLE IF EXISTS unit_successions;
