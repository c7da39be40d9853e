/**
 * GET /appointments/{id}/cancel-preview: what a mobile app shows before the client confirms a
 * cancellation. It must be exactly the decision the cancel then records, and write nothing.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments } from '../../db/schema';
import { createBookingWorld, existingAppointment } from '../../../tests/worker/booking-world';
import { testDb } from '../../../tests/worker/harness';
import { ok, problem } from '../../../tests/api/client';
import { workerApi } from '../../../tests/api/worker';

const preview = (id: string, token?: string) => workerApi(token).GET('/api/v1/appointments/{id}/cancel-preview', { params: { path: { id } } });
const cancel = (id: string, token: string) => workerApi(token).POST('/api/v1/appointments/{id}/cancel', { params: { path: { id } }, body: {} });
const HOUR = 3_600_000;

async function depositShop() {
  // A $10 deposit kept inside 24 h: the late case keeps it, the early one refunds it.
  return createBookingWorld(testDb(), { policy: { deposit: { kind: 'fixed', value: 1000 }, cancel_window_hours: 24, late_cancel_fee: { kind: 'none', value: 0 } } });
}

describe('GET /api/v1/appointments/{id}/cancel-preview', () => {
  it('outside the window: the full refund, and the cancel then records exactly that', async () => {
    const w = await depositShop();
    const a = await existingAppointment(testDb(), w, { start: new Date(Date.now() + 72 * HOUR), paidCents: 1000 });
    const res = await preview(a.id, w.client.token);
    expect(res.response.status).toBe(200);
    expect(res.response.headers.get('cache-control')).toBe('private, no-store');
    const p = ok(res);
    expect(p.by).toBe('client');
    expect(p.appointment.start_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(p.decision).toMatchObject({ late: false, refund_cents: 1000, fee_cents: 0 });
    // Nothing written: the appointment is as it was.
    const [row] = await testDb().select().from(appointments).where(eq(appointments.id, a.id));
    expect(row!.status).toBe('confirmed');

    const done = await cancel(a.id, w.client.token);
    expect(ok(done).settlement).toEqual(p.decision);
    const [after] = await testDb().select().from(appointments).where(eq(appointments.id, a.id));
    expect({ fee: after!.feeCents, refund: after!.refundDueCents }).toEqual({ fee: p.decision.fee_cents, refund: p.decision.refund_cents });
  });

  it('inside the window: the deposit is kept, as the cancel then records', async () => {
    const w = await depositShop();
    const a = await existingAppointment(testDb(), w, { start: new Date(Date.now() + 3 * HOUR), paidCents: 1000 });
    const p = ok(await preview(a.id, w.client.token));
    expect(p.decision.late).toBe(true);
    expect(p.decision.refund_cents).toBe(0);
    await cancel(a.id, w.client.token);
    const [after] = await testDb().select().from(appointments).where(eq(appointments.id, a.id));
    expect({ fee: after!.feeCents, refund: after!.refundDueCents }).toEqual({ fee: p.decision.fee_cents, refund: p.decision.refund_cents });
  });

  it('the shop cancelling always refunds; strangers get 404, anonymous 401, a bad id 422, a cancelled one 409', async () => {
    const w = await depositShop();
    const a = await existingAppointment(testDb(), w, { start: new Date(Date.now() + 3 * HOUR), paidCents: 1000 });
    const owner = ok(await preview(a.id, w.owner.token));
    expect(owner.by).toBe('shop');
    expect(owner.decision).toMatchObject({ refund_cents: 1000, fee_cents: 0 });

    const other = await createBookingWorld(testDb());
    for (const token of [other.client.token, other.owner.token, other.barber.token]) {
      const res = await preview(a.id, token);
      expect(res.response.status).toBe(404);
      expect(problem(res).code).toBe('not_found');
    }
    expect(problem(await preview(a.id)).code).toBe('unauthorized');
    const bad = await preview('not-a-uuid', w.client.token);
    expect(bad.response.status).toBe(422);
    expect(problem(bad).code).toBe('validation_failed');

    await cancel(a.id, w.client.token);
    const gone = await preview(a.id, w.client.token);
    expect(gone.response.status).toBe(409);
    expect(problem(gone).code).toBe('conflict');
  });
});
