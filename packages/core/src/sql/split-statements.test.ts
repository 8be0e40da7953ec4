import { describe, expect, it } from 'vitest'
import { isSquizzleError } from '../errors/squizzle-error.js'
import { splitStatements, type SqlStatement } from './split-statements.js'

/** CPU time (ms) this process spent since `from`: the work done, however busy the machine is. */
const cpuMsSince = (from: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(from)
  return (used.user + used.system) / 1000
}

const brief = (statements: SqlStatement[]): [number, string, string][] =>
  statements.map((s) => [s.line, s.nodeType, s.text])

async function parseErrorOf(
  sql: string,
  path = 'migrations/001.sql',
): Promise<{ code: string; details?: Record<string, unknown> }> {
  try {
    await splitStatements(sql, path)
  } catch (err) {
    if (isSquizzleError(err)) return err
    throw err
  }
  throw new Error('expected a SquizzleError')
}

describe('splitStatements', () => {
  it('splits statements, giving each its text without the semicolon, its line, node type and index', async () => {
    const statements = await splitStatements(
      'CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n\n\nSELECT 1',
      'm.sql',
    )
    expect(brief(statements)).toEqual([
      [1, 'CreateStmt', 'CREATE TABLE t (id int)'],
      [2, 'InsertStmt', 'INSERT INTO t VALUES (1)'],
      [5, 'SelectStmt', 'SELECT 1'],
    ])
    expect(statements.map((s) => s.index)).toEqual([0, 1, 2])
    expect(statements[0]!.node).toHaveProperty('relation')
  })

  it('counts a statement’s line from its first token, not from leading comments', async () => {
    const statements = await splitStatements('SELECT 1;\n-- comment\n/* block\n comment */\n  SELECT 2;')
    expect(brief(statements)[1]).toEqual([5, 'SelectStmt', 'SELECT 2'])
  })

  it('keeps semicolons inside dollar quotes', async () => {
    const sql = 'DO $$ BEGIN PERFORM 1; PERFORM 2; END $$;\nSELECT $tag$ a; $$ b; $tag$;'
    expect(brief(await splitStatements(sql))).toEqual([
      [1, 'DoStmt', 'DO $$ BEGIN PERFORM 1; PERFORM 2; END $$'],
      [2, 'SelectStmt', 'SELECT $tag$ a; $$ b; $tag$'],
    ])
  })

  it('keeps semicolons inside nested block comments and line comments', async () => {
    const sql = '/* outer /* inner; */ still comment; */ SELECT 1;\n-- SELECT 2;\nSELECT 3;'
    expect(brief(await splitStatements(sql)).map(([line, type]) => [line, type])).toEqual([
      [1, 'SelectStmt'],
      [3, 'SelectStmt'],
    ])
  })

  it("keeps semicolons inside E'' strings with escaped quotes, and in standard strings with doubled quotes", async () => {
    const sql = "SELECT E'it\\'s; \\\\ fine';\nSELECT 'it''s; fine';\nSELECT 3;"
    const statements = await splitStatements(sql)
    expect(brief(statements)).toEqual([
      [1, 'SelectStmt', "SELECT E'it\\'s; \\\\ fine'"],
      [2, 'SelectStmt', "SELECT 'it''s; fine'"],
      [3, 'SelectStmt', 'SELECT 3'],
    ])
  })

  it('keeps a function body with semicolons in one statement', async () => {
    const fn = `CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  NEW.updated_at := now();
  IF NEW.id IS NULL THEN RAISE EXCEPTION 'no id; refused'; END IF;
  RETURN NEW;
END;
$body$`
    const statements = await splitStatements(
      `${fn};\nCREATE TRIGGER t BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();`,
    )
    expect(brief(statements)).toEqual([
      [1, 'CreateFunctionStmt', fn],
      [8, 'CreateTrigStmt', 'CREATE TRIGGER t BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch()'],
    ])
  })

  it('keeps a SQL-standard BEGIN ATOMIC … END body in one statement', async () => {
    const fn = 'CREATE FUNCTION two() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT 2;\nEND'
    const statements = await splitStatements(`${fn};\nSELECT two();`)
    expect(brief(statements)).toEqual([
      [1, 'CreateFunctionStmt', fn],
      [6, 'SelectStmt', 'SELECT two()'],
    ])
  })

  it('slices multi-byte UTF-8 text exactly and counts lines after it', async () => {
    const sql = "INSERT INTO t VALUES ('é日本語');\nCOMMENT ON TABLE t IS '😀 emoji; 🎉';\n  SELECT 'ünï';\nSELECT 4;"
    expect(brief(await splitStatements(sql))).toEqual([
      [1, 'InsertStmt', "INSERT INTO t VALUES ('é日本語')"],
      [2, 'CommentStmt', "COMMENT ON TABLE t IS '😀 emoji; 🎉'"],
      [3, 'SelectStmt', "SELECT 'ünï'"],
      [4, 'SelectStmt', 'SELECT 4'],
    ])
  })

  it.each(['', '   \n\t\n', '-- nothing here\n', '/* nor /* here */ */', ';', ';;\n;'])(
    'returns no statements for %j',
    async (sql) => {
      expect(await splitStatements(sql)).toEqual([])
    },
  )

  it('accepts Windows line endings', async () => {
    expect(brief(await splitStatements('SELECT 1;\r\nSELECT 2;\r\n'))).toEqual([
      [1, 'SelectStmt', 'SELECT 1'],
      [2, 'SelectStmt', 'SELECT 2'],
    ])
  })
})

