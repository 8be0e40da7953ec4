import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const packagesDir = fileURLToPath(new URL('../../../', import.meta.url))
// The libraries a deploy script or a plugin uses; the CLI renders their remedies as flags.
const libraries = ['core', 'driver-postgres', 'security', 'storage-filesystem', 'storage-oci']

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield* sourceFiles(path)
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) yield path
  }
}

/** The text of every `hint` a file gives (`hint: …` properties and `hint = …` defaults), literal parts only. */
function hintsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
  const hints: string[] = []
  const literalText = (node: ts.Node): string => {
    if (
      ts.isStringLiteralLike(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node)
    ) {
      return node.text
    }
    return node.getChildren(source).map(literalText).join('')
  }
  const visit = (node: ts.Node): void => {
    const named = ts.isPropertyAssignment(node) || ts.isParameter(node) ? node.name.getText(source) : undefined
    const value = ts.isPropertyAssignment(node) ? node.initializer : ts.isParameter(node) ? node.initializer : undefined
    if (named === 'hint' && value) hints.push(literalText(value))
    ts.forEachChild(node, visit)
  }
  visit(source)
  return hints
}

describe('hints of the libraries', () => {
  it('name no command-line flag and no squizzle command (remedies carry those)', () => {
    const flagged: string[] = []
    for (const pkg of libraries) {
      for (const file of sourceFiles(join(packagesDir, pkg, 'src'))) {
        for (const hint of hintsOf(file)) {
          // `git checkout --theirs` and similar are other tools' commands, which a library may name.
          const text = hint.replace(/git checkout --(theirs|ours)/g, '').replace(/\(`--ours`/g, '(')
          if (/(^|[\s(`])--[a-z]/.test(text) || /\bsquizzle (?!\.)[a-z]+/.test(text)) flagged.push(`${pkg}: ${hint}`)
        }
      }
    }
    expect(flagged).toEqual([])
  }, 60_000)
})
