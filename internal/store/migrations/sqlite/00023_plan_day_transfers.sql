-- +goose Up
-- plan_day: the day of its recurring plan an event was created for. A planned meeting moved to
-- another day keeps it, so the plan does not create the original day again; before this the
-- check was on the event's own day.
ALTER TABLE events ADD COLUMN plan_day TEXT;
UPDATE events SET plan_day = on_date WHERE plan_id IS NOT NULL;
DROP INDEX events_plan_date;
CREATE UNIQUE INDEX events_plan_day ON events (plan_id, plan_day);

-- Expected attendees are taken from the roster on the event's day: members who left an
-- organization after that day are found by the transfers out of it.
CREATE INDEX transfers_from ON transfers (from_org_id, on_date);

-- +goose Down
DROP INDEX transfers_from;
DROP INDEX events_plan_day;
CREATE UNIQUE INDEX events_plan_date ON events (plan_id, on_date);
ALTER TABLE events DROP COLUMN plan_day;
