import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments, auditLog, barberServices, barbers, DEFAULT_SHOP_POLICY, invitations, memberships, services, shops, users } from '../../worker/db/schema';
import { fieldOfPolicyPath, parsePolicy, policyValues } from '../../app/components/policy-form';
import { moneyInputValue, parseMoneyInput } from '../../app/lib/format';
import { hashPassword } from '../../worker/lib/password';
import { createBookingWorld, existingAppointment, localInstant } from './booking-world';
import { cookieOf, getPage, postForm } from './forms';
import { call, eventually, testDb } from './harness';
import { shopFingerprint } from './security';

/** The owner's shop pages as a browser without JavaScript uses them: GET the page, POST its forms. */
const password = 'walnut ferry 73 harbour';

async function signIn(userId: string): Promise<string> {
  await testDb().update(users).set({ passwordHash: await hashPassword(password) }).where(eq(users.id, userId));
  const [u] = await testDb().select().from(users).where(eq(users.id, userId));
  return cookieOf(await postForm('/login', { email: u!.email!, password }));
}

const decode = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&#x27;/g, "'")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/<!-- -->/g, '');

/** The lines of the first `<ul class="policy">` on a page, as text. */
function policyLines(html: string): string[] {
  const list = /<ul class="policy">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';
  return [...list.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => decode(m[1]!.replace(/<!-- -->/g, '')));
}

/** Every field of the policy form as the page would post it, from the stored policy, with changes. */
function policyForm(changes: Record<string, string>): Record<string, string> {
  return {
    deposit_kind: 'none',
    deposit_percent: '',
    deposit_fixed: '',
    late_cancel_fee_kind: 'none',
    late_cancel_fee_percent: '',
    late_cancel_fee_fixed: '',
    no_show_fee_kind: 'none',
    no_show_fee_percent: '',
    no_show_fee_fixed: '',
    cancel_window_hours: '24',
    hold_minutes: '10',
    buffer_before_min: '0',
    buffer_after_min: '0',
    slot_step_min: '15',
    min_notice_min: '0',
    booking_window_days: '60',
    max_future_bookings: '3',
    waitlist_offer_minutes: '30',
    ...changes,
  };
}

const shopRow = async (id: string) => (await testDb().select().from(shops).where(eq(shops.id, id)))[0]!;

