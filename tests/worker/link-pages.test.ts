import { env } from 'cloudflare:test';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { formatDuration, formatMoney } from '../../app/lib/format';
import { barberServices, barbers, memberships, services, shops, users } from '../../worker/db/schema';
import { buildBarber, buildService, buildShop, buildUser, uniq } from '../../worker/db/seed/builders';
import { loadConfig } from '../../worker/env';
import { hashPassword } from '../../worker/lib/password';
import { createLogger } from '../../worker/lib/logger';
import type { NotificationMessage } from '../../worker/queue/messages';
import { forgotPassword, register } from '../../worker/services/auth';
import { createServices } from '../../worker/services/container';
import { inviteStaff } from '../../worker/services/management/staff';
import { cookieOf, postForm } from './forms';
import { call, neonRequests, postJson, testDb } from './harness';

/**
 * The pages behind links the app itself hands out: shop links on the home page, and the links in
 * the verification, password-reset and invitation e-mails. Tokens come from the real services
 * with the mail captured, so each test opens exactly the link a person would get.
 */

const password = 'copper meadow 58 lantern';

/** The services with `notify` captured: what would have been e-mailed lands in `sent`. */
function servicesCapturing(sent: NotificationMessage[]) {
  const config = loadConfig(env);
  return { ...createServices(env, config, createLogger('warn')), notify: async (m: NotificationMessage) => void sent.push(m) };
}

/** The path (and query) of a link from a captured message, to open on the test origin. */
function pathOf(link: string): string {
  const url = new URL(link);
  return `${url.pathname}${url.search}${url.hash}`;
}



async function signedInUser({ verified }: { verified: boolean }) {
  const [user] = await testDb()
    .insert(users)
    .values(buildUser({ firstName: 'Noor', passwordHash: await hashPassword(password), verifiedAt: verified ? new Date() : null }))
    .returning();
  const login = await postForm('/login', { email: user!.email!, password });
  expect(login.status).toBe(302);
  return { user: user!, cookie: cookieOf(login) };
}

