-- The dispatcher, silences and cancelled mail (issue 13).
--
-- digests records every mail the dispatcher composed for a committee: a
-- digest (at most one per committee per digest time: slot) or an
-- immediate mail, its Message-ID and the alert states it carried (items,
-- JSON). Whether it was delivered is the outbox's: the dispatcher marks
-- what changed since the last digest the server accepted, and a cancelled
-- one counts as never composed. A committee without an address has rows
-- under the provincial digest's Message-ID that forwarded its items.
--
-- silences hold alerts back from mail as Alertmanager's do: every matcher
-- given (alert key, commune, committee, kind; NULL = any) must match, from
-- starts_at until ends_at; expiring one early moves ends_at to that
-- moment and records it in expired_at.
--
-- The outbox gains the status cancelled, with the reason and the time.

-- +goose Up
CREATE TABLE digests (
    id          BIGSERIAL PRIMARY KEY,
    committee   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('digest', 'immediate')),
    slot        TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    reason      TEXT NOT NULL,
    composed_at TIMESTAMPTZ NOT NULL,
    items       TEXT NOT NULL,
    UNIQUE (committee, message_id)
);
CREATE UNIQUE INDEX digests_one_per_slot ON digests (committee, slot) WHERE kind = 'digest';
CREATE INDEX digests_message ON digests (message_id);

CREATE TABLE silences (
    id         BIGSERIAL PRIMARY KEY,
    alert_key  TEXT NULL,
    unit_code  TEXT NULL,
    committee  TEXT NULL,
    kind       TEXT NULL,
    starts_at  TIMESTAMPTZ NOT NULL,
    ends_at    TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL,
    reason     TEXT NOT NULL,
    expired_at TIMESTAMPTZ NULL,
    CHECK (alert_key IS NOT NULL OR unit_code IS NOT NULL OR committee IS NOT NULL OR kind IS NOT NULL)
);

ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled'));
ALTER TABLE outbox ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN cancelled_at TIMESTAMPTZ NULL;

-- +goose Down
-- Cancelled mail has no place in the old outbox: it goes.
DELETE FROM outbox WHERE status = 'cancelled';
ALTER TABLE outbox DROP COLUMN cancelled_at;
ALTER TABLE outbox DROP COLUMN cancel_reason;
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sending', 'sent', 'failed'));
DROP TABLE silences;
DROP TABLE digests;
