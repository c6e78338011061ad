-- Alert life cycle and the outbox. An alert is one open matter for one
-- committee ('' = the provincial committee), keyed stably across runs; the
-- outbox holds rendered mail, one row per envelope recipient, so a rejected
-- address never blocks the others and a resend is byte-identical.

-- +goose Up
CREATE TABLE alerts (
    committee         TEXT NOT NULL,
    key               TEXT NOT NULL,
    kind              TEXT NOT NULL,
    state             TEXT NOT NULL,
    open              BOOLEAN NOT NULL,
    payload           TEXT NOT NULL,
    opened_at         TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    resolved_at       TEXT NULL,
    notified_state    TEXT NOT NULL DEFAULT '',
    notified_at       TEXT NULL,
    resolved_notified BOOLEAN NOT NULL DEFAULT 0,
    PRIMARY KEY (committee, key)
);
CREATE INDEX alerts_open ON alerts (open, committee);

CREATE TABLE notify_groups (
    committee        TEXT PRIMARY KEY,
    last_composed_at TEXT NULL,
    last_sent_at     TEXT NULL
);

CREATE TABLE outbox (
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
CREATE INDEX outbox_due ON outbox (status, next_attempt_at, id);

-- +goose Down
DROP TABLE outbox;
DROP TABLE notify_groups;
DROP TABLE alerts;
