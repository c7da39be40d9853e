/**
 * What the API fuzzer (fuzz.test.ts) found, each pinned as a plain example: the request it
 * generated, cut down to what matters, and the contract it broke.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { newClient } from './booking-world';
import { SchemaBook, type JsonSchema, type OpenApiDoc } from './fuzz/schema';
import { eq } from 'drizzle-orm';
import { appointments } from '../../worker/db/schema';
import { call, problemOf, testDb } from './harness';
import { createManagedShop, send } from './world';

let doc: OpenApiDoc;
let book: SchemaBook;

beforeAll(async () => {
  doc = (await (await call('/api/v1/openapi.json')).json()) as OpenApiDoc;
  book = new SchemaBook(doc);
});

/** The body schema the document gives for one operation's request. */
function documentedRequest(method: string, path: string): JsonSchema {
  const schema = doc.paths[path]?.[method]?.requestBody?.content['application/json']?.schema;
  if (!schema) throw new Error(`no documented JSON body for ${method.toUpperCase()} ${path}`);
  return schema;
}

/** The body schema the document gives for one response. */
function documented(method: string, path: string, status: number): JsonSchema {
  const schema = doc.paths[path]?.[method]?.responses[String(status)]?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`no documented ${status} JSON body for ${method.toUpperCase()} ${path}`);
  return schema;
}

describe('fuzz regressions', () => {
  it('a card setup handle (no money moves, currency "") matches its documented schema', async () => {
    const client = await newClient(testDb());
    const res = await send('POST', '/api/v1/me/payment-methods', client.token);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { kind: string; currency: string };
    expect(body).toMatchObject({ kind: 'setup', currency: '' });
    expect(book.validate(documented('post', '/api/v1/me/payment-methods', 200), body)).toEqual([]);
  });

  it('a NUL character in a cancel reason is 422 naming json.reason, not a 503 from the barber\'s schedule', async () => {
    const db = testDb();
    const world = await createManagedShop(db);
    const res = await send('POST', `/api/v1/appointments/${world.appointment.id}/cancel`, world.owner.token, { reason: '\u0000\u0000' });
    expect(res.status).toBe(422);
    const problem = await problemOf(res);
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors?.map((e) => e.path)).toEqual(['json.reason']);
    const [row] = await db.select().from(appointments).where(eq(appointments.id, world.appointment.id));
    expect(row?.status).toBe('confirmed');
  });

  it('a NUL character in a registration name is 422 naming the field, not an unnamed rejection by the database', async () => {
    const res = await send('POST', '/api/v1/auth/register', null, {
      email: `nul-${crypto.randomUUID()}@fuzz.example.test`,
      password: 'correct-horse-battery-1',
      first_name: 'Ad\u0000a',
      last_name: 'Lovelace',
    });
    expect(res.status).toBe(422);
    const problem = await problemOf(res);
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors?.map((e) => e.path)).toEqual(['json.first_name']);
  });

  it('the document says service durations go in steps of 5 minutes, as the API enforces', async () => {
    const world = await createManagedShop(testDb());
    const body = { name: 'Odd cut', price_cents: 1500, currency: 'USD', duration_min: 7 };
    const res = await send('POST', `/api/v1/shops/${world.shop.id}/services`, world.owner.token, body);
    expect(res.status).toBe(422);
    expect((await problemOf(res)).errors?.map((e) => e.path)).toEqual(['json.duration_min']);
    const schema = documentedRequest('post', '/api/v1/shops/{id}/services');
    expect(book.validate(schema, body).join('\n')).toMatch(/duration_min/);
    expect(book.validate(schema, { ...body, duration_min: 10 })).toEqual([]);
  });
});
