import { hostname, userInfo } from 'node:os'

/** Who runs an operation and where: recorded in history and audit rows. */
export interface Actor {
  user: string
  host: string
}

/**
 * The current actor: the CI identity when one is known, else the OS user.
 *
 * @example
 * ```ts
 * currentActor() // { user: 'alice', host: 'build-7' }
 * ```
 */
export function currentActor(env: NodeJS.ProcessEnv = process.env): Actor {
  const ci = env['GITHUB_ACTOR'] ?? env['GITLAB_USER_LOGIN'] ?? env['BUILDKITE_BUILD_CREATOR'] ?? env['SQUIZZLE_ACTOR']
  let user = ci
  if (!user) {
    try {
      user = userInfo().username
    } catch {
      user = env['USER'] ?? 'unknown'
    }
  }
  return { user, host: hostname() }
}
