-- Up Migration

-- The project a site's credential is scoped to, as the cloud names it; recorded by the inventory so
-- deletes can tell the user's own public images from everyone else's.
ALTER TABLE sites ADD COLUMN cloud_project_id text;

-- The jobs table doubles as the queue's outbox: a job's payload is written in the transaction that
-- records the desired state, and put on the queue after the commit. Rows with enqueued_at still
-- null after a crash between the two are enqueued again under the same queue job id, which the
-- queue takes once.
ALTER TABLE jobs ADD COLUMN payload jsonb;
ALTER TABLE jobs ADD COLUMN enqueued_at timestamptz;
CREATE INDEX jobs_not_enqueued ON jobs (created_at) WHERE enqueued_at IS NULL AND state = 'queued';

-- Down Migration

DROP INDEX jobs_not_enqueued;
ALTER TABLE jobs DROP COLUMN enqueued_at;
ALTER TABLE jobs DROP COLUMN payload;
ALTER TABLE sites DROP COLUMN cloud_project_id;