describe('the booking policy page (/manage/:shopId/policy)', () => {
  it('saves a deposit and a no-show fee; its preview shows the very words of the client review step', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const cookie = await signIn(w.owner.user.id);
    const path = `/manage/${w.shop.id}/policy`;
    const page = await getPage(path, cookie);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('private, no-store');
    const html = decode(await page.text());
    expect(html).toContain('<legend>No-show fee</legend>');
    expect(html).toContain('Cancel or reschedule free of charge up to 1 day before your appointment.');

    // Preview first: words for the posted policy, nothing saved.
    const fields = policyForm({ deposit_kind: 'percent', deposit_percent: '20', no_show_fee_kind: 'fixed', no_show_fee_fixed: '12.50', preview_service: w.short.id });
    const preview = await postForm(path, { ...fields, intent: 'preview' }, cookie);
    expect(preview.status).toBe(200);
    const previewLines = policyLines(await preview.text());
    expect(previewLines).toContain('If you do not show up, a no-show fee of $12.50 is charged.');
    expect((await shopRow(w.shop.id)).policy.deposit).toEqual({ kind: 'none', value: 0 });

    const saved = await postForm(path, { ...fields, intent: 'save' }, cookie);
    expect(saved.status).toBe(200);
    const savedHtml = decode(await saved.text());
    expect(savedHtml).toContain('Policy saved.');
    const policy = (await shopRow(w.shop.id)).policy;
    expect(policy.deposit).toEqual({ kind: 'percent', value: 20 });
    expect(policy.no_show_fee).toEqual({ kind: 'fixed', value: 1250 });
    expect(policy.cancel_window_hours).toBe(24);

    // The client's review step for that service at that shop, any barber.
    const start = localInstant(w.timezone, 3, '10:00').toISOString();
    const review = await getPage(`/s/${w.shop.slug}/review?${new URLSearchParams({ service: w.short.id, barber: 'any', start })}`);
    expect(review.status).toBe(200);
    const reviewHtml = decode(await review.text());
    const reviewLines = policyLines(reviewHtml);
    expect(reviewLines.length).toBeGreaterThan(2);
    expect(reviewLines).toContain('We hold this time for you for 10 minutes while you pay.');
    expect(policyLines(savedHtml)).toEqual(reviewLines);
    expect(previewLines).toEqual(reviewLines);
    expect(savedHtml).toContain('You pay a deposit of $6.00 now to secure the booking; the rest ($24.00) is paid at the shop.');
    expect(reviewHtml).toContain('You pay a deposit of $6.00 now to secure the booking; the rest ($24.00) is paid at the shop.');
  });

  it('refuses an invalid policy with 422 words beside the fields and saves nothing', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const cookie = await signIn(w.owner.user.id);
    const path = `/manage/${w.shop.id}/policy`;
    const before = await shopRow(w.shop.id);
    const audits = (await db.select().from(auditLog).where(eq(auditLog.shopId, w.shop.id))).length;

    const negative = await postForm(path, { ...policyForm({ no_show_fee_kind: 'fixed', no_show_fee_fixed: '-5', slot_step_min: '0' }), intent: 'save' }, cookie);
    expect(negative.status).toBe(422);
    const html = decode(await negative.text());
    expect(html).toContain('There is a problem');
    expect(html).toMatch(/<a href="#no_show_fee_fixed">No-show fee: amount \(USD\): Must be 0 or more<\/a>/);
    expect(html).toMatch(/name="no_show_fee_fixed"[^>]*aria-invalid="true"/);
    expect(html).toContain('id="no_show_fee_fixed-error"');
    // The step is checked by the API schema's range, once the amounts read as amounts.
    const step = await postForm(path, { ...policyForm({ slot_step_min: '0' }), intent: 'save' }, cookie);
    expect(step.status).toBe(422);
    expect(decode(await step.text())).toMatch(/<a href="#slot_step_min">Start times every \(minutes\): Must be at least 5<\/a>/);
    // A fixed fee above the cheapest price breaks a shop rule (validatePolicy), said in money.
    const dear = await postForm(path, { ...policyForm({ late_cancel_fee_kind: 'fixed', late_cancel_fee_fixed: '45.00' }), intent: 'save' }, cookie);
    expect(dear.status).toBe(422);
    expect(decode(await dear.text())).toContain('A fixed amount may not exceed the cheapest active service price ($30.00)');

    const after = await shopRow(w.shop.id);
    expect(after.policy).toEqual(before.policy);
    expect((await db.select().from(auditLog).where(eq(auditLog.shopId, w.shop.id))).length).toBe(audits);
  });
});

interface PublicShop {
  services: { id: string; name: string; price_cents: number; duration_min: number }[];
  barbers: { id: string; services: { service_id: string; price_cents: number; duration_min: number }[] }[];
}

const publicShop = async (slug: string) => (await (await call(`/api/v1/shops/${slug}`)).json()) as PublicShop;

