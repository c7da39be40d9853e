import { describe, expect, it } from 'vitest';
import { neonRequests, problemOf, testDb } from '../../../tests/worker/harness';
import { createManagedShop, send } from '../../../tests/worker/world';
import type { CreatedTimeOffResponse } from './time-off.create';

describe('POST /api/v1/barbers/{id}/time-off', () => {
  it('blocks time and reports the appointments inside it: access 1 + write 1', async () => {
    const w = await createManagedShop(testDb());
    // The world's appointment is 2030-01-07 15:00-15:30Z.
    const res = await send('POST', `/api/v1/barbers/${w.barber.id}/time-off`, w.barberStaff.token, {
      starts_at: '2030-01-07T09:00:00-05:00',
      ends_at: '2030-01-07T13:00:00-05:00',
      reason: 'Dentist',
    });
    expect(res.status).toBe(201);
    expect(neonRequests(res)).toBe(2);
    const body = (await res.json()) as CreatedTimeOffResponse;
    expect(body.time_off).toMatchObject({ barber_id: w.barber.id, starts_at: '2030-01-07T14:00:00.000Z', ends_at: '2030-01-07T18:00:00.000Z', reason: 'Dentist' });
    expect(body.stranded_appointments.map((a) => a.id)).toEqual([w.appointment.id]);
  });

  it('reports nothing for a block that touches but does not overlap', async () => {
    const w = await createManagedShop(testDb());
    const res = await send('POST', `/api/v1/barbers/${w.barber.id}/time-off`, w.owner.token, {
      starts_at: '2030-01-07T15:30:00Z',
      ends_at: '2030-01-07T18:00:00Z',
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as CreatedTimeOffResponse).stranded_appointments).toEqual([]);
  });

  it('validates: inverted range 422 on ends_at; missing offset 422', async () => {
    const w = await createManagedShop(testDb());
    const inverted = await send('POST', `/api/v1/barbers/${w.barber.id}/time-off`, w.owner.token, {
      starts_at: '2030-01-07T18:00:00Z',
      ends_at: '2030-01-07T09:00:00Z',
    });
    expect(inverted.status).toBe(422);
    expect((await problemOf(inverted)).errors?.[0]?.path).toBe('json.ends_at');
    const naive = await send('POST', `/api/v1/barbers/${w.barber.id}/time-off`, w.owner.token, {
      starts_at: '2030-01-07 09:00',
      ends_at: '2030-01-07T18:00:00Z',
    });
    expect(naive.status).toBe(422);
    expect((await problemOf(naive)).errors?.[0]?.path).toBe('json.starts_at');
  });
});