describe('splitStatements errors', () => {
  it('throws SQL_PARSE_ERROR with the path and the line of the bad token', async () => {
    const err = await parseErrorOf('SELECT 1;\nSELECT 2;\nSELEC 3;\nSELECT 4;', 'migrations/007.sql')
    expect(err.code).toBe('SQL_PARSE_ERROR')
    expect(err.details).toEqual({ path: 'migrations/007.sql', line: 3 })
  })

  it('gives line 1 for an error in the first token', async () => {
    expect((await parseErrorOf('SELEC 1;\nSELECT 2;')).details?.['line']).toBe(1)
  })

  it('counts the line right after multi-byte text (PostgreSQL reports positions in characters)', async () => {
    const after = Array.from({ length: 40 }, (_, i) => `SELECT ${i};`).join('\n')
    const sql = `SELECT '${'日本語'.repeat(10)}${'😀'.repeat(20)}';\nSELEC 2;\n${after}`
    expect((await parseErrorOf(sql)).details?.['line']).toBe(2)
  })

  it('reports an unterminated string or an unfinished statement at the end', async () => {
    expect((await parseErrorOf("SELECT 1;\nSELECT 'abc")).details?.['line']).toBe(2)
    expect((await parseErrorOf('SELECT 1;\nSELECT (1,\n2')).code).toBe('SQL_PARSE_ERROR')
  })
})

describe('splitStatements on files over 1 MiB (parsed in chunks)', () => {
  /** Statements that stress the chunk cuts, with the text and line each must get. */
  function generate(targetChars: number): { sql: string; expected: [number, string][] } {
    const kinds = [
      (i: number) => `INSERT INTO t (id, note) VALUES (${i}, 'it''s; fine ${i}')`,
      (i: number) => `INSERT INTO t (id, note) VALUES (${i}, E'esc\\'aped; ${i}')`,
      (i: number) =>
        `CREATE FUNCTION f${i}() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  PERFORM 1; PERFORM 2;\n  RETURN ${i};\nEND;\n$$`,
      (i: number) => `CREATE FUNCTION g${i}() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT ${i};\nEND`,
      (i: number) => `/* c; /* nested; */ ; */ UPDATE t SET note = '日本語 ${i} 😀' WHERE id = ${i}`,
    ]
    const parts: string[] = []
    const expected: [number, string][] = []
    let line = 1
    let size = 0
    for (let i = 0; size < targetChars; i++) {
      const text = kinds[i % kinds.length]!(i)
      const comment = text.startsWith('/*') ? text.slice(0, text.indexOf('*/ UPDATE') + 3) : ''
      expected.push([line, text.slice(comment.length)])
      const part = `${text};\n`
      parts.push(part)
      line += part.split('\n').length - 1
      size += part.length
    }
    return { sql: parts.join(''), expected }
  }

  it('gives the same statements, texts and lines as generated', async () => {
    const { sql, expected } = generate(2.5 * 1024 * 1024)
    const statements = await splitStatements(sql, 'seed/big.sql')
    expect(statements.length).toBe(expected.length)
    expect(statements.map((s) => [s.line, s.text])).toEqual(expected)
  })

  it('takes more text, quickly, when a chunk cut falls inside a long BEGIN ATOMIC body', async () => {
    const filler = 'INSERT INTO t VALUES (1);\n'
    const head = filler.repeat(Math.floor((1024 * 1024 - 500) / filler.length))
    const body = Array.from({ length: 300 }, (_, i) => `  SELECT ${i};`).join('\n')
    const fn = `CREATE FUNCTION long_body() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n${body}\nEND`
    const sql = `${head}${fn};\nSELECT 'after';\n`
    expect(head.length).toBeLessThan(1024 * 1024)
    expect(head.length + fn.length).toBeGreaterThan(1024 * 1024)
    const started = process.cpuUsage()
    const statements = await splitStatements(sql)
    expect(cpuMsSince(started)).toBeLessThan(10_000)
    const headCount = head.split('\n').length - 1
    expect(statements.length).toBe(headCount + 2)
    expect(statements[headCount]).toMatchObject({ nodeType: 'CreateFunctionStmt', text: fn, line: headCount + 1 })
    expect(statements[headCount + 1]).toMatchObject({ text: "SELECT 'after'", line: headCount + 304 })
  })

  it('reports a syntax error in a later chunk with its line in the file', async () => {
    const lines = Array.from({ length: 60_000 }, (_, i) => `INSERT INTO t VALUES (${i}, 'row ${i}');`)
    lines[50_000] = 'INSERT INTO t VALUES (1,;'
    const err = await parseErrorOf(lines.join('\n'), 'seed/big.sql')
    expect(err.code).toBe('SQL_PARSE_ERROR')
    expect(err.details).toEqual({ path: 'seed/big.sql', line: 50_001 })
  })

  it('reports a syntax error early in a large file at once, without re-parsing the rest statement by statement', async () => {
    const lines = Array.from({ length: 60_000 }, (_, i) => `INSERT INTO t VALUES (${i}, 'row ${i}');`)
    lines[100] = 'INSERT INTO t VALUES (1,;'
    const started = process.cpuUsage()
    expect((await parseErrorOf(lines.join('\n'))).details?.['line']).toBe(101)
    expect(cpuMsSince(started)).toBeLessThan(10_000)
  })

  it('splits a large file of dollar-quoted functions in about the time of one parse', async () => {
    const fns = Array.from(
      { length: 6000 },
      (_, i) =>
        `CREATE FUNCTION f${i}() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  PERFORM 1; PERFORM 2; PERFORM 3; PERFORM 4;\n  RETURN ${i};\nEND;\n$$;\nINSERT INTO t VALUES ('a; b; ${i}');`,
    )
    const started = process.cpuUsage()
    const statements = await splitStatements(fns.join('\n'))
    expect(statements.length).toBe(12_000)
    expect(statements.at(-1)!.line).toBe(6000 * 7)
    expect(cpuMsSince(started)).toBeLessThan(10_000)
  })
})
