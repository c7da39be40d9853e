import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments } from './db/schema';
import { buildAppointment } from './db/seed/builders';
import worker from './index';
import { handleScheduled } from './scheduled';
import { createBookingWorld, existingAppointment, localInstant } from '../tests/worker/booking-world';
import { createBarberWorld } from '../tests/worker/fixtures';
import { testDb } from '../tests/worker/harness';

/** A tick on a day of its own, years past what other tests book (the reminder claim spans the database). */
const farTick = (tz: string, days: number) => localInstant(tz, 6000 + days, '09:00').getTime();

describe('cron', () => {
  it('releases expired holds through each barber’s Durable Object', async () => {
    const db = testDb();
    const world = await createBarberWorld(db);
    const ids = { shopId: world.shop.id, barberId: world.barber.id, clientId: world.client.id, serviceId: world.service.id };
    const [hold] = await db
      .insert(appointments)
      .values(buildAppointment(ids, { status: 'held', startTime: new Date(Date.now() + 86_400_000), holdExpiresAt: new Date(Date.now() - 5_000) }))
      .returning();

    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: '*/5 * * * *', scheduledTime: Date.now() }), env, ctx);
    await waitOnExecutionContext(ctx);

    const [row] = await db.select().from(appointments).where(eq(appointments.id, hold!.id));
    expect(row?.status).toBe('cancelled');
    expect(row?.cancelReason).toBe('hold_expired');
    const stub = env.BARBER_SCHEDULE.get(env.BARBER_SCHEDULE.idFromName(world.barber.id));
    expect(await stub.version()).toBeGreaterThan(0);
  });

  it('one barber’s failing object does not stop the others’ sweep or the cleanup', async () => {
    const db = testDb();
    const [a, b] = [await createBarberWorld(db), await createBarberWorld(db)];
    const holds = [];
    for (const world of [a, b]) {
      const ids = { shopId: world.shop.id, barberId: world.barber.id, clientId: world.client.id, serviceId: world.service.id };
      const [hold] = await db
        .insert(appointments)
        .values(buildAppointment(ids, { status: 'held', startTime: new Date(Date.now() + 86_400_000), holdExpiresAt: new Date(Date.now() - 5_000) }))
        .returning();
      holds.push(hold!);
    }
    const broken = a.barber.id;
    const real = env.BARBER_SCHEDULE;
    const faulty = {
      idFromName: (name: string) => real.idFromName(name),
      get: (id: DurableObjectId) =>
        id.equals(real.idFromName(broken))
          ? { releaseExpiredHolds: () => Promise.reject(new Error('object reset')) }
          : real.get(id),
    } as unknown as typeof env.BARBER_SCHEDULE;
    await handleScheduled(createScheduledController({ cron: '*/5 * * * *', scheduledTime: Date.now() }), { ...env, BARBER_SCHEDULE: faulty });
    const status = async (id: string) => (await db.select().from(appointments).where(eq(appointments.id, id)))[0]?.status;
    expect(await status(holds[0]!.id)).toBe('held');
    expect(await status(holds[1]!.id)).toBe('cancelled');
  });

  it('enqueues the reminders due at the tick’s scheduled time', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const tick = farTick(w.timezone, 0);
    const soon = await existingAppointment(db, w, { start: new Date(tick + 90 * 60_000) });
    const tomorrow = await existingAppointment(db, w, { start: new Date(tick + 20 * 3_600_000) });
    const later = await existingAppointment(db, w, { start: new Date(tick + 30 * 3_600_000) });

    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: '*/5 * * * *', scheduledTime: tick }), env, ctx);
    await waitOnExecutionContext(ctx);

    const row = async (id: string) => (await db.select().from(appointments).where(eq(appointments.id, id)))[0]!;
    expect((await row(soon.id)).reminded2hFor?.getTime()).toBe(soon.startTime.getTime());
    expect((await row(tomorrow.id)).reminded24hFor?.getTime()).toBe(tomorrow.startTime.getTime());
    expect((await row(later.id)).reminded24hFor).toBeNull();
  });

  it('a queue that refuses reminders gives their claims back and stops no other job', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const tick = farTick(w.timezone, 10);
    const due = await existingAppointment(db, w, { start: new Date(tick + 90 * 60_000) });
    const world = await createBarberWorld(db);
    const ids = { shopId: world.shop.id, barberId: world.barber.id, clientId: world.client.id, serviceId: world.service.id };
    const [hold] = await db
      .insert(appointments)
      .values(buildAppointment(ids, { status: 'held', startTime: new Date(Date.now() + 86_400_000), holdExpiresAt: new Date(Date.now() - 5_000) }))
      .returning();
    const refusing = { send: () => Promise.reject(new Error('queue unavailable')) } as unknown as Queue;

    await handleScheduled(createScheduledController({ cron: '*/5 * * * *', scheduledTime: tick }), { ...env, NOTIFICATIONS: refusing });

    const row = async (id: string) => (await db.select().from(appointments).where(eq(appointments.id, id)))[0]!;
    expect((await row(due.id)).reminded2hFor).toBeNull();
    expect((await row(hold!.id)).status).toBe('cancelled');
    // The next tick, with the queue back, sends it.
    await handleScheduled(createScheduledController({ cron: '*/5 * * * *', scheduledTime: tick + 5 * 60_000 }), env);
    expect((await row(due.id)).reminded2hFor?.getTime()).toBe(due.startTime.getTime());
  });
});
