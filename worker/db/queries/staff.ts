/** Staff: the invitation claim that turns an invitee into a barber of the shop. */
import { eq, sql, type SQL } from 'drizzle-orm';
import { barbers, invitations, users } from '../schema';
import { jsonValue } from '../../lib/json';
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

/** A barber of the shop as the owner's staff list shows them. */
export interface ShopBarberRow {
  id: string;
  user_id: string;
  display_name: string;
  email: string;
  active: boolean;
  joined_ms: number;
  upcoming: number;
}

/** An invitation not yet accepted (expired ones too: the list says so). */
export interface OpenInvitationRow {
  id: string;
  email: string;
  expires_ms: number;
}

const bool = (v: unknown) => v === true || v === 't';
/** An instant as epoch milliseconds (raw text output would otherwise need parsing). */
const ms = (column: SQL) => sql`(extract(epoch from ${column}) * 1000)::float8`;

/**
 * Every barber of the shop, active and deactivated, with their e-mail, when they joined and how
 * many appointments still occupy their future time; plus the open invitations. One round trip.
 */
export async function shopBarbers(db: Db, shopId: string): Promise<{ barbers: ShopBarberRow[]; invitations: OpenInvitationRow[] }> {
  const result = await db.execute<{ barbers: unknown; invitations: unknown }>(sql`
    select
      (select coalesce(json_agg(json_build_object(
          'id', b.id, 'user_id', b.user_id, 'display_name', b.display_name, 'email', u.email, 'active', b.active,
          'joined_ms', ${ms(sql`b.created_at`)},
          'upcoming', (select count(*) from appointments a
                        where a.barber_id = b.id and a.status in ('held', 'pending_payment', 'confirmed')
                          and a.start_time >= now()))
          order by b.active desc, b.display_name, b.id), '[]'::json)
         from ${barbers} b join ${users} u on u.id = b.user_id
        where b.shop_id = ${shopId}) as barbers,
      (select coalesce(json_agg(json_build_object('id', i.id, 'email', i.email, 'expires_ms', ${ms(sql`i.expires_at`)})
          order by i.created_at desc), '[]'::json)
         from (select * from ${invitations} where shop_id = ${shopId} and accepted_at is null
                order by created_at desc limit 50) i) as invitations`);
  const row = result.rows[0];
  const barberRows = jsonValue((row?.barbers ?? '[]') as ShopBarberRow[] | string);
  return {
    barbers: barberRows.map((r) => ({ ...r, active: bool(r.active), upcoming: Number(r.upcoming), joined_ms: Number(r.joined_ms) })),
    invitations: jsonValue((row?.invitations ?? '[]') as OpenInvitationRow[] | string),
  };
}

/** A barber's future appointment that still occupies time, with who and what it is for. */
export interface FutureAppointmentRow {
  id: string;
  start_ms: number;
  end_ms: number;
  status: string;
  client_name: string;
  service_id: string;
  service_name: string;
}

/** The barber's held, pending and confirmed appointments from now on, by start (at most 500). */
export async function barberFutureAppointments(db: Db, barberId: string): Promise<FutureAppointmentRow[]> {
  const result = await db.execute<Omit<FutureAppointmentRow, 'start_ms' | 'end_ms'> & { start_ms: unknown; end_ms: unknown }>(sql`
    select a.id, ${ms(sql`a.start_time`)} as start_ms, ${ms(sql`a.end_time`)} as end_ms, a.status, trim(u.first_name || ' ' || u.last_name) as client_name,
           a.service_id, sv.name as service_name
      from appointments a
      join ${users} u on u.id = a.client_id
      join services sv on sv.id = a.service_id
     where a.barber_id = ${barberId} and a.status in ('held', 'pending_payment', 'confirmed') and a.start_time >= now()
     order by a.start_time, a.id
     limit 500`);
  return result.rows.map((r) => ({ ...r, start_ms: Number(r.start_ms), end_ms: Number(r.end_ms) }));
}
