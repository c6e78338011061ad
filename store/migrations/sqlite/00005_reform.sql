-- The 2025 reform: communes merged into new ones with new codes, districts
-- abolished on 1 July 2025.
--   unit_successions  a new relation of the read contract: from
--                     effective_on on, the territory (statistics, decisions,
--                     obligations) of predecessor_code belongs to
--                     successor_code. Like the others a province may
--                     replace it by a view of the same name and columns.
--   districts         gets valid_from / valid_to (DATE NULL, open when
--                     NULL): the days a district exists, so the grouping in
--                     force on a day is what the data says. SQLite cannot
--                     alter a table only if it is one: a province that
--                     replaced districts by a view drops the view before
--                     upgrading and recreates it with the two columns.
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

ALTER TABLE districts ADD COLUMN valid_from DATE NULL;
ALTER TABLE districts ADD COLUMN valid_to DATE NULL;

ALTER TABLE relapse_state ADD COLUMN first_relapsed_on DATE NULL;

-- +goose Down
ALTER TABLE relapse_state DROP COLUMN first_relapsed_on;
ALTER TABLE districts DROP COLUMN valid_to;
ALTER TABLE districts DROP COLUMN valid_from;
DROP TABLE IF EXISTS unit_successions;
