-- Indexes for the recompute's aggregation (store.Counts), measured at
-- national size (see BENCHMARKS.md). PostgreSQL needs none: the day index
-- of 00001 gives a bitmap scan of the window's pages, and a covering index
-- (day) INCLUDE (unit_code, offence_code, count) was measured no faster
-- with the table in memory (index-only scan 650-790 ms against 630-714 ms
-- for one year of 8.7 million rows) while costing 414 MB, nearly the
-- table's size, and every import's time. SQLite does need one (its
-- 00003). This migration keeps the two schemas at the same version.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