describe('the services & prices page (/manage/:shopId/services)', () => {
  it('adds a service, changes a price, sets one barber’s own price; the public shop shows them', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { barbers: 2 });
    const cookie = await signIn(w.owner.user.id);
    const path = `/manage/${w.shop.id}/services`;
    const page = await getPage(path, cookie);
    expect(page.status).toBe(200);
    const html = decode(await page.text());
    expect(html).toContain('<caption>The shop’s services</caption>');
    expect(html).toContain('$30.00');
    expect(html).toContain(`Who offers ${w.short.name}, at what price and length`);

    // Add: a price typed in major units is stored in cents.
    const added = await postForm(path, { intent: 'create', name: 'Beard trim', price: '18.50', duration: '20', description: '' }, cookie);
    expect(added.status).toBe(200);
    expect(decode(await added.text())).toContain('Added Beard trim.');
    const [beard] = await db.select().from(services).where(and(eq(services.shopId, w.shop.id), eq(services.name, 'Beard trim')));
    expect(beard).toMatchObject({ priceCents: 1850, durationMin: 20, currency: 'USD', active: true });

    // Edit the short cut's price.
    const edited = await postForm(path, { intent: 'update', service_id: w.short.id, name: w.short.name, price: '32', duration: '30', active: 'on' }, cookie);
    expect(edited.status).toBe(200);
    expect((await db.select().from(services).where(eq(services.id, w.short.id)))[0]!.priceCents).toBe(3200);

    // The second barber's own price and length for the long cut; the first keeps the service's own.
    const [first, second] = w.barbers;
    const offered = await postForm(
      path,
      {
        intent: 'offerings',
        service_id: w.long.id,
        [`offers_${first!.barber.id}`]: 'on',
        [`price_${first!.barber.id}`]: '',
        [`duration_${first!.barber.id}`]: '',
        [`offers_${second!.barber.id}`]: 'on',
        [`price_${second!.barber.id}`]: '65.00',
        [`duration_${second!.barber.id}`]: '75',
      },
      cookie,
    );
    expect(offered.status).toBe(200);
    expect(decode(await offered.text())).toContain(`Saved the barbers' prices for ${w.long.name}.`);
    const rows = await db.select().from(barberServices).where(eq(barberServices.barberId, second!.barber.id));
    expect(rows.find((r) => r.serviceId === w.long.id)).toMatchObject({ priceCents: 6500, durationMin: 75 });
    // Their other offering is untouched.
    expect(rows.find((r) => r.serviceId === w.short.id)).toMatchObject({ priceCents: null, durationMin: null });

    const shop = await publicShop(w.shop.slug);
    expect(shop.services.find((s) => s.id === w.short.id)?.price_cents).toBe(3200);
    expect(shop.services.find((s) => s.id === beard!.id)?.price_cents).toBe(1850);
    const theirs = shop.barbers.find((b) => b.id === second!.barber.id)!.services.find((s) => s.service_id === w.long.id);
    expect(theirs).toMatchObject({ price_cents: 6500, duration_min: 75 });
    expect(shop.barbers.find((b) => b.id === first!.barber.id)!.services.find((s) => s.service_id === w.long.id)?.price_cents).toBe(5000);
    const publicPage = decode(await (await getPage(`/s/${w.shop.slug}`)).text());
    expect(publicPage).toContain('$65.00');

    // Untick the first barber: they stop offering it.
    const dropped = await postForm(path, { intent: 'offerings', service_id: w.long.id, [`offers_${second!.barber.id}`]: 'on', [`price_${second!.barber.id}`]: '65.00', [`duration_${second!.barber.id}`]: '75' }, cookie);
    expect(dropped.status).toBe(200);
    const firstRows = await db.select().from(barberServices).where(eq(barberServices.barberId, first!.barber.id));
    expect(firstRows.map((r) => r.serviceId)).toEqual([w.short.id]);
  });

  it('answers bad amounts and a taken name in words beside the field, writing nothing', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const cookie = await signIn(w.owner.user.id);
    const path = `/manage/${w.shop.id}/services`;
    const negative = await postForm(path, { intent: 'update', service_id: w.short.id, name: w.short.name, price: '-3', duration: '7', active: 'on' }, cookie);
    expect(negative.status).toBe(422);
    const html = decode(await negative.text());
    expect(html).toContain(`<a href="#${w.short.id}-price">Price (USD): Must be 0 or more</a>`);
    expect(html).toContain(`<a href="#${w.short.id}-duration">Duration (minutes): Must be 5 to 720 minutes, in steps of 5</a>`);
    const taken = await postForm(path, { intent: 'create', name: w.long.name, price: '10', duration: '30', description: '' }, cookie);
    expect(taken.status).toBe(409);
    expect(decode(await taken.text())).toContain('This shop already has a service with that name');
    const badOffer = await postForm(path, { intent: 'offerings', service_id: w.short.id, [`offers_${w.barber.barber.id}`]: 'on', [`price_${w.barber.barber.id}`]: 'ten' }, cookie);
    expect(badOffer.status).toBe(422);
    expect((await db.select().from(services).where(eq(services.id, w.short.id)))[0]!.priceCents).toBe(3000);
    expect((await db.select().from(services).where(eq(services.shopId, w.shop.id))).length).toBe(2);
    const offers = await db.select().from(barberServices).where(eq(barberServices.barberId, w.barber.barber.id));
    expect(offers.every((o) => o.priceCents === null)).toBe(true);
  });
});

