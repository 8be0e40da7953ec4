import { evidenceOptions } from '../security/evidence-options.js'
import { signerFor } from '../security/signer-for.js'
import { oneVersion } from '../args.js'
import type { Command } from './command.js'

export const signCommand: Command = {
  name: 'sign',
  summary: 'Sign a stored version (SLSA provenance in a Sigstore bundle) and attach it with its SBOM',
  usage: 'squizzle sign <version>',
  details: [
    'Signs an in-toto statement naming the bundle and the manifest by SHA-256, with a SLSA v1 provenance predicate.',
    'Key-based (signing.key or SQUIZZLE_SIGNING_KEY, passphrase in SQUIZZLE_SIGNING_KEY_PASSPHRASE): fully offline.',
    'Keyless (signing.method: keyless): Fulcio + Rekor (+ TSA when signing.tsaUrl is set); token from ' +
      'SIGSTORE_ID_TOKEN or GitHub Actions OIDC.',
    'With signer: { use, options } in the config, that signer plugin signs instead (a KMS, an HSM).',
    'The integrity of the version is checked before it is signed (exit 3 when it fails).',
  ],
  examples: ['SQUIZZLE_SIGNING_KEY_PASSPHRASE=… squizzle sign 1.2.0', 'squizzle sign 1.2.0 --env production --json'],
  options: {},
  async run(ctx, args) {
    const version = oneVersion(args.positionals, 'sign')
    const storage = await ctx.openStorage()
    const signer = await signerFor(ctx)
    const { attachReleaseEvidence, KeySigner } = await import('@squizzle/security')
    const { ref } = await attachReleaseEvidence({ storage, version, ...evidenceOptions(ctx, signer) })
    const plugin = ctx.settings.signer?.use
    const method = plugin ? 'plugin' : signer instanceof KeySigner ? 'key' : 'keyless'
    const keyId = !plugin && signer instanceof KeySigner ? signer.keyId : undefined
    const how = plugin ? `with the signer plugin ${plugin}` : keyId ? `with key ${keyId}` : 'keyless'
    const r = ctx.reporter
    r.line(`${r.colors.green('✓')} signed ${version} (${ref.digest}) ${how}`)
    const who = { ...(keyId ? { keyId } : {}), ...(plugin ? { signer: plugin } : {}) }
    r.json({ version, digest: ref.digest, signed: true, method, ...who })
    return 0
  },
}
