import { defineConfig } from 'drizzle-kit';

// Only `generate` is used (migrations are applied by dev/migrate and the app, never `push`),
// so no credentials are needed here.
export default defineConfig({
  dialect: 'postgresql',
  schema: './worker/db/schema/index.ts',
  out: './migrations',
  strict: true,
  verbose: true,
});
