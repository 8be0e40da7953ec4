-- Squizzle system schema v3: exactly once, whatever happens to the lock.
-- One row per applied (or baselined) version under a primary key, written in the
-- same transaction as the version itself, so a second run of the same version
-- waits for the first one's row and then fails instead of committing twice, even
-- when every advisory lock has failed. A version whose files cannot all run in one
-- transaction (no-transaction files, commit boundaries) is first `claimed` by the
-- session that runs it (pid and backend start), committed before anything runs; a
-- later run takes over a claim only when that session no longer exists.
-- A rollback deletes the row in its own transaction.

CREATE TABLE :"system_schema".applied (
  version         text        PRIMARY KEY,
  manifest_digest text,
  operation       text        NOT NULL CHECK (operation IN ('apply', 'baseline')),
  state           text        NOT NULL CHECK (state IN ('claimed', 'applied')),
  owner_pid       integer,
  owner_started   bigint,
  at              timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK ((state = 'claimed') = (owner_pid IS NOT NULL AND owner_started IS NOT NULL))
);

-- Existing databases: the versions applied now, derived from the history exactly
-- as the engine derives them (the last successful apply, baseline or rollback of a
-- version decides; repairs do not count).
INSERT INTO :"system_schema".applied (version, manifest_digest, operation, state, at)
SELECT version, manifest_digest, operation, 'applied', finished_at
FROM (
  SELECT DISTINCT ON (version) version, manifest_digest, operation, finished_at
  FROM :"system_schema".history
  WHERE status = 'success' AND operation IN ('apply', 'baseline', 'rollback')
  ORDER BY version, id DESC
) AS last
WHERE operation <> 'rollback';
