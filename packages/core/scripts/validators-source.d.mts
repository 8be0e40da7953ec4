/** The source of the precompiled validators module for `schemas` (export name → JSON Schema). */
export function validatorsSource(schemas: Record<string, object>): string
