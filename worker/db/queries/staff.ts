/** Staff: the invitation claim that turns an invitee into a barber of the shop. */
import { eq, sql } from 'drizzle-orm';
import { barbers, invitations, users } from '../schema';
import type { Db } from './types';

export interface ClaimedBarber {
  id: string;
  shop_id: string;
  display_name: string;
  bio: string;
  active: boolean | string;
}

/**
 * ONE statement: claim the invitation (only if still open), grant the barber membership, create
 * or reactivate the barber profile and write the audit row. No row back means another accept of
 * the same invitation won the race.
 */
export async function claimInvitation(db: Db, invitationId: string, userId: string): Promise<ClaimedBarber | undefined> {
  const claimed = await db.execute<{ id: string; shop_id: string; display_name: string; bio: string; active: boolean | string }>(sql`
    with claimed as (
      update ${invitations} set accepted_at = now(), updated_at = now()
       where id = ${invitationId} and accepted_at is null and expires_at > now()
      returning shop_id
    ), member as (
      insert into memberships (user_id, shop_id, role)
      select ${userId}::uuid, shop_id, 'barber'::membership_role from claimed
      on conflict (user_id, shop_id, role) do nothing
    ), profile as (
      insert into ${barbers} (user_id, shop_id, display_name)
      select ${userId}::uuid, claimed.shop_id, trim(u.first_name || ' ' || u.last_name)
        from claimed join ${users} u on u.id = ${userId}
      on conflict (user_id, shop_id) do update set active = true, updated_at = now()
      returning id, shop_id, display_name, bio, active
    ), audit as (
      insert into audit_log (shop_id, actor_id, action, entity, entity_id, data)
      select shop_id, ${userId}::uuid, 'invitation.accepted', 'barber', id::text,
             json_build_object('invitation_id', ${invitationId}::text)::jsonb
        from profile
    )
    select id, shop_id, display_name, bio, active from profile`);
  return claimed.rows[0];
}

/** The invitation behind a token hash, with the caller's e-mail and whether it is verified — one statement. */
export async function invitationForAccept(db: Db, tokenHash: string, userId: string) {
  const [found] = await db
    .select({
      invitation: invitations,
      callerEmail: sql<string | null>`(select u.email from users u where u.id = ${userId})`,
      callerVerified: sql<boolean>`exists (select 1 from users u where u.id = ${userId} and u.verified_at is not null)`.mapWith(
        (v: unknown) => v === true || v === 't',
      ),
    })
    .from(invitations)
    .where(eq(invitations.tokenHash, tokenHash));
  return found;
}
