-- +goose Up
-- The audit trail becomes a hash chain: each row stores the hash of the row before it and its
-- own HMAC-SM3 (computed in Go with a key kept outside the database).
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);

-- One row: the id and hash of the newest audit row. Every append increments last_id in its
-- write transaction and takes its id and predecessor from the row, so ids are gapless and in
-- chain order; the trigger advances last_hash with the insert, saving a statement per write.
CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    last_id   INTEGER NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_id, last_hash)
VALUES (1, COALESCE((SELECT max(id) FROM audit_log), 0), '0000000000000000000000000000000000000000000000000000000000000000');

-- +goose StatementBegin
CREATE TRIGGER audit_log_advance_head AFTER INSERT ON audit_log
BEGIN
    UPDATE audit_head SET last_hash = NEW.hash WHERE id = 1;
END;
-- +goose StatementEnd

-- Rows written before the chain existed (none in a new database) stay as they are, outside
-- the chain: the chain starts after the newest of them, from the all-zero genesis hash.
INSERT INTO meta (key, value)
SELECT 'audit_genesis', CAST(id AS TEXT) || ':' || '0000000000000000000000000000000000000000000000000000000000000000'
FROM audit_log ORDER BY id DESC LIMIT 1;

-- +goose Down
DELETE FROM meta WHERE key = 'audit_genesis';
DROP TRIGGER audit_log_advance_head;
DROP TABLE audit_head;
DROP INDEX audit_log_object;
ALTER TABLE audit_log DROP COLUMN hash;
ALTER TABLE audit_log DROP COLUMN prev_hash;
