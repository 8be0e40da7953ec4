import { createHash } from 'node:crypto'
import { isSquizzleError } from '@squizzle/core'
import type { ReleaseReader } from './data/releases.js'
import type { TargetReader } from './data/targets.js'
import type { SafeHtml } from './html/html.js'
import { apiIndexPage, endpoints } from './html/pages/api-index.js'
import { notFoundPage } from './html/pages/not-found.js'
import { releasePage } from './html/pages/release.js'
import { releasesPage } from './html/pages/releases.js'
import { schemaPage } from './html/pages/schema.js'
import { targetPage } from './html/pages/target.js'
import { targetsPage } from './html/pages/targets.js'

/** What a route produced: the same data as a page and as JSON. */
export interface View {
  status: number
  title: string
  section: 'releases' | 'targets' | null
  body: SafeHtml
  json: unknown
}

export interface ViewContext {
  releases: ReleaseReader
  targets: TargetReader
  storageName: string
  pageSize: number
}

/** How many of the newest versions the targets grid shows as columns. */
const gridColumns = 12

const notFound = (message: string, code = 'NOT_FOUND'): View => ({
  status: 404,
  title: 'Not found',
  section: null,
  body: notFoundPage(message),
  json: { error: { code, message } },
})

async function releaseView(ctx: ViewContext, version: string, schema: boolean): Promise<View> {
  try {
    if (schema) {
      const snapshot = await ctx.releases.schema(version)
      return {
        status: 200,
        title: `Schema of ${version}`,
        section: 'releases',
        body: schemaPage(version, snapshot),
        json: { version, snapshot },
      }
    }
    const detail = await ctx.releases.detail(version)
    return { status: 200, title: `Release ${version}`, section: 'releases', body: releasePage(detail), json: detail }
  } catch (err) {
    if (isSquizzleError(err) && (err.code === 'VERSION_NOT_FOUND' || err.code === 'VERSION_INVALID')) {
      return notFound(`version ${version} is not stored`, 'VERSION_NOT_FOUND')
    }
    throw err
  }
}

async function targetsView(ctx: ViewContext): Promise<View> {
  const [overviews, versions] = await Promise.all([
    Promise.all(ctx.targets.targets.map((t) => ctx.targets.overview(t))),
    ctx.releases.versions(),
  ])
  const columns = versions.slice(0, gridColumns)
  const body = targetsPage(overviews, columns, versions.length)
  return { status: 200, title: 'Targets', section: 'targets', body, json: { versions: columns, targets: overviews } }
}

async function targetView(ctx: ViewContext, name: string): Promise<View> {
  const target = ctx.targets.find(name)
  if (!target) return notFound(`target ${name} is not configured`, 'TARGET_NOT_FOUND')
  const detail = await ctx.targets.detail(target)
  return { status: 200, title: `Target ${name}`, section: 'targets', body: targetPage(detail), json: detail }
}

/**
 * A fingerprint of everything the pages show that can change: the stored versions and,
 * per target, its runs and lock. Pages poll it and reload their content when it changes.
 *
 * @example
 * ```ts
 * (await pulse(ctx)).fingerprint // 'a3f9…'
 * ```
 */
export async function pulse(ctx: ViewContext): Promise<{ fingerprint: string }> {
  const parts = [(await ctx.releases.versions()).join(',')]
  for (const t of ctx.targets.targets) parts.push(`${t.name}=${await ctx.targets.pulse(t)}`)
  return { fingerprint: createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32) }
}

const decode = (s: string): string | null => {
  try {
    return decodeURIComponent(s)
  } catch {
    return null
  }
}

/**
 * The view for a path (without `/api`), or null when no route matches.
 *
 * @example
 * ```ts
 * const view = await routeView(ctx, '/releases/1.2.0', new URLSearchParams())
 * ```
 */
export async function routeView(ctx: ViewContext, path: string, query: URLSearchParams): Promise<View | null> {
  const parts = path.split('/').filter(Boolean).map(decode)
  if (parts.some((p) => p === null)) return notFound('malformed address')
  const [section, name, sub, ...rest] = parts as string[]
  if (rest.length > 0) return null
  if (section === 'releases' && name === undefined) {
    const page = Number.parseInt(query.get('page') ?? '1', 10)
    const data = await ctx.releases.page(Number.isFinite(page) ? page : 1, ctx.pageSize)
    return {
      status: 200,
      title: 'Releases',
      section: 'releases',
      body: releasesPage(data, ctx.storageName),
      json: data,
    }
  }
  if (section === 'releases' && name !== undefined && (sub === undefined || sub === 'schema')) {
    return releaseView(ctx, name, sub === 'schema')
  }
  if (section === 'targets' && sub === undefined) return name === undefined ? targetsView(ctx) : targetView(ctx, name)
  return null
}

/**
 * The `/api` index, as a page and as JSON.
 *
 * @example
 * ```ts
 * apiIndexView().json // { endpoints: [...] }
 * ```
 */
export const apiIndexView = (): View => ({
  status: 200,
  title: 'JSON endpoints',
  section: null,
  body: apiIndexPage(),
  json: { endpoints },
})

/**
 * A view for an address no route matches.
 *
 * @example
 * ```ts
 * unknownView('/nope').status // 404
 * ```
 */
export const unknownView = (path: string): View => notFound(`nothing at ${path}`)
