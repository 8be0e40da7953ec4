/** What the testkit's globalSetup provides to every test through `inject`. */
declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the run's PostgreSQL server (the `postgres` database); create your own databases on it. */
    postgresUrl: string
  }
}

export {}
