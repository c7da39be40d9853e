/**
 * Acceptance #1 (issue #5): a new user creates a shop, invites a barber who accepts, adds two
 * services with a per-barber price override, sets hours with a lunch break — and the public shop
 * page shows all of it. Every step goes through the public API; the invitation token is taken
 * from the e-mail the queue consumer recorded, exactly as the barber would receive it.
 */
import { describe, expect, it } from 'vitest';
import { users } from '../../worker/db/schema';
import { buildUser, uniq } from '../../worker/db/seed/builders';
import { testMailbox } from '../../worker/queue/mailbox';
import { tokenOfInvitationLink } from '../../worker/services/management/staff';
import type { PublicShopResponse } from '../../worker/routes/v1/shops.get';
import { tokenFor } from './auth';
import { call, eventually, neonRequests, testDb } from './harness';
import { send } from './world';

async function signedInUser(fields: Parameters<typeof buildUser>[0] = {}) {
  const [user] = await testDb().insert(users).values(buildUser(fields)).returning();
  return { user: user!, token: await tokenFor(user!.id) };
}

async function json<T>(res: Response, status: number): Promise<T> {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

describe('onboarding a shop end to end', () => {
  it('shop → invitation → accept → services with override → hours with lunch → public page', async () => {
    const owner = await signedInUser({ firstName: 'Olivia' });
    const slug = `corner-${uniq()}`;

    const shop = await json<{ id: string }>(
      await send('POST', '/api/v1/shops', owner.token, { name: 'Corner Cuts', slug, timezone: 'Europe/London', currency: 'GBP' }),
      201,
    );

    const barberEmail = `sam-${uniq()}@example.test`;
    const invitation = await json<{ id: string }>(
      await send('POST', `/api/v1/shops/${shop.id}/invitations`, owner.token, { email: barberEmail }),
      201,
    );
    const mail = await eventually(async () => testMailbox.find((m) => m.dedupe_key === `invitation:${invitation.id}:email`));
    const token = tokenOfInvitationLink(mail.secrets.accept_url!)!;

    // The barber signs up with the invited address in another case, and has verified it.
    const sam = await signedInUser({ email: barberEmail.toUpperCase(), firstName: 'Sam', lastName: 'Blade', verifiedAt: new Date() });
    const accepted = await json<{ barber: { id: string } }>(await send('POST', '/api/v1/invitations/accept', sam.token, { token }), 200);
    const barberId = accepted.barber.id;

    const cut = await json<{ id: string }>(
      await send('POST', `/api/v1/shops/${shop.id}/services`, owner.token, { name: 'Classic Cut', price_cents: 2500, currency: 'GBP', duration_min: 30 }),
      201,
    );
    const fade = await json<{ id: string }>(
      await send('POST', `/api/v1/shops/${shop.id}/services`, owner.token, { name: 'Skin Fade', price_cents: 3000, currency: 'GBP', duration_min: 45 }),
      201,
    );
    await json(
      await send('PUT', `/api/v1/barbers/${barberId}/services`, owner.token, {
        services: [{ service_id: cut.id }, { service_id: fade.id, price_cents: 3500, duration_min: 50 }],
      }),
      200,
    );
    await json(
      await send('PUT', `/api/v1/barbers/${barberId}/working-hours`, sam.token, {
        rules: [
          { weekday: 2, start: '09:00', end: '12:30' },
          { weekday: 2, start: '13:30', end: '18:00' },
        ],
      }),
      200,
    );

    const res = await call(`/api/v1/shops/${slug}`);
    expect(neonRequests(res)).toBe(1);
    const page = await json<PublicShopResponse>(res, 200);
    expect(page).toMatchObject({ id: shop.id, name: 'Corner Cuts', timezone: 'Europe/London', currency: 'GBP' });
    expect(page.services.map((s) => [s.name, s.price_cents, s.duration_min])).toEqual([
      ['Classic Cut', 2500, 30],
      ['Skin Fade', 3000, 45],
    ]);
    expect(page.barbers).toHaveLength(1);
    const barber = page.barbers[0]!;
    expect(barber.display_name).toBe('Sam Blade');
    expect(barber.services.map((s) => [s.name, s.price_cents, s.duration_min])).toEqual([
      ['Classic Cut', 2500, 30],
      ['Skin Fade', 3500, 50],
    ]);
    expect(barber.working_hours).toEqual([
      { weekday: 2, start: '09:00', end: '12:30' },
      { weekday: 2, start: '13:30', end: '18:00' },
    ]);
  });
});
