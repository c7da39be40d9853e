import { env } from 'cloudflare:test';
import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { barbers, invitations, memberships, shops, users } from '../../db/schema';
import { buildShop, buildUser } from '../../db/seed/builders';
import { tokenFor } from '../../../tests/worker/auth';
import { neonRequests, problemOf, testDb } from '../../../tests/worker/harness';
import { describeTenantIsolation } from '../../../tests/worker/security';
import { casesFor } from '../../../tests/worker/tenant-cases';
import { send } from '../../../tests/worker/world';
import { hashToken, newOpaqueToken } from '../../auth/tokens';
import { createApp } from '../../app';
import { setLogSink } from '../../lib/logger';
import type { AcceptInvitationResponse } from './invitations.accept';

/**
 * A shop, an invitation for a fresh (verified) user's e-mail (in different case), and that user's
 * token.
 */
async function invited(expiresInMs = 86_400_000, { verified = true } = {}) {
  const db = testDb();
  const [shop] = await db.insert(shops).values(buildShop()).returning();
  const [user] = await db
    .insert(users)
    .values(buildUser({ firstName: 'Sam', lastName: 'Blade', verifiedAt: verified ? new Date() : null }))
    .returning();
  const token = newOpaqueToken();
  const [invitation] = await db
    .insert(invitations)
    .values({ shopId: shop!.id, email: user!.email!.toUpperCase(), role: 'barber', tokenHash: await hashToken(token), expiresAt: new Date(Date.now() + expiresInMs) })
    .returning();
  return { shop: shop!, user: user!, invitation: invitation!, token, auth: await tokenFor(user!.id) };
}

// The token travels in the body: paths are logged (and kept by proxies), bodies are not.
const accept = (token: string, auth: string | null) => send('POST', '/api/v1/invitations/accept', auth, { token });

describe('POST /api/v1/invitations/accept', () => {
  it('creates membership and barber profile atomically (lookup 1 + write 1)', async () => {
    const i = await invited();
    const res = await accept(i.token, i.auth);
    expect(res.status).toBe(200);
    expect(neonRequests(res)).toBe(2);
    const body = (await res.json()) as AcceptInvitationResponse;
    expect(body.barber).toMatchObject({ shop_id: i.shop.id, user_id: i.user.id, display_name: 'Sam Blade', active: true });
    expect(body.membership).toEqual({ shop_id: i.shop.id, role: 'barber' });
    const db = testDb();
    const roles = await db.select().from(memberships).where(and(eq(memberships.userId, i.user.id), eq(memberships.shopId, i.shop.id)));
    expect(roles.map((r) => r.role)).toEqual(['barber']);
    const [inv] = await db.select().from(invitations).where(eq(invitations.id, i.invitation.id));
    expect(inv!.acceptedAt).not.toBeNull();
  });

  it('is single-use: a second accept is 409 conflict', async () => {
    const i = await invited();
    expect((await accept(i.token, i.auth)).status).toBe(200);
    const again = await accept(i.token, i.auth);
    expect(again.status).toBe(409);
    expect((await problemOf(again)).code).toBe('conflict');
  });

  it('refuses an expired invitation with 409 and creates nothing', async () => {
    const i = await invited(-1000);
    const res = await accept(i.token, i.auth);
    expect(res.status).toBe(409);
    expect((await problemOf(res)).detail).toMatch(/expired/);
    const rows = await testDb().select().from(barbers).where(eq(barbers.userId, i.user.id));
    expect(rows).toEqual([]);
  });

  it('answers an unknown token with 404 and a malformed one with 422', async () => {
    const i = await invited();
    const unknown = await accept(newOpaqueToken(), i.auth);
    expect(unknown.status).toBe(404);
    expect((await problemOf(unknown)).code).toBe('not_found');
    const malformed = await accept('short', i.auth);
    expect(malformed.status).toBe(422);
    expect((await problemOf(malformed)).errors?.map((e) => e.path)).toEqual(['json.token']);
  });

  it('no longer takes the token in the path', async () => {
    const i = await invited();
    const res = await send('POST', `/api/v1/invitations/${i.token}/accept`, i.auth);
    expect(res.status).toBe(404);
    const rows = await testDb().select().from(barbers).where(eq(barbers.userId, i.user.id));
    expect(rows).toEqual([]);
  });

  it('requires a verified e-mail address: 403 email_unverified, nothing created, invitation still usable', async () => {
    const i = await invited(86_400_000, { verified: false });
    const res = await accept(i.token, i.auth);
    expect(res.status).toBe(403);
    expect((await problemOf(res)).code).toBe('email_unverified');
    const db = testDb();
    expect(await db.select().from(barbers).where(eq(barbers.userId, i.user.id))).toEqual([]);
    const [inv] = await db.select().from(invitations).where(eq(invitations.id, i.invitation.id));
    expect(inv!.acceptedAt).toBeNull();

    await db.update(users).set({ verifiedAt: new Date() }).where(eq(users.id, i.user.id));
    expect((await accept(i.token, i.auth)).status).toBe(200);
  });

  it("refuses a signed-in user whose e-mail is not the invitation's", async () => {
    const i = await invited();
    const [other] = await testDb().insert(users).values(buildUser()).returning();
    const res = await accept(i.token, await tokenFor(other!.id));
    expect(res.status).toBe(403);
    expect((await problemOf(res)).code).toBe('forbidden');
  });
});

describe('invitation tokens in logs', () => {
  afterEach(() => setLogSink(null));

  it('never writes the token anywhere in the log, whatever the outcome', async () => {
    const lines: string[] = [];
    setLogSink((line) => lines.push(line));
    // Everything logged, at debug level, through the real app.
    const app = createApp();
    const verbose = { ...env, LOG_LEVEL: 'debug' };
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    const post = (path: string, auth: string, body?: unknown) =>
      app.request(
        path,
        { method: 'POST', headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) },
        verbose,
        ctx,
      );
    const i = await invited();
    const accepted = await post('/api/v1/invitations/accept', i.auth, { token: i.token });
    expect(accepted.status).toBe(200);
    // Old-style links that put the token in the path (or the query) are logged without it too.
    const stale = await invited();
    expect((await post(`/api/v1/invitations/${stale.token}/accept`, stale.auth)).status).toBe(404);
    expect((await post(`/api/v1/invitations/accept?token=${stale.token}`, stale.auth, {})).status).toBe(422);

    expect(lines.some((l) => JSON.parse(l).msg === 'request')).toBe(true);
    const logged = lines.join('\n');
    expect(logged).not.toContain(i.token);
    expect(logged).not.toContain(stale.token);
  });
});

describeTenantIsolation(casesFor('POST /api/v1/invitations/accept'));
