import { describe, expect, it } from 'vitest';
import { LimiterTimeoutError, SlidingWindowLimiter, windowPosition } from './sliding-window';

/** A Redis double that runs the limiter script's logic (the Lua itself runs in the Worker tests). */
function fakeRedis(delayMs = 0) {
  const counters = new Map<string, number>();
  let calls = 0;
  const redis = {
    async eval(_script: string, keys: string[], args: string[]) {
      calls++;
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      const current = counters.get(keys[0]!) ?? 0;
      const previous = counters.get(keys[1]!) ?? 0;
      const used = Math.floor(previous * Number(args[1])) + current;
      if (used >= Number(args[0])) return [0, used];
      counters.set(keys[0]!, current + 1);
      return [1, used + 1];
    },
  };
  return { redis: redis as never, calls: () => calls };
}

describe('windowPosition', () => {
  it('weighs the whole previous window at a window edge and none of it just before the next', () => {
    expect(windowPosition(120_000, 60_000)).toEqual({ current: 2, previousWeight: 1, resetMs: 180_000 });
    expect(windowPosition(150_000, 60_000)).toEqual({ current: 2, previousWeight: 0.5, resetMs: 180_000 });
    expect(windowPosition(179_999, 60_000).previousWeight).toBeCloseTo(1 / 60_000);
  });
});

describe('SlidingWindowLimiter', () => {
  it('lets `limit` requests through per window, then refuses until the window slides', async () => {
    let now = 60_000 * 10;
    const fake = fakeRedis();
    const rl = new SlidingWindowLimiter({ redis: fake.redis, prefix: 'p', limit: 3, windowMs: 60_000, timeoutMs: 1000, now: () => now });
    const first = await Promise.all([1, 2, 3, 4].map(() => rl.limit('a')));
    expect(first.map((r) => r.success)).toEqual([true, true, true, false]);
    expect(first.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
    expect(first[0]!.reset).toBe(60_000 * 11);
    // Another caller has a limit of its own.
    expect((await rl.limit('b')).success).toBe(true);
    // Half-way into the next window, half of the previous window's 3 still count (floor 1.5 = 1).
    now = 60_000 * 11 + 30_000;
    const later = [await rl.limit('a'), await rl.limit('a'), await rl.limit('a')];
    expect(later.map((r) => r.success)).toEqual([true, true, false]);
    // Two windows on, the old count has slid out entirely.
    now = 60_000 * 13;
    expect((await rl.limit('a')).success).toBe(true);
  });

  it('answers a caller it already refused from memory until the window resets', async () => {
    let now = 0;
    const fake = fakeRedis();
    const refused = new Map<string, number>();
    const rl = new SlidingWindowLimiter({ redis: fake.redis, prefix: 'p', limit: 1, windowMs: 1_000, timeoutMs: 1000, refused, now: () => now });
    await rl.limit('a');
    await rl.limit('a');
    const calls = fake.calls();
    expect((await rl.limit('a')).success).toBe(false);
    expect(fake.calls()).toBe(calls);
    now = 1_000;
    await rl.limit('a');
    expect(fake.calls()).toBe(calls + 1);
  });

  it('gives up after its timeout so the caller can fail open or closed', async () => {
    const fake = fakeRedis(200);
    const rl = new SlidingWindowLimiter({ redis: fake.redis, prefix: 'p', limit: 1, windowMs: 1_000, timeoutMs: 20 });
    await expect(rl.limit('a')).rejects.toBeInstanceOf(LimiterTimeoutError);
  });
});
