import { z } from '@hono/zod-openapi';

/**
 * The one error model: every failure leaves the API as RFC 9457 problem+json with a stable `code`.
 * Clients branch on `code`, never on `title` or `detail` (those are for humans and may change).
 */
export const errorCodes = {
  validation_failed: 422,
  malformed_request: 400,
  invalid_signature: 400,
  link_invalid: 400,
  unauthorized: 401,
  payment_required: 402,
  forbidden: 403,
  email_unverified: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  slot_unavailable: 409,
  payments_unavailable: 409,
  link_used: 409,
  no_gap_today: 409,
  hold_expired: 410,
  link_expired: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_conflict: 422,
  unprocessable: 422,
  rate_limited: 429,
  internal_error: 500,
  dependency_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorCodes;

const titles: Record<ErrorCode, string> = {
  validation_failed: 'The request is not valid',
  malformed_request: 'The request body could not be read',
  invalid_signature: 'The signature does not match the request',
  link_invalid: 'This link is not valid',
  unauthorized: 'Authentication is required',
  payment_required: 'Payment is required',
  forbidden: 'You may not do this',
  email_unverified: 'Verify your e-mail address first',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  conflict: 'Conflict with the current state',
  slot_unavailable: 'That time is no longer available',
  payments_unavailable: 'This shop cannot take card payments yet',
  link_used: 'This link has already been used',
  no_gap_today: 'Nothing fits today any more',
  hold_expired: 'The hold on this slot has expired',
  link_expired: 'This link no longer works',
  payload_too_large: 'The request body is too large',
  unsupported_media_type: 'Unsupported content type',
  idempotency_conflict: 'Idempotency key reused with a different request',
  unprocessable: 'The request cannot be processed',
  rate_limited: 'Too many requests',
  internal_error: 'Something went wrong on our side',
  dependency_unavailable: 'A service we depend on is unavailable',
};

export interface FieldError {
  path: string;
  message: string;
  code?: string;
}

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly extra: { errors?: FieldError[]; headers?: Record<string, string>; reason?: string } = {},
  ) {
    super(detail ?? titles[code]);
    this.name = 'ApiError';
    this.status = errorCodes[code];
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: ErrorCode;
  request_id: string;
  instance?: string;
  errors?: FieldError[];
  /** Why exactly, where a code has several causes (a 409 slot_unavailable: taken, outside_hours, …). */
  reason?: string;
}

export function problemBody(
  code: ErrorCode,
  requestId: string,
  detail?: string,
  errors?: FieldError[],
  instance?: string,
): Problem {
  return {
    type: `https://bookedbarber.app/problems/${code.replaceAll('_', '-')}`,
    title: titles[code],
    status: errorCodes[code],
    ...(detail ? { detail } : {}),
    code,
    request_id: requestId,
    ...(instance ? { instance } : {}),
    ...(errors && errors.length ? { errors } : {}),
  };
}

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}

/** Turns zod issues into field errors with JSON-pointer-ish dotted paths (`body.start_time`). */
export function fieldErrors(issues: readonly z.core.$ZodIssue[], prefix?: string): FieldError[] {
  return issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(root)',
    message: issue.message,
    code: issue.code,
  }));
}

/** OpenAPI description of the problem body, referenced by every route's error responses. */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'https://bookedbarber.app/problems/validation-failed' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z.enum(Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]]),
    request_id: z.string(),
    instance: z.string().optional(),
    reason: z.string().optional().openapi({ example: 'taken' }),
    errors: z
      .array(z.object({ path: z.string(), message: z.string(), code: z.string().optional() }))
      .optional(),
  })
  .openapi('Problem');

const problemContent = { 'application/problem+json': { schema: ProblemSchema } };

/** The error responses shared by routes; pick the ones a route can produce. */
export const errorResponses = {
  400: { description: 'The request could not be read (malformed JSON, bad header)', content: problemContent },
  401: { description: 'Missing or invalid credentials', content: problemContent },
  403: { description: 'Not allowed', content: problemContent },
  404: { description: 'Not found', content: problemContent },
  409: { description: 'Conflict', content: problemContent },
  422: { description: 'Invalid input (`validation_failed`, naming each field) or a rule of the shop (`unprocessable`)', content: problemContent },
  429: { description: 'Rate limited', content: problemContent },
  500: { description: 'Internal error', content: problemContent },
  503: { description: 'Dependency unavailable', content: problemContent },
} as const;
