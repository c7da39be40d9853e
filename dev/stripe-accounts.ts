/**
 * Connect accounts on the Stripe stand-in for `npm start`. The stand-in keeps its state in memory
 * and starts empty every time, while the database outlives it; so after seeding, every demo shop
 * gets an Express account created through the SDK and finished with the stand-in's test hook
 * (`POST /__test/accounts/:id complete=true`: charges and payouts enabled, nothing due), and its
 * row says so — payments work in the demo without anyone onboarding.
 *
 * Rows pointing at what this stand-in never saw (an earlier run's) are put right as well:
 *   - a shop whose payments were on gets a fresh finished account;
 *   - a shop that was still onboarding goes back to no account (its owner starts again);
 *   - a client's saved Stripe customer is forgotten (the next payment creates a new one).
 * The demo history's payments (ids `pi_demo_…`, `re_demo_…`) follow their shop to its new account.
 */
import { neon } from '@neondatabase/serverless';
import { and, eq, inArray, isNotNull, like, ne, or } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/neon-http';
import Stripe from 'stripe';
import { configureNeonDriver } from '../worker/db/endpoint.ts';
import type { AnyDb } from '../worker/db/queries/types.ts';
import * as schema from '../worker/db/schema/index.ts';
import { DEMO_SHOPS, DEMO_STRIPE_ID_PREFIX } from '../worker/db/seed/index.ts';

const { memberships, payments, shops, stripeCustomers, users } = schema;

/** Where the stand-in listens and the secret key it wants. */
export interface StandinTarget {
  host: string;
  port: number;
  secretKey: string;
}

export interface ConnectedShop {
  shopId: string;
  slug: string;
  accountId: string;
  /** The account the row named before, when this run replaced it. */
  replaced: string | null;
}

export interface StripeAccountsReport {
  /** Shops whose row now names a finished account of this stand-in (demo shops first). */
  connected: ConnectedShop[];
  /** Shops that were mid-onboarding on an account this stand-in does not know: back to none. */
  disconnected: { shopId: string; slug: string; previousAccountId: string }[];
  /** stripe_customers rows removed because this stand-in does not know their customer. */
  customersForgotten: number;
}

export interface ConnectShopsOptions {
  /** Shops that always get a finished account; the demo shops by default. */
  demoSlugs?: string[];
  /** Clock for stripe_account_synced_at. */
  now?: () => Date;
}

/** The SDK pointed at the stand-in (plain http, no retries: it is local). */
export function standinStripe(target: StandinTarget): Stripe {
  return new Stripe(target.secretKey, {
    host: target.host,
    port: target.port,
    protocol: 'http',
    maxNetworkRetries: 0,
    telemetry: false,
  });
}

const isMissing = (e: unknown) => e instanceof Stripe.errors.StripeError && e.statusCode === 404;

