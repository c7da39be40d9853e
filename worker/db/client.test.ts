/**
 * A Neon request that gets no answer is told apart from Postgres refusing a statement: the first
 * is retryable (503), however many wrappers (the driver's, drizzle's) it arrives in; the second
 * keeps its SQLSTATE for the 4xx it maps to.
 */
import { sql } from 'drizzle-orm';
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../env';
import { sqlState } from '../lib/pg-errors';
import { testDb } from '../../tests/worker/harness';
import { createDb, DatabaseTimeoutError, DatabaseUnavailableError, isDatabaseUnavailable } from './client';

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the query to fail');
}

describe('database errors', () => {
  it('a refused connection is DatabaseUnavailable, found through drizzle and the driver', async () => {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    const db = createDb({ DATABASE_URL: 'postgresql://bb:bb@127.0.0.1:9/bookedbarber' });
    const err = await failure(db.execute(sql`select 1`));
    expect((err as Error).name).not.toBe('DatabaseUnavailableError'); // it arrives wrapped
    expect(isDatabaseUnavailable(err)).toBe(true);
    expect(sqlState(err)).toBeUndefined();
  });

  it('a statement Postgres refuses is not "unavailable" and keeps its SQLSTATE', async () => {
    const err = await failure(testDb().execute(sql`select 1/0`));
    expect(isDatabaseUnavailable(err)).toBe(false);
    expect(sqlState(err)?.code).toBe('22012');
  });

  it('a request past its client’s deadline is a timeout; another client keeps its own deadline', async () => {
    const url = loadConfig(env).DATABASE_URL;
    const hurried = createDb({ DATABASE_URL: url, NEON_DEADLINE_MS: 100 });
    const err = await failure(hurried.execute(sql`select pg_sleep(0.4)`));
    expect(isDatabaseUnavailable(err)).toBe(true);
    expect(String((err as { cause?: unknown }).cause)).toMatch(/exceeded 100 ms/);
    // Made after the hurried one, the default client still waits its 8 s.
    await expect(createDb({ DATABASE_URL: url }).execute(sql`select pg_sleep(0.4)`)).resolves.toBeDefined();
  });

  it('recognises the errors themselves and nothing else', () => {
    expect(isDatabaseUnavailable(new DatabaseTimeoutError(1500))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('wrapped'), { cause: new DatabaseUnavailableError('HTTP 503') }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('database unavailable'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});
