import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments, manageLinkUses } from '../../db/schema';
import { loadConfig } from '../../env';
import { manageLinks, signManageToken, type ManagePurpose } from '../../notifications/manage-links';
import { createBookingWorld, existingAppointment, localInstant } from '../../../tests/worker/booking-world';
import { postForm } from '../../../tests/worker/forms';
import { call, postJson, problemOf, testDb } from '../../../tests/worker/harness';

const config = () => loadConfig(env);

/** The token of one of the links a booking message would carry. */
async function linkToken(appt: { id: string; endTime: Date }, purpose: Exclude<ManagePurpose, 'walk_in'>): Promise<string> {
  const links = await manageLinks(config(), { id: appt.id, end_ms: appt.endTime.getTime() });
  const url = new URL(links[purpose]);
  expect(url.pathname).toBe('/m');
  return url.searchParams.get('token')!;
}

const view = (token: string) => call(`/api/v1/manage?token=${encodeURIComponent(token)}`);
const cancel = (token: string, reason?: string) => postJson('/api/v1/manage/cancel', reason ? { token, reason } : { token });
const statusOf = async (id: string) => (await testDb().select().from(appointments).where(eq(appointments.id, id)))[0]!.status;


async function world(policy: Parameters<typeof createBookingWorld>[1] = {}) {
  const db = testDb();
  return { db, w: await createBookingWorld(db, { timezone: 'Europe/Lisbon', ...policy }) };
}

describe('manage links — API', () => {
  it('cancels within policy without signing in: outside the window a paid deposit is refunded; the link then is used', async () => {
    const { db, w } = await world({ policy: { cancel_window_hours: 24, late_cancel_fee: { kind: 'fixed', value: 1500 } } });
    const appt = await existingAppointment(db, w, { start: localInstant(w.timezone, 5, '10:00'), paidCents: 1000 });
    const token = await linkToken(appt, 'cancel');

    const shown = await view(token);
    expect(shown.status).toBe(200);
    expect(shown.headers.get('cache-control')).toBe('private, no-store');
    expect(await shown.json()).toMatchObject({
      purpose: 'cancel',
      allows: { view: true, reschedule: false, cancel: true },
      appointment: { id: appt.id, status: 'confirmed', timezone: 'Europe/Lisbon', paid_cents: 1000, start_time: appt.startTime.toISOString() },
      cancellation: { outcome: 'refund', late: false, refund_cents: 1000, fee_cents: 0 },
    });

    const res = await cancel(token, 'Travelling');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { appointment: { status: string; cancel_reason: string }; settlement: unknown; movements: { kind: string; status: string }[] };
    expect(body.settlement).toEqual({ outcome: 'refund', late: false, fee_cents: 0, refund_cents: 1000, charge_cents: 0, currency: w.shop.currency });
    expect(body.appointment).toMatchObject({ status: 'cancelled', cancel_reason: 'Travelling' });
    expect(body.movements).toMatchObject([{ kind: 'refund', status: 'succeeded' }]);
    expect(await statusOf(appt.id)).toBe('cancelled');
    expect(await db.select().from(manageLinkUses).where(eq(manageLinkUses.appointmentId, appt.id))).toMatchObject([{ purpose: 'cancel' }]);

    const again = await cancel(token);
    expect(again.status).toBe(409);
    expect(await problemOf(again)).toMatchObject({ code: 'link_used', status: 409 });
    // Its appointment cancelled, any other link to it is dead too.
    const viewAfter = await view(await linkToken(appt, 'view'));
    expect(viewAfter.status).toBe(410);
    expect(await problemOf(viewAfter)).toMatchObject({ code: 'link_expired', reason: 'cancelled' });
  });

  it('inside the window the late fee applies, as for the client cancelling in the app', async () => {
    const { db, w } = await world({ policy: { cancel_window_hours: 48, late_cancel_fee: { kind: 'fixed', value: 1500 } } });
    const appt = await existingAppointment(db, w, { start: localInstant(w.timezone, 1, '15:00'), paidCents: 1000 });
    const res = await cancel(await linkToken(appt, 'cancel'));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { settlement: unknown }).settlement).toMatchObject({ outcome: 'late_fee', late: true, fee_cents: 1500, charge_cents: 500 });
  });

  it('refuses a tampered, expired, wrong-purpose or dead link and changes nothing', async () => {
    const { db, w } = await world();
    const appt = await existingAppointment(db, w, { start: localInstant(w.timezone, 3, '11:00') });
    const token = await linkToken(appt, 'cancel');
    const [body, sig] = token.split('.') as [string, string];

    const tampered = await cancel(`${body}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`);
    expect(tampered.status).toBe(400);
    expect(await problemOf(tampered)).toMatchObject({ code: 'link_invalid' });
    const junk = await cancel('x'.repeat(30));
    expect(junk.status).toBe(422);
    expect((await view(`${body}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`)).status).toBe(400);

    const expired = await signManageToken(config().SESSION_SECRET, { appointmentId: appt.id, purpose: 'cancel', expiresMs: Date.now() - 1000 });
    const late = await cancel(expired);
    expect(late.status).toBe(410);
    expect(await problemOf(late)).toMatchObject({ code: 'link_expired', reason: 'expired' });

    const viewOnly = await cancel(await linkToken(appt, 'view'));
    expect(viewOnly.status).toBe(403);
    expect(await problemOf(viewOnly)).toMatchObject({ code: 'forbidden', reason: 'purpose' });
    expect(await statusOf(appt.id)).toBe('confirmed');

    // An appointment that is over: its link (even one signed to last longer) no longer works.
    const past = await existingAppointment(db, w, { start: localInstant(w.timezone, -1, '11:00') });
    const longLived = await signManageToken(config().SESSION_SECRET, { appointmentId: past.id, purpose: 'cancel', expiresMs: Date.now() + 86_400_000 });
    const over = await cancel(longLived);
    expect(over.status).toBe(410);
    expect(await problemOf(over)).toMatchObject({ code: 'link_expired', reason: 'past' });
    expect(await statusOf(past.id)).toBe('confirmed');
    expect(await db.select().from(manageLinkUses).where(eq(manageLinkUses.appointmentId, past.id))).toEqual([]);
  });

  it('a reschedule link is verified and leads to the booking page with the appointment named', async () => {
    const { db, w } = await world();
    const appt = await existingAppointment(db, w, { start: localInstant(w.timezone, 4, '12:00') });
    const res = await view(await linkToken(appt, 'reschedule'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      purpose: 'reschedule',
      allows: { reschedule: true, cancel: false },
      reschedule_path: `/s/${w.shop.slug}?reschedule=${appt.id}`,
      cancellation: null,
    });
  });
});

