import type { CellStatus } from '../data/targets.js'
import type { SignatureStatus } from '../data/signature.js'
import { html, type SafeHtml } from './html.js'

/** Glyph and label per status: shape and text carry the meaning, colour only repeats it. */
const cellLabels: Record<CellStatus | 'none', { glyph: string; label: string }> = {
  applied: { glyph: '✓', label: 'applied' },
  pending: { glyph: '○', label: 'pending' },
  failed: { glyph: '✗', label: 'failed' },
  drifted: { glyph: '≈', label: 'drifted' },
  tampered: { glyph: '!', label: 'tampered' },
  none: { glyph: '–', label: 'not stored' },
}

/**
 * A status badge (glyph + word, coloured by a class).
 *
 * @example
 * ```ts
 * cellBadge('failed') // <span class="badge s-failed">✗ failed</span>
 * ```
 */
export function cellBadge(status: CellStatus | 'none'): SafeHtml {
  const { glyph, label } = cellLabels[status]
  return html`<span class="badge s-${status}"><span aria-hidden="true">${glyph}</span> ${label}</span>`
}

const signatureLabels: Record<SignatureStatus['status'], { glyph: string; label: string; tone: string }> = {
  verified: { glyph: '✓', label: 'verified', tone: 'applied' },
  unsigned: { glyph: '○', label: 'unsigned', tone: 'none' },
  invalid: { glyph: '✗', label: 'invalid', tone: 'failed' },
  unchecked: { glyph: '?', label: 'signed, not checked', tone: 'pending' },
}

/** Who signed: a key's id (shortened in tables, whole in its tooltip) or a keyless subject and issuer. */
function signerText(signer: NonNullable<SignatureStatus['signer']>, short: boolean): SafeHtml {
  if (signer.method === 'keyless') return html`${signer.subject}${signer.issuer ? ` (${signer.issuer})` : ''}`
  const id = short && signer.subject.length > 16 ? `${signer.subject.slice(0, 16)}…` : signer.subject
  return html`key <code title="${signer.subject}">${id}</code>`
}

/**
 * The signature status with who signed, as verified against the trust policy; `short`
 * shortens a key id for tables.
 *
 * @example
 * ```ts
 * signatureBadge(summary.signature, true)
 * ```
 */
export function signatureBadge(signature: SignatureStatus, short = false): SafeHtml {
  const { glyph, label, tone } = signatureLabels[signature.status]
  const who = signature.signer ? html` <span class="signer">by ${signerText(signature.signer, short)}</span>` : ''
  const why = signature.message ? html` title="${signature.code}: ${signature.message}"` : ''
  return html`<span class="badge s-${tone}" ${why}><span aria-hidden="true">${glyph}</span> ${label}</span>${who}`
}

/**
 * A digest shortened for tables, the whole one in a tooltip and for copying.
 *
 * @example
 * ```ts
 * shortDigest('sha256:0123456789abcdef…') // <code title="sha256:…">sha256:0123456789ab</code>
 * ```
 */
export function shortDigest(digest: string | null): SafeHtml {
  if (!digest) return html`<span class="muted">—</span>`
  return html`<code class="digest" title="${digest}">${digest.slice(0, 19)}</code>`
}

/**
 * A timestamp in a `<time>` element, shown as UTC date and time.
 *
 * @example
 * ```ts
 * when('2026-01-02T03:04:05.000Z') // <time datetime="…">2026-01-02 03:04:05</time>
 * ```
 */
export function when(iso: string | null): SafeHtml {
  if (!iso) return html`<span class="muted">—</span>`
  return html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')} UTC</time>`
}

/**
 * Encodes a path segment (versions and target names appear in links).
 *
 * @example
 * ```ts
 * segment('eu west') // 'eu%20west'
 * ```
 */
export const segment = (value: string): string => encodeURIComponent(value)
