/**
 * Seeds the demo world idempotently through the same Neon HTTP path as the Worker.
 * CLI: `npm run db:seed` (uses DATABASE_URL and FIELD_ENCRYPTION_KEYS from the env or .dev.vars).
 */
import { neon } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-http';
import { fileURLToPath } from 'node:url';
import { configureNeonDriver } from '../worker/db/endpoint.ts';
import * as schema from '../worker/db/schema/index.ts';
import { DEMO_PASSWORD, seedDemo, type SeedDemoResult } from '../worker/db/seed/index.ts';
import { hashPassword } from '../worker/lib/password.ts';
import { readDevVars } from './dev-vars.ts';

export const demoLogins = [
  { role: 'owner', email: 'owner@fadestreet.test', shop: 'Fade Street (New York)' },
  { role: 'owner', email: 'owner@kingscrosscuts.test', shop: 'Kings Cross Cuts (London)' },
  { role: 'client', email: 'client1@example.test', shop: 'Fade Street' },
  { role: 'client', email: 'client6@example.test', shop: 'both shops' },
];

export interface SeedReport extends SeedDemoResult {
  /** What the database holds after seeding (demo rows plus anything made since). */
  counts: { shops: number; barbers: number; services: number; users: number; appointments: number };
}

export async function seed(options: { connectionString: string; keyring: string; now?: Date }): Promise<SeedReport> {
  configureNeonDriver();
  const db = drizzle({ client: neon(options.connectionString), schema });
  const result = await seedDemo(db, {
    now: options.now ?? new Date(),
    keyring: options.keyring,
    passwordHash: await hashPassword(DEMO_PASSWORD),
  });
  const [shops, barbers, services, users, appointments] = await Promise.all([
    db.$count(schema.shops),
    db.$count(schema.barbers),
    db.$count(schema.services),
    db.$count(schema.users),
    db.$count(schema.appointments),
  ]);
  return { ...result, counts: { shops, barbers, services, users, appointments } };
}

/** One line for the console, e.g. "demo data: 2 shops, 6 barbers, 10 services, 19 users, 84 appointments (0 new)". */
export function seedSummary(report: SeedReport): string {
  const c = report.counts;
  return (
    `demo data: ${c.shops} shops, ${c.barbers} barbers, ${c.services} services, ${c.users} users, ` +
    `${c.appointments} appointments (${report.appointmentsInserted} new)`
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const vars = { ...readDevVars(), ...process.env };
  if (!vars.DATABASE_URL || !vars.FIELD_ENCRYPTION_KEYS) {
    console.error('DATABASE_URL and FIELD_ENCRYPTION_KEYS must be set (environment or .dev.vars)');
    process.exit(1);
  }
  seed({ connectionString: vars.DATABASE_URL, keyring: vars.FIELD_ENCRYPTION_KEYS })
    .then((report) => console.log(seedSummary(report)))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
