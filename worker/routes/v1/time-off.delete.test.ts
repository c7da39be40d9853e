import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, timeOff } from '../../db/schema';
import { neonRequests, problemOf, testDb } from '../../../tests/worker/harness';
import { createManagedShop, send } from '../../../tests/worker/world';

describe('DELETE /api/v1/barbers/{id}/time-off/{time_off_id}', () => {
  it('removes the block with an audit row: access 1 + write 1', async () => {
    const w = await createManagedShop(testDb());
    const res = await send('DELETE', `/api/v1/barbers/${w.barber.id}/time-off/${w.timeOff.id}`, w.barberStaff.token);
    expect(res.status).toBe(204);
    expect(neonRequests(res)).toBe(2);
    expect(await testDb().select().from(timeOff).where(eq(timeOff.id, w.timeOff.id))).toEqual([]);
    const trail = await testDb().select().from(auditLog).where(eq(auditLog.entityId, w.timeOff.id));
    expect(trail.map((a) => a.action)).toEqual(['time_off.deleted']);
  });

  it("answers 404 for an unknown block or another barber's, leaving no audit row", async () => {
    const w = await createManagedShop(testDb());
    const other = await createManagedShop(testDb());
    // The owner of w addresses other's block through w's barber: not this barber's → 404.
    const res = await send('DELETE', `/api/v1/barbers/${w.barber.id}/time-off/${other.timeOff.id}`, w.owner.token);
    expect(res.status).toBe(404);
    expect((await problemOf(res)).code).toBe('not_found');
    expect(await testDb().select().from(timeOff).where(eq(timeOff.id, other.timeOff.id))).toHaveLength(1);
    expect(await testDb().select().from(auditLog).where(eq(auditLog.entityId, other.timeOff.id))).toEqual([]);
    expect((await send('DELETE', `/api/v1/barbers/${w.barber.id}/time-off/nope`, w.owner.token)).status).toBe(422);
  });
});
