-- Up Migration

-- Site labels and standing rules. A site carries labels (key → value, Kubernetes-like; validated by
-- the API, at most 32); a rule of a project says "images matching this selector belong on sites
-- matching that one". Rules are evaluated into the placements they imply (source 'rule'), which the
-- reconciler heals like any desired state; a hand tick (source 'hand') decides its cell whatever
-- the rules say, both ways.

ALTER TABLE sites ADD COLUMN labels jsonb NOT NULL DEFAULT '{}'
  CHECK (jsonb_typeof(labels) = 'object');

CREATE TABLE rules (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  -- A slug, the rule's handle in URLs and files (glint plan -f).
  name text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
  -- An ImageSelector and a SiteSelector (packages/core/src/selectors.ts).
  images jsonb NOT NULL CHECK (jsonb_typeof(images) = 'object'),
  sites jsonb NOT NULL CHECK (jsonb_typeof(sites) = 'object'),
  -- Whether the rule deletes copies it placed and no longer implies; off, they stay unwanted-by-none.
  prune boolean NOT NULL DEFAULT false,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  updated_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT rules_name_per_owner UNIQUE (owner_id, name),
  CONSTRAINT rules_owner_id_id UNIQUE (owner_id, id)
);

-- Who decided a cell: a person's tick ('hand') or a rule's evaluation ('rule'). rule names the rule
-- implying the cell at the last evaluation (the first by name when several do), on hand rows too,
-- where it is the rule the hand overrides. A name, not a reference: a pruning row outlives its rule
-- until its copy is gone.
ALTER TABLE placements ADD COLUMN source text NOT NULL DEFAULT 'hand'
  CHECK (source IN ('hand', 'rule'));
ALTER TABLE placements ADD COLUMN rule text;
CREATE INDEX placements_by_rule ON placements (owner_id, rule) WHERE rule IS NOT NULL;

-- An image's Glance properties (EC2 tags), without Glint's markers, for image selectors.
ALTER TABLE site_images ADD COLUMN properties jsonb NOT NULL DEFAULT '{}'
  CHECK (jsonb_typeof(properties) = 'object');

-- Down Migration

ALTER TABLE site_images DROP COLUMN properties;
DROP INDEX placements_by_rule;
ALTER TABLE placements DROP COLUMN rule;
ALTER TABLE placements DROP COLUMN source;
DROP TABLE rules;
ALTER TABLE sites DROP COLUMN labels;
