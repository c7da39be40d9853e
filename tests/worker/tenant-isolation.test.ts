import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../worker/openapi';
import { tenantCases } from './tenant-cases';

/** Routes that are protected but act only on the caller's own account, not on a shop's data. */
const NOT_TENANT_SCOPED = new Set(['POST /api/v1/shops', 'GET /api/v1/auth/me', 'POST /api/v1/auth/logout']);

describe('tenant-isolation coverage', () => {
  it('has a case for every protected route of the API', () => {
    const doc = openApiDocument();
    const protectedRoutes = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
      Object.entries(item as Record<string, { security?: unknown[] }>)
        .filter(([, op]) => (op.security ?? []).length > 0)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(protectedRoutes.length).toBeGreaterThanOrEqual(19);
    const covered = new Set(tenantCases.map((c) => c.route));
    const missing = protectedRoutes.filter((r) => !covered.has(r) && !NOT_TENANT_SCOPED.has(r));
    expect(missing).toEqual([]);
  });
});
