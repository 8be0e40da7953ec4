import { html, type SafeHtml } from '../html.js'

/**
 * The 404 page: what was not found and where to look instead.
 *
 * @example
 * ```ts
 * notFoundPage('version 9.9.9 is not stored')
 * ```
 */
export function notFoundPage(what: string): SafeHtml {
  return html`<h1>Not found</h1>
    <p>${what}.</p>
    <p><a href="/releases">All releases</a> · <a href="/targets">All targets</a></p>`
}
