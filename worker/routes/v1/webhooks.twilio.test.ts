import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../app';
import { appointments, notifications, smsInbound, users } from '../../db/schema';
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

/** Our Twilio number in these tests: the `To` of what clients text us, the sender of what we text them. */
const OUR_NUMBER = '+15005550006';
const newSid = () => `SM${crypto.randomUUID().replaceAll('-', '')}`;

async function inbound(from: string, body: string, opts: { signWith?: string; signature?: string; sid?: string; to?: string } = {}) {
  const params = new URLSearchParams({ MessageSid: opts.sid ?? newSid(), AccountSid: 'ACtest', From: from, To: opts.to ?? OUR_NUMBER, Body: body });
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

/** An SMS the consumer sent the client about `appointmentId` (as markDelivered records it), `ageMs` ago. */
async function texted(db: ReturnType<typeof testDb>, userId: string, appointmentId: string, opts: { sender?: string; ageMs?: number } = {}) {
  await db.insert(notifications).values({
    dedupeKey: `test:sms:${crypto.randomUUID()}`,
    channel: 'sms',
    recipient: `user:${userId}`,
    template: 'appointment.reminder',
    payload: { appointment_id: appointmentId },
    status: 'sent',
    sentAt: new Date(Date.now() - (opts.ageMs ?? 0)),
    sender: opts.sender ?? OUR_NUMBER,
  });
}

const codeOf = (id: string) => id.replaceAll('-', '').slice(-6).toUpperCase();

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

  it('a correctly signed X cancels the booking the answered text was about, as the client, with the policy’s money decision', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { policy: { cancel_window_hours: 24 } });
    const from = await clientWithPhone(db, w.client.user.id);
    const later = await existingAppointment(db, w, { start: localInstant(w.timezone, 6, '14:00') });
    const next = await existingAppointment(db, w, { start: localInstant(w.timezone, 4, '10:00'), paidCents: 900 });
    // The text the client answers: the reminder of `next`.
    await texted(db, w.client.user.id, later.id, { ageMs: 3_600_000 });
    await texted(db, w.client.user.id, next.id);
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
    // The waitlist offer texted for the hold.
    await texted(db, w.client.user.id, hold.id);
    expect(await replyOf(await inbound(from, 'C'))).toContain('confirmed');
    expect(await statusOf(hold.id)).toBe('confirmed');

    const due = await existingAppointment(db, w, { start: localInstant(w.timezone, 3, '11:00'), status: 'held' });
    await db.update(appointments).set({ depositCents: 1000 }).where(eq(appointments.id, due.id));
    await texted(db, w.client.user.id, due.id);
    expect(await replyOf(await inbound(from, 'c'))).toContain('needs a payment first');
    expect(await statusOf(due.id)).toBe('held');
  });

  it('X acts on the booking the answered text was about, not the soonest one at another shop', async () => {
    const db = testDb();
    const home = await createBookingWorld(db);
    const away = await createBookingWorld(db);
    const client = home.client.user.id;
    const from = await clientWithPhone(db, client);
    // Sooner, at another shop, never texted about…
    const sooner = await existingAppointment(db, away, { start: localInstant(away.timezone, 2, '10:00'), clientId: client });
    // …and the one our latest text (its reminder) was about.
    const reminded = await existingAppointment(db, home, { start: localInstant(home.timezone, 5, '15:00') });
    await texted(db, client, reminded.id);
    const xml = await replyOf(await inbound(from, 'X'));
    expect(xml).toContain(`cancelled — `);
    expect(await statusOf(reminded.id)).toBe('cancelled');
    expect(await statusOf(sooner.id)).toBe('confirmed');
  });

  it('asks which booking when the last text does not say (none, another Twilio number, a booking gone since); "X <code>" then acts on that one', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const client = w.client.user.id;
    const from = await clientWithPhone(db, client);
    const first = await existingAppointment(db, w, { start: localInstant(w.timezone, 3, '10:00') });
    const second = await existingAppointment(db, w, { start: localInstant(w.timezone, 4, '10:00') });
    const ask = async () => {
      const xml = await replyOf(await inbound(from, 'X'));
      expect(xml).toContain('which booking do you want to cancel?');
      expect(xml).toContain(`X ${codeOf(first.id)} for `);
      expect(xml).toContain(`X ${codeOf(second.id)} for `);
      expect(await statusOf(first.id)).toBe('confirmed');
      expect(await statusOf(second.id)).toBe('confirmed');
    };
    // Nothing texted yet.
    await ask();
    // A text from another of our numbers is not the one this reply answers.
    await texted(db, client, second.id, { sender: '+15005550001' });
    await ask();
    // The latest text was about a booking cancelled since: not a reason to cancel another.
    const gone = await existingAppointment(db, w, { start: localInstant(w.timezone, 5, '10:00') });
    await db.update(appointments).set({ status: 'cancelled', cancelledAt: new Date() }).where(eq(appointments.id, gone.id));
    await texted(db, client, gone.id);
    await ask();
    // Even one booking is not assumed: the text answered may have been about another.
    // Named by its code, it is cancelled; a code that names none of theirs does nothing.
    expect(await replyOf(await inbound(from, 'X 000000'))).toContain('which booking');
    expect(await replyOf(await inbound(from, `x ${codeOf(second.id).toLowerCase()}`))).toContain('cancelled — ');
    expect(await statusOf(second.id)).toBe('cancelled');
    expect(await statusOf(first.id)).toBe('confirmed');
  });

  it('a retried webhook (same MessageSid) acts once and gets the first answer again', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const client = w.client.user.id;
    const from = await clientWithPhone(db, client);
    const first = await existingAppointment(db, w, { start: localInstant(w.timezone, 3, '10:00') });
    const second = await existingAppointment(db, w, { start: localInstant(w.timezone, 4, '10:00') });
    await texted(db, client, first.id);
    const sid = newSid();
    const answer = await replyOf(await inbound(from, 'X', { sid }));
    expect(answer).toContain('cancelled — ');
    expect(await statusOf(first.id)).toBe('cancelled');
    // Twilio did not get (or did not wait for) the answer and posts the same message again, twice at once.
    const again = await Promise.all([inbound(from, 'X', { sid }), inbound(from, 'X', { sid })]);
    for (const res of again) expect(await replyOf(res)).toBe(answer);
    expect(await statusOf(second.id)).toBe('confirmed');
    const [row] = await db.select().from(smsInbound).where(eq(smsInbound.messageSid, sid));
    expect(row?.reply).toBe(answer.replace(/^.*<Message>|<\/Message>.*$/g, '').replaceAll('&apos;', "'"));

    // Two new messages at once (two sids) each act, once each: the second finds the first's booking gone.
    const [a, b] = await Promise.all([inbound(from, `X ${codeOf(second.id)}`, { sid: newSid() }), inbound(from, 'STOP', { sid: newSid() })]);
    expect(await replyOf(a)).toContain('cancelled — ');
    expect(await replyOf(b)).toContain('no more texts');
    // A signed request without a MessageSid is not one of Twilio's.
    const params = new URLSearchParams({ From: from, To: OUR_NUMBER, Body: 'X' });
    const unnamed = await app.request(
      URL_,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': await twilioSignature(AUTH_TOKEN, URL_, params) }, body: params.toString() },
      twilioEnv,
      ctx,
    );
    expect(unnamed.status).toBe(400);
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
