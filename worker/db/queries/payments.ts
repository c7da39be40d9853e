/**
 * The SQL of payments (ADR 13). Webhook effects are ONE statement each, keyed by the Stripe event
 * id: the `stripe_events` insert is the first CTE and every effect depends on it, so an event that
 * was seen before changes nothing. Money movements (refunds, fees) are rows first and Stripe calls
 * second: `pendingMovements` / `completeMovements` are the outbox's two halves.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { ShopPolicy } from '../schema';
import { jsonValue } from '../../lib/json';
import { movementJson, recordJson, type AppointmentRecord, type Movement } from './booking';
import { isPlatformAdminSql } from './platform';
import type { Db } from './types';
import { epochMs as ms, pgBool as truthy } from './sql';

const parse = <T>(value: unknown): T => jsonValue(value as object | string) as T;

/** What a webhook statement records about the event itself. */
export interface EventRecord {
  id: string;
  type: string;
  /** A trimmed copy of the object (ids, status, amounts, metadata): enough to support, no card data. */
  payload: Record<string, unknown>;
}

const eventInsert = (e: EventRecord, outcome: SQL | string) => sql`ev AS (
    INSERT INTO stripe_events (event_id, type, payload, processed_at, outcome)
    VALUES (${e.id}, ${e.type}, ${JSON.stringify(e.payload)}::jsonb, now(), ${outcome})
    ON CONFLICT (event_id) DO NOTHING
    RETURNING id)`;

/**
 * One webhook statement: the event's row first, then `effects` (CTEs that depend on `ev`, so
 * they run only for an event not seen before). True when the event was new.
 */
async function onEvent(db: Db, e: EventRecord, outcome: string, effects?: SQL): Promise<boolean> {
  const result = await db.execute<{ fresh: boolean | string }>(sql`
    WITH ${eventInsert(e, outcome)}${effects ? sql`, ${effects}` : sql``}
    SELECT EXISTS (SELECT 1 FROM ev) AS fresh`);
  return truthy(result.rows[0]?.fresh);
}

/** Records an event that has no effect of its own (failed attempts are recorded by their own statement). */
export function recordEvent(db: Db, e: EventRecord, outcome: string): Promise<boolean> {
  return onEvent(db, e, outcome);
}

// ── Up-front payments (deposit / prepay) ───────────────────────────────────────────────────────

export interface PaymentContext {
  appointment: {
    id: string;
    shop_id: string;
    barber_id: string;
    client_id: string;
    client_email: string | null;
    status: string;
    hold_expires_ms: number | null;
    start_ms: number;
    price_cents: number;
    deposit_cents: number;
    currency: string;
    service_name: string;
    barber_name: string;
  };
  policy: Partial<ShopPolicy>;
  stripe_account_id: string | null;
  payments_ready: boolean;
  /** The caller is the appointment's client (or platform staff). */
  allowed: boolean;
  /** Up-front intents already made for it, newest first. */
  intents: {
    id: string;
    payment_intent_id: string | null;
    status: string;
    amount_cents: number;
  }[];
  customer: { customer_id: string; payment_method_id: string | null } | null;
}

/** Everything `POST /appointments/{id}/payment` needs, and whether the caller may ask — one statement. */
export async function paymentContext(db: Db, appointmentId: string, userId: string): Promise<PaymentContext | null> {
  const result = await db.execute<{ ctx: unknown }>(sql`
    SELECT json_build_object(
      'appointment', json_build_object(
        'id', a.id, 'shop_id', a.shop_id, 'barber_id', a.barber_id, 'client_id', a.client_id,
        'client_email', u.email, 'status', a.status, 'hold_expires_ms', ${ms(sql`a.hold_expires_at`)},
        'start_ms', ${ms(sql`a.start_time`)}, 'price_cents', a.price_cents, 'deposit_cents', a.deposit_cents,
        'currency', a.currency, 'service_name', sv.name, 'barber_name', b.display_name),
      'policy', s.policy, 'stripe_account_id', s.stripe_account_id,
      'payments_ready', (s.stripe_account_id IS NOT NULL AND s.stripe_charges_enabled),
      'allowed', (a.client_id = ${userId} OR ${isPlatformAdminSql(userId)}),
      'intents', (SELECT coalesce(json_agg(json_build_object('id', p.id, 'payment_intent_id', p.stripe_payment_intent_id,
                     'status', p.status, 'amount_cents', p.amount_cents) ORDER BY p.created_at DESC), '[]')
                    FROM payments p WHERE p.appointment_id = a.id AND p.kind IN ('deposit', 'full')),
      'customer', (SELECT json_build_object('customer_id', c.customer_id, 'payment_method_id', c.payment_method_id)
                     FROM stripe_customers c WHERE c.user_id = a.client_id)) AS ctx
      FROM appointments a JOIN shops s ON s.id = a.shop_id JOIN users u ON u.id = a.client_id
      JOIN services sv ON sv.id = a.service_id JOIN barbers b ON b.id = a.barber_id
     WHERE a.id = ${appointmentId}`);
  const row = result.rows[0];
  return row ? parse<PaymentContext>(row.ctx) : null;
}

/** A user's e-mail and Stripe customer with the saved card (customer fields null: none yet). */
export async function paymentProfile(
  db: Db,
  userId: string
): Promise<{
  email: string;
  customer_id: string | null;
  payment_method_id: string | null;
  card_brand: string | null;
  card_last4: string | null;
} | null> {
  const result = await db.execute<{
    email: string;
    customer_id: string | null;
    payment_method_id: string | null;
    card_brand: string | null;
    card_last4: string | null;
  }>(sql`
    SELECT u.email, c.customer_id, c.payment_method_id, c.card_brand, c.card_last4
      FROM users u LEFT JOIN stripe_customers c ON c.user_id = u.id WHERE u.id = ${userId}`);
  return result.rows[0] ?? null;
}

