/**
 * Requests for one OpenAPI operation, generated with fast-check: path, query, headers, body and
 * credentials, each either plausible (from the documented schema and the seeded world) or hostile.
 * A generated request prints as something you can paste into a reproduction (method, path,
 * headers, body — long bodies abbreviated with their length).
 */
import fc from 'fast-check';
import { validish, type IdPool, type JsonSchema, type Operation, type Parameter, type SchemaBook } from './schema';

/** Who the request claims to be; tokens are resolved in the test (they need the world). */
export const authKinds = [
  'none',
  'garbage',
  'not_bearer',
  'expired',
  'wrong_key',
  'client',
  'other_owner',
  'other_barber',
  'barber',
  'owner',
] as const;
export type AuthKind = (typeof authKinds)[number];
export const invalidAuth: ReadonlySet<AuthKind> = new Set(['none', 'garbage', 'not_bearer', 'expired', 'wrong_key']);

export interface FuzzRequest {
  method: string;
  path: string;
  auth: AuthKind;
  headers: Record<string, string>;
  body?: string;
  /** What was done to the body, for the report and for expectations. */
  bodyKind: string;
}

export function describeRequest(r: FuzzRequest): string {
  const body =
    r.body === undefined ? '(none)' : r.body.length > 600 ? `${JSON.stringify(r.body.slice(0, 300))}… (${r.body.length} chars)` : JSON.stringify(r.body);
  const path = r.path.length > 600 ? `${r.path.slice(0, 300)}… (${r.path.length} chars)` : r.path;
  return `${r.method} ${path}\n  auth: ${r.auth}\n  headers: ${JSON.stringify(r.headers)}\n  body [${r.bodyKind}]: ${body}`;
}

const MB = 1024 * 1024;

/** Strings that have broken path and query handling somewhere, sometime. */
const hostileStrings: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '..%2F..%2Fetc%2Fpasswd',
    '../../etc/passwd',
    '%00',
    '%',
    '%E0%A4%A',
    '%FF%FE',
    '%uD83D',
    'null',
    'undefined',
    'NaN',
    '-1',
    '0',
    '1e309',
    '99999999999999999999999',
    "'; drop table shops; --",
    '<script>alert(1)</script>',
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '{"$gt":""}',
    'true',
  ),
  fc.constantFrom('日本語のテキスト', '💈✂️🧔🏽‍♂️', 'ʇxǝʇ', '\u202Eevil', 'Ω≈ç√∫'),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer({ min: 2_000, max: 20_000 }).map((n) => 'x'.repeat(n)),
  fc.uuid(),
);

/** encodeURIComponent, except that a lone surrogate (which it refuses) goes as U+FFFD. */
export function encode(value: string): string {
  return encodeURIComponent(value.replace(/[\uD800-\uDFFF]/gu, '\uFFFD'));
}

/** Into a URL: encoded like a client would, or raw (already-encoded trickery goes in verbatim). */
function urlPiece(value: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(value, fc.boolean()).map(([v, raw]) => (raw && /^[\x21-\x7e]*$/.test(v) ? v : encode(v)));
}

const nonsenseQueryValues = fc.constantFrom(
  'abc',
  '-1',
  '-99999999999',
  '0',
  '1.5',
  '1e309',
  'NaN',
  'Infinity',
  '99999999999999999999',
  '',
  'true',
  '2026-13-45',
  '2026-02-30',
  '31/12/2026',
  'yesterday',
  '2026-12-01T25:00:00Z',
  '2026-12-01T10:00:00+25:00',
  '0000-00-00',
  '275760-09-13',
  '-000001-01-01T00:00:00Z',
  '[object Object]',
);

