/**
 * The consumer against SendGrid and Twilio as they answer on the wire: dev/capture.ts records the
 * exact requests and plays scripted failures. Batches are driven directly (fake MessageBatch
 * objects); the provider settings point at the capture server through the env given to the consumer.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { appointments, notifications, users } from '../db/schema';
import type { AppointmentRecord } from '../db/queries/booking';
import { encryptPhone } from '../lib/crypto';
import { loadConfig } from '../env';
import { enqueueNotification, type NotificationMessage } from '../queue/messages';
import { appointmentEvents } from '../services/appointment-events';
import worker from '../index';
import { testDb } from '../../tests/worker/harness';
import { createManagedShop, send, type ManagedShop } from '../../tests/worker/world';

const captureUrl = (env as unknown as { BB_CAPTURE_URL: string }).BB_CAPTURE_URL;
const SID = 'ACtest0123456789';
const providerEnv = (over: Record<string, string> = {}) =>
  ({
    ...env,
    SENDGRID_API_KEY: 'SG.test-key',
    SENDGRID_API_URL: captureUrl,
    TWILIO_ACCOUNT_SID: SID,
    TWILIO_AUTH_TOKEN: 'twilio-test-token',
    TWILIO_FROM: '+15550009999',
    TWILIO_API_URL: captureUrl,
    ...over,
  }) as unknown as Env;

interface Captured {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}
const captured = async (match: string): Promise<Captured[]> =>
  (await (await fetch(`${captureUrl}/_capture/requests?match=${encodeURIComponent(match)}`)).json()) as Captured[];
const script = async (match: string, responses: { status: number; body?: unknown }[], sticky = false) => {
  const res = await fetch(`${captureUrl}/_capture/script`, { method: 'POST', body: JSON.stringify({ match, responses, sticky }) });
  expect(res.status).toBe(204);
};

const keys = () => loadConfig(env).FIELD_ENCRYPTION_KEYS;

async function queued(message: NotificationMessage): Promise<unknown> {
  const sent: unknown[] = [];
  await enqueueNotification({ send: async (b: unknown) => void sent.push(b) } as unknown as Queue, message, keys());
  return sent[0];
}

async function run(bodies: unknown[], opts: { attempts?: number; env?: Env; queue?: string } = {}) {
  const batch = createMessageBatch(
    opts.queue ?? 'notifications',
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: opts.attempts ?? 1, body })),
  );
  // getQueueResult names retried messages but not their delay: the spies keep it.
  const retries = batch.messages.map((m) => vi.spyOn(m, 'retry'));
  const ctx = createExecutionContext();
  await worker.queue(batch, opts.env ?? providerEnv(), ctx);
  const result = await getQueueResult(batch, ctx);
  const delays = retries.flatMap((spy, i) => spy.mock.calls.map(([o]) => ({ msgId: `m${i}`, delaySeconds: o?.delaySeconds })));
  return { ...result, retryMessages: delays.length ? delays : result.retryMessages };
}

const row = async (dedupeKey: string) => (await testDb().select().from(notifications).where(eq(notifications.dedupeKey, dedupeKey)))[0];

/** A client with a unique address and phone, and a confirmed appointment of theirs, as the DO reports it. */
async function booked(w?: ManagedShop) {
  const db = testDb();
  const world = w ?? (await createManagedShop(db));
  const tag = crypto.randomUUID().slice(0, 8);
  const email = `client-${tag}@example.test`;
  const digits = `1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  await db
    .update(users)
    .set({ email, ...(await encryptPhone(digits, keys())) })
    .where(eq(users.id, world.client.id));
  const a = world.appointment;
  const record: AppointmentRecord = {
    id: a.id,
    shop_id: world.shop.id,
    barber_id: world.barber.id,
    client_id: world.client.id,
    service_id: world.service.id,
    start_ms: a.startTime.getTime(),
    end_ms: a.endTime.getTime(),
    status: 'confirmed',
    hold_expires_ms: null,
    price_cents: 3000,
    deposit_cents: 0,
    currency: 'USD',
    notes: null,
    source: 'online',
    arrived_ms: null, cancelled_ms: null,
    cancel_reason: null,
    settlement: null,
    fee_cents: 0,
    refund_due_cents: 0,
    paid_cents: 0,
    refunded_cents: 0,
    created_ms: Date.now(),
    timezone: world.shop.timezone,
    service_name: 'Skin fade',
    barber_name: 'Sam',
    client_email: email,
    client_first_name: 'Clara',
  };
  // The messages to the client (the calendar sync job travels the same queue; calendar-sync.test.ts).
  const messages = appointmentEvents({ kind: 'confirmed', appointment: record }).filter((m) => m.channel !== 'calendar');
  return { world, email, phone: `+${digits}`, record, messages, bodies: await Promise.all(messages.map(queued)) };
}

describe('provider requests', () => {
  it('a confirmation is one SendGrid Mail Send and one Twilio message, exactly as the APIs expect', async () => {
    const b = await booked();
    expect(b.messages.map((m) => [m.channel, m.dedupe_key])).toEqual([
      ['email', `appointment:${b.record.id}:confirmed`],
      ['sms', `appointment:${b.record.id}:confirmed:sms`],
    ]);
    const result = await run(b.bodies);
    expect(result.explicitAcks).toEqual(['m0', 'm1']);

    const [mail, ...moreMail] = await captured(b.email);
    expect(moreMail).toEqual([]);
    expect(mail).toMatchObject({ method: 'POST', path: '/v3/mail/send' });
    expect(mail!.headers.authorization).toBe('Bearer SG.test-key');
    expect(mail!.headers['content-type']).toBe('application/json');
    const body = JSON.parse(mail!.body) as {
      personalizations: unknown;
      from: unknown;
      subject: string;
      content: { type: string; value: string }[];
      custom_args: unknown;
      attachments: { content: string; type: string; filename: string; disposition: string }[];
    };
    expect(Object.keys(body).sort()).toEqual(['attachments', 'content', 'custom_args', 'from', 'personalizations', 'subject']);
    expect(body.personalizations).toEqual([{ to: [{ email: b.email }] }]);
    expect(body.from).toEqual({ email: 'bookings@bookedbarber.app', name: 'BookedBarber' });
    expect(body.subject).toContain('booking confirmed');
    expect(body.content.map((c) => c.type)).toEqual(['text/plain', 'text/html']);
    expect(body.content[0]!.value).toContain('(America/New_York)');
    expect(body.custom_args).toEqual({ dedupe_key: `appointment:${b.record.id}:confirmed` });
    expect(body.attachments).toHaveLength(1);
    expect(body.attachments[0]).toMatchObject({ filename: 'appointment.ics', disposition: 'attachment' });
    expect(body.attachments[0]!.type).toMatch(/^text\/calendar/);
    const ics = new TextDecoder().decode(Uint8Array.from(atob(body.attachments[0]!.content), (ch) => ch.charCodeAt(0)));
    expect(ics).toContain(`UID:${b.record.id}@bookedbarber.app`);

    const [sms, ...moreSms] = await captured(b.phone);
    expect(moreSms).toEqual([]);
    expect(sms).toMatchObject({ method: 'POST', path: `/2010-04-01/Accounts/${SID}/Messages.json` });
    expect(sms!.headers.authorization).toBe(`Basic ${btoa(`${SID}:twilio-test-token`)}`);
    expect(sms!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(sms!.body);
    expect([...form.keys()]).toEqual(['To', 'From', 'Body']);
    expect(form.get('To')).toBe(b.phone);
    expect(form.get('From')).toBe('+15550009999');
    expect(form.get('Body')).toContain('(America/New_York)');

    // The providers' ids and the shop are on the log.
    const email = await row(b.messages[0]!.dedupe_key);
    expect(email).toMatchObject({ status: 'sent', shopId: b.world.shop.id, recipient: b.email });
    expect(email!.providerMessageId).toMatch(/^capture-/);
    const text = await row(b.messages[1]!.dedupe_key);
    expect(text).toMatchObject({ status: 'sent', shopId: b.world.shop.id, recipient: `user:${b.world.client.id}` });
    expect(text!.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    // The number it went out from: a reply comes in on it (services/sms-replies.ts).
    expect(text!.sender).toBe('+15550009999');
    // The number never reached the queue or the log.
    expect(JSON.stringify([b.bodies, email, text])).not.toContain(b.phone.slice(1));
  });

  it('a messaging service SID goes as MessagingServiceSid instead of From', async () => {
    const b = await booked();
    await run([b.bodies[1]], { env: providerEnv({ TWILIO_FROM: 'MG0123456789abcdef' }) });
    const [sms] = await captured(b.phone);
    const form = new URLSearchParams(sms!.body);
    expect(form.get('MessagingServiceSid')).toBe('MG0123456789abcdef');
    expect(form.has('From')).toBe(false);
  });
});

describe('exactly once', () => {
  it('a confirmed booking is one e-mail and one SMS request even when the queue delivers it twice, or two consumers take it at once', async () => {
    const b = await booked();
    // Two consumers at once, each with both messages…
    const together = await Promise.all([run(b.bodies), run(b.bodies)]);
    // …then a redelivery of both, later.
    const again = await run(b.bodies, { attempts: 2 });
    expect(again.explicitAcks).toEqual(['m0', 'm1']);
    expect(await captured(b.email)).toHaveLength(1);
    expect(await captured(b.phone)).toHaveLength(1);
    // The consumer that lost the race acknowledged (saw it sent) or will look again (saw it sending).
    const outcomes = together.flatMap((r) => [...r.explicitAcks, ...r.retryMessages.map((m: { msgId: string }) => m.msgId)]);
    expect(outcomes).toHaveLength(4);
    for (const m of b.messages) expect((await row(m.dedupe_key))?.status).toBe('sent');
  });
});

describe('provider failures', () => {
  it('500 twice then 202: retried with backoff, sent once', async () => {
    const b = await booked();
    await script(b.email, [{ status: 500, body: { errors: [{ message: 'boom' }] } }, { status: 500 }]);
    const first = await run([b.bodies[0]], { attempts: 1 });
    expect(first.retryMessages).toEqual([{ msgId: 'm0', delaySeconds: 10 }]);
    expect(await row(b.messages[0]!.dedupe_key)).toMatchObject({ status: 'failed', lastError: 'sendgrid 500: boom' });
    const second = await run([b.bodies[0]], { attempts: 2 });
    expect(second.retryMessages).toEqual([{ msgId: 'm0', delaySeconds: 20 }]);
    const third = await run([b.bodies[0]], { attempts: 3 });
    expect(third.explicitAcks).toEqual(['m0']);
    expect(third.retryMessages).toEqual([]);
    expect(await captured(b.email)).toHaveLength(3);
    expect(await row(b.messages[0]!.dedupe_key)).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
    // A later redelivery sends nothing more.
    await run([b.bodies[0]], { attempts: 4 });
    expect(await captured(b.email)).toHaveLength(3);
  });

  it('always 500: retried until the queue gives up, then a dead-letter record the owner can list', async () => {
    const b = await booked();
    await script(b.phone, [{ status: 503, body: { code: 20500, message: 'Service unavailable' } }], true);
    for (const attempts of [1, 2, 3]) {
      const result = await run([b.bodies[1]], { attempts });
      expect(result.retryMessages).toEqual([{ msgId: 'm0', delaySeconds: 10 * 2 ** (attempts - 1) }]);
    }
    await run([b.bodies[1]], { attempts: 4, queue: 'notifications-dlq' });
    expect(await row(b.messages[1]!.dedupe_key)).toMatchObject({ status: 'failed', lastError: 'dead-lettered' });

    const res = await send('GET', `/api/v1/shops/${b.world.shop.id}/notifications?status=failed`, b.world.owner.token);
    expect(res.status, await res.clone().text()).toBe(200);
    const page = (await res.json()) as { data: Record<string, unknown>[] };
    const listed = page.data.find((n) => n.template === 'appointment.confirmed' && n.channel === 'sms');
    expect(listed).toMatchObject({ state: 'dead_lettered', last_error: 'dead-lettered', attempts: 3, recipient: `***${b.phone.slice(-4)}` });
    expect(JSON.stringify(page)).not.toContain(b.phone.slice(1));
  });

  it('400 invalid number: failed at once, never retried or sent again', async () => {
    const b = await booked();
    // Twilio quotes the number in its message (as it does): it must not reach logs, rows or owners.
    await script(b.phone, [{ status: 400, body: { code: 21211, message: `The 'To' number ${b.phone} is not a valid phone number.`, status: 400 } }]);
    const result = await run([b.bodies[1]]);
    expect(result.explicitAcks).toEqual(['m0']);
    expect(result.retryMessages).toEqual([]);
    const failed = await row(b.messages[1]!.dedupe_key);
    expect(failed?.status).toBe('failed');
    expect(failed?.lastError).toMatch(/^permanent: twilio 400 21211 invalid_number/);
    expect(failed?.lastError).not.toContain(b.phone.slice(1));
    // A redelivery is acknowledged without asking Twilio again.
    const again = await run([b.bodies[1]], { attempts: 2 });
    expect(again.explicitAcks).toEqual(['m0']);
    expect(await captured(b.phone)).toHaveLength(1);
    const res = await send('GET', `/api/v1/shops/${b.world.shop.id}/notifications`, b.world.owner.token);
    const page = (await res.json()) as { data: Record<string, unknown>[] };
    expect(page.data.find((n) => n.channel === 'sms')).toMatchObject({ state: 'failed', last_error: expect.stringMatching(/^twilio 400 21211/) });
  });

  it('SendGrid 401 is permanent; a provider that cannot be reached is retried', async () => {
    const b = await booked();
    await script(b.email, [{ status: 401, body: { errors: [{ message: 'The provided authorization grant is invalid' }] } }]);
    const refused = await run([b.bodies[0]]);
    expect(refused.retryMessages).toEqual([]);
    expect((await row(b.messages[0]!.dedupe_key))?.lastError).toMatch(/^permanent: sendgrid 401/);

    const c = await booked();
    const unreachable = await run([c.bodies[0]], { env: providerEnv({ SENDGRID_API_URL: 'http://127.0.0.1:9' }) });
    expect(unreachable.retryMessages).toEqual([{ msgId: 'm0', delaySeconds: 10 }]);
    expect((await row(c.messages[0]!.dedupe_key))?.lastError).toMatch(/^network: /);
  });

  it('in production without keys: failed for good as provider_not_configured, not sent anywhere', async () => {
    const b = await booked();
    const production = { ...env, APP_ENV: 'production' } as unknown as Env;
    const result = await run(b.bodies, { env: production });
    expect(result.retryMessages).toEqual([]);
    expect((await row(b.messages[0]!.dedupe_key))?.lastError).toBe('permanent: provider_not_configured: SENDGRID_API_KEY');
    expect((await row(b.messages[1]!.dedupe_key))?.lastError).toMatch(/^permanent: provider_not_configured: TWILIO_ACCOUNT_SID/);
    expect(await captured(b.email)).toEqual([]);
  });
});

describe('checked at send time', () => {
  it("the client's preferences and SMS consent: skipped, nothing sent", async () => {
    const db = testDb();
    const b = await booked();
    await db.update(users).set({ notifySms: false, notifyEmail: false }).where(eq(users.id, b.world.client.id));
    await run(b.bodies);
    expect(await row(b.messages[0]!.dedupe_key)).toMatchObject({ status: 'skipped', lastError: 'client_prefers_no_email' });
    expect(await row(b.messages[1]!.dedupe_key)).toMatchObject({ status: 'skipped', lastError: 'client_prefers_no_sms' });

    const c = await booked();
    await db.update(users).set({ smsOptedOutAt: new Date() }).where(eq(users.id, c.world.client.id));
    await run([c.bodies[1]]);
    expect(await row(c.messages[1]!.dedupe_key)).toMatchObject({ status: 'skipped', lastError: 'sms_opted_out' });
    expect([...(await captured(b.email)), ...(await captured(b.phone)), ...(await captured(c.phone))]).toEqual([]);
    // Skipped is settled: a redelivery is acknowledged and sends nothing.
    const again = await run([c.bodies[1]], { attempts: 2 });
    expect(again.explicitAcks).toEqual(['m0']);
  });

  it('account messages go whatever the booking preferences say', async () => {
    const b = await booked();
    await testDb().update(users).set({ notifyEmail: false }).where(eq(users.id, b.world.client.id));
    const key = `password_reset:${crypto.randomUUID()}`;
    await run([await queued({ dedupe_key: key, channel: 'email', to: b.email, template: 'password_reset', secrets: { link: 'http://127.0.0.1:8787/reset-password?token=t' } })]);
    expect((await row(key))?.status).toBe('sent');
    const [mail] = await captured(b.email);
    expect(JSON.parse(mail!.body).subject).toBe('Reset your password');
  });

  it('a client without a phone gets no SMS (skipped)', async () => {
    const b = await booked();
    await testDb().update(users).set({ phoneEnc: null, phoneLast4: null }).where(eq(users.id, b.world.client.id));
    await run([b.bodies[1]]);
    expect(await row(b.messages[1]!.dedupe_key)).toMatchObject({ status: 'skipped', lastError: 'no_phone' });
  });

  it('a reminder for an appointment that moved is skipped', async () => {
    const b = await booked();
    await testDb().update(appointments).set({ status: 'cancelled', cancelledAt: new Date() }).where(eq(appointments.id, b.record.id));
    const key = `reminder:${crypto.randomUUID()}`;
    await run([await queued({ dedupe_key: key, channel: 'email', to: b.email, template: 'appointment.reminder', data: { ...b.messages[0]!.data } })]);
    expect(await row(key)).toMatchObject({ status: 'skipped', lastError: 'no_longer_relevant: appointment cancelled' });
    expect(await captured(b.email)).toEqual([]);
  });

  it('a late confirmation (e-mail with its .ics, and SMS) for an appointment moved since is skipped, not sent with the old time', async () => {
    const b = await booked();
    // The booking moved an hour later before the confirmation was delivered (a retry, a slow queue).
    const moved = { startTime: new Date(b.record.start_ms + 3_600_000), endTime: new Date(b.record.end_ms + 3_600_000) };
    await testDb().update(appointments).set(moved).where(eq(appointments.id, b.record.id));
    const result = await run(b.bodies);
    expect(result.explicitAcks).toEqual(['m0', 'm1']);
    for (const m of b.messages) expect(await row(m.dedupe_key)).toMatchObject({ status: 'skipped', lastError: 'no_longer_relevant: appointment moved' });
    expect(await captured(b.email)).toEqual([]);
    expect(await captured(b.phone)).toEqual([]);
    // Skipped is settled: a redelivery sends nothing either.
    await run(b.bodies, { attempts: 2 });
    expect(await captured(b.email)).toEqual([]);
  });

  it('a confirmation for an appointment cancelled since is skipped', async () => {
    const b = await booked();
    await testDb().update(appointments).set({ status: 'cancelled', cancelledAt: new Date() }).where(eq(appointments.id, b.record.id));
    await run(b.bodies);
    for (const m of b.messages) expect(await row(m.dedupe_key)).toMatchObject({ status: 'skipped', lastError: 'no_longer_relevant: appointment cancelled' });
    expect([...(await captured(b.email)), ...(await captured(b.phone))]).toEqual([]);
  });

  it('moved twice: the first reschedule message, delivered last, is skipped; the current one goes with the .ics sequence of that time', async () => {
    const db = testDb();
    const b = await booked();
    const at = (hours: number) => ({ ...b.record, start_ms: b.record.start_ms + hours * 3_600_000, end_ms: b.record.end_ms + hours * 3_600_000 });
    const first = at(1);
    const second = at(2);
    const messagesFor = (record: AppointmentRecord, previousStartMs: number) =>
      appointmentEvents({ kind: 'rescheduled', appointment: record, previousStartMs }).filter((m) => m.channel === 'email');
    const [toFirst] = messagesFor(first, b.record.start_ms);
    const [toSecond] = messagesFor(second, first.start_ms);
    // Two reschedules (each moves ics_sequence), both messages still in the queue.
    await db.update(appointments).set({ startTime: new Date(first.start_ms), endTime: new Date(first.end_ms) }).where(eq(appointments.id, b.record.id));
    await db.update(appointments).set({ startTime: new Date(second.start_ms), endTime: new Date(second.end_ms) }).where(eq(appointments.id, b.record.id));
    const [now] = await db.select().from(appointments).where(eq(appointments.id, b.record.id));
    await run([await queued(toSecond!)]);
    await run([await queued(toFirst!)]);
    expect(await row(toFirst!.dedupe_key)).toMatchObject({ status: 'skipped', lastError: 'no_longer_relevant: appointment moved' });
    expect(await row(toSecond!.dedupe_key)).toMatchObject({ status: 'sent' });
    const mails = await captured(b.email);
    expect(mails).toHaveLength(1);
    const attachment = (JSON.parse(mails[0]!.body) as { attachments: { content: string }[] }).attachments[0]!;
    const ics = new TextDecoder().decode(Uint8Array.from(atob(attachment.content), (ch) => ch.charCodeAt(0)));
    expect(ics).toContain(`SEQUENCE:${now!.icsSequence}`);
    expect(ics).toContain(`DTSTART:${new Date(second.start_ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}`);
  });

  it("an invitation's expiry is written on the shop's clock, with the zone named", async () => {
    const w = await createManagedShop(testDb());
    const to = `invitee-${crypto.randomUUID().slice(0, 8)}@example.test`;
    const key = `invitation:${crypto.randomUUID()}:email`;
    await run([
      await queued({
        dedupe_key: key,
        channel: 'email',
        to,
        template: 'barber_invitation',
        data: { invitation_id: crypto.randomUUID(), shop_id: w.shop.id, shop_name: 'Fade Street', role: 'barber', expires_at: '2026-12-08T03:30:00.000Z' },
        secrets: { accept_url: 'http://127.0.0.1:8787/invitations/accept#t' },
      }),
    ]);
    expect(await row(key)).toMatchObject({ status: 'sent' });
    const [mail] = await captured(to);
    const text = (JSON.parse(mail!.body) as { content: { value: string }[] }).content[0]!.value;
    expect(w.shop.timezone).not.toBe('UTC');
    expect(text).toContain(`(${w.shop.timezone})`);
    expect(text).not.toContain('(UTC)');
  });
});
