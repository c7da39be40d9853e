import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments } from '../db/schema';
import { buildAppointment } from '../db/seed/builders';
import { createBarberWorld } from '../../tests/worker/fixtures';
import { testDb } from '../../tests/worker/harness';
import { BarberSchedule } from './barber-schedule';

function stubFor(barberId: string) {
  return env.BARBER_SCHEDULE.get(env.BARBER_SCHEDULE.idFromName(barberId));
}

describe('BarberSchedule Durable Object', () => {
  it('serialises exclusive sections even while they await I/O', async () => {
    const stub = stubFor(crypto.randomUUID());
    const events = await runInDurableObject(stub, async (instance: BarberSchedule) => {
      const log: string[] = [];
      const exclusive = (instance as unknown as { exclusive<T>(w: () => Promise<T>): Promise<T> }).exclusive.bind(instance);
      const section = (name: string) =>
        exclusive(async () => {
          log.push(`${name}:read`);
          // A real fetch (like every Neon query) opens the input gate: exactly where interleaving
          // would happen without the lock.
          await fetch(env.UPSTASH_REDIS_REST_URL).then((r) => r.body?.cancel());
          log.push(`${name}:write`);
        });
      await Promise.all([section('a'), section('b'), section('c')]);
      return log;
    });
    expect(events).toEqual(['a:read', 'a:write', 'b:read', 'b:write', 'c:read', 'c:write']);
    expect(await stub.version()).toBe(3);
  });

  it('keeps separate state per barber', async () => {
    const a = stubFor(crypto.randomUUID());
    const b = stubFor(crypto.randomUUID());
    await a.releaseExpiredHolds(crypto.randomUUID());
    expect(await a.version()).toBe(1);
    expect(await b.version()).toBe(0);
  });

  it('releases expired holds from its alarm and leaves live ones alone', async () => {
    const db = testDb();
    const world = await createBarberWorld(db);
    const ids = { shopId: world.shop.id, barberId: world.barber.id, clientId: world.client.id, serviceId: world.service.id };
    const soon = Date.now() + 86_400_000;
    const [expired, live, confirmed] = await db
      .insert(appointments)
      .values([
        buildAppointment(ids, { status: 'held', startTime: new Date(soon), holdExpiresAt: new Date(Date.now() - 1000) }),
        buildAppointment(ids, { status: 'held', startTime: new Date(soon + 3_600_000), holdExpiresAt: new Date(Date.now() + 600_000) }),
        buildAppointment(ids, { status: 'confirmed', startTime: new Date(soon + 7_200_000) }),
      ])
      .returning();

    const stub = stubFor(world.barber.id);
    await stub.scheduleHoldSweep(world.barber.id, Date.now() + 60_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    // The alarm is re-armed for the live hold's expiry, so it is released on time too.
    const nextAlarm = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
    expect(nextAlarm).toBe(live!.holdExpiresAt!.getTime());

    const statusOf = async (id: string) =>
      (await db.select({ status: appointments.status, reason: appointments.cancelReason }).from(appointments).where(eq(appointments.id, id)))[0];
    expect(await statusOf(expired!.id)).toEqual({ status: 'cancelled', reason: 'hold_expired' });
    expect((await statusOf(live!.id))?.status).toBe('held');
    expect((await statusOf(confirmed!.id))?.status).toBe('confirmed');
  });
});
