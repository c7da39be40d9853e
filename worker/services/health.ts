import { sql } from 'drizzle-orm';
import type { Services } from './container';

export type CheckName = 'database' | 'redis' | 'stripe';

export interface CheckResult {
  status: 'ok' | 'error';
  latency_ms: number;
  error?: string;
}

export interface HealthReport {
  status: 'ok' | 'unavailable';
  checks: Record<CheckName, CheckResult>;
  failing: CheckName[];
}

const timeoutMs = 3000;

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
    return { status: 'error', latency_ms: Date.now() - started, error: message.replace(/\/\/[^@\s]+@/g, '//***@') };
  } finally {
    clearTimeout(timer);
  }
}

/** Real round trips to each dependency, in parallel: a query, a command, an authenticated call. */
export async function checkHealth(services: Services): Promise<HealthReport> {
  const [database, redis, stripe] = await Promise.all([
    timed(() => services.db.execute(sql`select 1 as ok`)),
    timed(async () => {
      const pong = await services.redis.ping();
      if (pong !== 'PONG') throw new Error(`unexpected PING reply: ${String(pong)}`);
    }),
    timed(() => services.stripe.balance.retrieve()),
  ]);
  const checks = { database, redis, stripe };
  const failing = (Object.keys(checks) as CheckName[]).filter((name) => checks[name].status !== 'ok');
  return { status: failing.length ? 'unavailable' : 'ok', checks, failing };
}
