import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, clientNotes, users } from '../../db/schema';
import { buildUser } from '../../db/seed/builders';
import { neonRequests, problemOf, testDb } from '../../../tests/worker/harness';
import { createManagedShop, send } from '../../../tests/worker/world';
import type { ClientNoteResponse } from './client-notes.create';

describe('POST /api/v1/clients/{id}/notes', () => {
  it('adds a private note with an audit row that does not copy the text (access 1 + write 1)', async () => {
    const w = await createManagedShop(testDb());
    const res = await send('POST', `/api/v1/clients/${w.client.id}/notes`, w.barberStaff.token, { shop_id: w.shop.id, body: '  Allergic to talc ' });
    expect(res.status).toBe(201);
    expect(neonRequests(res)).toBe(2);
    const note = (await res.json()) as ClientNoteResponse;
    expect(note).toMatchObject({ shop_id: w.shop.id, client_id: w.client.id, author_id: w.barberStaff.user.id, body: 'Allergic to talc' });
    const [trail] = await testDb().select().from(auditLog).where(and(eq(auditLog.entityId, note.id), eq(auditLog.action, 'client_note.created')));
    expect(JSON.stringify(trail!.data)).not.toContain('talc');
  });

  it('answers 404 for someone who is not a client of the shop, and writes nothing', async () => {
    const w = await createManagedShop(testDb());
    const [stranger] = await testDb().insert(users).values(buildUser()).returning();
    const res = await send('POST', `/api/v1/clients/${stranger!.id}/notes`, w.owner.token, { shop_id: w.shop.id, body: 'hello' });
    expect(res.status).toBe(404);
    expect(await testDb().select().from(clientNotes).where(eq(clientNotes.clientId, stranger!.id))).toEqual([]);
  });

  it('validates the body', async () => {
    const w = await createManagedShop(testDb());
    const res = await send('POST', `/api/v1/clients/${w.client.id}/notes`, w.owner.token, { shop_id: w.shop.id, body: '   ' });
    expect(res.status).toBe(422);
    expect((await problemOf(res)).errors?.[0]?.path).toBe('json.body');
  });
});
