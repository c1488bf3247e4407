-- Up Migration

-- Glint's data belongs to the Keystone projects of the home Keystone, no longer to single users:
-- the members of a project share its sites, credentials, images, placements, jobs and events. The
-- owner_id columns stay, and now name a project; child rows still reference their parents by
-- (owner_id, id), so no row can point at another project's objects. Users stay as the actors the
-- audit trail, placements and jobs name (actor_id, requested_by).
--
-- Each user's rows move to the project of their latest login (users.project_id). Users of one
-- project are merged into it: a site or account name two of them used gets the later one's user
-- name appended, and logical images of the same name and content become one. A user whose latest
-- login was unscoped keeps their rows in a project of their own that no token is scoped to (only
-- Glint admins see it), until an operator moves it with SQL.
--
-- Not reversible: a project's rows cannot be given back to single users once its members have
-- shared them. The down migration refuses; restore the backup taken before upgrading instead.
-- Jobs already on the queue carry their user as owner: let the queues drain (or stop the daemons)
-- before migrating; their rows' payloads are rewritten here, so a recovered job names its project.

-- The home Keystone's projects that own something. keystone_project_id is null only for the
-- projects this migration made for unscoped users' rows; domain_id is null until a login to the
-- project after this migration (users kept no project domain).
CREATE TABLE projects (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  keystone_project_id text UNIQUE,
  domain_id text,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz NOT NULL DEFAULT now()
);

-- Where each user's rows go.
CREATE TEMPORARY TABLE owner_moves ON COMMIT DROP AS
  SELECT id AS user_id, project_id, coalesce(project_name, 'unscoped logins of ' || name) AS name,
         last_login_at, gen_random_uuid() AS project
  FROM users;
UPDATE owner_moves m SET project = first.project
  FROM (SELECT DISTINCT ON (project_id) project_id, project FROM owner_moves
        WHERE project_id IS NOT NULL ORDER BY project_id, last_login_at DESC) first
  WHERE m.project_id = first.project_id;
INSERT INTO projects (id, keystone_project_id, name, last_login_at)
  SELECT DISTINCT ON (project) project, project_id, name, last_login_at FROM owner_moves
  ORDER BY project, last_login_at DESC;

-- The references are dropped while rows move, and made again on projects below.
ALTER TABLE sites DROP CONSTRAINT sites_account, DROP CONSTRAINT sites_owner_id_fkey;
ALTER TABLE credentials DROP CONSTRAINT credentials_owner_id_fkey,
  DROP CONSTRAINT credentials_owner_id_site_id_fkey;
ALTER TABLE images DROP CONSTRAINT images_owner_id_fkey;
ALTER TABLE site_images DROP CONSTRAINT site_images_owner_id_image_id_fkey,
  DROP CONSTRAINT site_images_owner_id_site_id_fkey;
ALTER TABLE placements DROP CONSTRAINT placements_owner_id_image_id_fkey,
  DROP CONSTRAINT placements_owner_id_site_id_fkey;
ALTER TABLE jobs DROP CONSTRAINT jobs_owner_id_fkey, DROP CONSTRAINT jobs_owner_id_image_id_fkey,
  DROP CONSTRAINT jobs_owner_id_source_site_id_fkey,
  DROP CONSTRAINT jobs_owner_id_destination_site_id_fkey;
ALTER TABLE audit_events DROP CONSTRAINT audit_events_owner_id_fkey;
ALTER TABLE accounts DROP CONSTRAINT accounts_owner_id_fkey;
ALTER TABLE transfer_history DROP CONSTRAINT transfer_history_owner_id_site_id_fkey;
ALTER TABLE inventory_history DROP CONSTRAINT inventory_history_owner_id_site_id_fkey;

-- A credential's ciphertext is bound to the owner id it was sealed for (its associated data): the
-- user's for the rows sealed before projects, which keep opening under it.
ALTER TABLE credentials ADD COLUMN sealed_for uuid;
UPDATE credentials SET sealed_for = owner_id;
ALTER TABLE credentials ALTER COLUMN sealed_for SET NOT NULL;

-- Names two members used: the later gets its user's name appended.
UPDATE sites s SET name = left(s.name, 180) || ' (' || left(u.name, 64) || ')'
  FROM (SELECT s2.id, row_number() OVER (PARTITION BY m.project, lower(s2.name)
                                         ORDER BY s2.created_at, s2.id) AS nth
        FROM sites s2 JOIN owner_moves m ON m.user_id = s2.owner_id) named, users u
  WHERE named.id = s.id AND named.nth > 1 AND u.id = s.owner_id;
UPDATE accounts a SET name = left(a.name, 120) || ' (' || left(replace(u.name, '/', '-'), 64) || ')'
  FROM (SELECT a2.id, row_number() OVER (PARTITION BY m.project, lower(a2.name)
                                         ORDER BY a2.created_at, a2.id) AS nth
        FROM accounts a2 JOIN owner_moves m ON m.user_id = a2.owner_id) named, users u
  WHERE named.id = a.id AND named.nth > 1 AND u.id = a.owner_id;

-- One logical image per name and content in a project: the oldest stays, the others' references
-- move to it.
CREATE TEMPORARY TABLE image_merges ON COMMIT DROP AS
  SELECT id, first_value(id) OVER same AS kept
  FROM (SELECT i.*, m.project FROM images i JOIN owner_moves m ON m.user_id = i.owner_id) i
  WINDOW same AS (PARTITION BY project, name, hash_algo, hash_value ORDER BY created_at, id);
