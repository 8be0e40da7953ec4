-- Squizzle system schema v3: the files an apply deliberately did not run (seed
-- files in an environment configured with `seeds: false`), so history and
-- status show that a version's seeds never ran here.

ALTER TABLE :"system_schema".history ADD COLUMN skipped_files text[] NOT NULL DEFAULT '{}';
