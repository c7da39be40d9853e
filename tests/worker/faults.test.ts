/**
 * No double booking, no doubled payment, a definite answer for every client — while Neon fails.
 *
 * Many clients race for the same few slots of several barbers while the Worker's Neon endpoint
 * (the plane's fault-injecting listener, dev/faults.ts) refuses, drops or delays a share of the
 * requests — including writes that commit and then lose their answer — and two barbers' objects
 * are reset mid-run. Then the Stripe events of the bookings are delivered twice, out of order and
 * concurrently, refunds included, and the notification messages are redelivered in duplicate and
 * reversed batches, all under faults. Afterwards the rows are read directly (the clean listener):
 *
 *  - no two active appointments of a barber overlap;
 *  - each booking request was answered 201, 409 slot_unavailable, or a retryable 503
 *    (problem+json, Retry-After) — and for a 503 the rows hold nothing or exactly one complete
 *    booking of that client (a hold with its deposit, at most one payment row, consistent);
 *  - one payment row per intent, each captured amount counted once, paid/refunded as Stripe says;
 *  - each notification key sent at most once, and exactly once after the faults stop.
 *
 * Runs in its own vitest project (worker-faults) so no other test file sees a fault.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult, runInDurableObject } from 'cloudflare:test';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { appointments, notifications, payments } from '../../worker/db/schema';
import worker from '../../worker/index';
import { loadConfig } from '../../worker/env';
import { testMailbox } from '../../worker/queue/mailbox';
import { enqueueNotification, type NotificationMessage } from '../../worker/queue/messages';
import { book, createBookingWorld, localInstant, newClient } from './booking-world';
import { deliver, eventAbout, payIntent, stripe } from './stripe';
import { cleanDb, faultCounters, resetFaults, setFaults, type Counters } from './faults/control';

const ACTIVE = ['held', 'pending_payment', 'confirmed'] as const;
/** 15 % of Neon requests fail, weighted towards the write that committed with its answer lost. */
const RATES = { error_before: 0.03, error_after: 0.03, reset_before: 0.02, reset_after: 0.04, delay: 0.03 };
const SEED = 20261203;
/** scripts/test.ts starts the listener with 3 s delays; the Worker's deadline here is 1.5 s. */
const DELAY_MS = 3_000;

type World = Awaited<ReturnType<typeof createBookingWorld>>;
type Answer = { clientId: string; barberId: string; window: number; status: number; body: Record<string, unknown>; retryAfter: string | null; type: string | null };

const db = cleanDb();
let w: World;
const answers: Answer[] = [];
const figures: Record<string, unknown> = {};
const started = Date.now();

async function answerOf(res: Response, meta: Pick<Answer, 'clientId' | 'barberId' | 'window'>): Promise<Answer> {
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { unparsed: text.slice(0, 200) };
  }
  return { ...meta, status: res.status, body, retryAfter: res.headers.get('retry-after'), type: res.headers.get('content-type') };
}

/** Resets a barber's object as the runtime would; `wipe` also drops its storage so it rebuilds from Postgres. */
async function resetObject(barberId: string, wipe: boolean): Promise<void> {
  const stub = env.BARBER_SCHEDULE.get(env.BARBER_SCHEDULE.idFromName(barberId));
  await runInDurableObject(stub, async (_instance, state) => {
    if (wipe) await state.storage.deleteAll();
    state.abort('reset by the fault test');
  }).catch(() => undefined); // abort() rejects the call that made it: that is the point
}

/** Delivers a webhook until it is acknowledged, as Stripe retries; every answer must be definite. */
async function deliverUntilAcked(event: object, log: number[]): Promise<string> {
  for (let attempt = 0; attempt < 12; attempt++) {
    const res = await deliver(event);
    log.push(res.status);
    if (res.status === 200) return ((await res.json()) as { outcome: string }).outcome;
    expect(res.status, 'a webhook gets 200 or a retryable 503').toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    await res.body?.cancel();
  }
  throw new Error(`webhook ${(event as { id: string }).id} never acknowledged`);
}

