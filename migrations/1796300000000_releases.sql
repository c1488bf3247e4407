-- Up Migration

-- Image releases (issue 16). A family is a project's line of builds under one stable name ("Ubuntu
-- 24.04"); each build is a version, one logical image (so its identity is its content hash); named
-- channels point at versions; each site's copy of a version has a stage of its own. The rollout
-- and retention policies are the family's.

CREATE TABLE release_families (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  -- How people and the CLI name the family: a slug, unique per project.
  name text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
  -- The name users and schedulers boot by, held on each site by the version its channel points at.
  stable_name text NOT NULL CHECK (stable_name <> '' AND length(stable_name) <= 200),
  -- SCS-0102 metadata that applies to every version (replace_frequency, provided_until, ...).
  properties jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(properties) = 'object'),
  -- Properties every version must carry before it is published (SCS-0102's mandatory ones by default).
  required_properties text[] NOT NULL
    DEFAULT ARRAY['image_build_date', 'image_original_user', 'image_source', 'replace_frequency',
                  'provided_until', 'uuid_validity'],
  -- The target sites (a site selector: {labels, types, regions, ids}), and the rollout's waves in
  -- order, selectors too: a target site joins the first wave that matches it, the rest form the last.
  sites jsonb NOT NULL CHECK (jsonb_typeof(sites) = 'object'),
  waves jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(waves) = 'array'),
  soak_seconds integer NOT NULL DEFAULT 0 CHECK (soak_seconds >= 0),
  -- A wave waits for a person's promote before it starts (after the first).
  manual_waves boolean NOT NULL DEFAULT false,
  -- The share of a wave's sites whose copy may fail before the rollout halts.
  failure_threshold real NOT NULL DEFAULT 0 CHECK (failure_threshold >= 0 AND failure_threshold < 1),
  -- The channel whose version holds the stable name.
  follows text NOT NULL DEFAULT 'latest' CHECK (follows ~ '^[a-z][a-z0-9-]{0,31}$'),
  -- Retention: the last N versions, until their provided_until, or for ever; then a grace period
  -- hidden before the delete.
  keep_mode text NOT NULL DEFAULT 'last' CHECK (keep_mode IN ('last', 'until', 'forever')),
  keep_last integer NOT NULL DEFAULT 2 CHECK (keep_last >= 1),
  grace_seconds integer NOT NULL DEFAULT 86400 CHECK (grace_seconds >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT release_families_owner_id_id UNIQUE (owner_id, id),
  CONSTRAINT release_families_name UNIQUE (owner_id, name)
);

CREATE TABLE release_versions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id uuid NOT NULL,
  family_id uuid NOT NULL,
  version text NOT NULL CHECK (version ~ '^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$'),
  -- The logical image: its name and content hash are the version's identity.
  image_id uuid NOT NULL,
  -- image_build_date, image_original_user, image_source and whatever else the publisher said.
  provenance jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(provenance) = 'object'),
  published_by uuid REFERENCES users (id) ON DELETE SET NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  -- The rollout of this version: which wave runs, and since when it is complete (for the soak).
  wave integer NOT NULL DEFAULT 0 CHECK (wave >= 0),
  wave_done_at timestamptz,
  -- Waves a person promoted (manual_waves): wave N may start once promoted_wave >= N.
  promoted_wave integer NOT NULL DEFAULT 0,
  -- Set while the rollout is halted: why (a failure rate over the threshold, or a person).
  halted_reason text,
  -- When a person last resumed it: copies that failed before are tried again.
  resumed_at timestamptz,
  -- Out of retention: hidden everywhere since, deleted once the grace period is over.
  retired_at timestamptz,
  CONSTRAINT release_versions_owner_id_id UNIQUE (owner_id, id),
  CONSTRAINT release_versions_version UNIQUE (family_id, version),
  CONSTRAINT release_versions_image UNIQUE (family_id, image_id),
  FOREIGN KEY (owner_id, family_id) REFERENCES release_families (owner_id, id) ON DELETE CASCADE,
  -- Not cascading: the inventory keeps a version's logical image even when no site holds it
  -- under its first name any more (promoting renames the copies).
  FOREIGN KEY (owner_id, image_id) REFERENCES images (owner_id, id)
);
CREATE INDEX release_versions_by_family ON release_versions (family_id, published_at DESC);

-- Channels: latest (moved by every publish) and the ones promotion moves (stable, candidate).
CREATE TABLE release_channels (
  owner_id uuid NOT NULL,
  family_id uuid NOT NULL,
  name text NOT NULL CHECK (name ~ '^[a-z][a-z0-9-]{0,31}$'),
  version_id uuid NOT NULL,
  -- Where the channel pointed before its last move: what a rollback returns to.
  previous_version_id uuid,
  moved_at timestamptz NOT NULL DEFAULT now(),
  moved_by uuid REFERENCES users (id) ON DELETE SET NULL,
  PRIMARY KEY (family_id, name),
  FOREIGN KEY (owner_id, family_id) REFERENCES release_families (owner_id, id) ON DELETE CASCADE,
  FOREIGN KEY (owner_id, version_id) REFERENCES release_versions (owner_id, id) ON DELETE CASCADE,
  FOREIGN KEY (owner_id, previous_version_id) REFERENCES release_versions (owner_id, id)
    ON DELETE SET NULL (previous_version_id)
);

-- A version on one site, as the rollout and the retirement left it. Whether its copy is there and
-- verified is the inventory's word (site_images); this is what Glint did to it.
CREATE TABLE release_version_sites (
  owner_id uuid NOT NULL,
  version_id uuid NOT NULL,
  site_id uuid NOT NULL,
  -- stable: holds the stable name; hidden: renamed "NAME (VERSION)" and hidden; retiring: a delete
  -- the site refused (protected, in use), retried at next_attempt_at; deleted: gone.
  stage text NOT NULL CHECK (stage IN ('stable', 'hidden', 'retiring', 'deleted')),
  cloud_image_id text,
  error text,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (version_id, site_id),
  FOREIGN KEY (owner_id, version_id) REFERENCES release_versions (owner_id, id) ON DELETE CASCADE,
  FOREIGN KEY (owner_id, site_id) REFERENCES sites (owner_id, id) ON DELETE CASCADE
);

-- Down Migration

DROP TABLE release_version_sites;
DROP TABLE release_channels;
DROP TABLE release_versions;
DROP TABLE release_families;
