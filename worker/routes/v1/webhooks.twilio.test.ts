import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../app';
import { appointments, users } from '../../db/schema';
import { loadConfig } from '../../env';
import { encryptPhone } from '../../lib/crypto';
import { twilioSignature, twilioSignedText } from '../../lib/twilio-signature';
import { createBookingWorld, existingAppointment, localInstant } from '../../../tests/worker/booking-world';
import { call, problemOf, testDb } from '../../../tests/worker/harness';

/**
 * The Worker with an auth token configured (the shared test bindings have none): a fresh env
 * object, so the configuration is parsed for it; bindings (the barbers' objects) are the same.
 */
const AUTH_TOKEN = 'twilio-test-auth-token';
const twilioEnv = { ...env, TWILIO_AUTH_TOKEN: AUTH_TOKEN } as typeof env;
const app = createApp();
const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
const URL_ = 'https://bookedbarber.test/api/v1/webhooks/twilio';

async function inbound(from: string, body: string, opts: { signWith?: string; signature?: string } = {}) {
  const params = new URLSearchParams({ MessageSid: `SM${crypto.randomUUID().replaceAll('-', '')}`, AccountSid: 'ACtest', From: from, To: '+15005550006', Body: body });
  const signature = opts.signature ?? (await twilioSignature(opts.signWith ?? AUTH_TOKEN, URL_, params));
  return app.request(
    URL_,
    { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: params.toString() },
    twilioEnv,
    ctx,
  );
}

/** A phone number nobody else in this run has. */
const phone = () => `+1 (646) ${String(Math.floor(Math.random() * 1e7)).padStart(7, '0').replace(/^(\d{3})/, '$1-')}`;

async function clientWithPhone(db: ReturnType<typeof testDb>, userId: string) {
  const number = phone();
  await db.update(users).set(await encryptPhone(number, loadConfig(env).FIELD_ENCRYPTION_KEYS)).where(eq(users.id, userId));
  // Twilio sends E.164.
  return `+${number.replace(/\D/g, '')}`;
}

const statusOf = async (id: string) => (await testDb().select().from(appointments).where(eq(appointments.id, id)))[0]!.status;
const replyOf = async (res: Response) => {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
  const xml = await res.text();
  expect(xml).toMatch(/<Response><Message>[^<]+<\/Message><\/Response>$/);
  return xml;
};

describe('POST /api/v1/webhooks/twilio', () => {
  it('signs as Twilio documents it: URL, then sorted name+value pairs', async () => {
    const params = new URLSearchParams({ To: '+1', Body: 'X', From: '+2' });
    expect(twilioSignedText('https://x.test/hook', params)).toBe('https://x.test/hook' + 'BodyX' + 'From+2' + 'To+1');
    // The vector from Twilio's request-validation docs and its libraries' tests.
    const example = new URLSearchParams({ CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' });
    expect(await twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', example)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  it('a correctly signed X cancels the next booking as the client, with the policy’s money decision', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { policy: { cancel_window_hours: 24 } });
    const from = await clientWithPhone(db, w.client.user.id);
    const later = await existingAppointment(db, w, { start: localInstant(w.timezone, 6, '14:00') });
    const next = await existingAppointment(db, w, { start: localInstant(w.timezone, 4, '10:00'), paidCents: 900 });
    const xml = await replyOf(await inbound(from, ' x '));
    expect(xml).toContain('cancelled');
    expect(xml).toContain('$9.00 will be refunded');
    expect(await statusOf(next.id)).toBe('cancelled');
    expect(await statusOf(later.id)).toBe('confirmed');
    const [row] = await db.select().from(appointments).where(eq(appointments.id, next.id));
    expect(row).toMatchObject({ settlement: 'refund', cancelReason: 'Cancelled by text message' });
  });

  it('a bad or missing signature is 403 and changes nothing', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const from = await clientWithPhone(db, w.client.user.id);
    const appt = await existingAppointment(db, w, { start: localInstant(w.timezone, 3, '10:00') });
    const forged = await inbound(from, 'X', { signWith: 'not-the-auth-token' });
    expect(forged.status).toBe(403);
    expect(await problemOf(forged)).toMatchObject({ code: 'forbidden', reason: 'signature' });
    expect((await inbound(from, 'STOP', { signature: 'garbage!' })).status).toBe(403);
    // The real entry point has no auth token configured here: everything is refused.
    const unconfigured = await call('/api/v1/webhooks/twilio', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': await twilioSignature(AUTH_TOKEN, 'http://bookedbarber.test/api/v1/webhooks/twilio', new URLSearchParams({ From: from, Body: 'X' })) },
      body: new URLSearchParams({ From: from, Body: 'X' }).toString(),
    });
    expect(unconfigured.status).toBe(403);
    const notAForm = await app.request(URL_, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ From: from, Body: 'X' }) }, twilioEnv, ctx);
    expect(notAForm.status).toBe(400);
    expect(await statusOf(appt.id)).toBe('confirmed');
    const [user] = await db.select().from(users).where(eq(users.id, w.client.user.id));
    expect(user!.smsOptedOutAt).toBeNull();
  });

  it('STOP records the opt-out, START takes it back', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const from = await clientWithPhone(db, w.client.user.id);
    const optedOut = async () => (await db.select().from(users).where(eq(users.id, w.client.user.id)))[0]!.smsOptedOutAt;
    expect(await replyOf(await inbound(from, 'STOP'))).toContain('no more texts');
    const first = await optedOut();
    expect(first).toBeInstanceOf(Date);
    await replyOf(await inbound(from, 'Unsubscribe'));
    expect(await optedOut()).toEqual(first);
    expect(await replyOf(await inbound(from, 'start'))).toContain('texts are on again');
    expect(await optedOut()).toBeNull();
  });

  it('C confirms a confirmable hold; a hold with a deposit due stays held and says why', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const from = await clientWithPhone(db, w.client.user.id);
    const hold = await existingAppointment(db, w, { start: localInstant(w.timezone, 2, '11:00'), status: 'held' });
    expect(await replyOf(await inbound(from, 'C'))).toContain('confirmed');
    expect(await statusOf(hold.id)).toBe('confirmed');

    const due = await existingAppointment(db, w, { start: localInstant(w.timezone, 3, '11:00'), status: 'held' });
    await db.update(appointments).set({ depositCents: 1000 }).where(eq(appointments.id, due.id));
    expect(await replyOf(await inbound(from, 'c'))).toContain('needs a payment first');
    expect(await statusOf(due.id)).toBe('held');
  });

  it('answers an unknown number, and words it does not know, politely', async () => {
    expect(await replyOf(await inbound('+15005550199', 'X'))).toContain('could not find a booking for this number');
    expect(await replyOf(await inbound('not a number', 'C'))).toContain('could not find');
    const db = testDb();
    const w = await createBookingWorld(db);
    const from = await clientWithPhone(db, w.client.user.id);
    expect(await replyOf(await inbound(from, 'what?'))).toContain('reply C to confirm');
    expect(await replyOf(await inbound(from, 'C'))).toContain('no booking waiting to be confirmed');
    expect(await replyOf(await inbound(from, 'X'))).toContain('no upcoming booking to cancel');
  });
});
