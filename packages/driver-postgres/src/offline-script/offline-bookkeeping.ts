import type { KeptFile } from '@squizzle/core'
import { lockKey } from '../advisory-lock.js'
import { doBlock, literalOrNull, quoteLiteral as q } from './sql-literal.js'
import type { OfflineScriptInput, OfflineVersion } from './offline-types.js'

// The statements below write exactly the rows the driver writes when it applies (history-rows.ts,
// applied-rows.ts, rollback-rows.ts, system-schema.ts), with the values as literals.

/** Takes the migration lock `squizzle apply` takes, for this session, or stops: never two migrators at once. */
export function takeLock(): string {
  const { classid, objid } = lockKey
  return doBlock(`IF NOT pg_catalog.pg_try_advisory_lock(${classid}, ${objid}) THEN
  RAISE EXCEPTION 'squizzle: another migrator holds the migration lock; nothing was changed'
    USING HINT = 'Wait for it to finish (squizzle status names the holder), then run the script again.';
END IF;`)
}

/** Creates the system schema, or brings it up to date, as `ensureSystemSchema` does; refuses a changed file. */
export function systemSchema(files: OfflineScriptInput['systemFiles']): string[] {
  const base = [
    'CREATE SCHEMA IF NOT EXISTS squizzle;',
    `CREATE TABLE IF NOT EXISTS squizzle.schema_version (
  name text PRIMARY KEY,
  sha256 text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);`,
  ]
  return [...base, ...files.map((f) => systemFile(f))]
}

function systemFile(f: OfflineScriptInput['systemFiles'][number]): string {
  return doBlock(`IF NOT EXISTS (SELECT 1 FROM squizzle.schema_version WHERE name = ${q(f.name)}) THEN
  EXECUTE ${q(f.sql)};
  INSERT INTO squizzle.schema_version (name, sha256) VALUES (${q(f.name)}, ${q(f.sha256)});
ELSIF (SELECT sha256 FROM squizzle.schema_version WHERE name = ${q(f.name)}) <> ${q(f.sha256)} THEN
  RAISE EXCEPTION 'squizzle: system schema file % differs from the one applied to this database', ${q(f.name)};
END IF;`)
}

/** Stops unless the database is at `from` (as that digest) and has none of the versions above it. */
export function guard(input: OfflineScriptInput): string {
  const at = input.from === null ? '(no version)' : `${input.from.version} (${input.from.digest})`
  const fail = (why: string) => `RAISE EXCEPTION
    'squizzle: this script upgrades a database at %, but %; nothing was changed', ${q(at)}, ${why}
    USING HINT = 'Run squizzle status to see where the database is, and render the script from there.';`
  const from = input.from
  const atFrom =
    from === null
      ? ''
      : `IF NOT EXISTS (SELECT 1 FROM squizzle.applied WHERE version = ${q(from.version)} AND state = 'applied'
    AND manifest_digest = ${q(from.digest)}) THEN
  ${fail(`${q(`${from.version} is not applied as ${from.digest}`)}`)}
END IF;
`
  const above = input.above.length === 0 ? 'false' : `version IN (${input.above.map((v) => q(v)).join(', ')})`
  const others = from === null ? 'true' : above
  return doBlock(`${atFrom}IF EXISTS (SELECT 1 FROM squizzle.applied WHERE ${others}) THEN
  ${fail(`'it has ' || (SELECT string_agg(version || ' (' || state || ')', ', ' ORDER BY version)
    FROM squizzle.applied WHERE ${others})`)}
END IF;`)
}

/** The claim of a version that commits more than once, committed before anything of it runs. */
export function claim(v: OfflineVersion): string {
  return `INSERT INTO squizzle.applied (version, manifest_digest, operation, state, owner_pid, owner_started)
VALUES (${q(v.manifest.version)}, ${q(v.digest)}, 'apply', 'claimed', pg_catalog.pg_backend_pid(),
  (SELECT (extract(epoch FROM backend_start) * 1000000)::bigint FROM pg_catalog.pg_stat_activity
   WHERE pid = pg_catalog.pg_backend_pid()));`
}

/** The applied mark, first in the version's last transaction: a new row, or this session's claim turned into one. */
export function markApplied(v: OfflineVersion, claimed: boolean): string[] {
  const version = q(v.manifest.version)
  if (!claimed) {
    return [
      `INSERT INTO squizzle.applied (version, manifest_digest, operation, state)
VALUES (${version}, ${q(v.digest)}, 'apply', 'applied');`,
    ]
  }
  return [
    `UPDATE squizzle.applied SET state = 'applied', owner_pid = NULL, owner_started = NULL, at = clock_timestamp()
WHERE version = ${version} AND state = 'claimed' AND owner_pid = pg_catalog.pg_backend_pid();`,
    doBlock(`IF NOT EXISTS (SELECT 1 FROM squizzle.applied WHERE version = ${version} AND state = 'applied') THEN
  RAISE EXCEPTION 'squizzle: version % is no longer claimed by this session', ${version};
END IF;`),
  ]
}

/** A progress row: a finished file (`statement` null) or statement of a version that commits more than once. */
export function progress(v: OfflineVersion, path: string, statement: number | null): string {
  return `INSERT INTO squizzle.progress (version, manifest_digest, path, statement)
VALUES (${q(v.manifest.version)}, ${q(v.digest)}, ${q(path)}, ${statement ?? 'NULL'});`
}

/** What a later rollback needs, kept with the version (`records.keepFiles`). */
export function keep(v: OfflineVersion, scripts: readonly KeptFile[]): string[] {
  return scripts.map(
    (s) => `INSERT INTO squizzle.rollback_script (manifest_digest, path, version, sha256, sql)
VALUES (${q(v.digest)}, ${q(s.path)}, ${q(v.manifest.version)}, ${q(s.sha256)}, ${q(s.content)})
ON CONFLICT (manifest_digest, path) DO NOTHING;`,
  )
}

/** The success row, progress cleared (as `record` does), and the audit row. */
export function success(v: OfflineVersion, toolVersion: string): string[] {
  const version = q(v.manifest.version)
  const who = "session_user, coalesce(pg_catalog.inet_client_addr()::text, 'local') || ' (psql script)'"
  const details = JSON.stringify({ digest: v.digest, via: 'squizzle sql' })
  return [
    `INSERT INTO squizzle.history (operation, version, status, manifest_digest, checksum, manifest, actor, host,
  tool_version, started_at, finished_at, duration_ms, error_code, error_message)
VALUES ('apply', ${version}, 'success', ${q(v.digest)}, ${literalOrNull(v.manifest.checksum.value)},
  ${q(JSON.stringify(v.manifest))}::jsonb, ${who}, ${q(toolVersion)}, now(), clock_timestamp(),
  (extract(epoch FROM clock_timestamp() - now()) * 1000)::bigint, NULL, NULL);`,
    `DELETE FROM squizzle.progress WHERE version = ${version};`,
    `INSERT INTO squizzle.audit (operation, outcome, version, actor, host, details)
VALUES ('apply', 'success', ${version}, ${who}, ${q(details)}::jsonb);`,
  ]
}
