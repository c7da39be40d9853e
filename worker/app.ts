import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import type { Context } from 'hono';
import { isDatabaseUnavailable } from './db/client';
import { ConfigError } from './env';
import { ApiError, type ErrorCode, fieldErrors, problemBody, problemResponse } from './lib/errors';
import { isTransientSqlState, problemCodeForSqlState, sqlState } from './lib/pg-errors';
import { authenticate } from './middleware/auth';
import { csrfProtection } from './middleware/csrf';
import { globalRateLimit } from './middleware/rate-limit';
import { requestContext } from './middleware/request-context';
import { securityHeaders } from './middleware/security-headers';
import { registerApiRoutes } from './routes';
import { registerDevOutbox } from './routes/dev.outbox';
import { remixHandler } from './remix';
import type { HonoEnv } from './types';
import { unmeteredPaths } from './routes/openapi-helpers';

const httpStatusCodes: Partial<Record<number, ErrorCode>> = {
  400: 'malformed_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/** By shape as well as class: a pre-bundled copy of hono (tests) has its own HTTPException class. */
function isHttpException(err: Error): err is HTTPException {
  return err instanceof HTTPException || (err.name === 'Error' && typeof (err as Partial<HTTPException>).getResponse === 'function' && typeof (err as Partial<HTTPException>).status === 'number');
}

function isApi(path: string): boolean {
  return path.startsWith('/api/') || path === '/health';
}

/** The single error handler: whatever was thrown leaves as problem+json with a stable code. */
export function handleError(err: Error, c: Context<HonoEnv>): Response {
  const requestId = c.get('requestId') ?? crypto.randomUUID();
  const instance = new URL(c.req.url).pathname;
  const logger = c.get('logger');
  const headers: Record<string, string> = { 'X-Request-Id': requestId };

  if (err instanceof ApiError) {
    if (err.status >= 500) logger?.error('api error', { code: err.code, err });
    // Through the context too: Hono copies headers set earlier (say, the global RateLimit-*) onto
    // the error response, which would otherwise override these.
    for (const [name, value] of Object.entries(err.extra.headers ?? {})) c.header(name, value);
    const problem = problemBody(err.code, requestId, err.detail, err.extra.errors, instance);
    return problemResponse(err.extra.reason ? { ...problem, reason: err.extra.reason } : problem, {
      ...headers,
      ...err.extra.headers,
    });
  }
  if (isHttpException(err)) {
    const code = httpStatusCodes[err.status] ?? (err.status >= 500 ? 'internal_error' : 'malformed_request');
    return problemResponse(problemBody(code, requestId, err.message || undefined, undefined, instance), headers);
  }
  const state = sqlState(err);
  const mapped = state && problemCodeForSqlState(state.code);
  if (mapped) {
    logger?.warn('database rejected a write', { sqlstate: state.code, constraint: state.constraint });
    return problemResponse(
      problemBody(mapped, requestId, state.constraint ? `Rejected by ${state.constraint}` : undefined, undefined, instance),
      headers,
    );
  }
  const rolledBack = state !== undefined && isTransientSqlState(state.code);
  if (isDatabaseUnavailable(err) || err.name === 'LockTimeoutError' || rolledBack) {
    // Retryable: the write was one statement (all or nothing) and nothing else was started.
    logger?.warn('request timed out on a dependency', { err: err.name, ...(state ? { sqlstate: state.code } : {}) });
    const detail = rolledBack ? 'The database could not take this request now; please retry' : 'The request took too long; please retry';
    return problemResponse(
      problemBody('dependency_unavailable', requestId, detail, undefined, instance),
      { ...headers, 'Retry-After': '1' },
    );
  }
  if (err instanceof ConfigError) {
    // Loud in the logs, quiet to the caller: the issues name secrets' variables.
    console.error(JSON.stringify({ level: 'error', msg: 'configuration invalid', request_id: requestId, issues: err.issues }));
    return problemResponse(problemBody('internal_error', requestId, 'The service is misconfigured', undefined, instance), headers);
  }
  (logger ?? console).error('unhandled error', { err } as never);
  return problemResponse(problemBody('internal_error', requestId, undefined, undefined, instance), headers);
}

/**
 * Where a validated input holds a string with U+0000 (`reason`, `items.0.name`). Postgres text
 * cannot store that character, so such input would fail only at the write — as an unnamed 422, or
 * inside a barber's schedule object as a 503 — instead of as the field error it is.
 */
function nulPaths(value: unknown, path: string[] = [], out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) out.push(path.join('.'));
  } else if (value && typeof value === 'object' && path.length < 32 && out.length < 20) {
    for (const [key, item] of Object.entries(value)) nulPaths(item, [...path, key], out);
  }
  return out;
}

export interface AppOptions {
  /** Registers the API routes; tests add fixtures routes next to the real ones. */
  routes?: (app: OpenAPIHono<HonoEnv>) => void;
}

export function createApp(options: AppOptions = {}) {
  const app = new OpenAPIHono<HonoEnv>({
    // One validation hook for every route: zod failures become a readable 400 naming each field.
    defaultHook: (result) => {
      if (!result.success) {
        throw new ApiError('validation_failed', 'Some fields are missing or invalid', {
          errors: fieldErrors(result.error.issues, result.target),
        });
      }
      const nul = nulPaths(result.data);
      if (nul.length) {
        throw new ApiError('validation_failed', 'Text may not contain the NUL character', {
          errors: nul.map((path) => ({
            path: [result.target, path].filter(Boolean).join('.') || '(root)',
            message: 'Must not contain the NUL character (U+0000)',
            code: 'invalid_format',
          })),
        });
      }
    },
  });

  // Middleware is built once per app; per-request settings come from the request's config.
  const configOf = (c: Context<HonoEnv>) => c.get('services').config;
  const limitClients = globalRateLimit();
  app.use('*', requestContext());
  app.use('*', securityHeaders({ hsts: (c) => configOf(c).APP_ENV === 'production' }));
  app.use(
    '/api/*',
    cors({
      origin: (origin, c) => (configOf(c as Context<HonoEnv>).CORS_ORIGINS.includes(origin) ? origin : null),
      allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
      exposeHeaders: ['X-Request-Id', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Deprecation', 'Sunset'],
      maxAge: 600,
    }),
  );
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: 256 * 1024,
      onError: () => {
        throw new ApiError('payload_too_large', 'Request bodies are limited to 256 KiB');
      },
    }),
  );

  app.use('/api/*', authenticate());
  app.use('/api/*', async (c, next) => {
    // Monitors, the API description and Stripe's webhook retries are not client traffic.
    if (unmeteredPaths.has(new URL(c.req.url).pathname)) return next();
    return limitClients(c, next);
  });

  (options.routes ?? registerApiRoutes)(app);
  // Development and tests only (not found in production): what the outbox provider "sent".
  registerDevOutbox(app);

  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    if (isApi(path)) return handleError(new ApiError('not_found', `No route for ${c.req.method} ${path}`), c);
    return c.text('Not found', 404);
  });
  app.onError(handleError);

  // Everything that is not the API is the Remix app (static files never reach the Worker).
  const refuseCrossSite = csrfProtection((c) => [configOf(c).APP_ORIGIN]);
  app.use('*', async (c, next) => {
    if (isApi(new URL(c.req.url).pathname)) return next();
    return refuseCrossSite(c, next);
  });
  app.all('*', (c) => {
    if (isApi(new URL(c.req.url).pathname)) return c.notFound();
    return remixHandler(c);
  });

  return app;
}

export type App = ReturnType<typeof createApp>;