/** A client's Stripe customer (null: none yet). */
export async function stripeCustomerOf(
  db: Db,
  userId: string
): Promise<{
  customer_id: string;
  payment_method_id: string | null;
  card_brand: string | null;
  card_last4: string | null;
} | null> {
  const result = await db.execute<{
    customer_id: string;
    payment_method_id: string | null;
    card_brand: string | null;
    card_last4: string | null;
  }>(sql`
    SELECT customer_id, payment_method_id, card_brand, card_last4 FROM stripe_customers WHERE user_id = ${userId}`);
  return result.rows[0] ?? null;
}

export interface IntentRow {
  appointmentId: string;
  shopId: string;
  paymentIntentId: string;
  amountCents: number;
  currency: string;
  kind: 'deposit' | 'full';
  accountId: string;
  applicationFeeCents: number;
  /** A customer made for this client on the way (saved with the intent, in the same statement). */
  customer?: { userId: string; customerId: string };
}

/** The row of an up-front PaymentIntent just created (and the client's new customer) — one statement. */
export async function recordIntent(db: Db, r: IntentRow): Promise<void> {
  await db.execute(sql`
    WITH cust AS (
      INSERT INTO stripe_customers (user_id, customer_id)
      SELECT ${r.customer?.userId ?? null}::uuid, ${r.customer?.customerId ?? null}
       WHERE ${r.customer ? true : false}
      ON CONFLICT DO NOTHING)
    INSERT INTO payments (appointment_id, shop_id, stripe_payment_intent_id, amount_cents, currency, kind, status,
                          stripe_account_id, application_fee_cents, reason)
    VALUES (${r.appointmentId}, ${r.shopId}, ${r.paymentIntentId}, ${r.amountCents}, ${r.currency}, ${r.kind}, 'requires_payment',
            ${r.accountId}, ${r.applicationFeeCents}, ${r.kind === 'full' ? 'prepay' : 'deposit'})
    ON CONFLICT (stripe_payment_intent_id) DO NOTHING`);
}

/** Saves a customer made for a client outside a payment (SetupIntent for a card on file). */
export async function saveCustomer(db: Db, userId: string, customerId: string): Promise<string> {
  const result = await db.execute<{ customer_id: string }>(sql`
    WITH ins AS (
      INSERT INTO stripe_customers (user_id, customer_id) VALUES (${userId}, ${customerId})
      ON CONFLICT (user_id) DO NOTHING RETURNING customer_id)
    SELECT customer_id FROM ins UNION ALL SELECT customer_id FROM stripe_customers WHERE user_id = ${userId} LIMIT 1`);
  return result.rows[0]?.customer_id ?? customerId;
}

export interface HoldSecured {
  event: EventRecord;
  appointmentId: string;
  barberId: string;
  /** The up-front payment that succeeded (absent: a card was saved for a card-on-file hold). */
  payment?: {
    paymentIntentId: string;
    chargeId: string | null;
    amountCents: number;
    currency: string;
    kind: 'deposit' | 'full';
    accountId: string | null;
    applicationFeeCents: number;
    shopId: string;
  };
  /** The card saved with it (setup_future_usage, or the SetupIntent). */
  card?: {
    userId: string;
    customerId: string;
    paymentMethodId: string;
    brand: string | null;
    last4: string | null;
  };
  /** The object found the lapsed hold's time still free: the appointment may be booked again. */
  rebook: boolean;
  /** The object's snapshot version (the write's version check). */
  expectedVersion?: number;
}

export interface HoldSecuredResult {
  /** False: the event was processed before; nothing changed. */
  fresh: boolean;
  outcome: 'confirmed' | 'rebooked' | 'refund' | 'saved' | 'duplicate_event' | 'unknown_appointment' | 'moved';
  version: number | null;
  /** The version moved from the one the object's snapshot was at (else the snapshot is stale: reload it). */
  versionWasCurrent: boolean;
  /** The barber the appointment is with now (null: no such appointment). */
  currentBarberId: string | null;
  appointment: AppointmentRecord | null;
  /** The refund recorded when the payment could not buy the slot (taken, cancelled, paid twice). */
  refund: Movement | null;
}

/**
 * A held booking was paid for (or its card saved): records the event, the payment and the card,
 * and confirms the appointment — ONE statement, run by the barber's object. A hold still in place
 * (lapsed but not yet released counts: its row still occupies the time) is confirmed; a released
 * one is booked again when `rebook` says its time is free (and no active row overlaps it now);
 * otherwise the money is recorded as owed back (a `processing` refund of the whole payment).
 */
