import { isSquizzleError } from '@squizzle/core'
import { describe, expect, it } from 'vitest'
import { connectionSecrets, parseConnectionUrl } from '../src/index.js'

const settingsOf = (text: string) => parseConnectionUrl(text).settings
const errorOf = (text: string): { code: string; text: string } => {
  try {
    parseConnectionUrl(text)
  } catch (err) {
    if (!isSquizzleError(err)) throw err
    return { code: err.code, text: `${err.message} ${err.hint ?? ''} ${JSON.stringify(err.toJSON())}` }
  }
  throw new Error(`${text} parsed`)
}

describe('parseConnectionUrl reads URIs as libpq does', () => {
  it.each([
    ['postgresql://', { hosts: [], ports: [] }],
    ['postgresql://localhost', { hosts: ['localhost'] }],
    ['postgresql://localhost:5433', { hosts: ['localhost'], ports: [5433] }],
    ['postgresql://localhost/mydb', { hosts: ['localhost'], database: 'mydb' }],
    ['postgresql://user@localhost', { user: 'user' }],
    ['postgresql://user:secret@localhost', { user: 'user', password: 'secret' }],
    [
      'postgresql://other@localhost/otherdb?connect_timeout=10&application_name=myapp',
      { database: 'otherdb', connectTimeoutSeconds: 10, applicationName: 'myapp' },
    ],
    [
      'postgresql://host1:123,host2:456/somedb?target_session_attrs=any',
      { hosts: ['host1', 'host2'], ports: [123, 456], database: 'somedb' },
    ],
    ['postgresql:///mydb?host=localhost&port=5433', { hosts: ['localhost'], ports: [5433], database: 'mydb' }],
    ['postgresql://[2001:db8::1234]/database', { hosts: ['2001:db8::1234'], database: 'database' }],
    ['postgresql:///dbname?host=/var/lib/postgresql', { hosts: ['/var/lib/postgresql'], database: 'dbname' }],
    ['postgresql://%2Fvar%2Flib%2Fpostgresql/dbname', { hosts: ['/var/lib/postgresql'], database: 'dbname' }],
    ['postgres://app:p%40ss%2Fw%3Ard@db/prod?sslmode=require', { password: 'p@ss/w:rd', sslMode: 'require' }],
    ['postgres://db/app?options=-c%20search_path%3Dapp', { startupOptions: '-c search_path=app' }],
    ['postgres://db/app?ssl=true', { sslMode: 'require' }],
  ])('%s', (text, expected) => {
    expect(settingsOf(text)).toMatchObject(expected)
  })

  it('ends the credentials at the last "@" before the host, so raw @ : / ? # % in a password work', () => {
    for (const password of ['p@ss:w/rd%&x', 'ab#cd?ef', 'x@y.com', 'a@b/c@d', '100%sure', 'pa/ss', '123/x']) {
      const raw = password.replace('%&', '%25&')
      expect(settingsOf(`postgres://app:${raw}@db.internal:6432/prod`), password).toMatchObject({
        user: 'app',
        password,
        hosts: ['db.internal'],
        ports: [6432],
        database: 'prod',
      })
    }
    expect(settingsOf('postgres://user@server:pw@host/db')).toMatchObject({
      user: 'user@server',
      password: 'pw',
      hosts: ['host'],
    })
  })

  it('keeps an "@" in the query string in the query', () => {
    expect(settingsOf('postgres://db/app?application_name=me@laptop')).toMatchObject({
      hosts: ['db'],
      database: 'app',
      applicationName: 'me@laptop',
    })
    expect(settingsOf('postgres://u:pw@db/app?application_name=me@laptop')).toMatchObject({
      password: 'pw',
      hosts: ['db'],
      applicationName: 'me@laptop',
    })
  })

  it('takes the password, user and everything else from the query string too', () => {
    expect(settingsOf('postgres://db/app?user=app&password=100%25sure&sslmode=verify-full&port=6543')).toMatchObject({
      user: 'app',
      password: '100%sure',
      sslMode: 'verify-full',
      ports: [6543],
    })
  })

  it('reads libpq keyword/value strings, quotes and escapes included', () => {
    expect(
      settingsOf("host=db port=5433 dbname=prod user=app password='it\\'s a s3cret' sslmode=require"),
    ).toMatchObject({
      hosts: ['db'],
      ports: [5433],
      database: 'prod',
      user: 'app',
      password: "it's a s3cret",
      sslMode: 'require',
    })
    expect(parseConnectionUrl('host=db dbname=prod user=app password=s3cret').display).toBe(
      'postgres://app:***@db/prod',
    )
  })
})

describe('what parseConnectionUrl shows and redacts', () => {
  it('displays the settings, never the password', () => {
    expect(parseConnectionUrl('postgres://app:p%40ss@db:5432/prod').display).toBe('postgres://app:***@db:5432/prod')
    expect(parseConnectionUrl('postgres://app:p@ss:w/rd%25&x@db/prod?sslmode=require').display).toBe(
      'postgres://app:***@db/prod?sslmode=require',
    )
    expect(parseConnectionUrl('postgres://db/prod?password=s3cret&sslpassword=k3y&application_name=x').display).toBe(
      'postgres://:***@db/prod?application_name=x',
    )
  })

  it('lists every form of the password: as written, decoded, encoded', () => {
    const { secrets } = parseConnectionUrl('postgres://app:p@ss:w/rd%25&x@db/prod')
    expect(secrets).toEqual(
      expect.arrayContaining(['p@ss:w/rd%25&x', 'p@ss:w/rd%&x', encodeURIComponent('p@ss:w/rd%&x')]),
    )
    expect(parseConnectionUrl('postgres://db/prod?password=100%25sure').secrets).toEqual(
      expect.arrayContaining(['100%25sure', '100%sure']),
    )
  })

  it('guesses the secrets of a string that does not parse', () => {
    expect(connectionSecrets('postgres://app:s3cret@db:99999/prod')).toContain('s3cret')
    expect(connectionSecrets('postgres://db:99999/prod?password=s3cret&x=1')).toContain('s3cret')
  })

  it('gives a URL for another database with the same credentials', () => {
    const target = parseConnectionUrl('postgres://app:p@ss#1@db:6432/prod?sslmode=disable')
    expect(parseConnectionUrl(target.urlForDatabase('scratch_1')).settings).toEqual({
      ...target.settings,
      database: 'scratch_1',
    })
  })
})

describe('parseConnectionUrl refuses what it cannot honour (USAGE, only scheme and host shown)', () => {
  it.each([
    ['postgres://app:s3cretpw@db:99999/prod', 'postgres://db'],
    ['postgres://app:s3cretpw@db:0/prod', 'postgres://db'],
    ['postgres://app:s3cretpw@db/prod?nope=1', 'postgres://'],
    ['postgres://app:s3cretpw@db/prod?sslmode=sometimes', 'postgres://'],
    ['mysql://app:s3cretpw@db/prod', 'mysql://'],
    ['s3cretpw', 'connection string'],
    ["host=db password='s3cretpw", 'connection string'],
  ])('%s', (text, shown) => {
    const { code, text: output } = errorOf(text)
    expect(code).toBe('USAGE')
    expect(output).toContain(shown)
    expect(output).not.toContain('s3cr')
  })

  it('names libpq settings postgres.js cannot honour instead of ignoring them', () => {
    for (const setting of [
      'passfile=/x',
      'service=prod',
      'channel_binding=require',
      'hostaddr=10.0.0.1',
      'gssencmode=require',
    ]) {
      expect(errorOf(`postgres://db/app?${setting}`).text).toContain(setting.split('=')[0])
    }
  })
})
