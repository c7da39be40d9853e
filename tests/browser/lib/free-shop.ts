/**
 * A shop that takes no deposit, made through the API as an owner would: the demo seed's two shops
 * both take deposits, and a free booking (confirmed at once, no payment step) needs a shop of its
 * own. A spec file makes one and its tests share it like the seeded shops (each test still with
 * its own client): sign-ups are limited per address per hour (REGISTRATIONS_PER_HOUR, 20 by
 * default), and an owner and a barber per test would spend that limit for the whole suite.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { registerClient, type Client } from './accounts.ts';
import { api, linkFromOutbox } from './api.ts';

export interface FreeShop {
  id: string;
  slug: string;
  name: string;
  timezone: string;
  owner: Client;
  barber: { id: string; name: string; user: Client };
  service: { id: string; name: string; priceCents: number; durationMin: number };
}

let shared: Promise<FreeShop> | undefined;

/** This spec file's free shop, made on first use. */
export function freeShop(): Promise<FreeShop> {
  shared ??= createFreeShop();
  return shared;
}

/** A new New York shop, no deposit, one barber working 09:00–18:00 every day, one 30-minute service. */
export async function createFreeShop(tag = 'free'): Promise<FreeShop> {
  const suffix = randomUUID().slice(0, 8);
  const owner = await registerClient({ firstName: 'Olive', lastName: 'Owner' });
  const name = `Open Chair ${suffix}`;
  const shop = await api<{ id: string; slug: string; name: string; timezone: string }>('/api/v1/shops', {
    token: owner.accessToken,
    body: {
      name,
      slug: `${tag}-${suffix}`,
      timezone: 'America/New_York',
      currency: 'USD',
      address: { line1: '12 Bleecker Street', city: 'New York', region: 'NY', postal_code: '10012', country: 'US' },
      policy: { deposit: { kind: 'none', value: 0 }, min_notice_min: 60, cancel_window_hours: 24 },
    },
  });
  const service = await api<{ id: string; name: string }>(`/api/v1/shops/${shop.id}/services`, {
    token: owner.accessToken,
    body: { name: 'Classic cut', description: 'Scissors and clippers, washed and styled', price_cents: 3500, currency: 'USD', duration_min: 30 },
  });

  const barber = await hireBarber(owner, shop.id, service.id, { firstName: 'Bea', lastName: 'Barber' }, { start: '09:00', end: '18:00' });
  return {
    id: shop.id,
    slug: shop.slug,
    name: shop.name,
    timezone: shop.timezone,
    owner,
    barber,
    service: { id: service.id, name: service.name, priceCents: 3500, durationMin: 30 },
  };
}

/**
 * A barber for `shopId` the way a shop gets one: the owner invites a new account, which accepts
 * the e-mailed link; then the owner gives them the service and the same hours every day.
 */
export async function hireBarber(
  owner: Client,
  shopId: string,
  serviceId: string,
  person: { firstName: string; lastName: string },
  hours: { start: string; end: string },
): Promise<{ id: string; name: string; user: Client }> {
  const user = await registerClient(person);
  await api(`/api/v1/shops/${shopId}/invitations`, { token: owner.accessToken, body: { email: user.email, role: 'barber' } });
  const link = await linkFromOutbox(user.email, '/invitations');
  const token = new URLSearchParams(link.hash.slice(1)).get('token') ?? link.searchParams.get('token');
  assert.ok(token, `the invitation link has no token: ${link}`);
  const accepted = await api<{ barber: { id: string; display_name: string } }>('/api/v1/invitations/accept', {
    token: user.accessToken,
    body: { token },
  });
  const id = accepted.barber.id;
  await api(`/api/v1/barbers/${id}/services`, { method: 'PUT', token: owner.accessToken, body: { services: [{ service_id: serviceId }] } });
  await api(`/api/v1/barbers/${id}/working-hours`, {
    method: 'PUT',
    token: owner.accessToken,
    body: { rules: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, ...hours })) },
  });
  return { id, name: accepted.barber.display_name, user };
}
