/**
 * GET /appointments/{id}/cancel-preview: what a mobile app shows before the client confirms a
 * cancellation. It must be exactly the decision the cancel then records, and write nothing.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments } from '../../db/schema';
import { bearer } from '../../../tests/worker/auth';
import { createBookingWorld, existingAppointment } from '../../../tests/worker/booking-world';
import { call, postJson, testDb } from '../../../tests/worker/harness';

type Preview = {
  appointment: { id: string; start_time: string; paid_cents: number; currency: string };
  by: string;
  cancel_window_hours: number;
  decision: { outcome: string; late: boolean; fee_cents: number; refund_cents: number; charge_cents: number; currency: string };
};

const preview = (id: string, token?: string) => call(`/api/v1/appointments/${id}/cancel-preview`, token ? { headers: bearer(token) } : {});
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
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const p = (await res.json()) as Preview;
    expect(p.by).toBe('client');
    expect(p.appointment.start_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(p.decision).toMatchObject({ late: false, refund_cents: 1000, fee_cents: 0 });
    // Nothing written: the appointment is as it was.
    const [row] = await testDb().select().from(appointments).where(eq(appointments.id, a.id));
    expect(row!.status).toBe('confirmed');

    const done = await postJson(`/api/v1/appointments/${a.id}/cancel`, {}, bearer(w.client.token));
    expect(done.status).toBe(200);
    const [after] = await testDb().select().from(appointments).where(eq(appointments.id, a.id));
    expect({ fee: after!.feeCents, refund: after!.refundDueCents }).toEqual({ fee: p.decision.fee_cents, refund: p.decision.refund_cents });
  });

  it('inside the window: the deposit is kept, as the cancel then records', async () => {
    const w = await depositShop();
    const a = await existingAppointment(testDb(), w, { start: new Date(Date.now() + 3 * HOUR), paidCents: 1000 });
    const p = (await (await preview(a.id, w.client.token)).json()) as Preview;
    expect(p.decision.late).toBe(true);
    expect(p.decision.refund_cents).toBe(0);
    await postJson(`/api/v1/appointments/${a.id}/cancel`, {}, bearer(w.client.token));
    const [after] = await testDb().select().from(appointments).where(eq(appointments.id, a.id));
    expect({ fee: after!.feeCents, refund: after!.refundDueCents }).toEqual({ fee: p.decision.fee_cents, refund: p.decision.refund_cents });
  });

  it('the shop cancelling always refunds; strangers get 404, anonymous 401, a bad id 422, a cancelled one 409', async () => {
    const w = await depositShop();
    const a = await existingAppointment(testDb(), w, { start: new Date(Date.now() + 3 * HOUR), paidCents: 1000 });
    const owner = (await (await preview(a.id, w.owner.token)).json()) as Preview;
    expect(owner.by).toBe('shop');
    expect(owner.decision).toMatchObject({ refund_cents: 1000, fee_cents: 0 });

    const other = await createBookingWorld(testDb());
    for (const token of [other.client.token, other.owner.token, other.barber.token]) {
      const res = await preview(a.id, token);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect((await preview(a.id)).status).toBe(401);
    const bad = await preview('not-a-uuid', w.client.token);
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { code: string }).code).toBe('validation_failed');

    await postJson(`/api/v1/appointments/${a.id}/cancel`, {}, bearer(w.client.token));
    const gone = await preview(a.id, w.client.token);
    expect(gone.status).toBe(409);
    expect(((await gone.json()) as { code: string }).code).toBe('conflict');
  });
});
