/** Operations a {@link Remedy} can name: the engine's, the build's, the release ledger's. */
export type RemedyOperation =
  | 'apply'
  | 'rollback'
  | 'repair'
  | 'baseline'
  | 'status'
  | 'drift'
  | 'diff'
  | 'list'
  | 'build'
  | 'sign'
  | 'keygen'
  | 'verify'
  | 'export'
  | 'import'
  | 'ledger.rebuild'
  | 'ledger.verify'

/**
 * A next step, named by what it does rather than by how a front end spells it. Options
 * carry their library names (`Migrator`, `buildVersion`, `repair` options): the CLI
 * renders `{ operation: 'repair', args: ['1.3.0'], options: { mode: 'restart' } }` as
 * `squizzle repair 1.3.0 --restart`, a deploy script reads it as data.
 *
 * @example
 * ```ts
 * throw new SquizzleError('UNCHAINED_VERSION', message, {
 *   hint: 'Rebuild it on top of the current version, or allow unchained versions (audited).',
 *   remedies: [{ operation: 'apply', options: { allowUnchained: true } }],
 * })
 * ```
 */
export interface Remedy {
  operation: RemedyOperation
  /** Positional arguments, e.g. the version. */
  args?: readonly string[]
  /** Options by library name; `true` switches one on, `false` off, a string gives its value. */
  options?: Readonly<Record<string, string | boolean>>
}
