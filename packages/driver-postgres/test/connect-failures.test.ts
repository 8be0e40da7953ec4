import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer, type Server } from 'node:net'
import { isSquizzleError, notReadyReason } from '@squizzle/core'
import { createTestDatabase } from '@squizzle/testkit'
import { describe, expect, inject, it } from 'vitest'
import { freePort, startEmbeddedPostgres } from '../src/embedded.js'
import { PostgresDriver } from '../src/index.js'

// Which connection failures mean "not up yet" (worth retrying) is the driver's call;
// core's connectWithRetry only reads the mark.

async function connectError(url: string): Promise<unknown> {
  const driver = new PostgresDriver({ url })
  return driver.connect().then(
    () => driver.close().then(() => new Error('connected')),
    (e: unknown) => e,
  )
}

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve(server))
  })
}

describe('connection failures', () => {
  it('marks a refused connection as not ready yet (retryable)', async () => {
    const err = await connectError(`postgres://postgres:x@127.0.0.1:${await freePort()}/postgres`)
    expect(isSquizzleError(err) && err.code).toBe('CONNECTION_FAILED')
    expect(notReadyReason(err)).toBe('starting')
  })

  it('marks an unresolvable host name as unresolved (retried only briefly)', async () => {
    const err = await connectError('postgres://postgres:x@no-such-host.invalid:5432/postgres')
    expect(notReadyReason(err)).toBe('unresolved')
  })

  it('never marks a wrong password or an unknown database as retryable', async () => {
    const url = new URL(await createTestDatabase(inject('postgresUrl')))
    const wrongPassword = new URL(url)
    wrongPassword.password = 'wrong-password'
    const unknownDatabase = new URL(url)
    unknownDatabase.pathname = '/no_such_database'
    for (const u of [wrongPassword, unknownDatabase]) {
      const err = await connectError(u.toString())
      expect(isSquizzleError(err) && err.code).toBe('CONNECTION_FAILED')
      expect(notReadyReason(err)).toBeNull()
    }
  })
})

describe('startEmbeddedPostgres', () => {
  it('reports a port that is already in use as PORT_IN_USE', async () => {
    const port = await freePort()
    const taken = await listen(port)
    try {
      const err = await startEmbeddedPostgres({ port }).then(
        async (server) => {
          await server.stop()
          return new Error('started')
        },
        (e: unknown) => e,
      )
      expect(isSquizzleError(err) && err.code).toBe('PORT_IN_USE')
      expect(isSquizzleError(err) && err.details).toEqual({ port })
    } finally {
      await new Promise((resolve) => taken.close(resolve))
    }
  })

  it('refuses the port of a running PostgreSQL server the same way', async () => {
    const port = Number(new URL(inject('postgresUrl')).port)
    const err = await startEmbeddedPostgres({ port }).catch((e: unknown) => e)
    expect(isSquizzleError(err) && err.code).toBe('PORT_IN_USE')
  })

  // Only root runs the server as another user (postgres); elsewhere the folder is the caller's own.
  const asRoot = process.getuid?.() === 0
  it.skipIf(!asRoot)('as root, names a private folder above the data that postgres cannot enter', async () => {
    const closed = await mkdtemp(join(tmpdir(), 'squizzle-private-')) // mode 0700
    try {
      const err = await startEmbeddedPostgres({ dataDir: join(closed, 'project', 'pg') }).then(
        async (server) => {
          await server.stop()
          return new Error('started')
        },
        (e: unknown) => e,
      )
      expect(isSquizzleError(err) && err.code).toBe('CONNECTION_FAILED')
      expect(isSquizzleError(err) && err.details).toEqual({ path: closed })
      expect(isSquizzleError(err) && err.hint).toContain(`chmod o+x ${closed}`)
    } finally {
      await rm(closed, { recursive: true, force: true })
    }
  })
})
