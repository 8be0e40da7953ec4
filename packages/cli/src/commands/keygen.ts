import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { SquizzleError } from '@squizzle/core'
import { generateSigningKey, passphraseEnvVar } from '@squizzle/security'
import type { Command } from './command.js'

export const keygenCommand: Command = {
  name: 'keygen',
  summary: 'Create an ECDSA P-256 signing key pair (private key encrypted with a passphrase)',
  usage: 'squizzle keygen [--out PREFIX]',
  details: [
    `--out PREFIX     write PREFIX.key (private, mode 600) and PREFIX.pub (default: squizzle)`,
    `The passphrase comes from ${passphraseEnvVar} (at least 8 characters); nothing is prompted.`,
    'Existing files are never overwritten. Put the .pub path in trust.publicKeys, the .key path in signing.key.',
  ],
  examples: [
    `${passphraseEnvVar}=… squizzle keygen --out keys/release`,
    `${passphraseEnvVar}=… squizzle keygen --json`,
  ],
  options: { out: { type: 'string' } },
  async run(ctx, args) {
    if (args.positionals.length > 0)
      throw new SquizzleError('USAGE', 'keygen takes no arguments', {
        hint: 'Example: squizzle keygen --out keys/release',
      })
    const passphrase = ctx.io.env[passphraseEnvVar] ?? ''
    if (passphrase) ctx.addSecret(passphrase)
    const prefix = resolve(ctx.io.cwd, (args.values['out'] as string | undefined) ?? 'squizzle')
    const pair = generateSigningKey(passphrase)
    const files = { privateKey: `${prefix}.key`, publicKey: `${prefix}.pub` }
    // Like `ssh-keygen -f` users expect `--out keys/release` to work in a fresh checkout; a new folder is private to its owner.
    await mkdir(dirname(prefix), { recursive: true, mode: 0o700 }).catch(() => undefined)
    await writeNew(files.privateKey, pair.privateKeyPem, 0o600)
    await writeNew(files.publicKey, pair.publicKeyPem, 0o644)
    const r = ctx.reporter
    r.line(`${r.colors.green('✓')} key ${pair.keyId}`)
    r.line(`  private (encrypted): ${files.privateKey}  -> signing.key`)
    r.line(`  public:              ${files.publicKey}  -> trust.publicKeys`)
    r.json({ keyId: pair.keyId, ...files })
    return 0
  },
}

async function writeNew(path: string, text: string, mode: number): Promise<void> {
  try {
    await writeFile(path, text, { flag: 'wx', mode })
  } catch (cause) {
    const exists = (cause as NodeJS.ErrnoException).code === 'EEXIST'
    throw new SquizzleError('USAGE', exists ? `${path} already exists` : `${path} cannot be written`, {
      hint: exists
        ? 'Keygen never overwrites a key. Choose another --out prefix, or remove the old pair on purpose.'
        : 'Check that the folder exists and is writable.',
      cause,
    })
  }
}
