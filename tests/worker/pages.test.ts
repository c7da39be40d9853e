import { describe, expect, it } from 'vitest';
import { shops } from '../../worker/db/schema';
import { buildShop } from '../../worker/db/seed/builders';
import { call, neonRequests, testDb } from './harness';

describe('Remix pages served by the Worker', () => {
  it('server-renders the home page with live data and the hydration scripts', async () => {
    const [shop] = await testDb().insert(shops).values(buildShop({ name: 'Zz Page Test Barbers' })).returning();
    const res = await call(`/?q=${encodeURIComponent('Zz Page Test')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<h1>Find your barber</h1>');
    expect(html).toContain(`href="/s/${shop!.slug}"`);
    // Hydration needs the client entry and the Remix context to be in the page.
    expect(html).toMatch(/import\("\/assets\/entry\.client-[\w-]+\.js"\)/);
    expect(html).toContain('window.__remixContext');
    // The loader called the shops service in-process: one Neon request, no HTTP hop.
    expect(neonRequests(res)).toBe(1);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('does not list inactive shops', async () => {
    const [hidden] = await testDb().insert(shops).values(buildShop({ name: 'Zz Closed Shop', active: false })).returning();
    const html = await (await call(`/?q=${encodeURIComponent('Zz Closed')}`)).text();
    expect(html).not.toContain(hidden!.slug);
    expect(html).toContain('No shops found.');
  });

  it('answers unknown pages with the Remix 404 boundary, not a crash', async () => {
    const res = await call('/no/such/page');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('404');
  });

  it('sends a CSP whose scripts need a per-response nonce (no unsafe-inline), and every script in the page carries it', async () => {
    const res = await call('/');
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    const scriptSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src')) ?? '';
    const nonce = /'nonce-([A-Za-z0-9+/=]{16,})'/.exec(scriptSrc)?.[1];
    expect(nonce).toBeTruthy();
    expect(scriptSrc).not.toContain("'unsafe-inline'");
    expect(csp).not.toMatch(/default-src [^;]*'unsafe-inline'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");

    const html = await res.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    // The inline Remix context, the module bootstrap and the scroll restoration at least.
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);

    const again = await call('/');
    const otherNonce = /'nonce-([^']+)'/.exec(again.headers.get('content-security-policy') ?? '')?.[1];
    expect(otherNonce).toBeTruthy();
    expect(otherNonce).not.toBe(nonce);
    await again.body?.cancel();
  });

  it('gives non-HTML responses the closed policy', async () => {
    const res = await call('/api/v1/health/live');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
  });
});
