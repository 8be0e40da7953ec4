-- Squizzle system schema v1: history, progress and audit.
-- Applied once, in order, under the migration lock; never edited after release
-- (add 0002_*.sql instead).

CREATE TABLE :"system_schema".history (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  operation       text        NOT NULL CHECK (operation IN ('apply', 'rollback', 'baseline', 'repair')),
  version         text        NOT NULL,
  status          text        NOT NULL CHECK (status IN ('success', 'failed')),
  manifest_digest text,
  checksum        text,
  manifest        jsonb,
  actor           text        NOT NULL,
  host            text        NOT NULL,
  database_user   text        NOT NULL DEFAULT current_user,
  tool_version    text        NOT NULL,
  started_at      timestamptz NOT NULL,
  finished_at     timestamptz NOT NULL,
  duration_ms     bigint      NOT NULL,
  error_code      text,
  error_message   text
);
CREATE INDEX history_version_idx ON :"system_schema".history (version, id);

-- Progress of versions that run in several steps (non-transactional files,
-- commit boundaries), so a retry resumes. Cleared when the version succeeds.
CREATE TABLE :"system_schema".progress (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  version         text        NOT NULL,
  manifest_digest text        NOT NULL,
  path            text        NOT NULL,
  statement       integer,
  finished_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX progress_version_idx ON :"system_schema".progress (version, id);

-- Every operation, including refused ones.
CREATE TABLE :"system_schema".audit (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT clock_timestamp(),
  operation     text        NOT NULL,
  outcome       text        NOT NULL CHECK (outcome IN ('success', 'failure', 'refused')),
  version       text,
  actor         text        NOT NULL,
  host          text        NOT NULL,
  database_user text        NOT NULL DEFAULT current_user,
  details       jsonb       NOT NULL DEFAULT '{}'
);

-- History and audit are append-only: a trigger refuses UPDATE and DELETE.
CREATE FUNCTION :"system_schema".refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION ':"system_schema".% is append-only', TG_TABLE_NAME
    USING HINT = 'Record a new row (rollback, repair) instead of changing history.';
END
$$;
CREATE TRIGGER history_append_only BEFORE UPDATE OR DELETE ON :"system_schema".history
  FOR EACH ROW EXECUTE FUNCTION :"system_schema".refuse_change();
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON :"system_schema".audit
  FOR EACH ROW EXECUTE FUNCTION :"system_schema".refuse_change();
