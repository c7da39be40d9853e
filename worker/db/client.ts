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
 * The default is production's; NEON_DEADLINE_MS (config) shortens it where tests inject delays.
 */
export const NEON_DEADLINE_MS = 8_000;

/**
 * Each client's own deadline travels in its fetch options (the driver merges them into every
 * request's init), so a client made with a shorter one never shortens another's.
 */
const DEADLINE_OPTION = 'bbDeadlineMs';

export class DatabaseTimeoutError extends Error {
  constructor(ms = NEON_DEADLINE_MS) {
    super(`database request exceeded ${ms} ms`);
    this.name = 'DatabaseTimeoutError';
  }
}

/**
 * Neon did not answer a request: the connection failed or was dropped, or its proxy answered 5xx.
 * Like a timeout the statement may or may not have run, so it is retryable, never a 500.
 */
export class DatabaseUnavailableError extends Error {
  constructor(detail: string) {
    super(`database unavailable: ${detail}`);
    this.name = 'DatabaseUnavailableError';
  }
}

const UNAVAILABLE = new Set(['DatabaseTimeoutError', 'DatabaseUnavailableError']);

/**
 * True when the error is (or wraps) a request Neon did not answer. The driver keeps the fetch
 * error as `sourceError` and drizzle wraps the driver's error as `cause`, so look through both.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; current && depth < 6; depth++) {
    if (current instanceof Error && UNAVAILABLE.has(current.name)) return true;
    const next = current as { cause?: unknown; sourceError?: unknown };
    current = next.sourceError ?? next.cause;
  }
  return false;
}

/**
 * Every query leaves through this fetch, so each Neon HTTP request is counted against the request
 * that made it (see Server-Timing) without threading a counter through every call, and each gets
 * the deadline above. A failed connection or a 5xx becomes DatabaseUnavailableError here, where it
 * can still be told apart from Postgres refusing a statement (a 400 with a SQLSTATE).
 */
async function countingFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const metrics = currentMetrics();
  const started = performance.now();
  const { [DEADLINE_OPTION]: own, ...rest } = (init ?? {}) as RequestInit & { [DEADLINE_OPTION]?: number };
  const ms = own ?? NEON_DEADLINE_MS;
  const deadline = AbortSignal.timeout(ms);
  let res: Response;
  try {
    res = await fetch(input, { ...rest, signal: rest.signal ? AbortSignal.any([rest.signal, deadline]) : deadline });
  } catch (err) {
    if (deadline.aborted) throw new DatabaseTimeoutError(ms);
    if (rest.signal?.aborted) throw err;
    throw new DatabaseUnavailableError(err instanceof Error ? err.message : String(err));
  } finally {
    if (metrics) {
      metrics.neonRequests += 1;
      metrics.neonMs += performance.now() - started;
    }
  }
  if (res.status >= 500) {
    const text = await res.text().catch(() => '');
    throw new DatabaseUnavailableError(`HTTP ${res.status} ${text.slice(0, 200)}`);
  }
  return res;
}

type ClientConfig = Pick<AppConfig, 'DATABASE_URL'> & Partial<Pick<AppConfig, 'NEON_DEADLINE_MS'>>;

export function sqlClient(config: ClientConfig) {
  configureNeonDriver(countingFetch);
  return neon(config.DATABASE_URL, { fetchOptions: { [DEADLINE_OPTION]: config.NEON_DEADLINE_MS ?? NEON_DEADLINE_MS } });
}

export function createDb(config: ClientConfig): Db {
  return drizzle({ client: sqlClient(config), schema });
}
