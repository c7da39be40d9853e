/** Staff: invitations by e-mail, accepting them, deactivating a barber. */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { barbers, invitations, memberships, type Appointment, type Barber, type Invitation } from '../../db/schema';
import { ApiError } from '../../lib/errors';
import type { NotificationMessage } from '../../queue/messages';
import { auditQuery } from '../audit';
import { activeAppointmentsQuery } from '../../db/queries/appointments';
import {
  barberFutureAppointments,
  claimInvitation,
  invitationForAccept,
  shopBarbers,
  type FutureAppointmentRow,
  type OpenInvitationRow,
  type ShopBarberRow,
} from '../../db/queries/staff';
import { hashToken, newOpaqueToken } from '../../auth/tokens';

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** The link in the invitation e-mail: `/invitations/accept#token=…`. */
export function invitationLink(appOrigin: string, token: string): string {
  return `${appOrigin}/invitations/accept#${new URLSearchParams({ token })}`;
}

/** The token of an invitation link (what the page reads from its fragment). */
export function tokenOfInvitationLink(link: string): string | null {
  return new URLSearchParams(new URL(link).hash.slice(1)).get('token');
}

export interface InviteInput {
  shop: { id: string; name: string };
  email: string;
  role: 'barber';
  actorId: string;
  appOrigin: string;
}

/**
 * Stores the invitation (token hash only) with its audit row in one batch, then enqueues the
 * e-mail carrying the only copy of the token. The dedupe key is the invitation id, so a retried
 * queue delivery sends one e-mail.
 */
export async function inviteStaff(
  db: Db,
  notify: (m: NotificationMessage) => Promise<void>,
  input: InviteInput,
): Promise<Invitation> {
  const token = newOpaqueToken();
  const id = crypto.randomUUID();
  const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
  const [created] = await db.batch([
    db
      .insert(invitations)
      .values({ id, shopId: input.shop.id, email: input.email, role: input.role, tokenHash: await hashToken(token), invitedBy: input.actorId, expiresAt })
      .returning(),
    auditQuery(db, {
      shopId: input.shop.id,
      actorId: input.actorId,
      action: 'invitation.created',
      entity: 'invitation',
      entityId: id,
      data: { email: input.email, role: input.role },
    }),
  ]);
  await notify({
    dedupe_key: `invitation:${id}:email`,
    channel: 'email',
    to: input.email,
    template: 'barber_invitation',
    data: {
      invitation_id: id,
      shop_id: input.shop.id,
      shop_name: input.shop.name,
      role: input.role,
      expires_at: expiresAt.toISOString(),
    },
    // The link carries the single-use token in its fragment, which browsers never send to a
    // server: it cannot land in access logs, proxies or Referer headers. The page posts it to
    // POST /api/v1/invitations/accept in the body. Sealed in the queue message (queue/messages.ts).
    secrets: { accept_url: invitationLink(input.appOrigin, token) },
  });
  return created[0]!;
}

/**
 * Accepts an invitation for the signed-in user. Outcomes (documented on the route):
 * unknown token → 404 not_found; already accepted or expired → 409 conflict (the invitation
 * exists but its state forbids accepting; a new one must be sent); e-mail of another person →
 * 403 forbidden; the right address but not yet verified → 403 email_unverified (holding an
 * account under an address is not proof of owning it: the verification mail is). The membership
 * granted is always `barber` (invitations_role_check). The write is ONE statement: claiming the invitation (accepted_at IS NULL and
 * unexpired), the membership, the barber profile and the audit row commit together, and two
 * racing accepts cannot both succeed.
 */
export interface AcceptedBarber {
  id: string;
  shopId: string;
  userId: string;
  displayName: string;
  bio: string;
  active: boolean;
}

export async function acceptInvitation(db: Db, userId: string, token: string): Promise<AcceptedBarber> {
  const tokenHash = await hashToken(token);
  const found = await invitationForAccept(db, tokenHash, userId);
  if (!found) throw new ApiError('not_found', 'No such invitation');
  const { invitation, callerEmail, callerVerified } = found;
  if (invitation.acceptedAt) throw new ApiError('conflict', 'This invitation has already been accepted');
  if (invitation.expiresAt.getTime() <= Date.now()) throw new ApiError('conflict', 'This invitation has expired; ask the shop for a new one');
  if (!callerEmail || callerEmail.toLowerCase() !== invitation.email.toLowerCase()) {
    throw new ApiError('forbidden', 'This invitation was sent to another e-mail address');
  }
  if (!callerVerified) {
    throw new ApiError('email_unverified', 'Verify your e-mail address first (see the link we sent), then accept the invitation');
  }

  const row = await claimInvitation(db, invitation.id, userId);
  // Lost a race with another accept of the same invitation between the read and the claim.
  if (!row) throw new ApiError('conflict', 'This invitation has already been accepted');
  return { id: row.id, shopId: row.shop_id, userId, displayName: row.display_name, bio: row.bio, active: row.active === true || row.active === 't' };
}

/**
 * Deactivates a barber (hidden from booking), ends their staff access to the shop (the barber
 * membership goes in the same transaction — someone who left must not keep reading client records)
 * and reports their future appointments that still occupy time. Those are left as they are: the
 * owner decides whether to move or cancel each. Re-inviting restores the membership.
 */
export async function deactivateBarber(
  db: Db,
  actorId: string,
  barber: Barber,
): Promise<{ barber: Barber; futureAppointments: Appointment[] }> {
  const [updated, , , future] = await db.batch([
    db.update(barbers).set({ active: false }).where(eq(barbers.id, barber.id)).returning(),
    db
      .delete(memberships)
      .where(and(eq(memberships.userId, barber.userId), eq(memberships.shopId, barber.shopId), eq(memberships.role, 'barber'))),
    auditQuery(db, { shopId: barber.shopId, actorId, action: 'barber.deactivated', entity: 'barber', entityId: barber.id }),
    activeAppointmentsQuery(db, barber.id, { from: new Date() }),
  ]);
  return { barber: updated[0] ?? barber, futureAppointments: future };
}

export type { FutureAppointmentRow, OpenInvitationRow, ShopBarberRow };

/**
 * The shop's staff for its owners: every barber (deactivated ones too) with e-mail, joining date
 * and upcoming appointment count, and the invitations still open. The caller has authorised.
 */
export function listShopBarbers(db: Db, shopId: string): Promise<{ barbers: ShopBarberRow[]; invitations: OpenInvitationRow[] }> {
  return shopBarbers(db, shopId);
}

/** What deactivating a barber leaves to resolve: their future appointments, with client and service. */
export function futureAppointmentsOf(db: Db, barberId: string): Promise<FutureAppointmentRow[]> {
  return barberFutureAppointments(db, barberId);
}
