import type { Readable } from 'node:stream'
import type { ContentTarget } from './content-target.js'
import type { Descriptor } from './descriptor.js'

/**
 * A registry seen through a local, digest-addressed cache (e.g. the OCI layout
 * `squizzle pull` fills). Tags, digests of tags and referrers always come from
 * `remote`, so a re-pointed tag is still noticed; only content is read from
 * `cache` when it holds that exact digest. Writes go to `remote` only. Callers
 * verify fetched bytes against the descriptor as for any target, so a corrupt
 * cache fails loudly (`DIGEST_MISMATCH`) instead of being trusted.
 *
 * @example
 * ```ts
 * const storage = createTargetStorage(readThroughCache(registry.target, layout.target))
 * await new Migrator({ storage, driver, toolVersion }).apply() // bytes from the layout when pulled before
 * ```
 */
export function readThroughCache(remote: ContentTarget, cache: ContentTarget): ContentTarget {
  const target: ContentTarget = {
    name: remote.name,
    async fetch(desc: Descriptor): Promise<Readable> {
      // A cache that cannot answer is a cache miss, never a failure of the command.
      const cached = await cache.exists(desc).catch(() => false)
      return cached ? cache.fetch(desc) : remote.fetch(desc)
    },
    push: (desc, content) => remote.push(desc, content),
    exists: (desc) => remote.exists(desc),
    resolve: (reference) => remote.resolve(reference),
    tag: (desc, reference) => remote.tag(desc, reference),
    tags: () => remote.tags(),
  }
  const { delete: remove, referrers, resolveTags } = remote
  if (remove) target.delete = (desc) => remove.call(remote, desc)
  if (resolveTags) target.resolveTags = () => resolveTags.call(remote)
  if (referrers) target.referrers = (subject) => referrers.call(remote, subject)
  return target
}
