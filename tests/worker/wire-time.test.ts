/**
 * ADR 7: every instant on the wire is UTC with milliseconds and `Z`. Walks real responses of the
 * endpoints that carry instants and checks every one — by field name (`*_at`, `*_time`) and by
 * shape (any string that starts like a date-time), so a new field cannot slip through either way.
 */
import { describe, expect, it } from 'vitest';
import { appointments } from '../../worker/db/schema';
import { buildAppointment, buildUser, uniq } from '../../worker/db/seed/builders';
import { WIRE_INSTANT } from '../../worker/routes/v1/wire.schemas';
import { tokenFor } from './auth';
import { testDb } from './harness';
import { createManagedShop, send } from './world';

const looksLikeDateTime = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;

/** Every instant-like value in a JSON document, with its path. */
function instants(value: unknown, path = '$'): { path: string; value: unknown }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => instants(v, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => {
      const here = `${path}.${k}`;
      if (/(_at|_time)$/.test(k) && v !== null) return [{ path: here, value: v }];
      return instants(v, here);
    });
  }
  return typeof value === 'string' && looksLikeDateTime.test(value) ? [{ path, value }] : [];
}

describe('instants on the wire', () => {
  it('are UTC with milliseconds and Z in every response that carries them', async () => {
    const db = testDb();
    const w = await createManagedShop(db);
    const ids = { shopId: w.shop.id, barberId: w.barber.id, clientId: w.client.id, serviceId: w.service.id };
    // A cancellation written by the database clock (microseconds) and a hold with an expiry.
    await db.insert(appointments).values([
      buildAppointment(ids, { startTime: new Date('2030-02-01T10:00:00Z'), status: 'cancelled', cancelledAt: new Date(), cancelReason: 'ill' }),
      buildAppointment(ids, { startTime: new Date('2030-02-02T10:00:00Z'), status: 'held' }),
    ]);
    const owner = w.owner.token;
    const client = await tokenFor(w.client.id);
    const json = async (res: Response) => {
      expect(res.status, `${res.url} → ${res.status}`).toBeLessThan(300);
      return res.json();
    };
    await json(await send('POST', `/api/v1/clients/${w.client.id}/notes`, owner, { shop_id: w.shop.id, body: 'Likes it short' }));

    const responses: Record<string, unknown> = {
      'appointments (client)': await json(await send('GET', '/api/v1/appointments', client)),
      'appointments (shop)': await json(await send('GET', `/api/v1/appointments?shop_id=${w.shop.id}`, owner)),
      'appointment': await json(await send('GET', `/api/v1/appointments/${w.appointment.id}`, owner)),
      'time off list': await json(await send('GET', `/api/v1/barbers/${w.barber.id}/time-off?from=2029-01-01T00:00:00-05:00`, owner)),
      'time off create': await json(
        await send('POST', `/api/v1/barbers/${w.barber.id}/time-off`, owner, { starts_at: '2030-01-07T09:00:00-05:00', ends_at: '2030-01-07T12:00:00-05:00' }),
      ),
      'working hours': await json(await send('PUT', `/api/v1/barbers/${w.barber.id}/working-hours`, owner, { rules: [] })),
      'client record': await json(await send('GET', `/api/v1/clients/${w.client.id}?shop_id=${w.shop.id}`, owner)),
      'shop create': await json(
        await send('POST', '/api/v1/shops', owner, { name: 'Wire Cuts', slug: `wire-${uniq()}`, timezone: 'Asia/Kolkata', currency: 'INR' }),
      ),
      'shop update': await json(await send('PATCH', `/api/v1/shops/${w.shop.id}`, owner, { name: 'Renamed' })),
      'service create': await json(
        await send('POST', `/api/v1/shops/${w.shop.id}/services`, owner, { name: `Trim ${uniq()}`, price_cents: 2000, currency: 'USD', duration_min: 20 }),
      ),
      'auth me': await json(await send('GET', '/api/v1/auth/me', client)),
      'auth register': await json(
        await send('POST', '/api/v1/auth/register', null, { email: buildUser().email, password: 'maple tram 42 violin', first_name: 'Wire', last_name: 'Format' }),
      ),
    };

    const minimum: Record<string, number> = {
      'appointments (client)': 3 * 3 + 2, // start, end, created per row; one cancelled_at, one hold_expires_at
      'appointments (shop)': 3 * 3 + 2,
      'appointment': 3,
      'time off list': 2,
      'time off create': 3 + 2, // the block, and the appointment it strands
      'working hours': 2,
      'client record': 3 * 2 + 1, // visits, and the note
      'shop create': 2,
      'shop update': 2,
      'service create': 2,
      'auth me': 1,
      'auth register': 1,
    };
    for (const [name, body] of Object.entries(responses)) {
      const found = instants(body);
      expect(found.length, `${name}: instants found`).toBeGreaterThanOrEqual(minimum[name]!);
      for (const { path, value } of found) expect(value, `${name} ${path}`).toMatch(WIRE_INSTANT);
    }
  });
});

describe('WIRE_INSTANT', () => {
  it('accepts exactly the one form', () => {
    expect(new Date('2030-01-07T09:00:00-05:00').toISOString()).toMatch(WIRE_INSTANT);
    for (const other of ['2030-01-07T14:00:00Z', '2030-01-07T14:00:00+00:00', '2030-01-07T14:00:00.000+00:00', '2030-01-07 14:00:00.000Z']) {
      expect(other).not.toMatch(WIRE_INSTANT);
    }
  });
});
