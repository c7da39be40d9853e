import { eq } from 'drizzle-orm';
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { shops, stripeEvents } from '../../db/schema';
import { tokenFor } from '../../../tests/worker/auth';
import { problemOf, testDb } from '../../../tests/worker/harness';
import { deliver, stripe } from '../../../tests/worker/stripe';
import { createManagedShop, send } from '../../../tests/worker/world';
import type { PaymentsStatus } from '../../services/shop-payments';

type Onboarding = { url: string; expires_at: string; status: PaymentsStatus };

const onboard = (shopId: string, token: string | null) => send('POST', `/api/v1/shops/${shopId}/stripe/onboarding`, token);
const status = (shopId: string, token: string | null) => send('GET', `/api/v1/shops/${shopId}/stripe`, token);

async function shopRow(shopId: string) {
  const [row] = await testDb().select().from(shops).where(eq(shops.id, shopId));
  return row!;
}

/** The newest account.updated about `accountId` (Connect events live on the connected account). */
async function accountUpdated(accountId: string): Promise<Stripe.Event> {
  const page = await stripe().events.list({ type: 'account.updated', limit: 100 }, { stripeAccount: accountId });
  const found = page.data.filter((e) => (e.data.object as { id?: string }).id === accountId).sort((a, b) => b.created - a.created)[0];
  if (!found) throw new Error(`no account.updated for ${accountId}`);
  return found;
}

/** An account.updated as Stripe would send it, built by hand (`created` chosen by the test). */
function handMadeAccountUpdated(account: Stripe.Account, created: number, state: Partial<Stripe.Account>): Record<string, unknown> {
  return {
    id: `evt_hand_${crypto.randomUUID().replaceAll('-', '')}`,
    object: 'event',
    account: account.id,
    api_version: '2024-06-20',
    created,
    data: { object: { ...account, ...state } },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'account.updated',
  };
}

describe('POST /api/v1/shops/{id}/stripe/onboarding', () => {
  it("creates the shop's Express account on first use and links it; again: the same account, a fresh link", async () => {
    const w = await createManagedShop(testDb());
    expect((await shopRow(w.shop.id)).stripeAccountId).toBeNull();

    const first = await onboard(w.shop.id, w.owner.token);
    expect(first.status, await first.clone().text()).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const body = (await first.json()) as Onboarding;
    const accountId = body.status.stripe_account_id!;
    expect(accountId).toMatch(/^acct_/);
    expect(body.url).toContain(`/connect/onboard/${accountId}`);
    expect(Date.parse(body.expires_at)).toBeGreaterThan(Date.now());
    expect(body.status).toMatchObject({ connected: true, charges_enabled: false, payments_enabled: false, details_submitted: false });

    // Linked in our database, and Stripe knows which shop it is for.
    expect((await shopRow(w.shop.id)).stripeAccountId).toBe(accountId);
    const account = await stripe().accounts.retrieve(accountId);
    expect(account.type).toBe('express');
    expect(account.metadata?.shop_id).toBe(w.shop.id);
    expect(account.email).toBe(w.owner.user.email);

    const again = await onboard(w.shop.id, w.owner.token);
    expect(again.status).toBe(200);
    const second = (await again.json()) as Onboarding;
    expect(second.status.stripe_account_id).toBe(accountId);
    expect(second.url).toContain(`/connect/onboard/${accountId}`);
    expect(second.url).not.toBe(body.url);
    expect((await shopRow(w.shop.id)).stripeAccountId).toBe(accountId);
  });

  it('starts over with a new account when Stripe no longer knows the linked one', async () => {
    const w = await createManagedShop(testDb());
    const { status: first } = (await (await onboard(w.shop.id, w.owner.token)).json()) as Onboarding;
    await stripe().accounts.del(first.stripe_account_id!);
    const res = await onboard(w.shop.id, w.owner.token);
    expect(res.status, await res.clone().text()).toBe(200);
    const { status: second } = (await res.json()) as Onboarding;
    expect(second.stripe_account_id).toMatch(/^acct_/);
    expect(second.stripe_account_id).not.toBe(first.stripe_account_id);
    expect((await shopRow(w.shop.id)).stripeAccountId).toBe(second.stripe_account_id);
    expect((await stripe().accounts.retrieve(second.stripe_account_id!)).metadata?.shop_id).toBe(w.shop.id);
    // The status of a shop whose account vanished says so, rather than failing.
    await stripe().accounts.del(second.stripe_account_id!);
    const gone = (await (await status(w.shop.id, w.owner.token)).json()) as PaymentsStatus;
    expect(gone).toMatchObject({ connected: false, payments_enabled: false, reason: 'not_connected' });
  });

  it('is for owners only: a barber or a client of the shop is refused (403) and no account is made', async () => {
    const w = await createManagedShop(testDb());
    const barber = await onboard(w.shop.id, w.barberStaff.token);
    expect(barber.status).toBe(403);
    expect((await problemOf(barber)).code).toBe('forbidden');
    const client = await onboard(w.shop.id, await tokenFor(w.client.id));
    expect(client.status).toBe(403);
    expect((await problemOf(client)).code).toBe('forbidden');
    const stranger = await createManagedShop(testDb());
    expect([403, 404]).toContain((await onboard(w.shop.id, stranger.owner.token)).status);
    const anonymous = await onboard(w.shop.id, null);
    expect(anonymous.status).toBe(401);
    expect((await shopRow(w.shop.id)).stripeAccountId).toBeNull();
  });
});

