import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments, users } from '../db/schema';
import { buildUser } from '../db/seed/builders';
import { createLogger } from '../lib/logger';
import type { NotificationMessage } from '../queue/messages';
import { REMINDER_WINDOWS, reminderMessages, sendDueReminders, sendReminders } from './reminders';
import { createBookingWorld, existingAppointment, localInstant } from '../../tests/worker/booking-world';
import { testDb } from '../../tests/worker/harness';

const MIN = 60_000;
const HOUR = 60 * MIN;
const TICK = 5 * MIN;

/*
 * The cron claims across the whole database, so every test here runs its fake clock on days of
 * its own far in the future (years past anything other tests book), where only its rows exist.
 */
let era = 0;
function farDay(tz: string): number {
  era += 10;
  return localInstant(tz, 5000 + era, '00:00').getTime();
}

interface Sent extends NotificationMessage {
  at: number;
}

function capturing(opts: { fail?: (m: NotificationMessage) => boolean } = {}) {
  const sent: Sent[] = [];
  let now = 0;
  const services = {
    db: testDb(),
    logger: createLogger('error'),
    notify: async (m: NotificationMessage) => {
      if (opts.fail?.(m)) throw new Error('queue unavailable');
      sent.push({ ...m, at: now });
    },
  };
  return { services, sent, setNow: (ms: number) => void (now = ms) };
}

async function clientWith(db: ReturnType<typeof testDb>, prefs: Partial<typeof users.$inferInsert>) {
  const [u] = await db.insert(users).values(buildUser(prefs)).returning();
  return u!;
}

const phone = { phoneEnc: 'v1.k1.test.sealed-phone', phoneLast4: '4567' };

