-- Up Migration

-- The name of the image a job is about, as it was when the job was asked for. Uploads and imports
-- have no logical image to name them, and a logical image nothing holds any more is dropped, while
-- the history keeps saying which image its jobs were about.
ALTER TABLE jobs ADD COLUMN image_name text;
UPDATE jobs j SET image_name = i.name
  FROM images i WHERE i.owner_id = j.owner_id AND i.id = j.image_id;
UPDATE jobs SET image_name = payload->>'name' WHERE image_name IS NULL AND operation = 'import';
-- Uploads kept their name only in the audit event that recorded them.
UPDATE jobs j SET image_name = a.details->>'name'
  FROM audit_events a
  WHERE j.image_name IS NULL AND j.operation = 'upload' AND a.owner_id = j.owner_id
    AND a.action = 'image.uploaded' AND a.target_type = 'job' AND a.target_id = j.queue_job_id;

-- Down Migration

ALTER TABLE jobs DROP COLUMN image_name;