describe('/m — the manage page', () => {
  it("shows the appointment in the shop's zone and cancels from the form; the link cannot be used twice", async () => {
    const { db, w } = await world({ policy: { cancel_window_hours: 24 } });
    const start = localInstant(w.timezone, 6, '10:30');
    const appt = await existingAppointment(db, w, { start, paidCents: 1200 });
    const token = await linkToken(appt, 'cancel');

    const page = await call(`/m?token=${encodeURIComponent(token)}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('private, no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).toContain('<h1>Your appointment</h1>');
    // 10:30 on the shop's clock, the zone named — whatever the server's zone.
    expect(html).toMatch(/10:30 \(Europe\/Lisbon\)/);
    expect(html).toContain(w.shop.name);
    expect(html).toContain('Cancelling now refunds the');
    expect(html).toContain(`name="token" value="${token}"`);
    expect(html).toMatch(/<form method="post" action="\/m"/);
    // Showing the page changed nothing.
    expect(await statusOf(appt.id)).toBe('confirmed');

    const done = await postForm('/m', { token, reason: 'Ill' });
    expect(done.status).toBe(200);
    const doneHtml = await done.text();
    expect(doneHtml).toContain('Appointment cancelled');
    expect(doneHtml).toContain('will be refunded to you');
    expect(await statusOf(appt.id)).toBe('cancelled');

    const again = await postForm('/m', { token });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('This link has already been used');
  });

  it('says so clearly for a tampered, expired or incomplete link', async () => {
    const { db, w } = await world();
    const appt = await existingAppointment(db, w, { start: localInstant(w.timezone, 2, '09:30') });
    const token = await linkToken(appt, 'cancel');
    const [body, sig] = token.split('.') as [string, string];
    const tampered = await call(`/m?token=${encodeURIComponent(`${body}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`)}`);
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toContain('This link is not valid');

    const expired = await signManageToken(config().SESSION_SECRET, { appointmentId: appt.id, purpose: 'cancel', expiresMs: Date.now() - 1000 });
    const old = await call(`/m?token=${encodeURIComponent(expired)}`);
    expect(old.status).toBe(410);
    expect(await old.text()).toContain('This link has expired');
    const oldPost = await postForm('/m', { token: expired });
    expect(oldPost.status).toBe(410);
    expect(await statusOf(appt.id)).toBe('confirmed');

    const bare = await call('/m');
    expect(bare.status).toBe(200);
    expect(await bare.text()).toContain('This link is incomplete');
  });
});
