/**
 * One tenant-isolation case per protected, shop-scoped route, run by tenant-isolation.test.ts,
 * which also checks against the registered routes that none is missing. Every case targets the
 * VICTIM shop's resources with a request that succeeds for its rightful caller (checked too).
 */
import { appointments, payments, waitlistEntries } from '../../worker/db/schema';
import { buildAppointment, buildPayment } from '../../worker/db/seed/builders';
import { addDays, localDate, zonedTimeToUtc, type PlainDate } from '../../worker/domain/time';
import { tokenFor } from './auth';
import { testDb } from './harness';
import { connectBarber } from './google';
import type { TenantCase } from './security';
import { connectShop, stripe } from './stripe';
import type { ManagedShop } from './world';

const hours = { rules: [{ weekday: 2, start: '10:00', end: '11:00' }] };

/**
 * A bookable instant in the standard world: a Monday (the barber's working day, 09:00–17:00
 * shop time) two to eight days ahead — past the minimum notice, inside the booking window.
 */
function nextMondayAt(w: { victim: ManagedShop }, minuteOfDay: number): string {
  const zone = w.victim.shop.timezone;
  let day: PlainDate = addDays(localDate(new Date(), zone), 2);
  while (new Date(Date.UTC(day.year, day.month - 1, day.day)).getUTCDay() !== 1) day = addDays(day, 1);
  return zonedTimeToUtc(day, minuteOfDay, zone).toISOString();
}

/** Another appointment of the victim's client, in `status`, starting at `start`. */
async function appointmentOf(victim: ManagedShop, status: 'held' | 'confirmed', start: Date): Promise<Record<string, string>> {
  const ids = { shopId: victim.shop.id, barberId: victim.barber.id, clientId: victim.client.id, serviceId: victim.service.id };
  const [row] = await testDb().insert(appointments).values(buildAppointment(ids, { startTime: start, status })).returning();
  return { appointmentId: row!.id };
}

/**
 * A charge that succeeded in the victim's shop, as a paid deposit leaves it: the shop connected
 * to a finished stand-in account and a real destination charge there, so refunding it works.
 */
async function succeededCharge(victim: ManagedShop): Promise<Record<string, string>> {
  const db = testDb();
  const accountId = await connectShop(db, victim.shop.id);
  const amount = 1000;
  const intent = await stripe().paymentIntents.create({
    amount,
    currency: victim.shop.currency.toLowerCase(),
    allowed_payment_method_types: ['card'],
    payment_method: 'pm_card_visa',
    confirm: true,
    transfer_data: { destination: accountId },
    metadata: { appointment_id: victim.appointment.id, purpose: 'seeded' },
  });
  const [row] = await db
    .insert(payments)
    .values(
      buildPayment(
        { appointmentId: victim.appointment.id },
        {
          amountCents: amount,
          currency: victim.shop.currency,
          shopId: victim.shop.id,
          stripePaymentIntentId: intent.id,
          stripeChargeId: typeof intent.latest_charge === 'string' ? intent.latest_charge : null,
          stripeAccountId: accountId,
          status: 'succeeded',
          kind: 'deposit',
        },
      ),
    )
    .returning();
  return { paymentId: row!.id };
}

