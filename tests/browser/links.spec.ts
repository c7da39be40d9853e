/** Links that reach the app from outside: manage links, invitations, and addresses that do not exist. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectNoSeriousA11yViolations } from './lib/a11y.ts';
import { newApp, open, screenshot } from './lib/browser.ts';

test('manage link: a tampered or cut-short link explains itself', async (t) => {
  const { page } = await newApp(t, { project: 'phone' });
  await open(page, '/m?token=not-a-real-link', { status: 400 });
  assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /not valid/i);
  assert.ok(await page.getByRole('alert').isVisible());
  await expectNoSeriousA11yViolations(page, 'invalid link');
  await screenshot(page, 'manage-bad-link');

  await open(page, '/m');
  assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /incomplete/i);
  await expectNoSeriousA11yViolations(page, 'no token');
});

test('invitation link: signed out, the page asks to sign in and keeps the invitation', async (t) => {
  const { page } = await newApp(t);
  await open(page, `/invitations/accept#token=${'y'.repeat(43)}`);
  assert.ok(await page.getByRole('heading', { level: 1, name: /invitation/i }).isVisible());
  const signIn = page.locator('main').getByRole('link', { name: 'Sign in' });
  const href = (await signIn.getAttribute('href')) ?? '';
  assert.match(href, /^\/login\?next=/, `sign-in link ${href}`);
  await expectNoSeriousA11yViolations(page, 'signed out');
  await signIn.click();
  await page.waitForURL('**/login?next=*');
  assert.ok(await page.getByRole('heading', { level: 1 }).isVisible());
});

test('not found: an unknown address is a friendly 404 page', async (t) => {
  const { page } = await newApp(t, { project: 'phone' });
  await open(page, '/no-such-page-here', { status: 404 });
  const main = await page.locator('main').innerText();
  assert.ok(await page.getByRole('heading', { level: 1 }).isVisible(), 'a heading');
  assert.doesNotMatch(main, /\bat \S+ \(|Error:|undefined/, 'no stack trace or internals');
  assert.ok((await page.getByRole('link', { name: /bookedbarber|find a shop|home/i }).count()) > 0, 'a way back');
  await expectNoSeriousA11yViolations(page, 'not found');
  await screenshot(page, 'not-found');
});
