import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments, barbers } from '../db/schema';
import { buildAppointment } from '../db/seed/builders';
import { createBookingWorld, localInstant, newClient } from '../../tests/worker/booking-world';
import { testDb } from '../../tests/worker/harness';
import type { BarberSchedule, BookInput } from './barber-schedule';

function stubFor(barberId: string) {
  return env.BARBER_SCHEDULE.get(env.BARBER_SCHEDULE.idFromName(barberId));
}

function bookInput(clientId: string, serviceId: string, start: Date): BookInput {
  return { clientId, serviceId, startMs: start.getTime(), notes: null, source: 'online', actorId: clientId, enforceClientLimit: false };
}

describe('BarberSchedule Durable Object', () => {
  it('refuses to act for a barber whose name it does not carry', async () => {
    const stub = stubFor(crypto.randomUUID());
    const result = await stub.book(crypto.randomUUID(), bookInput(crypto.randomUUID(), crypto.randomUUID(), new Date()));
    expect(result.ok).toBe(false);
    // Nothing was loaded or written for the wrong name.
    expect(await stub.version()).toBeNull();
  });

  it('keeps its internals private: only the RPC surface is reachable', async () => {
    const w = await createBookingWorld(testDb());
    const stub = stubFor(w.barber.barber.id);
    await runInDurableObject(stub, (instance: BarberSchedule) => {
      const visible = Object.getOwnPropertyNames(Object.getPrototypeOf(instance));
      expect(visible).not.toContain('exclusive');
      expect(visible).not.toContain('lock');
      expect((instance as unknown as Record<string, unknown>).lock).toBeUndefined();
    });
  });

  it('answers "not found" for a barber that does not exist', async () => {
    const id = crypto.randomUUID();
    const result = await stubFor(id).book(id, bookInput(crypto.randomUUID(), crypto.randomUUID(), new Date()));
    expect(result).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('notices an availability change made around it (schedule_version moved) and checks against the fresh rules', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const stub = stubFor(w.barber.barber.id);
    const first = await stub.book(w.barber.barber.id, bookInput(w.client.user.id, w.short.id, localInstant(w.timezone, 2, '10:00')));
    expect(first.ok).toBe(true);
    // Management moves the version (trigger): the barber's hours shrink to the afternoon.
    const { workingHours } = await import('../db/schema');
    await db.delete(workingHours).where(eq(workingHours.barberId, w.barber.barber.id));
    await db.insert(workingHours).values([0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ barberId: w.barber.barber.id, weekday, startMinute: 13 * 60, endMinute: 17 * 60 })));
    const other = await newClient(db);
    const morning = await stub.book(w.barber.barber.id, bookInput(other.user.id, w.short.id, localInstant(w.timezone, 2, '11:00')));
    expect(morning).toMatchObject({ ok: false, error: { code: 'slot_unavailable', reason: 'outside_hours' } });
    const afternoon = await stub.book(w.barber.barber.id, bookInput(other.user.id, w.short.id, localInstant(w.timezone, 2, '14:00')));
    expect(afternoon.ok).toBe(true);
    // The stale write and its retry were one round trip each, and the retry carried the fresh snapshot.
    expect(afternoon.neon).toBe(1);
    const [row] = await db.select({ v: barbers.scheduleVersion }).from(barbers).where(eq(barbers.id, w.barber.barber.id));
    expect(await stub.version()).toBe(row!.v);
  });

  it('releases an unpaid hold from its alarm: the slot is bookable again at once', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { policy: { deposit: { kind: 'fixed', value: 1000 }, hold_minutes: 5 } });
    const stub = stubFor(w.barber.barber.id);
    const start = localInstant(w.timezone, 3, '10:00');
    const held = await stub.book(w.barber.barber.id, bookInput(w.client.user.id, w.short.id, start));
    expect(held.ok && held.appointment.status).toBe('held');
    const alarmAt = await runInDurableObject(stub, (_i, state) => state.storage.getAlarm());
    expect(alarmAt).toBe(held.ok ? held.appointment.hold_expires_ms : -1);
    // Let the hold lapse (as if 5 minutes passed), then fire the alarm.
    if (!held.ok) throw new Error('not held');
    await db.update(appointments).set({ holdExpiresAt: new Date(Date.now() - 1000) }).where(eq(appointments.id, held.appointment.id));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const [row] = await db.select().from(appointments).where(eq(appointments.id, held.appointment.id));
    expect(row).toMatchObject({ status: 'cancelled', cancelReason: 'hold_expired' });
    const other = await newClient(db);
    const again = await stub.book(w.barber.barber.id, bookInput(other.user.id, w.short.id, start));
    expect(again.ok).toBe(true);
  });

  it('a lapsed hold no longer blocks a booking even before any alarm or cron ran', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const start = localInstant(w.timezone, 4, '10:00');
    const ids = { shopId: w.shop.id, barberId: w.barber.barber.id, clientId: w.client.user.id, serviceId: w.short.id };
    const [hold] = await db.insert(appointments).values(buildAppointment(ids, { status: 'held', startTime: start, holdExpiresAt: new Date(Date.now() - 1000) })).returning();
    const other = await newClient(db);
    const result = await stubFor(w.barber.barber.id).book(w.barber.barber.id, bookInput(other.user.id, w.short.id, start));
    expect(result.ok).toBe(true);
    const [old] = await db.select().from(appointments).where(eq(appointments.id, hold!.id));
    expect(old?.status).toBe('cancelled');
  });
});
