-- +goose Up
-- Per-user calendar subscription links (iCalendar feeds). The token is the credential of the
-- feed URL; only its keyed hash is stored. A user has at most one live feed: creating a new
-- one revokes the previous one, and revoked rows stay for the record.
CREATE TABLE calendar_feeds (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX calendar_feeds_user ON calendar_feeds (user_id, id);

-- +goose Down
DROP TABLE calendar_feeds;
