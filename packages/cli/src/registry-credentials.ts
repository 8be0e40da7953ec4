import { dockerCredentials, secretsOf, type CredentialSource } from '@squizzle/storage-oci'

/**
 * Where the CLI finds registry credentials, in order: `SQUIZZLE_REGISTRY_USERNAME` +
 * `SQUIZZLE_REGISTRY_PASSWORD`, then the docker config (`$DOCKER_CONFIG` or
 * `~/.docker/config.json`: `credHelpers`, `credsStore`, `auths`). Looked up only
 * when a registry asks; every secret found is handed to `remember` so the
 * reporter scrubs it from all output.
 *
 * @example
 * ```ts
 * const credentials = registryCredentials(io.env, (secrets) => ctx.addSecrets(secrets))
 * ```
 */
export function registryCredentials(env: NodeJS.ProcessEnv, remember: (secrets: string[]) => void): CredentialSource {
  return async (registry) => {
    const username = env['SQUIZZLE_REGISTRY_USERNAME']
    const password = env['SQUIZZLE_REGISTRY_PASSWORD']
    const found = username && password ? { username, password } : await dockerCredentials(registry, { env })
    remember(secretsOf(found))
    return found
  }
}
