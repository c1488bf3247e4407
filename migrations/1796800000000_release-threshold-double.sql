-- Up Migration

-- A family's failure threshold is any JSON number in [0, 1). `real` refused the smallest of them
-- ("out of range for type real", a 500 the API fuzz test found) and rounded the rest; a double
-- holds exactly what the API was given.
ALTER TABLE release_families ALTER COLUMN failure_threshold TYPE double precision;

-- Down Migration

ALTER TABLE release_families ALTER COLUMN failure_threshold TYPE real;
