-- PostgreSQL's 00010 indexes the unusable rows of crime_stats for its
-- aggregation; SQLite tells them apart in its own sum (store.
-- countsFiltered). This migration keeps the two schemas at the same
-- version.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
