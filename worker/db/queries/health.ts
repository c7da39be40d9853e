/** The readiness probe's database check: one round trip, no table touched. */
import { sql } from 'drizzle-orm';
import type { Db } from './types';

export async function pingDatabase(db: Db): Promise<void> {
  await db.execute(sql`select 1 as ok`);
}
