import { spawn } from 'node:child_process'
import { redactSecrets, SquizzleError } from '@squizzle/core'
import type { RegistryCredentials } from './credentials.js'

const helperTimeoutMs = 30_000
const maxOutputBytes = 1024 * 1024

/**
 * Asks a docker credential helper (`docker-credential-<name> get`) for the
 * credentials of `serverAddress`, the way the docker CLI does: the address on
 * stdin, JSON `{ServerURL, Username, Secret}` on stdout. Run with an argument
 * list, never a shell. Returns `undefined` when the helper has none.
 *
 * @example
 * ```ts
 * const creds = await runCredentialHelper('desktop', 'ghcr.io', process.env)
 * ```
 */
export async function runCredentialHelper(
  name: string,
  serverAddress: string,
  env: NodeJS.ProcessEnv,
): Promise<RegistryCredentials | undefined> {
  if (!/^[a-zA-Z0-9_.-]+$/.test(name)) {
    throw new SquizzleError('REGISTRY_UNAUTHORIZED', `"${name}" is not a credential helper name`, {
      hint: 'Fix credsStore / credHelpers in your docker config.json.',
    })
  }
  const program = `docker-credential-${name}`
  const { code, stdout, stderr } = await run(program, serverAddress, env)
  const out = stdout.trim()
  if (code !== 0) {
    if (/credentials not found/i.test(out) || /credentials not found/i.test(stderr)) return undefined
    throw new SquizzleError('REGISTRY_UNAUTHORIZED', `${program} failed for ${serverAddress} (exit ${code})`, {
      hint: `Run \`echo ${serverAddress} | ${program} get\` to see why, or log in again with docker login.`,
    })
  }
  let reply: { Username?: unknown; Secret?: unknown }
  try {
    reply = JSON.parse(out) as typeof reply
  } catch {
    throw new SquizzleError(
      'REGISTRY_UNAUTHORIZED',
      `${program} printed something that is not JSON for ${serverAddress}`,
      {
        hint: 'The helper must print {"ServerURL","Username","Secret"}; check its version.',
      },
    )
  }
  const username = typeof reply.Username === 'string' ? reply.Username : ''
  const secret = typeof reply.Secret === 'string' ? reply.Secret : ''
  if (!secret) return undefined
  // The docker convention: a username of "<token>" marks the secret as an identity (refresh) token.
  return username === '<token>' ? { identityToken: secret } : { username, password: secret }
}

function run(
  program: string,
  input: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['get'], { env, stdio: ['pipe', 'pipe', 'pipe'], timeout: helperTimeoutMs })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < maxOutputBytes) stdout += d.toString('utf8')
    })
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < maxOutputBytes) stderr += d.toString('utf8')
    })
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(
        new SquizzleError(
          'REGISTRY_UNAUTHORIZED',
          `cannot run ${program}: ${err.code === 'ENOENT' ? 'not found on PATH' : err.message}`,
          {
            hint: `Install ${program}, or remove it from credsStore / credHelpers in your docker config.json.`,
          },
        ),
      )
    })
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr: redactSecrets(stderr, [stdout]) }))
    child.stdin.on('error', () => undefined) // a helper that exits without reading stdin is reported through its exit code
    child.stdin.end(input)
  })
}
