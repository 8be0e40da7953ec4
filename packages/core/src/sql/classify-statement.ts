import type { SqlStatement } from './split-statements.js'

/** What a statement means for the transaction it runs in. */
export type StatementClass =
  | { kind: 'plain' }
  /** `BEGIN`/`START TRANSACTION` or `COMMIT`/`END` written in the file. */
  | { kind: 'transaction-control'; action: 'begin' | 'commit' }
  /** Transaction control Squizzle cannot honour inside its own transaction (`ROLLBACK`, `PREPARE TRANSACTION`). */
  | { kind: 'transaction-abort'; what: string }
  /** Cannot run inside a transaction block. */
  | { kind: 'non-transactional'; what: string }
  /** `ALTER TYPE … ADD VALUE`: the new value is unusable until committed. */
  | { kind: 'enum-add-value' }
  /** `COPY … FROM STDIN`: needs client-side data psql would send. */
  | { kind: 'copy-from-stdin' }

/**
 * Classifies a parsed statement by the rules of PostgreSQL's
 * `PreventInTransactionBlock` callers and transaction control.
 *
 * @example
 * ```ts
 * classifyStatement(statements[0]) // { kind: 'non-transactional', what: 'CREATE INDEX CONCURRENTLY' }
 * ```
 */
export function classifyStatement(statement: SqlStatement): StatementClass {
  const n = statement.node
  switch (statement.nodeType) {
    case 'TransactionStmt':
      return classifyTransaction(String(n['kind']), n)
    case 'IndexStmt':
      return n['concurrent'] ? nonTx('CREATE INDEX CONCURRENTLY') : plain
    case 'DropStmt':
      return n['concurrent'] ? nonTx('DROP INDEX CONCURRENTLY') : plain
    case 'ReindexStmt': {
      const params = (n['params'] as { DefElem?: { defname?: string } }[] | undefined) ?? []
      if (params.some((p) => p.DefElem?.defname === 'concurrently')) return nonTx('REINDEX CONCURRENTLY')
      const kind = String(n['kind'])
      return kind === 'REINDEX_OBJECT_SYSTEM' || kind === 'REINDEX_OBJECT_DATABASE'
        ? nonTx('REINDEX SYSTEM/DATABASE')
        : plain
    }
    case 'VacuumStmt':
      return n['is_vacuumcmd'] ? nonTx('VACUUM') : plain
    case 'AlterSystemStmt':
      return nonTx('ALTER SYSTEM')
    case 'CreatedbStmt':
      return nonTx('CREATE DATABASE')
    case 'DropdbStmt':
      return nonTx('DROP DATABASE')
    case 'CreateTableSpaceStmt':
      return nonTx('CREATE TABLESPACE')
    case 'DropTableSpaceStmt':
      return nonTx('DROP TABLESPACE')
    case 'AlterDatabaseStmt':
      return hasOption(n, 'tablespace') ? nonTx('ALTER DATABASE SET TABLESPACE') : plain
    case 'ClusterStmt':
      return n['relation'] ? plain : nonTx('CLUSTER without a table')
    case 'CreateSubscriptionStmt':
      return nonTx('CREATE SUBSCRIPTION')
    case 'DropSubscriptionStmt':
      return nonTx('DROP SUBSCRIPTION')
    case 'AlterSubscriptionStmt':
      return String(n['kind']).includes('REFRESH') ? nonTx('ALTER SUBSCRIPTION … REFRESH PUBLICATION') : plain
    case 'AlterTableStmt':
      return detachesConcurrently(n) ? nonTx('ALTER TABLE … DETACH PARTITION … CONCURRENTLY') : plain
    case 'AlterEnumStmt':
      return n['oldVal'] ? plain : { kind: 'enum-add-value' }
    case 'DiscardStmt':
      return n['target'] === 'DISCARD_ALL' ? nonTx('DISCARD ALL') : plain
    case 'CopyStmt':
      return n['is_from'] && !n['filename'] ? { kind: 'copy-from-stdin' } : plain
    default:
      return plain
  }
}

const plain: StatementClass = { kind: 'plain' }

function nonTx(what: string): StatementClass {
  return { kind: 'non-transactional', what }
}

function classifyTransaction(kind: string, n: Record<string, unknown>): StatementClass {
  // Options Squizzle's own transaction would silently drop are refused, not ignored.
  if (Array.isArray(n['options']) && n['options'].length > 0)
    return { kind: 'transaction-abort', what: 'a transaction with its own isolation level or access mode' }
  if (n['chain'] === true) return { kind: 'transaction-abort', what: 'COMMIT AND CHAIN' }
  switch (kind) {
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START':
      return { kind: 'transaction-control', action: 'begin' }
    case 'TRANS_STMT_COMMIT':
      return { kind: 'transaction-control', action: 'commit' }
    case 'TRANS_STMT_SAVEPOINT':
    case 'TRANS_STMT_RELEASE':
    case 'TRANS_STMT_ROLLBACK_TO':
      return plain
    default:
      return { kind: 'transaction-abort', what: kind.replace('TRANS_STMT_', '').replace(/_/g, ' ') }
  }
}

function hasOption(n: Record<string, unknown>, name: string): boolean {
  const options = (n['options'] as { DefElem?: { defname?: string } }[] | undefined) ?? []
  return options.some((o) => o.DefElem?.defname === name)
}

function detachesConcurrently(n: Record<string, unknown>): boolean {
  const cmds =
    (n['cmds'] as
      { AlterTableCmd?: { subtype?: string; def?: { PartitionCmd?: { concurrent?: boolean } } } }[] | undefined) ?? []
  return cmds.some(
    (c) => c.AlterTableCmd?.subtype === 'AT_DetachPartition' && c.AlterTableCmd.def?.PartitionCmd?.concurrent === true,
  )
}