describe('the barbers page (/manage/:shopId/barbers)', () => {
  it('lists barbers with upcoming counts, invites by e-mail, and deactivates after the future appointments are shown and resolved', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { barbers: 2 });
    const [leaving, staying] = w.barbers;
    const cookie = await signIn(w.owner.user.id);
    const path = `/manage/${w.shop.id}/barbers`;
    const first = await existingAppointment(db, w, { start: localInstant(w.timezone, 2, '10:00'), barberId: leaving!.barber.id });
    const second = await existingAppointment(db, w, { start: localInstant(w.timezone, 2, '11:00'), barberId: leaving!.barber.id });
    await existingAppointment(db, w, { start: new Date(Date.now() - 3 * 86_400_000), barberId: leaving!.barber.id });
    // The colleague is busy at 11:00, so that one cannot move to them.
    await existingAppointment(db, w, { start: localInstant(w.timezone, 2, '11:00'), barberId: staying!.barber.id });

    const page = await getPage(path, cookie);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('private, no-store');
    const html = decode(await page.text());
    expect(html).toContain(`<caption>Barbers at ${w.shop.name}</caption>`);
    const rowOf = (name: string) => new RegExp(`<th scope="row">${name}</th><td data-label="E-mail">[^<]+</td><td data-label="Joined">[^<]+</td><td data-label="Upcoming" class="num">(\\d+) appointments?</td>`).exec(html)?.[1];
    expect(rowOf(leaving!.barber.displayName)).toBe('2');
    expect(rowOf(staying!.barber.displayName)).toBe('1');
    expect(html).toContain(leaving!.user.email);
    expect(html).toContain(`href="/work/hours?barber=${leaving!.barber.id}"`);
    expect(html).toContain(`href="/work?barber=${leaving!.barber.id}"`);

    // Invite: the invitation row, and the e-mail through the queue to the outbox.
    const email = `new-barber-${crypto.randomUUID()}@example.test`;
    const invited = await postForm(path, { intent: 'invite', email }, cookie);
    expect(invited.status).toBe(200);
    const invitedHtml = decode(await invited.text());
    expect(invitedHtml).toContain(`Invitation sent to ${email}.`);
    expect(invitedHtml).toContain(`<strong>${email}</strong>: Sent, not yet accepted`);
    const [invitation] = await db.select().from(invitations).where(eq(invitations.email, email));
    expect(invitation).toMatchObject({ shopId: w.shop.id, role: 'barber', acceptedAt: null });
    const mail = await eventually(async () => {
      const outbox = (await (await call('/dev/outbox.json')).json()) as { data: { recipient: string; text: string }[] };
      return outbox.data.find((m) => m.recipient === email);
    });
    expect(mail.text).toContain('/invitations/accept#token=');
    const bad = await postForm(path, { intent: 'invite', email: 'not an address' }, cookie);
    expect(bad.status).toBe(422);
    expect(decode(await bad.text())).toMatch(/name="email"[^>]*aria-invalid="true"/);

    // The deactivation step lists the future appointments first, with what deactivating does.
    const step = `${path}?deactivate=${leaving!.barber.id}`;
    const confirm = decode(await (await getPage(step, cookie)).text());
    expect(confirm).toContain(`Deactivate ${leaving!.barber.displayName}`);
    expect(confirm).toContain(`Appointments still booked with ${leaving!.barber.displayName} are NOT moved or cancelled`);
    expect(confirm).toContain(`name="appointment_id" value="${first.id}"`);
    expect(confirm).toContain(`name="appointment_id" value="${second.id}"`);
    expect(confirm).toContain(`Move to ${staying!.barber.displayName}`);
    expect(confirm).toContain(`${w.client.user.firstName} ${w.client.user.lastName}`.trim());
    expect(confirm).toContain(new Date(first.startTime).toLocaleTimeString('en-US', { timeZone: w.timezone, hour: 'numeric', minute: '2-digit' }));
    expect((await db.select().from(barbers).where(eq(barbers.id, leaving!.barber.id)))[0]!.active).toBe(true);

    // Move the 10:00 one to the colleague: same time, their chair now.
    const moved = await postForm(step, { intent: 'move', appointment_id: first.id, to_barber: staying!.barber.id }, cookie);
    expect(moved.status).toBe(200);
    expect(decode(await moved.text())).toContain(`Moved to ${staying!.barber.displayName}, same time`);
    const [movedRow] = await db.select().from(appointments).where(eq(appointments.id, first.id));
    expect(movedRow).toMatchObject({ barberId: staying!.barber.id, status: 'confirmed' });
    expect(movedRow!.startTime.getTime()).toBe(first.startTime.getTime());
    // The 11:00 one cannot: the colleague is booked then (409, in words).
    const clash = await postForm(step, { intent: 'move', appointment_id: second.id, to_barber: staying!.barber.id }, cookie);
    expect(clash.status).toBe(409);
    expect(decode(await clash.text())).toContain('That barber is not free at that time');
    expect((await db.select().from(appointments).where(eq(appointments.id, second.id)))[0]!.barberId).toBe(leaving!.barber.id);

    // Deactivate: it does what the page said — hidden, no access, the 11:00 one left as it was.
    const done = await postForm(step, { intent: 'deactivate', barber_id: leaving!.barber.id }, cookie);
    expect(done.status).toBe(200);
    expect(decode(await done.text())).toContain('1 future appointment stays booked with them until you move or cancel it.');
    expect((await db.select().from(barbers).where(eq(barbers.id, leaving!.barber.id)))[0]!.active).toBe(false);
    const roles = await db.select().from(memberships).where(and(eq(memberships.userId, leaving!.user.id), eq(memberships.shopId, w.shop.id)));
    expect(roles.map((m) => m.role)).not.toContain('barber');
    expect((await db.select().from(appointments).where(eq(appointments.id, second.id)))[0]).toMatchObject({ status: 'confirmed', barberId: leaving!.barber.id });
    const after = decode(await (await getPage(path, cookie)).text());
    expect(after).toMatch(new RegExp(`<th scope="row">${leaving!.barber.displayName}</th>[\\s\\S]*?<td data-label="Status">Deactivated</td>`));
    expect((await publicShop(w.shop.slug)).barbers.map((b) => b.id)).not.toContain(leaving!.barber.id);

    // The one left is cancelled by the shop from the same step.
    const cancelled = await postForm(step, { intent: 'cancel', appointment_id: second.id }, cookie);
    expect(cancelled.status).toBe(200);
    expect((await db.select().from(appointments).where(eq(appointments.id, second.id)))[0]!.status).toBe('cancelled');
  });
});

