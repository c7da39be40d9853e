import type { Redis } from '@upstash/redis';

/**
 * A sliding-window rate limit in one Redis round trip (one EVAL). The window is approximated with
 * two fixed windows: everything counted in the current one, plus the previous one's count weighted
 * by how much of it still lies inside the sliding window — the usual "sliding window counter",
 * exact at window edges and never more than one window's worth generous in between.
 */
export interface WindowPosition {
  /** Index of the fixed window `now` falls in (floor(now / window)). */
  current: number;
  /** Share of the previous fixed window still inside the sliding window ending at `now`, 0 < w ≤ 1. */
  previousWeight: number;
  /** When the current fixed window ends (epoch ms): the earliest moment the count can drop. */
  resetMs: number;
}

export function windowPosition(nowMs: number, windowMs: number): WindowPosition {
  const current = Math.floor(nowMs / windowMs);
  const elapsed = nowMs - current * windowMs;
  return { current, previousWeight: (windowMs - elapsed) / windowMs, resetMs: (current + 1) * windowMs };
}

// KEYS: current window's counter, previous window's counter.
// ARGV: limit, weight of the previous window, counter lifetime (ms).
// Counts only requests it lets through, so a flood of refused requests does not lock a caller out
// for longer than the window.
const SCRIPT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local used = math.floor(previous * tonumber(ARGV[2])) + current
if used >= tonumber(ARGV[1]) then
  return {0, used}
end
if redis.call('INCR', KEYS[1]) == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return {1, used + 1}
`;

export interface LimitResult {
  success: boolean;
  limit: number;
  remaining: number;
  /** Epoch ms. */
  reset: number;
}

export class LimiterTimeoutError extends Error {
  constructor(ms: number) {
    super(`rate limiter did not answer within ${ms} ms`);
    this.name = 'LimiterTimeoutError';
  }
}

export interface SlidingWindowOptions {
  redis: Redis;
  /** Key prefix, e.g. `bb:rl:login`. */
  prefix: string;
  limit: number;
  windowMs: number;
  /** Longest wait for Redis before giving up (the caller decides to fail open or closed). */
  timeoutMs: number;
  /**
   * Identifiers known to be over the limit, with the moment their window resets: refusals inside
   * the same isolate then cost no round trip. Shared between limiters, so keys carry the prefix.
   */
  refused?: Map<string, number>;
  now?: () => number;
}

export class SlidingWindowLimiter {
  constructor(private readonly o: SlidingWindowOptions) {}

  async limit(identifier: string): Promise<LimitResult> {
    const { redis, prefix, limit, windowMs, timeoutMs, refused } = this.o;
    const now = (this.o.now ?? Date.now)();
    const cacheKey = `${prefix}:${identifier}`;
    const until = refused?.get(cacheKey);
    if (until !== undefined) {
      if (until > now) return { success: false, limit, remaining: 0, reset: until };
      refused!.delete(cacheKey);
    }
    const at = windowPosition(now, windowMs);
    const keys = [`${prefix}:${identifier}:${at.current}`, `${prefix}:${identifier}:${at.current - 1}`];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LimiterTimeoutError(timeoutMs)), timeoutMs);
    });
    let answer: [number, number];
    try {
      answer = await Promise.race([
        redis.eval<[string, string, string], [number, number]>(SCRIPT, keys, [String(limit), String(at.previousWeight), String(windowMs * 2 + 1_000)]),
        deadline,
      ]);
    } finally {
      clearTimeout(timer);
    }
    const [allowed, used] = answer.map(Number) as [number, number];
    const success = allowed === 1;
    if (!success) refused?.set(cacheKey, at.resetMs);
    return { success, limit, remaining: Math.max(0, limit - used), reset: at.resetMs };
  }
}
