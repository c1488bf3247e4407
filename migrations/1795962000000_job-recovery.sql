-- Up Migration

-- PostgreSQL is the source of truth of copies, deletes and imports; Redis only carries them to the
-- daemons. confirmed_at is when an open row's job was last known to be in good hands: put on the
-- queue, taken up, vouched for by the daemon running it (every few seconds), or found on the queue
-- by a recovery check. Daemons claim the open rows not confirmed for a while with FOR UPDATE SKIP
-- LOCKED and put back on the queue what a Redis that lost its data no longer holds.
ALTER TABLE jobs ADD COLUMN confirmed_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX jobs_open_by_confirmation ON jobs (confirmed_at) WHERE state IN ('queued', 'running');

-- Down Migration

DROP INDEX jobs_open_by_confirmation;
ALTER TABLE jobs DROP COLUMN confirmed_at;
