import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { deprecated } from './deprecation';

describe('deprecated()', () => {
  const app = new Hono();
  app.get(
    '/api/v1/old',
    deprecated({ deprecatedOn: '2026-11-01', sunsetOn: '2027-05-01', successor: '/api/v2/new' }),
    (c) => c.json({ ok: true }),
  );
  app.get('/api/v1/current', (c) => c.json({ ok: true }));

  it('sends Deprecation, Sunset, X-API-Deprecation-Date and a successor link', async () => {
    const res = await app.request('/api/v1/old');
    expect(res.status).toBe(200);
    expect(res.headers.get('deprecation')).toBe(`@${Date.parse('2026-11-01') / 1000}`);
    expect(res.headers.get('sunset')).toBe('Sat, 01 May 2027 00:00:00 GMT');
    expect(res.headers.get('x-api-deprecation-date')).toBe('2026-11-01');
    expect(res.headers.get('link')).toBe('</api/v2/new>; rel="successor-version"');
  });

  it('leaves other routes alone', async () => {
    const res = await app.request('/api/v1/current');
    expect(res.headers.get('deprecation')).toBeNull();
  });

  it('refuses nonsense dates when the app is built', () => {
    expect(() => deprecated({ deprecatedOn: 'soon', sunsetOn: '2027-01-01' })).toThrow(/ISO dates/);
    expect(() => deprecated({ deprecatedOn: '2027-01-01', sunsetOn: '2026-01-01' })).toThrow(/after/);
  });
});