export const tenantCases: readonly TenantCase[] = [
  // Shop profile and staff
  { route: 'PATCH /api/v1/shops/{id}', path: (w) => `/api/v1/shops/${w.victim.shop.id}`, body: () => ({ name: 'Hijacked' }) },
  {
    route: 'POST /api/v1/shops/{id}/invitations',
    path: (w) => `/api/v1/shops/${w.victim.shop.id}/invitations`,
    body: () => ({ email: 'mole@example.test', role: 'barber' }),
  },
  // The invitee's e-mail is not the attacker's: refusing it is what stops a leaked link being used.
  {
    route: 'POST /api/v1/invitations/accept',
    path: () => '/api/v1/invitations/accept',
    body: (w) => ({ token: w.victim.invitationToken }),
    rightful: (w) => w.victim.invitee.token,
  },
  { route: 'POST /api/v1/barbers/{id}/deactivate', path: (w) => `/api/v1/barbers/${w.victim.barber.id}/deactivate` },
  { route: 'GET /api/v1/shops/{id}/barbers', path: (w) => `/api/v1/shops/${w.victim.shop.id}/barbers` },
  // The live walk-in queue names the shop's waiting clients: staff of that shop only.
  { route: 'GET /api/v1/shops/{id}/walk-ins', path: (w) => `/api/v1/shops/${w.victim.shop.id}/walk-ins` },
  // Payments: the shop's Stripe account, its money, refunds
  { route: 'POST /api/v1/shops/{id}/stripe/onboarding', path: (w) => `/api/v1/shops/${w.victim.shop.id}/stripe/onboarding` },
  { route: 'GET /api/v1/shops/{id}/stripe', path: (w) => `/api/v1/shops/${w.victim.shop.id}/stripe` },
  { route: 'GET /api/v1/shops/{id}/payments', path: (w) => `/api/v1/shops/${w.victim.shop.id}/payments` },
  // Notifications: what failed to reach the shop's clients
  { route: 'GET /api/v1/shops/{id}/notifications', path: (w) => `/api/v1/shops/${w.victim.shop.id}/notifications?status=failed` },
  {
    route: 'POST /api/v1/payments/{id}/refund',
    path: (w) => `/api/v1/payments/${w.extra.paymentId}/refund`,
    body: () => ({ amount_cents: 400 }),
    prepare: succeededCharge,
  },
  // Catalogue
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
  // Schedule
  { route: 'PUT /api/v1/barbers/{id}/working-hours', path: (w) => `/api/v1/barbers/${w.victim.barber.id}/working-hours`, body: () => hours },
  {
    route: 'POST /api/v1/barbers/{id}/time-off',
    path: (w) => `/api/v1/barbers/${w.victim.barber.id}/time-off`,
    body: () => ({ starts_at: '2031-01-01T09:00:00Z', ends_at: '2031-01-01T17:00:00Z' }),
  },
  { route: 'GET /api/v1/barbers/{id}/time-off', path: (w) => `/api/v1/barbers/${w.victim.barber.id}/time-off` },
  { route: 'GET /api/v1/barbers/{id}/day-sheet', path: (w) => `/api/v1/barbers/${w.victim.barber.id}/day-sheet` },
  {
    route: 'DELETE /api/v1/barbers/{id}/time-off/{time_off_id}',
    path: (w) => `/api/v1/barbers/${w.victim.barber.id}/time-off/${w.victim.timeOff.id}`,
  },
  // Client records
  { route: 'GET /api/v1/clients', path: (w) => `/api/v1/clients?shop_id=${w.victim.shop.id}&q=clara` },
  { route: 'GET /api/v1/clients/{id}', path: (w) => `/api/v1/clients/${w.victim.client.id}?shop_id=${w.victim.shop.id}` },
  {
    route: 'POST /api/v1/clients/{id}/notes',
    path: (w) => `/api/v1/clients/${w.victim.client.id}/notes`,
    body: (w) => ({ shop_id: w.victim.shop.id, body: 'planted' }),
  },
  // Appointments
  { route: 'GET /api/v1/appointments', path: (w) => `/api/v1/appointments?shop_id=${w.victim.shop.id}` },
  { route: 'GET /api/v1/appointments/{id}', path: (w) => `/api/v1/appointments/${w.victim.appointment.id}` },
  // Staff booking for one of the shop's clients.
  {
    route: 'POST /api/v1/appointments',
    path: () => '/api/v1/appointments',
    body: (w) => ({
      barber_id: w.victim.barber.id,
      shop_id: w.victim.shop.id,
      service_id: w.victim.service.id,
      client_id: w.victim.client.id,
      start_time: nextMondayAt(w, 10 * 60),
      source: 'staff',
    }),
  },
  {
    route: 'POST /api/v1/appointments/{id}/reschedule',
    path: (w) => `/api/v1/appointments/${w.victim.appointment.id}/reschedule`,
    body: (w) => ({ start_time: nextMondayAt(w, 11 * 60) }),
  },
  { route: 'GET /api/v1/appointments/{id}/cancel-preview', path: (w) => `/api/v1/appointments/${w.victim.appointment.id}/cancel-preview` },
  { route: 'POST /api/v1/appointments/{id}/cancel', path: (w) => `/api/v1/appointments/${w.victim.appointment.id}/cancel`, body: () => ({}) },
  {
    route: 'POST /api/v1/appointments/{id}/confirm',
    path: (w) => `/api/v1/appointments/${w.extra.appointmentId}/confirm`,
    prepare: (victim) => appointmentOf(victim, 'held', new Date(nextMondayAt({ victim }, 12 * 60))),
  },
  {
    route: 'POST /api/v1/appointments/{id}/arrive',
    path: (w) => `/api/v1/appointments/${w.extra.appointmentId}/arrive`,
    prepare: (victim) => appointmentOf(victim, 'confirmed', new Date(Date.now() - 3 * 86_400_000)),
  },
  {
    route: 'POST /api/v1/appointments/{id}/complete',
    path: (w) => `/api/v1/appointments/${w.extra.appointmentId}/complete`,
    prepare: (victim) => appointmentOf(victim, 'confirmed', new Date(Date.now() - 86_400_000)),
  },
  {
    route: 'POST /api/v1/appointments/{id}/no-show',
    path: (w) => `/api/v1/appointments/${w.extra.appointmentId}/no-show`,
    prepare: (victim) => appointmentOf(victim, 'confirmed', new Date(Date.now() - 86_400_000)),
  },
  // The client's payment for a held booking (a deposit shop, connected): only that client may pay.
  {
    route: 'POST /api/v1/appointments/{id}/payment',
    path: (w) => `/api/v1/appointments/${w.extra.appointmentId}/payment`,
    prepare: async (victim) => {
      await connectShop(testDb(), victim.shop.id);
      const ids = { shopId: victim.shop.id, barberId: victim.barber.id, clientId: victim.client.id, serviceId: victim.service.id };
      const start = new Date(nextMondayAt({ victim }, 13 * 60));
      const [row] = await testDb()
        .insert(appointments)
        .values(buildAppointment(ids, { startTime: start, status: 'held', depositCents: 500, holdExpiresAt: new Date(Date.now() + 600_000) }))
        .returning();
      return { appointmentId: row!.id, clientToken: await tokenFor(victim.client.id) };
    },
    rightful: (w) => w.extra.clientToken!,
  },
  // A client's waitlist entry at the shop: only the client may withdraw it.
  {
    route: 'DELETE /api/v1/waitlist/{id}',
    path: (w) => `/api/v1/waitlist/${w.extra.entryId}`,
    prepare: async (victim) => {
      const [entry] = await testDb()
        .insert(waitlistEntries)
        .values({
          shopId: victim.shop.id,
          clientId: victim.client.id,
          serviceId: victim.service.id,
          windowStart: new Date(Date.now() + 86_400_000),
          windowEnd: new Date(Date.now() + 7 * 86_400_000),
        })
        .returning();
      return { entryId: entry!.id, clientToken: await tokenFor(victim.client.id) };
    },
    rightful: (w) => w.extra.clientToken!,
  },
  // The barber's calendar feed secret (issue #11): the barber themself or an owner rotates or revokes it.
  { route: 'POST /api/v1/barbers/{id}/calendar-token', path: (w) => `/api/v1/barbers/${w.victim.barber.id}/calendar-token` },
  {
    route: 'DELETE /api/v1/barbers/{id}/calendar-token',
    path: (w) => `/api/v1/barbers/${w.victim.barber.id}/calendar-token`,
    rightful: (w) => w.victim.barberStaff.token,
  },
  // Google Calendar sync (issue #12): the barber themself or an owner connects, tunes or disconnects it.
  {
    route: 'GET /api/v1/integrations/google/connect',
    path: (w) => `/api/v1/integrations/google/connect?barber_id=${w.victim.barber.id}&mode=json`,
    rightful: (w) => w.victim.barberStaff.token,
  },
  {
    route: 'PATCH /api/v1/barbers/{id}/integrations/google',
    path: (w) => `/api/v1/barbers/${w.victim.barber.id}/integrations/google`,
    body: () => ({ block_busy: false }),
    prepare: async (victim) => ({ connectionId: (await connectBarber(victim.barber.id)).connectionId }),
  },
  {
    route: 'DELETE /api/v1/barbers/{id}/integrations/google',
    path: (w) => `/api/v1/barbers/${w.victim.barber.id}/integrations/google`,
    prepare: async (victim) => ({ connectionId: (await connectBarber(victim.barber.id)).connectionId }),
    rightful: (w) => w.victim.barberStaff.token,
  },
  // The shop's report (revenue, rates, utilisation): its owners only.
  { route: 'GET /api/v1/shops/{id}/reports', path: (w) => `/api/v1/shops/${w.victim.shop.id}/reports?from=2030-01-01&to=2030-01-31` },
];

export function casesFor(route: string): TenantCase[] {
  const found = tenantCases.filter((c) => c.route === route);
  if (found.length === 0) throw new Error(`no tenant case for ${route}`);
  return found;
}
