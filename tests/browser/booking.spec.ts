/**
 * The booking flow end to end in Chromium: a free shop on a phone, a deposit shop through the
 * test checkout on a phone and a desktop, and a slot someone else takes while the client reviews.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLIENT_PASSWORD, registerClient, signInThroughPage, uniqueEmail } from './lib/accounts.ts';
import { expectNoSeriousA11yViolations } from './lib/a11y.ts';
import { baseUrl } from './lib/env.ts';
import { expectNoHorizontalScroll, newApp, open, screenshot, waitForHydration, type Project } from './lib/browser.ts';
import { freeShop } from './lib/free-shop.ts';
import { chooseDay, chooseTime, failOnConsoleErrors, follow, registerInline, times } from './lib/flow.ts';
import { bookThroughApi, fadeStreet, shopDetail } from './lib/shops.ts';

/** axe, no sideways scrolling, and a picture: what every step page of the flow must pass. */
async function checkStep(page: import('playwright-core').Page, name: string): Promise<void> {
  await expectNoSeriousA11yViolations(page, name);
  await expectNoHorizontalScroll(page);
  await screenshot(page, name);
}

test('booking: a free shop, service → barber → day → time → register inline → booked → .ics (phone)', async (t) => {
  const shop = await freeShop();
  const app = await newApp(t, { project: 'phone' });
  const { page } = app;
  failOnConsoleErrors(t, page);

  await open(page, `/s/${shop.slug}`);
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), shop.name);
  await checkStep(page, 'free-shop');

  await follow(page, page.getByRole('link', { name: 'Book an appointment' }));
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), `Book at ${shop.name}`);
  await checkStep(page, 'free-booking-service');

  await follow(page, page.getByRole('link', { name: new RegExp(shop.service.name) }));
  await page.getByRole('link', { name: 'Change service' }).waitFor();
  await checkStep(page, 'free-booking-barber');

  // One barber: no "Any barber", the barber's own link.
  assert.equal(await page.getByRole('link', { name: 'Any barber' }).count(), 0);
  await follow(page, page.locator('main').getByRole('link', { name: new RegExp(`^${shop.barber.name}\\b`) }));
  await page.getByRole('link', { name: 'Change barber' }).waitFor();
  await checkStep(page, 'free-booking-day');

  const day = await chooseDay(page, 1);
  await checkStep(page, 'free-booking-time');

  const slot = await chooseTime(page);
  assert.ok(new URL(page.url()).searchParams.get('start'), 'the review page carries the chosen start');
  assert.match(await page.locator('main').innerText(), new RegExp(slot.label.replace(/\s/g, '\\s')));
  await page.getByRole('heading', { name: 'Sign in to book' }).waitFor();
  await checkStep(page, 'free-review-signed-out');

  const who = { firstName: 'Phoebe', lastName: 'Phone', email: uniqueEmail('free'), password: CLIENT_PASSWORD };
  await registerInline(page, who);
  const confirm = page.getByRole('button', { name: 'Confirm booking' });
  await confirm.waitFor();
  await waitForHydration(page);
  // The chosen slot survived signing up.
  assert.equal(new URL(page.url()).searchParams.get('start'), slot.start);
  assert.match(await page.locator('main').innerText(), new RegExp(slot.label.replace(/\s/g, '\\s')));
  await checkStep(page, 'free-review');

  await confirm.click();
  await page.getByRole('heading', { level: 1, name: /You.re booked/ }).waitFor();
  await waitForHydration(page);
  assert.match(page.url(), /\/booked\//);
  const text = await page.locator('main').innerText();
  assert.match(text, new RegExp(day.split(',')[1]!.trim().split(' ')[0]!), 'the confirmation names the month');
  await checkStep(page, 'free-confirmation');

  const ics = page.getByRole('link', { name: 'Add to calendar' });
  const href = await ics.getAttribute('href');
  assert.ok(href, 'Add to calendar has an address');
  const res = await page.request.get(new URL(href, baseUrl).href);
  assert.equal(res.status(), 200);
  assert.match(res.headers()['content-type'] ?? '', /^text\/calendar/);
  assert.match(await res.text(), /BEGIN:VEVENT[\s\S]*Classic cut/);

  for (const name of ['My appointments', `Back to ${shop.name}`]) {
    const link = page.getByRole('link', { name, exact: true });
    const target = await link.getAttribute('href');
    assert.equal((await page.request.get(new URL(target ?? '', baseUrl).href)).status(), 200, `${name} → ${target}`);
  }
});

