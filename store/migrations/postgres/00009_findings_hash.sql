-- Each finding keeps the SHA-256 of its payload, so that a rerun of a
-- period compares what it computed with what is stored by reading 32
-- bytes a row instead of the payloads (7 MB for a national year's
-- candidates). Rows stored before have none: they compare as changed and
-- are written again, with it, at their period's next run.

-- +goose Up
ALTER TABLE findings ADD COLUMN payload_sha256 BYTEA NULL;

-- +goose Down
ALTER TABLE findings DROP COLUMN payload_sha256;