describe('who may open the owner’s shop pages', () => {
  const pages = ['barbers', 'services', 'policy'] as const;

  it('sends a signed-out visitor to sign in', async () => {
    const w = await createBookingWorld(testDb());
    for (const name of pages) {
      const res = await getPage(`/manage/${w.shop.id}/${name}`);
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toMatch(/^\/login/);
    }
  });

  it('shows an owner of another shop a 404 on every page and writes nothing; a barber of the shop reads a 403', async () => {
    const db = testDb();
    const w = await createBookingWorld(db);
    const other = await createBookingWorld(db);
    const appt = await existingAppointment(db, w, { start: localInstant(w.timezone, 2, '10:00') });
    const stranger = await signIn(other.owner.user.id);
    const barber = await signIn(w.barber.user.id);
    const before = await shopFingerprint(w.shop.id);
    for (const name of pages) {
      const res = await getPage(`/manage/${w.shop.id}/${name}`, stranger);
      expect(res.status, name).toBe(404);
      const html = decode(await res.text());
      expect(html).toContain('No such shop');
      expect(html).not.toContain(w.shop.name);
      const mine = await getPage(`/manage/${w.shop.id}/${name}`, barber);
      expect(mine.status, name).toBe(403);
      expect(decode(await mine.text())).toContain("Only the shop's owners run this part of the shop");
    }
    const posts: [string, Record<string, string>][] = [
      ['barbers', { intent: 'invite', email: 'mole@example.test' }],
      ['barbers', { intent: 'deactivate', barber_id: w.barber.barber.id }],
      ['barbers', { intent: 'cancel', appointment_id: appt.id }],
      ['services', { intent: 'create', name: 'Mole cut', price: '1', duration: '30' }],
      ['services', { intent: 'update', service_id: w.short.id, name: 'Hijacked', price: '1', duration: '30', active: 'on' }],
      ['services', { intent: 'offerings', service_id: w.short.id, [`offers_${w.barber.barber.id}`]: 'on', [`price_${w.barber.barber.id}`]: '1' }],
      ['policy', { ...policyForm({ no_show_fee_kind: 'full' }), intent: 'save' }],
    ];
    for (const [name, fields] of posts) {
      expect((await postForm(`/manage/${w.shop.id}/${name}`, fields, stranger)).status, `${name} ${fields.intent}`).toBe(404);
      expect((await postForm(`/manage/${w.shop.id}/${name}`, fields, barber)).status, `${name} ${fields.intent}`).toBe(403);
    }
    // An owner's own shop id with another shop's barber or appointment is no way in either.
    const own = await signIn(other.owner.user.id);
    expect((await postForm(`/manage/${other.shop.id}/barbers`, { intent: 'deactivate', barber_id: w.barber.barber.id }, own)).status).toBe(404);
    expect((await postForm(`/manage/${other.shop.id}/barbers`, { intent: 'cancel', appointment_id: appt.id }, own)).status).toBe(404);
    expect((await postForm(`/manage/${other.shop.id}/services`, { intent: 'update', service_id: w.short.id, name: 'X', price: '1', duration: '30' }, own)).status).toBe(404);
    expect(await shopFingerprint(w.shop.id)).toBe(before);
    expect((await getPage('/manage/not-a-shop/policy', stranger)).status).toBe(404);
  });
});

