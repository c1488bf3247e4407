-- Up Migration

-- How each destination of a copy was made: streamed through Glint's transfer engine ('stream'), or
-- by the destination's cloud itself from a copy it already holds ('ec2-copy-image': an AMI copied
-- by EC2 from another region of the account). Null until the copy ends, and for other operations.
ALTER TABLE jobs ADD COLUMN method text;

-- A copy EC2 makes between regions reports how far it is, as an import task does.
ALTER TABLE jobs DROP CONSTRAINT jobs_stage_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_stage_check CHECK (stage IN ('importing', 'copying'));

-- Down Migration

UPDATE jobs SET stage = NULL, percent = NULL WHERE stage = 'copying';
ALTER TABLE jobs DROP CONSTRAINT jobs_stage_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_stage_check CHECK (stage IN ('importing'));
ALTER TABLE jobs DROP COLUMN method;