DELETE FROM image_merges WHERE id = kept;
UPDATE site_images t SET image_id = g.kept FROM image_merges g WHERE t.image_id = g.id;
UPDATE placements t SET image_id = g.kept FROM image_merges g WHERE t.image_id = g.id;
UPDATE jobs t SET image_id = g.kept FROM image_merges g WHERE t.image_id = g.id;
DELETE FROM images WHERE id IN (SELECT id FROM image_merges);

UPDATE sites t SET owner_id = m.project FROM owner_moves m WHERE t.owner_id = m.user_id;
UPDATE credentials t SET owner_id = m.project FROM owner_moves m WHERE t.owner_id = m.user_id;
UPDATE images t SET owner_id = m.project FROM owner_moves m WHERE t.owner_id = m.user_id;
UPDATE site_images t SET owner_id = m.project FROM owner_moves m WHERE t.owner_id = m.user_id;
UPDATE placements t SET owner_id = m.project FROM owner_moves m WHERE t.owner_id = m.user_id;
UPDATE jobs t SET owner_id = m.project,
                  payload = CASE WHEN t.payload ? 'ownerId'
                            THEN jsonb_set(t.payload, '{ownerId}', to_jsonb(m.project::text))
                            ELSE t.payload END
  FROM owner_moves m WHERE t.owner_id = m.user_id;
UPDATE audit_events t SET owner_id = m.project FROM owner_moves m WHERE t.owner_id = m.user_id;
UPDATE accounts t SET owner_id = m.project FROM owner_moves m WHERE t.owner_id = m.user_id;
UPDATE transfer_history t SET owner_id = m.project FROM owner_moves m WHERE t.owner_id = m.user_id;
UPDATE inventory_history t SET owner_id = m.project FROM owner_moves m WHERE t.owner_id = m.user_id;

ALTER TABLE sites ADD CONSTRAINT sites_owner_id_fkey
    FOREIGN KEY (owner_id) REFERENCES projects (id) ON DELETE CASCADE,
  ADD CONSTRAINT sites_account
    FOREIGN KEY (owner_id, account_id) REFERENCES accounts (owner_id, id) ON DELETE CASCADE;
ALTER TABLE credentials ADD CONSTRAINT credentials_owner_id_fkey
    FOREIGN KEY (owner_id) REFERENCES projects (id) ON DELETE CASCADE,
  ADD CONSTRAINT credentials_owner_id_site_id_fkey
    FOREIGN KEY (owner_id, site_id) REFERENCES sites (owner_id, id) ON DELETE CASCADE;
ALTER TABLE images ADD CONSTRAINT images_owner_id_fkey
  FOREIGN KEY (owner_id) REFERENCES projects (id) ON DELETE CASCADE;
ALTER TABLE site_images ADD CONSTRAINT site_images_owner_id_image_id_fkey
    FOREIGN KEY (owner_id, image_id) REFERENCES images (owner_id, id) ON DELETE SET NULL (image_id),
  ADD CONSTRAINT site_images_owner_id_site_id_fkey
    FOREIGN KEY (owner_id, site_id) REFERENCES sites (owner_id, id) ON DELETE CASCADE;
ALTER TABLE placements ADD CONSTRAINT placements_owner_id_image_id_fkey
    FOREIGN KEY (owner_id, image_id) REFERENCES images (owner_id, id) ON DELETE CASCADE,
  ADD CONSTRAINT placements_owner_id_site_id_fkey
    FOREIGN KEY (owner_id, site_id) REFERENCES sites (owner_id, id) ON DELETE CASCADE;
ALTER TABLE jobs ADD CONSTRAINT jobs_owner_id_fkey
    FOREIGN KEY (owner_id) REFERENCES projects (id) ON DELETE CASCADE,
  ADD CONSTRAINT jobs_owner_id_image_id_fkey
    FOREIGN KEY (owner_id, image_id) REFERENCES images (owner_id, id) ON DELETE SET NULL (image_id),
  ADD CONSTRAINT jobs_owner_id_source_site_id_fkey
    FOREIGN KEY (owner_id, source_site_id) REFERENCES sites (owner_id, id) ON DELETE SET NULL (source_site_id),
  ADD CONSTRAINT jobs_owner_id_destination_site_id_fkey
    FOREIGN KEY (owner_id, destination_site_id) REFERENCES sites (owner_id, id) ON DELETE SET NULL (destination_site_id);
ALTER TABLE audit_events ADD CONSTRAINT audit_events_owner_id_fkey
  FOREIGN KEY (owner_id) REFERENCES projects (id) ON DELETE CASCADE;
ALTER TABLE accounts ADD CONSTRAINT accounts_owner_id_fkey
  FOREIGN KEY (owner_id) REFERENCES projects (id) ON DELETE CASCADE;
ALTER TABLE transfer_history ADD CONSTRAINT transfer_history_owner_id_site_id_fkey
  FOREIGN KEY (owner_id, site_id) REFERENCES sites (owner_id, id) ON DELETE CASCADE;
ALTER TABLE inventory_history ADD CONSTRAINT inventory_history_owner_id_site_id_fkey
  FOREIGN KEY (owner_id, site_id) REFERENCES sites (owner_id, id) ON DELETE CASCADE;

-- Down Migration

DO $$ BEGIN
  RAISE EXCEPTION 'migration 1796100000000_projects is not reversible: restore the backup taken before it';
END $$;
