/** `validateConfigShape` → `validate-config-shape.ts`. */
export function validatorFile(name: string): string
/** The source of one precompiled validator module exporting `name`. */
export function validatorSource(name: string, schema: object): string
/** Every validator module: file name (under src/schema/validators/) → source. */
export function validatorsSources(schemas: Record<string, object>): Map<string, string>
/** Squizzle's schemas by validator name, loaded through `load` (a module of dist/ by path). */
export function squizzleSchemas(
  load: (path: string) => Promise<Record<string, object>>,
): Promise<Record<string, object>>
