import { describe, expect, it } from 'vitest';
import { createBookingWorld, existingAppointment, localInstant } from '../../../tests/worker/booking-world';
import { testDb } from '../../../tests/worker/harness';
import { ok, problem } from '../../../tests/api/client';
import { workerApi } from '../../../tests/api/worker';

const complete = (id: string, token?: string) => workerApi(token).POST('/api/v1/appointments/{id}/complete', { params: { path: { id } } });
const noShow = (id: string, token?: string) => workerApi(token).POST('/api/v1/appointments/{id}/no-show', { params: { path: { id } } });

describe('POST /api/v1/appointments/{id}/no-show and /complete', () => {
  it('the barber marks a started appointment a no-show; the policy’s fee is recorded, what was paid counted', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { policy: { no_show_fee: { kind: 'percent', value: 50 } } });
    const appt = await existingAppointment(db, w, { start: new Date(Date.now() - 10 * 60_000), paidCents: 500 });
    const res = await noShow(appt.id, w.barber.token);
    expect(res.response.status).toBe(200);
    const body = ok(res);
    expect(body.appointment).toMatchObject({ status: 'no_show', settlement: 'no_show_fee', fee_cents: 1500 });
    expect(body.settlement).toMatchObject({ outcome: 'no_show_fee', fee_cents: 1500, refund_cents: 0, charge_cents: 1000 });
  });

  it('completes a started appointment; not before it starts, and never by the client', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const started = await existingAppointment(db, w, { start: new Date(Date.now() - 5 * 60_000) });
    const future = await existingAppointment(db, w, { start: localInstant(w.timezone, 2, '10:00') });
    const early = await complete(future.id, w.barber.token);
    expect(early.response.status).toBe(409);
    expect(problem(early).reason).toBe('not_started');
    expect((await complete(started.id, w.client.token)).response.status).toBe(403);
    const done = await complete(started.id, w.owner.token);
    expect(done.response.status).toBe(200);
    expect(ok(done).appointment.status).toBe('completed');
    // A completed appointment cannot become a no-show.
    expect((await noShow(started.id, w.barber.token)).response.status).toBe(409);
    // Staff of another shop do not see it at all.
    const other = await createBookingWorld(db);
    expect((await noShow(started.id, other.barber.token)).response.status).toBe(404);
  });
});