export async function applyHoldSecured(db: Db, h: HoldSecured): Promise<HoldSecuredResult> {
  const p = h.payment;
  const c = h.card;
  const result = await db.execute<{
    fresh: boolean | string;
    version: number | string | null;
    appointment: unknown;
    rebooked: boolean | string | null;
    refund: unknown;
    current_barber: string | null;
    was_current: boolean | string | null;
  }>(sql`
    WITH owner AS (SELECT barber_id FROM appointments WHERE id = ${h.appointmentId}),
    -- Recorded only by the object of the barber the appointment is with now (it may have moved
    -- since the intent was made): another barber's object answers \`moved\` and records nothing.
    ev AS (
      INSERT INTO stripe_events (event_id, type, payload, processed_at, outcome)
      SELECT ${h.event.id}, ${h.event.type}, ${JSON.stringify(h.event.payload)}::jsonb, now(), 'applied'
       WHERE coalesce((SELECT barber_id FROM owner) = ${h.barberId}::uuid, true)
      ON CONFLICT (event_id) DO NOTHING
      RETURNING id),
    cur AS (SELECT a.* FROM appointments a WHERE a.id = ${h.appointmentId} AND a.barber_id = ${h.barberId} AND EXISTS (SELECT 1 FROM ev)),
    target AS (
      SELECT cur.id, (cur.status = 'cancelled' AND cur.cancel_reason = 'hold_expired') AS lapsed FROM cur
       WHERE cur.status IN ('held', 'pending_payment')
          OR (cur.status = 'cancelled' AND cur.cancel_reason = 'hold_expired' AND ${h.rebook} AND cur.start_time > now()
              AND NOT EXISTS (SELECT 1 FROM appointments o
                               WHERE o.barber_id = cur.barber_id AND o.id <> cur.id AND o.status IN ('held', 'pending_payment', 'confirmed')
                                 AND tstzrange(o.start_time, o.end_time, '[)') && tstzrange(cur.start_time, cur.end_time, '[)'))
              AND NOT EXISTS (SELECT 1 FROM time_off t
                               WHERE t.barber_id = cur.barber_id AND t.starts_at < cur.end_time AND t.ends_at > cur.start_time))),
    -- The payment cannot buy the slot (taken, cancelled, paid twice): all of it is owed back, and
    -- reserved as refunded on its own row from the start.
    lost AS (
      SELECT (EXISTS (SELECT 1 FROM cur) AND NOT EXISTS (SELECT 1 FROM target) AND ${(p?.amountCents ?? 0) > 0}
              AND NOT EXISTS (SELECT 1 FROM payments x WHERE x.stripe_payment_intent_id = ${p?.paymentIntentId ?? null} AND x.status = 'succeeded')) AS owed_back),
    pay AS (
      INSERT INTO payments (appointment_id, shop_id, stripe_payment_intent_id, stripe_charge_id, amount_cents, currency, kind, status,
                            stripe_account_id, application_fee_cents, reason, refund_reserved_cents)
      SELECT cur.id, cur.shop_id, ${p?.paymentIntentId ?? null}, ${p?.chargeId ?? null}, ${p?.amountCents ?? 0}, ${p?.currency ?? 'USD'},
             ${p?.kind ?? 'deposit'}::payment_kind, 'succeeded', ${p?.accountId ?? null}, ${p?.applicationFeeCents ?? 0},
             ${p?.kind === 'full' ? 'prepay' : 'deposit'}, CASE WHEN (SELECT owed_back FROM lost) THEN ${p?.amountCents ?? 0} ELSE 0 END
        FROM cur WHERE ${p ? true : false}
      ON CONFLICT (stripe_payment_intent_id) DO UPDATE
         SET status = 'succeeded', stripe_charge_id = EXCLUDED.stripe_charge_id, failure_reason = NULL, updated_at = now(),
             refund_reserved_cents = greatest(payments.refund_reserved_cents, EXCLUDED.refund_reserved_cents)
      RETURNING id, amount_cents, currency, stripe_account_id),
    card AS (
      INSERT INTO stripe_customers (user_id, customer_id, payment_method_id, card_brand, card_last4)
      SELECT ${c?.userId ?? null}::uuid, ${c?.customerId ?? null}, ${c?.paymentMethodId ?? null}, ${c?.brand ?? null}, ${c?.last4 ?? null}
       WHERE ${c ? true : false} AND EXISTS (SELECT 1 FROM ev)
      ON CONFLICT (user_id) DO UPDATE
         SET payment_method_id = EXCLUDED.payment_method_id, card_brand = EXCLUDED.card_brand, card_last4 = EXCLUDED.card_last4,
             customer_id = EXCLUDED.customer_id, updated_at = now()),
    v AS (
      UPDATE barbers SET schedule_version = schedule_version + 1, updated_at = now()
       WHERE id = ${h.barberId} AND EXISTS (SELECT 1 FROM target)
      RETURNING schedule_version),
    upd AS (
      UPDATE appointments a SET status = 'confirmed', hold_expires_at = NULL, cancelled_at = NULL, cancel_reason = NULL,
             cancelled_by = NULL, updated_at = now()
        FROM target, v WHERE a.id = target.id
      RETURNING a.*),
    aud AS (
      INSERT INTO audit_log (shop_id, actor_id, action, entity, entity_id, data)
      SELECT upd.shop_id, NULL, CASE WHEN target.lapsed THEN 'appointment.rebooked' ELSE 'appointment.confirmed' END, 'appointment', upd.id::text,
             jsonb_build_object('stripe_event', ${h.event.id}::text, 'payment_intent', ${p?.paymentIntentId ?? null}::text)
        FROM upd, target),
    waitlist AS (
      UPDATE waitlist_entries SET status = 'booked', updated_at = now()
        FROM upd WHERE waitlist_entries.offered_appointment_id = upd.id AND waitlist_entries.status IN ('offered', 'expired')),
    refund AS (
      INSERT INTO payments (appointment_id, shop_id, amount_cents, currency, kind, status, refund_of, reason, stripe_account_id)
      SELECT cur.id, cur.shop_id, pay.amount_cents, pay.currency, 'refund', 'processing', pay.id,
             CASE WHEN cur.status = 'cancelled' AND cur.cancel_reason = 'hold_expired' THEN 'slot_taken'
                  WHEN cur.status = 'cancelled' THEN 'cancelled_before_payment'
                  ELSE 'duplicate_payment' END,
             pay.stripe_account_id
        FROM cur, pay WHERE (SELECT owed_back FROM lost)
      RETURNING *)
    SELECT EXISTS (SELECT 1 FROM ev) AS fresh,
           (SELECT barber_id FROM owner) AS current_barber,
           (SELECT schedule_version FROM v) AS version,
           (SELECT schedule_version - 1 = ${h.expectedVersion ?? -1} FROM v) AS was_current,
           coalesce((SELECT ${recordJson('upd')} FROM upd), (SELECT ${recordJson('cur')} FROM cur)) AS appointment,
           (SELECT lapsed FROM target) AS rebooked,
           (SELECT ${movementJson('refund', sql`${p?.paymentIntentId ?? null}::text`, sql`refund_client.id`)}
              FROM refund, (SELECT client_id AS id FROM cur) refund_client) AS refund`);
  const row = result.rows[0];
  const fresh = truthy(row?.fresh);
  const refund = row?.refund == null ? null : parse<HoldSecuredResult['refund']>(row.refund);
  const version = row?.version == null ? null : Number(row.version);
  const currentBarber = row?.current_barber ?? null;
  if (currentBarber !== null && currentBarber !== h.barberId) {
    return { fresh: false, outcome: 'moved', version: null, versionWasCurrent: false, appointment: null, refund: null, currentBarberId: currentBarber };
  }
  const outcome: HoldSecuredResult['outcome'] = !fresh
    ? 'duplicate_event'
    : row?.appointment == null
    ? 'unknown_appointment'
    : version !== null
    ? truthy(row?.rebooked)
      ? 'rebooked'
      : 'confirmed'
    : refund
    ? 'refund'
    : 'saved';
  return {
    fresh,
    outcome,
    version,
    versionWasCurrent: truthy(row?.was_current),
    appointment: row?.appointment == null ? null : parse<AppointmentRecord>(row.appointment),
    refund,
    currentBarberId: currentBarber,
  };
}