describe('bookings, payments and notifications under Neon faults', () => {
  beforeAll(async () => {
    await resetFaults();
    w = await createBookingWorld(db, { barbers: 3, policy: { deposit: { kind: 'percent', value: 20 }, hold_minutes: 10 } });
  });
  afterAll(async () => {
    await resetFaults();
    figures.total_ms = Date.now() - started;
    console.log(`[faults] ${JSON.stringify(figures)}`);
  });

  it('races for few slots: every answer definite, no overlap, a 503 leaves nothing or one whole booking', async () => {
    // Windows 90 minutes apart on two days: each can be sold once, and they cannot interact.
    const windows = [3, 4].flatMap((day) => ['09:30', '11:00', '12:30', '14:00', '15:30'].map((clock) => ({ day, clock })));
    const perWindow = 5;
    const targets = w.barbers.flatMap((b) => windows.map((x, wi) => ({ barberId: b.barber.id, window: wi, anchor: localInstant(w.timezone, x.day, x.clock).getTime() })));
    const clients = await Promise.all(Array.from({ length: targets.length * (perWindow + 1) }, () => newClient(db)));
    let next = 0;
    const attempt = (t: (typeof targets)[number], i: number) => {
      const c = clients[next++]!;
      // The anchor or 15 minutes after, 30 or 60 minutes long: any two attempts at one window overlap.
      const body = { barber_id: t.barberId, service_id: i % 4 < 2 ? w.short.id : w.long.id, start_time: new Date(t.anchor + (i % 2) * 15 * 60_000).toISOString() };
      return book(c.token, body).then((res) => answerOf(res, { clientId: c.user.id, barberId: t.barberId, window: t.window }));
    };

    await setFaults(RATES, { seed: SEED, delayMs: DELAY_MS });
    const raceStarted = Date.now();
    const first = Promise.all(targets.flatMap((t) => Array.from({ length: perWindow }, (_, i) => attempt(t, i))));
    // Mid-run: one object reset as an eviction would (its storage kept), one with its storage gone.
    await new Promise((r) => setTimeout(r, 100));
    await Promise.all([resetObject(w.barbers[0]!.barber.id, false), resetObject(w.barbers[1]!.barber.id, true)]);
    answers.push(...(await first));
    // Late entrants reach the rebuilt objects: a window sold before the reset stays sold.
    answers.push(...(await Promise.all(targets.map((t) => attempt(t, 1)))));
    figures.race_ms = Date.now() - raceStarted;
    const counters: Counters = await faultCounters();
    await resetFaults();
    figures.neon_faults = counters;

    // Every client heard something definite.
    const byStatus = (s: number) => answers.filter((a) => a.status === s);
    const odd = answers.filter((a) => ![201, 409, 503].includes(a.status));
    expect(odd.map((a) => [a.status, a.body]), 'only 201, 409 and 503 answers').toEqual([]);
    for (const a of byStatus(409)) {
      expect(a.type).toMatch(/^application\/problem\+json/);
      expect(a.body).toMatchObject({ code: 'slot_unavailable', reason: 'taken' });
    }
    for (const a of byStatus(503)) {
      expect(a.type).toMatch(/^application\/problem\+json/);
      expect(a.body.code).toBe('dependency_unavailable');
      expect(Number(a.retryAfter)).toBeGreaterThan(0);
    }
    figures.answers = { attempts: answers.length, created: byStatus(201).length, conflicts: byStatus(409).length, unavailable: byStatus(503).length };
    // The faults really happened, and some requests really were answered 503.
    expect(counters.requests).toBeGreaterThan(40);
    expect(counters.reset_after + counters.error_after).toBeGreaterThan(0);
    expect(byStatus(503).length).toBeGreaterThan(0);
    expect(byStatus(201).length).toBeGreaterThan(0);

    // No two active appointments of a barber overlap (the constraint would refuse it; the count
    // proves nothing slipped around it either, e.g. a hold and a booking both "active").
    const overlaps = await db.execute(sql`
      SELECT count(*)::int AS n FROM appointments a JOIN appointments b
        ON a.barber_id = b.barber_id AND a.id < b.id
       AND tstzrange(a.start_time, a.end_time, '[)') && tstzrange(b.start_time, b.end_time, '[)')
     WHERE a.shop_id = ${w.shop.id} AND a.status IN ('held', 'pending_payment', 'confirmed') AND b.status IN ('held', 'pending_payment', 'confirmed')`);
    expect((overlaps as unknown as { rows: { n: number }[] }).rows[0]!.n).toBe(0);

    const rows = await db.select().from(appointments).where(eq(appointments.shopId, w.shop.id));
    const pays = await db.select().from(payments).where(eq(payments.shopId, w.shop.id));
    // At most one sale per window (all its attempts overlap), and every sale was a race's.
    for (const b of w.barbers) {
      const active = rows.filter((r) => r.barberId === b.barber.id && (ACTIVE as readonly string[]).includes(r.status));
      expect(active.length).toBeLessThanOrEqual(windows.length);
    }
    for (const a of answers) {
      const mine = rows.filter((r) => r.clientId === a.clientId);
      if (a.status === 201) {
        expect(mine.map((r) => r.id)).toEqual([a.body.id]);
        expect(a.body.status).toBe('held');
      } else if (a.status === 409) {
        expect(mine).toEqual([]);
      } else {
        expect(mine.length, 'a 503 left nothing or one booking').toBeLessThanOrEqual(1);
      }
      for (const r of mine) {
        // A complete hold: its deposit, its expiry, the price of the service, and at most one
        // payment row, which (if there) is the intent for exactly the deposit.
        expect(r.status).toBe('held');
        expect(r.holdExpiresAt).not.toBeNull();
        expect(r.depositCents).toBe(r.priceCents / 5);
        const rowPays = pays.filter((p) => p.appointmentId === r.id);
        expect(rowPays.length).toBeLessThanOrEqual(1);
        for (const p of rowPays) expect(p).toMatchObject({ kind: 'deposit', status: 'requires_payment', amountCents: r.depositCents });
        const handle = a.status === 201 ? (a.body.payment as { payment_intent_id: string } | null) : null;
        if (handle) expect(rowPays.map((p) => p.stripePaymentIntentId)).toEqual([handle.payment_intent_id]);
      }
    }
    figures.committed_behind_503 = answers.filter((a) => a.status === 503 && rows.some((r) => r.clientId === a.clientId)).length;
  });

  it('a booking whose answer was lost after it committed is answered 201; lost twice, a 503 over exactly that booking', async () => {
    const barberId = w.barbers[2]!.barber.id;
    const at = (clock: string) => localInstant(w.timezone, 5, clock).toISOString();
    const bookAs = async (clock: string) => {
      const c = await newClient(db);
      const res = await book(c.token, { barber_id: barberId, service_id: w.short.id, start_time: at(clock) });
      return { clientId: c.user.id, answer: await answerOf(res, { clientId: c.user.id, barberId, window: -1 }) };
    };
    expect((await bookAs('09:00')).answer.status).toBe(201); // a warm object: its next booking is one statement
    // Only the booking statement fails: the answer lost after it committed.
    await setFaults({ reset_after: 1 }, { limit: 1, match: 'INSERT INTO appointments' });
    const recovered = await bookAs('10:00');
    expect((await faultCounters()).reset_after).toBe(1);
    expect(recovered.answer.status).toBe(201);
    const mine = await db.select().from(appointments).where(eq(appointments.clientId, recovered.clientId));
    expect(mine.map((r) => [r.id, r.status])).toEqual([[recovered.answer.body.id, 'held']]);
    expect(recovered.answer.body.payment).toMatchObject({ kind: 'deposit', amount: 600 });

    // The statement's answer and the look that follows both lost: a 503, and the rows hold that one booking.
    await resetFaults();
    await setFaults({ reset_after: 1 }, { limit: 2, match: 'INSERT INTO appointments|AS appointment FROM appointments x WHERE x.id' });
    const lost = await bookAs('11:00');
    expect((await faultCounters()).reset_after).toBe(2);
    expect(lost.answer.status).toBe(503);
    expect(lost.answer.retryAfter).toBe('1');
    const behind = await db.select().from(appointments).where(eq(appointments.clientId, lost.clientId));
    expect(behind.map((r) => r.status)).toEqual(['held']);
    await resetFaults();
  });

  it('webhooks twice, out of order and concurrently, refunds repeated: one payment per intent, nothing counted twice', async () => {
    const paid = answers.filter((a) => a.status === 201 && (a.body.payment as { payment_intent_id?: string } | null)?.payment_intent_id).slice(0, 6);
    expect(paid.length).toBeGreaterThan(0);
    const intents = paid.map((a) => ({ appointmentId: a.body.id as string, intentId: (a.body.payment as { payment_intent_id: string }).payment_intent_id }));
    const deliveries: Record<string, object[]> = {};
    for (const { intentId } of intents) {
      await payIntent(intentId);
      const created = await eventAbout('payment_intent.created', intentId);
      const succeeded = await eventAbout('payment_intent.succeeded', intentId);
      // Stripe has no order: a "processing" after the success, the creation last.
      const processing = { ...created, id: `evt_processing_${intentId}`, type: 'payment_intent.processing' };
      deliveries[intentId] = [succeeded, processing, created];
    }
    const statuses: number[] = [];
    await setFaults(RATES, { seed: SEED + 1 });
    // Each intent's events in the wrong order, the success twice at once, then once more.
    const outcomes = await Promise.all(
      intents.map(async ({ intentId }) => {
        const [succeeded, processing, created] = deliveries[intentId]!;
        const twice = await Promise.all([deliverUntilAcked(succeeded!, statuses), deliverUntilAcked(succeeded!, statuses)]);
        await deliverUntilAcked(processing!, statuses);
        await deliverUntilAcked(created!, statuses);
        return [...twice, await deliverUntilAcked(succeeded!, statuses)];
      }),
    );
    // Refunds of part of the first payments, each refund's event delivered three times.
    const refunded = intents.slice(0, 2);
    const refundEvents: Stripe.Event[] = [];
    for (const { intentId } of refunded) {
      await stripe().refunds.create({ payment_intent: intentId, amount: 200 });
      const pi = await stripe().paymentIntents.retrieve(intentId);
      refundEvents.push(await eventAbout('charge.refunded', pi.latest_charge as string));
    }
    await Promise.all(refundEvents.flatMap((e) => [deliverUntilAcked(e, statuses), deliverUntilAcked(e, statuses)]));
    for (const e of refundEvents) await deliverUntilAcked(e, statuses);
    figures.webhooks = { deliveries: statuses.length, unavailable: statuses.filter((s) => s === 503).length, counters: await faultCounters() };
    await resetFaults();

    // At most one delivery reports the effect: one whose answer was lost after it committed is
    // redelivered and reported a duplicate. The rows below show the effect happened once.
    for (const o of outcomes) {
      expect(o.filter((x) => x === 'confirmed').length).toBeLessThanOrEqual(1);
      for (const x of o) expect(['confirmed', 'duplicate_event']).toContain(x);
    }
    const pays = await db.select().from(payments).where(eq(payments.shopId, w.shop.id));
    const perIntent = new Map<string, number>();
    for (const p of pays) if (p.kind !== 'refund' && p.stripePaymentIntentId) perIntent.set(p.stripePaymentIntentId, (perIntent.get(p.stripePaymentIntentId) ?? 0) + 1);
    expect([...perIntent.values()].filter((n) => n > 1), 'one payment row per intent').toEqual([]);
    const refundRows = pays.filter((p) => p.kind === 'refund');
    expect(new Set(refundRows.map((r) => r.stripeRefundId)).size).toBe(refundRows.length);
    for (const { appointmentId, intentId } of intents) {
      const [a] = await db.select().from(appointments).where(eq(appointments.id, appointmentId));
      const deposit = a!.depositCents;
      const wasRefunded = refunded.some((r) => r.intentId === intentId);
      expect(a).toMatchObject({ status: 'confirmed', holdExpiresAt: null, paidCents: deposit, refundedCents: wasRefunded ? 200 : 0 });
      const rowsOfIntent = pays.filter((p) => p.stripePaymentIntentId === intentId && p.kind !== 'refund');
      expect(rowsOfIntent.map((p) => [p.status, p.amountCents])).toEqual([['succeeded', deposit]]);
      expect(refundRows.filter((r) => r.appointmentId === appointmentId).reduce((s, r) => s + r.amountCents, 0)).toBe(wasRefunded ? 200 : 0);
    }
  });

  it('notification messages delivered twice and reordered, under faults: each key sent once', async () => {
    const keys = loadConfig(env).FIELD_ENCRYPTION_KEYS;
    const appointmentIds = (await db.select({ id: appointments.id }).from(appointments).where(eq(appointments.shopId, w.shop.id))).map((r) => r.id);
    // What the objects and the webhooks enqueued for this shop's bookings, rebuilt from the rows
    // the consumer recorded: the same dedupe keys as the messages on the queue.
    const recorded = await db
      .select()
      .from(notifications)
      .where(and(inArray(sql`${notifications.payload}->>'appointment_id'`, appointmentIds)));
    expect(recorded.length).toBeGreaterThan(0);
    const bodies: unknown[] = [];
    for (const n of recorded) {
      const message: NotificationMessage = { dedupe_key: n.dedupeKey, channel: n.channel as NotificationMessage['channel'], to: n.recipient, template: n.template, data: n.payload } as NotificationMessage;
      await enqueueNotification({ send: async (body: unknown) => void bodies.push(body) } as unknown as Queue, message, keys);
    }
    const run = async (list: unknown[], tag: string) => {
      const batch = createMessageBatch('notifications', list.map((body, i) => ({ id: `${tag}-${i}`, timestamp: new Date(), attempts: 1, body })));
      const ctx = createExecutionContext();
      await worker.queue(batch, env, ctx);
      return getQueueResult(batch, ctx);
    };
    const mailed = (key: string) => testMailbox.filter((m) => m.dedupe_key === key).length;
    await setFaults(RATES, { seed: SEED + 2 });
    // Twice in one batch, reversed in another, both at once; then once more.
    const results = await Promise.allSettled([run([...bodies, ...bodies], 'dup'), run([...bodies].reverse(), 'rev')]);
    results.push(...(await Promise.allSettled([run(bodies, 'again')])));
    figures.queue = { messages: bodies.length, counters: await faultCounters() };
    await resetFaults();
    for (const n of recorded) expect(mailed(n.dedupeKey), `${n.dedupeKey} sent at most once`).toBeLessThanOrEqual(1);

    // After the faults: a claim whose answer was lost holds its lease until it lapses; let those
    // lapse (only for keys nobody sent) and deliver again. Then each key is sent exactly once.
    const unsent = recorded.map((n) => n.dedupeKey).filter((k) => mailed(k) === 0);
    if (unsent.length) {
      await db.update(notifications).set({ claimedAt: new Date(Date.now() - 3_600_000) }).where(and(inArray(notifications.dedupeKey, unsent), eq(notifications.status, 'sending')));
    }
    await run([...bodies, ...bodies], 'final');
    const final = await db.select().from(notifications).where(inArray(notifications.dedupeKey, recorded.map((n) => n.dedupeKey)));
    for (const n of final) {
      if (n.status === 'skipped') expect(mailed(n.dedupeKey)).toBe(0);
      else expect([n.dedupeKey, mailed(n.dedupeKey)]).toEqual([n.dedupeKey, 1]);
    }
  });
});
