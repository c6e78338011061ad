-- A selection decision (Quyết định) carries its number and its signer, so
-- that documents quote it ("Quyết định số 12/QĐ-BCĐ ngày 01/03/2026") and
-- the check of the decision against the plan's rules names it. Both are
-- optional columns of the read contract: only our own selections table
-- gets them; a province that maps selections to a view may add them to
-- its view (the worker reads a view without them as decisions without
-- number and signer).

-- +goose Up
-- +goose StatementBegin
DO $$
BEGIN
    IF (SELECT relkind FROM pg_class WHERE oid = to_regclass('selections')) IN ('r', 'p') THEN
        ALTER TABLE selections ADD COLUMN IF NOT EXISTS decision_number TEXT NULL;
        ALTER TABLE selections ADD COLUMN IF NOT EXISTS signer TEXT NULL;
    END IF;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
BEGIN
    IF (SELECT relkind FROM pg_class WHERE oid = to_regclass('selections')) IN ('r', 'p') THEN
        ALTER TABLE selections DROP COLUMN IF EXISTS signer;
        ALTER TABLE selections DROP COLUMN IF EXISTS decision_number;
    END IF;
END
$$;
-- +goose StatementEnd