/**
 * An attempt failed or was cancelled: the row says so. Up-front rows are found by their intent
 * (and recorded if the intent's row was never written); a fee's row by the id in its metadata —
 * its intent id may not be on it yet (the inline send's answer was lost), and a second row would
 * make the outbox charge it again.
 */
export async function applyIntentEnded(
  db: Db,
  e: EventRecord,
  i: {
    paymentIntentId: string;
    status: 'failed' | 'canceled';
    reason: string | null;
    appointmentId: string | null;
    shopId: string | null;
    amountCents: number;
    currency: string;
    kind: 'deposit' | 'full' | 'fee';
    /** For a fee: our row (metadata.payment_id). */
    paymentId: string | null;
  },
): Promise<boolean> {
  if (i.kind === 'fee') {
    return onEvent(db, e, i.status, sql`
    upd AS (
      UPDATE payments SET status = ${i.status}::payment_status, failure_reason = ${i.reason},
             stripe_payment_intent_id = coalesce(stripe_payment_intent_id, ${i.paymentIntentId}), updated_at = now()
       WHERE id = ${i.paymentId}::uuid AND kind = 'fee' AND status IN ('requires_payment', 'processing') AND EXISTS (SELECT 1 FROM ev)
      RETURNING id)`);
  }
  return onEvent(db, e, i.status, sql`
    upd AS (
      UPDATE payments SET status = ${i.status}::payment_status, failure_reason = ${i.reason}, updated_at = now()
       WHERE stripe_payment_intent_id = ${i.paymentIntentId} AND status IN ('requires_payment', 'processing') AND EXISTS (SELECT 1 FROM ev)
      RETURNING id),
    ins AS (
      INSERT INTO payments (appointment_id, shop_id, stripe_payment_intent_id, amount_cents, currency, kind, status, failure_reason)
      SELECT a.id, a.shop_id, ${i.paymentIntentId}, ${i.amountCents}, ${i.currency}, ${i.kind}::payment_kind, ${i.status}::payment_status, ${i.reason}
        FROM appointments a
       WHERE a.id = ${i.appointmentId}::uuid AND EXISTS (SELECT 1 FROM ev) AND NOT EXISTS (SELECT 1 FROM upd)
         AND NOT EXISTS (SELECT 1 FROM payments WHERE stripe_payment_intent_id = ${i.paymentIntentId})
      ON CONFLICT DO NOTHING)`);
}

/** An off-session fee's PaymentIntent succeeded (the webhook twin of the synchronous answer). */
export async function applyFeeSucceeded(
  db: Db,
  e: EventRecord,
  f: { paymentId: string; paymentIntentId: string; chargeId: string | null }
): Promise<boolean> {
  return onEvent(db, e, 'fee_paid', sql`
    upd AS (
      UPDATE payments SET status = 'succeeded', stripe_payment_intent_id = ${f.paymentIntentId}, stripe_charge_id = coalesce(${
    f.chargeId
  }, stripe_charge_id),
             failure_reason = NULL, updated_at = now()
       WHERE id = ${f.paymentId} AND kind = 'fee' AND status <> 'succeeded' AND EXISTS (SELECT 1 FROM ev)
      RETURNING id)`);
}

export interface RefundSeen {
  refundId: string;
  amountCents: number;
  status: string;
  /** Our row id, when we made it (metadata.payment_id). */
  paymentId: string | null;
}

/**
 * `charge.refunded`: every refund on the charge becomes (or completes) a refund row — ours are
 * matched by the row id we put in their metadata, ones made elsewhere (the Stripe dashboard) are
 * added as `external` — one statement.
 */
