/**
 * The "two commands" promise, checked end to end, and `npm start`'s promise never to leave a
 * stack behind, whatever ends it. Each step is a fresh `npm start` on this checkout, so each also
 * proves the one before left nothing in its way:
 *  1. Ctrl-C while wrangler is still booting.
 *  2. Up within 3 minutes: SSR HTML that hydrates, a healthy API, a valid OpenAPI 3.1 document,
 *     a one-line seed summary. Ctrl-C.
 *  3. A restart reuses the PGlite data (no new migrations, no duplicate seed rows); the payment
 *     flow offline: a new client books a deposit shop, the Stripe stand-in "pays" the intent and
 *     its signed webhook confirms the booking. SIGHUP to the `npm start` process alone.
 *  4. kill -9 of the `npm start` process.
 *  5. Ctrl-C 3 s after "BookedBarber is running".
 *  6. A crash that takes npm start's own process and wrangler's guardian with it (both kill -9):
 *     wrangler is left behind on 127.0.0.1:8787 with its data plane gone...
 *  7. ...and the next `npm start` stops that stale stack itself, comes up, and stops when its
 *     terminal closes (SIGHUP to the whole process group).
 * After every stop: within 5 s nothing of that run is left — npm's process group, the start
 * process, the guardian, wrangler's process group, any wrangler/workerd launched from this
 * checkout by npm start — and 127.0.0.1:8787 and 4444–4446 are free.
 */
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { groupMembers, sleep } from '../dev/processes.ts';
import { CHROMIUM, CHROMIUM_ARGS, chromiumInstalled, INSTALL_HINT } from './lib/chromium.ts';
import { ctrlC, emergencyStop, origin, READY, root, startStack, stopStack, WRANGLER_STARTED, type Run, type Stopped } from './lib/stack.ts';

const timings: string[] = [];

function fail(message: string): never {
  console.error(`✖ ${message}`);
  emergencyStop();
  process.exit(1);
}

