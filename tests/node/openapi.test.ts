import { readFile } from 'node:fs/promises';
import { OpenAPIHono } from '@hono/zod-openapi';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { apiSchemaTypes, schemaTypesPath } from '../api/generate';
import { openApiDocument } from '../../worker/openapi';
import { registerApiRoutes } from '../../worker/routes';
import type { HonoEnv } from '../../worker/types';

/**
 * The document mobile teams generate clients from: valid 3.1, every operation named, described,
 * with examples that are true to their schemas and every error it can answer as problem+json.
 * Everything below reads the generated document, so a new route that skips any of it fails here.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const doc = openApiDocument('http://127.0.0.1:8787') as unknown as Obj;
const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

interface Operation {
  key: string;
  path: string;
  method: string;
  op: Obj;
}

const operations: Operation[] = Object.entries(doc.paths as Obj).flatMap(([path, item]) =>
  Object.entries(item as Obj)
    .filter(([method]) => methods.includes(method))
    .map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, path, method, op: op as Obj })),
);

/** Follows a local JSON pointer (`#/components/schemas/Problem`); throws when it leads nowhere. */
function resolvePointer(ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`non-local $ref ${ref}`);
  let node: Json = doc;
  for (const raw of ref.slice(2).split('/')) {
    const part = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isObj(node) || !(part in node)) throw new Error(`unresolved $ref ${ref}`);
    node = node[part]!;
  }
  return node;
}

const deref = (node: Json | undefined): Json | undefined =>
  isObj(node) && typeof node.$ref === 'string' ? deref(resolvePointer(node.$ref)) : node;

// ---- A small JSON Schema (2020-12 subset) checker for the keywords zod-openapi emits. ----------
// It refuses keywords it does not know, so a schema it cannot judge fails loudly instead of passing.

const annotations = new Set(['description', 'example', 'examples', 'default', 'title', 'deprecated', 'readOnly', 'writeOnly', 'externalDocs']);
const formats: Record<string, (s: string) => boolean> = {
  uuid: (s) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s),
  'date-time': (s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
  email: (s) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s),
  uri: (s) => URL.canParse(s),
};

