-- Up Migration

-- The control plane's model. Everything belongs to one user (owner_id). Child tables repeat their
-- parent's owner and reference the parent by (owner_id, id), so a row can never point at another
-- user's site or image, and every query filters on owner_id without a join.
-- Needs PostgreSQL 15 or later (UNIQUE NULLS NOT DISTINCT, ON DELETE SET NULL (column)).

-- People who logged in through the home Keystone.
CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  keystone_user_id text NOT NULL UNIQUE,
  name text NOT NULL,
  domain_id text NOT NULL,
  domain_name text NOT NULL,
  -- The project of the latest login; null for an unscoped login.
  project_id text,
  project_name text,
  -- From the Keystone roles of the latest login.
  is_admin boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz NOT NULL DEFAULT now()
);

-- Clouds (or cloud regions) images are kept on.
CREATE TABLE sites (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  type text NOT NULL CHECK (type IN ('openstack', 'ec2')),
  name text NOT NULL CHECK (name <> '' AND length(name) <= 255),
  -- Where the site is, in its type's terms (for openstack: authUrl, region, interface, domains,
  -- project, caBundle, ...). A document rather than columns, so another type needs no new columns.
  config jsonb NOT NULL CHECK (jsonb_typeof(config) = 'object'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT sites_owner_id_id UNIQUE (owner_id, id),
  CONSTRAINT sites_openstack_config CHECK (type <> 'openstack' OR (config ? 'authUrl' AND config ? 'interface'))
);
-- Case-insensitive, so "Cloud1" and "cloud1" cannot both exist and confuse their owner.
CREATE UNIQUE INDEX sites_name_per_owner ON sites (owner_id, lower(name));

-- A user's secret for a site. The whole credential is encrypted (AES-256-GCM, bound to owner and
-- site as associated data); key_id names the key of the keyring it was encrypted under.
CREATE TABLE credentials (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  site_id uuid NOT NULL,
  kind text NOT NULL,
  -- Who logs in (user name, application credential id, ...), never the secret: shown to the user.
  principal jsonb NOT NULL CHECK (jsonb_typeof(principal) = 'object'),
  key_id text NOT NULL,
  nonce bytea NOT NULL CHECK (octet_length(nonce) = 12),
  ciphertext bytea NOT NULL,
  auth_tag bytea NOT NULL CHECK (octet_length(auth_tag) = 16),
  validated_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT credentials_per_site_and_owner UNIQUE (site_id, owner_id),
  FOREIGN KEY (owner_id, site_id) REFERENCES sites (owner_id, id) ON DELETE CASCADE
);
-- Finds the rows still under an old key when keys are rotated.
CREATE INDEX credentials_by_key ON credentials (key_id);

-- The rows of the matrix: one logical image per name and content.
CREATE TABLE images (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL,
  -- Null for images whose sites give no hash (Glance before Rocky).
  hash_algo text,
  hash_value text,
  size bigint CHECK (size >= 0),
  disk_format text,
  container_format text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT images_hash_whole CHECK ((hash_algo IS NULL) = (hash_value IS NULL)),
  -- Also serves the matrix's paging by name and the conflict check (same name, other content).
  CONSTRAINT images_identity UNIQUE NULLS NOT DISTINCT (owner_id, name, hash_algo, hash_value),
  CONSTRAINT images_owner_id_id UNIQUE (owner_id, id)
);
-- Related images: the same content under other names.
CREATE INDEX images_by_content ON images (owner_id, hash_algo, hash_value);

