import type { ReleaseDetail } from '../../data/releases.js'
import { segment, shortDigest, signatureBadge, when } from '../components.js'
import { html, type SafeHtml } from '../html.js'
import { schemaDiff } from '../schema-diff.js'

const dash = html`<span class="muted">—</span>`
const field = (term: string, value: SafeHtml | string | null) =>
  html`<dt>${term}</dt>
    <dd>${value ?? dash}</dd>`

function facts(r: ReleaseDetail): SafeHtml {
  const integrity = r.integrity.ok
    ? html`<span class="badge s-applied"><span aria-hidden="true">✓</span> every byte verified</span>`
    : html`<span class="badge s-failed"><span aria-hidden="true">✗</span> ${r.integrity.code}</span>
        ${r.integrity.message}`
  const previous = r.previousVersion
    ? html`<a href="/releases/${segment(r.previousVersion)}">${r.previousVersion}</a>`
    : null
  return html`<dl class="facts">
    ${field('Digest', html`<code>${r.digest}</code>`)}${field('Created', when(r.created))}
    ${field('Author', r.author)}${field('Notes', r.notes)}${field('Built on', previous)}
    ${field('Signature', signatureBadge(r.signature))}${field('Integrity', integrity)}
    ${field('Transactions', `one per ${r.transactionScope}${r.irreversible ? ' · irreversible' : ''}`)}
  </dl>`
}

function evidence(r: ReleaseDetail): SafeHtml {
  const p = r.provenance
  const provenance = p
    ? html`<dl class="facts">
        ${field('Builder', p.builder)}${field('Repository', p.repository)}
        ${field('Commit', p.commit ? html`<code>${p.commit}</code>` : null)}${field('Ref', p.ref)}
        ${field('Statement', p.signed ? 'inside the signature' : 'unsigned statement')}
      </dl>`
    : html`<p class="muted">No provenance attached.</p>`
  const s = r.sbom
  const types = s
    ? Object.entries(s.byType)
        .map(([t, n]) => `${n} ${t}`)
        .join(', ')
    : ''
  const sbom = s
    ? html`<dl class="facts">
        ${field('Format', `CycloneDX ${s.specVersion ?? ''}`)}
        ${field('Components', `${s.components}${types ? ` (${types})` : ''}`)}
        ${field('Tools', s.tools.join(', ') || null)}
      </dl>`
    : html`<p class="muted">No SBOM attached.</p>`
  return html`<section aria-labelledby="prov">
      <h2 id="prov">Provenance</h2>
      ${provenance}
    </section>
    <section aria-labelledby="sbom">
      <h2 id="sbom">SBOM</h2>
      ${sbom}
    </section>`
}

function files(r: ReleaseDetail): SafeHtml {
  const rows = r.fileList.map(
    (f) =>
      html`<tr>
        <th scope="row"><code>${f.path}</code></th>
        <td>${f.kind}</td>
        <td class="num">${f.size}</td>
        <td>${f.transaction ? 'yes' : html`<strong>no</strong>`}</td>
        <td><code class="digest" title="${f.sha256}">${f.sha256.slice(0, 12)}</code></td>
      </tr>`,
  )
  return html`<section aria-labelledby="files">
    <h2 id="files">Files</h2>
    <div class="scroll">
      <table class="grid">
        <caption>
          ${r.fileList.length} files in the bundle
        </caption>
        <thead>
          <tr>
            <th scope="col">Path</th>
            <th scope="col">Kind</th>
            <th scope="col" class="num">Bytes</th>
            <th scope="col">In a transaction</th>
            <th scope="col">SHA-256</th>
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>
    </div>
  </section>`
}

function diff(r: ReleaseDetail): SafeHtml {
  const d = r.diff
  if (!d)
    return html`<section aria-labelledby="diff">
      <h2 id="diff">Schema diff</h2>
      <p class="muted">The first version: nothing to compare with.</p>
    </section>`
  const schema = d.schema
    ? schemaDiff(d.schema, 'The schema is unchanged.')
    : html`<p class="muted">Not available: built without a schema snapshot (${d.missingSnapshots.join(', ')}).</p>`
  return html`<section aria-labelledby="diff">
    <h2 id="diff">Schema diff from <a href="/releases/${segment(d.from)}">${d.from}</a></h2>
    ${schema}
  </section>`
}

/**
 * A release: facts, signer, provenance, SBOM, files and the schema diff to the previous version.
 *
 * @example
 * ```ts
 * releasePage(await releases.detail('1.2.0'))
 * ```
 */
export function releasePage(r: ReleaseDetail): SafeHtml {
  return html`<nav class="crumbs" aria-label="Breadcrumb">
      <a href="/releases">Releases</a> <span aria-hidden="true">/</span> ${r.version}
    </nav>
    <h1>Release ${r.version}</h1>
    <p>
      <a href="/releases/${segment(r.version)}/schema">Browse the schema of ${r.version}</a> · ${shortDigest(r.digest)}
    </p>
    ${facts(r)}${diff(r)}${evidence(r)}${files(r)}`
}
