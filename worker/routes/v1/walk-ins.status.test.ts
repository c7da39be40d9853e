import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments } from '../../db/schema';
import { signManageToken } from '../../notifications/manage-links';
import { loadConfig } from '../../env';
import { env } from 'cloudflare:test';
import { book } from '../../../tests/worker/booking-world';
import { call, postJson } from '../../../tests/worker/harness';
import { walkInWorld } from '../../../tests/worker/walk-in-world';

const tokenOf = (url: string) => url.split('/').pop()!;

describe('GET /api/v1/walk-ins/status and POST /api/v1/walk-ins/leave (the signed status link)', () => {
  it('shows the ticket by its token; leaving cancels it and frees the gap; forged or other-purpose tokens are 404', async () => {
    const { db, w, gap } = await walkInWorld();
    const joined = (await (await postJson(`/api/v1/shops/${w.shop.id}/walk-ins`, { service_id: w.short.id, first_name: 'Dana', phone: '+1 212 555 0134' })).json()) as {
      id: string;
      status_url: string;
    };
    const token = tokenOf(joined.status_url);
    const status = await call(`/api/v1/walk-ins/status?token=${encodeURIComponent(token)}`);
    expect(status.status).toBe(200);
    expect(status.headers.get('cache-control')).toBe('private, no-store');
    const t = (await status.json()) as { id: string; position: number; status: string };
    expect(t.id).toBe(joined.id);
    expect(t.position).toBe(1);

    // A manage link of the same appointment is not a status link, and a forged one is nothing.
    const view = await signManageToken(loadConfig(env).SESSION_SECRET, { appointmentId: joined.id, purpose: 'view', expiresMs: Date.now() + 3_600_000 });
    expect((await call(`/api/v1/walk-ins/status?token=${encodeURIComponent(view)}`)).status).toBe(404);
    expect((await call(`/api/v1/walk-ins/status?token=${'x'.repeat(30)}.${'y'.repeat(43)}`)).status).toBe(404);
    expect((await postJson('/api/v1/walk-ins/leave', { token: view })).status).toBe(404);

    const left = await postJson('/api/v1/walk-ins/leave', { token });
    expect(left.status).toBe(204);
    const [row] = await db.select().from(appointments).where(eq(appointments.id, joined.id));
    expect(row!.status).toBe('cancelled');
    expect(row!.feeCents).toBe(0);
    expect((await postJson('/api/v1/walk-ins/leave', { token })).status).toBe(204);
    const after = (await (await call(`/api/v1/walk-ins/status?token=${encodeURIComponent(token)}`)).json()) as { status: string; position: number };
    expect(after.status).toBe('left');
    expect(after.position).toBe(0);
    const rebooked = await book(w.client.token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: gap.toISOString() });
    expect(rebooked.status).toBe(201);
  });
});
