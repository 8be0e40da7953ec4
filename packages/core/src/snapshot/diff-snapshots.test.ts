import { describe, expect, it } from 'vitest'
import { diffSnapshots } from './diff-snapshots.js'
import {
  normalizeSnapshot,
  parseSnapshot,
  serializeSnapshot,
  type SchemaObject,
  type SchemaSnapshot,
} from './schema-snapshot.js'
import { codeOf } from '../test-support/code-of.js'

function snapshot(objects: SchemaObject[], server = '18.4'): SchemaSnapshot {
  return normalizeSnapshot({ format: 'squizzle-schema-v1', server, objects })
}

const users: SchemaObject = { kind: 'table', name: 'public.users', properties: { kind: 'table', partitionKey: null } }
const email: SchemaObject = {
  kind: 'column',
  name: 'public.users.email',
  properties: { type: 'character varying(100)', notNull: true, default: null },
}
const status: SchemaObject = { kind: 'enum', name: 'public.status', properties: { labels: ['new', 'done'] } }

describe('diffSnapshots', () => {
  it('finds no difference between equal snapshots, whatever the server version', () => {
    expect(diffSnapshots(snapshot([users, email]), snapshot([email, users], '15.14'))).toEqual([])
  })

  it('lists an object only in the second snapshot as added and one only in the first as removed', () => {
    const diff = diffSnapshots(snapshot([users]), snapshot([email]))
    expect(diff).toEqual([
      { change: 'removed', kind: 'table', name: 'public.users', object: users },
      { change: 'added', kind: 'column', name: 'public.users.email', object: email },
    ])
  })

  it('lists each changed property with its old and new value', () => {
    const widened: SchemaObject = { ...email, properties: { type: 'text', notNull: true, comment: 'login' } }
    expect(diffSnapshots(snapshot([email]), snapshot([widened]))).toEqual([
      {
        change: 'changed',
        kind: 'column',
        name: 'public.users.email',
        properties: [
          { property: 'comment', from: undefined, to: 'login' },
          { property: 'default', from: null, to: undefined },
          { property: 'type', from: 'character varying(100)', to: 'text' },
        ],
      },
    ])
  })

  it('compares lists in order: a reordered enum is a change', () => {
    const reordered: SchemaObject = { ...status, properties: { labels: ['done', 'new'] } }
    expect(diffSnapshots(snapshot([status]), snapshot([reordered]))).toHaveLength(1)
    expect(
      diffSnapshots(snapshot([status]), snapshot([{ ...status, properties: { labels: ['new', 'done'] } }])),
    ).toEqual([])
  })

  it('tells apart objects of different kinds with the same name', () => {
    const view: SchemaObject = { kind: 'view', name: 'public.users', properties: { definition: 'SELECT 1' } }
    expect(diffSnapshots(snapshot([users]), snapshot([users, view])).map((d) => [d.change, d.kind])).toEqual([
      ['added', 'view'],
    ])
  })
})

describe('schema snapshot format', () => {
  it('serializes to the same bytes whatever the order of objects and keys', () => {
    const a = serializeSnapshot(snapshot([users, email]))
    const b = serializeSnapshot({
      format: 'squizzle-schema-v1',
      server: '18.4',
      objects: [{ ...email, properties: { default: null, notNull: true, type: 'character varying(100)' } }, users],
    })
    expect(a.equals(b)).toBe(true)
  })

  it('round-trips through parseSnapshot', () => {
    const s = snapshot([users, email, status])
    expect(parseSnapshot(serializeSnapshot(s))).toEqual(s)
  })

  it.each([
    ['not JSON', '{'],
    ['an unknown format', JSON.stringify({ format: 'other', server: '1', objects: [] })],
    [
      'an unknown object kind',
      JSON.stringify({
        format: 'squizzle-schema-v1',
        server: '1',
        objects: [{ kind: 'table2', name: 'x', properties: {} }],
      }),
    ],
    [
      'a nested object as a property',
      JSON.stringify({
        format: 'squizzle-schema-v1',
        server: '1',
        objects: [{ kind: 'table', name: 'x', properties: { a: { b: 1 } } }],
      }),
    ],
    ['the same object twice', JSON.stringify({ format: 'squizzle-schema-v1', server: '1', objects: [users, users] })],
  ])('refuses %s (SNAPSHOT_INVALID)', (_name, text) => {
    expect(codeOf(() => parseSnapshot(text))).toBe('SNAPSHOT_INVALID')
  })
})
