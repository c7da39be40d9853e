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
import { createOfficeShop, localDate, moveTo, sql, startsBack, waitForStatus, type OfficeShop } from './lib/office.ts';
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
