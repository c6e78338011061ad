-- The read contract (districts .. submissions) is what a province already
-- keeps. A province may replace these tables by views with the same names and
-- columns, so no later migration may alter them. They carry no foreign keys:
-- bad data is found and reported by the worker, not refused here.
-- Worker state (job_runs, findings, relapse_state) belongs to this service.

-- +goose Up
CREATE TABLE IF NOT EXISTS districts (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS units (
    code             TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL,
    district_code    TEXT NULL,
    ntm_certified_on DATE NULL,
    valid_from       DATE NULL,
    valid_to         DATE NULL
);

CREATE TABLE IF NOT EXISTS offence_types (
    code         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    category     INTEGER NOT NULL CHECK (category BETWEEN 1 AND 4),
    social_order BOOLEAN NOT NULL
);

CREATE TABLE IF NOT EXISTS crime_stats (
    unit_code    TEXT NOT NULL,
    day          DATE NOT NULL,
    offence_code TEXT NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (unit_code, day, offence_code)
);
CREATE INDEX IF NOT EXISTS crime_stats_day ON crime_stats (day);

CREATE TABLE IF NOT EXISTS selections (
    year       INTEGER NOT NULL,
    unit_code  TEXT NOT NULL,
    category   INTEGER NOT NULL,
    decided_on DATE NOT NULL,
    PRIMARY KEY (year, unit_code)
);

CREATE TABLE IF NOT EXISTS assessments (
    year        INTEGER NOT NULL,
    unit_code   TEXT NOT NULL,
    transformed BOOLEAN NOT NULL,
    assessed_on DATE NOT NULL,
    PRIMARY KEY (year, unit_code)
);

CREATE TABLE IF NOT EXISTS submissions (
    district_code TEXT NOT NULL,
    obligation    TEXT NOT NULL,
    period        TEXT NOT NULL,
    unit_code     TEXT NOT NULL DEFAULT '',
    submitted_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (district_code, obligation, period, unit_code)
);

CREATE TABLE job_runs (
    id          BIGSERIAL PRIMARY KEY,
    job         TEXT NOT NULL,
    period      TEXT NOT NULL,
    run_id      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
    attempts    INTEGER NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ NULL,
    error       TEXT NOT NULL DEFAULT '',
    UNIQUE (job, period)
);
CREATE INDEX job_runs_job_started ON job_runs (job, started_at);

CREATE TABLE findings (
    job           TEXT NOT NULL,
    period        TEXT NOT NULL,
    kind          TEXT NOT NULL,
    key           TEXT NOT NULL,
    district_code TEXT NOT NULL DEFAULT '',
    unit_code     TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL,
    payload       TEXT NOT NULL,
    PRIMARY KEY (job, period, kind, key)
);
CREATE INDEX findings_kind_district ON findings (kind, district_code);

CREATE TABLE relapse_state (
    unit_code     TEXT NOT NULL,
    year          INTEGER NOT NULL,
    relapsed      BOOLEAN NOT NULL,
    since         DATE NULL,
    ever_relapsed BOOLEAN NOT NULL,
    checked_on    DATE NOT NULL,
    PRIMARY KEY (unit_code, year)
);

-- +goose Down
DROP TABLE relapse_state;
DROP TABLE findings;
DROP TABLE job_runs;
DROP TABLE IF EXISTS submissions;
DROP TABLE IF EXISTS assessments;
DROP TABLE IF EXISTS selections;
DROP TABLE IF EXISTS crime_stats;
DROP TABLE IF EXISTS offence_types;
DROP TABLE IF EXISTS units;
DROP TABLE IF EXISTS districts;
