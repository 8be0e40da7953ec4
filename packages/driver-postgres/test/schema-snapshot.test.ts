import { diffSnapshots, serializeSnapshot, type SchemaSnapshot } from '@squizzle/core'
import { createTestDatabase, query } from '@squizzle/testkit'
import { describe, expect, inject, it } from 'vitest'
import { openScratchDatabase, PostgresDriver } from '../src/index.js'

// One of each kind of object a snapshot records, plus things it must leave out.
const schemaSql = `
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
CREATE SCHEMA billing;
COMMENT ON SCHEMA billing IS 'money';
CREATE TYPE public.status AS ENUM ('new', 'paid', 'void');
CREATE DOMAIN public.positive AS integer NOT NULL DEFAULT 1 CONSTRAINT positive_check CHECK (VALUE > 0);
CREATE TYPE public.money_pair AS (amount numeric(12,2), currency char(3));
CREATE TABLE public.customers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email varchar(200) NOT NULL UNIQUE,
  name text COLLATE "C",
  status public.status NOT NULL DEFAULT 'new',
  name_upper text GENERATED ALWAYS AS (upper(name)) STORED
);
COMMENT ON COLUMN public.customers.email IS 'login';
CREATE SEQUENCE billing.invoice_no AS integer START 1000 INCREMENT 5;
CREATE TABLE billing.invoices (
  id bigserial,
  customer_id bigint NOT NULL REFERENCES public.customers (id) ON DELETE CASCADE,
  total numeric(12,2) CHECK (total >= 0),
  issued_at timestamptz NOT NULL DEFAULT now(),
  due_at timestamptz DEFAULT '2026-01-01 00:00:00+00',
  qty public.positive
,
  PRIMARY KEY (id, issued_at)
) PARTITION BY RANGE (issued_at);
CREATE TABLE billing.invoices_2026 PARTITION OF billing.invoices FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX customers_name_trgm ON public.customers USING gin (name gin_trgm_ops);
CREATE VIEW public.paying AS SELECT c.id, c.email FROM public.customers c WHERE c.status = 'paid';
CREATE MATERIALIZED VIEW billing.totals AS SELECT customer_id, sum(total) AS total FROM billing.invoices GROUP BY customer_id;
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name := trim(NEW.name); RETURN NEW; END $$;
CREATE PROCEDURE billing.noop(n integer) LANGUAGE sql AS $$ SELECT n $$;
CREATE TRIGGER customers_touch BEFORE INSERT ON public.customers FOR EACH ROW EXECUTE FUNCTION public.touch();
ALTER TABLE public.customers ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON public.customers FOR SELECT USING (email = current_user);
`

async function snapshotOf(url: string, sql?: string): Promise<SchemaSnapshot> {
  if (sql) await query(url, sql)
  const driver = new PostgresDriver({ url })
  await driver.connect()
  try {
    return await driver.snapshotSchema()
  } finally {
    await driver.close()
  }
}

function find(snapshot: SchemaSnapshot, kind: string, name: string) {
  return snapshot.objects.find((o) => o.kind === kind && o.name === name)?.properties
}

