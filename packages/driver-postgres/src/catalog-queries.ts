import type { PendingQuery, Sql } from 'postgres'

/**
 * Catalog queries behind a schema snapshot. Each gives plain rows for one kind
 * of object in user schemas: never `squizzle`, `pg_catalog`, `information_schema`,
 * `pg_toast` or temporary schemas, never an object that belongs to an extension
 * (`pg_depend.deptype = 'e'`). Run with `search_path = pg_catalog`, so every name
 * a deparse function prints is schema-qualified the same way on every database.
 * Given a tenant's schema (`only`), each reads that schema only, and the schema row
 * is the database's `public` (see `asReplayed`); extensions are the database's.
 */

/** A catalog query not sent yet: `readSchemaSnapshot` embeds each in one statement, as JSON rows. */
export type CatalogQuery = PendingQuery<Record<string, unknown>[]>

/** A tenant's schema: the one schema to read; null: every user schema. */
type Only = string | null

export function schemaRows(sql: Sql, only: Only = null): CatalogQuery {
  return sql`
    SELECT n.nspname AS name, obj_description(n.oid, 'pg_namespace') AS comment
    FROM pg_namespace n
    WHERE ${only === null ? userSchema(sql, null) : sql`n.nspname = 'public'`}
      AND NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')`
}

export function extensionRows(sql: Sql): CatalogQuery {
  return sql`
    SELECT e.extname AS name, n.nspname AS schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace`
}

/** Tables, partitioned tables and foreign tables. */
export function tableRows(sql: Sql, only: Only = null): CatalogQuery {
  return sql`
    SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind, c.relpersistence::text AS persistence,
      c.relrowsecurity AS row_security, c.relforcerowsecurity AS force_row_security,
      CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
      CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
      ARRAY(SELECT pn.nspname || '.' || p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
            JOIN pg_namespace pn ON pn.oid = p.relnamespace WHERE i.inhrelid = c.oid ORDER BY i.inhseqno) AS parents,
      obj_description(c.oid, 'pg_class') AS comment
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'f') AND ${userRelation(sql, only)}`
}

export function columnRows(sql: Sql, only: Only = null): CatalogQuery {
  return sql`
    SELECT n.nspname AS schema, c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
      a.attnotnull AS not_null, pg_get_expr(ad.adbin, ad.adrelid) AS default, a.attidentity::text AS identity,
      a.attgenerated::text AS generated,
      CASE WHEN a.attcollation <> t.typcollation THEN co.collname END AS collation,
      col_description(c.oid, a.attnum) AS comment
    FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_type t ON t.oid = a.atttypid
      LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
      LEFT JOIN pg_collation co ON co.oid = a.attcollation
    WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'f') AND ${userRelation(sql, only)}`
}

/** Table constraints. NOT NULL rows (PostgreSQL 18's contype 'n') are left out: nullability is a column property. */
export function constraintRows(sql: Sql, only: Only = null): CatalogQuery {
  return sql`
    SELECT n.nspname AS schema, c.relname AS table, co.conname AS name, co.contype::text AS type,
      pg_get_constraintdef(co.oid) AS definition, obj_description(co.oid, 'pg_constraint') AS comment
    FROM pg_constraint co
      JOIN pg_class c ON c.oid = co.conrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE co.contype <> 'n' AND ${userRelation(sql, only)}`
}

export function indexRows(sql: Sql, only: Only = null): CatalogQuery {
  return sql`
    SELECT n.nspname AS schema, i.relname AS name, tn.nspname || '.' || t.relname AS table,
      pg_get_indexdef(i.oid) AS definition, x.indisvalid AS valid, obj_description(i.oid, 'pg_class') AS comment
    FROM pg_index x
      JOIN pg_class i ON i.oid = x.indexrelid
      JOIN pg_namespace n ON n.oid = i.relnamespace
      JOIN pg_class t ON t.oid = x.indrelid
      JOIN pg_namespace tn ON tn.oid = t.relnamespace
    WHERE ${userSchema(sql, only)} AND ${userRelation(sql, only, 't', 'tn')}`
}

/** Views and materialized views. */
export function viewRows(sql: Sql, only: Only = null): CatalogQuery {
  return sql`
    SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind, pg_get_viewdef(c.oid) AS definition,
      obj_description(c.oid, 'pg_class') AS comment
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('v', 'm') AND ${userRelation(sql, only)}`
}

