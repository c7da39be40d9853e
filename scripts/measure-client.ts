/**
 * `npm run measure:client`: what the booking pages cost a phone, measured against `npm start`'s
 * stack on a fresh data directory (the same start/stop as the browser suite), written to the
 * "Client" block of docs/BENCHMARKS.md (between `<!-- client:start -->` and `<!-- client:end -->`;
 * appended if missing, nothing else of the file touched).
 *
 *  - JavaScript, gzipped: every script Chromium loads walking the shop page and the booking steps
 *    (service → barber → day with times), from its network responses; and per route from Remix's
 *    build manifest (entry + root + the route, with their imports) against the 120 KB budget.
 *  - Lighthouse 12 (mobile form factor, simulated throttling — nothing leaves loopback) for the
 *    shop page and the booking page: performance and accessibility scores.
 *  - axe-core on the same pages, phone and desktop: violations by impact.
 *
 * BB_MEASURE_URL=http://127.0.0.1:<port> measures an app that is already running instead (its
 * build must be the one in build/).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { launch as launchChrome } from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, chromiumInstalled, INSTALL_HINT } from './lib/chromium.ts';
import { emergencyStop, freshDataDir, origin, portHolders, root, startStack, stopStack, type Run } from './lib/stack.ts';
import { PROJECTS, type Project } from '../tests/browser/lib/projects.ts';
import { readRemixManifest, routeWeights } from './lib/route-weight.ts';
import { scan, type Impact } from '../tests/browser/lib/a11y.ts';

const DOC = `${root}docs/BENCHMARKS.md`;
const START = '<!-- client:start -->';
const END = '<!-- client:end -->';
const BUDGET_KB = 120;
const SHOP = 'fade-street';
const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const gz = (body: Buffer) => gzipSync(body, { level: 9 }).length;

// ---- what Chromium actually loads walking the booking steps -----------------------------------

interface Walk {
  steps: { path: string; status: number }[];
  scripts: { url: string; gzBytes: number; encoding: string }[];
  /** Requests to any host but the app's own (third-party). */
  outside: string[];
}

async function firstOpenDay(): Promise<{ serviceId: string; day: string }> {
  const shop = (await (await fetch(`${origin}/api/v1/shops/${SHOP}`)).json()) as {
    timezone: string;
    barbers: { id: string; services: { service_id: string }[] }[];
  };
  const barber = shop.barbers.find((b) => b.services.length > 0);
  if (!barber) throw new Error(`${SHOP} has no barber with services`);
  const serviceId = barber.services[0]!.service_id;
  const from = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const { slots } = (await (await fetch(`${origin}/api/v1/barbers/${barber.id}/availability?service_id=${serviceId}&from=${from}`)).json()) as {
    slots: { start: string }[];
  };
  if (!slots[0]) throw new Error(`${SHOP} has no free slot from ${from}`);
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: shop.timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(slots[0].start));
  return { serviceId, day };
}

function bookingSteps(serviceId: string, day: string): string[] {
  const book = `/s/${SHOP}/book`;
  return [`/s/${SHOP}`, book, `${book}?service=${serviceId}`, `${book}?service=${serviceId}&barber=any`, `${book}?service=${serviceId}&barber=any&day=${day}`];
}

async function walk(page: Page, steps: string[]): Promise<Walk> {
  const scripts = new Map<string, { url: string; gzBytes: number; encoding: string }>();
  page.on('response', async (res) => {
    const url = new URL(res.url());
    if (res.request().resourceType() !== 'script' && !url.pathname.endsWith('.js')) return;
    if (scripts.has(url.pathname)) return;
    const body = await res.body().catch(() => null);
    if (body) scripts.set(url.pathname, { url: url.pathname, gzBytes: gz(body), encoding: res.headers()['content-encoding'] ?? 'identity' });
  });
  const outside: string[] = [];
  page.on('request', (req) => {
    if (new URL(req.url()).host !== new URL(origin).host && !req.url().startsWith('data:')) outside.push(req.url());
  });
  const done: Walk['steps'] = [];
  for (const path of steps) {
    const res = await page.goto(path, { waitUntil: 'networkidle' });
    done.push({ path, status: res?.status() ?? 0 });
  }
  return { steps: done, scripts: [...scripts.values()], outside };
}