describe('PostgresDriver.snapshotSchema', () => {
  it('records every kind of user object with its normalized definition', async () => {
    const s = await snapshotOf(await createTestDatabase(inject('postgresUrl')), schemaSql)
    expect(find(s, 'extension', 'pg_trgm')).toEqual({ schema: 'public' })
    expect(find(s, 'schema', 'billing')).toEqual({ comment: 'money' })
    expect(find(s, 'enum', 'public.status')).toEqual({ labels: ['new', 'paid', 'void'] })
    expect(find(s, 'domain', 'public.positive')).toMatchObject({
      baseType: 'integer',
      notNull: true,
      default: '1',
      checks: ['positive_check: CHECK ((VALUE > 0))'],
    })
    expect(find(s, 'composite-type', 'public.money_pair')).toEqual({
      attributes: ['amount numeric(12,2)', 'currency character(3)'],
    })
    expect(find(s, 'column', 'public.customers.id')).toMatchObject({
      type: 'bigint',
      notNull: true,
      identity: 'always',
    })
    expect(find(s, 'column', 'public.customers.email')).toMatchObject({
      type: 'character varying(200)',
      notNull: true,
      comment: 'login',
    })
    expect(find(s, 'column', 'public.customers.name')).toMatchObject({ type: 'text', collation: 'C' })
    expect(find(s, 'column', 'public.customers.status')).toMatchObject({
      type: 'public.status',
      default: "'new'::public.status",
    })
    expect(find(s, 'column', 'public.customers.name_upper')).toMatchObject({
      generated: 'stored',
      default: 'upper(name)',
    })
    expect(find(s, 'sequence', 'billing.invoice_no')).toMatchObject({ type: 'integer', start: '1000', increment: '5' })
    expect(find(s, 'sequence', 'billing.invoices_id_seq')).toMatchObject({ ownedBy: 'billing.invoices.id' })
    expect(find(s, 'table', 'billing.invoices')).toMatchObject({
      type: 'partitioned',
      partitionKey: 'RANGE (issued_at)',
    })
    expect(find(s, 'table', 'billing.invoices_2026')).toMatchObject({
      parents: ['billing.invoices'],
      partitionBound: expect.stringContaining("FROM ('2026-01-01"),
    })
    expect(find(s, 'table', 'public.customers')).toMatchObject({ rowSecurity: true })
    expect(find(s, 'constraint', 'billing.invoices.invoices_customer_id_fkey')).toMatchObject({
      type: 'foreign key',
      definition: 'FOREIGN KEY (customer_id) REFERENCES public.customers(id) ON DELETE CASCADE',
    })
    expect(find(s, 'index', 'public.customers_name_trgm')).toMatchObject({
      table: 'public.customers',
      valid: true,
      definition: expect.stringContaining('USING gin (name public.gin_trgm_ops)'),
    })
    expect(find(s, 'view', 'public.paying')?.['definition']).toContain('public.customers c')
    expect(find(s, 'materialized-view', 'billing.totals')).toBeDefined()
    expect(find(s, 'function', 'public.touch()')?.['definition']).toContain('trim(NEW.name)')
    expect(find(s, 'procedure', 'billing.noop(IN n integer)')).toBeDefined()
    expect(find(s, 'trigger', 'public.customers.customers_touch')?.['definition']).toContain(
      'EXECUTE FUNCTION public.touch()',
    )
    expect(find(s, 'policy', 'public.customers.own_rows')).toMatchObject({ command: 'select', roles: ['public'] })
  })

  it('leaves out extension members, NOT NULL constraint rows and the squizzle system schema', async () => {
    const url = await createTestDatabase(inject('postgresUrl'))
    await query(url, schemaSql)
    const driver = new PostgresDriver({ url })
    await driver.connect()
    try {
      await driver.records.ensureSchema()
      const s = await driver.snapshotSchema()
      expect(
        s.objects.filter(
          (o) =>
            o.name.startsWith('squizzle') || o.name.includes('pg_catalog.') || o.name.includes('information_schema'),
        ),
      ).toEqual([])
      // pg_trgm's functions (similarity, show_trgm, …) belong to the extension.
      expect(s.objects.filter((o) => o.kind === 'function' && o.name.includes('trgm'))).toEqual([])
      expect(s.objects.filter((o) => o.kind === 'constraint' && o.properties['type'] === 'n')).toEqual([])
    } finally {
      await driver.close()
    }
  })

  it('gives byte-identical snapshots for two databases built by the same SQL, whatever the search_path, time zone and date style of the session', async () => {
    const a = await snapshotOf(await createTestDatabase(inject('postgresUrl')), schemaSql)
    const url = await createTestDatabase(inject('postgresUrl'))
    await query(url, schemaSql)
    const b = await snapshotOf(
      `${url}?options=${encodeURIComponent('-c search_path=billing,public -c timezone=Asia/Tokyo -c datestyle=German')}`,
    )
    expect(serializeSnapshot(b).equals(serializeSnapshot(a))).toBe(true)
  })

  it('sees a manual change as exactly one difference', async () => {
    const url = await createTestDatabase(inject('postgresUrl'))
    const before = await snapshotOf(url, schemaSql)
    const after = await snapshotOf(url, "ALTER TABLE public.customers ALTER COLUMN name SET DEFAULT 'anon'")
    expect(diffSnapshots(before, after)).toEqual([
      {
        change: 'changed',
        kind: 'column',
        name: 'public.customers.name',
        properties: [{ property: 'default', from: undefined, to: "'anon'::text" }],
      },
    ])
  })
})

describe('openScratchDatabase', () => {
  it('creates an empty database on a development server and drops it on dispose', async () => {
    const devUrl = inject('postgresUrl')
    const scratch = await openScratchDatabase({ devUrl })
    const name = scratch.label.split(' ')[1]!
    try {
      const s = await scratch.driver.snapshotSchema!()
      expect(s.objects.map((o) => `${o.kind} ${o.name}`)).toEqual(['extension plpgsql', 'schema public'])
      expect(await query(devUrl, `SELECT 1 FROM pg_database WHERE datname = '${name}'`)).toHaveLength(1)
    } finally {
      await scratch.dispose()
    }
    expect(await query(devUrl, `SELECT 1 FROM pg_database WHERE datname = '${name}'`)).toHaveLength(0)
  })

  it('starts and stops an embedded server when no development server is given', async () => {
    const scratch = await openScratchDatabase()
    try {
      expect(scratch.label).toMatch(/^an embedded PostgreSQL server on 127\.0\.0\.1:\d+$/)
      expect((await scratch.driver.snapshotSchema!()).objects.map((o) => o.name)).toEqual(['plpgsql', 'public'])
    } finally {
      await scratch.dispose()
    }
  })
})