export async function applyChargeRefunded(
  db: Db,
  e: EventRecord,
  charge: {
    paymentIntentId: string | null;
    chargeId: string;
    refunds: RefundSeen[];
  }
): Promise<boolean> {
  const refunds = JSON.stringify(
    charge.refunds.map((r) => ({
      refund_id: r.refundId,
      amount_cents: r.amountCents,
      status: r.status === 'succeeded' ? 'succeeded' : r.status === 'failed' || r.status === 'canceled' ? 'failed' : 'processing',
      payment_id: r.paymentId,
    }))
  );
  return onEvent(db, e, 'refunds_synced', sql`
    src AS (
      SELECT p.* FROM payments p
       WHERE (p.stripe_payment_intent_id = ${charge.paymentIntentId} OR p.stripe_charge_id = ${charge.chargeId})
         AND p.kind <> 'refund' AND EXISTS (SELECT 1 FROM ev)
       LIMIT 1),
    seen AS (SELECT * FROM json_to_recordset(${refunds}::json) AS x(refund_id text, amount_cents int, status text, payment_id uuid)),
    ours AS (
      -- A late, older event never moves a refund that succeeded back.
      UPDATE payments r SET stripe_refund_id = seen.refund_id,
             status = CASE WHEN before.status = 'succeeded' THEN before.status ELSE seen.status::payment_status END, updated_at = now()
        FROM seen, src, payments before
       WHERE r.kind = 'refund' AND r.refund_of = src.id AND before.id = r.id
         AND (r.id = seen.payment_id OR r.stripe_refund_id = seen.refund_id)
      RETURNING seen.refund_id, r.amount_cents, before.status::text AS was_status, r.status::text AS new_status),
    theirs AS (
      INSERT INTO payments (appointment_id, shop_id, stripe_refund_id, amount_cents, currency, kind, status, refund_of, reason, stripe_account_id)
      SELECT src.appointment_id, src.shop_id, seen.refund_id, seen.amount_cents, src.currency, 'refund', seen.status::payment_status, src.id,
             'external', src.stripe_account_id
        FROM seen, src
       WHERE seen.refund_id NOT IN (SELECT refund_id FROM ours)
         AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.stripe_refund_id = seen.refund_id)
      ON CONFLICT DO NOTHING
      RETURNING amount_cents, status::text AS new_status),
    -- Refunds made elsewhere take from the charge too; ours that failed give theirs back. Stripe
    -- has the last word here, so the reservation is clamped rather than refused.
    reserved AS (
      UPDATE payments c
         SET refund_reserved_cents = least(c.amount_cents, greatest(0, c.refund_reserved_cents
               + coalesce((SELECT sum(amount_cents) FROM theirs WHERE new_status <> 'failed'), 0)
               - coalesce((SELECT sum(amount_cents) FROM ours WHERE new_status = 'failed' AND was_status <> 'failed'), 0)
               + coalesce((SELECT sum(amount_cents) FROM ours WHERE new_status <> 'failed' AND was_status = 'failed'), 0))),
             updated_at = now()
        FROM src WHERE c.id = src.id)`);
}

/** `charge.dispute.*`: the disputed charge is flagged (owners see it in their payments) — one statement. */
export async function applyDispute(
  db: Db,
  e: EventRecord,
  d: {
    disputeId: string;
    status: string;
    chargeId: string | null;
    paymentIntentId: string | null;
  }
): Promise<boolean> {
  return onEvent(db, e, 'dispute', sql`
    upd AS (
      UPDATE payments SET dispute_id = ${d.disputeId}, dispute_status = ${d.status}, updated_at = now()
       WHERE kind <> 'refund' AND EXISTS (SELECT 1 FROM ev)
         AND (stripe_charge_id = ${d.chargeId} OR stripe_payment_intent_id = ${d.paymentIntentId})
      RETURNING id, shop_id, appointment_id),
    aud AS (
      INSERT INTO audit_log (shop_id, actor_id, action, entity, entity_id, data)
      SELECT shop_id, NULL, 'payment.disputed', 'payment', id::text, jsonb_build_object('dispute', ${d.disputeId}::text, 'status', ${d.status}::text)
        FROM upd)`);
}

/** `setup_intent.succeeded` without a held booking: the client's card on file — one statement. */
export async function applyCardSaved(
  db: Db,
  e: EventRecord,
  card: {
    userId: string;
    customerId: string;
    paymentMethodId: string;
    brand: string | null;
    last4: string | null;
  }
): Promise<boolean> {
  return onEvent(db, e, 'card_saved', sql`
    card AS (
      INSERT INTO stripe_customers (user_id, customer_id, payment_method_id, card_brand, card_last4)
      SELECT ${card.userId}, ${card.customerId}, ${card.paymentMethodId}, ${card.brand}, ${card.last4} WHERE EXISTS (SELECT 1 FROM ev)
      ON CONFLICT (user_id) DO UPDATE
         SET payment_method_id = EXCLUDED.payment_method_id, card_brand = EXCLUDED.card_brand, card_last4 = EXCLUDED.card_last4,
             customer_id = EXCLUDED.customer_id, updated_at = now())`);
}

export interface AccountState {
  accountId: string;
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  detailsSubmitted: boolean;
  currentlyDue: string[];
  disabledReason: string | null;
  /** Stripe's `created` of the event (seconds): an older event never overwrites a newer state. */
  asOfSec: number;
}

const accountUpdate = (a: AccountState) => sql`
      UPDATE shops SET stripe_charges_enabled = ${a.chargesEnabled}, stripe_payouts_enabled = ${a.payoutsEnabled},
             stripe_details_submitted = ${a.detailsSubmitted},
             stripe_requirements = ${JSON.stringify({
               currently_due: a.currentlyDue,
               disabled_reason: a.disabledReason,
             })}::jsonb,
             stripe_account_synced_at = to_timestamp(${a.asOfSec}), updated_at = now()
       WHERE stripe_account_id = ${a.accountId}
         AND (stripe_account_synced_at IS NULL OR stripe_account_synced_at <= to_timestamp(${a.asOfSec}))`;

/** `account.updated`: the shop's payment readiness (its barbers' versions move by trigger) — one statement. */
export async function applyAccountUpdated(db: Db, e: EventRecord, a: AccountState): Promise<boolean> {
  return onEvent(db, e, 'account_synced', sql`
    upd AS (${accountUpdate(a)} AND EXISTS (SELECT 1 FROM ev) RETURNING id)`);
}

/** The same update from a direct read of the account (the owner's status endpoint). */
export async function syncAccount(db: Db, a: AccountState): Promise<void> {
  await db.execute(accountUpdate(a));
}

// ── The outbox: refunds and fees recorded, then sent ──────────────────────────────────────────

export type PendingMovement = Movement;

/**
 * Movements still to send: the given ids (right after the write that recorded them), or — for
 * the cron's sweep — every one older than `olderThanSec` with attempts left.
 */
