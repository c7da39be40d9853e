import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments } from '../../db/schema';
import { bearer } from '../../../tests/worker/auth';
import { createBookingWorld, existingAppointment, localInstant } from '../../../tests/worker/booking-world';
import { neonRequests, postJson, problemOf, testDb } from '../../../tests/worker/harness';

const act = (id: string, what: 'arrive' | 'complete' | 'no-show', token: string) => postJson(`/api/v1/appointments/${id}/${what}`, {}, bearer(token));
type Appt = { id: string; status: string; arrived_at: string | null };

describe('POST /api/v1/appointments/{id}/arrive (check-in from the day sheet)', () => {
  it('the barber checks a client in once; a double tap answers the same record; in one Neon request', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const appt = await existingAppointment(db, w, { start: new Date(Date.now() + 20 * 60_000) });
    const first = await act(appt.id, 'arrive', w.barber.token);
    expect(first.status).toBe(200);
    expect(neonRequests(first)).toBe(1);
    const body = (await first.json()) as Appt;
    expect(body).toMatchObject({ id: appt.id, status: 'confirmed' });
    expect(Date.parse(body.arrived_at!)).toBeGreaterThan(Date.now() - 60_000);
    const again = await act(appt.id, 'arrive', w.owner.token);
    expect(again.status).toBe(200);
    expect(((await again.json()) as Appt).arrived_at).toBe(body.arrived_at);
  });

  it('an arrived client can be completed before the start time, and can no longer be marked a no-show', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const early = await existingAppointment(db, w, { start: new Date(Date.now() + 30 * 60_000) });
    // Before check-in, completing early is refused.
    expect((await problemOf(await act(early.id, 'complete', w.barber.token))).reason).toBe('not_started');
    expect((await act(early.id, 'arrive', w.barber.token)).status).toBe(200);
    const done = await act(early.id, 'complete', w.barber.token);
    expect(done.status).toBe(200);
    expect(((await done.json()) as { appointment: Appt }).appointment).toMatchObject({ status: 'completed' });

    const started = await existingAppointment(db, w, { start: new Date(Date.now() - 10 * 60_000) });
    expect((await act(started.id, 'arrive', w.barber.token)).status).toBe(200);
    const noShow = await act(started.id, 'no-show', w.barber.token);
    expect(noShow.status).toBe(409);
    expect((await problemOf(noShow)).reason).toBe('arrived');
    const [row] = await db.select().from(appointments).where(eq(appointments.id, started.id));
    expect(row).toMatchObject({ status: 'confirmed', feeCents: 0 });
    // The database agrees, whoever writes: an arrived appointment cannot be a no-show.
    await expect(db.execute(sql`UPDATE appointments SET status = 'no_show' WHERE id = ${started.id}`)).rejects.toThrow();
  });

  it('refuses too early, a non-confirmed appointment, the client, and other shops', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const tomorrow = await existingAppointment(db, w, { start: localInstant(w.timezone, 2, '10:00') });
    const tooEarly = await act(tomorrow.id, 'arrive', w.barber.token);
    expect(tooEarly.status).toBe(409);
    expect((await problemOf(tooEarly)).reason).toBe('too_early');

    const held = await existingAppointment(db, w, { start: new Date(Date.now() + 10 * 60_000), status: 'held' });
    const notConfirmed = await act(held.id, 'arrive', w.barber.token);
    expect(notConfirmed.status).toBe(409);
    expect((await problemOf(notConfirmed)).reason).toBe('status');

    const soon = await existingAppointment(db, w, { start: new Date(Date.now() + 60 * 60_000) });
    const byClient = await act(soon.id, 'arrive', w.client.token);
    expect(byClient.status).toBe(403);
    const other = await createBookingWorld(db);
    const elsewhere = await act(soon.id, 'arrive', other.barber.token);
    expect(elsewhere.status).toBe(404);
    expect((await problemOf(elsewhere)).code).toBe('not_found');
    expect((await act('00000000-0000-4000-8000-000000000000', 'arrive', w.barber.token)).status).toBe(404);
    expect((await act('not-a-uuid', 'arrive', w.barber.token)).status).toBe(422);
    expect((await postJson(`/api/v1/appointments/${soon.id}/arrive`, {})).status).toBe(401);
    const [row] = await db.select().from(appointments).where(eq(appointments.id, soon.id));
    expect(row!.arrivedAt).toBeNull();
  });
});
