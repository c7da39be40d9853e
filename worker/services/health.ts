import { pingDatabase } from '../db/queries/health';
import type { AppConfig } from '../env';
import type { Services } from './container';

export type CheckName = 'database' | 'redis' | 'stripe';
export const CHECK_NAMES: readonly CheckName[] = ['database', 'redis', 'stripe'];

export interface CheckResult {
  status: 'ok' | 'fail';
  latency_ms: number;
  /** For the log only: never part of a public response. */
  error?: string;
}

export interface HealthReport {
  status: 'ok' | 'unavailable';
  checks: Record<CheckName, CheckResult>;
  failing: CheckName[];
  /** When the round that produced this report started (epoch ms). */
  checkedAt: number;
}

const timeoutMs = 3000;
/**
 * How long one round of checks answers for, per isolate and configuration. A flood of readiness
 * probes costs at most one query, one Redis command and one Stripe call per this many ms.
 */
export const HEALTH_CACHE_MS = 5000;

async function timed(probe: () => Promise<unknown>): Promise<CheckResult> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'ok', latency_ms: Date.now() - started };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // Never echo credentials that some drivers put into their messages.
    return { status: 'fail', latency_ms: Date.now() - started, error: message.replace(/\/\/[^@\s]+@/g, '//***@') };
  } finally {
    clearTimeout(timer);
  }
}

/** Real round trips to each dependency, in parallel: a query, a command, an authenticated call. */
export async function checkHealth(services: Services): Promise<HealthReport> {
  const checkedAt = Date.now();
  const [database, redis, stripe] = await Promise.all([
    timed(() => pingDatabase(services.db)),
    timed(async () => {
      const pong = await services.redis.ping();
      if (pong !== 'PONG') throw new Error(`unexpected PING reply: ${String(pong)}`);
    }),
    // The configured key against the configured host (STRIPE_API_URL or api.stripe.com).
    timed(() => services.stripe.balance.retrieve()),
  ]);
  const checks = { database, redis, stripe };
  const failing = CHECK_NAMES.filter((name) => checks[name].status !== 'ok');
  return { status: failing.length ? 'unavailable' : 'ok', checks, failing, checkedAt };
}

interface Cached {
  report: Promise<HealthReport>;
  expiresAt: number;
}

// Keyed by the parsed configuration: one per isolate in production; tests with their own
// bindings get their own.
const cache = new WeakMap<AppConfig, Cached>();

/**
 * checkHealth, shared: callers within HEALTH_CACHE_MS of a round (including those arriving while
 * it runs) get that round's report. `fresh` tells the caller whether this call ran the round.
 */
export async function cachedHealth(services: Services, now = Date.now()): Promise<{ report: HealthReport; fresh: boolean }> {
  const hit = cache.get(services.config);
  if (hit && hit.expiresAt > now) return { report: await hit.report, fresh: false };
  const report = checkHealth(services);
  const entry: Cached = { report, expiresAt: Number.POSITIVE_INFINITY };
  cache.set(services.config, entry);
  try {
    const done = await report;
    entry.expiresAt = done.checkedAt + HEALTH_CACHE_MS;
    return { report: done, fresh: true };
  } catch (err) {
    cache.delete(services.config);
    throw err;
  }
}
