/**
 * A client managing bookings in Chromium: moving one from My appointments, cancelling a paid one
 * with the refund stated before the decision, a waitlist entry joined from the calendar and left,
 * and the signed manage link from the confirmation e-mail, used without signing in.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registerClient, signInThroughPage, type Client } from './lib/accounts.ts';
import { expectNoSeriousA11yViolations } from './lib/a11y.ts';
import { api, payAtStandIn, type OutboxEntry } from './lib/api.ts';
import { baseUrl } from './lib/env.ts';
import { newApp, open, screenshot, waitForHydration } from './lib/browser.ts';
import { freeShop, type FreeShop } from './lib/free-shop.ts';
import { chooseDay, chooseTime, failOnConsoleErrors, follow } from './lib/flow.ts';
import { bookThroughApi, dayFromToday, fadeStreet, freeSlots, shopDetail, type Booked } from './lib/shops.ts';
import { sleep } from '../../dev/processes.ts';

/** A free slot `daysAhead` days from now (well outside a 24 h cancellation window). */
async function slotAhead(barberId: string, serviceId: string, daysAhead: number): Promise<string> {
  const slots = await freeSlots(barberId, serviceId, dayFromToday(daysAhead));
  assert.ok(slots.length > 0, `no free slot from ${dayFromToday(daysAhead)}`);
  return slots[0]!.start;
}

async function bookFree(shop: FreeShop, client: Client, daysAhead = 4): Promise<Booked> {
  const start = await slotAhead(shop.barber.id, shop.service.id, daysAhead);
  return bookThroughApi(client, { barberId: shop.barber.id, serviceId: shop.service.id, start });
}

async function waitForStatus(client: Client, id: string, status: string): Promise<void> {
  const until = Date.now() + 20_000;
  for (;;) {
    const a = await api<{ status: string }>(`/api/v1/appointments/${id}`, { token: client.accessToken });
    if (a.status === status) return;
    if (Date.now() > until) throw new Error(`appointment ${id} is ${a.status}, not ${status}`);
    await sleep(250);
  }
}

function item(page: import('playwright-core').Page, list: string, hasText: string) {
  return page.getByRole('list', { name: list }).getByRole('listitem').filter({ hasText });
}

test('reschedule from My appointments: a new time, "moved", and the list shows it (desktop)', async (t) => {
  const shop = await freeShop();
  const client = await registerClient();
  const booked = await bookFree(shop, client);
  const { page } = await newApp(t);
  failOnConsoleErrors(t, page);
  await signInThroughPage(page, client, '/account/appointments');
  await page.getByRole('heading', { level: 1, name: 'My appointments' }).waitFor();
  const entry = item(page, 'Upcoming appointments', shop.name);
  const before = await entry.innerText();
  await expectNoSeriousA11yViolations(page, 'before reschedule');

  await follow(page, entry.getByRole('link', { name: 'Reschedule' }));
  await page.waitForURL('**/book?*reschedule=*');
  await page.getByRole('heading', { level: 1, name: 'Reschedule your appointment' }).waitFor();
  await expectNoSeriousA11yViolations(page, 'reschedule calendar');
  // A later day than the booking's: the fifth open day is at least four days on.
  await chooseDay(page, 5);
  const slot = await chooseTime(page, 3);
  assert.notEqual(slot.start, booked.start_time);
  await page.getByRole('heading', { level: 1, name: 'Review the new time' }).waitFor();
  assert.match(await page.locator('main').innerText(), /Current time[\s\S]*New time/);
  await expectNoSeriousA11yViolations(page, 'review the new time');
  await screenshot(page, 'reschedule-review');

  await page.getByRole('button', { name: 'Confirm new time' }).click();
  await page.getByRole('heading', { level: 1, name: 'Your appointment has been moved' }).waitFor();
  await waitForHydration(page);
  await expectNoSeriousA11yViolations(page, 'moved');

  await follow(page, page.getByRole('link', { name: 'My appointments' }).last());
  const after = await item(page, 'Upcoming appointments', shop.name).innerText();
  assert.notEqual(after, before, 'the list shows the new time');
  assert.match(after, new RegExp(slot.label.replace(/\s/g, '\\s')));
  const moved = await api<{ start_time: string }>(`/api/v1/appointments/${booked.id}`, { token: client.accessToken });
  assert.equal(moved.start_time, slot.start);
});

