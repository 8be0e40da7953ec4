import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeTestVersion } from '@squizzle/core/testing'
import { createFilesystemStorage, OciLayoutTarget } from '../src/index.js'
import { ingestName, staleIngestMs } from '../src/ingest-files.js'
import { tempLayout, type TempLayout } from './helpers.js'

/** A real process that stays alive until killed: the stand-in for a writer in another process. */
function otherProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve(child))
    child.once('error', reject)
  })
}

async function killed(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGKILL')
  await exited
}

describe('leftovers in ingest/', () => {
  let tmp: TempLayout
  let ingest: string
  const children: ChildProcess[] = []
  beforeEach(async () => {
    tmp = await tempLayout()
    ingest = join(tmp.layout, 'ingest')
    await createFilesystemStorage(tmp.layout).push(await makeTestVersion('1.0.0'))
  })
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) await killed(child)
    }
    await tmp.cleanup()
  })

  it('removes the partial file of a writer that was killed, on the next use of the layout', async () => {
    const writer = await otherProcess()
    children.push(writer)
    const partial = ingestName('', writer.pid)
    await writeFile(join(ingest, partial), 'half a bundle')
    // While the writer lives, its file is left alone, whoever looks.
    await new OciLayoutTarget(tmp.layout).resolve('1.0.0')
    expect(await readdir(ingest)).toContain(partial)

    await killed(writer)
    await new OciLayoutTarget(tmp.layout).resolve('1.0.0')
    expect(await readdir(ingest)).not.toContain(partial)
  })

  it('removes files untouched for longer than the bound, and keeps recent ones of unknown writers', async () => {
    await mkdir(ingest, { recursive: true })
    await writeFile(join(ingest, 'old-foreign-tool-file'), 'x')
    await writeFile(join(ingest, 'new-foreign-tool-file'), 'x')
    const past = new Date(Date.now() - staleIngestMs - 60_000)
    await utimes(join(ingest, 'old-foreign-tool-file'), past, past)
    await createFilesystemStorage(tmp.layout).list()
    expect((await readdir(ingest)).sort()).toEqual(['new-foreign-tool-file'])
  })

  it('leaves nothing behind in ingest/ after normal pushes', async () => {
    const storage = createFilesystemStorage(tmp.layout)
    await storage.push(await makeTestVersion('1.1.0', {}, { previousVersion: '1.0.0' }))
    expect(await readdir(ingest)).toEqual([])
  })
})
