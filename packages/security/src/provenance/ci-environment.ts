/** Where and from what a build ran, as far as the environment tells. */
export interface BuildEnvironment {
  /** Identifies the build platform (SLSA `builder.id`). */
  builderId: string
  /** Source repository URI, e.g. `git+https://github.com/acme/app`. */
  repository?: string
  /** The git ref built, e.g. `refs/tags/v1.4.0`. */
  ref?: string
  /** The git commit built. */
  commit?: string
  /** The CI run, so an auditor can find its logs. */
  invocationId?: string
}

/** Used when no CI is detected: a build on someone's machine with the Squizzle CLI. */
export const localBuilderId = 'https://squizzle.dev/builders/cli/v1'

/**
 * Reads the build's source and CI run from well-known CI variables (GitHub
 * Actions, GitLab CI); on a workstation only the builder id is known.
 *
 * @example
 * ```ts
 * buildEnvironment(process.env) // { builderId: 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1', commit: '7fd1…', … }
 * ```
 */
export function buildEnvironment(env: Record<string, string | undefined>): BuildEnvironment {
  if (env['GITHUB_ACTIONS'] === 'true' && env['GITHUB_REPOSITORY']) {
    const server = env['GITHUB_SERVER_URL'] ?? 'https://github.com'
    const repo = `${server}/${env['GITHUB_REPOSITORY']}`
    return compact({
      builderId: env['GITHUB_WORKFLOW_REF'] ? `${server}/${env['GITHUB_WORKFLOW_REF']}` : `${repo}/actions`,
      repository: `git+${repo}`,
      ref: env['GITHUB_REF'],
      commit: env['GITHUB_SHA'],
      invocationId: env['GITHUB_RUN_ID']
        ? `${repo}/actions/runs/${env['GITHUB_RUN_ID']}/attempts/${env['GITHUB_RUN_ATTEMPT'] ?? '1'}`
        : undefined,
    })
  }
  if (env['GITLAB_CI'] === 'true' && env['CI_PROJECT_URL']) {
    return compact({
      builderId: `${env['CI_SERVER_URL'] ?? 'https://gitlab.com'}/gitlab-ci`,
      repository: `git+${env['CI_PROJECT_URL']}`,
      ref: env['CI_COMMIT_REF_NAME'],
      commit: env['CI_COMMIT_SHA'],
      invocationId: env['CI_JOB_URL'],
    })
  }
  return { builderId: localBuilderId }
}

function compact(e: { [K in keyof BuildEnvironment]: BuildEnvironment[K] | undefined }): BuildEnvironment {
  return Object.fromEntries(
    Object.entries(e).filter(([, v]) => v !== undefined && v !== ''),
  ) as unknown as BuildEnvironment
}
