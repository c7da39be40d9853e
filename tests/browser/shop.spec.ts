/** The shop page: who works there and what it costs, in the shop's currency; cacheable; a friendly 404. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectNoSeriousA11yViolations } from './lib/a11y.ts';
import { baseUrl } from './lib/env.ts';
import { newApp, open, screenshot } from './lib/browser.ts';
import { fadeStreet, kingsCross } from './lib/shops.ts';

/** Minor units as the visitor's locale writes them in the shop's currency. */
const money = (cents: number, currency: string, locale = 'en-US') =>
  new Intl.NumberFormat(locale, { style: 'currency', currency }).format(cents / 100);

for (const shop of [fadeStreet, kingsCross]) {
  test(`shop page: ${shop.name} shows its barbers and services`, async (t) => {
    const { page } = await newApp(t);
    await open(page, `/s/${shop.slug}`);
    assert.ok(await page.getByRole('heading', { level: 1, name: shop.name }).isVisible());
    assert.ok(await page.getByRole('heading', { name: 'Barbers' }).isVisible(), 'a Barbers heading');
    assert.ok(await page.getByRole('heading', { name: 'Services' }).isVisible(), 'a Services heading');
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(shop.address.line1), 'the address');
    for (const barber of shop.barbers) {
      const heading = page.getByRole('heading', { level: 3, name: new RegExp(`^${barber.firstName}\\b`) });
      assert.ok(await heading.first().isVisible(), `${barber.firstName}'s heading`);
      assert.ok(text.includes(barber.bio), `${barber.firstName}'s bio`);
    }
    for (const service of shop.services) {
      assert.ok(text.includes(service.name), service.name);
      assert.ok(text.includes(money(service.priceCents, shop.currency)), `${service.name} at ${money(service.priceCents, shop.currency)}`);
    }
    await expectNoSeriousA11yViolations(page);
  });
}

test('shop page: cacheable at the edge, revalidated with an ETag', async () => {
  const res = await fetch(`${baseUrl}/s/${fadeStreet.slug}`);
  assert.equal(res.status, 200);
  const cacheControl = res.headers.get('cache-control') ?? '';
  assert.match(cacheControl, /\bpublic\b/, `Cache-Control: ${cacheControl}`);
  assert.match(cacheControl, /\bstale-while-revalidate=\d+/, `Cache-Control: ${cacheControl}`);
  const etag = res.headers.get('etag');
  assert.ok(etag, 'an ETag');
  const again = await fetch(`${baseUrl}/s/${fadeStreet.slug}`, { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304, 'a matching If-None-Match is answered 304');
});

test('shop page: an unknown shop is a friendly 404', async (t) => {
  const { page } = await newApp(t, { project: 'phone' });
  await open(page, '/s/no-such-shop', { status: 404 });
  const heading = page.getByRole('heading', { level: 1 });
  assert.match(await heading.innerText(), /not found/i);
  const back = page.locator('main').getByRole('link');
  assert.ok((await back.count()) > 0, 'a way back');
  await expectNoSeriousA11yViolations(page, 'unknown shop');
  await screenshot(page, 'shop-not-found');
});