export async function pendingMovements(
  db: Db,
  filter: { ids: string[] } | { olderThanSec: number; maxAttempts: number; limit: number }
): Promise<PendingMovement[]> {
  const where =
    'ids' in filter
      ? sql`p.id IN (SELECT (x)::uuid FROM json_array_elements_text(${JSON.stringify(filter.ids)}::json) x)`
      : sql`p.updated_at < now() - make_interval(secs => ${filter.olderThanSec}) AND p.attempts < ${filter.maxAttempts}`;
  const limit = 'ids' in filter ? filter.ids.length : filter.limit;
  const result = await db.execute<{ m: unknown }>(sql`
    SELECT ${movementJson('p', sql`src.stripe_payment_intent_id`, sql`a.client_id`)} AS m
      FROM payments p
      JOIN appointments a ON a.id = p.appointment_id
      LEFT JOIN payments src ON src.id = p.refund_of
     WHERE ${where}
       AND ((p.kind = 'refund' AND p.status = 'processing' AND p.stripe_refund_id IS NULL)
         OR (p.kind = 'fee' AND p.status = 'requires_payment' AND p.stripe_payment_intent_id IS NULL))
     ORDER BY p.created_at
     LIMIT ${limit}`);
  return result.rows.map((r) => parse<PendingMovement>(r.m));
}

export interface MovementOutcome {
  id: string;
  /** succeeded / failed (final) / processing (Stripe has it, the webhook finishes it) / retry (not sent; the sweep tries again). */
  status: 'succeeded' | 'failed' | 'processing' | 'retry';
  stripeRefundId?: string | null;
  stripePaymentIntentId?: string | null;
  stripeChargeId?: string | null;
  applicationFeeCents?: number;
  failureReason?: string | null;
}

/**
 * Movements that kept failing to reach Stripe (an outage longer than the sweep's attempts): given
 * up as `failed` so the owner sees them in the payments list, and a refund's reservation goes back
 * to its charge (the owner can refund by hand). One statement.
 */
export async function giveUpMovements(db: Db, maxAttempts: number): Promise<number> {
  const result = await db.execute<{ n: number | string }>(sql`
    WITH gave_up AS (
      UPDATE payments p SET status = 'failed', failure_reason = 'gave_up: ' || coalesce(p.failure_reason, 'unreachable'), updated_at = now()
       WHERE p.attempts >= ${maxAttempts}
         AND ((p.kind = 'refund' AND p.status = 'processing' AND p.stripe_refund_id IS NULL)
           OR (p.kind = 'fee' AND p.status = 'requires_payment' AND p.stripe_payment_intent_id IS NULL))
      RETURNING p.kind, p.refund_of, p.amount_cents),
    released AS (
      UPDATE payments c SET refund_reserved_cents = greatest(0, c.refund_reserved_cents - f.total), updated_at = now()
        FROM (SELECT refund_of, sum(amount_cents)::int AS total FROM gave_up WHERE kind = 'refund' GROUP BY refund_of) f
       WHERE c.id = f.refund_of)
    SELECT count(*)::int AS n FROM gave_up`);
  return Number(result.rows[0]?.n ?? 0);
}

/** Writes what Stripe said about each movement — one statement for all of them. */
export async function completeMovements(db: Db, outcomes: MovementOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  const rows = JSON.stringify(
    outcomes.map((o) => ({
      id: o.id,
      status: o.status,
      refund_id: o.stripeRefundId ?? null,
      pi: o.stripePaymentIntentId ?? null,
      charge: o.stripeChargeId ?? null,
      fee: o.applicationFeeCents ?? null,
      failure: o.failureReason ?? null,
    }))
  );
  await db.execute(sql`
    WITH done AS (
      UPDATE payments p
         SET status = CASE WHEN o.status = 'retry' THEN p.status
                           WHEN o.status = 'processing' THEN (CASE WHEN p.kind = 'fee' THEN 'processing' ELSE p.status::text END)::payment_status
                           ELSE o.status::payment_status END,
             stripe_refund_id = coalesce(o.refund_id, p.stripe_refund_id),
             stripe_payment_intent_id = coalesce(o.pi, p.stripe_payment_intent_id),
             stripe_charge_id = coalesce(o.charge, p.stripe_charge_id),
             application_fee_cents = coalesce(o.fee, p.application_fee_cents),
             failure_reason = CASE WHEN o.status IN ('failed', 'retry') THEN o.failure ELSE p.failure_reason END,
             attempts = p.attempts + 1, updated_at = now()
        FROM json_to_recordset(${rows}::json) AS o(id uuid, status text, refund_id text, pi text, charge text, fee int, failure text)
       WHERE p.id = o.id
         -- A webhook may have completed the row already; never move a finished row back.
         AND p.status NOT IN ('succeeded', 'failed', 'canceled')
      RETURNING p.kind, p.status, p.refund_of, p.amount_cents)
    -- A refund Stripe refused gives its reservation back to the charge.
    UPDATE payments c SET refund_reserved_cents = greatest(0, c.refund_reserved_cents - f.total), updated_at = now()
      FROM (SELECT refund_of, sum(amount_cents)::int AS total FROM done WHERE kind = 'refund' AND status = 'failed' GROUP BY refund_of) f
     WHERE c.id = f.refund_of`);
}

// ── Owners ────────────────────────────────────────────────────────────────────────────────────

export interface PaymentRow {
  id: string;
  appointment_id: string;
  kind: 'deposit' | 'full' | 'fee' | 'refund';
  status: string;
  amount_cents: number;
  currency: string;
  application_fee_cents: number;
  reason: string | null;
  failure_reason: string | null;
  refund_of: string | null;
  refunded_cents: number;
  stripe_payment_intent_id: string | null;
  stripe_charge_id: string | null;
  stripe_refund_id: string | null;
  dispute_status: string | null;
  created_ms: number;
  client_id: string;
  client_name: string;
  barber_id: string;
  barber_name: string;
  appointment_start_ms: number;
  /** created_at to the microsecond, as the keyset cursor needs it (epoch ms would round). */
  cursor_ts: string;
}

