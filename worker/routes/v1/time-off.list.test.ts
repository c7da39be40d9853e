import { describe, expect, it } from 'vitest';
import { timeOff } from '../../db/schema';
import { buildTimeOff } from '../../db/seed/builders';
import { neonRequests, problemOf, testDb } from '../../../tests/worker/harness';
import { createManagedShop, send } from '../../../tests/worker/world';
import type { TimeOffListResponse } from './time-off.list';

describe('GET /api/v1/barbers/{id}/time-off', () => {
  it('lists current and upcoming blocks by start, paged by cursor, in 2 Neon requests', async () => {
    const w = await createManagedShop(testDb());
    await testDb()
      .insert(timeOff)
      .values([
        buildTimeOff({ barberId: w.barber.id }, { startsAt: new Date('2020-01-01T09:00:00Z') }),
        buildTimeOff({ barberId: w.barber.id }, { startsAt: new Date('2030-03-01T09:00:00Z') }),
        buildTimeOff({ barberId: w.barber.id }, { startsAt: new Date('2030-02-01T09:00:00Z') }),
      ]);
    const url = `/api/v1/barbers/${w.barber.id}/time-off?limit=2`;
    const first = await send('GET', url, w.barberStaff.token);
    expect(first.status).toBe(200);
    expect(neonRequests(first)).toBe(2);
    const page1 = (await first.json()) as TimeOffListResponse;
    expect(page1.data.map((t) => t.starts_at)).toEqual(['2030-01-01T09:00:00.000Z', '2030-02-01T09:00:00.000Z']);
    expect(page1.next_cursor).toBeTruthy();
    const second = await send('GET', `${url}&cursor=${page1.next_cursor}`, w.owner.token);
    const page2 = (await second.json()) as TimeOffListResponse;
    expect(page2.data.map((t) => t.starts_at)).toEqual(['2030-03-01T09:00:00.000Z']);
    expect(page2.next_cursor).toBeNull();
  });

  it('rejects a forged cursor and a bad limit with 422', async () => {
    const w = await createManagedShop(testDb());
    const forged = await send('GET', `/api/v1/barbers/${w.barber.id}/time-off?cursor=abc`, w.owner.token);
    expect(forged.status).toBe(422);
    expect((await problemOf(forged)).errors?.[0]?.path).toBe('query.cursor');
    expect((await send('GET', `/api/v1/barbers/${w.barber.id}/time-off?limit=0`, w.owner.token)).status).toBe(422);
  });
});
