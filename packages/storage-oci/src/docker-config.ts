import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { SquizzleError } from '@squizzle/core'
import { runCredentialHelper } from './credential-helper.js'
import type { RegistryCredentials } from './credentials.js'

interface AuthEntry {
  auth?: string
  username?: string
  password?: string
  identitytoken?: string
  registrytoken?: string
}

interface DockerConfig {
  auths?: Record<string, AuthEntry>
  credsStore?: string
  credHelpers?: Record<string, string>
}

/** Docker Hub is stored under its legacy index address whatever name the user typed. */
const dockerHubKey = 'https://index.docker.io/v1/'
const dockerHubNames = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io'])

/**
 * Credentials for `registry` from the docker CLI's `config.json`
 * (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`), in docker's order:
 * `credHelpers[host]`, then `credsStore`, then `auths` (exact key first, then any
 * key whose host matches once scheme and path are stripped). `undefined` when the
 * file or an entry is missing.
 *
 * @example
 * ```ts
 * const creds = await dockerCredentials('ghcr.io', { env: process.env })
 * ```
 */
export async function dockerCredentials(
  registry: string,
  options: { env: NodeJS.ProcessEnv },
): Promise<RegistryCredentials | undefined> {
  const dir = options.env['DOCKER_CONFIG'] || join(options.env['HOME'] || homedir(), '.docker')
  const file = join(dir, 'config.json')
  const config = await readConfig(file)
  if (!config) return undefined
  const key = dockerHubNames.has(registry) ? dockerHubKey : registry
  const helper = config.credHelpers?.[key] ?? config.credHelpers?.[registry] ?? config.credsStore
  if (helper) {
    const fromHelper = await runCredentialHelper(helper, key, options.env)
    if (fromHelper) return fromHelper
  }
  const entry = config.auths?.[key] ?? Object.entries(config.auths ?? {}).find(([k]) => hostOf(k) === hostOf(key))?.[1]
  return entry ? fromEntry(entry, file) : undefined
}

async function readConfig(file: string): Promise<DockerConfig | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return undefined
  }
  try {
    const parsed = JSON.parse(text) as unknown
    if (typeof parsed === 'object' && parsed !== null) return parsed as DockerConfig
  } catch {
    // fall through to the error below
  }
  throw new SquizzleError('REGISTRY_UNAUTHORIZED', `${file} is not valid JSON`, {
    hint: 'Fix or remove the docker config file, or set DOCKER_CONFIG to another folder.',
  })
}

function fromEntry(entry: AuthEntry, file: string): RegistryCredentials | undefined {
  if (entry.registrytoken) return { registryToken: entry.registrytoken }
  if (entry.identitytoken) return { identityToken: entry.identitytoken }
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon < 0) {
      throw new SquizzleError('REGISTRY_UNAUTHORIZED', `an "auth" entry in ${file} is not base64 of user:password`, {
        hint: 'Log in again with docker login.',
      })
    }
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
  }
  if (entry.username && entry.password) return { username: entry.username, password: entry.password }
  return undefined
}

/** `https://reg.io:5000/v1/` and `reg.io:5000` name the same registry. */
function hostOf(key: string): string {
  return key
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase()
}