const paymentRowJson = sql`json_build_object(
    'id', p.id, 'appointment_id', p.appointment_id, 'kind', p.kind, 'status', p.status, 'amount_cents', p.amount_cents,
    'currency', p.currency, 'application_fee_cents', p.application_fee_cents, 'reason', p.reason, 'failure_reason', p.failure_reason,
    'refund_of', p.refund_of,
    'refunded_cents', CASE WHEN p.kind = 'refund' THEN 0 ELSE p.refund_reserved_cents END,
    'stripe_payment_intent_id', p.stripe_payment_intent_id, 'stripe_charge_id', p.stripe_charge_id,
    'stripe_refund_id', p.stripe_refund_id, 'dispute_status', p.dispute_status, 'created_ms', ${ms(sql`p.created_at`)},
    'client_id', a.client_id, 'client_name', trim(u.first_name || ' ' || u.last_name), 'barber_id', a.barber_id,
    'barber_name', b.display_name, 'appointment_start_ms', ${ms(sql`a.start_time`)},
    'cursor_ts', to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))`;

export interface PaymentFilters {
  shopId: string;
  fromMs?: number;
  toMs?: number;
  status?: string;
  kind?: string;
  barberId?: string;
  clientId?: string;
  appointmentId?: string;
  /** Keyset: (created_at to the microsecond, id) of the last row of the previous page. */
  after?: { createdAt: string; id: string };
  limit: number;
}

export interface PaymentTotals {
  currency: string;
  /** Succeeded charges (deposits, prepayments, fees). */
  captured_cents: number;
  refunded_cents: number;
  net_cents: number;
  platform_fee_cents: number;
  /** Fees that could not be collected (declined, no card): for the owner to chase. */
  failed_fee_cents: number;
  disputed_cents: number;
  count: number;
}

/** One page of a shop's payments, newest first, and the totals over every row the filters match — one statement. */
export async function listPayments(db: Db, f: PaymentFilters): Promise<{ rows: PaymentRow[]; totals: PaymentTotals[] }> {
  const conds: SQL[] = [sql`p.shop_id = ${f.shopId}`];
  if (f.fromMs !== undefined) conds.push(sql`p.created_at >= to_timestamp(${f.fromMs / 1000})`);
  if (f.toMs !== undefined) conds.push(sql`p.created_at < to_timestamp(${f.toMs / 1000})`);
  if (f.status) conds.push(sql`p.status::text = ${f.status}`);
  if (f.kind) conds.push(sql`p.kind::text = ${f.kind}`);
  if (f.barberId) conds.push(sql`a.barber_id = ${f.barberId}`);
  if (f.clientId) conds.push(sql`a.client_id = ${f.clientId}`);
  if (f.appointmentId) conds.push(sql`p.appointment_id = ${f.appointmentId}`);
  const where = sql.join(conds, sql` AND `);
  const page = f.after ? sql`AND (p.created_at, p.id) < (${f.after.createdAt}::timestamptz, ${f.after.id}::uuid)` : sql``;
  const result = await db.execute<{ rows: unknown; totals: unknown }>(sql`
    WITH matched AS (
      SELECT p.*, a.client_id, a.barber_id FROM payments p JOIN appointments a ON a.id = p.appointment_id WHERE ${where})
    SELECT
      (SELECT coalesce(json_agg(r ORDER BY created_at DESC, id DESC), '[]') FROM (
         SELECT ${paymentRowJson} AS r, p.created_at, p.id
           FROM payments p JOIN appointments a ON a.id = p.appointment_id JOIN users u ON u.id = a.client_id JOIN barbers b ON b.id = a.barber_id
          WHERE ${where} ${page}
          ORDER BY p.created_at DESC, p.id DESC
          LIMIT ${f.limit + 1}) x) AS rows,
      (SELECT coalesce(json_agg(t), '[]') FROM (
         SELECT currency,
                coalesce(sum(amount_cents) FILTER (WHERE kind <> 'refund' AND status = 'succeeded'), 0)::int AS captured_cents,
                coalesce(sum(amount_cents) FILTER (WHERE kind = 'refund' AND status = 'succeeded'), 0)::int AS refunded_cents,
                (coalesce(sum(amount_cents) FILTER (WHERE kind <> 'refund' AND status = 'succeeded'), 0)
                 - coalesce(sum(amount_cents) FILTER (WHERE kind = 'refund' AND status = 'succeeded'), 0))::int AS net_cents,
                coalesce(sum(application_fee_cents) FILTER (WHERE kind <> 'refund' AND status = 'succeeded'), 0)::int AS platform_fee_cents,
                coalesce(sum(amount_cents) FILTER (WHERE kind = 'fee' AND status = 'failed'), 0)::int AS failed_fee_cents,
                coalesce(sum(amount_cents) FILTER (WHERE dispute_id IS NOT NULL), 0)::int AS disputed_cents,
                count(*)::int AS count
           FROM matched GROUP BY currency ORDER BY currency) t) AS totals`);
  const row = result.rows[0];
  return {
    rows: row?.rows == null ? [] : parse<PaymentRow[]>(row.rows),
    totals: row?.totals == null ? [] : parse<PaymentTotals[]>(row.totals),
  };
}

export type ManualRefundResult =
  | { status: 'created'; refund: Movement }
  | { status: 'not_found' | 'forbidden' | 'not_refundable' }
  | { status: 'exceeds'; remaining_cents: number };

/**
 * An owner gives money back on one charge of their shop: checks the caller's role, that the
 * charge succeeded, and that the amount (all that is left when null) is no more than is left of
 * it after every refund made or under way — then records the refund row. One statement, so two
 * refunds racing cannot both pass the check: the row lock on the charge orders them.
 */
