/**
 * A fresh browser context per test, as a phone or a desktop visitor, that refuses to talk to
 * anything but the local app, plus the page-level basics every spec needs: open a path and wait
 * until React has hydrated it, fail on uncaught page errors, save screenshots.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, type TestContext } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { PROJECTS, type Project } from './projects.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../../../scripts/lib/chromium.ts';
import { baseUrl, browserWsEndpoint, LOCAL_HOSTS, screenshotsDir } from './env.ts';

export { PROJECTS, type Project } from './projects.ts';

let browser: Promise<Browser> | undefined;

// The spec file's process ends only once the connection to Chromium is closed.
after(async () => {
  if (browser) await (await browser).close();
});

/** The runner's shared Chromium when there is one, else one launched for this spec file. */
export function getBrowser(): Promise<Browser> {
  browser ??= browserWsEndpoint
    ? chromium.connect(browserWsEndpoint)
    : chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return browser;
}

export interface App {
  context: BrowserContext;
  page: Page;
  project: Project;
  /** Uncaught errors thrown in the page. */
  pageErrors: string[];
  /** Requests the page tried to send somewhere other than the local app (blocked). */
  outsideRequests: string[];
}

const appOf = new WeakMap<Page, App>();

export interface AppOptions {
  project?: Project;
  /** BCP 47 locale the visitor's browser reports (Accept-Language and Intl). */
  locale?: string;
  /** The visitor's own time zone (the shop's may differ). */
  timezoneId?: string;
}

/**
 * A new context and page for this test, closed when the test ends. The test fails if the page
 * threw an uncaught error or tried to reach the internet.
 */
export async function newApp(t: TestContext, opts: AppOptions = {}): Promise<App> {
  const project = opts.project ?? 'desktop';
  const context = await (await getBrowser()).newContext({
    ...PROJECTS[project],
    baseURL: baseUrl,
    locale: opts.locale ?? 'en-US',
    timezoneId: opts.timezoneId ?? 'America/New_York',
    // axe-core is injected as an inline script; the app's nonce CSP would (rightly) refuse it.
    bypassCSP: true,
  });
  context.setDefaultTimeout(15_000);
  const app: App = { context, page: await context.newPage(), project, pageErrors: [], outsideRequests: [] };
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'data:' || url.protocol === 'blob:' || LOCAL_HOSTS.has(url.hostname)) return route.continue();
    app.outsideRequests.push(url.href);
    return route.abort('blockedbyclient');
  });
  appOf.set(app.page, app);
  app.page.on('pageerror', (err) => app.pageErrors.push(err.message));
  t.after(async () => {
    await context.close();
    assert.deepEqual(app.outsideRequests, [], 'the page tried to reach hosts other than the local app');
    assert.deepEqual(app.pageErrors, [], 'uncaught errors in the page');
  });
  return app;
}

/** Resolves once React has hydrated the page (see `open`). */
export async function waitForHydration(page: Page): Promise<void> {
  // Pages mark themselves with data-hydrated="true" once React runs their effects. A page without
  // the marker is hydrated when React has claimed the server's markup: <main> then carries
  // React's props key, which only hydration puts there.
  try {
    await page.waitForFunction(
      () => {
        const marked = document.querySelectorAll('[data-hydrated]');
        if (marked.length > 0) return Array.from(marked).every((el) => el.getAttribute('data-hydrated') === 'true');
        const main = document.querySelector('main');
        return main !== null && Object.keys(main).some((k) => k.startsWith('__reactProps$'));
      },
      undefined,
      { timeout: 15_000 },
    );
  } catch (err) {
    const markers = await page
      .evaluate(() => Array.from(document.querySelectorAll('[data-hydrated]'), (el) => `<${el.tagName.toLowerCase()} class="${el.className}" data-hydrated="${el.getAttribute('data-hydrated')}">`))
      .catch(() => []);
    const errors = appOf.get(page)?.pageErrors ?? [];
    throw new Error(
      `${page.url()} did not hydrate within 15 s; markers: ${markers.join(', ') || 'none'}; page errors: ${errors.join(' | ') || 'none'}`,
      { cause: err },
    );
  }
}

/**
 * Opens `path` (relative to the app) and waits until it is hydrated. Fails unless the document
 * answered `status` (200 unless told) — a link the app made must never lead to a 404 or 500.
 */
export async function open(page: Page, path: string, { status = 200 }: { status?: number } = {}): Promise<Response> {
  const response = await page.goto(path);
  assert.ok(response, `no response for ${path}`);
  assert.equal(response.status(), status, `${path} answered ${response.status()}`);
  await waitForHydration(page);
  return response;
}

/** Full-page screenshot: artifacts/screenshots/<name>-<phone|desktop>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotsDir, { recursive: true });
  const path = `${screenshotsDir}${name}-${appOf.get(page)?.project ?? 'desktop'}.png`;
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
}

/** Mobile-first means no sideways scrolling: the document is no wider than the viewport. */
export async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  assert.ok(scrollWidth <= clientWidth + 1, `the page is ${scrollWidth} px wide in a ${clientWidth} px viewport`);
}
