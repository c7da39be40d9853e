import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { appointments, workingHours } from '../../db/schema';
import { buildAppointment } from '../../db/seed/builders';
import { neonRequests, problemOf, testDb } from '../../../tests/worker/harness';
import { createManagedShop, send, type ManagedShop } from '../../../tests/worker/world';
import type { WorkingHoursResponse } from './working-hours.replace';

describe('PUT /api/v1/barbers/{id}/working-hours', () => {
  let w: ManagedShop;
  beforeAll(async () => {
    w = await createManagedShop(testDb());
  });
  const put = (body: unknown, token = w.barberStaff.token) => send('PUT', `/api/v1/barbers/${w.barber.id}/working-hours`, token, body);
  const lunchBreak = [
    { weekday: 1, start: '13:30', end: '18:00' },
    { weekday: 1, start: '09:00', end: '12:30' },
  ];

  it('replaces the rules (with a lunch break) and reports stranded appointments in shop time', async () => {
    // The world's appointment: Monday 2030-01-07 15:00Z = 10:00 New York → inside. Add one at
    // 17:15Z = 12:15 New York → inside the lunch break.
    const [lunch] = await testDb()
      .insert(appointments)
      .values(
        buildAppointment(
          { shopId: w.shop.id, barberId: w.barber.id, clientId: w.client.id, serviceId: w.service.id },
          { startTime: new Date('2030-01-07T17:15:00Z') },
        ),
      )
      .returning();
    const res = await put({ rules: lunchBreak });
    expect(res.status).toBe(200);
    expect(neonRequests(res)).toBe(2);
    const body = (await res.json()) as WorkingHoursResponse;
    expect(body.timezone).toBe('America/New_York');
    expect(body.rules).toEqual([
      { weekday: 1, start: '09:00', end: '12:30' },
      { weekday: 1, start: '13:30', end: '18:00' },
    ]);
    expect(body.stranded_appointments.map((a) => a.id)).toEqual([lunch!.id]);
    // Reported, not cancelled.
    const [still] = await testDb().select().from(appointments).where(eq(appointments.id, lunch!.id));
    expect(still!.status).toBe('confirmed');
    const rows = await testDb().select().from(workingHours).where(eq(workingHours.barberId, w.barber.id));
    expect(rows).toHaveLength(2);
  });

  it('names overlapping and inverted rows in errors[].path with 422, and keeps the old rules', async () => {
    const res = await put({
      rules: [
        { weekday: 2, start: '09:00', end: '13:00' },
        { weekday: 2, start: '14:00', end: '18:00' },
        { weekday: 3, start: '18:00', end: '09:00' },
        { weekday: 2, start: '12:00', end: '15:00' },
      ],
    });
    expect(res.status).toBe(422);
    const problem = await problemOf(res);
    expect(problem.code).toBe('unprocessable');
    expect(problem.errors?.map((e) => e.path)).toEqual(['json.rules.2', 'json.rules.3']);
    const rows = await testDb().select().from(workingHours).where(eq(workingHours.barberId, w.barber.id));
    expect(rows).toHaveLength(2);
  });

  it('rejects malformed times and weekdays with 422', async () => {
    const res = await put({ rules: [{ weekday: 7, start: '9:00', end: '25:00' }] });
    expect(res.status).toBe(422);
    expect((await problemOf(res)).errors?.map((e) => e.path).sort()).toEqual(['json.rules.0.end', 'json.rules.0.start', 'json.rules.0.weekday']);
  });

  it('lets the owner set them too, and refuses a colleague', async () => {
    expect((await put({ rules: lunchBreak }, w.owner.token)).status).toBe(200);
    const other = await createManagedShop(testDb());
    expect((await put({ rules: lunchBreak }, other.barberStaff.token)).status).toBe(403);
  });
});
