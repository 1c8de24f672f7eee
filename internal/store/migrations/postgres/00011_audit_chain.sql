-- +goose Up
-- The audit trail becomes a hash chain: each row stores the hash of the row before it and its
-- own HMAC-SM3 (computed in Go with a key kept outside the database).
ALTER TABLE audit_log
    ADD COLUMN prev_hash TEXT COLLATE "C" NOT NULL DEFAULT '',
    ADD COLUMN hash TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);

-- One row: the id and hash of the newest audit row. Every append moves it to the new row in
-- the statement that inserts the row (a data-modifying CTE), only if it still names the row's
-- predecessor: the row lock serializes concurrent appends, and a waiting append re-checks the
-- row once the lock is free, so it finds the head moved by the one committed meanwhile and
-- chains after it instead. Ids are gapless and in chain order (audit_log's identity sequence
-- is no longer used). No trigger moves the head: a row inserted behind the program's back
-- stays beyond the head, where the check names it.
CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    last_id   BIGINT NOT NULL,
    last_hash TEXT COLLATE "C" NOT NULL
);
INSERT INTO audit_head (id, last_id, last_hash)
VALUES (1, COALESCE((SELECT max(id) FROM audit_log), 0), '0000000000000000000000000000000000000000000000000000000000000000');

-- Rows written before the chain existed (none in a new database) stay as they are, outside
-- the chain: the chain starts after the newest of them, from the all-zero genesis hash.
INSERT INTO meta (key, value)
SELECT 'audit_genesis', CAST(id AS TEXT) || ':' || '0000000000000000000000000000000000000000000000000000000000000000'
FROM audit_log ORDER BY id DESC LIMIT 1;

-- +goose Down
DELETE FROM meta WHERE key = 'audit_genesis';
DROP TABLE audit_head;
DROP INDEX audit_log_object;
ALTER TABLE audit_log DROP COLUMN hash, DROP COLUMN prev_hash;
