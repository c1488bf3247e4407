-- Up Migration

-- What the reconciler may do on its own when a cell drifts from the desired state: 'off' only shows
-- the drift, 'restore' copies wanted images back where they went missing, 'restore-and-prune' also
-- deletes copies that are not wanted. Deletes never happen on their own unless asked for this way.
-- A placement's own policy, when set, wins over its site's.
ALTER TABLE sites ADD COLUMN self_heal text NOT NULL DEFAULT 'off'
  CHECK (self_heal IN ('off', 'restore', 'restore-and-prune'));
ALTER TABLE placements ADD COLUMN self_heal text
  CHECK (self_heal IN ('off', 'restore', 'restore-and-prune'));

-- The inventory schedule. Daemons claim the sites whose inventory is due with FOR UPDATE SKIP
-- LOCKED, so however many run, each site is listed once per interval.
ALTER TABLE sites ADD COLUMN inventory_due_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE sites ADD COLUMN inventoried_at timestamptz;
CREATE INDEX sites_inventory_due ON sites (inventory_due_at);

-- Down Migration

DROP INDEX sites_inventory_due;
ALTER TABLE sites DROP COLUMN inventoried_at;
ALTER TABLE sites DROP COLUMN inventory_due_at;
ALTER TABLE placements DROP COLUMN self_heal;
ALTER TABLE sites DROP COLUMN self_heal;
