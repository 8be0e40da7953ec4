import { describe, expect, it } from 'vitest'
import type { FileKind, ManifestFile } from '../manifest/manifest.js'
import { codeOf } from '../test-support/code-of.js'
import { assertReversibility } from './reversibility.js'

const file = (path: string): ManifestFile => ({ path, kind: path.split('/')[0] as FileKind, size: 1, sha256: '0'.repeat(64), transaction: true })

describe('assertReversibility', () => {
  it('accepts a version that carries rollback SQL', () => {
    expect(() => assertReversibility([file('migrations/1.sql'), file('rollback/1.sql')], false, '1.0.0')).not.toThrow()
  })

  it('refuses a version without rollback SQL (ROLLBACK_MISSING) unless marked irreversible', () => {
    expect(codeOf(() => assertReversibility([file('migrations/1.sql'), file('seed/1.sql')], false, '1.0.0'))).toBe('ROLLBACK_MISSING')
    expect(() => assertReversibility([file('drizzle/0000_x.sql')], true, '1.0.0')).not.toThrow()
  })

  it('refuses rollback SQL in a version marked irreversible (USAGE)', () => {
    expect(codeOf(() => assertReversibility([file('migrations/1.sql'), file('rollback/1.sql')], true, '1.0.0'))).toBe('USAGE')
  })

  it('accepts a version made only of rollback files (undo scripts added for an earlier version)', () => {
    expect(() => assertReversibility([file('rollback/1.sql')], false, '1.0.1')).not.toThrow()
  })
})