export function sequenceRows(sql: Sql, only: Only = null): CatalogQuery {
  return sql`
    SELECT n.nspname AS schema, c.relname AS name, format_type(s.seqtypid, NULL) AS type,
      s.seqstart::text AS start, s.seqincrement::text AS increment, s.seqmin::text AS min, s.seqmax::text AS max,
      s.seqcache::text AS cache, s.seqcycle AS cycle,
      (SELECT tn.nspname || '.' || t.relname || '.' || a.attname
         FROM pg_depend d
           JOIN pg_class t ON t.oid = d.refobjid
           JOIN pg_namespace tn ON tn.oid = t.relnamespace
           JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
         WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
           AND d.deptype IN ('a', 'i') LIMIT 1) AS owned_by
    FROM pg_sequence s
      JOIN pg_class c ON c.oid = s.seqrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${userRelation(sql, only)}`
}

/** Enums, domains and standalone composite types. */
export function typeRows(sql: Sql, only: Only = null): CatalogQuery {
  return sql`
    SELECT n.nspname AS schema, t.typname AS name, t.typtype::text AS typtype,
      ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels,
      CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base_type,
      t.typnotnull AS not_null, t.typdefault AS default,
      ARRAY(SELECT co.conname || ': ' || pg_get_constraintdef(co.oid) FROM pg_constraint co
            WHERE co.contypid = t.oid AND co.contype <> 'n' ORDER BY co.conname) AS checks,
      ARRAY(SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
            WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) AS attributes,
      obj_description(t.oid, 'pg_type') AS comment
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE (t.typtype IN ('e', 'd')
           OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'))
      AND ${userSchema(sql, only)}
      AND NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')`
}

/** Functions, procedures, aggregates and window functions. */
export function routineRows(sql: Sql, only: Only = null): CatalogQuery {
  return sql`
    SELECT n.nspname AS schema, p.proname AS name, pg_get_function_identity_arguments(p.oid) AS arguments,
      p.prokind::text AS prokind,
      CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END AS definition,
      CASE WHEN p.prokind = 'a' THEN pg_get_function_result(p.oid) END AS result,
      (SELECT ag.aggtransfn::regproc::text || ' ' || format_type(ag.aggtranstype, NULL)
         || ' ' || ag.aggfinalfn::regproc::text
         || coalesce(' ' || ag.agginitval, '') FROM pg_aggregate ag WHERE ag.aggfnoid = p.oid) AS aggregate,
      obj_description(p.oid, 'pg_proc') AS comment
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE ${userSchema(sql, only)}
      AND NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')`
}

/** User triggers (not the internal ones behind foreign keys). */
export function triggerRows(sql: Sql, only: Only = null): CatalogQuery {
  return sql`
    SELECT n.nspname AS schema, c.relname AS table, t.tgname AS name, pg_get_triggerdef(t.oid) AS definition,
      t.tgenabled::text AS enabled, obj_description(t.oid, 'pg_trigger') AS comment
    FROM pg_trigger t
      JOIN pg_class c ON c.oid = t.tgrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE NOT t.tgisinternal AND ${userRelation(sql, only)}`
}

/** Row-level security policies. */
export function policyRows(sql: Sql, only: Only = null): CatalogQuery {
  return sql`
    SELECT n.nspname AS schema, c.relname AS table, p.polname AS name,
      p.polcmd::text AS command, p.polpermissive AS permissive,
      ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r) END
            FROM unnest(p.polroles) AS r ORDER BY 1) AS roles,
      pg_get_expr(p.polqual, p.polrelid) AS using, pg_get_expr(p.polwithcheck, p.polrelid) AS with_check
    FROM pg_policy p
      JOIN pg_class c ON c.oid = p.polrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${userRelation(sql, only)}`
}

/** `n` is a user schema (with `only`: is that schema). */
function userSchema(sql: Sql, only: Only, n = 'n') {
  if (only !== null) return sql`${sql(n)}.nspname = ${only}`
  return sql`${sql(n)}.nspname NOT IN ('squizzle', 'information_schema') AND ${sql(n)}.nspname !~ '^pg_'`
}

/** Relation `c` in namespace `n` is a user object (with `only`: in that schema) not owned by an extension. */
function userRelation(sql: Sql, only: Only, c = 'c', n = 'n') {
  return sql`${userSchema(sql, only, n)}
    AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = ${sql(c)}.oid AND d.deptype = 'e')`
}