function typeOf(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function schemaErrors(schema: Json | undefined, value: Json, at = '$'): string[] {
  if (schema === undefined || schema === true) return [];
  if (schema === false) return [`${at}: no value is allowed`];
  if (!isObj(schema)) throw new Error(`${at}: not a schema: ${JSON.stringify(schema)}`);
  const errors: string[] = [];
  const fail = (message: string) => errors.push(`${at}: ${message}`);
  for (const [keyword, arg] of Object.entries(schema)) {
    if (annotations.has(keyword)) continue;
    switch (keyword) {
      case '$ref':
        errors.push(...schemaErrors(resolvePointer(arg as string), value, at));
        break;
      case 'type': {
        const types = Array.isArray(arg) ? (arg as string[]) : [arg as string];
        const actual = typeOf(value);
        if (!types.includes(actual) && !(actual === 'integer' && types.includes('number'))) fail(`expected ${types.join('|')}, got ${actual}`);
        break;
      }
      case 'enum':
        if (!(arg as Json[]).some((option) => JSON.stringify(option) === JSON.stringify(value))) fail(`${JSON.stringify(value)} is not one of ${JSON.stringify(arg)}`);
        break;
      case 'const':
        if (JSON.stringify(arg) !== JSON.stringify(value)) fail(`expected ${JSON.stringify(arg)}`);
        break;
      case 'properties':
        if (isObj(value)) {
          for (const [name, sub] of Object.entries(arg as Obj)) if (name in value) errors.push(...schemaErrors(sub, value[name]!, `${at}.${name}`));
        }
        break;
      case 'required':
        if (isObj(value)) for (const name of arg as string[]) if (!(name in value)) fail(`missing required ${name}`);
        break;
      case 'additionalProperties':
        if (isObj(value)) {
          const known = new Set(Object.keys((schema.properties as Obj | undefined) ?? {}));
          for (const [name, v] of Object.entries(value)) if (!known.has(name)) errors.push(...schemaErrors(arg, v, `${at}.${name}`));
        }
        break;
      case 'items':
        if (Array.isArray(value)) value.forEach((v, i) => errors.push(...schemaErrors(arg, v, `${at}[${i}]`)));
        break;
      case 'minItems':
        if (Array.isArray(value) && value.length < (arg as number)) fail(`fewer than ${arg} items`);
        break;
      case 'maxItems':
        if (Array.isArray(value) && value.length > (arg as number)) fail(`more than ${arg} items`);
        break;
      case 'minLength':
        if (typeof value === 'string' && [...value].length < (arg as number)) fail(`shorter than ${arg}`);
        break;
      case 'maxLength':
        if (typeof value === 'string' && [...value].length > (arg as number)) fail(`longer than ${arg}`);
        break;
      case 'pattern':
        if (typeof value === 'string' && !new RegExp(arg as string, 'u').test(value)) fail(`${JSON.stringify(value)} does not match ${arg}`);
        break;
      case 'format': {
        const check = formats[arg as string];
        if (!check) throw new Error(`${at}: the checker does not know format ${arg}`);
        if (typeof value === 'string' && !check(value)) fail(`${JSON.stringify(value)} is not a ${arg}`);
        break;
      }
      case 'minimum':
        if (typeof value === 'number' && value < (arg as number)) fail(`below ${arg}`);
        break;
      case 'maximum':
        if (typeof value === 'number' && value > (arg as number)) fail(`above ${arg}`);
        break;
      case 'exclusiveMinimum':
        if (typeof value === 'number' && value <= (arg as number)) fail(`not above ${arg}`);
        break;
      case 'exclusiveMaximum':
        if (typeof value === 'number' && value >= (arg as number)) fail(`not below ${arg}`);
        break;
      case 'multipleOf':
        if (typeof value === 'number' && value % (arg as number) !== 0) fail(`not a multiple of ${arg}`);
        break;
      case 'allOf':
        for (const sub of arg as Json[]) errors.push(...schemaErrors(sub, value, at));
        break;
      case 'anyOf':
        if (!(arg as Json[]).some((sub) => schemaErrors(sub, value, at).length === 0)) fail(`matches none of anyOf: ${(arg as Json[]).map((sub) => schemaErrors(sub, value, at).join('; ')).join(' / ')}`);
        break;
      case 'oneOf':
        if ((arg as Json[]).filter((sub) => schemaErrors(sub, value, at).length === 0).length !== 1) fail('does not match exactly one of oneOf');
        break;
      default:
        throw new Error(`${at}: the checker does not know the keyword ${keyword}`);
    }
  }
  return errors;
}

/** Every (schema, example) pair in the document: on schemas at any depth and on media types. */
function examplesIn(node: Json, where: string, out: { where: string; schema: Json; example: Json }[] = []) {
  if (Array.isArray(node)) node.forEach((n, i) => examplesIn(n, `${where}[${i}]`, out));
  if (!isObj(node)) return out;
  const isMediaType = 'schema' in node && isObj(node.schema);
  if (isMediaType && 'example' in node) out.push({ where: `${where} (media type)`, schema: node.schema!, example: node.example! });
  if (!isMediaType && !('content' in node) && 'example' in node) out.push({ where, schema: node, example: node.example! });
  if (!isMediaType && Array.isArray(node.examples)) node.examples.forEach((example, i) => out.push({ where: `${where}.examples[${i}]`, schema: node, example }));
  for (const [key, child] of Object.entries(node)) if (key !== 'example' && key !== 'examples') examplesIn(child, `${where}.${key}`, out);
  return out;
}

/** Whether a media type carries an example, its own or its schema's (through $ref). */
function hasExample(mediaType: Json | undefined): boolean {
  if (!isObj(mediaType)) return false;
  if ('example' in mediaType || isObj(mediaType.examples)) return true;
  const schema = deref(mediaType.schema);
  return isObj(schema) && ('example' in schema || Array.isArray(schema.examples));
}

const responsesOf = (op: Obj) => Object.entries(op.responses as Obj).map(([status, r]) => ({ status, response: deref(r) as Obj }));
const isProblem = (response: Obj) => {
  const content = response.content;
  return isObj(content) && Object.keys(content).length === 1 && isObj(content['application/problem+json']) &&
    (content['application/problem+json'] as Obj).schema !== undefined &&
    ((content['application/problem+json'] as Obj).schema as Obj).$ref === '#/components/schemas/Problem';
};

/** Probes that take no input and touch nothing a caller controls: they can only fail on our side. */
const inputFree = new Set(['getLiveness', 'getHealth', 'getReadiness', 'getJwks']);
const unmetered = new Set(['/api/v1/health', '/api/v1/health/live', '/api/v1/health/ready', '/api/v1/webhooks/stripe', '/api/v1/webhooks/twilio']);

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    // The library's strictest setting (ajv's strict mode only as 'log') warns about the OpenAPI
    // meta-schema itself, not about documents, so the strictness here is all errors and formats.
    const result = await new Validator({ allErrors: true, validateFormats: true }).validate(doc as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('is the document the Worker serves at /api/v1/openapi.json', async () => {
    const app = new OpenAPIHono<HonoEnv>();
    registerApiRoutes(app);
    const res = await app.request('http://127.0.0.1:8787/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(doc);
  });

  it('lists the operations it checks', () => {
    expect(operations.length).toBeGreaterThanOrEqual(71);
    expect(operations.map((o) => o.key)).toEqual(expect.arrayContaining(['GET /api/v1/health', 'POST /api/v1/appointments']));
  });

  it('names every operation once (camelCase) and summarises it', () => {
    const ids = operations.map(({ op }) => op.operationId);
    for (const { key, op } of operations) {
      expect(op.operationId, key).toMatch(/^[a-z][A-Za-z]+$/);
      expect(typeof op.summary === 'string' && op.summary.trim().length > 0, `${key} has a summary`).toBe(true);
      if ('description' in op) expect(String(op.description).trim().length, `${key} description`).toBeGreaterThan(0);
    }
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('resolves every $ref', () => {
    const refs: string[] = [];
    const walk = (n: Json) => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (isObj(n)) {
        for (const [k, v] of Object.entries(n)) {
          if (k === '$ref' && typeof v === 'string') refs.push(v);
          else walk(v);
        }
      }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(100);
    const broken = refs.filter((ref) => {
      try {
        resolvePointer(ref);
        return false;
      } catch {
        return true;
      }
    });
    expect(broken).toEqual([]);
  });

  it('declares every path parameter the path names, and no other', () => {
    const mismatched = operations.flatMap(({ key, path, op }) => {
      const named = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const params = ((op.parameters as Json[] | undefined) ?? []).map((p) => deref(p) as Obj).filter((p) => p.in === 'path');
      const declared = params.map((p) => p.name as string).sort();
      const notRequired = params.filter((p) => p.required !== true).map((p) => p.name);
      return JSON.stringify(named) === JSON.stringify(declared) && notRequired.length === 0 ? [] : [`${key}: path names ${named}, declares ${declared}`];
    });
    expect(mismatched).toEqual([]);
  });

  it('answers every error as problem+json, with at least one 4xx per operation that takes input', () => {
    const missing = operations.flatMap(({ key, op }) => {
      const responses = responsesOf(op);
      const problems: string[] = [];
      // The one exception: readiness answers 503 with its own report (which check failed).
      for (const { status, response } of responses) {
        const readiness503 = status === '503' && ['getHealth', 'getReadiness'].includes(op.operationId as string);
        if (Number(status) >= 400 && !readiness503 && !isProblem(response)) problems.push(`${key} ${status} is not problem+json`);
      }
      const has4xx = responses.some(({ status, response }) => status.startsWith('4') && isProblem(response));
      if (!has4xx && !inputFree.has(op.operationId as string)) problems.push(`${key} documents no 4xx problem`);
      if (!responses.some(({ status, response }) => status === '500' && isProblem(response))) problems.push(`${key} documents no 500`);
      return problems;
    });
    expect(missing).toEqual([]);
  });

  it('documents what the app-wide middleware answers for each operation', () => {
    const missing = operations.flatMap(({ key, path, op }) => {
      const statuses = new Set(Object.keys(op.responses as Obj));
      const need: string[] = [];
      const api = path.startsWith('/api/');
      if (op.requestBody) need.push('400', '422', ...(api ? ['413'] : []));
      if (((op.parameters as Json[] | undefined) ?? []).length > 0) need.push('422');
      const security = (op.security as Obj[] | undefined) ?? [];
      if (security.length > 0 && !security.some((s) => Object.keys(s).length === 0)) need.push('401');
      if (api && !unmetered.has(path)) need.push('429');
      if (!inputFree.has(op.operationId as string)) need.push('503');
      // A route that looks something up by its path can always miss.
      if (/\{[^}]+\}/.test(path)) need.push('404');
      return need.filter((s) => !statuses.has(s)).map((s) => `${key} lacks ${s}`);
    });
    expect(missing).toEqual([]);
  });

  it('has a request example for every body and a response example for every success', () => {
    const missing = operations.flatMap(({ key, op }) => {
      const out: string[] = [];
      const body = deref(op.requestBody) as Obj | undefined;
      for (const [type, media] of Object.entries((body?.content as Obj | undefined) ?? {})) if (!hasExample(media)) out.push(`${key} request ${type}`);
      const success = responsesOf(op).find(({ status }) => status.startsWith('2'));
      for (const [type, media] of Object.entries((success?.response.content as Obj | undefined) ?? {})) if (!hasExample(media)) out.push(`${key} ${success!.status} ${type}`);
      return out;
    });
    expect(missing).toEqual([]);
  });

  it('has examples that are valid against their own schemas', () => {
    const examples = examplesIn(doc, '#');
    expect(examples.length).toBeGreaterThan(100);
    const invalid = examples.flatMap(({ where, schema, example }) => schemaErrors(schema, example).map((e) => `${where}: ${e}`));
    expect(invalid).toEqual([]);
  });

  it('has an example checker that can fail', () => {
    const appointment = (doc.components as Obj).schemas as Obj;
    const example = (appointment.Appointment as Obj).example as Obj;
    expect(schemaErrors({ $ref: '#/components/schemas/Appointment' }, example)).toEqual([]);
    expect(schemaErrors({ $ref: '#/components/schemas/Appointment' }, { ...example, start_time: '2026-12-07 10:30' }).length).toBeGreaterThan(0);
    expect(schemaErrors({ $ref: '#/components/schemas/Appointment' }, { ...example, status: 'maybe' }).length).toBeGreaterThan(0);
    const { id: _id, ...withoutId } = example;
    expect(schemaErrors({ $ref: '#/components/schemas/Appointment' }, withoutId)).toEqual(['$: missing required id']);
  });
});

describe('generated API types', () => {
  it(`${schemaTypesPath} is what the document generates`, async () => {
    const committed = await readFile(new URL(`../../${schemaTypesPath}`, import.meta.url), 'utf8').catch(() => '');
    const generated = await apiSchemaTypes();
    expect(committed === generated, `${schemaTypesPath} is stale: run \`npm run api:client\` and commit it`).toBe(true);
  });
});
