-- Up Migration

-- Where a qcow2 is converted before VM Import takes it is the operator's setting now
-- (GLINT_CONVERSION_DIR), never an account's: an account's stagingDir let a tenant choose a
-- directory the daemon writes to. Dropped from every EC2 account and from the copy of the
-- account's settings each of its region sites carries; nothing reads it any more.
UPDATE accounts SET config = config - 'stagingDir' WHERE config ? 'stagingDir';
UPDATE sites SET config = config - 'stagingDir' WHERE type = 'ec2' AND config ? 'stagingDir';

-- Down Migration

-- Nothing to restore: the setting is gone from the schema, and a tenant's path must not come back.
