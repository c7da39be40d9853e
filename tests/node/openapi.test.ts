import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../worker/openapi';

describe('OpenAPI document', () => {
  const doc = openApiDocument('http://127.0.0.1:8787');

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('documents every route with an operationId and the shared problem schema', () => {
    const operations = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
      Object.entries(item as Record<string, { operationId?: string }>).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations.map((o) => `${o.method} ${o.path}`)).toEqual(
      expect.arrayContaining(['get /api/v1/health', 'get /api/v1/shops']),
    );
    for (const { op } of operations) expect(op.operationId).toMatch(/^[a-z][A-Za-z]+$/);
    expect(doc.components?.schemas?.Problem).toBeDefined();
  });
});
