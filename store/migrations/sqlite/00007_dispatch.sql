-- The dispatcher, silences and cancelled mail (issue 13); see the
-- PostgreSQL migration of the same number for what the tables hold.
-- SQLite cannot change a CHECK constraint in place: the outbox is built
-- anew with the status cancelled allowed, and its rows copied.

-- +goose Up
CREATE TABLE digests (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    committee   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('digest', 'immediate')),
    slot        TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    reason      TEXT NOT NULL,
    composed_at TEXT NOT NULL,
    items       TEXT NOT NULL,
    UNIQUE (committee, message_id)
);
CREATE UNIQUE INDEX digests_one_per_slot ON digests (committee, slot) WHERE kind = 'digest';
CREATE INDEX digests_message ON digests (message_id);

CREATE TABLE silences (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_key  TEXT NULL,
    unit_code  TEXT NULL,
    committee  TEXT NULL,
    kind       TEXT NULL,
    starts_at  TEXT NOT NULL,
    ends_at    TEXT NOT NULL,
    created_by TEXT NOT NULL,
    reason     TEXT NOT NULL,
    expired_at TEXT NULL,
    CHECK (alert_key IS NOT NULL OR unit_code IS NOT NULL OR committee IS NOT NULL OR kind IS NOT NULL)
);

CREATE TABLE outbox_00007 (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id      TEXT NOT NULL,
    committee       TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    sender          TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    headers         TEXT NOT NULL DEFAULT '{}',
    created_at      TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_until     TEXT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    sent_at         TEXT NULL,
    cancel_reason   TEXT NOT NULL DEFAULT '',
    cancelled_at    TEXT NULL,
    UNIQUE (message_id, recipient)
);
INSERT INTO outbox_00007 (id, message_id, committee, recipient, sender, subject, body_text, body_html, headers,
        created_at, status, attempts, next_attempt_at, lease_until, last_error, sent_at)
    SELECT id, message_id, committee, recipient, sender, subject, body_text, body_html, headers,
        created_at, status, attempts, next_attempt_at, lease_until, last_error, sent_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_00007 RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at, id);

-- +goose Down
-- Cancelled mail has no place in the old outbox: it goes.
CREATE TABLE outbox_00007 (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id      TEXT NOT NULL,
    committee       TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    sender          TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    headers         TEXT NOT NULL DEFAULT '{}',
    created_at      TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_until     TEXT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    sent_at         TEXT NULL,
    UNIQUE (message_id, recipient)
);
INSERT INTO outbox_00007 (id, message_id, committee, recipient, sender, subject, body_text, body_html, headers,
        created_at, status, attempts, next_attempt_at, lease_until, last_error, sent_at)
    SELECT id, message_id, committee, recipient, sender, subject, body_text, body_html, headers,
        created_at, status, attempts, next_attempt_at, lease_until, last_error, sent_at FROM outbox WHERE status <> 'cancelled';
DROP TABLE outbox;
ALTER TABLE outbox_00007 RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at, id);
DROP TABLE silences;
DROP TABLE digests;
