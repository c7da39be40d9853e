/** Signing in, and the pages behind the links the app e-mails (verify, reset) with good and bad tokens. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registerClient, signInThroughPage } from './lib/accounts.ts';
import { expectNoSeriousA11yViolations } from './lib/a11y.ts';
import { linkFromOutbox } from './lib/api.ts';
import { newApp, open, screenshot, waitForHydration } from './lib/browser.ts';

/** Shaped like a real token (so the page offers its form) but never issued. */
const NEVER_ISSUED = 'x'.repeat(43);

test('login: a wrong password is said plainly and the e-mail is kept', async (t) => {
  const client = await registerClient({ verify: false });
  const { page } = await newApp(t, { project: 'phone' });
  await open(page, '/login');
  await page.getByLabel('E-mail').fill(client.email);
  await page.getByLabel('Password', { exact: true }).fill('not-the-password-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /wrong/i);
  assert.equal(await page.getByLabel('E-mail').inputValue(), client.email);
  await expectNoSeriousA11yViolations(page, 'wrong password');
  await screenshot(page, 'login-error');
});

test('login: the right password signs in', async (t) => {
  const client = await registerClient();
  const { page } = await newApp(t);
  await signInThroughPage(page, client);
  assert.notEqual(new URL(page.url()).pathname, '/login');
  await expectNoSeriousA11yViolations(page, 'signed in');
});

test('verify-email: the e-mailed link verifies the address', async (t) => {
  const client = await registerClient({ verify: false });
  const link = await linkFromOutbox(client.email, '/verify-email');
  const { page } = await newApp(t);
  await open(page, link.pathname + link.search);
  await expectNoSeriousA11yViolations(page, 'from the e-mail');
  await page.getByRole('button', { name: /verify/i }).click();
  await page.getByRole('heading', { name: /verified/i }).waitFor();
  await waitForHydration(page);
  await expectNoSeriousA11yViolations(page, 'verified');
});

test('verify-email: a bad or cut-short link gets a friendly message', async (t) => {
  const { page } = await newApp(t);
  await open(page, '/verify-email');
  assert.match(await page.getByRole('alert').innerText(), /incomplete/i);
  await expectNoSeriousA11yViolations(page, 'no token');

  await open(page, `/verify-email?token=${NEVER_ISSUED}`);
  await page.getByRole('button', { name: /verify/i }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /expired|already been used/i);
  await expectNoSeriousA11yViolations(page, 'bad token');
});

test('reset-password: a bad or cut-short link gets a friendly message', async (t) => {
  const { page } = await newApp(t, { project: 'phone' });
  await open(page, '/reset-password');
  assert.match(await page.getByRole('alert').innerText(), /incomplete/i);
  await expectNoSeriousA11yViolations(page, 'no token');

  await open(page, `/reset-password?token=${NEVER_ISSUED}`);
  await page.getByLabel('New password', { exact: true }).fill('a-brand-new-password-42');
  await page.getByLabel('Repeat the new password').fill('a-brand-new-password-42');
  await page.getByRole('button', { name: /new password/i }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /expired|already been used/i);
  await expectNoSeriousA11yViolations(page, 'bad token');
  await screenshot(page, 'reset-password-bad-link');
});
