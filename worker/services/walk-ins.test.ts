import { createScheduledController, env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments, devOutbox } from '../db/schema';
import { handleScheduled } from '../scheduled';
import { bearer } from '../../tests/worker/auth';
import { eventually, postJson, testDb } from '../../tests/worker/harness';
import { walkInWorld } from '../../tests/worker/walk-in-world';

const byKey = (key: string) => testDb().select().from(devOutbox).where(eq(devOutbox.dedupeKey, key));

describe('walk-in texts', () => {
  it('a join text with the status link; "you’re next" once when the chair frees (finished early moves the walk-in earlier), even when the cron fires too', async () => {
    const { db, w, gap } = await walkInWorld();
    const res = await postJson(`/api/v1/shops/${w.shop.id}/walk-ins`, { service_id: w.short.id, first_name: 'Dana', phone: '+1 212 555 0134' });
    expect(res.status).toBe(201);
    const ticket = (await res.json()) as { id: string; status_url: string };

    const joined = await eventually(async () => (await byKey(`walk_in:${ticket.id}:joined`))[0]);
    expect(joined.channel).toBe('sms');
    expect(joined.text).toContain(ticket.status_url);
    expect(joined.text).toContain(`(${w.timezone})`);
    // No second "confirmed" text for the same join.
    expect(await byKey(`appointment:${ticket.id}:confirmed:sms`)).toHaveLength(0);

    // The appointment before it (already started) is completed early: the walk-in moves up and is next.
    const [before] = (await db.select().from(appointments).where(eq(appointments.barberId, w.barber.barber.id))).filter(
      (a) => a.source !== 'walk_in' && a.startTime.getTime() < gap.getTime(),
    );
    const done = await postJson(`/api/v1/appointments/${before!.id}/complete`, {}, bearer(w.barber.token));
    expect(done.status).toBe(200);
    const [moved] = await db.select().from(appointments).where(eq(appointments.id, ticket.id));
    expect(moved!.startTime.getTime()).toBeLessThan(gap.getTime());
    expect(moved!.startTime.getTime()).toBeGreaterThanOrEqual(Date.now() - 60_000);

    const next = await eventually(async () => (await byKey(`walk_in:${ticket.id}:next`))[0]);
    expect(next.text).toContain('you’re next');
    expect(next.text).toContain(`(${w.timezone})`);

    // The cron's safety net fires as well: still exactly one text.
    await handleScheduled(createScheduledController({ cron: '*/5 * * * *', scheduledTime: Date.now() }), env);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await byKey(`walk_in:${ticket.id}:next`)).toHaveLength(1);
  });
});
