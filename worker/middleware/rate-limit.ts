import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../lib/errors';
import { LimiterTimeoutError, SlidingWindowLimiter } from '../lib/sliding-window';
import type { Services } from '../services/container';
import type { HonoEnv } from '../types';

/** A window as callers write it: `60 s`, `10 m`, `1 h`. */
export type Window = `${number} ${'s' | 'm' | 'h'}`;

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;

export function windowMs(window: Window): number {
  const [amount, unit] = window.split(' ') as [string, keyof typeof UNIT_MS];
  return Number(amount) * UNIT_MS[unit];
}

const limiters = new Map<string, SlidingWindowLimiter>();
// Identifiers already over the limit are remembered in the isolate until their window resets,
// so a flood costs no Redis round trips.
const refused = new Map<string, number>();

function limiter(services: Services, name: string, limit: number, window: Window): SlidingWindowLimiter {
  const { config, redis } = services;
  const key = `${config.UPSTASH_REDIS_REST_URL}|${config.REDIS_PREFIX}|${name}|${limit}|${window}`;
  let rl = limiters.get(key);
  if (!rl) {
    rl = new SlidingWindowLimiter({
      redis,
      prefix: `${config.REDIS_PREFIX}rl:${name}:${limit}:${window.replace(' ', '')}`,
      limit,
      windowMs: windowMs(window),
      timeoutMs: 1000,
      refused,
    });
    limiters.set(key, rl);
  }
  return rl;
}

export function clientIp(c: Context<HonoEnv> | Request): string {
  const header = (name: string) => (c instanceof Request ? c.headers.get(name) : c.req.header(name)) ?? undefined;
  return header('cf-connecting-ip') ?? header('x-real-ip') ?? 'unknown';
}

export interface LimitOptions {
  name: string;
  limit: number;
  window: Window;
  identifier: string;
  /** Closed: a Redis outage refuses the request (login). Open: it lets it through (everything else). */
  failClosed?: boolean;
}

/**
 * Applies one limit and returns the RateLimit-* headers to send (none when the limiter could not
 * answer and the limit fails open); throws 429 with Retry-After when exceeded. Usable outside
 * Hono (Remix actions share the login limit).
 */
export async function checkLimit(services: Services, options: LimitOptions): Promise<Record<string, string>> {
  let result;
  try {
    result = await limiter(services, options.name, options.limit, options.window).limit(options.identifier);
  } catch (err) {
    if (err instanceof LimiterTimeoutError) services.logger.warn('rate limiter timed out', { limiter: options.name });
    else services.logger.warn('rate limiter unavailable', { limiter: options.name, err });
    if (options.failClosed) throw new ApiError('dependency_unavailable', 'Try again in a moment');
    return {};
  }
  const resetSeconds = Math.max(0, Math.ceil((result.reset - Date.now()) / 1000));
  const headers = {
    'RateLimit-Limit': String(result.limit),
    'RateLimit-Remaining': String(Math.max(0, result.remaining)),
    'RateLimit-Reset': String(resetSeconds),
  };
  if (!result.success) {
    throw new ApiError('rate_limited', `Too many requests; try again in ${Math.max(1, resetSeconds)} s`, {
      headers: { ...headers, 'Retry-After': String(Math.max(1, resetSeconds)) },
    });
  }
  return headers;
}

/** checkLimit for a Hono request: the headers go on the response. */
export async function enforceLimit(c: Context<HonoEnv>, options: LimitOptions): Promise<void> {
  const headers = await checkLimit(c.get('services'), options);
  for (const [k, v] of Object.entries(headers)) c.header(k, v);
}

/** The login limit, shared by the API route and the web sign-in form. */
export function loginLimit(services: Services, email: string, ip: string): Promise<Record<string, string>> {
  return checkLimit(services, {
    name: 'login',
    limit: services.config.LOGIN_ATTEMPTS_PER_MINUTE,
    window: '60 s',
    identifier: `${email.trim().toLowerCase()}|${ip}`,
    // An unthrottled login is a brute-force window: refuse while Redis is unreachable.
    failClosed: true,
  });
}

/** The global limit: per signed-in user, or per IP for anonymous callers. */
export function globalRateLimit(): MiddlewareHandler<HonoEnv> {
  return async function globalRateLimitMiddleware(c, next) {
    const auth = c.get('auth');
    await enforceLimit(c, {
      name: 'global',
      limit: c.get('services').config.RATE_LIMIT_PER_MINUTE,
      window: '60 s',
      identifier: auth ? `user:${auth.userId}` : `ip:${clientIp(c)}`,
    });
    await next();
  };
}
