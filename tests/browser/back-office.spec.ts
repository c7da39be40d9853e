/**
 * The back office in Chromium: a barber's day sheet on a phone (check-in, done, a no-show whose
 * fee the owner then finds on the payments page), walk-ins placed in a real gap, an owner's hours
 * change reaching the public booking page at once, the dashboard against a hand-computed
 * fixture, and a barber of one shop seeing nothing of another on any back-office page.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { DEMO, registerClient, signInThroughPage } from './lib/accounts.ts';
import { expectNoSeriousA11yViolations } from './lib/a11y.ts';
import { api, payAtStandIn } from './lib/api.ts';
import { expectNoHorizontalScroll, newApp, open, screenshot } from './lib/browser.ts';
import { failOnConsoleErrors } from './lib/flow.ts';
import { createOfficeShop, localDate, moveTo, seedDashboardFixture, sql, startsBack, waitForStatus, type OfficeShop } from './lib/office.ts';
import { bookThroughApi, dayFromToday, fadeStreet, freeSlots, shopDetail } from './lib/shops.ts';
import { sleep } from '../../dev/processes.ts';

const MINUTE = 60_000;

let shared: Promise<OfficeShop> | undefined;
/** This file's own shop (an owner and a barber of its own), made on first use. */
function officeShop(): Promise<OfficeShop> {
  shared ??= createOfficeShop();
  return shared;
}

/** The day-sheet row of one appointment. */
function sheetRow(page: Page, appointmentId: string) {
  return page.locator(`li[aria-labelledby="appt-${appointmentId}"]`);
}

test('day sheet on a 390 px phone: arrived then done, and a no-show whose fee the owner sees on the payments page', async (t) => {
  const shop = await shopDetail(fadeStreet.slug);
  const marcus = shop.barbers.find((b) => b.display_name.startsWith('Marcus'));
  assert.ok(marcus, 'Fade Street has Marcus');
  const service = marcus.services[0]!;
  const client = await registerClient({ firstName: 'Nadia', lastName: `Sheet${randomUUID().slice(0, 6)}` });

  // Two deposit bookings, paid at the Stripe stand-in (which saves the card the fee goes on)…
  const slots = await freeSlots(marcus.id, service.service_id, dayFromToday(1));
  assert.ok(slots.length > 8, 'Marcus has free slots');
  const booked = [];
  for (const slot of [slots[0]!, slots[8]!]) {
    const b = await bookThroughApi(client, { barberId: marcus.id, serviceId: service.service_id, start: slot.start });
    assert.ok(b.payment, 'Fade Street takes a deposit');
    await payAtStandIn(b.payment.payment_intent_id);
    await waitForStatus(client.accessToken, b.id, 'confirmed');
    booked.push(b);
  }
  // …then moved to have started already (the only write behind the API's back: time has to pass
  // for a no-show). The first began a few minutes ago, the second an hour or more ago.
  const seenStart = await moveTo(booked[0]!.id, startsBack(Date.now() - 5 * MINUTE, 24, 35));
  const noShowStart = await moveTo(booked[1]!.id, startsBack(Date.now() - 65 * MINUTE, 24, 35));

  const { page } = await newApp(t, { project: 'phone' });
  failOnConsoleErrors(t, page);
  await signInThroughPage(page, { email: 'marcus@fadestreet.test', password: DEMO.password }, `/work?date=${localDate(seenStart, shop.timezone)}`);
  await page.getByRole('navigation', { name: 'Your work' }).waitFor();
  await expectNoHorizontalScroll(page);
  await expectNoSeriousA11yViolations(page, 'day sheet');

  const seen = sheetRow(page, booked[0]!.id);
  await seen.getByRole('button', { name: /^Arrived/ }).click();
  await seen.getByRole('status').filter({ hasText: /^Arrived \d/ }).waitFor();
  assert.equal(await seen.getByRole('button', { name: /^No-show/ }).count(), 0, 'an arrived client cannot be a no-show');
  await seen.getByRole('button', { name: /^Done/ }).click();
  await seen.getByRole('status').filter({ hasText: /^Done/ }).waitFor();
  await screenshot(page, 'day-sheet-done');

  await open(page, `/work?date=${localDate(noShowStart, shop.timezone)}`);
  const missed = sheetRow(page, booked[1]!.id);
  await missed.getByRole('button', { name: /^No-show/ }).click();
  await missed.getByRole('status').filter({ hasText: /^No-show/ }).waitFor();

  const owner = await api<{ access_token: string }>('/api/v1/auth/login', { body: { email: DEMO.fadeStreetOwner, password: DEMO.password } });
  assert.equal((await api<{ status: string }>(`/api/v1/appointments/${booked[0]!.id}`, { token: owner.access_token })).status, 'completed');
  // The fee (50 % of the price, the deposit counting towards it) is charged to the saved card.
  type Payment = { kind: string; reason: string | null; status: string; amount_cents: number };
  let fee: Payment | undefined;
  for (const until = Date.now() + 20_000; ; await sleep(250)) {
    const list = await api<{ data: Payment[] }>(`/api/v1/shops/${shop.id}/payments?appointment_id=${booked[1]!.id}`, { token: owner.access_token });
    fee = list.data.find((p) => p.kind === 'fee');
    if (fee?.status === 'succeeded' || Date.now() > until) break;
  }
  assert.ok(fee, 'a fee payment was recorded');
  assert.equal(fee.status, 'succeeded');
  assert.equal(fee.amount_cents, Math.round(service.price_cents * 0.5) - booked[1]!.payment!.amount);

  const { page: office } = await newApp(t, { project: 'phone' });
  failOnConsoleErrors(t, office);
  await signInThroughPage(office, { email: DEMO.fadeStreetOwner, password: DEMO.password }, `/manage/${shop.id}/payments`);
  const feeRow = office.locator('tr, li').filter({ hasText: client.lastName }).filter({ hasText: /no-show fee/i });
  await feeRow.first().waitFor();
  const amount = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(fee.amount_cents / 100);
  assert.match(await feeRow.first().innerText(), new RegExp(amount.replace(/[$.]/g, '\\$&')));
  await expectNoHorizontalScroll(office);
  await expectNoSeriousA11yViolations(office, 'payments');
  await screenshot(office, 'owner-payments-fee');
});

