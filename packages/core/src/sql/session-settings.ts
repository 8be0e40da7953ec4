import type { SqlStatement } from './split-statements.js'

// `SET TRANSACTION …` configures only the transaction it runs in (none, in a
// non-transactional file): nothing of the session to restore.
const transactionOnly = new Set(['TRANSACTION', 'TRANSACTION SNAPSHOT'])
const falseWords = new Set(['false', 'f', 'off', 'no', 'n', '0'])
// A SELECT with any of these does more than call set_config, or may call it many times.
const otherClauses = [
  'fromClause',
  'whereClause',
  'groupClause',
  'havingClause',
  'withClause',
  'valuesLists',
  'larg',
  'intoClause',
]

type FuncCall = { funcname?: { String?: { sval?: string } }[]; args?: Record<string, unknown>[] }
type Constant = { boolval?: { boolval?: boolean }; sval?: { sval?: string } }

/**
 * True when the statement only changes session settings: `SET` / `RESET`
 * (not `SET LOCAL`, not `SET TRANSACTION`), or a `SELECT` of nothing but
 * `set_config(name, value, false)` calls. A resumed non-transactional file runs
 * these again before it continues, so it sees the session it set up.
 *
 * @example
 * ```ts
 * const [set, select] = await splitStatements("SET search_path = app; SELECT set_config('a.b', 'x', false);")
 * changesSessionOnly(set!) && changesSessionOnly(select!) // true
 * ```
 */
export function changesSessionOnly(statement: SqlStatement): boolean {
  const n = statement.node
  if (statement.nodeType === 'VariableSetStmt') {
    return n['is_local'] !== true && !transactionOnly.has(String(n['name'] ?? ''))
  }
  if (statement.nodeType === 'SelectStmt') return isSetConfigSelect(n)
  return false
}

function isSetConfigSelect(n: Record<string, unknown>): boolean {
  if (otherClauses.some((c) => n[c] !== undefined)) return false
  const targets = (n['targetList'] as { ResTarget?: { val?: Record<string, unknown> } }[] | undefined) ?? []
  return targets.length > 0 && targets.every((t) => isSessionSetConfig(t.ResTarget?.val))
}

function isSessionSetConfig(val: Record<string, unknown> | undefined): boolean {
  const call = val?.['FuncCall'] as FuncCall | undefined
  const name = call?.funcname?.map((p) => p.String?.sval).join('.')
  if (name !== 'set_config' && name !== 'pg_catalog.set_config') return false
  return call?.args?.length === 3 && isFalse(call.args[2]!)
}

function isFalse(arg: Record<string, unknown>): boolean {
  const cast = arg['TypeCast'] as { arg?: Record<string, unknown> } | undefined
  const constant = (arg['A_Const'] ?? cast?.arg?.['A_Const']) as Constant | undefined
  if (constant?.boolval !== undefined) return constant.boolval.boolval !== true
  return constant?.sval?.sval !== undefined && falseWords.has(constant.sval.sval.trim().toLowerCase())
}
