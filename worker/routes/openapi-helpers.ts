import { errorResponses, ProblemSchema } from '../lib/errors';

/**
 * Error responses every client generator needs to see. Routes name the statuses their handler
 * and services decide (403, 404, 409, …); what the app-wide middleware answers for a whole class
 * of operations is added here from the operation's own shape, so a new route cannot forget it:
 *
 * - a request body: 400 `malformed_request` (unreadable JSON), 413 `payload_too_large` (the
 *   256 KiB body limit on /api/*) and 422 `validation_failed`;
 * - parameters (path, query, headers): 422 `validation_failed` (the one validation hook);
 * - bearer security without an anonymous alternative: 401 `unauthorized` (requireAuth);
 * - every /api/* path the global rate limiter meters: 429 `rate_limited` with Retry-After;
 * - every operation that touches a dependency: 503 `dependency_unavailable` (a Neon deadline or a
 *   schedule lock that waited too long; retryable, with Retry-After);
 * - every operation: 500 `internal_error` (a misconfigured deployment refuses to serve).
 */

const problemContent = { 'application/problem+json': { schema: ProblemSchema } } as const;

const descriptions = {
  400: 'The request could not be read (`malformed_request`: malformed JSON, a bad header or signature)',
  401: 'Missing, malformed or expired access token (`unauthorized`, with `WWW-Authenticate`)',
  402: 'Payment is required first (`payment_required`)',
  403: 'Signed in but not allowed here (`forbidden`, `email_unverified`)',
  404: 'Not found, or not visible to the caller (`not_found`)',
  409: 'Conflict with the current state (`conflict`, `slot_unavailable` with `reason`, …)',
  410: 'Gone: the hold or link has expired (`hold_expired`, `link_expired`)',
  413: 'The request body is larger than 256 KiB (`payload_too_large`)',
  415: 'Unsupported content type (`unsupported_media_type`)',
  422: 'Invalid input (`validation_failed`, naming each field in `errors[]`) or a rule of the shop (`unprocessable`, `idempotency_conflict`)',
  429: 'Rate limited (`rate_limited`); wait for `Retry-After` seconds',
  500: 'Something went wrong on our side (`internal_error`)',
  503: 'A dependency is unavailable or too slow (`dependency_unavailable`); retry after `Retry-After`',
} as const;

export type ProblemStatus = keyof typeof descriptions;

export interface ProblemResponse {
  description: string;
  content: typeof problemContent;
}

/** problem+json responses for the given statuses, with the shared descriptions. */
export function problems<S extends ProblemStatus>(...statuses: S[]): { [K in S]: ProblemResponse } {
  return Object.fromEntries(statuses.map((s) => [s, problem(s)])) as { [K in S]: ProblemResponse };
}

/** One problem+json response, optionally with a description of this route's own causes. */
export function problem(status: ProblemStatus, description: string = descriptions[status]): ProblemResponse {
  return { description, content: problemContent };
}

/**
 * Paths the global rate limiter lets through (worker/app.ts uses this set): monitors, the API
 * description, provider webhooks. Paths outside /api/ never pass the API middleware at all.
 */
export const unmeteredPaths: ReadonlySet<string> = new Set([
  '/api/v1/health',
  '/api/v1/health/live',
  '/api/v1/health/ready',
  '/api/v1/openapi.json',
  '/api/docs',
  '/api/v1/webhooks/stripe',
  '/api/v1/webhooks/twilio',
]);

/** Operations that answer from the isolate alone (no database, Redis or Stripe): never a 503. */
export const dependencyFreeOperations: ReadonlySet<string> = new Set(['getLiveness', 'getJwks']);

/** The shared response of a status in a generated document (components.responses). */
const problemResponseName = (status: ProblemStatus | string) => `Problem${status}`;

function problemComponent(status: ProblemStatus) {
  return {
    description: descriptions[status],
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  };
}

/** A response that says no more than the shared one of its status (so it can point at it). */
function isGenericProblem(status: string, response: unknown): status is `${ProblemStatus}` {
  if (!(status in descriptions) || !response || typeof response !== 'object') return false;
  const { description, content, ...rest } = response as { description?: string; content?: Record<string, { schema?: { $ref?: string } }> };
  const generic: string[] = [descriptions[status as unknown as ProblemStatus], errorResponses[status as unknown as keyof typeof errorResponses]?.description];
  const types = Object.keys(content ?? {});
  return (
    Object.keys(rest).length === 0 &&
    generic.includes(description as string) &&
    types.length === 1 &&
    content?.['application/problem+json']?.schema?.$ref === '#/components/schemas/Problem'
  );
}

interface OperationLike {
  operationId?: string;
  security?: Record<string, string[]>[];
  parameters?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, unknown>;
}

const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

/** The middleware-answered statuses of one operation (see the module comment). */
export function middlewareStatuses(path: string, op: OperationLike): ProblemStatus[] {
  const statuses: ProblemStatus[] = [];
  const api = path.startsWith('/api/');
  if (op.requestBody) statuses.push(400, 422, ...(api ? ([413] as const) : []));
  if ((op.parameters?.length ?? 0) > 0) statuses.push(422);
  const security = op.security ?? [];
  if (security.length > 0 && !security.some((s) => Object.keys(s).length === 0)) statuses.push(401);
  if (api && !unmeteredPaths.has(path)) statuses.push(429);
  if (!dependencyFreeOperations.has(op.operationId ?? '')) statuses.push(503);
  statuses.push(500);
  return [...new Set(statuses)];
}

/**
 * Completes a generated OpenAPI document with the middleware-answered problem responses. A
 * status the route describes in its own words keeps them (it knows its causes best); the others
 * point at one shared response per status, which keeps generated clients small.
 */
export function withMiddlewareProblems<D extends { paths?: Record<string, unknown>; components?: { responses?: Record<string, unknown> } }>(
  doc: D,
): D {
  const shared: Record<string, unknown> = {};
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of methods) {
      const op = (item as Partial<Record<(typeof methods)[number], OperationLike>>)[method];
      if (!op) continue;
      const responses: Record<string, unknown> = { ...op.responses };
      for (const status of middlewareStatuses(path, op)) responses[String(status)] ??= problemComponent(status);
      for (const [status, response] of Object.entries(responses)) {
        if (!isGenericProblem(status, response)) continue;
        const name = problemResponseName(status);
        shared[name] = problemComponent(Number(status) as ProblemStatus);
        responses[status] = { $ref: `#/components/responses/${name}` };
      }
      // In status order, so a reader (and a generated client) sees success first, then each error.
      op.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
    }
  }
  const components = (doc.components ??= {});
  components.responses = Object.fromEntries(
    Object.entries({ ...components.responses, ...shared }).sort(([a], [b]) => a.localeCompare(b)),
  );
  return doc;
}