/** The account if this stand-in has it and it is this shop's; undefined otherwise. */
async function knownAccount(stripe: Stripe, accountId: string, shopId: string): Promise<Stripe.Account | undefined> {
  try {
    const account = await stripe.accounts.retrieve(accountId);
    return account.metadata?.shop_id === shopId ? account : undefined;
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

/** Stripe's `LIKE` prefix for ids, with `_` taken literally. */
const prefixPattern = (prefix: string) => `${prefix.replace(/_/g, '\\_')}%`;

/**
 * Gives every demo shop (and every shop whose payments were on) a finished account of this
 * stand-in, clears accounts and customers it does not know, and reports what it did. Running it
 * again against the same stand-in keeps the accounts it made.
 */
export async function connectShopsToStandin(db: AnyDb, stripe: Stripe, options: ConnectShopsOptions = {}): Promise<StripeAccountsReport> {
  const demoSlugs = options.demoSlugs ?? DEMO_SHOPS.map((s) => s.slug);
  const now = options.now ?? (() => new Date());
  const report: StripeAccountsReport = { connected: [], disconnected: [], customersForgotten: 0 };

  const rows = await db
    .select({
      id: shops.id,
      slug: shops.slug,
      name: shops.name,
      address: shops.address,
      accountId: shops.stripeAccountId,
      chargesEnabled: shops.stripeChargesEnabled,
    })
    .from(shops)
    .where(demoSlugs.length > 0 ? or(inArray(shops.slug, demoSlugs), isNotNull(shops.stripeAccountId)) : isNotNull(shops.stripeAccountId));
  // Demo shops first, in the demo's order: with a fixed STRIPE_STANDIN_SEED they get the same ids each run.
  const rank = (slug: string) => (demoSlugs.includes(slug) ? demoSlugs.indexOf(slug) : demoSlugs.length);
  rows.sort((a, b) => rank(a.slug) - rank(b.slug) || a.slug.localeCompare(b.slug));

  const owners = rows.length === 0 ? [] : await db
    .select({ shopId: memberships.shopId, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(inArray(memberships.shopId, rows.map((r) => r.id)), eq(memberships.role, 'owner')))
    .orderBy(memberships.createdAt);
  const ownerEmail = (shopId: string) => owners.find((o) => o.shopId === shopId)?.email;

  for (const row of rows) {
    const demo = demoSlugs.includes(row.slug);
    const known = row.accountId ? await knownAccount(stripe, row.accountId, row.id) : undefined;
    if (known && !demo) continue; // made in this run (by the Worker): the row is right
    if (!known && !demo && !row.chargesEnabled) {
      await db
        .update(shops)
        .set({
          stripeAccountId: null,
          stripeChargesEnabled: false,
          stripePayoutsEnabled: false,
          stripeDetailsSubmitted: false,
          stripeRequirements: null,
          stripeAccountSyncedAt: null,
        })
        .where(eq(shops.id, row.id));
      report.disconnected.push({ shopId: row.id, slug: row.slug, previousAccountId: row.accountId as string });
      continue;
    }
    const account = known ?? await stripe.accounts.create({
      type: 'express',
      country: row.address?.country ?? 'US',
      email: ownerEmail(row.id) ?? undefined,
      business_profile: { name: row.name },
      metadata: { shop_id: row.id },
    });
    const finished = (await stripe.rawRequest('POST', `/__test/accounts/${account.id}`, { complete: true })) as unknown as Stripe.Account;
    if (!finished.charges_enabled || !finished.payouts_enabled) {
      throw new Error(`the Stripe stand-in did not finish onboarding ${account.id} for ${row.slug}`);
    }
    if (account.id !== row.accountId) {
      // Whatever row still names this fresh id refers to an earlier run's account (fixed seeds repeat ids).
      await db.update(shops).set({ stripeAccountId: null }).where(and(eq(shops.stripeAccountId, account.id), ne(shops.id, row.id)));
    }
    await db
      .update(shops)
      .set({
        stripeAccountId: finished.id,
        stripeChargesEnabled: finished.charges_enabled,
        stripePayoutsEnabled: finished.payouts_enabled,
        stripeDetailsSubmitted: finished.details_submitted,
        stripeRequirements: {
          currently_due: finished.requirements?.currently_due ?? [],
          disabled_reason: finished.requirements?.disabled_reason ?? null,
        },
        // Whole seconds, as Stripe's `created`: the account.updated the hook fired is not older.
        stripeAccountSyncedAt: new Date(Math.floor(now().getTime() / 1000) * 1000),
      })
      .where(eq(shops.id, row.id));
    if (demo) {
      await db
        .update(payments)
        .set({ stripeAccountId: finished.id })
        .where(
          and(
            eq(payments.shopId, row.id),
            or(
              like(payments.stripePaymentIntentId, prefixPattern(DEMO_STRIPE_ID_PREFIX.paymentIntent)),
              like(payments.stripeRefundId, prefixPattern(DEMO_STRIPE_ID_PREFIX.refund)),
            ),
          ),
        );
    }
    report.connected.push({ shopId: row.id, slug: row.slug, accountId: finished.id, replaced: account.id === row.accountId ? null : row.accountId });
  }

  report.customersForgotten = await forgetUnknownCustomers(db, stripe);
  return report;
}

/** Deletes stripe_customers rows whose customer this stand-in does not have (or has deleted). */
async function forgetUnknownCustomers(db: AnyDb, stripe: Stripe): Promise<number> {
  const saved = await db.select({ userId: stripeCustomers.userId, customerId: stripeCustomers.customerId }).from(stripeCustomers);
  const unknown: string[] = [];
  for (let i = 0; i < saved.length; i += 10) {
    await Promise.all(
      saved.slice(i, i + 10).map(async (row) => {
        try {
          const customer = await stripe.customers.retrieve(row.customerId);
          if (customer.deleted) unknown.push(row.userId);
        } catch (e) {
          if (!isMissing(e)) throw e;
          unknown.push(row.userId);
        }
      }),
    );
  }
  if (unknown.length > 0) await db.delete(stripeCustomers).where(inArray(stripeCustomers.userId, unknown));
  return unknown.length;
}

/** For `npm start`: the same over Neon HTTP, like the seed. */
export async function connectDemoShops(options: { connectionString: string; stripe: StandinTarget }): Promise<StripeAccountsReport> {
  configureNeonDriver();
  const db = drizzle({ client: neon(options.connectionString), schema });
  return connectShopsToStandin(db, standinStripe(options.stripe));
}

/** One line for the console, e.g. "Stripe (stand-in): 2 shops connected (fade-street, kings-cross-cuts)". */
export function stripeAccountsSummary(report: StripeAccountsReport): string {
  const n = report.connected.length;
  const parts = [`Stripe (stand-in): ${n} shop${n === 1 ? '' : 's'} connected (${report.connected.map((c) => c.slug).join(', ') || 'none'})`];
  const d = report.disconnected.length;
  if (d > 0) parts.push(`${d} shop${d === 1 ? '' : 's'} back to onboarding (${report.disconnected.map((c) => c.slug).join(', ')})`);
  const f = report.customersForgotten;
  if (f > 0) parts.push(`${f} saved card${f === 1 ? '' : 's'} from an earlier run forgotten`);
  return parts.join('; ');
}