describe('GET /api/v1/shops/{id}/stripe', () => {
  it('says payments are off before onboarding: not_connected, then onboarding_incomplete with what is due', async () => {
    const w = await createManagedShop(testDb());
    const none = (await (await status(w.shop.id, w.owner.token)).json()) as PaymentsStatus;
    expect(none).toMatchObject({ connected: false, stripe_account_id: null, payments_enabled: false, reason: 'not_connected' });

    const { status: started } = (await (await onboard(w.shop.id, w.owner.token)).json()) as Onboarding;
    const accountId = started.stripe_account_id!;
    const before = await status(w.shop.id, w.owner.token);
    expect(before.status).toBe(200);
    expect(before.headers.get('cache-control')).toBe('private, no-store');
    const pending = (await before.json()) as PaymentsStatus;
    expect(pending).toMatchObject({ connected: true, stripe_account_id: accountId, charges_enabled: false, details_submitted: false, payments_enabled: false });
    expect(pending.currently_due.length).toBeGreaterThan(0);
    // The owner has not finished Stripe's forms: that is the reason to show, not the code Stripe
    // puts on every fresh account (requirements.past_due).
    expect(pending.reason).toBe('onboarding_incomplete');
    expect(started.reason).toBe('onboarding_incomplete');
  });

  it('turns payments on once Stripe says so (account.updated through the webhook)', async () => {
    const w = await createManagedShop(testDb());
    const { status: started } = (await (await onboard(w.shop.id, w.owner.token)).json()) as Onboarding;
    const accountId = started.stripe_account_id!;
    const pending = (await (await status(w.shop.id, w.owner.token)).json()) as PaymentsStatus;
    expect(pending).toMatchObject({ charges_enabled: false, payments_enabled: false });
    expect(pending.reason).not.toBeNull();

    // The owner finishes onboarding; Stripe sends account.updated and the webhook records it.
    await stripe().rawRequest('POST', `/__test/accounts/${accountId}`, { complete: 'true' });
    const event = await accountUpdated(accountId);
    expect((event.data.object as Stripe.Account).charges_enabled).toBe(true);
    const res = await deliver(event);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { outcome: string }).outcome).toBe('account_synced');
    const synced = await shopRow(w.shop.id);
    expect(synced).toMatchObject({ stripeChargesEnabled: true, stripePayoutsEnabled: true, stripeDetailsSubmitted: true });
    expect(synced.stripeRequirements).toEqual({ currently_due: [], disabled_reason: null });

    const after = (await (await status(w.shop.id, w.owner.token)).json()) as PaymentsStatus;
    expect(after).toMatchObject({
      connected: true,
      stripe_account_id: accountId,
      charges_enabled: true,
      payouts_enabled: true,
      details_submitted: true,
      payments_enabled: true,
      reason: null,
      currently_due: [],
    });
    expect(after.synced_at).not.toBeNull();
  });

  it("reports Stripe's disabled_reason and what is due when a finished account is restricted", async () => {
    const w = await createManagedShop(testDb());
    const { status: started } = (await (await onboard(w.shop.id, w.owner.token)).json()) as Onboarding;
    const accountId = started.stripe_account_id!;
    await stripe().rawRequest('POST', `/__test/accounts/${accountId}`, { complete: 'true' });
    await stripe().rawRequest('POST', `/__test/accounts/${accountId}`, {
      charges_enabled: 'false',
      requirements: { currently_due: ['individual.verification.document'], disabled_reason: 'requirements.past_due' },
    });
    const restricted = (await (await status(w.shop.id, w.owner.token)).json()) as PaymentsStatus;
    expect(restricted).toMatchObject({
      details_submitted: true,
      charges_enabled: false,
      payments_enabled: false,
      reason: 'requirements.past_due',
      currently_due: ['individual.verification.document'],
    });
    // Read fresh from Stripe and written back: bookings that need a payment are refused now.
    expect((await shopRow(w.shop.id)).stripeChargesEnabled).toBe(false);
  });

  it('a late, older account.updated does not overwrite the newer state; a newer one does', async () => {
    const w = await createManagedShop(testDb());
    const { status: started } = (await (await onboard(w.shop.id, w.owner.token)).json()) as Onboarding;
    const accountId = started.stripe_account_id!;
    const incomplete = await stripe().accounts.retrieve(accountId);
    await stripe().rawRequest('POST', `/__test/accounts/${accountId}`, { complete: 'true' });
    const finished = await accountUpdated(accountId);
    expect((await deliver(finished)).status).toBe(200);
    expect((await shopRow(w.shop.id)).stripeChargesEnabled).toBe(true);

    // Stripe does not promise order: the state from before onboarding arrives last.
    const stale = handMadeAccountUpdated(incomplete, finished.created - 120, {});
    const late = await deliver(stale);
    expect(late.status).toBe(200);
    const kept = await shopRow(w.shop.id);
    expect(kept).toMatchObject({ stripeChargesEnabled: true, stripePayoutsEnabled: true, stripeDetailsSubmitted: true });
    expect(kept.stripeRequirements).toEqual({ currently_due: [], disabled_reason: null });
    // It was seen (a redelivery of it is a no-op too), it just changed nothing.
    const [seen] = await testDb().select().from(stripeEvents).where(eq(stripeEvents.eventId, stale.id as string));
    expect(seen).toBeDefined();

    // The control: a genuinely newer event does apply.
    const newer = handMadeAccountUpdated(incomplete, finished.created + 120, {
      details_submitted: true,
      requirements: { ...incomplete.requirements!, currently_due: ['external_account'], disabled_reason: 'requirements.past_due' },
    });
    expect((await deliver(newer)).status).toBe(200);
    const restricted = await shopRow(w.shop.id);
    expect(restricted).toMatchObject({ stripeChargesEnabled: false, stripeDetailsSubmitted: true });
    expect(restricted.stripeRequirements).toEqual({ currently_due: ['external_account'], disabled_reason: 'requirements.past_due' });
  });

  it('is for owners only', async () => {
    const w = await createManagedShop(testDb());
    expect((await status(w.shop.id, null)).status).toBe(401);
    const barber = await status(w.shop.id, w.barberStaff.token);
    expect(barber.status).toBe(403);
    expect((await problemOf(barber)).code).toBe('forbidden');
    expect((await status(w.shop.id, await tokenFor(w.client.id))).status).toBe(403);
    const stranger = await createManagedShop(testDb());
    expect([403, 404]).toContain((await status(w.shop.id, stranger.owner.token)).status);
    expect([403, 404]).toContain((await status(crypto.randomUUID(), w.owner.token)).status);
  });
});
