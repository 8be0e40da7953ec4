import { html, type SafeHtml } from './html.js'

export interface PageFrame {
  title: string
  /** Which top-level section the page belongs to, for the navigation's `aria-current`. */
  section: 'releases' | 'targets' | null
  body: SafeHtml
  /** How often the page polls `/api/pulse`, in milliseconds; 0 turns live updates off. */
  pollMs: number
}

const nav = (section: PageFrame['section']) => {
  const link = (href: string, name: PageFrame['section'], label: string) =>
    html`<a href="${href}" ${section === name ? html` aria-current="page"` : ''}>${label}</a>`
  return html`<nav aria-label="Main">
    ${link('/releases', 'releases', 'Releases')}${link('/targets', 'targets', 'Targets')}
  </nav>`
}

/**
 * The page around every view: skip link, header with navigation, the live-update
 * status, the main content (what live updates replace), and the one script and stylesheet.
 *
 * @example
 * ```ts
 * layout({ title: 'Releases', section: 'releases', body: html`<h1>Releases</h1>`, pollMs: 2000 }).value
 * ```
 */
export function layout(frame: PageFrame): SafeHtml {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>${frame.title} · Squizzle console</title>
        <link rel="stylesheet" href="/assets/console.css" />
        <script src="/assets/console.js" defer></script>
      </head>
      <body data-poll-ms="${frame.pollMs}">
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <a class="brand" href="/releases"><span aria-hidden="true">◆</span> Squizzle console</a>
          ${nav(frame.section)}
          <p class="live" id="live" role="status" aria-live="polite">${frame.pollMs > 0 ? 'Live' : ''}</p>
        </header>
        <main id="main" tabindex="-1">${frame.body}</main>
        <footer class="foot">Read-only · self-hosted · no phone-home · <a href="/api">JSON endpoints</a></footer>
      </body>
    </html> `
}
