/**
 * One tenant-isolation case per protected, shop-scoped route; each route's test file runs its own
 * cases through describeTenantIsolation, and tenant-isolation.test.ts checks none is missing.
 * Every case targets the VICTIM shop's resources with a body that would succeed for its owner.
 */
import type { TenantCase } from './security';

const hours = { rules: [{ weekday: 2, start: '10:00', end: '11:00' }] };

export const tenantCases: readonly TenantCase[] = [
  { route: 'PATCH /api/v1/shops/{id}', path: (w) => `/api/v1/shops/${w.victim.shop.id}`, body: () => ({ name: 'Hijacked' }) },
  {
    route: 'POST /api/v1/shops/{id}/invitations',
    path: (w) => `/api/v1/shops/${w.victim.shop.id}/invitations`,
    body: () => ({ email: 'mole@example.test', role: 'barber' }),
  },
  // The invitee's e-mail is not the attacker's: refusing it is what stops a leaked link being used.
  { route: 'POST /api/v1/invitations/accept', path: () => '/api/v1/invitations/accept', body: (w) => ({ token: w.victim.invitationToken }) },
  { route: 'POST /api/v1/barbers/{id}/deactivate', path: (w) => `/api/v1/barbers/${w.victim.barber.id}/deactivate` },
  {
    route: 'POST /api/v1/shops/{id}/services',
    path: (w) => `/api/v1/shops/${w.victim.shop.id}/services`,
    body: () => ({ name: 'Mole cut', price_cents: 100, currency: 'USD', duration_min: 30 }),
  },
  { route: 'PATCH /api/v1/services/{id}', path: (w) => `/api/v1/services/${w.victim.service.id}`, body: () => ({ price_cents: 1 }) },
  {
    route: 'PUT /api/v1/barbers/{id}/services',
    path: (w) => `/api/v1/barbers/${w.victim.barber.id}/services`,
    body: (w) => ({ services: [{ service_id: w.victim.service.id, price_cents: 0 }] }),
  },
  { route: 'PUT /api/v1/barbers/{id}/working-hours', path: (w) => `/api/v1/barbers/${w.victim.barber.id}/working-hours`, body: () => hours },
  {
    route: 'POST /api/v1/barbers/{id}/time-off',
    path: (w) => `/api/v1/barbers/${w.victim.barber.id}/time-off`,
    body: () => ({ starts_at: '2031-01-01T09:00:00Z', ends_at: '2031-01-01T17:00:00Z' }),
  },
  { route: 'GET /api/v1/barbers/{id}/time-off', path: (w) => `/api/v1/barbers/${w.victim.barber.id}/time-off` },
  {
    route: 'DELETE /api/v1/barbers/{id}/time-off/{time_off_id}',
    path: (w) => `/api/v1/barbers/${w.victim.barber.id}/time-off/${w.victim.timeOff.id}`,
  },
  { route: 'GET /api/v1/clients', path: (w) => `/api/v1/clients?shop_id=${w.victim.shop.id}&q=clara` },
  { route: 'GET /api/v1/clients/{id}', path: (w) => `/api/v1/clients/${w.victim.client.id}?shop_id=${w.victim.shop.id}` },
  {
    route: 'POST /api/v1/clients/{id}/notes',
    path: (w) => `/api/v1/clients/${w.victim.client.id}/notes`,
    body: (w) => ({ shop_id: w.victim.shop.id, body: 'planted' }),
  },
  { route: 'GET /api/v1/appointments', path: (w) => `/api/v1/appointments?shop_id=${w.victim.shop.id}` },
  { route: 'GET /api/v1/appointments/{id}', path: (w) => `/api/v1/appointments/${w.victim.appointment.id}` },
];

export function casesFor(route: string): TenantCase[] {
  const found = tenantCases.filter((c) => c.route === route);
  if (found.length === 0) throw new Error(`no tenant case for ${route}`);
  return found;
}
