/**
 * The whole free booking flow with the keyboard alone — Tab, Shift+Tab, Enter, Space and arrow
 * keys, never a click — on a 390 px phone: every control reachable in order, each showing its
 * focus ring, and the focus never dropped to the top of the page after a step.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLIENT_PASSWORD, uniqueEmail } from './lib/accounts.ts';
import { expectNoSeriousA11yViolations } from './lib/a11y.ts';
import { newApp, open, screenshot, waitForHydration } from './lib/browser.ts';
import { freeShop } from './lib/free-shop.ts';
import { dayName, failOnConsoleErrors, OPEN_DAY, TIME } from './lib/flow.ts';
import { describeFocus, focusByKeyboard, pressByKeyboard, typeByKeyboard } from './lib/keyboard.ts';

test('keyboard only: a free shop from its page to "You’re booked" (phone)', async (t) => {
  const shop = await freeShop();
  const { page } = await newApp(t, { project: 'phone' });
  failOnConsoleErrors(t, page);
  const main = page.locator('main');

  await open(page, `/s/${shop.slug}`);
  await pressByKeyboard(page, page.getByRole('link', { name: 'Book an appointment' }));
  await page.waitForURL('**/book');
  await waitForHydration(page);

  await pressByKeyboard(page, main.getByRole('link', { name: new RegExp(shop.service.name) }));
  await page.getByRole('link', { name: 'Change service' }).waitFor();
  // The step that replaced the link just used takes the focus, not the top of the page.
  assert.notEqual(await describeFocus(page), 'body', 'focus after choosing the service');

  await pressByKeyboard(page, main.getByRole('link', { name: new RegExp(`^${shop.barber.name}\\b`) }));
  await page.getByRole('link', { name: 'Change barber' }).waitFor();
  assert.notEqual(await describeFocus(page), 'body', 'focus after choosing the barber');

  // Into the calendar with Tab, along it with the arrow keys, a day chosen with Space.
  const days = page.getByRole('button', { name: OPEN_DAY });
  await focusByKeyboard(page, days.first());
  await page.keyboard.press('ArrowRight');
  const second = days.nth(1);
  assert.equal(await second.evaluate((el) => el === document.activeElement), true, `ArrowRight moved to ${await describeFocus(page)}`);
  await page.keyboard.press('End');
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  const label = await dayName(second);
  await page.keyboard.press(' ');
  await page.getByRole('button', { name: label, pressed: true }).waitFor();
  await page.getByText(`Times on ${label}`).waitFor();
  await waitForHydration(page);
  await expectNoSeriousA11yViolations(page, 'keyboard, times shown');

  // Onward with Tab to the second time; Shift+Tab back proves the order runs both ways.
  const slots = main.getByRole('button', { name: TIME });
  await focusByKeyboard(page, slots.nth(1));
  await page.keyboard.press('Shift+Tab');
  assert.equal(await slots.nth(0).evaluate((el) => el === document.activeElement), true, `Shift+Tab went to ${await describeFocus(page)}`);
  await page.keyboard.press('Tab');
  const start = await slots.nth(1).getAttribute('value');
  await page.keyboard.press('Enter');
  await page.waitForURL('**/review?*');
  await waitForHydration(page);
  await page.getByRole('heading', { level: 1, name: 'Review your booking' }).waitFor();

  await pressByKeyboard(page, page.getByRole('link', { name: 'New here? Create an account' }));
  await page.getByRole('button', { name: 'Create account' }).waitFor();
  await waitForHydration(page);
  await typeByKeyboard(page, page.getByLabel('First name'), 'Kit');
  await typeByKeyboard(page, page.getByLabel('Last name'), 'Keys');
  await typeByKeyboard(page, page.getByLabel('E-mail'), uniqueEmail('keys'));
  await typeByKeyboard(page, page.getByLabel('Password', { exact: true }), CLIENT_PASSWORD);
  await pressByKeyboard(page, page.getByRole('button', { name: 'Create account' }));

  const confirm = page.getByRole('button', { name: 'Confirm booking' });
  await confirm.waitFor();
  await waitForHydration(page);
  assert.equal(new URL(page.url()).searchParams.get('start'), start, 'the chosen time survived signing up');
  await pressByKeyboard(page, confirm);
  await page.getByRole('heading', { level: 1, name: /You.re booked/ }).waitFor();
  await waitForHydration(page);
  await focusByKeyboard(page, page.getByRole('link', { name: 'Add to calendar' }));
  await expectNoSeriousA11yViolations(page, 'keyboard, booked');
  await screenshot(page, 'keyboard-booked');
});