test('cross-tenant: a barber of one shop sees nothing of another on any back-office page', async (t) => {
  const mine = await officeShop();
  const other = await shopDetail(fadeStreet.slug);
  const marcus = other.barbers.find((b) => b.display_name.startsWith('Marcus'))!;
  const [theirClient] = (await sql().query(
    `SELECT DISTINCT a.client_id AS id, u.last_name FROM appointments a JOIN users u ON u.id = a.client_id WHERE a.shop_id = $1 LIMIT 1`,
    [other.id],
  )) as { id: string; last_name: string }[];
  assert.ok(theirClient, 'Fade Street has clients');
  const secrets = [other.name, 'Marcus', 'Dani Ortiz', 'Jay Park', theirClient.last_name];

  const { page } = await newApp(t);
  failOnConsoleErrors(t, page, [/status of 40[34]/]);
  await signInThroughPage(page, mine.barber.user, '/work');
  // Their own sheet works…
  await page.getByRole('navigation', { name: 'Your work' }).waitFor();

  const owner = `/manage/${other.id}`;
  const paths = [
    owner,
    `${owner}/payments`,
    `${owner}/clients`,
    `${owner}/clients/${theirClient.id}`,
    `${owner}/barbers`,
    `${owner}/services`,
    `${owner}/policy`,
    `${owner}/queue`,
    `${owner}/stripe`,
    `${owner}/notifications`,
    `/work?barber=${marcus.id}`,
    `/work/week?barber=${marcus.id}`,
    `/work/book?barber=${marcus.id}`,
    `/work/hours?barber=${marcus.id}`,
    `/work/time-off?barber=${marcus.id}`,
    `/work/services?barber=${marcus.id}`,
    `/work/calendar?barber=${marcus.id}`,
    `/work/queue?shop=${other.id}`,
  ];
  const leaks: string[] = [];
  for (const path of paths) {
    const response = await page.goto(path);
    assert.ok(response, path);
    assert.ok([403, 404].includes(response.status()), `${path} answered ${response.status()}`);
    const text = await page.locator('body').innerText();
    for (const s of secrets) if (text.includes(s)) leaks.push(`${path} shows "${s}"`);
  }
  const csv = await page.request.get(`${owner}/reports.csv`);
  assert.ok([403, 404].includes(csv.status()), `reports.csv answered ${csv.status()}`);
  assert.deepEqual(leaks, []);
});

