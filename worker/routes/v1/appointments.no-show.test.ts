import { describe, expect, it } from 'vitest';
import { bearer } from '../../../tests/worker/auth';
import { createBookingWorld, existingAppointment, localInstant } from '../../../tests/worker/booking-world';
import { postJson, problemOf, testDb } from '../../../tests/worker/harness';

const act = (id: string, what: 'complete' | 'no-show', token: string) => postJson(`/api/v1/appointments/${id}/${what}`, {}, bearer(token));

describe('POST /api/v1/appointments/{id}/no-show and /complete', () => {
  it('the barber marks a started appointment a no-show; the policy’s fee is recorded, what was paid counted', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { policy: { no_show_fee: { kind: 'percent', value: 50 } } });
    const appt = await existingAppointment(db, w, { start: new Date(Date.now() - 10 * 60_000), paidCents: 500 });
    const res = await act(appt.id, 'no-show', w.barber.token);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { appointment: { status: string; settlement: string; fee_cents: number }; settlement: Record<string, unknown> };
    expect(body.appointment).toMatchObject({ status: 'no_show', settlement: 'no_show_fee', fee_cents: 1500 });
    expect(body.settlement).toMatchObject({ outcome: 'no_show_fee', fee_cents: 1500, refund_cents: 0, charge_cents: 1000 });
  });

  it('completes a started appointment; not before it starts, and never by the client', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const started = await existingAppointment(db, w, { start: new Date(Date.now() - 5 * 60_000) });
    const future = await existingAppointment(db, w, { start: localInstant(w.timezone, 2, '10:00') });
    const early = await act(future.id, 'complete', w.barber.token);
    expect(early.status).toBe(409);
    expect((await problemOf(early)).reason).toBe('not_started');
    expect((await act(started.id, 'complete', w.client.token)).status).toBe(403);
    const done = await act(started.id, 'complete', w.owner.token);
    expect(done.status).toBe(200);
    expect(((await done.json()) as { appointment: { status: string } }).appointment.status).toBe('completed');
    // A completed appointment cannot become a no-show.
    expect((await act(started.id, 'no-show', w.barber.token)).status).toBe(409);
    // Staff of another shop do not see it at all.
    const other = await createBookingWorld(db);
    expect((await act(started.id, 'no-show', other.barber.token)).status).toBe(404);
  });
});
