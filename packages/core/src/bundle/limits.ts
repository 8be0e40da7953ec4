/** Upper bounds enforced while opening a bundle; anything beyond is refused, not truncated. */
export interface BundleLimits {
  /** Compressed bundle size. */
  maxBundleBytes: number
  /** Total decompressed size of the tar stream. */
  maxDecompressedBytes: number
  /** Decompressed / compressed, checked once past 1 MiB of output (gzip bombs). */
  maxRatio: number
  maxFiles: number
  maxFileBytes: number
}

/** Defaults generous enough for real seeds, small enough to stop a bomb. */
export const defaultBundleLimits: BundleLimits = {
  maxBundleBytes: 2 * 1024 ** 3,
  maxDecompressedBytes: 8 * 1024 ** 3,
  // Real SQL compresses at most a few hundred times (repetitive seeds ~300x); only runs
  // of identical bytes approach gzip's ceiling of ~1032x.
  maxRatio: 1000,
  maxFiles: 100_000,
  maxFileBytes: 2 * 1024 ** 3,
}

/**
 * The largest Squizzle manifest (an artifact's config blob) any reader accepts:
 * pull, verify and apply refuse more. `build` checks the same constant and refuses,
 * before storing anything, a version whose manifest would not fit.
 */
export const maxManifestBytes = 4 * 1024 * 1024