/** The minutes in "About 25 min", "About 1 h", "About 1 h 5 min" or "No wait" (NaN for anything else). */
function waitMinutes(estimate: string): number {
  if (/no wait|now|next/i.test(estimate)) return 0;
  const hours = /(\d+)\s*h\b/.exec(estimate);
  const minutes = /(\d+)\s*min/.exec(estimate);
  if (!hours && !minutes) return NaN;
  return Number(hours?.[1] ?? 0) * 60 + Number(minutes?.[1] ?? 0);
}

test('a walk-in joins on a phone, waits as long as the schedule says, is placed in the gap, and online booking cannot take it', async (t) => {
  const shop = await officeShop();
  const slotsOf = async () => (await freeSlots(shop.barber.id, shop.service.id, localDate(Date.now(), shop.timezone))).map((s) => Date.parse(s.start));
  // Someone booked online the first free slot: the walk-in's gap is before it if 30 minutes fit, else after it.
  const client = await registerClient({ firstName: 'Otto', lastName: 'Online' });
  const first = (await slotsOf())[0]!;
  await bookThroughApi(client, { barberId: shop.barber.id, serviceId: shop.service.id, start: new Date(first).toISOString() });
  const grid = Math.ceil(Date.now() / (5 * MINUTE)) * 5 * MINUTE;
  const expected = grid + 30 * MINUTE <= first ? grid : first + 30 * MINUTE;
  const freeBefore = await slotsOf();

  const { page } = await newApp(t, { project: 'phone', timezoneId: shop.timezone });
  failOnConsoleErrors(t, page);
  await open(page, `/s/${shop.slug}/walk-in`);
  await page.getByRole('heading', { name: 'Your wait now' }).waitFor();
  const estimate = await page.locator('.walk-in-wait').innerText();
  const minutes = waitMinutes(estimate);
  const waitNow = (expected - Date.now()) / MINUTE;
  assert.ok(Math.abs(minutes - waitNow) <= 6, `the page says "${estimate}"; the schedule says about ${Math.round(waitNow)} min`);
  await expectNoHorizontalScroll(page);
  await expectNoSeriousA11yViolations(page, 'walk-in join');

  const name = `Kim${randomUUID().slice(0, 4)}`;
  await page.getByLabel('First name').fill(name);
  await page.getByLabel('Mobile number').fill('+1 415 555 0142');
  await Promise.all([page.waitForURL(/\/walk-in\/[^/?]+/), page.getByRole('button', { name: 'Join the queue' }).click()]);
  await page.getByText('Position 1 in the queue.').waitFor();
  await screenshot(page, 'walk-in-ticket');

  const [row] = (await sql().query(
    `SELECT id, start_time, end_time FROM appointments WHERE barber_id = $1 AND source = 'walk_in' AND status = 'confirmed' ORDER BY created_at DESC LIMIT 1`,
    [shop.barber.id],
  )) as { id: string; start_time: string | Date; end_time: string | Date }[];
  assert.ok(row, 'the walk-in occupies the barber’s time');
  const start = new Date(row.start_time).getTime();
  const end = new Date(row.end_time).getTime();
  assert.ok(start >= expected && start <= expected + 5 * MINUTE, `placed at ${new Date(start).toISOString()}, the gap starts ${new Date(expected).toISOString()}`);
  assert.ok(end <= first || start >= first + 30 * MINUTE, 'the walk-in does not overlap the online booking');

  // Every online slot that overlaps the walk-in was free before and is gone now; booking one is refused.
  const overlapping = freeBefore.filter((s) => s < end && s + 30 * MINUTE > start);
  assert.ok(overlapping.length > 0, 'online booking could have taken this gap before the walk-in');
  const freeAfter = await slotsOf();
  assert.deepEqual(overlapping.filter((s) => freeAfter.includes(s)), []);
  const late = await registerClient({ firstName: 'Lou', lastName: 'Late' });
  await assert.rejects(
    bookThroughApi(late, { barberId: shop.barber.id, serviceId: shop.service.id, start: new Date(overlapping[0]!).toISOString() }),
    (err: { status?: number }) => err.status === 409,
  );

  // The desk sees the same walk-in in its queue.
  const { page: desk } = await newApp(t, { project: 'phone' });
  failOnConsoleErrors(t, desk);
  await signInThroughPage(desk, shop.barber.user, '/work/queue');
  await desk.getByRole('row').filter({ hasText: name }).first().waitFor();
});

