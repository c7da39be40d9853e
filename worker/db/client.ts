import { neon } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-http';
import type { AppConfig } from '../env';
import { currentMetrics } from '../lib/metrics';
import { configureNeonDriver } from './endpoint';
import * as schema from './schema';

export type { Db } from './queries/types';
import type { Db } from './queries/types';

/**
 * The longest one Neon HTTP request may take. A hung request must not hold a barber's schedule
 * lock (or a client) indefinitely: past this it is aborted and the caller answers a retryable 503.
 * A write whose answer was lost this way may or may not have committed — each is one statement,
 * so it is all or nothing, and the barber's object reloads its snapshot before the next write.
 */
export const NEON_DEADLINE_MS = 8_000;

export class DatabaseTimeoutError extends Error {
  constructor() {
    super(`database request exceeded ${NEON_DEADLINE_MS} ms`);
    this.name = 'DatabaseTimeoutError';
  }
}

/**
 * Every query leaves through this fetch, so each Neon HTTP request is counted against the request
 * that made it (see Server-Timing) without threading a counter through every call, and each gets
 * the deadline above.
 */
async function countingFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const metrics = currentMetrics();
  const started = performance.now();
  const deadline = AbortSignal.timeout(NEON_DEADLINE_MS);
  try {
    return await fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline });
  } catch (err) {
    if (deadline.aborted) throw new DatabaseTimeoutError();
    throw err;
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
