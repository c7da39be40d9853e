/**
 * API fuzzing from the Worker's own OpenAPI document: for every documented operation, requests
 * generated with fast-check (plausible and hostile path/query values, schema-derived bodies bent
 * one way or another, malformed JSON, wrong content types, every kind of credential) go through
 * the real Worker. The contract under test:
 *   - no 5xx, ever: bad input is the caller's problem and must be answered as such;
 *   - every 4xx is problem+json whose `code` is one of the error model's codes, with a matching status;
 *   - every 2xx is a documented status and its body validates against the documented schema;
 *   - a protected operation never succeeds without valid credentials.
 *
 * Bounded for `npm test` (a fixed seed, a few runs per operation); `npm run fuzz` runs longer.
 * FUZZ_RUNS (runs per operation) and FUZZ_SEED reach workerd as bindings (vitest.config.ts).
 * A failure names the request (method, path, headers, body) and the seed/path to replay it.
 */
import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import fc from 'fast-check';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyring, signAccessToken } from '../../worker/auth/jwt';
import { payments } from '../../worker/db/schema';
import { buildPayment } from '../../worker/db/seed/builders';
import worker from '../../worker/index';
import { errorCodes } from '../../worker/lib/errors';
import { tokenFor } from './auth';
import { describeRequest, invalidAuth, requestArb, type AuthKind, type FuzzRequest } from './fuzz/requests';
import { SchemaBook, type JsonSchema, type OpenApiDoc, type Operation } from './fuzz/schema';
import { origin, testDb } from './harness';
import { createManagedShop, type ManagedShop } from './world';

const knobs = env as unknown as { FUZZ_RUNS?: string; FUZZ_SEED?: string };
const RUNS = Number(knobs.FUZZ_RUNS) > 0 ? Number(knobs.FUZZ_RUNS) : 40;
const SEED = Number.isInteger(Number(knobs.FUZZ_SEED)) && knobs.FUZZ_SEED ? Number(knobs.FUZZ_SEED) : 20261203;
/** The fuzzer's own address: limits keyed by IP (walk-in joins, logins) never touch other files' traffic. */
const FUZZ_IP = '198.51.100.77';
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

const docResponse = await SELF.fetch(new Request(new URL('/api/v1/openapi.json', origin)));
const doc = (await docResponse.json()) as OpenApiDoc;
const book = new SchemaBook(doc);
const operations = Object.entries(doc.paths).flatMap(([template, item]) =>
  Object.entries(item)
    .filter(([method]) => METHODS.includes(method))
    .map(([method, op]) => ({ method: method.toUpperCase(), template, op: op as Operation })),
);
const knownCodes = new Set(Object.keys(errorCodes));
const problemSchema: JsonSchema = { $ref: '#/components/schemas/Problem' };

interface World {
  mine: ManagedShop;
  other: ManagedShop;
  paymentId: string;
  tokens: Record<AuthKind, string | undefined>;
}
let world: World;

let other: ManagedShop;
let signers: { ring: Awaited<ReturnType<typeof keyring>>; stranger: Awaited<ReturnType<typeof keyring>> };

beforeAll(async () => {
  other = await createManagedShop(testDb());
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  signers = {
    ring: await keyring(env.JWT_SIGNING_KEYS),
    stranger: await keyring(JSON.stringify([{ ...(await exportJWK(privateKey)), kid: 'test-key-1' }])),
  };
});

/**
 * A fresh shop of the fuzzer's own for each operation (the other shop is shared): writes that
 * succeed (a barber deactivated, offerings replaced) must not starve the next operation's reads.
 */