function queryArb(book: SchemaBook, params: Parameter[], ids: IdPool): fc.Arbitrary<string> {
  if (!params.length) {
    return fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constant('?unexpected=1&limit=-5') });
  }
  // Each parameter valid or left out; then, for some requests, one of them spoilt (or repeated),
  // or all of them: a query with eight parameters drawn bad independently would never get through.
  const plausible = (p: Parameter): fc.Arbitrary<string | undefined> => {
    const valid = validish(book, p.schema, ids, p.name).map((v) => String(v));
    // A made-up cursor is simply invalid; leave it out mostly.
    const omit = p.required ? 0 : p.name === 'cursor' ? 6 : 1;
    return omit ? fc.oneof({ weight: omit, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: valid }) : valid;
  };
  const bad = fc.oneof({ weight: 2, arbitrary: nonsenseQueryValues }, { weight: 1, arbitrary: hostileStrings });
  return fc
    .record({
      values: fc.tuple(...params.map(plausible)),
      mode: fc.constantFrom('valid', 'valid', 'valid', 'one-bad', 'one-bad', 'repeat', 'chaos'),
      which: fc.nat({ max: params.length - 1 }),
      spoilt: bad,
      chaos: fc.tuple(...params.map(() => bad)),
      days: fc.integer({ min: 1, max: 10 }),
    })
    .map(({ values, mode, which, spoilt, chaos, days }) => {
      let flat: [string, string][] = [];
      params.forEach((p, i) => {
        const v = mode === 'chaos' ? chaos[i] : mode === 'one-bad' && i === which ? spoilt : values[i];
        if (v !== undefined) flat.push([p.name, v]);
        // Repeated keys: `?limit=1&limit=abc`.
        if (mode === 'repeat' && i === which) flat.push([p.name, spoilt]);
      });
      // Ranges (`from`/`to`) drawn apart are mostly reversed or too long: make `to` follow `from`.
      const from = flat.find(([k]) => k === 'from')?.[1];
      const end = from === undefined ? NaN : Date.parse(from) + days * 86_400_000;
      if (mode === 'valid' && from && Math.abs(end) < 8.64e15) {
        const iso = new Date(end).toISOString();
        const to = /^\d{4}-\d{2}-\d{2}$/.test(from) ? iso.slice(0, 10) : iso;
        flat = flat.map(([k, v]) => (k === 'to' ? [k, to] : [k, v]));
      }
      if (!flat.length) return '';
      return `?${flat.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')}`;
    });
}

function pathArb(template: string, params: Parameter[], pathIds: (name: string, template: string) => fc.Arbitrary<string>): fc.Arbitrary<string> {
  const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  if (!names.length) return fc.constant(template);
  const piece = (name: string) =>
    fc.oneof({ weight: 7, arbitrary: urlPiece(pathIds(name, template)) }, { weight: 2, arbitrary: urlPiece(hostileStrings) });
  void params;
  return fc.tuple(...names.map(piece)).map((values) => {
    let i = 0;
    return template.replace(/\{[^}]+\}/g, () => values[i++]!);
  });
}

/** The deepest, oddest things JSON can carry. */
function deep(levels: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < levels; i += 1) v = i % 2 ? [v] : { a: v };
  return v;
}

const wrongTypeValues: fc.Arbitrary<unknown> = fc.constantFrom(
  null,
  true,
  0,
  -1,
  1.5,
  -0.000001,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  '',
  'not-the-right-type',
  '\u0000\u0000',
  [],
  [1, 'two', null],
  {},
  { nested: { deeper: true } },
  '💈'.repeat(50),
  deep(200),
);

/** A body mutated one way: the schema's shape bent at one field, or replaced outright. */
function mutate(value: unknown, schema: JsonSchema): fc.Arbitrary<{ kind: string; value: unknown }> {
  const obj = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  const keys = Object.keys(schema.properties ?? {});
  const field = keys.length ? fc.constantFrom(...keys) : fc.constant('x');
  const at = (kind: string, v: fc.Arbitrary<unknown>) =>
    fc.tuple(field, v).map(([k, x]) => ({ kind: `${kind}:${k}`, value: { ...(obj ?? {}), [k]: x } }));
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant({ kind: 'valid-ish', value }) },
    { weight: 3, arbitrary: at('wrong-type', wrongTypeValues) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(...(schema.required?.length ? schema.required : ['(none)']))
        .map((k) => {
          const copy = { ...(obj ?? {}) };
          delete copy[k];
          return { kind: `missing:${k}`, value: copy };
        }),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('__proto__', 'constructor', 'id', 'shop_id', 'role', 'is_admin', 'extra'), wrongTypeValues)
        .map(([k, x]) => ({ kind: `extra:${k}`, value: { ...(obj ?? {}), [k]: x } })),
    },
    { weight: 1, arbitrary: at('huge-string', fc.constantFrom(200 * 1024, 300 * 1024, MB).map((n) => 'a'.repeat(n))) },
    { weight: 1, arbitrary: at('long-string', fc.integer({ min: 300, max: 20_000 }).map((n) => 'é'.repeat(n))) },
    { weight: 2, arbitrary: at('nul-bytes', fc.constantFrom('\u0000', 'a\u0000b', '\u0000'.repeat(64), 'x\ud800y')) },
    { weight: 2, arbitrary: at('unicode', fc.constantFrom('日本語', '💈✂️', '\u202E', 'Ω≈ç√', 'ﷺ', '\uFEFF')) },
    {
      weight: 2,
      arbitrary: at('number', fc.constantFrom(-1, -2147483649, 0, 0.5, 1e21, 2 ** 53 + 1, 1e308, -1e308, 2147483648)),
    },
    { weight: 1, arbitrary: fc.constantFrom(5, 500, 5000).map((n) => ({ kind: `deep:${n}`, value: deep(n) })) },
    { weight: 1, arbitrary: wrongTypeValues.map((v) => ({ kind: 'whole-body-wrong-type', value: v })) },
  );
}