describe('amounts and policies as the forms read them', () => {
  it('reads major units in the currency’s own decimals (JPY has none) and refuses what is not an amount', () => {
    expect(parseMoneyInput('25.00', 'USD')).toBe(2500);
    expect(parseMoneyInput('25.5', 'USD')).toBe(2550);
    expect(parseMoneyInput('2500', 'JPY')).toBe(2500);
    expect(parseMoneyInput('25.50', 'JPY')).toBeNull();
    expect(parseMoneyInput('25.001', 'USD')).toBeNull();
    expect(parseMoneyInput('-5', 'USD')).toBeNull();
    expect(parseMoneyInput('1e3', 'USD')).toBeNull();
    expect(moneyInputValue(2550, 'USD')).toBe('25.50');
    expect(moneyInputValue(2500, 'JPY')).toBe('2500');
  });

  it('turns the policy form into a policy and back, naming the field of each problem', () => {
    const values = policyValues({ ...DEFAULT_SHOP_POLICY, no_show_fee: { kind: 'fixed', value: 1250 } }, 'USD');
    expect(values.no_show_fee_fixed).toBe('12.50');
    expect(parsePolicy(values, DEFAULT_SHOP_POLICY, 'USD')).toEqual({ policy: { ...DEFAULT_SHOP_POLICY, no_show_fee: { kind: 'fixed', value: 1250 } }, errors: {} });
    const bad = parsePolicy({ ...values, deposit_kind: 'percent', deposit_percent: 'lots', slot_step_min: '-1' }, DEFAULT_SHOP_POLICY, 'USD');
    expect(bad.errors).toEqual({ deposit_percent: 'Enter a whole percentage, such as 20', slot_step_min: 'Must be 0 or more' });
    expect(fieldOfPolicyPath('no_show_fee.value', bad.policy)).toBe('no_show_fee_fixed');
    expect(fieldOfPolicyPath('hold_minutes', bad.policy)).toBe('hold_minutes');
  });
});
