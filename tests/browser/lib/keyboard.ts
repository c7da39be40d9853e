/**
 * Driving a page with the keyboard alone: move focus with Tab (or arrow keys inside a composite
 * widget such as the day grid) until a given control has it, then act with Enter or Space —
 * failing, with where the focus went instead, if the control cannot be reached that way.
 */
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';

/** What has the focus, in words: "button "9:30 AM"" or "body". */
export async function describeFocus(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    const role = el.getAttribute('role') ?? el.tagName.toLowerCase();
    const name = (el.getAttribute('aria-label') ?? (el as HTMLElement).innerText ?? el.getAttribute('name') ?? '').trim().replace(/\s+/g, ' ');
    return `${role} "${name.slice(0, 60)}"`;
  });
}

async function hasFocus(target: Locator): Promise<boolean> {
  if ((await target.count()) !== 1) return false;
  return target.evaluate((el) => el === document.activeElement, undefined, { timeout: 1_000 });
}

/** Whether the focused element shows it: an outline or a box shadow (a focus ring). */
export async function expectVisibleFocus(page: Page): Promise<void> {
  const style = await page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const s = getComputedStyle(el);
    return { outlineStyle: s.outlineStyle, outlineWidth: s.outlineWidth, boxShadow: s.boxShadow };
  });
  assert.ok(style, 'nothing has the focus');
  const outline = style.outlineStyle !== 'none' && style.outlineWidth !== '0px';
  assert.ok(outline || style.boxShadow !== 'none', `the focused ${await describeFocus(page)} shows no focus ring (${JSON.stringify(style)})`);
}

export interface FocusOptions {
  /** The key that moves the focus: Tab (default), Shift+Tab, or an arrow key inside a widget. */
  key?: string;
  /** Presses allowed before giving up. */
  max?: number;
  /** Check the focused control shows a focus ring (default true). */
  visible?: boolean;
}

/** Presses `key` until `target` has the focus; fails after `max` presses. */
export async function focusByKeyboard(page: Page, target: Locator, opts: FocusOptions = {}): Promise<void> {
  const { key = 'Tab', max = 60, visible = true } = opts;
  const path: string[] = [];
  for (let i = 0; i < max; i++) {
    if (await hasFocus(target)) {
      if (visible) await expectVisibleFocus(page);
      return;
    }
    await page.keyboard.press(key);
    path.push(await describeFocus(page));
  }
  if (await hasFocus(target)) return;
  assert.fail(`${target} not reached after ${max} presses of ${key}; the focus went: ${path.slice(-12).join(' → ')}`);
}

/** Focuses `target` with the keyboard, then activates it (Enter by default; Space for checkboxes). */
export async function pressByKeyboard(page: Page, target: Locator, opts: FocusOptions & { press?: 'Enter' | ' ' } = {}): Promise<void> {
  await focusByKeyboard(page, target, opts);
  await page.keyboard.press(opts.press ?? 'Enter');
}

/** Types into `target` after reaching it with the keyboard. */
export async function typeByKeyboard(page: Page, target: Locator, text: string, opts: FocusOptions = {}): Promise<void> {
  await focusByKeyboard(page, target, opts);
  await page.keyboard.type(text);
}
