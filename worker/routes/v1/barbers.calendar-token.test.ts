import { env } from 'cloudflare:test';
import { and, asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, barbers } from '../../db/schema';
import { hashToken, OPAQUE_TOKEN_PATTERN } from '../../auth/tokens';
import { userWithRole } from '../../../tests/worker/auth';
import { createBookingWorld } from '../../../tests/worker/booking-world';
import { neonRequests, problemOf, testDb } from '../../../tests/worker/harness';
import { send } from '../../../tests/worker/world';

type Issued = { url: string; webcal_url: string };

const tokenPath = (barberId: string) => `/api/v1/barbers/${barberId}/calendar-token`;

async function storedHash(barberId: string): Promise<string | null> {
  const [row] = await testDb().select({ hash: barbers.icsTokenHash }).from(barbers).where(eq(barbers.id, barberId));
  return row!.hash;
}

describe('POST /api/v1/barbers/{id}/calendar-token', () => {
  it('gives the barber the full feed URL once and stores only the hash of its secret', async () => {
    const w = await createBookingWorld(testDb());
    const id = w.barber.barber.id;
    const res = await send('POST', tokenPath(id), w.barber.token);
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    // Locate + authorise, then the write with its audit row.
    expect(neonRequests(res)).toBe(2);
    const body = (await res.json()) as Issued;
    const url = new URL(body.url);
    expect(`${url.origin}/`).toBe(new URL('/', env.APP_ORIGIN).toString());
    expect(url.pathname).toBe(`/api/v1/barbers/${id}/calendar.ics`);
    const token = url.searchParams.get('token')!;
    expect(token).toMatch(OPAQUE_TOKEN_PATTERN);
    expect(body.webcal_url).toBe(body.url.replace(/^https?:/, 'webcal:'));
    expect(await storedHash(id)).toBe(await hashToken(token));
  });

  it('an owner may rotate too; every rotation is a new secret and is audited', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const id = w.barber.barber.id;
    const first = (await (await send('POST', tokenPath(id), w.barber.token)).json()) as Issued;
    const res = await send('POST', tokenPath(id), w.owner.token);
    expect(res.status).toBe(201);
    const second = (await res.json()) as Issued;
    expect(second.url).not.toBe(first.url);
    expect(await storedHash(id)).toBe(await hashToken(new URL(second.url).searchParams.get('token')!));
    const audit = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.shopId, w.shop.id), eq(auditLog.entityId, id)))
      .orderBy(asc(auditLog.at));
    expect(audit.map((a) => [a.action, a.actorId])).toEqual([
      ['barber.calendar_token_rotated', w.barber.user.id],
      ['barber.calendar_token_rotated', w.owner.user.id],
    ]);
    // The secret never reaches the audit trail.
    expect(JSON.stringify(audit)).not.toContain(new URL(second.url).searchParams.get('token')!);
  });

  it("refuses another barber of the same shop and the shop's clients (403); an unknown barber is 404", async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { barbers: 2 });
    const id = w.barbers[0]!.barber.id;
    const colleague = await send('POST', tokenPath(id), w.barbers[1]!.token);
    expect(colleague.status).toBe(403);
    expect((await problemOf(colleague)).code).toBe('forbidden');
    const client = await userWithRole(db, w.shop.id, 'client');
    expect((await send('POST', tokenPath(id), client.token)).status).toBe(403);
    expect(await storedHash(id)).toBeNull();
    const missing = await send('POST', tokenPath(crypto.randomUUID()), w.owner.token);
    expect(missing.status).toBe(404);
    expect((await problemOf(missing)).code).toBe('not_found');
  });
});

describe('DELETE /api/v1/barbers/{id}/calendar-token', () => {
  it('clears the hash (the feed is gone), is audited, and may be repeated', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const id = w.barber.barber.id;
    expect((await send('POST', tokenPath(id), w.barber.token)).status).toBe(201);
    const res = await send('DELETE', tokenPath(id), w.owner.token);
    expect(res.status).toBe(204);
    expect(neonRequests(res)).toBe(2);
    expect(await storedHash(id)).toBeNull();
    expect((await send('DELETE', tokenPath(id), w.barber.token)).status).toBe(204);
    const actions = await db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.entityId, id));
    expect(actions.filter((a) => a.action === 'barber.calendar_token_revoked')).toHaveLength(2);
  });

  it('refuses another barber of the same shop (403) and leaves the feed alone', async () => {
    const w = await createBookingWorld(testDb(), { barbers: 2 });
    const id = w.barbers[0]!.barber.id;
    expect((await send('POST', tokenPath(id), w.barbers[0]!.token)).status).toBe(201);
    const before = await storedHash(id);
    expect((await send('DELETE', tokenPath(id), w.barbers[1]!.token)).status).toBe(403);
    expect(await storedHash(id)).toBe(before);
  });
});
