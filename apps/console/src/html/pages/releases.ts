import type { ReleasePage, ReleaseSummary } from '../../data/releases.js'
import { segment, shortDigest, signatureBadge, when } from '../components.js'
import { html, type SafeHtml } from '../html.js'

function row(r: ReleaseSummary): SafeHtml {
  return html`<tr>
    <th scope="row"><a href="/releases/${segment(r.version)}">${r.version}</a></th>
    <td>${shortDigest(r.digest)}</td>
    <td>${when(r.created)}</td>
    <td class="notes">${r.notes ?? html`<span class="muted">—</span>`}</td>
    <td>${r.author ?? html`<span class="muted">—</span>`}</td>
    <td class="num">${r.files}</td>
    <td>${signatureBadge(r.signature, true)}</td>
  </tr>`
}

function pager(p: ReleasePage): SafeHtml {
  if (p.pages <= 1) return html``
  const link = (page: number, label: string, rel: string) =>
    page < 1 || page > p.pages
      ? html`<span class="muted">${label}</span>`
      : html`<a rel="${rel}" href="/releases?page=${page}">${label}</a>`
  return html`<nav class="pager" aria-label="Release pages">
    ${link(p.page - 1, '← Newer', 'prev')}
    <span>Page ${p.page} of ${p.pages}</span>${link(p.page + 1, 'Older →', 'next')}
  </nav>`
}

/**
 * The release list: newest first, one page at a time.
 *
 * @example
 * ```ts
 * releasesPage(await releases.page(1, 50), storage.name)
 * ```
 */
export function releasesPage(p: ReleasePage, storageName: string): SafeHtml {
  const first = (p.page - 1) * p.pageSize + 1
  const range = p.total === 0 ? 'none' : `${first}–${first + p.releases.length - 1} of ${p.total}`
  const table =
    p.total === 0
      ? html`<p class="empty">No versions stored yet. Build one with <code>squizzle build</code>.</p>`
      : html`<div class="scroll">
          <table class="grid">
            <caption>
              Releases ${range}, newest first
            </caption>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Digest</th>
                <th scope="col">Created</th>
                <th scope="col">Notes</th>
                <th scope="col">Author</th>
                <th scope="col" class="num">Files</th>
                <th scope="col">Signature</th>
              </tr>
            </thead>
            <tbody>
              ${p.releases.map(row)}
            </tbody>
          </table>
        </div>`
  return html`<h1>Releases</h1>
    <p class="lead">
      Every version in <code>${storageName}</code>. Signatures are verified against the configured trust policy.
    </p>
    ${table}${pager(p)}`
}
