import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments } from './db/schema';
import { buildAppointment } from './db/seed/builders';
import worker from './index';
import { createBarberWorld } from '../tests/worker/fixtures';
import { testDb } from '../tests/worker/harness';

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
});