async function freshWorld(): Promise<World> {
  const db = testDb();
  const mine = await createManagedShop(db);
  const [payment] = await db.insert(payments).values(buildPayment({ appointmentId: mine.appointment.id })).returning();
  const hourAgo = Math.floor(Date.now() / 1000) - 3600;
  return {
    mine,
    other,
    paymentId: payment!.id,
    tokens: {
      none: undefined,
      garbage: 'Bearer garbage',
      not_bearer: 'Basic Zm9vOmJhcg==',
      expired: `Bearer ${(await signAccessToken(signers.ring, env.APP_ORIGIN, mine.owner.user.id, hourAgo)).token}`,
      wrong_key: `Bearer ${(await signAccessToken(signers.stranger, env.APP_ORIGIN, mine.owner.user.id)).token}`,
      client: `Bearer ${await tokenFor(mine.client.id)}`,
      other_owner: `Bearer ${other.owner.token}`,
      other_barber: `Bearer ${other.barberStaff.token}`,
      barber: `Bearer ${mine.barberStaff.token}`,
      owner: `Bearer ${mine.owner.token}`,
    },
  };
}

/** Seeded ids by what a field or path segment names, so plenty of requests reach real rows. */
function idsFor(hint: string): string[] {
  const { mine, other } = world;
  const table: [RegExp, string[]][] = [
    [/time_off/, [mine.timeOff.id, other.timeOff.id]],
    [/shop/, [mine.shop.id, other.shop.id]],
    [/barber/, [mine.barber.id, other.barber.id]],
    [/service/, [mine.service.id, other.service.id]],
    [/appointment/, [mine.appointment.id, other.appointment.id]],
    [/client|user/, [mine.client.id, other.client.id]],
    [/payment/, [world.paymentId]],
  ];
  return table.find(([re]) => re.test(hint))?.[1] ?? [];
}

function everyId(): string[] {
  const { mine, other } = world;
  return [mine, other].flatMap((w) => [w.shop.id, w.barber.id, w.service.id, w.appointment.id, w.client.id, w.timeOff.id]);
}

function idArb(hint: string): fc.Arbitrary<string> {
  const named = idsFor(hint);
  return fc.oneof(
    { weight: named.length ? 5 : 0, arbitrary: named.length ? fc.constantFrom(...named) : fc.uuid() },
    { weight: 2, arbitrary: fc.constantFrom(...everyId()) },
    { weight: 1, arbitrary: fc.uuid() },
  );
}

function pathIdArb(name: string, template: string): fc.Arbitrary<string> {
  if (name === 'slug') return fc.constantFrom(world.mine.shop.slug, world.other.shop.slug, 'no-such-shop');
  // `/barbers/{id}/time-off/{time_off_id}`: the segment before the parameter says what it is.
  const segment = new RegExp(`/([^/{}]+)/\\{${name}\\}`).exec(template)?.[1] ?? name;
  return idArb(name === 'id' ? segment.replace(/-/g, '_') : name);
}

/**
 * Through the Worker's own fetch handler with the real bindings. Not SELF.fetch: the pool builds
 * SELF's entrypoint class with one more Proxy around its prototype on every call, so a thousand
 * calls in one file get slower each time and end in "Maximum call stack size exceeded".
 */
