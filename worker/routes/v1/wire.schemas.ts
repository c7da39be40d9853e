import { z } from '@hono/zod-openapi';

/**
 * The one form of an instant on the wire (ADR 7): UTC, milliseconds, `Z` — what
 * Date#toISOString writes. Responses build instants with `wireInstant` (worker/lib/wire.ts).
 */
export const WIRE_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** An instant in a response body. */
export const WireInstant = z
  .string()
  .regex(WIRE_INSTANT)
  .openapi({ format: 'date-time', description: 'UTC with milliseconds and Z', example: '2030-01-07T14:00:00.000Z' });
