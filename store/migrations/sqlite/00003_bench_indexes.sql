-- A covering index for the one aggregation every recompute runs: each
-- unit's statistics over a statistical period, summed per offence
-- (store.Counts). In (unit, offence, day) order SQLite reads each unit's
-- and offence's days of the window as one range (a skip-scan over the
-- first two columns) and gets the groups already in order, with no
-- sorting and no lookup into the table: about five times faster than the
-- primary key or the day index at national size; see BENCHMARKS.md.
-- store.Counts names it (INDEXED BY), because with ANALYZE statistics the
-- planner prefers the primary key's skip-scan, which must visit the table
-- for every row.

-- +goose Up
CREATE INDEX IF NOT EXISTS crime_stats_unit_offence_day ON crime_stats (unit_code, offence_code, day, count);

-- +goose Down
DROP INDEX IF EXISTS crime_stats_unit_offence_day;
