-- Squizzle system schema v2: the rollback SQL of every applied version, kept in
-- the database at apply time, so `squizzle rollback` needs no registry (an
-- emergency rollback must work while storage is unreachable).
-- Each script is verified against the manifest recorded in :"system_schema".history
-- (per-file SHA-256, manifest checksum) before it runs.

CREATE TABLE :"system_schema".rollback_script (
  manifest_digest text        NOT NULL,
  path            text        NOT NULL,
  version         text        NOT NULL,
  sha256          text        NOT NULL,
  sql             text        NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (manifest_digest, path)
);
CREATE INDEX rollback_script_version_idx ON :"system_schema".rollback_script (version);
