-- The yearly cycle adds two relations to the read contract (like the first
-- seven, a province may replace them by views of the same names and
-- columns, and no later migration alters them):
--   proposals   a district committee proposing a commune for a selection
--               year (the yearly obligation of district committees);
--   case_stats  case-handling statistics per commune and day, from which
--               the assessment indicators are computed: crimes and those
--               detected, very/especially serious crimes and those
--               detected, crime reports received and handled, people back
--               from prison and those re-offending. A province reporting
--               monthly puts each month's figures on one day of the month.
-- Like the other contract tables they carry no foreign keys: the worker
-- reports bad data instead of refusing it here.

-- +goose Up
CREATE TABLE IF NOT EXISTS proposals (
    year          INTEGER NOT NULL,
    district_code TEXT NOT NULL DEFAULT '',
    unit_code     TEXT NOT NULL,
    proposed_on   DATE NOT NULL,
    PRIMARY KEY (year, district_code, unit_code)
);

CREATE TABLE IF NOT EXISTS case_stats (
    unit_code        TEXT NOT NULL,
    day              DATE NOT NULL,
    crimes           INTEGER NOT NULL DEFAULT 0 CHECK (crimes >= 0),
    detected         INTEGER NOT NULL DEFAULT 0 CHECK (detected >= 0),
    serious_crimes   INTEGER NOT NULL DEFAULT 0 CHECK (serious_crimes >= 0),
    serious_detected INTEGER NOT NULL DEFAULT 0 CHECK (serious_detected >= 0),
    reports_received INTEGER NOT NULL DEFAULT 0 CHECK (reports_received >= 0),
    reports_handled  INTEGER NOT NULL DEFAULT 0 CHECK (reports_handled >= 0),
    released         INTEGER NOT NULL DEFAULT 0 CHECK (released >= 0),
    reoffended       INTEGER NOT NULL DEFAULT 0 CHECK (reoffended >= 0),
    PRIMARY KEY (unit_code, day)
);
CREATE INDEX IF NOT EXISTS case_stats_day ON case_stats (day);

-- +goose Down
DROP TABLE IF EXISTS case_stats;
DROP TABLE IF EXISTS proposals;
