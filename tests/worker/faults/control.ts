/**
 * The fault-injecting Neon listener from inside workerd (dev/faults.ts): the Worker under test
 * talks to it through DATABASE_URL; the test sets its rates through the control API and keeps its
 * own rows on the clean listener in front of the same database.
 */
import { env } from 'cloudflare:test';
import { createDb, type Db } from '../../../worker/db/client';

type Kind = 'error_before' | 'error_after' | 'reset_before' | 'reset_after' | 'delay';
export type Rates = Partial<Record<Kind, number>>;
export type Counters = Record<Kind | 'pass' | 'requests', number>;

/** Bindings of the worker-faults project only (vitest.config.ts), not Worker settings. */
const bindings = env as unknown as { BB_CLEAN_DATABASE_URL: string; BB_NEON_FAULTS_URL: string };

export function cleanDb(): Db {
  return createDb({ DATABASE_URL: bindings.BB_CLEAN_DATABASE_URL });
}

async function control(path: string, body?: unknown): Promise<{ counters: Counters }> {
  const res = await fetch(`${bindings.BB_NEON_FAULTS_URL}${path}`, {
    method: body === undefined && path === '' ? 'GET' : 'POST',
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  if (res.status !== 200) throw new Error(`fault control ${path || '/'}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as { counters: Counters };
}

/** `limit`: inject that many faults, then none; `match`: only requests whose SQL matches this RegExp. */
export const setFaults = (rates: Rates, opts: { seed?: number; delayMs?: number; limit?: number; match?: string } = {}) => control('', { rates, ...opts });
export const resetFaults = () => control('/reset');
export const faultCounters = async () => (await control('')).counters;
