import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { readSmall } from './read-stream.js'

describe('readSmall', () => {
  it('reads a stream within the limit into one buffer', async () => {
    const bytes = await readSmall(Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]), 7, 'manifest')
    expect(bytes.toString('utf8')).toBe('{"a":1}')
  })

  it('refuses a stream over the limit (BUNDLE_LIMIT_EXCEEDED) and stops reading it', async () => {
    let pulled = 0
    const endless = new Readable({
      read() {
        pulled++
        this.push(Buffer.alloc(1024))
      },
    })
    await expect(readSmall(endless, 4096, 'manifest')).rejects.toMatchObject({ code: 'BUNDLE_LIMIT_EXCEEDED' })
    expect(endless.destroyed).toBe(true)
    expect(pulled).toBeLessThan(100)
  })
})
