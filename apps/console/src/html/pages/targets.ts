import type { CellStatus, TargetOverview } from '../../data/targets.js'
import { cellBadge, segment } from '../components.js'
import { html, type SafeHtml } from '../html.js'

const countOrder: CellStatus[] = ['applied', 'pending', 'failed', 'drifted', 'tampered']

function counts(t: TargetOverview): SafeHtml {
  return html`<ul class="counts" aria-label="Counts for ${t.name}">
    ${countOrder
      .filter((s) => t.counts[s] > 0)
      .map((s) => html`<li>${cellBadge(s)} <strong>${t.counts[s]}</strong></li>`)}
  </ul>`
}

function row(t: TargetOverview, versions: readonly string[]): SafeHtml {
  const name = html`<th scope="row">
    <a href="/targets/${segment(t.name)}">${t.name}</a>
    <div class="muted small">${t.location}</div>
  </th>`
  if (t.error) {
    return html`<tr>
      ${name}
      <td colspan="${versions.length + 2}">
        <span class="badge s-failed"><span aria-hidden="true">✗</span> unreachable</span>
        <code>${t.error.code}</code> ${t.error.message}
      </td>
    </tr>`
  }
  const cells = versions.map((v) => html`<td>${cellBadge(t.versions[v] ?? 'none')}</td>`)
  return html`<tr>
    ${name}
    <td>${t.current ?? html`<span class="muted">none</span>`}</td>
    <td>${counts(t)}</td>
    ${cells}
  </tr>`
}

/**
 * The grid of targets × versions (newest versions first), with counts per target.
 *
 * @example
 * ```ts
 * targetsPage(await Promise.all(targets.map((t) => reader.overview(t))), ['1.1.0', '1.0.0'], 2)
 * ```
 */
export function targetsPage(targets: readonly TargetOverview[], versions: readonly string[], total: number): SafeHtml {
  if (targets.length === 0) {
    return html`<h1>Targets</h1>
      <p class="empty">
        No database configured. Set <code>database.url</code> in the config (per environment) or
        <code>DATABASE_URL</code>.
      </p>`
  }
  const more = total > versions.length ? ` (the newest ${versions.length} of ${total})` : ''
  const heads = versions.map((v) => html`<th scope="col"><a href="/releases/${segment(v)}">${v}</a></th>`)
  return html`<h1>Targets</h1>
    <p class="lead">Each configured target against each stored version${more}.</p>
    <div class="scroll">
      <table class="grid matrix">
        <caption>
          Targets × versions
        </caption>
        <thead>
          <tr>
            <th scope="col">Target</th>
            <th scope="col">Current</th>
            <th scope="col">Counts</th>
            ${heads}
          </tr>
        </thead>
        <tbody>
          ${targets.map((t) => row(t, versions))}
        </tbody>
      </table>
    </div>`
}
