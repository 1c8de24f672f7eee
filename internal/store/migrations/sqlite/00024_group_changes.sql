-- +goose Up
-- Dated changes of a member's party group (党小组), so a 党小组会 held before a member changed
-- groups expects it in the group it was in that day. Written with every change of
-- members.group_id: on the transfer's day for a move between branches, otherwise on the day
-- the change was saved.
CREATE TABLE group_changes (
    id            INTEGER PRIMARY KEY,
    member_id     INTEGER NOT NULL REFERENCES members (id),
    on_date       TEXT NOT NULL,
    from_group_id INTEGER REFERENCES orgs (id),
    to_group_id   INTEGER REFERENCES orgs (id),
    created_at    TEXT NOT NULL
);
CREATE INDEX group_changes_member ON group_changes (member_id, on_date);
CREATE INDEX group_changes_from ON group_changes (from_group_id, on_date);

-- +goose Down
DROP TABLE group_changes;
