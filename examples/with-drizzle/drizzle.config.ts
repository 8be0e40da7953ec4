import { defineConfig } from 'drizzle-kit'

// drizzle-kit writes its migrations to ./drizzle; squizzle.config.yaml's paths.drizzle points there.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema.ts',
  out: './drizzle',
})
