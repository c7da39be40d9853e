/**
 * The booking flow's steps as a person takes them (by role and accessible name), and a console
 * watch: an error logged by a page is a bug even when nothing visible breaks.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { waitForHydration } from './browser.ts';

/**
 * Remix's route discovery fetch that a spec's own page.goto() cut short (signing in lands on
 * /account, then the spec opens the next page at once): the navigation's doing, not the page's.
 */
const ABORTED_BY_NAVIGATION = /^Failed to fetch manifest patches TypeError: Failed to fetch/;

/**
 * Fails the test, once it ends, if any page of it logged a console error. `expected` lists the
 * errors a test provokes on purpose (e.g. Chromium's note on a 409 the page answers by design).
 */
export function failOnConsoleErrors(t: TestContext, page: Page, expected: RegExp[] = []): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    if (ABORTED_BY_NAVIGATION.test(text) || expected.some((re) => re.test(text))) return;
    errors.push(`${page.url()}: ${text}`);
  });
  t.after(() => assert.deepEqual(errors, [], 'console errors in the page'));
  return errors;
}

/** An open day of the calendar: named by its full date, never "(no openings)". */
export const OPEN_DAY = /^[A-Z][a-z]+day, [A-Z][a-z]+ \d{1,2}, \d{4}$/;
/** A time button: "9:30 AM" (a regular or narrow no-break space before the meridiem). */
export const TIME = /^\d{1,2}:\d{2}\s[AP]M$/;

export function openDays(page: Page): Locator {
  return page.getByRole('button', { name: OPEN_DAY });
}

export function times(page: Page): Locator {
  return page.locator('main').getByRole('button', { name: TIME });
}

/** Clicks a link or button that navigates, then waits for the new page to hydrate. */
export async function follow(page: Page, target: Locator): Promise<void> {
  const before = page.url();
  await target.click();
  await page.waitForURL((url) => url.href !== before);
  await waitForHydration(page);
}

/** A day button's accessible name: its full date (the visible "Mon 7" is hidden from speech). */
export async function dayName(day: Locator): Promise<string> {
  return (await day.locator('.sr-only').innerText()).trim();
}

/** Picks the `index`-th open day (0 = the first) and waits for its times; returns its name. */
export async function chooseDay(page: Page, index = 0): Promise<string> {
  const day = openDays(page).nth(index);
  const label = await dayName(day);
  await day.click();
  await page.getByRole('button', { name: label, pressed: true }).waitFor();
  await page.getByText(`Times on ${label}`).waitFor();
  await times(page).first().waitFor();
  return label;
}

/** Picks the `index`-th time of the chosen day; lands on the review page. Returns the time's name. */
export async function chooseTime(page: Page, index = 0): Promise<{ label: string; start: string }> {
  const slot = times(page).nth(index);
  const label = (await slot.innerText()).trim();
  const start = (await slot.getAttribute('value')) ?? '';
  await slot.click();
  await page.waitForURL('**/review?*');
  await waitForHydration(page);
  await page.getByRole('heading', { level: 1, name: /^Review/ }).waitFor();
  return { label, start };
}

/** On the review page, signed out: opens "Create an account" and registers inline. */
export async function registerInline(page: Page, who: { firstName: string; lastName: string; email: string; password: string }): Promise<void> {
  await page.getByRole('link', { name: 'New here? Create an account' }).click();
  await page.getByRole('button', { name: 'Create account' }).waitFor();
  await page.getByLabel('First name').fill(who.firstName);
  await page.getByLabel('Last name').fill(who.lastName);
  await page.getByLabel('E-mail').fill(who.email);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Create account' }).click();
}