export async function requestManualRefund(
  db: Db,
  r: {
    paymentId: string;
    actorId: string;
    amountCents: number | null;
    note: string | null;
  }
): Promise<ManualRefundResult> {
  const result = await db.execute<{
    found: boolean | string;
    allowed: boolean | string;
    refundable: boolean | string;
    remaining: number | string | null;
    refund: unknown;
  }>(sql`
    WITH charge AS (SELECT p.* FROM payments p WHERE p.id = ${r.paymentId}),
    standing AS (
      SELECT charge.*,
             (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = ${r.actorId} AND m.shop_id = charge.shop_id AND m.role = 'owner')
              OR ${isPlatformAdminSql(r.actorId)}) AS allowed,
             (charge.kind <> 'refund' AND charge.status = 'succeeded') AS refundable,
             charge.amount_cents - charge.refund_reserved_cents AS remaining,
             coalesce(${r.amountCents}::int, charge.amount_cents - charge.refund_reserved_cents) AS take
        FROM charge),
    -- The reservation decides: a conditional UPDATE of the charge row waits for any refund racing
    -- it and re-checks against the committed reservation, so only what is left can be taken.
    reserve AS (
      UPDATE payments c SET refund_reserved_cents = c.refund_reserved_cents + s.take, updated_at = now()
        FROM standing s
       WHERE c.id = s.id AND s.allowed AND s.refundable AND s.take >= 1 AND c.refund_reserved_cents + s.take <= c.amount_cents
      RETURNING c.id, c.appointment_id, c.shop_id, c.currency, c.stripe_account_id, s.take),
    ins AS (
      INSERT INTO payments (appointment_id, shop_id, amount_cents, currency, kind, status, refund_of, reason, stripe_account_id)
      SELECT r.appointment_id, r.shop_id, r.take, r.currency, 'refund', 'processing', r.id, 'manual', r.stripe_account_id
        FROM reserve r
      RETURNING *),
    aud AS (
      INSERT INTO audit_log (shop_id, actor_id, action, entity, entity_id, data)
      SELECT shop_id, ${r.actorId}, 'payment.refund_requested', 'payment', ${r.paymentId}::text,
             jsonb_build_object('refund', id, 'amount_cents', amount_cents, 'note', ${r.note}::text)
        FROM ins)
    SELECT EXISTS (SELECT 1 FROM standing) AS found, (SELECT allowed FROM standing) AS allowed,
           (SELECT refundable FROM standing) AS refundable, (SELECT remaining FROM standing) AS remaining,
           (SELECT ${movementJson(
             'ins',
             sql`(SELECT stripe_payment_intent_id FROM charge)`,
             sql`(SELECT a.client_id FROM appointments a WHERE a.id = ins.appointment_id)`
           )} FROM ins) AS refund`);
  const row = result.rows[0];
  if (!row || !truthy(row.found)) return { status: 'not_found' };
  if (!truthy(row.allowed)) return { status: 'forbidden' };
  if (!truthy(row.refundable)) return { status: 'not_refundable' };
  if (row.refund == null) return { status: 'exceeds', remaining_cents: Number(row.remaining ?? 0) };
  return { status: 'created', refund: parse<Movement>(row.refund) };
}

/** What is left to refund on a charge now (null: no such payment). */
export async function refundableCents(db: Db, paymentId: string): Promise<number | null> {
  const result = await db.execute<{ left: number | string }>(sql`
    SELECT amount_cents - refund_reserved_cents AS left FROM payments WHERE id = ${paymentId}`);
  const row = result.rows[0];
  return row ? Number(row.left) : null;
}

/** One payment row as the owner sees it (after a refund was sent). */
export async function paymentRow(db: Db, paymentId: string): Promise<PaymentRow | null> {
  const result = await db.execute<{ r: unknown }>(sql`
    SELECT ${paymentRowJson} AS r
      FROM payments p JOIN appointments a ON a.id = p.appointment_id JOIN users u ON u.id = a.client_id JOIN barbers b ON b.id = a.barber_id
     WHERE p.id = ${paymentId}`);
  const row = result.rows[0];
  return row ? parse<PaymentRow>(row.r) : null;
}

export interface ShopStripeState {
  shop_id: string;
  name: string;
  currency: string;
  country: string | null;
  owner_email: string | null;
  stripe_account_id: string | null;
  charges_enabled: boolean;
  payouts_enabled: boolean;
  details_submitted: boolean;
  requirements: {
    currently_due: string[];
    disabled_reason: string | null;
  } | null;
  synced_ms: number | null;
}

/** The shop's Stripe state (the caller's right to see it is checked before, by authorizeShopRoles). */
export async function shopStripeState(db: Db, shopId: string, ownerId: string): Promise<ShopStripeState | null> {
  const result = await db.execute<{ s: unknown }>(sql`
    SELECT json_build_object('shop_id', s.id, 'name', s.name, 'currency', s.currency, 'country', s.address->>'country',
             'owner_email', (SELECT email FROM users WHERE id = ${ownerId}),
             'stripe_account_id', s.stripe_account_id, 'charges_enabled', s.stripe_charges_enabled,
             'payouts_enabled', s.stripe_payouts_enabled, 'details_submitted', s.stripe_details_submitted,
             'requirements', s.stripe_requirements, 'synced_ms', ${ms(sql`s.stripe_account_synced_at`)}) AS s
      FROM shops s WHERE s.id = ${shopId}`);
  const row = result.rows[0];
  return row ? parse<ShopStripeState>(row.s) : null;
}

/** Links a new Connect account to the shop (only if it has none, or had one Stripe no longer knows). */
export async function linkShopAccount(db: Db, shopId: string, accountId: string, replacing: string | null): Promise<string> {
  const result = await db.execute<{ id: string | null }>(sql`
    WITH upd AS (
      UPDATE shops SET stripe_account_id = ${accountId}, stripe_charges_enabled = false, stripe_payouts_enabled = false,
             stripe_details_submitted = false, stripe_requirements = NULL, stripe_account_synced_at = NULL, updated_at = now()
       WHERE id = ${shopId} AND stripe_account_id IS NOT DISTINCT FROM ${replacing}
      RETURNING stripe_account_id)
    SELECT coalesce((SELECT stripe_account_id FROM upd), (SELECT stripe_account_id FROM shops WHERE id = ${shopId})) AS id`);
  return result.rows[0]?.id ?? accountId;
}
