import { describe, expect, it } from 'vitest';
import { bearer } from '../../../tests/worker/auth';
import { call, neonRequests, postJson } from '../../../tests/worker/harness';
import { walkInWorld } from '../../../tests/worker/walk-in-world';

describe('GET /api/v1/shops/{id}/walk-ins (the staff queue)', () => {
  it('barber and owner see the queue in one statement; a client 403; another shop’s staff 404 with nothing shown; signed out 401', async () => {
    const { w, gap } = await walkInWorld();
    const other = await walkInWorld();
    const joined = await postJson(`/api/v1/shops/${w.shop.id}/walk-ins`, { service_id: w.short.id, first_name: 'Dana', phone: '+1 212 555 0134' });
    expect(joined.status).toBe(201);

    for (const token of [w.barber.token, w.owner.token]) {
      const res = await call(`/api/v1/shops/${w.shop.id}/walk-ins`, { headers: bearer(token) });
      expect(res.status).toBe(200);
      expect(neonRequests(res)).toBe(1);
      const q = (await res.json()) as {
        shop: { id: string; timezone: string };
        entries: { client_name: string; start_time: string; position: number; status: string }[];
        barbers: { id: string; next_free: string | null; booked_minutes: number }[];
      };
      expect(q.shop.timezone).toBe(w.timezone);
      expect(q.entries).toHaveLength(1);
      expect(q.entries[0]!.client_name).toBe('Dana');
      expect(new Date(q.entries[0]!.start_time).getTime()).toBe(gap.getTime());
      expect(q.entries[0]!.position).toBe(1);
      expect(q.barbers[0]!.id).toBe(w.barber.barber.id);
      expect(q.barbers[0]!.booked_minutes).toBeGreaterThanOrEqual(90);
    }
    // A client of the shop (they have a booking there): 403.
    const client = await call(`/api/v1/shops/${w.shop.id}/walk-ins`, { headers: bearer(w.client.token) });
    expect(client.status).toBe(403);
    // Staff of another shop: 404, and nothing of this shop in the body.
    for (const token of [other.w.barber.token, other.w.owner.token]) {
      const res = await call(`/api/v1/shops/${w.shop.id}/walk-ins`, { headers: bearer(token) });
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('Dana');
    }
    // Their own queue has none of this shop's walk-ins.
    const theirs = (await (await call(`/api/v1/shops/${other.w.shop.id}/walk-ins`, { headers: bearer(other.w.owner.token) })).json()) as { entries: unknown[] };
    expect(theirs.entries).toHaveLength(0);
    expect((await call(`/api/v1/shops/${w.shop.id}/walk-ins`)).status).toBe(401);
  });
});
