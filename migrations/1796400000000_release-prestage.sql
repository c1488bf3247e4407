-- Up Migration

-- Pre-staging (issue 16): a version's copies go to every wave's sites at once, hidden under
-- "NAME (VERSION)", and the waves gate only the stable-name switch, so that a later wave switches
-- without waiting for its copies. Off, a wave's sites are copied to only once the wave starts, for
-- operators who want no bytes on later sites before the canary passed. On by default, existing
-- families included.
ALTER TABLE release_families ADD COLUMN prestage boolean NOT NULL DEFAULT true;

-- Down Migration

ALTER TABLE release_families DROP COLUMN prestage;
