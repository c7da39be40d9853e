/**
 * A fully staffed shop for management-API tests: owner, barber (with user), a service the barber
 * offers, weekly hours, a block of time off, a client with a future appointment, an invitation
 * with a known token and the (verified) user it was sent to. Every call builds fresh rows, so
 * tests never share mutable state.
 */
import type { Db } from '../../worker/db/client';
import {
  appointments,
  barberServices,
  barbers,
  invitations,
  memberships,
  services,
  shops,
  timeOff,
  users,
  workingHours,
} from '../../worker/db/schema';
import {
  buildAppointment,
  buildBarber,
  buildService,
  buildShop,
  buildTimeOff,
  buildUser,
  buildWorkingHours,
} from '../../worker/db/seed/builders';
import { hashToken, newOpaqueToken } from '../../worker/auth/tokens';
import { bearer, tokenFor, userWithRole } from './auth';
import { call } from './harness';

export async function createManagedShop(db: Db) {
  const [shop] = await db.insert(shops).values(buildShop()).returning();
  const shopId = shop!.id;
  const owner = await userWithRole(db, shopId, 'owner');
  const barberStaff = await userWithRole(db, shopId, 'barber');
  const [barber] = await db.insert(barbers).values(buildBarber({ userId: barberStaff.user.id, shopId })).returning();
  const [service] = await db.insert(services).values(buildService({ shopId })).returning();
  await db.insert(barberServices).values({ barberId: barber!.id, serviceId: service!.id });
  await db.insert(workingHours).values(buildWorkingHours({ barberId: barber!.id }));
  const [block] = await db.insert(timeOff).values(buildTimeOff({ barberId: barber!.id })).returning();
  const [client] = await db.insert(users).values(buildUser({ firstName: 'Clara' })).returning();
  await db.insert(memberships).values({ userId: client!.id, shopId, role: 'client' });
  const [appointment] = await db
    .insert(appointments)
    .values(buildAppointment({ shopId, barberId: barber!.id, clientId: client!.id, serviceId: service!.id }))
    .returning();
  const invitationToken = newOpaqueToken();
  const inviteeEmail = `invitee-${shopId.slice(0, 8)}@example.test`;
  const [inviteeUser] = await db.insert(users).values(buildUser({ email: inviteeEmail, verifiedAt: new Date() })).returning();
  await db.insert(invitations).values({
    shopId,
    email: inviteeEmail,
    role: 'barber',
    tokenHash: await hashToken(invitationToken),
    invitedBy: owner.user.id,
    expiresAt: new Date(Date.now() + 86_400_000),
  });
  return {
    shop: shop!,
    owner,
    barberStaff,
    barber: barber!,
    service: service!,
    timeOff: block!,
    client: client!,
    appointment: appointment!,
    invitationToken,
    invitee: { user: inviteeUser!, token: await tokenFor(inviteeUser!.id) },
  };
}

export type ManagedShop = Awaited<ReturnType<typeof createManagedShop>>;

/** A JSON request as a client would send it; `token` null = no Authorization header. */
export function send(method: string, path: string, token: string | null, body?: unknown, headers: Record<string, string> = {}) {
  return call(path, {
    method,
    headers: {
      ...(token ? bearer(token) : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}
