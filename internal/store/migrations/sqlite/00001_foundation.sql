-- +goose Up
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE orgs (
    id            INTEGER PRIMARY KEY,
    parent_id     INTEGER REFERENCES orgs (id),
    code          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    path          TEXT NOT NULL,
    depth         INTEGER NOT NULL,
    founded_on    TEXT,
    dissolved_on  TEXT,
    dissolve_note TEXT NOT NULL DEFAULT '',
    start_on      TEXT,
    end_on        TEXT,
    note          TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX orgs_path ON orgs (path);
CREATE INDEX orgs_parent ON orgs (parent_id);

CREATE TABLE members (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES orgs (id),
    group_id     INTEGER REFERENCES orgs (id),
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL,
    initials     TEXT NOT NULL,
    gender       TEXT NOT NULL,
    ethnicity    TEXT NOT NULL,
    birth_date   TEXT NOT NULL,
    id_cipher    TEXT NOT NULL,
    id_hash      TEXT NOT NULL UNIQUE,
    phone_cipher TEXT NOT NULL DEFAULT '',
    phone_hash   TEXT NOT NULL DEFAULT '',
    education    TEXT NOT NULL,
    unit_post    TEXT NOT NULL DEFAULT '',
    joined_on    TEXT NOT NULL,
    full_on      TEXT,
    category     TEXT NOT NULL,
    status       TEXT NOT NULL,
    left_on      TEXT,
    note         TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX members_org_status_name ON members (org_id, status, name_key, id);
CREATE INDEX members_status_name ON members (status, name_key, id);
CREATE INDEX members_group ON members (group_id);

CREATE TABLE positions (
    id        INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members (id),
    org_id    INTEGER NOT NULL REFERENCES orgs (id),
    title     TEXT NOT NULL,
    start_on  TEXT NOT NULL,
    end_on    TEXT
);
CREATE INDEX positions_org ON positions (org_id);
CREATE INDEX positions_member ON positions (member_id);

CREATE TABLE transfers (
    id          INTEGER PRIMARY KEY,
    member_id   INTEGER NOT NULL REFERENCES members (id),
    kind        TEXT NOT NULL,
    on_date     TEXT NOT NULL,
    from_org_id INTEGER REFERENCES orgs (id),
    to_org_id   INTEGER REFERENCES orgs (id),
    counterpart TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX transfers_member ON transfers (member_id);

CREATE TABLE temp_attachments (
    id        INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members (id),
    org_id    INTEGER NOT NULL REFERENCES orgs (id),
    start_on  TEXT NOT NULL,
    end_on    TEXT
);
CREATE INDEX temp_attachments_org ON temp_attachments (org_id);
CREATE INDEX temp_attachments_member ON temp_attachments (member_id);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    user_id     INTEGER,
    username    TEXT NOT NULL,
    source      TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   INTEGER,
    org_id      INTEGER,
    ok          INTEGER NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE temp_attachments;
DROP TABLE transfers;
DROP TABLE positions;
DROP TABLE members;
DROP TABLE orgs;
DROP TABLE meta;
