/**
 * The SQL behind manage links (worker/services/manage-links.ts): the appointment a link points
 * at, as the page shows it, and the single-use claim of a cancel link. Times travel as epoch
 * milliseconds; each function is one statement.
 */
import { sql } from 'drizzle-orm';
import type { ShopPolicy } from '../schema';
import { jsonValue } from '../../lib/json';
import type { Db } from './types';
import { epochMs as ms, pgBool as truthy } from './sql';


/** An appointment as a manage link shows it. */
export interface ManageTarget {
  id: string;
  shop_id: string;
  client_id: string;
  status: 'held' | 'pending_payment' | 'confirmed' | 'completed' | 'cancelled' | 'no_show';
  start_ms: number;
  end_ms: number;
  hold_expires_ms: number | null;
  price_cents: number;
  deposit_cents: number;
  paid_cents: number;
  refunded_cents: number;
  currency: string;
  shop_name: string;
  shop_slug: string;
  timezone: string;
  policy: ShopPolicy;
  barber_name: string;
  service_name: string;
  /** The link's id is already recorded as used (single-use purposes). */
  used: boolean;
}

/** The appointment and whether `jti` was used, in one statement; null for an unknown id. */
export async function manageTarget(db: Db, appointmentId: string, jti: string): Promise<ManageTarget | null> {
  const result = await db.execute<{ t: ManageTarget | string }>(sql`
    SELECT json_build_object(
      'id', a.id, 'shop_id', a.shop_id, 'client_id', a.client_id, 'status', a.status,
      'start_ms', ${ms(sql`a.start_time`)}, 'end_ms', ${ms(sql`a.end_time`)},
      'hold_expires_ms', CASE WHEN a.hold_expires_at IS NULL THEN NULL ELSE ${ms(sql`a.hold_expires_at`)} END,
      'price_cents', a.price_cents, 'deposit_cents', a.deposit_cents, 'paid_cents', a.paid_cents,
      'refunded_cents', a.refunded_cents, 'currency', a.currency,
      'shop_name', s.name, 'shop_slug', s.slug, 'timezone', s.timezone, 'policy', s.policy,
      'barber_name', b.display_name, 'service_name', sv.name,
      'used', EXISTS (SELECT 1 FROM manage_link_uses u WHERE u.jti = ${jti})) AS t
      FROM appointments a
      JOIN shops s ON s.id = a.shop_id
      JOIN barbers b ON b.id = a.barber_id
      JOIN services sv ON sv.id = a.service_id
     WHERE a.id = ${appointmentId}`);
  const row = result.rows[0];
  return row ? jsonValue<ManageTarget>(row.t) : null;
}

export type ClaimOutcome = { outcome: 'claimed'; clientId: string } | { outcome: 'used' | 'gone' };

/**
 * Records a single-use link as used — only while its appointment is still active and not over,
 * in the same statement that checks it. A second claim of the same id (a replay, or two clicks
 * racing) conflicts on the primary key and comes back `used` — even once the appointment is
 * cancelled, so a reused link says "used" rather than "expired".
 */
export async function claimManageLink(db: Db, claim: { jti: string; appointmentId: string; purpose: string }): Promise<ClaimOutcome> {
  const result = await db.execute<{ before: unknown; live: unknown; claimed: unknown; client_id: string | null }>(sql`
    WITH target AS (
      SELECT a.id, a.client_id FROM appointments a
       WHERE a.id = ${claim.appointmentId}
         AND a.status IN ('held', 'pending_payment', 'confirmed')
         AND a.end_time > now()),
    claim AS (
      INSERT INTO manage_link_uses (jti, appointment_id, purpose)
      SELECT ${claim.jti}, target.id, ${claim.purpose} FROM target
      ON CONFLICT (jti) DO NOTHING
      RETURNING jti)
    SELECT EXISTS (SELECT 1 FROM manage_link_uses u WHERE u.jti = ${claim.jti}) AS before,
           EXISTS (SELECT 1 FROM target) AS live, EXISTS (SELECT 1 FROM claim) AS claimed,
           (SELECT client_id FROM target) AS client_id`);
  const row = result.rows[0];
  // `before` reads the statement's snapshot (the insert is not visible to it): used earlier.
  if (!row) return { outcome: 'gone' };
  if (truthy(row.before)) return { outcome: 'used' };
  if (!truthy(row.live) || !row.client_id) return { outcome: 'gone' };
  return truthy(row.claimed) ? { outcome: 'claimed', clientId: row.client_id } : { outcome: 'used' };
}

/** Gives a claim back when the action it was for did not happen (the link may be tried again). */
export async function releaseManageLink(db: Db, jti: string): Promise<void> {
  await db.execute(sql`DELETE FROM manage_link_uses WHERE jti = ${jti}`);
}
