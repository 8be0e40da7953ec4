import { html, type SafeHtml } from '../html.js'

/** Every JSON endpoint, as `/api` lists them (the README documents their fields). */
export const endpoints: readonly { path: string; what: string }[] = [
  { path: '/api/releases?page=N', what: 'a page of the release list, newest first' },
  { path: '/api/releases/{version}', what: 'one release: files, signer, SBOM, provenance, schema diff' },
  { path: '/api/releases/{version}/schema', what: 'the schema snapshot recorded at build' },
  { path: '/api/targets', what: 'every target with its version grid, counts, lock and drift' },
  { path: '/api/targets/{name}', what: 'one target with its run history' },
  { path: '/api/pulse', what: 'a fingerprint that changes when anything shown changes' },
]

/**
 * The list of JSON endpoints.
 *
 * @example
 * ```ts
 * apiIndexPage()
 * ```
 */
export function apiIndexPage(): SafeHtml {
  const rows = endpoints.map(
    (e) =>
      html`<tr>
        <th scope="row"><code>GET ${e.path}</code></th>
        <td>${e.what}</td>
      </tr>`,
  )
  return html`<h1>JSON endpoints</h1>
    <p class="lead">Every page reads one of these; scripts can read the same data.</p>
    <table class="grid">
      <caption>
        Endpoints
      </caption>
      <tbody>
        ${rows}
      </tbody>
    </table>`
}