/** Starts `npm start` and returns once `marker` appears in its output. */
async function startApp(marker: string | RegExp = READY): Promise<Run> {
  try {
    const run = await startStack({ marker });
    if (run.secondsToReady !== undefined) console.log(`✔ npm start ready in ${run.secondsToReady.toFixed(1)} s`);
    return run;
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
}

/** Sends `action`, then waits until nothing of the run is left; records how long that took. */
async function stopAndCheck(run: Run, label: string, action: () => void): Promise<void> {
  let stopped: Stopped;
  try {
    stopped = await stopStack(run, action);
  } catch (err) {
    fail(`${label}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const line = `${label}: wrangler/workerd gone in ${(stopped.wranglerGoneMs / 1000).toFixed(1)} s, everything in ${(stopped.totalMs / 1000).toFixed(1)} s`;
  timings.push(`${line} (ready in ${run.secondsToReady?.toFixed(1) ?? '-'} s)`);
  console.log(`✔ ${line}`);
}

async function checkPages(): Promise<void> {
  const home = await fetch(`${origin}/`);
  const html = await home.text();
  if (home.status !== 200 || !html.includes('Find your barber')) fail(`GET / → ${home.status}`);
  for (const shop of ['Fade Street', 'Kings Cross Cuts']) if (!html.includes(shop)) fail(`home page lacks ${shop}`);

  const health = await fetch(`${origin}/api/v1/health`);
  const report = (await health.json()) as { status: string; checks: Record<string, { status: string }> };
  if (health.status !== 200 || report.status !== 'ok') fail(`health → ${health.status} ${JSON.stringify(report)}`);

  const doc = await (await fetch(`${origin}/api/v1/openapi.json`)).json();
  const result = await new Validator().validate(doc as Parameters<Validator['validate']>[0]);
  if (!result.valid || (doc as { openapi: string }).openapi !== '3.1.0') {
    fail(`openapi.json is not a valid OpenAPI 3.1 document: ${JSON.stringify(result.errors)}`);
  }

  if (!chromiumInstalled()) {
    if (process.env.CI) fail('chromium is not installed; CI must install it for the hydration check');
    console.warn(`! chromium not installed: hydration not checked (${INSTALL_HINT})`);
    return;
  }
  const { chromium: pw } = await import('playwright-core');
  const browser = await pw.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${origin}/`);
    await page.waitForSelector('[data-hydrated="true"]', { timeout: 15_000 });
    if (errors.length) fail(`page errors during hydration: ${errors.join('; ')}`);
    console.log('✔ home page hydrated in Chromium');
  } finally {
    await browser.close();
  }
}

/** What `npm start` shows offline: book a deposit shop, the stand-in pays, its webhook confirms. */
async function checkPaymentFlow(): Promise<void> {
  const vars = Object.fromEntries(
    readFileSync(`${root}/.dev.vars`, 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  ) as Record<string, string>;
  const json = async (res: Response) => {
    const body = (await res.json()) as Record<string, unknown>;
    if (!res.ok) fail(`${res.url} → ${res.status} ${JSON.stringify(body)}`);
    return body;
  };
  const email = `smoke-${Date.now()}@example.test`;
  const registered = await json(
    await fetch(`${origin}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'harbour-lantern-9-quill', first_name: 'Smoke', last_name: 'Test' }),
    }),
  );
  const auth = { authorization: `Bearer ${registered.access_token as string}` };
  const shop = (await json(await fetch(`${origin}/api/v1/shops/fade-street`))) as { barbers: { id: string; services: { service_id: string }[] }[] };
  const barber = shop.barbers[0]!;
  const serviceId = barber.services[0]!.service_id;
  const from = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  const slots = (await json(await fetch(`${origin}/api/v1/barbers/${barber.id}/availability?service_id=${serviceId}&from=${from}`))) as { slots: { start: string }[] };
  const slot = slots.slots[slots.slots.length - 1];
  if (!slot) fail('no free slot at Fade Street in the coming week');
  const held = (await json(
    await fetch(`${origin}/api/v1/appointments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ barber_id: barber.id, service_id: serviceId, start_time: slot!.start }),
    }),
  )) as { id: string; status: string; payment: { payment_intent_id: string; amount: number } | null };
  if (held.status !== 'held' || !held.payment) fail(`a Fade Street booking should be held for its deposit: ${JSON.stringify(held)}`);
  const pay = await fetch(`${vars.STRIPE_API_URL}/__test/payment_intents/${held.payment!.payment_intent_id}/pay`, {
    method: 'POST',
    headers: { authorization: `Bearer ${vars.STRIPE_SECRET_KEY}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'payment_method=pm_card_visa',
  });
  if (!pay.ok) fail(`the stand-in did not pay the intent: ${pay.status} ${await pay.text()}`);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const now = (await json(await fetch(`${origin}/api/v1/appointments/${held.id}`, { headers: auth }))) as { status: string; paid_cents: number };
    if (now.status === 'confirmed' && now.paid_cents === held.payment!.amount) break;
    if (Date.now() > deadline) fail(`the signed webhook did not confirm the booking within 15 s: ${JSON.stringify(now)}`);
    await sleep(200);
  }
  console.log(`✔ payment flow offline: deposit of ${held.payment!.amount} paid at the stand-in, booking confirmed by its webhook`);
}

const SEED_LINE = /▶ demo data: (\d+) shops, (\d+) barbers, (\d+) services, (\d+) users, (\d+) appointments \((\d+) new\)\n/;

// 1. Ctrl-C while wrangler boots.
const booting = await startApp(WRANGLER_STARTED);
await stopAndCheck(booting, 'Ctrl-C while wrangler boots', ctrlC(booting));

// 2. The full check, then Ctrl-C.
const first = await startApp();
await checkPages();
console.log('✔ SSR page, health and OpenAPI document');
const seeded = SEED_LINE.exec(first.output());
if (!seeded || first.output().includes('{"shops"')) fail(`the seed did not print its one-line summary:\n${first.output()}`);
await stopAndCheck(first, 'Ctrl-C', ctrlC(first));

// 3. Restart reuses the data; then SIGHUP to npm alone.
const second = await startApp();
if (!/migrations: 0 applied/.test(second.output())) fail(`second start re-applied migrations:\n${second.output()}`);
const reseeded = SEED_LINE.exec(second.output());
if (!reseeded || reseeded.slice(1, 6).join() !== seeded.slice(1, 6).join()) {
  fail(`the second seed changed the counts: ${seeded[0].trim()} → ${reseeded?.[0].trim()}`);
}
const shops = (await (await fetch(`${origin}/api/v1/shops`)).json()) as { data: { slug: string }[] };
const slugs = shops.data.map((s) => s.slug).sort();
if (new Set(slugs).size !== slugs.length || slugs.length < 2) fail(`unexpected shops after restart: ${slugs}`);
console.log(`✔ restart reused the data (shops: ${slugs.join(', ')}; ${reseeded[0].trim().slice(2)})`);
// After the seed comparison: the flow adds a client and a booking.
await checkPaymentFlow();
await stopAndCheck(second, 'SIGHUP to npm', () => process.kill(second.npmPid, 'SIGHUP'));

// 4. kill -9 of npm.
const third = await startApp();
await stopAndCheck(third, 'kill -9 of npm', () => process.kill(third.npmPid, 'SIGKILL'));

// 5. Ctrl-C 3 s after ready.
const fourth = await startApp();
await sleep(3_000);
await stopAndCheck(fourth, 'Ctrl-C 3 s after ready', ctrlC(fourth));

// 6. A crash no handler sees: npm start's own process and the guardian, both kill -9.
const crashed = await startApp();
const { start, guardian } = crashed.record ?? {};
if (!start || !guardian || !crashed.wranglerPgid) fail('npm start did not record its pids in .data/stack.json');
process.kill(start.pid, 'SIGSTOP'); // frozen, so it cannot react to the guardian's death
process.kill(guardian.pid, 'SIGKILL');
process.kill(start.pid, 'SIGKILL');
await sleep(2_000);
if (groupMembers(crashed.wranglerPgid).length === 0) fail('the simulated crash took wrangler with it; nothing stale to clean up');
console.log(`✔ simulated a crash: wrangler (process group ${crashed.wranglerPgid}) left running without its data plane`);

// 7. The next start cleans up the stale stack; a closed terminal stops it.
const reclaiming = await startApp();
if (!/stopping what an earlier npm start left running/.test(reclaiming.output())) {
  fail(`the restart did not report stopping the stale stack:\n${reclaiming.output()}`);
}
if (groupMembers(crashed.wranglerPgid).length > 0) fail(`the stale wrangler group ${crashed.wranglerPgid} is still running`);
console.log('✔ the next npm start stopped the stale stack and came up');
await stopAndCheck(reclaiming, 'SIGHUP to the group (terminal closed)', () => process.kill(-reclaiming.npmPid, 'SIGHUP'));

console.log(`\nTimings:\n  ${timings.join('\n  ')}`);
console.log('✔ smoke test complete');
