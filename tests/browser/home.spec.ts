/** The way in: the landing page's shop search leads to the shop's own page, on a phone and a laptop. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectNoSeriousA11yViolations } from './lib/a11y.ts';
import { expectNoHorizontalScroll, newApp, open, screenshot, waitForHydration, type Project } from './lib/browser.ts';
import { pressByKeyboard, typeByKeyboard } from './lib/keyboard.ts';
import { fadeStreet, kingsCross } from './lib/shops.ts';

for (const project of ['phone', 'desktop'] as const satisfies Project[]) {
  test(`home: search finds a shop and opens its page (${project})`, async (t) => {
    const { page } = await newApp(t, { project });
    await open(page, '/');
    assert.ok(await page.getByRole('heading', { level: 1 }).isVisible());
    for (const shop of [fadeStreet, kingsCross]) assert.ok(await page.getByRole('link', { name: shop.name }).isVisible(), `${shop.name} listed`);
    await expectNoSeriousA11yViolations(page, 'all shops');
    await expectNoHorizontalScroll(page);
    await screenshot(page, 'home');

    await page.getByRole('searchbox', { name: 'Shop name' }).fill('Kings');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/[?&]q=Kings/);
    await waitForHydration(page);
    const found = page.getByRole('link', { name: kingsCross.name });
    await found.waitFor();
    assert.equal(await page.getByRole('link', { name: fadeStreet.name }).count(), 0, 'the search still lists Fade Street');
    await expectNoSeriousA11yViolations(page, 'search results');

    await found.click();
    await page.waitForURL(`**/s/${kingsCross.slug}`);
    await waitForHydration(page);
    await page.getByRole('heading', { level: 1, name: kingsCross.name }).waitFor();
    await expectNoHorizontalScroll(page);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, 'shop');
  });
}

test('home: a search that matches nothing says so', async (t) => {
  const { page } = await newApp(t);
  await open(page, '/?q=no-such-barbershop-anywhere');
  assert.equal(await page.getByRole('link', { name: fadeStreet.name }).count(), 0);
  assert.match((await page.locator('main').innerText()).toLowerCase(), /no shops/);
  await expectNoSeriousA11yViolations(page, 'no results');
});

test('home: search and open a shop with the keyboard alone', async (t) => {
  const { page } = await newApp(t, { project: 'phone' });
  await open(page, '/');
  await typeByKeyboard(page, page.getByRole('searchbox', { name: 'Shop name' }), 'Fade');
  await page.keyboard.press('Enter');
  await page.waitForURL(/[?&]q=Fade/);
  await waitForHydration(page);
  await pressByKeyboard(page, page.getByRole('link', { name: fadeStreet.name }));
  await page.waitForURL(`**/s/${fadeStreet.slug}`);
  await waitForHydration(page);
  await page.getByRole('heading', { level: 1, name: fadeStreet.name }).waitFor();
});
