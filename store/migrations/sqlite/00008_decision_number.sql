-- A selection decision (Quyết định) carries its number and its signer, so
-- that documents quote it ("Quyết định số 12/QĐ-BCĐ ngày 01/03/2026") and
-- the check of the decision against the plan's rules names it. The
-- embedded database keeps the read contract as tables: ALTER TABLE adds
-- the two optional columns (it fails on a view; see 00005 for how a
-- province with views upgrades).

-- +goose Up
ALTER TABLE selections ADD COLUMN decision_number TEXT NULL;
ALTER TABLE selections ADD COLUMN signer TEXT NULL;

-- +goose Down
ALTER TABLE selections DROP COLUMN signer;
ALTER TABLE selections DROP COLUMN decision_number;
