-- A covering index for the one aggregation every recompute runs: each
-- unit's statistics over a statistical period, summed per offence
-- (store.Counts). With day first and the other columns included, the
-- window is read from the index alone (an index-only scan once the table
-- has been vacuumed), about a sixth of the pages the table scan reads;
-- see BENCHMARKS.md. Only when crime_stats is a table: a province that
-- replaced it by a view indexes its own tables.

-- +goose Up
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE c.relname = 'crime_stats' AND n.nspname = current_schema() AND c.relkind IN ('r', 'p')) THEN
        CREATE INDEX IF NOT EXISTS crime_stats_day_cover ON crime_stats (day) INCLUDE (unit_code, offence_code, count);
    END IF;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP INDEX IF EXISTS crime_stats_day_cover;
