import { relations, sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  jsonb,
  pgEnum,
  pgTable,
  text,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import { currency, timestamps, tstz } from './columns';
import { users, barbers, clientNotes } from './people';
import { services } from './catalogue';
import { appointments, waitlistEntries } from './appointments';

/**
 * Roles are per shop: the same user may be a client at one shop and a barber at another.
 * `admin` stays in the enum only so existing SQL comparing against it keeps parsing: no
 * membership may hold it (memberships_role_check). Platform staff are `users.platform_admin`,
 * which only direct database action sets; nothing a shop does can grant it.
 */
export const membershipRole = pgEnum('membership_role', ['client', 'barber', 'owner', 'admin']);
export type MembershipRole = (typeof membershipRole.enumValues)[number];
/** The roles a shop membership can hold. */
export type ShopRole = Exclude<MembershipRole, 'admin'>;
/** The only role an invitation offers: staff are invited as barbers; owners create shops. */
export const INVITATION_ROLES = ['barber'] as const;
export type InvitationRole = (typeof INVITATION_ROLES)[number];

/** A money rule used for deposits and fees: a percentage of the price or a fixed amount. */
export interface MoneyRule {
  /** `full`: the whole price (prepay, or a no-show fee of the full price). */
  kind: 'none' | 'percent' | 'fixed' | 'full';
  /** percent: 0..100; fixed: minor units in the shop currency; none/full: ignored (0). */
  value: number;
}

export interface ShopPolicy {
  /** How long a `held` appointment reserves its slot before it is released. */
  hold_minutes: number;
  deposit: MoneyRule;
  /** Cancelling less than this many hours before start counts as a late cancel. */
  cancel_window_hours: number;
  late_cancel_fee: MoneyRule;
  no_show_fee: MoneyRule;
  buffer_before_min: number;
  buffer_after_min: number;
  /** Earliest bookable slot is now + min_notice_min. */
  min_notice_min: number;
  /** Latest bookable slot is today + booking_window_days (shop time). */
  booking_window_days: number;
  /** Slots start on this wall-clock grid (minutes past local midnight divisible by it). */
  slot_step_min: number;
  /** Active future bookings one client may hold at this shop at once (stops hoarding a week). */
  max_future_bookings: number;
  /** How long a waitlist offer's hold lasts before it passes to the next client. */
  waitlist_offer_minutes: number;
  /**
   * Ask for a card on file when booking online (saved on the client's Stripe customer), so
   * late-cancel and no-show fees can be charged off-session later. With a deposit the card is
   * saved by paying it; without one the booking is held until the card is saved.
   */
  card_on_file: boolean;
}

export const DEFAULT_SHOP_POLICY: ShopPolicy = {
  hold_minutes: 10,
  deposit: { kind: 'none', value: 0 },
  cancel_window_hours: 24,
  late_cancel_fee: { kind: 'none', value: 0 },
  no_show_fee: { kind: 'none', value: 0 },
  buffer_before_min: 0,
  buffer_after_min: 0,
  min_notice_min: 60,
  booking_window_days: 60,
  slot_step_min: 15,
  max_future_bookings: 3,
  waitlist_offer_minutes: 30,
  card_on_file: false,
};

/**
 * Policies are stored as written; fields added later read as their defaults, so an old shop row
 * never lacks a rule.
 */
export function withPolicyDefaults(stored: Partial<ShopPolicy> | null | undefined): ShopPolicy {
  return { ...DEFAULT_SHOP_POLICY, ...(stored ?? {}) };
}

export interface ShopAddress {
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postal_code: string;
  /** ISO 3166-1 alpha-2 */
  country: string;
}

export const shops = pgTable(
  'shops',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // Public URL key (/s/{slug}); lower-case kebab so it never needs case folding.
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    /** IANA zone, e.g. America/New_York. All wall-clock rules (working hours) are in this zone. */
    timezone: text('timezone').notNull(),
    currency: currency().notNull(),
    address: jsonb('address').$type<ShopAddress>(),
    policy: jsonb('policy').$type<ShopPolicy>().notNull().default(DEFAULT_SHOP_POLICY),
    active: boolean('active').notNull().default(true),
    /**
     * The shop's Stripe Connect account (charges are destination charges to it, ADR 13) and what
     * Stripe last said about it (`account.updated`). Payments are on only when charges are enabled.
     */
    stripeAccountId: text('stripe_account_id'),
    stripeChargesEnabled: boolean('stripe_charges_enabled').notNull().default(false),
    stripePayoutsEnabled: boolean('stripe_payouts_enabled').notNull().default(false),
    stripeDetailsSubmitted: boolean('stripe_details_submitted').notNull().default(false),
    /** Stripe's `requirements.currently_due` and `disabled_reason`: why payments are off. */
    stripeRequirements: jsonb('stripe_requirements').$type<{ currently_due: string[]; disabled_reason: string | null }>(),
    /** `created` of the account event last applied: an older, late event never overwrites a newer one. */
    stripeAccountSyncedAt: tstz('stripe_account_synced_at'),
    ...timestamps,
  },
  (t) => [
    unique('shops_slug_unique').on(t.slug),
    unique('shops_stripe_account_id_unique').on(t.stripeAccountId),
    check('shops_slug_format_check', sql`${t.slug} ~ '^[a-z0-9]+(-[a-z0-9]+)*$'`),
    check('shops_currency_check', sql`${t.currency} ~ '^[A-Z]{3}$'`),
    // Cheap sanity only; real IANA validation happens in the API (Intl knows the zone list).
    check('shops_timezone_check', sql`${t.timezone} <> ''`),
  ],
);

