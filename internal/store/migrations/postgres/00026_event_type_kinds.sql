-- +goose Up
-- The organization kinds that hold events of a type (comma-separated, empty for every kind),
-- so a 党小组 is not offered 支部委员会 and a branch not 党组会. The catalogue's own types get
-- the kinds their rules name; an office widens them on the event type page when its ledgers
-- differ (党小组会 recorded on the branch where groups are not set up as organizations).
ALTER TABLE event_types ADD COLUMN org_kinds TEXT NOT NULL DEFAULT '';
UPDATE event_types SET org_kinds = '党总支,党支部,临时党支部' WHERE code IN ('branch_assembly', 'branch_committee');
UPDATE event_types SET org_kinds = '党小组' WHERE code = 'group_meeting';
UPDATE event_types SET org_kinds = '党组' WHERE code = 'leading_group';
UPDATE event_types SET org_kinds = '党委,党组' WHERE code IN ('democratic_life', 'center_group');

-- +goose Down
ALTER TABLE event_types DROP COLUMN org_kinds;