test('cancel a paid deposit booking: the refund is stated before confirming and is what is refunded (phone)', async (t) => {
  const client = await registerClient();
  const detail = await shopDetail(fadeStreet.slug);
  const barber = detail.barbers[0]!;
  const serviceId = barber.services[0]!.service_id;
  const start = await slotAhead(barber.id, serviceId, 5);
  const booked = await bookThroughApi(client, { barberId: barber.id, serviceId, start });
  assert.ok(booked.payment, 'a deposit is due');
  await payAtStandIn(booked.payment.payment_intent_id);
  await waitForStatus(client, booked.id, 'confirmed');

  const { page } = await newApp(t, { project: 'phone' });
  failOnConsoleErrors(t, page);
  await signInThroughPage(page, client, '/account/appointments');
  const entry = item(page, 'Upcoming appointments', fadeStreet.name);
  await follow(page, entry.getByRole('link', { name: 'Cancel' }));
  await page.getByRole('heading', { level: 1, name: 'Cancel this appointment?' }).waitFor();
  const main = await page.locator('main').innerText();
  const stated = /You will get back the (\S+) you paid/.exec(main);
  assert.ok(stated, `the page states the refund before confirming: ${main}`);
  const amount = booked.payment.amount / 100;
  assert.equal(stated[1], `$${amount.toFixed(2)}`);
  await expectNoSeriousA11yViolations(page, 'cancel preview');
  await screenshot(page, 'cancel-preview');

  await page.getByLabel('Reason (optional)').fill('Plans changed');
  await page.getByRole('button', { name: 'Cancel appointment' }).click();
  await page.getByRole('heading', { level: 1, name: 'Appointment cancelled' }).waitFor();
  await waitForHydration(page);
  assert.match(await page.locator('main').innerText(), new RegExp(stated[1]!.replace(/[$.]/g, '\\$&')));
  await expectNoSeriousA11yViolations(page, 'cancelled');
  await screenshot(page, 'cancelled');
  const after = await api<{ status: string }>(`/api/v1/appointments/${booked.id}`, { token: client.accessToken });
  assert.equal(after.status, 'cancelled');
});

test('waitlist: join from the booking page, see it in My waitlist, leave it (phone)', async (t) => {
  const shop = await freeShop();
  const client = await registerClient();
  const { page } = await newApp(t, { project: 'phone' });
  failOnConsoleErrors(t, page);
  await signInThroughPage(page, client);
  await open(page, `/s/${shop.slug}/book?service=${shop.service.id}&barber=${shop.barber.id}`);
  const select = page.getByLabel('Day to wait for');
  const options = await select.locator('option').allInnerTexts();
  await select.selectOption({ index: Math.min(2, options.length - 1) });
  await page.getByRole('button', { name: 'Join the waitlist' }).click();
  await page.waitForURL(/[?&]waitlist=joined/);
  await waitForHydration(page);
  await page.getByText('You are on the waitlist').waitFor();
  await expectNoSeriousA11yViolations(page, 'joined');

  await open(page, '/account/waitlist');
  await page.getByRole('heading', { level: 1, name: 'My waitlist' }).waitFor();
  const leave = page.getByRole('button', { name: `Leave waitlist: ${shop.service.name} at ${shop.name}` });
  await leave.waitFor();
  await expectNoSeriousA11yViolations(page, 'my waitlist');
  await screenshot(page, 'waitlist');
  await leave.click();
  await page.getByText('You have left that waitlist.').waitFor();
  await waitForHydration(page);
  // The list re-read after leaving: the entry is under "Earlier" now, no longer to be left.
  const left = await page.getByRole('list', { name: 'Earlier waitlist entries' }).innerText();
  assert.equal(await page.getByRole('button', { name: /^Leave waitlist:/ }).count(), 0, `still offered: ${await page.locator('main').innerText()}`);
  assert.match(left, /Left/, 'the entry moved to Earlier as left');
  await expectNoSeriousA11yViolations(page, 'left');
});

/** The manage links in the messages to `email` about a booking, by what each one does. */
async function manageLinks(email: string, timeoutMs = 20_000): Promise<Map<string, URL>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { data } = await api<{ data: OutboxEntry[] }>('/dev/outbox.json');
    const links = new Map<string, URL>();
    for (const entry of data) {
      if (entry.recipient.toLowerCase() !== email.toLowerCase() || entry.channel !== 'email') continue;
      for (const match of entry.text.matchAll(/https?:\/\/[^\s<>"']+/g)) {
        const url = new URL(match[0]);
        const token = url.searchParams.get('token');
        if (url.origin !== baseUrl || url.pathname !== '/m' || !token) continue;
        // The token's first part is the link's claims: base64url JSON naming its purpose.
        const claims = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { p?: string };
        if (claims.p && !links.has(claims.p)) links.set(claims.p, url);
      }
    }
    if (links.size > 0) return links;
    if (Date.now() > until) throw new Error(`no manage link e-mailed to ${email} within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

test('manage link from the confirmation e-mail: "Your appointment", cancelled without signing in (phone)', async (t) => {
  const shop = await freeShop();
  const client = await registerClient();
  const booked = await bookFree(shop, client);
  const links = await manageLinks(client.email);
  const cancel = links.get('cancel');
  assert.ok(cancel, `a cancel link among ${[...links.keys()].join(', ')}`);

  const { page } = await newApp(t, { project: 'phone' });
  failOnConsoleErrors(t, page);
  await open(page, cancel.pathname + cancel.search);
  await page.getByRole('heading', { level: 1, name: 'Your appointment' }).waitFor();
  assert.match(await page.locator('main').innerText(), new RegExp(shop.name));
  await expectNoSeriousA11yViolations(page, 'manage link');
  await screenshot(page, 'manage-link');
  await page.getByLabel('Reason (optional)').fill('Cannot make it');
  await page.getByRole('button', { name: 'Cancel this appointment' }).click();
  await page.getByRole('heading', { level: 1, name: 'Appointment cancelled' }).waitFor();
  await waitForHydration(page);
  assert.match(await page.getByRole('status').first().innerText(), /^Your appointment is cancelled\./);
  await expectNoSeriousA11yViolations(page, 'manage link, cancelled');
  await waitForStatus(client, booked.id, 'cancelled');
});