// ---- Lighthouse ----------------------------------------------------------------------------

interface Scores {
  path: string;
  performance: number;
  accessibility: number;
  lcpMs: number;
  tbtMs: number;
  cls: number;
}

async function lighthouseScores(paths: string[]): Promise<Scores[]> {
  const chrome = await launchChrome({ chromePath: CHROMIUM, chromeFlags: CHROMIUM_ARGS });
  try {
    const out: Scores[] = [];
    for (const path of paths) {
      const result = await lighthouse(`${origin}${path}`, {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
        onlyCategories: ['performance', 'accessibility'],
      });
      if (!result) throw new Error(`Lighthouse returned nothing for ${path}`);
      const { lhr } = result;
      if (lhr.runtimeError) throw new Error(`Lighthouse on ${path}: ${lhr.runtimeError.message}`);
      const num = (id: string) => lhr.audits[id]?.numericValue ?? NaN;
      out.push({
        path,
        performance: Math.round((lhr.categories.performance?.score ?? 0) * 100),
        accessibility: Math.round((lhr.categories.accessibility?.score ?? 0) * 100),
        lcpMs: num('largest-contentful-paint'),
        tbtMs: num('total-blocking-time'),
        cls: num('cumulative-layout-shift'),
      });
    }
    return out;
  } finally {
    chrome.kill();
  }
}

// ---- the block ----------------------------------------------------------------------------

interface AxeRow {
  path: string;
  project: Project;
  counts: Record<Impact, number>;
  /** Rules with serious or critical violations. */
  rules: string[];
}

function render(walked: Walk, weights: ReturnType<typeof routeWeights>, scores: Scores[], axe: AxeRow[]): string {
  const walkedGz = walked.scripts.reduce((s, x) => s + x.gzBytes, 0);
  const verdict = (bytes: number) => (bytes <= BUDGET_KB * 1024 ? 'within' : '**over**');
  const encodings = [...new Set(walked.scripts.map((s) => s.encoding))].join(', ');
  return `${START}
## Client (web app on a phone)

Measured by \`npm run measure:client\` on ${new Date().toISOString().slice(0, 10)} against \`npm start\`'s stack
(fresh data, 127.0.0.1), Debian Chromium ${chromiumVersion()}, Lighthouse ${lighthouseVersion()}.

**Booking page JavaScript** (budget ${BUDGET_KB} KB gzipped; gzip -9 of each file, the
served encoding locally is ${encodings || 'n/a'}):

| what | scripts | gzipped |
| --- | ---: | ---: |
| loaded by Chromium walking ${walked.steps.length} steps (${verdict(walkedGz)} budget) | ${walked.scripts.length} | ${kb(walkedGz)} KB |
${weights.routes.map((r) => `| first visit to \`${r.id}\` (manifest: entry + root + route) | ${r.files} | ${kb(r.gzBytes)} KB |`).join('\n')}
| every booking route together (${verdict(weights.union.gzBytes)} budget) | ${weights.union.files} | ${kb(weights.union.gzBytes)} KB |

Requests to other hosts while walking: ${walked.outside.length}${walked.outside.length ? ` (${walked.outside.slice(0, 5).join(', ')})` : ' — no third-party request, render-blocking or not'}.

Steps walked: ${walked.steps.map((s) => `\`${s.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>')}\` ${s.status}`).join(' → ')}.

**Lighthouse** (mobile form factor, simulated slow 4G and 4× CPU slowdown, one run each):

| page | performance | accessibility | LCP | TBT | CLS |
| --- | ---: | ---: | ---: | ---: | ---: |
${scores.map((s) => `| \`${s.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>')}\` | ${s.performance} | ${s.accessibility} | ${(s.lcpMs / 1000).toFixed(2)} s | ${Math.round(s.tbtMs)} ms | ${s.cls.toFixed(3)} |`).join('\n')}

**axe-core ${axeVersion()}** (WCAG 2.2 A/AA and best practices; nodes per impact):