for (const project of ['phone', 'desktop'] as Project[]) {
  test(`booking: a deposit shop through the test checkout, with the hold's timer, to booked (${project})`, async (t) => {
    const client = await registerClient();
    const app = await newApp(t, { project });
    const { page } = app;
    failOnConsoleErrors(t, page);
    const detail = await shopDetail(fadeStreet.slug);
    const service = detail.services[0]!;

    await signInThroughPage(page, client);
    await open(page, `/s/${fadeStreet.slug}`);
    await checkStep(page, 'deposit-shop');
    await follow(page, page.getByRole('link', { name: 'Book an appointment' }));
    await checkStep(page, 'deposit-booking');
    await follow(page, page.getByRole('link', { name: new RegExp(service.name) }).first());
    await follow(page, page.getByRole('link', { name: 'Any barber' }));
    await chooseDay(page, 2);
    await chooseTime(page);
    const pay = page.getByRole('button', { name: 'Continue to payment' });
    await pay.waitFor();
    assert.match(await page.locator('main').innerText(), /Due now/);
    await page.getByRole('heading', { name: 'Cancellation policy' }).waitFor();
    await checkStep(page, 'deposit-review');

    await pay.click();
    await page.waitForURL('**/pay/*');
    await waitForHydration(page);
    await page.getByRole('heading', { level: 1, name: 'Pay to confirm' }).waitFor();
    const timer = page.getByRole('timer', { name: 'Time left to pay' });
    await timer.waitFor();
    const first = await timer.innerText();
    assert.match(first, /\d+:\d{2}/, `the timer shows minutes and seconds: ${first}`);
    await page.getByText('Test checkout').first().waitFor();
    await checkStep(page, 'deposit-pay');
    // The timer counts down while the client pays.
    await page.waitForFunction((before) => document.querySelector('[role="timer"]')?.textContent !== before, await timer.textContent(), { timeout: 5_000 });

    const testCard = page.getByRole('button', { name: /^Pay .+ with test card$/ });
    const due = (await page.getByRole('heading', { level: 2, name: /due now/i }).innerText()).split(':').pop()!.trim();
    assert.match(await testCard.innerText(), new RegExp(due.replace(/[$.]/g, '\\$&')));
    await testCard.click();
    await page.getByRole('heading', { level: 1, name: /You.re booked|Confirming your payment/ }).waitFor();
    await page.getByRole('heading', { level: 1, name: /You.re booked/ }).waitFor({ timeout: 20_000 });
    await waitForHydration(page);
    await checkStep(page, 'deposit-confirmation');
    assert.ok(await page.getByRole('link', { name: 'Add to calendar' }).isVisible());
  });
}

test('booking: a time taken meanwhile says so, offers fresh times, and one of them books', async (t) => {
  const shop = await freeShop();
  const client = await registerClient();
  const rival = await registerClient({ firstName: 'Quick', lastName: 'Rival' });
  const app = await newApp(t, { project: 'phone' });
  const { page } = app;
  // The review page answers a taken slot with 409 by design; Chromium notes any 4xx document.
  failOnConsoleErrors(t, page, [/status of 409 \(Conflict\)/]);
  await signInThroughPage(page, client);

  await open(page, `/s/${shop.slug}/book?service=${shop.service.id}&barber=${shop.barber.id}`);
  await chooseDay(page, 1);
  const slot = await chooseTime(page, 2);
  const confirm = page.getByRole('button', { name: 'Confirm booking' });
  await confirm.waitFor();

  // Someone else takes that very time while the client is reading the review page.
  await bookThroughApi(rival, { barberId: shop.barber.id, serviceId: shop.service.id, start: slot.start });

  await confirm.click();
  const alert = page.getByRole('alert').filter({ hasText: 'someone booked that time a moment ago' });
  await alert.waitFor();
  assert.match(await alert.innerText(), /^Sorry — someone booked that time a moment ago/);
  await page.getByRole('heading', { name: 'Pick another time' }).waitFor();
  assert.equal(await page.getByRole('heading', { level: 1, name: /error|went wrong/i }).count(), 0, 'not an error page');
  const fresh = times(page);
  assert.ok((await fresh.count()) > 0, 'fresh times are offered');
  const offered = await fresh.evaluateAll((els) => els.map((el) => (el as HTMLButtonElement).value));
  assert.ok(!offered.includes(slot.start), 'the taken time is not offered again');
  await checkStep(page, 'conflict');

  await fresh.first().click();
  await page.waitForURL('**/review?*');
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Confirm booking' }).click();
  await page.getByRole('heading', { level: 1, name: /You.re booked/ }).waitFor();
});
