import { join } from 'node:path'
import { query } from '@squizzle/testkit'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createConsoleServer, type ConsoleServer } from '../src/index.js'
import { artifactsDir, browserAvailable, chromiumPath } from './support/browser.js'
import { releaseFixture, type ReleaseFixture } from './support/releases.js'
import { applyTo, databaseWithPassword, dbPassword, postgresTarget } from './support/targets.js'

// The console in a real browser (Debian's chromium through playwright-core), over real
// embedded PostgreSQL databases and an OCI layout with versions signed by a release key.

let fx: ReleaseFixture
let console_: ConsoleServer
let browser: Browser
let page: Page
let shots: string
const urls: Record<string, string> = {}

const open = async (path: string) => {
  const res = await page.goto(`${console_.url}${path}`)
  expect(res?.status()).toBe(200)
}
const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true })

describe.skipIf(!browserAvailable())('the console in a browser', () => {
  beforeAll(async () => {
    const serverUrl = inject('postgresUrl')
    fx = await releaseFixture(serverUrl, [
      {
        version: '1.0.0',
        files: { 'migrations/001_users.sql': 'CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);' },
        author: 'ana',
        notes: 'Users',
      },
      {
        version: '1.1.0',
        files: {
          'migrations/002_orders.sql':
            'CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users);\n' +
            'CREATE INDEX orders_user ON orders (user_id);',
        },
        author: 'bo',
        notes: 'Orders <b>and</b> their index',
      },
      {
        version: '1.2.0',
        files: { 'migrations/003_audit.sql': 'CREATE TABLE audit_log (id bigint, at timestamptz);' },
        author: 'cy',
      },
    ])
    for (const name of ['production', 'drifted', 'failing', 'live']) urls[name] = await databaseWithPassword(serverUrl)
    await applyTo(urls['production']!, fx.storage, fx.policy)
    await applyTo(urls['drifted']!, fx.storage, fx.policy, '1.1.0')
    await query(urls['drifted']!, 'ALTER TABLE users ADD COLUMN added_by_hand text')
    // A table made by hand makes 1.2.0's CREATE TABLE fail on this target only.
    await query(urls['failing']!, 'CREATE TABLE audit_log (id int)')
    await applyTo(urls['failing']!, fx.storage, fx.policy).catch(() => undefined)
    const targets = Object.entries(urls).map(([name, url]) => postgresTarget(name, url))
    console_ = await createConsoleServer({
      storage: fx.storage,
      policy: fx.policy,
      targets,
      secrets: [dbPassword],
      port: 0,
      pollMs: 300,
    })
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu'] })
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    shots = await artifactsDir()
  })
  afterAll(async () => {
    await browser?.close()
    await console_?.close()
    await fx?.dispose()
  })

  it('lists the releases with their verified signer', async () => {
    await open('/releases')
    const rows = page.locator('table.grid tbody tr')
    expect(await rows.count()).toBe(3)
    expect(await rows.nth(0).locator('th').innerText()).toBe('1.2.0')
    expect(await rows.nth(1).innerText()).toContain(`verified by key ${fx.keyId.slice(0, 16)}…`)
    expect(await rows.nth(1).innerText()).toContain('Orders <b>and</b> their index')
    await shot('releases')
  })

  it('shows a release with its signer, provenance and schema diff to the previous version', async () => {
    await open('/releases')
    await page.getByRole('link', { name: '1.1.0', exact: true }).click()
    await page.waitForURL('**/releases/1.1.0')
    const main = page.locator('main')
    expect(await page.locator('h1').innerText()).toBe('Release 1.1.0')
    expect(await main.innerText()).toContain(`verified by key ${fx.keyId}`)
    expect(await main.innerText()).toContain('every byte verified')
    const diff = await page.locator('ul.diff').innerText()
    expect(diff).toMatch(/added\s+table\s+public\.orders/i)
    expect(diff).toMatch(/added\s+index\s+public\.orders_user/i)
    expect(await main.innerText()).toContain('3f2a9c1d0b8e7f6a5c4d3e2f1a0b9c8d7e6f5a4b')
    await shot('release')
  })

  it('browses the schema of a version', async () => {
    await open('/releases/1.1.0/schema')
    const text = await page.locator('main').innerText()
    expect(text).toContain('public.orders')
    expect(text).toContain('Indexes')
    expect(text).toContain('public.orders_user')
    await shot('schema')
  })

  it('shows the targets grid with drift and failure', async () => {
    await open('/targets')
    const row = (name: string) => page.locator('tbody tr', { has: page.getByRole('link', { name, exact: true }) })
    expect(await row('production').innerText()).toContain('applied')
    expect(await row('drifted').innerText()).toContain('drifted')
    expect(await row('failing').innerText()).toContain('failed')
    expect(await page.content()).not.toContain(dbPassword)
    await shot('targets')
  })

  it('shows drift on a target whose schema was changed by hand, as a readable diff', async () => {
    await open('/targets/drifted')
    const drift = await page.locator('section[aria-labelledby="drift"]').innerText()
    expect(drift).toContain('drifted')
    expect(drift).toMatch(/added\s+column\s+public\.users\.added_by_hand/i)
    await shot('target-drift')
  })

  it('shows a failed run with its error', async () => {
    await open('/targets/failing')
    const failed = page.locator('tr.failed').first()
    const text = await failed.innerText()
    expect(text).toContain('1.2.0')
    expect(text).toContain('audit_log')
    expect(text).toMatch(/already exists/)
    await shot('target-failed')
  })

  it('shows an apply started elsewhere without a reload', async () => {
    await open('/targets/live')
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true))
    expect(await page.locator('main').innerText()).toContain('No runs recorded')
    await applyTo(urls['live']!, fx.storage, fx.policy, '1.0.0')
    await page.locator('tbody tr', { hasText: '1.0.0' }).waitFor({ timeout: 60_000 })
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true)
    expect(await page.locator('#live').innerText()).toContain('Updated')
    await shot('target-live')
  })

  it('is keyboard navigable: the first Tab reaches the skip link, which moves focus to the content', async () => {
    await open('/releases')
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content')
    await page.keyboard.press('Enter')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main')
  })

  it('follows the dark colour scheme', async () => {
    const dark = await browser.newPage({ colorScheme: 'dark', viewport: { width: 1280, height: 900 } })
    try {
      await dark.goto(`${console_.url}/targets`)
      const bg = await dark.evaluate(() => getComputedStyle(document.body).backgroundColor)
      expect(bg).toBe('rgb(20, 23, 27)')
      await dark.screenshot({ path: join(shots, 'targets-dark.png'), fullPage: true })
    } finally {
      await dark.close()
    }
  })

  it('loads no inline script or style: the page works under its Content-Security-Policy', async () => {
    const violations: string[] = []
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text())
    })
    await open('/releases/1.1.0')
    await page.waitForTimeout(500)
    expect(violations).toEqual([])
  })
})
