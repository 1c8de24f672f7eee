-- +goose Up
-- The organization kinds that hold events of a type (comma-separated, empty for every kind),
-- so a 党小组 is not offered 支部委员会 and a branch not 党组会. The catalogue's own types get
-- the kinds their rules name, unless the installation already recorded or planned the type
-- at another kind or has a rule asking another kind for it: such a type stays open to every
-- kind, for the office to narrow on the event type page if it wishes.
ALTER TABLE event_types ADD COLUMN org_kinds TEXT NOT NULL DEFAULT '';
UPDATE event_types SET org_kinds = '党总支,党支部,临时党支部' WHERE code IN ('branch_assembly', 'branch_committee')
    AND NOT EXISTS (SELECT 1 FROM events e JOIN orgs o ON o.id = e.org_id
        WHERE e.type_code = event_types.code AND o.kind NOT IN ('党总支', '党支部', '临时党支部'))
    AND NOT EXISTS (SELECT 1 FROM event_plans p JOIN orgs o ON o.id = p.org_id
        WHERE p.type_code = event_types.code AND o.kind NOT IN ('党总支', '党支部', '临时党支部'))
    AND NOT EXISTS (SELECT 1 FROM rules r WHERE r.type_code = event_types.code
        AND (',' || r.kinds || ',' LIKE '%,党委,%' OR ',' || r.kinds || ',' LIKE '%,党组,%' OR ',' || r.kinds || ',' LIKE '%,党小组,%'));
UPDATE event_types SET org_kinds = '党小组' WHERE code IN ('group_meeting')
    AND NOT EXISTS (SELECT 1 FROM events e JOIN orgs o ON o.id = e.org_id
        WHERE e.type_code = event_types.code AND o.kind NOT IN ('党小组'))
    AND NOT EXISTS (SELECT 1 FROM event_plans p JOIN orgs o ON o.id = p.org_id
        WHERE p.type_code = event_types.code AND o.kind NOT IN ('党小组'))
    AND NOT EXISTS (SELECT 1 FROM rules r WHERE r.type_code = event_types.code
        AND (',' || r.kinds || ',' LIKE '%,党委,%' OR ',' || r.kinds || ',' LIKE '%,党组,%' OR ',' || r.kinds || ',' LIKE '%,党总支,%' OR ',' || r.kinds || ',' LIKE '%,党支部,%' OR ',' || r.kinds || ',' LIKE '%,临时党支部,%'));
UPDATE event_types SET org_kinds = '党组' WHERE code IN ('leading_group')
    AND NOT EXISTS (SELECT 1 FROM events e JOIN orgs o ON o.id = e.org_id
        WHERE e.type_code = event_types.code AND o.kind NOT IN ('党组'))
    AND NOT EXISTS (SELECT 1 FROM event_plans p JOIN orgs o ON o.id = p.org_id
        WHERE p.type_code = event_types.code AND o.kind NOT IN ('党组'))
    AND NOT EXISTS (SELECT 1 FROM rules r WHERE r.type_code = event_types.code
        AND (',' || r.kinds || ',' LIKE '%,党委,%' OR ',' || r.kinds || ',' LIKE '%,党总支,%' OR ',' || r.kinds || ',' LIKE '%,党支部,%' OR ',' || r.kinds || ',' LIKE '%,党小组,%' OR ',' || r.kinds || ',' LIKE '%,临时党支部,%'));
UPDATE event_types SET org_kinds = '党委,党组' WHERE code IN ('democratic_life', 'center_group')
    AND NOT EXISTS (SELECT 1 FROM events e JOIN orgs o ON o.id = e.org_id
        WHERE e.type_code = event_types.code AND o.kind NOT IN ('党委', '党组'))
    AND NOT EXISTS (SELECT 1 FROM event_plans p JOIN orgs o ON o.id = p.org_id
        WHERE p.type_code = event_types.code AND o.kind NOT IN ('党委', '党组'))
    AND NOT EXISTS (SELECT 1 FROM rules r WHERE r.type_code = event_types.code
        AND (',' || r.kinds || ',' LIKE '%,党总支,%' OR ',' || r.kinds || ',' LIKE '%,党支部,%' OR ',' || r.kinds || ',' LIKE '%,党小组,%' OR ',' || r.kinds || ',' LIKE '%,临时党支部,%'));

-- +goose Down
ALTER TABLE event_types DROP COLUMN org_kinds;
