/**
 * The OpenAPI document's schemas, for the fuzzer: `$ref` resolution, response validation and
 * "valid-ish" value generation. Validation is @cfworker/json-schema, an interpreter: workerd
 * forbids `new Function`/eval, so a code-generating validator (Ajv) cannot run here.
 */
import { Validator, type Schema as CfSchema } from '@cfworker/json-schema';
import fc from 'fast-check';

export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  multipleOf?: number;
  pattern?: string;
  default?: unknown;
  [key: string]: unknown;
};

export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema>; parameters?: Record<string, Parameter> };
}

export interface Parameter {
  $ref?: string;
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
}

export interface Operation {
  operationId?: string;
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
}

const componentRef = /^#\/components\/schemas\/(.+)$/;

/** Keywords that hold names rather than schemas: `example` there is a property, not an annotation. */
const schemaMaps = new Set(['properties', 'patternProperties', '$defs', 'dependentSchemas']);

/**
 * Points `#/components/schemas/X` at `#/$defs/X`, so a schema can carry its components along, and
 * drops the OpenAPI `example`/`examples` annotations: the validator reads an `id` inside one as a
 * schema identifier (draft-04 `id`), and two examples with the same id then collide.
 */
function rebase(value: unknown, isMap = false): unknown {
  if (Array.isArray(value)) return value.map((v) => rebase(v));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (!isMap && (k === 'example' || k === 'examples')) continue;
      out[k] = k === '$ref' && typeof v === 'string' && !isMap ? v.replace(componentRef, '#/$defs/$1') : rebase(v, !isMap && schemaMaps.has(k));
    }
    return out;
  }
  return value;
}

export class SchemaBook {
  private readonly defs: Record<string, JsonSchema>;

  constructor(private readonly doc: OpenApiDoc) {
    this.defs = rebase(doc.components?.schemas ?? {}, true) as Record<string, JsonSchema>;
  }

  /** The schema behind a `$ref` (followed until it is not one). */
  resolve(schema: JsonSchema | undefined): JsonSchema {
    let s = schema ?? {};
    for (let hops = 0; s.$ref && hops < 20; hops += 1) {
      const match = componentRef.exec(s.$ref) ?? /^#\/\$defs\/(.+)$/.exec(s.$ref);
      const target = match ? (this.doc.components?.schemas?.[match[1]!] ?? this.defs[match[1]!]) : undefined;
      if (!target) throw new Error(`unresolvable $ref ${s.$ref}`);
      s = target;
    }
    return s;
  }

  parameter(p: Parameter): Parameter {
    if (!p.$ref) return p;
    const name = /^#\/components\/parameters\/(.+)$/.exec(p.$ref)?.[1];
    const target = name ? this.doc.components?.parameters?.[name] : undefined;
    if (!target) throw new Error(`unresolvable parameter $ref ${p.$ref}`);
    return target;
  }

  private readonly validators = new Map<JsonSchema, Validator>();

  /** Validation errors of `value` against `schema` (JSON Schema 2020-12, OpenAPI 3.1's dialect). */
  validate(schema: JsonSchema, value: unknown): string[] {
    let v = this.validators.get(schema);
    if (!v) {
      const root = { ...(rebase(schema) as object), $defs: this.defs } as CfSchema;
      v = new Validator(root, '2020-12', false);
      this.validators.set(schema, v);
    }
    const result = v.validate(value);
    return result.valid ? [] : result.errors.map((e) => `${e.instanceLocation}: ${e.error}`);
  }
}

/** Values the world can offer for a field, by name (`barber_id` → the seeded barber's id). */
export type IdPool = (field: string) => fc.Arbitrary<string>;

const DAY_MS = 86_400_000;
/** Instants a booking API cares about: quarter hours from a week ago to two months ahead. */
const instant = fc
  .integer({ min: -7 * 96, max: 60 * 96 })
  .map((q) => new Date(Math.floor(Date.now() / 900_000) * 900_000 + q * 900_000).toISOString());
const day = fc.integer({ min: -7, max: 60 }).map((d) => new Date(Date.now() + d * DAY_MS).toISOString().slice(0, 10));

function typesOf(s: JsonSchema): string[] {
  if (Array.isArray(s.type)) return s.type;
  if (s.type) return [s.type];
  if (s.properties) return ['object'];
  if (s.items) return ['array'];
  return ['string'];
}