test('an owner changes a barber’s hours and the public booking page offers the new times at once', async (t) => {
  const shop = await officeShop();
  const { addDays, formatPlainDate, localDate: plainLocalDate, zonedTimeToUtc } = await import('../../worker/domain/time.ts');
  const day = addDays(plainLocalDate(new Date(), shop.timezone), 2);
  const weekdayName = new Intl.DateTimeFormat('en-US', { weekday: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(day.year, day.month - 1, day.day, 12)));
  const bookingPage = `/s/${shop.slug}/book?${new URLSearchParams({ service: shop.service.id, barber: shop.barber.id, day: formatPlainDate(day) })}`;
  const at = (hhmm: string) => zonedTimeToUtc(day, Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3)), shop.timezone).toISOString();

  const { page: visitor } = await newApp(t);
  failOnConsoleErrors(t, visitor);
  await open(visitor, bookingPage);
  assert.equal(await visitor.locator(`button[value="${at('07:30')}"]`).count(), 1, 'open from 07:00 before the change');

  const { page } = await newApp(t);
  failOnConsoleErrors(t, page);
  await signInThroughPage(page, shop.owner, `/work/hours?barber=${shop.barber.id}`);
  const fieldset = page.locator('fieldset').filter({ has: page.locator('legend', { hasText: weekdayName }) });
  await fieldset.getByLabel('From').fill('10:00');
  await fieldset.getByLabel('Until').fill('11:00');
  await page.getByRole('button', { name: 'Save hours' }).click();
  await page.locator('.saved[role="status"]').waitFor();

  await open(visitor, bookingPage);
  const offered = await visitor.locator('main button[value]').evaluateAll((els) => els.map((e) => e.getAttribute('value')).filter((v) => v && /T/.test(v)));
  assert.deepEqual(offered, [at('10:00'), at('10:30')]);
});

test('the dashboard shows the hand-computed figures of a known fortnight, and every chart has its data table', async (t) => {
  const shop = await officeShop();
  const range = await seedDashboardFixture(shop);
  const { page } = await newApp(t);
  failOnConsoleErrors(t, page);
  await signInThroughPage(page, shop.owner, `/manage/${shop.id}?${new URLSearchParams(range)}`);
  const metric = async (name: string) => (await page.locator(`[data-metric="${name}"]`).first().innerText()).replace(/\s+/g, ' ');
  // Captured 40 + 20 + 40 + 40 = 140.00, refunded 10.00 → net 130.00.
  assert.match(await metric('revenue_net'), /\$130\.00/);
  // Booked online: day 1 two (completed, no-show), day 2 one; the walk-in apart.
  assert.match(await metric('bookings'), /\b3\b/);
  assert.match(await metric('walk_ins'), /\b1\b/);
  // Five that count (four booked and started, one late cancel): one no-show, one late cancel.
  assert.match(await metric('no_show_rate'), /20(\.0)?\s?%/);
  assert.match(await metric('late_cancel_rate'), /20(\.0)?\s?%/);
  // 4 × 30 booked minutes of 2 × 14 h (07:00–21:00) working: 120 / 1680 = 7.1 %.
  assert.match(await metric('utilisation'), /7\.1\s?%/);

  const figures = page.locator('main figure');
  const count = await figures.count();
  assert.ok(count >= 6, `${count} charts`);
  for (let i = 0; i < count; i++) {
    const figure = figures.nth(i);
    assert.equal(await figure.locator('svg[role="img"]').count(), 1, `chart ${i} is drawn`);
    assert.equal(await figure.locator('table').count(), 1, `chart ${i} has its data table`);
  }
  // The tables sit in closed <details>: read their text, not what is on screen.
  const revenue = (await page.locator('table[id^="data-chart-revenue"]').first().textContent()) ?? '';
  for (const figure of ['$140.00', '$10.00', '$6.90']) assert.ok(revenue.includes(figure), `the revenue table shows ${figure}`);
  await expectNoSeriousA11yViolations(page, 'dashboard');
  await screenshot(page, 'dashboard');
});
