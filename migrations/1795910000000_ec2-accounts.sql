-- Up Migration

-- Accounts group the sites of one cloud account. An EC2 account's enabled regions are each a site
-- (a matrix column with its own inventory, placements, jobs and adapter); the account holds the
-- settings all of them share, and each region site carries a self-contained copy plus its region,
-- so the daemon opens it like any other site.
CREATE TABLE accounts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  type text NOT NULL CHECK (type IN ('ec2')),
  name text NOT NULL CHECK (name <> '' AND length(name) <= 200 AND position('/' in name) = 0),
  -- Account-wide settings (bucket, importRole, importMode, endpoints, stagingDir); never secrets.
  config jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(config) = 'object'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT accounts_owner_id_id UNIQUE (owner_id, id)
);
CREATE UNIQUE INDEX accounts_name_per_owner ON accounts (owner_id, lower(name));

ALTER TABLE sites ADD COLUMN account_id uuid;
ALTER TABLE sites ADD CONSTRAINT sites_account
  FOREIGN KEY (owner_id, account_id) REFERENCES accounts (owner_id, id) ON DELETE CASCADE;
CREATE INDEX sites_by_account ON sites (owner_id, account_id) WHERE account_id IS NOT NULL;
ALTER TABLE sites ADD CONSTRAINT sites_ec2_config
  CHECK (type <> 'ec2' OR (config ? 'region' AND account_id IS NOT NULL));

-- A stage of a transfer after its bytes went out (an EC2 import task), and how far it is, so the
-- matrix cell can say "importing 42%".
ALTER TABLE jobs ADD COLUMN stage text CHECK (stage IN ('importing'));
ALTER TABLE jobs ADD COLUMN percent smallint CHECK (percent BETWEEN 0 AND 100);

-- Down Migration

ALTER TABLE jobs DROP COLUMN percent;
ALTER TABLE jobs DROP COLUMN stage;
ALTER TABLE sites DROP CONSTRAINT sites_ec2_config;
DROP INDEX sites_by_account;
ALTER TABLE sites DROP CONSTRAINT sites_account;
ALTER TABLE sites DROP COLUMN account_id;
DROP TABLE accounts;
