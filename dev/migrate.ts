/**
 * Applies migrations/ through the Neon HTTP protocol — the same path production uses — one
 * transaction per migration (its statements plus its journal row), so a failing migration leaves
 * nothing half-applied. Compatible with drizzle-kit's `drizzle.__drizzle_migrations` journal.
 *
 * CLI: `npm run db:migrate` (reads DATABASE_URL from the environment or .dev.vars).
 */
import { neon } from '@neondatabase/serverless';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { fileURLToPath } from 'node:url';
import { configureNeonDriver } from '../worker/db/endpoint.ts';
import { readDevVars } from './dev-vars.ts';

export interface MigrateOptions {
  /** The Neon connection string; a loopback host means the local endpoint (worker/db/endpoint.ts). */
  connectionString: string;
  migrationsFolder?: string;
  log?: (line: string) => void;
}

export interface MigrateResult {
  applied: string[];
  skipped: number;
}

const defaultFolder = fileURLToPath(new URL('../migrations', import.meta.url));

export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  configureNeonDriver();
  const sql = neon(options.connectionString);
  const folder = options.migrationsFolder ?? defaultFolder;
  const migrations = readMigrationFiles({ migrationsFolder: folder });

  await sql.transaction([
    sql.query('CREATE SCHEMA IF NOT EXISTS drizzle'),
    sql.query(
      'CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)',
    ),
  ]);
  const appliedRows = (await sql.query('SELECT hash, created_at FROM drizzle.__drizzle_migrations')) as {
    hash: string;
    created_at: string;
  }[];
  const applied = new Set(appliedRows.map((r) => r.hash));
  const lastApplied = appliedRows.reduce((max, r) => Math.max(max, Number(r.created_at)), 0);

  const result: MigrateResult = { applied: [], skipped: 0 };
  for (const migration of migrations) {
    if (applied.has(migration.hash) || migration.folderMillis <= lastApplied) {
      result.skipped += 1;
      continue;
    }
    const statements = migration.sql.map((s) => s.trim()).filter(Boolean);
    await sql.transaction([
      ...statements.map((statement) => sql.query(statement)),
      sql.query('INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ($1, $2)', [
        migration.hash,
        migration.folderMillis,
      ]),
    ]);
    result.applied.push(String(migration.folderMillis));
    options.log?.(`applied migration ${migration.folderMillis} (${statements.length} statements)`);
  }
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const vars = { ...readDevVars(), ...process.env };
  const connectionString = vars.DATABASE_URL;
  if (!connectionString) {
    console.error('DATABASE_URL is not set (in the environment or .dev.vars)');
    process.exit(1);
  }
  migrate({ connectionString, log: console.log })
    .then((r) => console.log(`migrations: ${r.applied.length} applied, ${r.skipped} already there`))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