async function send(r: FuzzRequest): Promise<{ res: Response; text: string }> {
  const headers = new Headers({ 'cf-connecting-ip': FUZZ_IP, ...r.headers });
  const token = world.tokens[r.auth];
  if (token) headers.set('authorization', token);
  const ctx = createExecutionContext();
  const request = new Request(new URL(r.path, origin), { method: r.method, headers, body: r.body });
  const res = await worker.fetch(request as Parameters<typeof worker.fetch>[0], env, ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return { res, text };
}

/** What is wrong with a response, or nothing. */
function violations(op: Operation, r: FuzzRequest, { res, text }: { res: Response; text: string }): string[] {
  const out: string[] = [];
  const type = res.headers.get('content-type') ?? '';
  const shown = text.length > 800 ? `${text.slice(0, 800)}…` : text;
  if (!res.headers.get('x-request-id')) out.push('no X-Request-Id header');
  if (res.status >= 500) out.push(`server error ${res.status}: ${shown}`);
  if (res.status >= 400) {
    if (!type.startsWith('application/problem+json')) return [...out, `error ${res.status} is not problem+json (${type}): ${shown}`];
    let problem: { code?: string; status?: number };
    try {
      problem = JSON.parse(text) as typeof problem;
    } catch {
      return [...out, `problem body is not JSON: ${shown}`];
    }
    if (!knownCodes.has(problem.code ?? '')) out.push(`unknown error code ${JSON.stringify(problem.code)}`);
    else if (errorCodes[problem.code as keyof typeof errorCodes] !== res.status)
      out.push(`code ${problem.code} is ${errorCodes[problem.code as keyof typeof errorCodes]}, sent with ${res.status}`);
    if (problem.status !== res.status) out.push(`problem.status ${problem.status} differs from HTTP ${res.status}`);
    for (const e of book.validate(problemSchema, problem)) out.push(`problem body: ${e}`);
    return out;
  }
  if (op.security?.length && invalidAuth.has(r.auth)) out.push(`${res.status} without valid credentials (${r.auth})`);
  if (res.status < 200 || res.status >= 300) return out;
  const documented = op.responses[String(res.status)];
  if (!documented) return [...out, `undocumented success status ${res.status} (documented: ${Object.keys(op.responses).join(', ')}): ${shown}`];
  const media = Object.keys(documented.content ?? {});
  if (!media.length) {
    if (text.length) out.push(`documented without a body, sent ${text.length} chars`);
    return out;
  }
  const mediaType = media.find((m) => type.startsWith(m));
  if (!mediaType) return [...out, `content-type ${type} is none of the documented ${media.join(', ')}`];
  const schema = documented.content![mediaType]!.schema;
  if (mediaType.endsWith('json') && schema) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return [...out, `success body is not JSON: ${shown}`];
    }
    for (const e of book.validate(schema, body).slice(0, 8)) out.push(`body does not match the documented ${res.status} schema: ${e}`);
  }
  return out;
}

/** Statuses seen per operation: printed after a long run, to show how deep the requests got. */
const statuses: Record<string, Record<number, number>> = {};
afterAll(() => {
  if (!knobs.FUZZ_RUNS) return;
  for (const [operation, seen] of Object.entries(statuses)) {
    console.log(`${operation.padEnd(60)} ${Object.entries(seen).map(([s, n]) => `${s}×${n}`).join(' ')}`);
  }
});

describe(`API fuzzing from the OpenAPI document (seed ${SEED}, ${RUNS} runs per operation)`, () => {
  it('walks a document that has every operation', () => {
    expect(docResponse.status).toBe(200);
    expect(operations.length).toBeGreaterThanOrEqual(60);
  });

  for (const { method, template, op } of operations) {
    it(`${method} ${template}`, { timeout: 60_000 + RUNS * 3_000 }, async () => {
      world = await freshWorld();
      const arb = requestArb({ book, method, template, op, ids: idArb, pathIds: pathIdArb }).map((r) =>
        // fast-check prints a counterexample with this: the request, not a megabyte of body.
        Object.defineProperty(r, fc.toStringMethod, { value: () => describeRequest(r), enumerable: false }),
      );
      await fc.assert(
        fc.asyncProperty(arb, async (r) => {
          const answer = await send(r);
          const seen = (statuses[`${method} ${template}`] ??= {});
          seen[answer.res.status] = (seen[answer.res.status] ?? 0) + 1;
          const problems = violations(op, r, answer);
          if (problems.length) throw new Error(`${describeRequest(r)}\n  → ${problems.join('\n  → ')}`);
        }),
        { seed: SEED ^ hash(`${method} ${template}`), numRuns: RUNS, interruptAfterTimeLimit: 45_000 + RUNS * 2_000 },
      );
    });
  }
});

/** A stable per-operation offset, so operations do not all walk the same sequence of choices. */
function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
