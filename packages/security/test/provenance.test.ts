import { describe, expect, it } from 'vitest'
import { artifactSubjects, buildEnvironment, localBuilderId, provenanceStatement, statement } from '../src/index.js'
import { storedVersion } from './support/statement.js'

describe('SLSA provenance', () => {
  it('names the bundle layer and the Squizzle manifest as subjects, and every file as an input', async () => {
    const { ref, manifest } = await storedVersion('2.0.0', {
      'migrations/001.sql': 'CREATE TABLE a (id int);',
      'seed/001.sql': 'INSERT INTO a VALUES (1);',
    })
    const s = provenanceStatement(ref, manifest, buildEnvironment({}))
    expect(s._type).toBe('https://in-toto.io/Statement/v1')
    expect(s.predicateType).toBe('https://slsa.dev/provenance/v1')
    expect(s.subject).toEqual(artifactSubjects(ref, manifest))
    expect(s.subject[0]).toEqual({ name: 'squizzle-2.0.0.tar.gz', digest: { sha256: ref.bundleDigest.slice(7) } })
    expect(s.subject[1]?.name).toBe('squizzle-2.0.0.manifest.json')
    expect(s.predicate.buildDefinition.resolvedDependencies.map((d) => d.name)).toEqual([
      'migrations/001.sql',
      'seed/001.sql',
    ])
    expect(s.predicate.runDetails.builder).toEqual({ id: localBuilderId, version: { squizzle: '0.0.0-test' } })
  })

  it('records the source repository, commit and CI run on GitHub Actions', async () => {
    const { ref, manifest } = await storedVersion()
    const env = buildEnvironment({
      GITHUB_ACTIONS: 'true',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_WORKFLOW_REF: 'acme/app/.github/workflows/release.yml@refs/tags/v1',
      GITHUB_REF: 'refs/tags/v1',
      GITHUB_SHA: '7fd1a60b01f91b314f59955a4e4d4e80d8edf11d',
      GITHUB_RUN_ID: '42',
    })
    expect(env).toEqual({
      builderId: 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1',
      repository: 'git+https://github.com/acme/app',
      ref: 'refs/tags/v1',
      commit: '7fd1a60b01f91b314f59955a4e4d4e80d8edf11d',
      invocationId: 'https://github.com/acme/app/actions/runs/42/attempts/1',
    })
    const s = provenanceStatement(ref, manifest, env)
    expect(s.predicate.buildDefinition.resolvedDependencies[0]).toEqual({
      uri: 'git+https://github.com/acme/app@refs/tags/v1',
      digest: { gitCommit: env.commit },
    })
    expect(s.predicate.runDetails.metadata.invocationId).toBe(env.invocationId)
  })

  it('records GitLab CI runs, and a bare GitHub repository without workflow or run', () => {
    expect(
      buildEnvironment({
        GITLAB_CI: 'true',
        CI_PROJECT_URL: 'https://gitlab.com/acme/app',
        CI_COMMIT_SHA: 'abc',
        CI_COMMIT_REF_NAME: 'main',
        CI_JOB_URL: 'https://gitlab.com/acme/app/-/jobs/1',
      }),
    ).toEqual({
      builderId: 'https://gitlab.com/gitlab-ci',
      repository: 'git+https://gitlab.com/acme/app',
      ref: 'main',
      commit: 'abc',
      invocationId: 'https://gitlab.com/acme/app/-/jobs/1',
    })
    expect(buildEnvironment({ GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/app' })).toEqual({
      builderId: 'https://github.com/acme/app/actions',
      repository: 'git+https://github.com/acme/app',
    })
  })

  it('builds plain statements', () => {
    expect(statement([], 'https://example.com/p', { a: 1 })).toEqual({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [],
      predicateType: 'https://example.com/p',
      predicate: { a: 1 },
    })
  })
})