export const memberships = pgTable(
  'memberships',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // CASCADE: a membership is meaningless without its user or shop.
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    role: membershipRole('role').notNull(),
    ...timestamps,
  },
  (t) => [
    unique('memberships_user_shop_role_unique').on(t.userId, t.shopId, t.role),
    // A shop cannot make anyone platform staff (see users.platform_admin).
    check('memberships_role_check', sql`${t.role} <> 'admin'`),
    // "clients of this shop" / "staff of this shop" lookups (client search joins through here).
    index('memberships_shop_role_idx').on(t.shopId, t.role),
  ],
);

export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    // Accepting copies this role into a membership, so only a barber can be invited.
    role: membershipRole('role').$type<InvitationRole>().notNull(),
    // Only a hash of the e-mailed token is stored: a DB leak must not yield usable invites.
    tokenHash: text('token_hash').notNull(),
    // SET NULL: the invite stays auditable if the inviter's account is removed.
    invitedBy: uuid('invited_by').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: tstz('expires_at').notNull(),
    acceptedAt: tstz('accepted_at'),
    ...timestamps,
  },
  (t) => [
    unique('invitations_token_hash_unique').on(t.tokenHash),
    check('invitations_role_check', sql`${t.role} = 'barber'`),
    index('invitations_shop_idx').on(t.shopId),
  ],
);

export const shopsRelations = relations(shops, ({ many }) => ({
  memberships: many(memberships),
  invitations: many(invitations),
  barbers: many(barbers),
  services: many(services),
  appointments: many(appointments),
  clientNotes: many(clientNotes),
  waitlistEntries: many(waitlistEntries),
}));

export const membershipsRelations = relations(memberships, ({ one }) => ({
  user: one(users, { fields: [memberships.userId], references: [users.id] }),
  shop: one(shops, { fields: [memberships.shopId], references: [shops.id] }),
}));

export const invitationsRelations = relations(invitations, ({ one }) => ({
  shop: one(shops, { fields: [invitations.shopId], references: [shops.id] }),
  inviter: one(users, { fields: [invitations.invitedBy], references: [users.id] }),
}));

export type Shop = typeof shops.$inferSelect;
export type NewShop = typeof shops.$inferInsert;
export type Membership = typeof memberships.$inferSelect;
export type NewMembership = typeof memberships.$inferInsert;
export type Invitation = typeof invitations.$inferSelect;
export type NewInvitation = typeof invitations.$inferInsert;