describe('reminders', () => {
  it('two days of ticks: each due reminder once, none for cancelled ones, a moved one for its new start, late bookings per ADR 0014, preferences honoured', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { timezone: 'Europe/Berlin', barbers: 2 });
    const T0 = farDay(w.timezone);
    const both = await clientWith(db, phone);
    const smsOnly = await clientWith(db, { ...phone, notifyEmail: false });
    const optedOut = await clientWith(db, { ...phone, smsOptedOutAt: new Date() });
    const noPhone = await clientWith(db, {});
    const nothing = await clientWith(db, { ...phone, notifyEmail: false, notifySms: false });
    const at = (h: number) => new Date(T0 + h * HOUR);
    const book = (h: number, clientId = both.id, status: 'confirmed' | 'held' = 'confirmed') =>
      existingAppointment(db, w, { start: at(h), clientId, status });

    // Booked well ahead.
    const plain = await book(30);
    const cancelledEarly = await book(40);
    const cancelledLate = await book(20);
    const moved = await book(26);
    const sms = await book(31, smsOnly.id);
    const email = await book(32, optedOut.id);
    const emailNoPhone = await book(33, noPhone.id);
    const silent = await book(35, nothing.id);
    const held = await book(36, both.id, 'held');
    const ids = new Map<string, string>([
      [plain.id, 'plain'], [cancelledEarly.id, 'cancelledEarly'], [cancelledLate.id, 'cancelledLate'], [moved.id, 'moved'],
      [sms.id, 'sms'], [email.id, 'email'], [emailNoPhone.id, 'emailNoPhone'], [silent.id, 'silent'], [held.id, 'held'],
    ]);

    // What happens during the two days, just before the tick at that hour.
    const events = new Map<number, () => Promise<void>>([
      [T0 + 3 * HOUR, async () => void ids.set((await book(23)).id, 'booked20hAhead')],
      [T0 + 4 * HOUR, async () => void (await db.update(appointments).set({ startTime: at(34), endTime: new Date(at(34).getTime() + 30 * MIN) }).where(eq(appointments.id, moved.id)))],
      [T0 + 5 * HOUR, async () => void (await db.update(appointments).set({ status: 'cancelled', cancelledAt: at(5) }).where(eq(appointments.id, cancelledLate.id)))],
      [T0 + 10 * HOUR, async () => void (await db.update(appointments).set({ status: 'cancelled', cancelledAt: at(10) }).where(eq(appointments.id, cancelledEarly.id)))],
      [T0 + 20 * HOUR, async () => void ids.set((await existingAppointment(db, w, { start: at(21.5), clientId: both.id, barberId: w.barbers[1]!.barber.id })).id, 'booked90minAhead')],
      [T0 + 21.5 * HOUR, async () => void ids.set((await existingAppointment(db, w, { start: at(22.25), clientId: both.id, barberId: w.barbers[1]!.barber.id })).id, 'booked45minAhead')],
    ]);

    const { services, sent, setNow } = capturing();
    for (let now = T0; now <= T0 + 48 * HOUR; now += TICK) {
      await events.get(now)?.();
      setNow(now);
      await sendReminders(services, now);
    }

    const mine = sent.filter((m) => ids.has(m.data!.appointment_id as string));
    // Exactly once: no dedupe key twice.
    expect(new Set(mine.map((m) => m.dedupe_key)).size).toBe(mine.length);

    const got = mine
      .map((m) => `${ids.get(m.data!.appointment_id as string)} ${m.data!.lead} ${m.channel} start+${(Date.parse(m.data!.start_time as string) - T0) / HOUR}h at+${(m.at - T0) / HOUR}h`)
      .sort();
    const want = [
      // 24 h before, and 2 h before.
      'plain 24h email start+30h at+6h', 'plain 24h sms start+30h at+6h',
      'plain 2h email start+30h at+28h', 'plain 2h sms start+30h at+28h',
      // Its 24 h reminder went before the cancel; nothing after it.
      'cancelledLate 24h email start+20h at+0h', 'cancelledLate 24h sms start+20h at+0h',
      // The first start's 24 h reminder, then both for the new start; never the old start's 2 h one.
      'moved 24h email start+26h at+2h', 'moved 24h sms start+26h at+2h',
      'moved 24h email start+34h at+10h', 'moved 24h sms start+34h at+10h',
      'moved 2h email start+34h at+32h', 'moved 2h sms start+34h at+32h',
      // Booked 20 h ahead: the 24 h reminder at once (the start is still more than 12 h away).
      'booked20hAhead 24h email start+23h at+3h', 'booked20hAhead 24h sms start+23h at+3h',
      'booked20hAhead 2h email start+23h at+21h', 'booked20hAhead 2h sms start+23h at+21h',
      // Booked 90 minutes ahead: the 2 h reminder on the next tick, no 24 h one.
      'booked90minAhead 2h email start+21.5h at+20h', 'booked90minAhead 2h sms start+21.5h at+20h',
      // Preferences.
      'sms 24h sms start+31h at+7h', 'sms 2h sms start+31h at+29h',
      'email 24h email start+32h at+8h', 'email 2h email start+32h at+30h',
      'emailNoPhone 24h email start+33h at+9h', 'emailNoPhone 2h email start+33h at+31h',
    ].sort();
    expect(got).toEqual(want);

    // Claimed all the same where no channel was open; never for the hold or the cancelled ones.
    const rows = await db.select().from(appointments).where(inArray(appointments.id, [...ids.keys()]));
    const byName = new Map(rows.map((r) => [ids.get(r.id), r]));
    expect(byName.get('silent')?.reminded24hFor?.getTime()).toBe(at(35).getTime());
    expect(byName.get('silent')?.reminded2hFor?.getTime()).toBe(at(35).getTime());
    expect(byName.get('held')?.reminded24hFor).toBeNull();
    expect(byName.get('cancelledEarly')?.reminded24hFor).toBeNull();
    expect(byName.get('booked45minAhead')?.reminded2hFor).toBeNull();
    expect(byName.get('booked90minAhead')?.reminded24hFor).toBeNull();
  }, 180_000);

  it('messages: e-mail to the address, SMS to the client for the consumer to resolve, the wire instants the relevance check reads', async () => {
    const claim = {
      appointment_id: '6f1c1f40-0000-4000-8000-000000000001',
      shop_id: '6f1c1f40-0000-4000-8000-000000000002',
      client_id: '6f1c1f40-0000-4000-8000-000000000003',
      start_ms: Date.UTC(2040, 0, 2, 14, 0),
      end_ms: Date.UTC(2040, 0, 2, 14, 30),
      timezone: 'Europe/Berlin',
      barber_name: 'Ana',
      service_name: 'Cut',
      client_first_name: 'Jo',
      email_to: 'jo@example.test',
      sms_user_id: '6f1c1f40-0000-4000-8000-000000000003',
    };
    const data = {
      appointment_id: claim.appointment_id,
      shop_id: claim.shop_id,
      client_id: claim.client_id,
      start_time: '2040-01-02T14:00:00.000Z',
      end_time: '2040-01-02T14:30:00.000Z',
      timezone: 'Europe/Berlin',
      barber_name: 'Ana',
      service_name: 'Cut',
      client_first_name: 'Jo',
      lead: '2h',
    };
    expect(reminderMessages('2h', claim)).toEqual([
      { dedupe_key: `reminder:2h:${claim.appointment_id}:${claim.start_ms}:email`, channel: 'email', to: 'jo@example.test', template: 'appointment.reminder', data },
      { dedupe_key: `reminder:2h:${claim.appointment_id}:${claim.start_ms}:sms`, channel: 'sms', to: `user:${claim.client_id}`, template: 'appointment.reminder', data },
    ]);
    expect(reminderMessages('24h', { ...claim, email_to: null, sms_user_id: null })).toEqual([]);
    expect(REMINDER_WINDOWS['2h']).toEqual({ leadMs: 2 * HOUR, lastMs: HOUR });
  });

  it('two crons racing on one tick enqueue each reminder once', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { timezone: 'America/New_York' });
    const T0 = farDay(w.timezone);
    const rows = await Promise.all([13, 14, 15].map((h) => existingAppointment(db, w, { start: new Date(T0 + h * HOUR) })));
    const { services, sent } = capturing();
    const runs = await Promise.all([sendDueReminders(services, '24h', T0), sendDueReminders(services, '24h', T0), sendDueReminders(services, '24h', T0)]);
    const mine = sent.filter((m) => rows.some((r) => r.id === m.data!.appointment_id));
    expect(mine).toHaveLength(3);
    expect(new Set(mine.map((m) => m.data!.appointment_id)).size).toBe(3);
    expect(runs.reduce((n, r) => n + r.claimed, 0)).toBe(3);
  });

  it('a reminder that could not be enqueued is released and goes on the next tick, under the same key', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { timezone: 'America/New_York' });
    const T0 = farDay(w.timezone);
    const row = await existingAppointment(db, w, { start: new Date(T0 + 90 * MIN) });
    await db.update(users).set(phone).where(eq(users.id, w.client.user.id));
    let failures = 1;
    // The e-mail makes it, the SMS does not: the whole claim is given back.
    const { services, sent } = capturing({ fail: (m) => m.channel === 'sms' && failures-- > 0 });

    const first = await sendDueReminders(services, '2h', T0);
    expect(first).toMatchObject({ claimed: 1, enqueued: 1, released: 1 });
    const [after] = await db.select().from(appointments).where(eq(appointments.id, row.id));
    expect(after?.reminded2hFor).toBeNull();

    const second = await sendDueReminders(services, '2h', T0 + TICK);
    expect(second).toMatchObject({ claimed: 1, enqueued: 2, released: 0 });
    const keys = sent.filter((m) => m.data!.appointment_id === row.id).map((m) => m.dedupe_key);
    const key = `reminder:2h:${row.id}:${row.startTime.getTime()}`;
    // The e-mail twice under one key (the consumer sends it once), the SMS once.
    expect(keys.sort()).toEqual([`${key}:email`, `${key}:email`, `${key}:sms`]);
    expect(await sendDueReminders(services, '2h', T0 + 2 * TICK)).toMatchObject({ claimed: 0 });
  });

  it('a failing claim of one kind does not stop the other', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { timezone: 'America/New_York' });
    const T0 = farDay(w.timezone);
    const soon = await existingAppointment(db, w, { start: new Date(T0 + 90 * MIN) });
    const tomorrow = await existingAppointment(db, w, { start: new Date(T0 + 20 * HOUR) });
    const { services } = capturing();
    let calls = 0;
    // The first statement (the 2 h claim) times out.
    const flaky = new Proxy(services.db, {
      get(target, prop, receiver) {
        if (prop === 'execute' && calls++ === 0) return () => Promise.reject(new Error('neon timeout'));
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const runs = await sendReminders({ ...services, db: flaky }, T0);
    expect(runs['2h']).toBeNull();
    expect(runs['24h']).toMatchObject({ claimed: 1 });
    const marks = async () =>
      new Map((await db.select().from(appointments).where(inArray(appointments.id, [soon.id, tomorrow.id]))).map((r) => [r.id, r]));
    expect((await marks()).get(soon.id)?.reminded2hFor).toBeNull();
    expect((await marks()).get(tomorrow.id)?.reminded24hFor?.getTime()).toBe(tomorrow.startTime.getTime());
    // The next tick catches up.
    expect((await sendReminders(services, T0 + TICK))['2h']).toMatchObject({ claimed: 1 });
    expect((await marks()).get(soon.id)?.reminded2hFor?.getTime()).toBe(soon.startTime.getTime());
  });
});
