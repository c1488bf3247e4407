-- Up Migration

-- A copy the site leaves out of its default listing (Glance's os_hidden=true): a release's older
-- version Glint renamed and hid, or an image someone else hid. The inventory lists hidden images
-- too, so they are present (and shown so) rather than taken for gone.
ALTER TABLE site_images ADD COLUMN hidden boolean NOT NULL DEFAULT false;

-- Down Migration

ALTER TABLE site_images DROP COLUMN hidden;
