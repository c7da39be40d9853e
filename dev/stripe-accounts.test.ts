// @vitest-environment node
/**
 * dev/stripe-accounts.ts against an in-memory PGlite (migrations as shipped, the demo seed) and
 * real stand-ins: one for a first `npm start`, a second for the restart that forgot it all.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { and, eq, inArray, isNull, like } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyDb } from '../worker/db/queries/types.ts';
import * as schema from '../worker/db/schema/index.ts';
import { buildShop, seedDemo } from '../worker/db/seed/index.ts';
import { connectShopsToStandin, standinStripe, stripeAccountsSummary, type StripeAccountsReport } from './stripe-accounts.ts';
import { startStripeStandin, type StripeStandin } from './stripe-standin.ts';

const { payments, shops, stripeCustomers } = schema;
const SECRET_KEY = 'sk_test_accounts_123';
const NOW = new Date('2031-03-04T15:00:00Z');

describe('connectShopsToStandin', () => {
  let client: PGlite;
  let db: AnyDb;
  let userIds: Record<string, string>;
  const standins: StripeStandin[] = [];

  async function standin(): Promise<{ standin: StripeStandin; stripe: Stripe }> {
    const s = await startStripeStandin({ secretKey: SECRET_KEY });
    standins.push(s);
    return { standin: s, stripe: standinStripe({ host: s.host, port: s.port, secretKey: SECRET_KEY }) };
  }

  const shopRow = async (slug: string) => {
    const [row] = await db.select().from(shops).where(eq(shops.slug, slug));
    if (!row) throw new Error(`no shop ${slug}`);
    return row;
  };

  beforeAll(async () => {
    client = new PGlite({ extensions: { btree_gist } });
    db = drizzle(client, { schema }) as unknown as AnyDb;
    await migrate(drizzle(client), { migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)) });
    const seeded = await seedDemo(db, { now: NOW, keyring: `k1:${randomBytes(32).toString('base64')}`, passwordHash: 'demo-hash' });
    userIds = seeded.users;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(standins.map((s) => s.close()));
    await client?.close();
  });

  describe('on a first start', () => {
    let stripe: Stripe;
    let report: StripeAccountsReport;

    beforeAll(async () => {
      ({ stripe } = await standin());
      report = await connectShopsToStandin(db, stripe, { now: () => NOW });
    });

    it('gives every demo shop a finished Express account made for it, and writes that to its row', async () => {
      expect(report.connected.map((c) => c.slug)).toEqual(['fade-street', 'kings-cross-cuts']);
      expect(report.connected.every((c) => c.replaced === null)).toBe(true);
      expect(report.disconnected).toEqual([]);
      for (const [slug, country, email, name] of [
        ['fade-street', 'US', 'owner@fadestreet.test', 'Fade Street'],
        ['kings-cross-cuts', 'GB', 'owner@kingscrosscuts.test', 'Kings Cross Cuts'],
      ] as const) {
        const row = await shopRow(slug);
        expect(row).toMatchObject({
          stripeChargesEnabled: true, stripePayoutsEnabled: true, stripeDetailsSubmitted: true,
          stripeRequirements: { currently_due: [], disabled_reason: null }, stripeAccountSyncedAt: NOW,
        });
        expect(row.stripeAccountId).toBe(report.connected.find((c) => c.slug === slug)?.accountId);
        const account = await stripe.accounts.retrieve(row.stripeAccountId as string);
        expect(account).toMatchObject({
          type: 'express', country, email, business_profile: { name }, metadata: { shop_id: row.id },
          charges_enabled: true, payouts_enabled: true, details_submitted: true, capabilities: { card_payments: 'active', transfers: 'active' },
        });
      }
      // The stand-in told the webhook what happened, as it would for an owner finishing onboarding.
      const events = await stripe.events.list({ type: 'account.updated' }, { stripeAccount: report.connected[0]?.accountId });
      expect((events.data[0]?.data.object as Stripe.Account).charges_enabled).toBe(true);
      expect(stripeAccountsSummary(report)).toBe('Stripe (stand-in): 2 shops connected (fade-street, kings-cross-cuts)');
    });

    it("points the demo history's Stripe payments at their shop's account; money paid at the shop has none", async () => {
      for (const c of report.connected) {
        const rows = await db.select().from(payments).where(eq(payments.shopId, c.shopId));
        const viaStripe = rows.filter((p) => p.stripePaymentIntentId !== null || p.stripeRefundId !== null);
        expect(viaStripe.length).toBeGreaterThan(5);
        expect(viaStripe.every((p) => p.stripeAccountId === c.accountId)).toBe(true);
        const external = rows.filter((p) => p.reason === 'external');
        expect(external.length).toBeGreaterThan(0);
        expect(external.every((p) => p.stripeAccountId === null && p.kind === 'full')).toBe(true);
      }
    });

    it('keeps the accounts it made when run again against the same stand-in', async () => {
      const before = await stripe.accounts.list({ limit: 100 });
      const again = await connectShopsToStandin(db, stripe, { now: () => NOW });
      expect(again.connected.map((c) => [c.slug, c.accountId, c.replaced])).toEqual(report.connected.map((c) => [c.slug, c.accountId, null]));
      expect((await stripe.accounts.list({ limit: 100 })).data.length).toBe(before.data.length);
    });
  });

  describe('after a restart (a new, empty stand-in)', () => {
    let stripe: Stripe;
    let first: Record<string, string | null>;
    let report: StripeAccountsReport;
    const [live, onboarding, untouched] = [buildShop(), buildShop(), buildShop()];

    beforeAll(async () => {
      first = Object.fromEntries((await db.select({ slug: shops.slug, id: shops.stripeAccountId }).from(shops)).map((r) => [r.slug, r.id]));
      await db.insert(shops).values([
        { ...live, address: { line1: '1 Rue', city: 'Paris', postal_code: '75001', country: 'FR' }, stripeAccountId: 'acct_earlierrun01', stripeChargesEnabled: true, stripePayoutsEnabled: true, stripeDetailsSubmitted: true },
        { ...onboarding, stripeAccountId: 'acct_earlierrun02', stripeRequirements: { currently_due: ['external_account'], disabled_reason: 'requirements.past_due' } },
        untouched,
      ]);
      ({ stripe } = await standin());
      // A client who saved a card in this run, and one whose customer was on the earlier stand-in.
      const current = await stripe.customers.create({ email: 'client1@example.test' });
      await db.insert(stripeCustomers).values([
        { userId: userIds['client1@example.test'] as string, customerId: current.id, cardBrand: 'visa', cardLast4: '4242' },
        { userId: userIds['client2@example.test'] as string, customerId: 'cus_earlierrun1', cardBrand: 'visa', cardLast4: '4242' },
      ]);
      report = await connectShopsToStandin(db, stripe, { now: () => NOW });
    });

    it('replaces the demo shops\' accounts, and gives a shop whose payments were on a fresh finished one', async () => {
      expect(report.connected.map((c) => c.slug)).toEqual(['fade-street', 'kings-cross-cuts', live.slug]);
      for (const c of report.connected) {
        expect(c.replaced).toBe(c.slug === live.slug ? 'acct_earlierrun01' : first[c.slug]);
        expect(c.accountId).not.toBe(c.replaced);
        expect((await shopRow(c.slug)).stripeAccountId).toBe(c.accountId);
        expect((await stripe.accounts.retrieve(c.accountId)).charges_enabled).toBe(true);
      }
      expect((await stripe.accounts.retrieve((await shopRow(live.slug)).stripeAccountId as string)).country).toBe('FR');
      const stale = await db.select({ id: payments.id }).from(payments).where(
        and(inArray(payments.shopId, report.connected.map((c) => c.shopId)), like(payments.stripePaymentIntentId, 'pi\\_demo\\_%'), inArray(payments.stripeAccountId, Object.values(first).filter((x): x is string => x !== null))),
      );
      expect(stale).toEqual([]);
    });

    it('sends a shop that was still onboarding back to no account, and leaves shops without one alone', async () => {
      expect(report.disconnected).toEqual([{ shopId: (await shopRow(onboarding.slug)).id, slug: onboarding.slug, previousAccountId: 'acct_earlierrun02' }]);
      expect(await shopRow(onboarding.slug)).toMatchObject({
        stripeAccountId: null, stripeChargesEnabled: false, stripePayoutsEnabled: false, stripeDetailsSubmitted: false, stripeRequirements: null, stripeAccountSyncedAt: null,
      });
      expect((await shopRow(untouched.slug)).stripeAccountId).toBeNull();
      expect(await db.select({ id: shops.id }).from(shops).where(and(eq(shops.slug, untouched.slug), isNull(shops.stripeAccountSyncedAt)))).toHaveLength(1);
    });

    it('forgets saved customers the stand-in does not know and keeps the ones it does', async () => {
      expect(report.customersForgotten).toBe(1);
      const left = await db.select({ userId: stripeCustomers.userId }).from(stripeCustomers);
      expect(left).toEqual([{ userId: userIds['client1@example.test'] }]);
      expect(stripeAccountsSummary(report)).toBe(
        `Stripe (stand-in): 3 shops connected (fade-street, kings-cross-cuts, ${live.slug}); 1 shop back to onboarding (${onboarding.slug}); 1 saved card from an earlier run forgotten`,
      );
    });
  });
});