/** A value the schema accepts, or nearly: the fuzzer's starting point before any mutation. */
export function validish(book: SchemaBook, schema: JsonSchema | undefined, ids: IdPool, field = '', depth = 0): fc.Arbitrary<unknown> {
  const s = book.resolve(schema);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((a) => validish(book, a, ids, field, depth + 1)));
  if (s.allOf?.length) {
    const merged: JsonSchema = { type: 'object', properties: {}, required: [] };
    for (const part of s.allOf.map((p) => book.resolve(p))) {
      Object.assign(merged.properties!, part.properties ?? {});
      merged.required!.push(...(part.required ?? []));
    }
    return validish(book, merged, ids, field, depth + 1);
  }
  const arbs = typesOf(s).map((type): fc.Arbitrary<unknown> => {
    switch (type) {
      case 'null':
        return fc.constant(null);
      case 'boolean':
        return fc.boolean();
      case 'integer': {
        const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -10);
        const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : Math.max(min, 0) + 10_000);
        // Minutes go in steps of 5 (durations, buffers); the document does not say so (no multipleOf).
        const step = typeof s.multipleOf === 'number' ? s.multipleOf : /_min$/.test(field) ? 5 : 1;
        const lo = Math.ceil(Math.max(min, -1e9) / step);
        const hi = Math.floor(Math.min(max, 1e9) / step);
        return hi >= lo ? fc.integer({ min: lo, max: hi }).map((n) => n * step) : fc.integer({ min: Math.max(min, -1e9), max: Math.min(max, 1e9) });
      }
      case 'number':
        return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
      case 'array': {
        if (depth > 4) return fc.constant([]);
        const minLength = s.minItems ?? 0;
        return fc.array(validish(book, s.items, ids, field, depth + 1), {
          minLength,
          maxLength: Math.min(s.maxItems ?? minLength + 3, minLength + 3),
        });
      }
      case 'object': {
        if (depth > 4 || !s.properties) return fc.constant({});
        const required = new Set(s.required ?? []);
        const record: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [name, prop] of Object.entries(s.properties)) record[name] = validish(book, prop, ids, name, depth + 1);
        return fc.record(record, { requiredKeys: [...required].filter((k) => k in record) });
      }
      default:
        return stringFor(s, ids, field);
    }
  });
  return arbs.length === 1 ? arbs[0]! : fc.oneof(...arbs);
}

function stringFor(s: JsonSchema, ids: IdPool, field: string): fc.Arbitrary<string> {
  switch (s.format) {
    case 'uuid':
      return ids(field);
    case 'date-time':
      return instant;
    case 'date':
      return day;
    case 'email':
      return fc.constantFrom('fuzz', 'fuzz.', 'fz').chain((p) => fc.nat({ max: 1e9 }).map((n) => `${p}${n}@fuzz.example.test`));
    case 'uri':
      return fc.constantFrom('https://example.test/return', 'http://127.0.0.1:8787/x');
  }
  if (/phone/.test(field)) return fc.constantFrom('+12125550123', '+447700900123', '2125550123');
  if (/time|start|end/.test(field) && !s.pattern) return instant;
  if (/password/.test(field)) return fc.constantFrom('correct-horse-battery-1', 'Another-long-passphrase-9');
  if (field === 'timezone') return fc.constantFrom('America/New_York', 'Europe/London', 'Asia/Kolkata', 'Pacific/Chatham');
  if (s.pattern) {
    // The patterns in the document are small (HH:MM, slugs, currencies); a few known shapes.
    if (/\[0-2\]|HH|:\[0-5\]/.test(s.pattern)) return fc.constantFrom('09:00', '12:30', '17:45', '23:59', '00:00');
    if (/A-Z\]\{3\}/.test(s.pattern)) return fc.constantFrom('USD', 'GBP', 'EUR');
    return fc.stringMatching(new RegExp(s.pattern)).filter((x) => x.length <= (s.maxLength ?? 200) && x.length >= (s.minLength ?? 0));
  }
  const minLength = s.minLength ?? 0;
  return fc.string({ minLength, maxLength: Math.max(minLength, Math.min(s.maxLength ?? 40, 40)) });
}
