-- +goose Up
-- Sign-ins by QR code (扫码签到) at a planned event, before its attendance is recorded: the
-- recorder completing the event starts from them (signed in: 出席, the others: 缺席). The rows
-- stay after completion as the record of who signed in; attendance alone counts.
CREATE TABLE event_checkins (
    event_id  BIGINT NOT NULL REFERENCES events (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    signed_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (event_id, member_id)
);

-- +goose Down
DROP TABLE event_checkins;
