import { neon } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-http';
import type { AppConfig } from '../env';
import { currentMetrics } from '../lib/metrics';
import { configureNeonDriver } from './endpoint';
import * as schema from './schema';

export type { Db } from './queries/types';
import type { Db } from './queries/types';

/**
 * Every query leaves through this fetch, so each Neon HTTP request is counted against the request
 * that made it (see Server-Timing) without threading a counter through every call.
 */
async function countingFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const metrics = currentMetrics();
  const started = performance.now();
  try {
    return await fetch(input, init);
  } finally {
    if (metrics) {
      metrics.neonRequests += 1;
      metrics.neonMs += performance.now() - started;
    }
  }
}

export function sqlClient(config: Pick<AppConfig, 'DATABASE_URL'>) {
  configureNeonDriver(countingFetch);
  return neon(config.DATABASE_URL);
}

export function createDb(config: Pick<AppConfig, 'DATABASE_URL'>): Db {
  return drizzle({ client: sqlClient(config), schema });
}
