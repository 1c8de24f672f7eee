-- +goose Up
-- Organizational life and study: one event model for every type (the catalogue is data),
-- attendance, invited guests, the 第一议题 ledger, recurring plans, rules with their sources,
-- attachments stored by content hash, and notification channels with their deliveries.

CREATE TABLE event_types (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    category   TEXT NOT NULL,
    audience   TEXT NOT NULL,
    quorum     INTEGER NOT NULL DEFAULT 0,
    study      INTEGER NOT NULL DEFAULT 0,
    sort_order INTEGER NOT NULL DEFAULT 0,
    active     INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE event_plans (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES orgs (id),
    type_code  TEXT NOT NULL REFERENCES event_types (code),
    title      TEXT NOT NULL,
    place      TEXT NOT NULL DEFAULT '',
    host       TEXT NOT NULL DEFAULT '',
    frequency  TEXT NOT NULL,
    day        INTEGER NOT NULL,
    start_time TEXT NOT NULL,
    minutes    INTEGER NOT NULL,
    from_on    TEXT NOT NULL,
    until_on   TEXT,
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX event_plans_org ON event_plans (org_id);

CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES orgs (id),
    type_code     TEXT NOT NULL REFERENCES event_types (code),
    title         TEXT NOT NULL,
    status        TEXT NOT NULL,
    starts_at     TEXT NOT NULL,
    ends_at       TEXT NOT NULL,
    -- on_date is the local day the event starts on: calendars and compliance query it by range.
    on_date       TEXT NOT NULL,
    place         TEXT NOT NULL DEFAULT '',
    host          TEXT NOT NULL DEFAULT '',
    recorder      TEXT NOT NULL DEFAULT '',
    content       TEXT NOT NULL DEFAULT '',
    decisions     TEXT NOT NULL DEFAULT '',
    materials     TEXT NOT NULL DEFAULT '',
    cancel_reason TEXT NOT NULL DEFAULT '',
    plan_id       INTEGER REFERENCES event_plans (id),
    -- Attendance counts kept with the event, and whether it counts as held (quorum met).
    expected      INTEGER NOT NULL DEFAULT 0,
    present       INTEGER NOT NULL DEFAULT 0,
    on_leave      INTEGER NOT NULL DEFAULT 0,
    absent        INTEGER NOT NULL DEFAULT 0,
    counts        INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
-- Calendars and compliance: the events of some organizations over a range of days, answered
-- from the index alone for compliance.
CREATE INDEX events_org_date ON events (org_id, on_date, type_code, counts, id);
CREATE UNIQUE INDEX events_plan_date ON events (plan_id, on_date);

CREATE TABLE attendance (
    event_id  INTEGER NOT NULL REFERENCES events (id),
    member_id INTEGER NOT NULL REFERENCES members (id),
    status    TEXT NOT NULL,
    reason    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (event_id, member_id)
) WITHOUT ROWID;
CREATE INDEX attendance_member ON attendance (member_id, event_id);

CREATE TABLE event_guests (
    id        INTEGER PRIMARY KEY,
    event_id  INTEGER NOT NULL REFERENCES events (id),
    name      TEXT NOT NULL,
    unit_post TEXT NOT NULL DEFAULT ''
);
CREATE INDEX event_guests_event ON event_guests (event_id);

CREATE TABLE first_topics (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL UNIQUE,
    issued_on  TEXT,
    source     TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE event_topics (
    event_id INTEGER NOT NULL REFERENCES events (id),
    topic_id INTEGER NOT NULL REFERENCES first_topics (id),
    PRIMARY KEY (event_id, topic_id)
) WITHOUT ROWID;
CREATE INDEX event_topics_topic ON event_topics (topic_id, event_id);

CREATE TABLE rules (
    id             INTEGER PRIMARY KEY,
    type_code      TEXT NOT NULL REFERENCES event_types (code),
    -- kinds lists organization kinds separated by commas: 党支部,临时党支部
    kinds          TEXT NOT NULL,
    root_org_id    INTEGER REFERENCES orgs (id),
    frequency      TEXT NOT NULL,
    min_count      INTEGER NOT NULL,
    effective_from TEXT NOT NULL,
    effective_to   TEXT,
    source         TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE TABLE event_files (
    id         INTEGER PRIMARY KEY,
    event_id   INTEGER NOT NULL REFERENCES events (id),
    sha256     TEXT NOT NULL,
    size       BIGINT NOT NULL,
    mime       TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX event_files_event ON event_files (event_id);
CREATE INDEX event_files_sha ON event_files (sha256);

CREATE TABLE notify_channels (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    root_org_id INTEGER NOT NULL REFERENCES orgs (id),
    -- config is the SM4-GCM ciphertext of the channel's JSON settings (webhook URL, secret,
    -- SMTP password): secrets never sit in the database in the clear.
    config      TEXT NOT NULL,
    enabled     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE notify_deliveries (
    id         INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL REFERENCES notify_channels (id),
    at         TEXT NOT NULL,
    ok         INTEGER NOT NULL,
    attempts   INTEGER NOT NULL,
    items      INTEGER NOT NULL,
    error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notify_deliveries_channel ON notify_deliveries (channel_id, id);

INSERT INTO event_types (code, name, category, audience, quorum, study, sort_order, active) VALUES
    ('branch_assembly', '支部党员大会', '组织生活', 'members', 0, 1, 10, 1),
    ('branch_committee', '支部委员会', '组织生活', 'committee', 1, 1, 20, 1),
    ('group_meeting', '党小组会', '组织生活', 'members', 0, 0, 30, 1),
    ('party_lecture', '党课', '组织生活', 'members', 0, 1, 40, 1),
    ('theme_day', '主题党日', '组织生活', 'members', 0, 1, 50, 1),
    ('org_life', '组织生活会', '组织生活', 'members', 0, 0, 60, 1),
    ('member_review', '民主评议党员', '组织生活', 'members', 0, 0, 70, 1),
    ('heart_talk', '谈心谈话', '组织生活', 'listed', 0, 0, 80, 1),
    ('democratic_life', '民主生活会', '组织生活', 'committee', 0, 0, 90, 1),
    ('leading_group', '党组会', '组织生活', 'committee', 0, 1, 100, 1),
    ('center_group', '理论学习中心组学习', '学习', 'committee', 0, 1, 110, 1),
    ('night_school', '夜校学习', '学习', 'members', 0, 1, 120, 1),
    ('topic_study', '专题学习', '学习', 'members', 0, 1, 130, 1),
    ('reading', '读书活动', '学习', 'members', 0, 1, 140, 1),
    ('mobilization', '动员部署会', '其他', 'members', 0, 0, 150, 1),
    ('visit', '参观学习', '其他', 'members', 0, 0, 160, 1),
    ('other', '其他活动', '其他', 'members', 0, 0, 170, 1);

INSERT INTO rules (type_code, kinds, root_org_id, frequency, min_count, effective_from, effective_to, source, note, created_at, updated_at) VALUES
    ('branch_assembly', '党支部,临时党支部', NULL, 'quarter', 1, '2018-10-28', NULL, '中国共产党支部工作条例（试行）（2018）第十一条', '支部党员大会一般每季度召开1次', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('branch_committee', '党支部,临时党支部', NULL, 'month', 1, '2018-10-28', NULL, '中国共产党支部工作条例（试行）（2018）第十二条', '支部委员会会议一般每月召开1次，到会委员超过半数方为有效', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('group_meeting', '党小组', NULL, 'month', 1, '2018-10-28', NULL, '中国共产党支部工作条例（试行）（2018）第十三条', '党小组会一般每月召开1次', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('party_lecture', '党支部,临时党支部', NULL, 'year', 1, '2018-10-28', NULL, '中国共产党支部工作条例（试行）（2018）第十六条', '默认每年至少1次；许多地方规定每季度1次，可在此调整', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('theme_day', '党支部,临时党支部', NULL, 'month', 1, '2018-10-28', NULL, '中国共产党支部工作条例（试行）（2018）第十六条', '每月相对固定1天开展主题党日', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('org_life', '党支部,临时党支部', NULL, 'year', 1, '2018-10-28', NULL, '中国共产党支部工作条例（试行）（2018）第十七条', '组织生活会一般每年召开1次，通常在第四季度', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('member_review', '党支部,临时党支部', NULL, 'year', 1, '2018-10-28', NULL, '中国共产党支部工作条例（试行）（2018）第十七条', '民主评议党员一般每年开展1次，通常与组织生活会结合', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('heart_talk', '党支部', NULL, 'year', 1, '2018-10-28', NULL, '地方规定', '支部委员与党员谈心谈话每年至少1次', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('democratic_life', '党组', NULL, 'year', 1, '2017-01-01', NULL, '县以上党和国家机关党员领导干部民主生活会若干规定', '每年召开1次；会前报告主题，会后向上级报告；生效日期按文件年份设置，请按本地实际调整', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('center_group', '党组,党委', NULL, 'month', 1, '2017-01-01', NULL, '中国共产党党委（党组）理论学习中心组学习规则（2017）', '地方规定每月1次或全年不少于12个半天，可在此调整；生效日期按文件年份设置', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z');

-- +goose Down
DROP TABLE notify_deliveries;
DROP TABLE notify_channels;
DROP TABLE event_files;
DROP TABLE rules;
DROP TABLE event_topics;
DROP TABLE first_topics;
DROP TABLE event_guests;
DROP TABLE attendance;
DROP TABLE events;
DROP TABLE event_plans;
DROP TABLE event_types;
