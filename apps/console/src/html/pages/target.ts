import type { RunRow, TargetDetail } from '../../data/targets.js'
import { cellBadge, segment, shortDigest, when } from '../components.js'
import { html, type SafeHtml } from '../html.js'
import { schemaDiff } from '../schema-diff.js'

function lock(t: TargetDetail): SafeHtml {
  if (!t.lock)
    return html`<p>
      <span class="badge s-none"><span aria-hidden="true">○</span> free</span> nobody holds the migration lock.
    </p>`
  const app = t.lock.applicationName ? ` (${t.lock.applicationName})` : ''
  return html`<p>
    <span class="badge s-pending"><span aria-hidden="true">◐</span> held</span> by pid
    ${t.lock.pid}${app}${t.lock.user ? ` as ${t.lock.user}` : ''} since ${when(t.lock.since)}
  </p>`
}

function drift(t: TargetDetail): SafeHtml {
  if (t.driftError)
    return html`<p><span class="badge s-failed">✗ ${t.driftError.code}</span> ${t.driftError.message}</p>`
  const d = t.drift
  if (!d || d.status === 'no-version')
    return html`<p class="muted">No version applied yet: nothing to compare with.</p>`
  if (d.status === 'no-snapshot') return html`<p class="muted">${d.version} was built without a schema snapshot.</p>`
  if (d.status === 'clean') {
    return html`<p>
      <span class="badge s-applied"><span aria-hidden="true">✓</span> no drift</span> the schema matches ${d.version}.
    </p>`
  }
  const servers =
    d.expectedServer !== d.liveServer
      ? html`<p class="muted">
          The snapshot was taken on PostgreSQL ${d.expectedServer}, the database runs ${d.liveServer}.
        </p>`
      : html``
  const n = d.differences.length
  return html`<p>
      ${cellBadge('drifted')} ${n} difference${n === 1 ? '' : 's'} from the schema recorded for ${d.version} (+ only in
      the database, − missing from it).
    </p>
    ${servers}${schemaDiff(d.differences, '')}`
}

function run(r: RunRow): SafeHtml {
  const status =
    r.status === 'success'
      ? html`<span class="badge s-applied"><span aria-hidden="true">✓</span> success</span>`
      : cellBadge('failed')
  const error = r.error
    ? html`<div class="error">
        <code>${r.error.code}</code>
        <pre>${r.error.message}</pre>
      </div>`
    : html``
  return html`<tr class="${r.status === 'failed' ? 'failed' : ''}">
    <td>${when(r.startedAt)}</td>
    <td>${r.operation}</td>
    <th scope="row"><a href="/releases/${segment(r.version)}">${r.version}</a></th>
    <td>${status}${error}</td>
    <td>
      ${r.actor}
      <div class="muted small">${r.host}${r.databaseUser ? ` · db user ${r.databaseUser}` : ''}</div>
    </td>
    <td>${shortDigest(r.digest)}</td>
    <td class="num">${r.durationMs} ms</td>
  </tr>`
}

function history(t: TargetDetail): SafeHtml {
  if (t.history.length === 0) return html`<p class="muted">No runs recorded.</p>`
  return html`<div class="scroll">
    <table class="grid">
      <caption>
        ${t.history.length} runs, newest first
      </caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Operation</th>
          <th scope="col">Version</th>
          <th scope="col">Outcome</th>
          <th scope="col">Who</th>
          <th scope="col">Digest</th>
          <th scope="col" class="num">Duration</th>
        </tr>
      </thead>
      <tbody>
        ${t.history.map(run)}
      </tbody>
    </table>
  </div>`
}

/**
 * A target: current version, lock holder, drift as a diff, and its run history.
 *
 * @example
 * ```ts
 * targetPage(await reader.detail(target))
 * ```
 */
export function targetPage(t: TargetDetail): SafeHtml {
  const crumbs = html`<nav class="crumbs" aria-label="Breadcrumb">
    <a href="/targets">Targets</a> <span aria-hidden="true">/</span> ${t.name}
  </nav>`
  const head = html`${crumbs}
    <h1>Target ${t.name}</h1>
    <p class="lead"><code>${t.location}</code></p>`
  if (t.error)
    return html`${head}
      <p><span class="badge s-failed">✗ unreachable</span> <code>${t.error.code}</code> ${t.error.message}</p>`
  return html`${head}
    <dl class="facts">
      <dt>Current version</dt>
      <dd>${t.current ?? 'none'}</dd>
    </dl>
    <section aria-labelledby="lock">
      <h2 id="lock">Lock</h2>
      ${lock(t)}
    </section>
    <section aria-labelledby="drift">
      <h2 id="drift">Drift</h2>
      ${drift(t)}
    </section>
    <section aria-labelledby="runs">
      <h2 id="runs">Run history</h2>
      ${history(t)}
    </section>`
}