describe('/s/$slug — the public shop page', () => {
  async function seededShop() {
    const db = testDb();
    const [shop] = await db
      .insert(shops)
      .values(
        buildShop({
          name: `Aa Link Pages ${uniq()}`,
          currency: 'EUR',
          timezone: 'Europe/Lisbon',
          address: { line1: 'Rua Augusta 12', city: 'Lisboa', postal_code: '1100-053', country: 'PT' },
        }),
      )
      .returning();
    const [u1, u2] = await db.insert(users).values([buildUser(), buildUser()]).returning();
    const [ines, gone] = await db
      .insert(barbers)
      .values([
        buildBarber({ userId: u1!.id, shopId: shop!.id }, { displayName: 'Inês Faria', bio: 'Classic cuts & hot-towel shaves.' }),
        buildBarber({ userId: u2!.id, shopId: shop!.id }, { displayName: 'Former Barber', active: false }),
      ])
      .returning();
    const [cut, beard, retired] = await db
      .insert(services)
      .values([
        buildService({ shopId: shop!.id }, { name: 'Haircut', description: 'Wash, cut and style.', priceCents: 2500, currency: 'EUR', durationMin: 30 }),
        buildService({ shopId: shop!.id }, { name: 'Beard trim', priceCents: 1500, currency: 'EUR', durationMin: 20 }),
        buildService({ shopId: shop!.id }, { name: 'Retired perm', priceCents: 9900, currency: 'EUR', durationMin: 90, active: false }),
      ])
      .returning();
    await db.insert(barberServices).values([
      // Inês charges her own price and takes longer for a haircut.
      { barberId: ines!.id, serviceId: cut!.id, priceCents: 3250, durationMin: 75 },
      { barberId: ines!.id, serviceId: beard!.id, priceCents: null, durationMin: null },
      { barberId: ines!.id, serviceId: retired!.id, priceCents: null, durationMin: null },
      { barberId: gone!.id, serviceId: cut!.id, priceCents: null, durationMin: null },
    ]);
    return { shop: shop! };
  }

  it('shows the shop, its active barbers with bios and their services at effective price and duration', async () => {
    const { shop } = await seededShop();
    const res = await call(`/s/${shop.slug}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60, stale-while-revalidate=300');
    // The loader ran the API's shop query in-process: one statement, no HTTP hop.
    expect(neonRequests(res)).toBe(1);
    const html = await res.text();
    expect(html).toContain(`<h1>${shop.name}</h1>`);
    expect(html).toContain('Rua Augusta 12');
    expect(html).toContain('Lisboa 1100-053');
    expect(html).toContain('Portugal');
    expect(html).toContain('Europe/Lisbon');
    expect(html).toContain('<h3>Inês Faria</h3>');
    expect(html).toContain('Classic cuts &amp; hot-towel shaves.');
    // Effective values: Inês's own price and length for the haircut, the shop's for the trim.
    expect(html).toMatch(/<th scope="row">Haircut<\/th><td>€32\.50<\/td><td>1 h 15 min<\/td>/);
    expect(html).toMatch(/<th scope="row">Beard trim<\/th><td>€15\.00<\/td><td>20 min<\/td>/);
    // The catalogue at the shop's own prices, with descriptions.
    expect(html).toContain('€25.00 · 30 min');
    expect(html).toContain('Wash, cut and style.');
    expect(html).not.toContain('Retired perm');
    expect(html).not.toContain('Former Barber');
    // The page leads into the booking flow; nothing on it writes (it is edge-cached for everyone).
    expect(html).toContain(`href="/s/${shop.slug}/book"`);
    expect(html).not.toMatch(/<form[^>]*method="post"/);
    expect(html).toContain(`<title>${shop.name} — BookedBarber</title>`);
  });

  it('formats money in the currency’s own minor units', () => {
    expect(formatMoney(3050, 'USD')).toBe('$30.50');
    expect(formatMoney(2500, 'JPY')).toBe('¥2,500');
    expect(formatMoney(1999, 'EUR')).toBe('€19.99');
    expect(formatDuration(45)).toBe('45 min');
    expect(formatDuration(60)).toBe('1 h');
    expect(formatDuration(135)).toBe('2 h 15 min');
  });

  it('answers an unknown, inactive or impossible slug with a friendly 404 page', async () => {
    const [closed] = await testDb().insert(shops).values(buildShop({ active: false })).returning();
    for (const path of ['/s/unknown', `/s/${closed!.slug}`, '/s/Not_A_Slug']) {
      const res = await call(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await res.text();
      expect(html).toContain('<h1>Shop not found</h1>');
      expect(html).toContain('href="/"');
      expect(html).toContain('<title>Shop not found — BookedBarber</title>');
      expect(res.headers.get('cache-control') ?? '').not.toContain('public');
    }
  });

  it('answers an address no route matches with a titled, friendly 404 page', async () => {
    const res = await call('/no-such-page-here');
    expect(res.status).toBe(404);
    const html = await res.text();
    // Screen readers announce the title first; a page without one fails axe's document-title.
    expect(html).toContain('<title>Page not found — BookedBarber</title>');
    expect(html).toContain('<h1>Page not found</h1>');
    expect(html).toContain('href="/"');
  });
});

describe('/verify-email — the link in the sign-up e-mail', () => {
  async function registered() {
    const sent: NotificationMessage[] = [];
    const email = `verify-${uniq()}@example.test`;
    const session = await register(servicesCapturing(sent), { email, password, first_name: 'Ola', last_name: 'Nordmann' });
    const mail = sent.find((m) => m.template === 'verify_email');
    expect(mail?.secrets?.link).toBeTruthy();
    return { userId: session.user.id, link: pathOf(mail!.secrets!.link!), token: new URL(mail!.secrets!.link!).searchParams.get('token')! };
  }

  const verifiedAt = async (userId: string) => (await testDb().select().from(users).where(eq(users.id, userId)))[0]!.verifiedAt;

  it('offers a button on GET (which verifies nothing) and verifies on the POST', async () => {
    const { userId, link, token } = await registered();
    const page = await call(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('private, no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).toContain('<h1>Verify your e-mail address</h1>');
    expect(html).toContain(`name="token" value="${token}"`);
    expect(html).toMatch(/<button type="submit"[^>]*>Verify my e-mail address<\/button>/);
    expect(await verifiedAt(userId)).toBeNull();

    const res = await postForm('/verify-email', { token });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('E-mail address verified');
    expect(await verifiedAt(userId)).not.toBeNull();

    const again = await postForm('/verify-email', { token });
    expect(again.status).toBe(422);
    expect(await again.text()).toContain('This link has expired or has already been used.');
  });

  it('says so for a made-up token, and for a link without one', async () => {
    const res = await postForm('/verify-email', { token: 'x'.repeat(43) });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('expired or has already been used');
    const bare = await call('/verify-email');
    expect(bare.status).toBe(200);
    expect(await bare.text()).toContain('This link is incomplete');
  });

  it('refuses a cross-site post', async () => {
    const { userId, token } = await registered();
    const res = await postForm('/verify-email', { token }, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(await verifiedAt(userId)).toBeNull();
  });
});

describe('/reset-password — the link in the reset e-mail', () => {
  async function resetLink() {
    const email = `reset-${uniq()}@example.test`;
    const [user] = await testDb()
      .insert(users)
      .values(buildUser({ email, passwordHash: await hashPassword(password) }))
      .returning();
    const sent: NotificationMessage[] = [];
    await forgotPassword(servicesCapturing(sent), email);
    const link = sent[0]!.secrets!.link!;
    return { user: user!, email, link: pathOf(link), token: new URL(link).searchParams.get('token')! };
  }

  it('shows the form, explains rule breaks inline, changes the password and signs this browser out', async () => {
    const { email, link, token } = await resetLink();
    const page = await call(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('private, no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).toContain('<h1>Choose a new password</h1>');
    expect(html).toMatch(/<label>New password<input type="password" name="password" autocomplete="new-password"/i);
    expect(html).toContain('At least 10 characters');

    const mismatch = await postForm('/reset-password', { token, password: 'violet harbour 19 kite', confirm: 'violet harbour 19 kit' });
    expect(mismatch.status).toBe(400);
    const mismatchHtml = await mismatch.text();
    expect(mismatchHtml).toContain('The two passwords do not match');
    expect(mismatchHtml).toContain('aria-describedby="confirm-errors"');

    const weak = await postForm('/reset-password', { token, password: 'short', confirm: 'short' });
    expect(weak.status).toBe(422);
    const weakHtml = await weak.text();
    expect(weakHtml).toContain('Use at least 10 characters');
    expect(weakHtml).toContain('aria-invalid="true"');
    // The rule break did not use the token up.
    expect(weakHtml).toContain(`name="token" value="${token}"`);

    const session = await postForm('/login', { email, password });
    expect(session.status).toBe(302);
    const newPassword = 'violet harbour 19 kite';
    const done = await postForm('/reset-password', { token, password: newPassword, confirm: newPassword }, { cookie: cookieOf(session) });
    expect(done.status).toBe(200);
    const doneHtml = await done.text();
    expect(doneHtml).toContain('Password changed');
    expect(doneHtml).toContain('href="/login"');
    expect(done.headers.get('set-cookie')).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i);

    expect((await postJson('/api/v1/auth/login', { email, password: newPassword })).status).toBe(200);
    expect((await postJson('/api/v1/auth/login', { email, password })).status).toBe(401);

    const reused = await postForm('/reset-password', { token, password: 'another 44 quiet river', confirm: 'another 44 quiet river' });
    expect(reused.status).toBe(422);
    expect(await reused.text()).toContain('This link has expired or has already been used.');
  });

  it('refuses a cross-site post and leaves the password alone', async () => {
    const { email, token } = await resetLink();
    const res = await postForm('/reset-password', { token, password: 'violet harbour 19 kite', confirm: 'violet harbour 19 kite' }, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect((await postJson('/api/v1/auth/login', { email, password })).status).toBe(200);
  });
});

describe('/invitations/accept — the link in the invitation e-mail', () => {
  async function invitation(email: string) {
    const db = testDb();
    const [shop] = await db.insert(shops).values(buildShop({ name: `Invite Shop ${uniq()}` })).returning();
    const [owner] = await db.insert(users).values(buildUser()).returning();
    await db.insert(memberships).values({ userId: owner!.id, shopId: shop!.id, role: 'owner' });
    const sent: NotificationMessage[] = [];
    await inviteStaff(db, async (m) => void sent.push(m), {
      shop: { id: shop!.id, name: shop!.name },
      email,
      role: 'barber',
      actorId: owner!.id,
      appOrigin: env.APP_ORIGIN,
    });
    const link = sent[0]!.secrets!.accept_url!;
    return { shop: shop!, link, token: new URLSearchParams(new URL(link).hash.slice(1)).get('token')! };
  }

  const isBarber = async (userId: string, shopId: string) =>
    (await testDb().select().from(memberships).where(and(eq(memberships.userId, userId), eq(memberships.shopId, shopId)))).some((m) => m.role === 'barber');

  it('asks a visitor to sign in first, and the action sends them to /login?next=…', async () => {
    const { link, token } = await invitation(`someone-${uniq()}@example.test`);
    // The browser never sends the fragment; this is the request the link makes.
    const page = await call(new URL(link).pathname);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('private, no-store');
    const html = await page.text();
    expect(html).toContain('<h1>Accept your invitation</h1>');
    expect(html).toContain('href="/login?next=%2Finvitations%2Faccept"');

    const res = await postForm('/invitations/accept', { token });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/login?next=%2Finvitations%2Faccept');
  });

  it('accepts for a verified, signed-in invitee (token pasted without JavaScript, whole link or code)', async () => {
    const { user, cookie } = await signedInUser({ verified: true });
    const page = await call('/invitations/accept', { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`Signed in as ${user.email}`);
    // Without JavaScript the token has a visible, labelled field.
    expect(html).toMatch(/<label>Invitation link or code<input type="text" name="token"/);

    const first = await invitation(user.email!);
    const res = await postForm('/invitations/accept', { token: first.link }, { cookie });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`You are now a barber at ${first.shop.name}.`);
    expect(await isBarber(user.id, first.shop.id)).toBe(true);

    const second = await invitation(user.email!);
    const byCode = await postForm('/invitations/accept', { token: second.token }, { cookie });
    expect(byCode.status).toBe(200);
    expect(await isBarber(user.id, second.shop.id)).toBe(true);

    const again = await postForm('/invitations/accept', { token: second.token }, { cookie });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('already been accepted');
  });

  it('explains that the e-mail address must be verified first', async () => {
    const { user, cookie } = await signedInUser({ verified: false });
    const { shop, token } = await invitation(user.email!);
    const page = await (await call('/invitations/accept', { headers: { cookie } })).text();
    expect(page).toContain('Your e-mail address is not verified yet.');
    const res = await postForm('/invitations/accept', { token }, { cookie });
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toMatch(/role="alert"[^>]*><strong>Verify your e-mail address first\. <\/strong>/);
    expect(await isBarber(user.id, shop.id)).toBe(false);
  });

  it('names a malformed or unknown code, and refuses a cross-site post', async () => {
    const { user, cookie } = await signedInUser({ verified: true });
    const malformed = await postForm('/invitations/accept', { token: 'not a token' }, { cookie });
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toContain('That is not an invitation code.');
    const unknown = await postForm('/invitations/accept', { token: 'A'.repeat(43) }, { cookie });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('We could not find this invitation.');
    const { shop, token } = await invitation(user.email!);
    const evil = await postForm('/invitations/accept', { token }, { cookie, origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(await isBarber(user.id, shop.id)).toBe(false);
  });
});

describe('links the app produces', () => {
  function linksIn(html: string): string[] {
    const found = new Set<string>();
    for (const match of html.matchAll(/<a\b[^>]*?\bhref="([^"]*)"/g)) {
      const href = match[1]!.replaceAll('&amp;', '&');
      if (href.startsWith('/') && !href.startsWith('//')) found.add(href.split('#')[0]!);
    }
    return [...found];
  }

  it('crawl: every same-origin link from the home page (and on from there) answers without 404 or 500', async () => {
    // A shop of our own with barbers and services, so the crawl has a full shop page to visit
    // whatever else the shared database holds.
    const db = testDb();
    const name = `Crawl Shop ${uniq()}`;
    const [shop] = await db.insert(shops).values(buildShop({ name })).returning();
    const [u] = await db.insert(users).values(buildUser()).returning();
    const [barber] = await db.insert(barbers).values(buildBarber({ userId: u!.id, shopId: shop!.id })).returning();
    const [service] = await db.insert(services).values(buildService({ shopId: shop!.id })).returning();
    await db.insert(barberServices).values({ barberId: barber!.id, serviceId: service!.id, priceCents: null, durationMin: null });

    const queue = ['/', `/?q=${encodeURIComponent(name)}`];
    const seen = new Set(queue);
    const results: { path: string; status: number }[] = [];
    while (queue.length > 0 && results.length < 200) {
      const path = queue.shift()!;
      const res = await call(path, { redirect: 'manual' });
      results.push({ path, status: res.status });
      const next: string[] = [];
      const location = res.headers.get('location');
      if (location?.startsWith('/')) next.push(location);
      if (res.headers.get('content-type')?.startsWith('text/html')) next.push(...linksIn(await res.text()));
      else await res.body?.cancel();
      for (const link of next) {
        if (!seen.has(link)) {
          seen.add(link);
          queue.push(link);
        }
      }
    }
    expect(results.filter((r) => r.path.startsWith('/s/')).length).toBeGreaterThan(0);
    expect(seen.has(`/s/${shop!.slug}`)).toBe(true);
    expect(results.filter((r) => r.status === 404 || r.status >= 500)).toEqual([]);
  });
});