interface EncodedBody {
  kind: string;
  body?: string;
  contentType?: string;
}

const malformedJson = fc.constantFrom('{', '{"a":', '{"a":1,}', "{'a':1}", 'nul', '\u0000', '[', '{"a":1}{"b":2}', '\uFEFF{}', '{"a":"\\ud800"}');

function bodyArb(book: SchemaBook, op: Operation, method: string, ids: IdPool): fc.Arbitrary<EncodedBody> {
  const json = op.requestBody?.content['application/json'];
  const form = op.requestBody?.content['application/x-www-form-urlencoded'];
  if (method === 'GET' || method === 'HEAD') return fc.constant({ kind: 'none' });
  if (!json && !form) {
    return fc.oneof(
      { weight: 4, arbitrary: fc.constant<EncodedBody>({ kind: 'none' }) },
      { weight: 1, arbitrary: fc.constant<EncodedBody>({ kind: 'unexpected-json', body: '{"x":1}', contentType: 'application/json' }) },
      { weight: 1, arbitrary: malformedJson.map((b): EncodedBody => ({ kind: 'unexpected-malformed', body: b, contentType: 'application/json' })) },
    );
  }
  const schema = book.resolve((json ?? form)!.schema);
  const structured = validish(book, schema, ids).chain((v) => mutate(v, schema));
  const asJson = structured.map((m): EncodedBody => ({ kind: m.kind, body: JSON.stringify(m.value), contentType: 'application/json' }));
  const asForm = structured.map((m): EncodedBody => {
    const o = m.value && typeof m.value === 'object' ? (m.value as Record<string, unknown>) : { value: m.value };
    const params = new URLSearchParams(Object.entries(o).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
    return { kind: `form:${m.kind}`, body: params.toString(), contentType: 'application/x-www-form-urlencoded' };
  });
  const native = form && !json ? asForm : asJson;
  return fc.oneof(
    { weight: 10, arbitrary: native },
    { weight: 2, arbitrary: malformedJson.map((b): EncodedBody => ({ kind: 'malformed-json', body: b, contentType: native === asForm ? 'application/x-www-form-urlencoded' : 'application/json' })) },
    { weight: 1, arbitrary: fc.constant<EncodedBody>({ kind: 'empty', body: '', contentType: 'application/json' }) },
    { weight: 1, arbitrary: fc.constant<EncodedBody>({ kind: 'no-body' }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(native, fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/problem+json', 'garbage'))
        .map(([b, ct]): EncodedBody => ({ kind: `content-type:${ct}`, body: b.body, contentType: ct })),
    },
    { weight: 1, arbitrary: native.map((b): EncodedBody => ({ kind: 'no-content-type', body: b.body })) },
    { weight: 1, arbitrary: (json ? asForm : asJson).map((b): EncodedBody => ({ ...b, kind: `other-encoding:${b.kind}` })) },
  );
}

const idempotencyKeys = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'x'.repeat(2000), 'fuzz-fixed-key', '6f1f7a9e-0000-4000-8000-00000000f022') },
);

export interface OperationContext {
  book: SchemaBook;
  method: string;
  template: string;
  op: Operation;
  ids: IdPool;
  pathIds: (name: string, template: string) => fc.Arbitrary<string>;
}

export function requestArb(ctx: OperationContext): fc.Arbitrary<FuzzRequest> {
  const params = (ctx.op.parameters ?? []).map((p) => ctx.book.parameter(p));
  const query = params.filter((p) => p.in === 'query');
  return fc
    .record({
      path: pathArb(ctx.template, params.filter((p) => p.in === 'path'), ctx.pathIds),
      query: queryArb(ctx.book, query, ctx.ids),
      body: bodyArb(ctx.book, ctx.op, ctx.method, ctx.ids),
      // Valid credentials most of the time, so requests get past authentication to the handlers.
      auth: fc.oneof(
        ...authKinds.map((kind) => ({ weight: kind === 'owner' ? 6 : kind === 'barber' || kind === 'client' ? 3 : invalidAuth.has(kind) ? 1 : 2, arbitrary: fc.constant(kind) })),
      ),
      idempotencyKey: ctx.method === 'POST' ? idempotencyKeys : fc.constant(undefined),
    })
    .map(({ path, query, body, auth, idempotencyKey }) => {
      const headers: Record<string, string> = {};
      if (body.contentType) headers['content-type'] = body.contentType;
      if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
      return { method: ctx.method, path: `${path}${query}`, auth, headers, body: body.body, bodyKind: body.kind };
    });
}
