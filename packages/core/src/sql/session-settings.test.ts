import { describe, expect, it } from 'vitest'
import { changesSessionOnly } from './session-settings.js'
import { splitStatements } from './split-statements.js'

async function classify(sql: string): Promise<boolean[]> {
  return (await splitStatements(sql)).map(changesSessionOnly)
}

describe('changesSessionOnly', () => {
  it('recognises SET, SET … TO DEFAULT, RESET and RESET ALL at session level', async () => {
    const sql =
      'SET search_path = app; SET lock_timeout TO DEFAULT; RESET search_path; RESET ALL;\n' +
      "SET TIME ZONE 'UTC'; SET ROLE app_owner;"
    expect(await classify(sql)).toEqual([true, true, true, true, true, true])
  })

  it('leaves out SET LOCAL and SET TRANSACTION, which outlive no transaction', async () => {
    const sql = "SET LOCAL lock_timeout = '1s'; SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;"
    expect(await classify(sql)).toEqual([false, false])
  })

  it('recognises a SELECT of set_config(…, false) only', async () => {
    expect(
      await classify(
        [
          "SELECT set_config('search_path', 'app', false)",
          "SELECT pg_catalog.set_config('a.b', 'x', 'off'), set_config('a.c', 'y', false::boolean)",
          "SELECT set_config('a.b', 'x', true)",
          "SELECT set_config('a.b', 'x', false), nextval('s')",
          "SELECT set_config(name, 'x', false) FROM settings",
          'SELECT 1',
        ].join(';\n'),
      ),
    ).toEqual([true, true, false, false, false, false])
  })

  it('leaves out everything else', async () => {
    const sql = 'CREATE TABLE t (id int); DO $$ BEGIN PERFORM set_config($a$x.y$a$, $a$1$a$, false); END $$;'
    expect(await classify(sql)).toEqual([false, false])
  })
})