| page | viewport | critical | serious | moderate | minor | serious/critical rules |
| --- | --- | ---: | ---: | ---: | ---: | --- |
${axe.map((a) => `| \`${a.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>')}\` | ${a.project} | ${a.counts.critical} | ${a.counts.serious} | ${a.counts.moderate} | ${a.counts.minor} | ${a.rules.join(', ') || '–'} |`).join('\n')}

The browser suite (\`npm run test:browser\`) fails on any serious or critical axe violation in
every page state it visits; its scans are in \`artifacts/axe-results.jsonl\`.
${END}`;
}

const pkgVersion = (name: string) =>
  (JSON.parse(readFileSync(`${root}node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
const lighthouseVersion = () => pkgVersion('lighthouse');
const axeVersion = () => pkgVersion('axe-core');
let chromeVersion = '';
const chromiumVersion = () => chromeVersion;

function writeBlock(block: string): void {
  const doc = readFileSync(DOC, 'utf8');
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  const next = a >= 0 && b > a ? doc.slice(0, a) + block + doc.slice(b + END.length) : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(DOC, next);
}

// ---- run ----------------------------------------------------------------------------------

let stack: Run | undefined;
let restoreData: (() => void) | undefined;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    emergencyStop();
    restoreData?.();
    process.exit(130);
  });
}

async function main(): Promise<void> {
  if (!chromiumInstalled()) throw new Error(`${CHROMIUM} is not installed; install it with: ${INSTALL_HINT}`);
  const external = process.env.BB_MEASURE_URL;
  if (external && external !== origin) throw new Error(`BB_MEASURE_URL must be ${origin}`);
  if (!external) {
    restoreData = freshDataDir();
    stack = await startStack();
    console.log(`✔ BookedBarber is running (ready in ${stack.secondsToReady?.toFixed(1)} s)`);
  }
  try {
    const { serviceId, day } = await firstOpenDay();
    const steps = bookingSteps(serviceId, day);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    chromeVersion = browser.version();
    let walked: Walk;
    const axe: AxeRow[] = [];
    try {
      const context = await browser.newContext({ ...PROJECTS.phone, baseURL: origin, bypassCSP: true });
      walked = await walk(await context.newPage(), steps);
      await context.close();
      for (const project of ['phone', 'desktop'] as const) {
        const ctx = await browser.newContext({ ...PROJECTS[project], bypassCSP: true });
        const page = await ctx.newPage();
        for (const path of [steps[0]!, steps[steps.length - 1]!]) {
          await page.goto(`${origin}${path}`, { waitUntil: 'networkidle' });
          const counts: Record<Impact, number> = { minor: 0, moderate: 0, serious: 0, critical: 0 };
          const { violations } = await scan(page);
          for (const v of violations) if (v.impact) counts[v.impact] += v.nodes.length;
          const rules = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
          axe.push({ path, project, counts, rules });
        }
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
    console.log(`✔ walked ${walked.steps.length} booking steps: ${walked.scripts.length} scripts`);
    const weights = routeWeights(readRemixManifest());
    const scores = await lighthouseScores([steps[0]!, steps[steps.length - 1]!]);
    for (const s of scores) console.log(`✔ Lighthouse ${s.path}: performance ${s.performance}, accessibility ${s.accessibility}`);
    const block = render(walked, weights, scores, axe);
    writeBlock(block);
    console.log(block);
    console.log(`wrote the client block of docs/BENCHMARKS.md`);
  } finally {
    if (stack) await stopAndCheck(stack);
  }
}

/** Stops the stack, puts the developer's data back and proves the ports are free. */
async function stopAndCheck(run: Run): Promise<void> {
  await stopStack(run);
  stack = undefined;
  restoreData?.();
  const held = portHolders();
  if (held.length > 0) throw new Error(`ports still held after the stop:\n  ${held.join('\n  ')}`);
  console.log('✔ stack stopped; 127.0.0.1:8787 and 4444–4446 are free');
}

main().catch((err: unknown) => {
  console.error(`✖ ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  emergencyStop();
  restoreData?.();
  process.exit(1);
});
