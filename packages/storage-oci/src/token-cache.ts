/** Bearer tokens by scope set, each dropped a little before the registry would refuse it. */
export class TokenCache {
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>()

  constructor(private readonly now: () => number = Date.now) {}

  /** The cache key of a scope set: order and duplicates do not matter. */
  static key(scopes: Iterable<string>): string {
    return [...new Set(scopes)].sort().join(' ')
  }

  /** A token that is still valid for exactly these scopes, if any. */
  get(key: string): string | undefined {
    const entry = this.tokens.get(key)
    if (!entry) return undefined
    if (entry.expiresAt <= this.now()) {
      this.tokens.delete(key)
      return undefined
    }
    return entry.token
  }

  /**
   * Stores a token valid for `expiresInSeconds` (60 when the server did not say,
   * as the token spec prescribes), refreshed 10 s early (or at half its life when shorter).
   */
  set(key: string, token: string, expiresInSeconds: number | undefined, issuedAt?: string): void {
    const life = (expiresInSeconds && expiresInSeconds > 0 ? expiresInSeconds : 60) * 1000
    const issued =
      issuedAt && !Number.isNaN(Date.parse(issuedAt)) ? Math.min(Date.parse(issuedAt), this.now()) : this.now()
    this.tokens.set(key, { token, expiresAt: issued + life - Math.min(10_000, life / 2) })
  }

  delete(key: string): void {
    this.tokens.delete(key)
  }

  /** Every token held, for scrubbing error text. */
  values(): string[] {
    return [...this.tokens.values()].map((t) => t.token)
  }
}
