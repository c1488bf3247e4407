-- Up Migration

-- The history the panel charts, kept aggregated by the hour so it stays small however many jobs
-- run, and readable without Prometheus. Hours are UTC.

-- Finished jobs per site, hour, the site's role in them, operation and final state, with their
-- bytes. A copy's source counts each destination's bytes (what the site sent out for it).
CREATE TABLE transfer_history (
  owner_id uuid NOT NULL,
  site_id uuid NOT NULL,
  hour timestamptz NOT NULL,
  role text NOT NULL CHECK (role IN ('source', 'destination')),
  operation text NOT NULL,
  state text NOT NULL CHECK (state IN ('succeeded', 'failed', 'cancelled')),
  jobs integer NOT NULL CHECK (jobs >= 0),
  bytes bigint NOT NULL CHECK (bytes >= 0),
  PRIMARY KEY (owner_id, site_id, hour, role, operation, state),
  FOREIGN KEY (owner_id, site_id) REFERENCES sites (owner_id, id) ON DELETE CASCADE
);
CREATE INDEX transfer_history_by_hour ON transfer_history (owner_id, hour);

-- Kept by the database itself whenever a job row reaches a final state, whichever process ends it
-- (a daemon, the API cancelling a queued job, an upload recorded finished).
CREATE FUNCTION record_transfer_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  at timestamptz := date_trunc('hour', coalesce(NEW.finished_at, now()), 'UTC');
  side record;
BEGIN
  FOR side IN
    SELECT * FROM (VALUES ('source', NEW.source_site_id), ('destination', NEW.destination_site_id)) AS s (role, site_id)
    WHERE s.site_id IS NOT NULL
  LOOP
    INSERT INTO transfer_history (owner_id, site_id, hour, role, operation, state, jobs, bytes)
    VALUES (NEW.owner_id, side.site_id, at, side.role, NEW.operation, NEW.state, 1, NEW.bytes_done)
    ON CONFLICT (owner_id, site_id, hour, role, operation, state) DO UPDATE
      SET jobs = transfer_history.jobs + 1, bytes = transfer_history.bytes + EXCLUDED.bytes;
  END LOOP;
  RETURN NULL;
END $$;

CREATE TRIGGER jobs_finished_into_history AFTER UPDATE OF state ON jobs FOR EACH ROW
  WHEN (NEW.state IN ('succeeded', 'failed', 'cancelled') AND OLD.state IN ('queued', 'running'))
  EXECUTE FUNCTION record_transfer_history();
CREATE TRIGGER jobs_recorded_finished_into_history AFTER INSERT ON jobs FOR EACH ROW
  WHEN (NEW.state IN ('succeeded', 'failed', 'cancelled'))
  EXECUTE FUNCTION record_transfer_history();

-- The jobs that ended before this migration.
INSERT INTO transfer_history (owner_id, site_id, hour, role, operation, state, jobs, bytes)
SELECT owner_id, site_id, hour, role, operation, state, count(*), sum(bytes_done)
FROM (
  SELECT j.owner_id, s.site_id, date_trunc('hour', coalesce(j.finished_at, j.updated_at), 'UTC') AS hour,
         s.role, j.operation, j.state, j.bytes_done
  FROM jobs j
  CROSS JOIN LATERAL (VALUES ('source', j.source_site_id), ('destination', j.destination_site_id)) AS s (role, site_id)
  WHERE j.state IN ('succeeded', 'failed', 'cancelled') AND s.site_id IS NOT NULL
) finished
GROUP BY owner_id, site_id, hour, role, operation, state;

-- What each site held at its last inventory of each hour.
CREATE TABLE inventory_history (
  owner_id uuid NOT NULL,
  site_id uuid NOT NULL,
  hour timestamptz NOT NULL,
  images integer NOT NULL CHECK (images >= 0),
  bytes bigint NOT NULL CHECK (bytes >= 0),
  taken_at timestamptz NOT NULL,
  PRIMARY KEY (owner_id, site_id, hour),
  FOREIGN KEY (owner_id, site_id) REFERENCES sites (owner_id, id) ON DELETE CASCADE
);

-- Down Migration

DROP TABLE inventory_history;
DROP TRIGGER jobs_recorded_finished_into_history ON jobs;
DROP TRIGGER jobs_finished_into_history ON jobs;
DROP FUNCTION record_transfer_history();
DROP TABLE transfer_history;
