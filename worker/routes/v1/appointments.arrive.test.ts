import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments } from '../../db/schema';
import { createBookingWorld, existingAppointment, localInstant } from '../../../tests/worker/booking-world';
import { neonRequests, testDb } from '../../../tests/worker/harness';
import { ok, problem } from '../../../tests/api/client';
import { workerApi } from '../../../tests/api/worker';

const arrive = (id: string, token?: string) => workerApi(token).POST('/api/v1/appointments/{id}/arrive', { params: { path: { id } } });
const complete = (id: string, token?: string) => workerApi(token).POST('/api/v1/appointments/{id}/complete', { params: { path: { id } } });
const noShow = (id: string, token?: string) => workerApi(token).POST('/api/v1/appointments/{id}/no-show', { params: { path: { id } } });

describe('POST /api/v1/appointments/{id}/arrive (check-in from the day sheet)', () => {
  it('the barber checks a client in once; a double tap answers the same record; in one Neon request', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const appt = await existingAppointment(db, w, { start: new Date(Date.now() + 20 * 60_000) });
    const first = await arrive(appt.id, w.barber.token);
    expect(first.response.status).toBe(200);
    expect(neonRequests(first.response)).toBe(1);
    const body = ok(first);
    expect(body).toMatchObject({ id: appt.id, status: 'confirmed' });
    expect(Date.parse(body.arrived_at!)).toBeGreaterThan(Date.now() - 60_000);
    const again = await arrive(appt.id, w.owner.token);
    expect(again.response.status).toBe(200);
    expect(ok(again).arrived_at).toBe(body.arrived_at);
  });

  it('an arrived client can be completed before the start time, and can no longer be marked a no-show', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const early = await existingAppointment(db, w, { start: new Date(Date.now() + 30 * 60_000) });
    // Before check-in, completing early is refused.
    expect(problem(await complete(early.id, w.barber.token)).reason).toBe('not_started');
    expect((await arrive(early.id, w.barber.token)).response.status).toBe(200);
    const done = await complete(early.id, w.barber.token);
    expect(done.response.status).toBe(200);
    expect(ok(done).appointment).toMatchObject({ status: 'completed' });

    const started = await existingAppointment(db, w, { start: new Date(Date.now() - 10 * 60_000) });
    expect((await arrive(started.id, w.barber.token)).response.status).toBe(200);
    const refused = await noShow(started.id, w.barber.token);
    expect(refused.response.status).toBe(409);
    expect(problem(refused).reason).toBe('arrived');
    const [row] = await db.select().from(appointments).where(eq(appointments.id, started.id));
    expect(row).toMatchObject({ status: 'confirmed', feeCents: 0 });
    // The database agrees, whoever writes: an arrived appointment cannot be a no-show.
    await expect(db.execute(sql`UPDATE appointments SET status = 'no_show' WHERE id = ${started.id}`)).rejects.toThrow();
  });

  it('refuses too early, a non-confirmed appointment, the client, and other shops', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const tomorrow = await existingAppointment(db, w, { start: localInstant(w.timezone, 2, '10:00') });
    const tooEarly = await arrive(tomorrow.id, w.barber.token);
    expect(tooEarly.response.status).toBe(409);
    expect(problem(tooEarly).reason).toBe('too_early');

    const held = await existingAppointment(db, w, { start: new Date(Date.now() + 10 * 60_000), status: 'held' });
    const notConfirmed = await arrive(held.id, w.barber.token);
    expect(notConfirmed.response.status).toBe(409);
    expect(problem(notConfirmed).reason).toBe('status');

    const soon = await existingAppointment(db, w, { start: new Date(Date.now() + 60 * 60_000) });
    const byClient = await arrive(soon.id, w.client.token);
    expect(byClient.response.status).toBe(403);
    const other = await createBookingWorld(db);
    const elsewhere = await arrive(soon.id, other.barber.token);
    expect(elsewhere.response.status).toBe(404);
    expect(problem(elsewhere).code).toBe('not_found');
    expect((await arrive('00000000-0000-4000-8000-000000000000', w.barber.token)).response.status).toBe(404);
    expect((await arrive('not-a-uuid', w.barber.token)).response.status).toBe(422);
    expect(problem(await arrive(soon.id)).code).toBe('unauthorized');
    const [row] = await db.select().from(appointments).where(eq(appointments.id, soon.id));
    expect(row!.arrivedAt).toBeNull();
  });
});