-- The inventory: what each site really holds, as last seen.
CREATE TABLE site_images (
  owner_id uuid NOT NULL,
  site_id uuid NOT NULL,
  -- The site's own id for the image.
  cloud_image_id text NOT NULL,
  -- The matrix row it belongs to; null until the inventory has placed it.
  image_id uuid,
  name text NOT NULL,
  hash_algo text,
  hash_value text,
  checksum text,
  size bigint CHECK (size >= 0),
  disk_format text,
  container_format text,
  visibility text NOT NULL CHECK (visibility IN ('public', 'private', 'shared', 'community')),
  status text NOT NULL,
  protected boolean NOT NULL DEFAULT false,
  -- The project that owns the image on the site.
  cloud_owner text,
  -- Glint's markers (glint_source_site, glint_source_image, glint_content_hash); null on images
  -- Glint did not make.
  glint_source_site text,
  glint_source_image text,
  glint_content_hash text,
  seen_at timestamptz NOT NULL,
  PRIMARY KEY (site_id, cloud_image_id),
  CONSTRAINT site_images_hash_whole CHECK ((hash_algo IS NULL) = (hash_value IS NULL)),
  FOREIGN KEY (owner_id, site_id) REFERENCES sites (owner_id, id) ON DELETE CASCADE,
  FOREIGN KEY (owner_id, image_id) REFERENCES images (owner_id, id) ON DELETE SET NULL (image_id)
);
-- The matrix's cells: every site's copies of a page of images.
CREATE INDEX site_images_by_image ON site_images (owner_id, image_id, site_id);

-- The desired state: an image wanted (or not) on a site, who asked and when.
CREATE TABLE placements (
  owner_id uuid NOT NULL,
  image_id uuid NOT NULL,
  site_id uuid NOT NULL,
  wanted boolean NOT NULL,
  requested_by uuid REFERENCES users (id) ON DELETE SET NULL,
  requested_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner_id, image_id, site_id),
  FOREIGN KEY (owner_id, image_id) REFERENCES images (owner_id, id) ON DELETE CASCADE,
  FOREIGN KEY (owner_id, site_id) REFERENCES sites (owner_id, id) ON DELETE CASCADE
);
CREATE INDEX placements_by_site ON placements (owner_id, site_id);

-- The history of work, one row per cell (a copy fanning out from one source is one queue job and
-- one row per destination).
CREATE TABLE jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- The queue's (BullMQ's) job id: deterministic, so enqueueing the same work twice is one job.
  queue_job_id text NOT NULL,
  operation text NOT NULL CHECK (operation IN ('copy', 'delete', 'inventory', 'upload', 'import')),
  image_id uuid,
  source_site_id uuid,
  destination_site_id uuid,
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  bytes_done bigint NOT NULL DEFAULT 0 CHECK (bytes_done >= 0),
  bytes_total bigint CHECK (bytes_total >= 0),
  error text,
  requested_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- History outlives the images and sites it names.
  FOREIGN KEY (owner_id, image_id) REFERENCES images (owner_id, id) ON DELETE SET NULL (image_id),
  FOREIGN KEY (owner_id, source_site_id) REFERENCES sites (owner_id, id) ON DELETE SET NULL (source_site_id),
  FOREIGN KEY (owner_id, destination_site_id) REFERENCES sites (owner_id, id) ON DELETE SET NULL (destination_site_id)
);
CREATE INDEX jobs_history ON jobs (owner_id, created_at DESC);
CREATE INDEX jobs_by_queue_job ON jobs (queue_job_id);
-- The matrix's queued, transferring and deleting cells.
CREATE INDEX jobs_open_by_cell ON jobs (owner_id, image_id, destination_site_id) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_by_source_site ON jobs (owner_id, source_site_id);
CREATE INDEX jobs_by_destination_site ON jobs (owner_id, destination_site_id);

-- Who changed what. Targets are named, not referenced: the trail outlives what it describes.
CREATE TABLE audit_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  actor_id uuid REFERENCES users (id) ON DELETE SET NULL,
  action text NOT NULL,
  target_type text NOT NULL,
  target_id text,
  details jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(details) = 'object'),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_by_owner ON audit_events (owner_id, created_at DESC);
CREATE INDEX audit_events_by_target ON audit_events (target_type, target_id);

-- Down Migration

DROP TABLE audit_events;
DROP TABLE jobs;
DROP TABLE placements;
DROP TABLE site_images;
DROP TABLE images;
DROP TABLE credentials;
DROP TABLE sites;
DROP TABLE users;
