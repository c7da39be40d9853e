/**
 * `npm run bench`: everything we measure, in one command, rewriting docs/BENCHMARKS.md. Against
 * the real stack on this machine — `npm start` (wrangler dev + the local data plane, PGlite) on
 * 127.0.0.1 — then, with the stack stopped, the pure and build-time figures. Bounded counts and
 * times (about eight minutes here); traffic never leaves loopback.
 *
 *   1. Endpoints one request per connection (8): latency and Neon requests per request.
 *   2. Load (autocannon, 50 connections): throughput and p50/p99 as ratios to a trivial route.
 *   3. Booking (bench/booking.ts): availability miss/hit, create, reschedule, cancel one at a time;
 *      paid deposits (the Stripe stand-in's webhooks, read from the Worker's request log); the
 *      contention run — 10,000 attempts on twenty barbers' few slots, checked in the database.
 *   4. Faults during contention (bench/faults.ts), on a stack whose Neon endpoint fails and hangs.
 *   5. The slot engine (bench/engine.ts, tinybench), the Worker bundle and its startup CPU
 *      (scripts/bundle-size.ts), the booking page's JavaScript (Remix's manifest), and a longer
 *      API fuzzing run (`npm run fuzz`).
 * The "Client" block (scripts/measure-client.ts: Lighthouse, axe) is kept as it is.
 *
 *   npm run bench            (starts and stops its own `npm start`)
 *   BENCH_URL=http://127.0.0.1:8787 npm run bench   (use an app that is already running)
 *
 * Knobs: BENCH_REQUESTS (200 per endpoint), BENCH_CONCURRENCY (8), BENCH_LOAD_CONNECTIONS (50),
 * BENCH_LOAD_SECONDS (8), BENCH_BOOKING_CYCLES (30), BENCH_PAID (12), BENCH_RACERS (50 in flight),
 * BENCH_ATTEMPTS (10000), BENCH_ROUNDS (4), BENCH_RACE_SECONDS (240), BENCH_REGISTER (16),
 * BENCH_FUZZ_RUNS (200 per operation), BENCH_SKIP (comma list of: faults, fuzz, engine, bundle).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { BENCH_SHOP_SLUG, ensureBenchShop } from './bench-shop.ts';
import { renderBooking, runBookingBench } from './booking.ts';
import { database, devVar, fmt, jsonInit, percentile, ratio, Series, sleep, timed } from './lib.ts';
import { renderLoad, runLoad } from './load.ts';
import { addDays, formatPlainDate, localDate } from '../worker/domain/time.ts';
import { BUNDLE_BUDGET_KIB, measureBundle, measureStartup, type BundleSize, type StartupCpu } from '../scripts/bundle-size.ts';
import { readRemixManifest, routeWeights } from '../scripts/lib/route-weight.ts';

const origin = process.env.BENCH_URL ?? 'http://127.0.0.1:8787';
if (!/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(origin)) throw new Error(`BENCH_URL must be a loopback origin, not ${origin}`);
const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const requests = num('BENCH_REQUESTS', 200);
const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').map((x) => x.trim()).filter(Boolean));
const concurrency = num('BENCH_CONCURRENCY', 8);
const DOC = 'docs/BENCHMARKS.md';
/** Blocks other scripts write into the same file (bench/engine.ts, scripts/measure-client.ts), kept as they are. */
const KEPT_BLOCKS = ['engine', 'client'] as const;
const phaseSeconds: [string, number][] = [];
async function phase<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  const began = performance.now();
  try {
    return await fn();
  } finally {
    const secs = (performance.now() - began) / 1000;
    phaseSeconds.push([name, secs]);
    console.log(`▶ ${name}: ${secs.toFixed(0)} s`);
  }
}

/** The Worker's one JSON line per request (worker/middleware/request-context.ts), as npm start prints it. */
interface RequestLine {
  msg?: string;
  route?: string;
  method?: string;
  status?: number;
  duration_ms?: number;
  neon_requests?: number;
}
const webhookLines: RequestLine[] = [];
function watchRequestLog(stream: NodeJS.ReadableStream): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.includes('webhooks/stripe')) continue;
      const at = line.indexOf('{');
      if (at < 0) continue;
      try {
        const entry = JSON.parse(line.slice(at)) as RequestLine;
        if (entry.msg === 'request' && entry.route === '/api/v1/webhooks/stripe') webhookLines.push(entry);
      } catch {
        /* not one of ours */
      }
    }
  });
}

interface Case {
  name: string;
  url: string;
  init?: () => RequestInit;
  /** Fewer for deliberately slow endpoints (password hashing). */
  count?: number;
  /** Neon requests per request it should make. */
  target: string;
  /** Why it makes more, when it does. */
  why?: string;
}

interface Result {
  series: Series;
  rps: number;
}

async function measure(c: Case, count = c.count ?? requests): Promise<Result> {
  const series = new Series(c.name, c.target);
  let next = 0;
  const started = performance.now();
  async function worker() {
    while (next < count) {
      next++;
      series.add(await timed(c.url, c.init?.()));
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { series, rps: count / ((performance.now() - started) / 1000) };
}

async function waitReady(): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (app && app.exitCode !== null) throw new Error(`npm start exited (${app.exitCode}) before the app was ready`);
    const ok = await fetch(`${origin}/api/v1/health`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.ok, () => false);
    if (ok) return;
    await sleep(500);
  }
  throw new Error('the app did not become ready');
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops our `npm start` by its process group: SIGINT (it then stops wrangler and the plane), escalating. */
async function stopApp(): Promise<void> {
  const pgid = app?.pid;
  if (!pgid) return;
  app = undefined;
  for (const [signal, waitMs] of [['SIGINT', 30_000], ['SIGTERM', 10_000], ['SIGKILL', 5_000]] as const) {
    if (!groupAlive(pgid)) break;
    try {
      process.kill(-pgid, signal);
    } catch {
      break;
    }
    for (let waited = 0; waited < waitMs && groupAlive(pgid); waited += 250) await sleep(250);
  }
}

const DEV_VARS_ASIDE = '.dev.vars.bench-aside';
/** Puts npm start's .dev.vars back if the fuzzing phase set it aside (also on Ctrl-C). */
function restoreDevVars(): void {
  if (existsSync(DEV_VARS_ASIDE)) renameSync(DEV_VARS_ASIDE, '.dev.vars');
}

let app: ChildProcess | undefined;
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    restoreDevVars();
    void stopApp().finally(() => process.exit(130));
  });
}

if (!process.env.BENCH_URL) {
  // Rate limits lifted for this run: one machine is one client address, and the limiter would
  // otherwise be what gets measured (registrations too: the booking and fault races register
  // their clients, and a second run within the hour would otherwise race with the demo accounts only).
  app = spawn('npm', ['start'], {
    detached: true,
    // stdout carries the Worker's request log (read for the webhooks' figures; always drained).
    stdio: ['ignore', 'pipe', 'ignore'],
    env: {
      ...process.env,
      RATE_LIMIT_PER_MINUTE: '1000000',
      LOGIN_ATTEMPTS_PER_MINUTE: '1000000',
      REGISTRATIONS_PER_HOUR: '1000000',
      // The Neon endpoint's fault injection, unarmed: only the fault phase turns it on.
      BB_NEON_FAULTS: process.env.BB_NEON_FAULTS ?? '0',
    },
  });
  watchRequestLog(app.stdout!);
}

const commit = (() => {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty', '--abbrev=10'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
const loadBefore = loadavg();
const startedAt = new Date();
const benchBegan = performance.now();

try {
  await phase('stack ready (npm start: build, migrate, seed, wrangler dev)', waitReady);
  const login = await timed<{ access_token: string }>(
    `${origin}/api/v1/auth/login`,
    jsonInit('POST', { email: 'client12@example.test', password: 'barber-demo-1' }),
  );
  if (login.status !== 200) throw new Error(`demo login failed: ${login.status} ${JSON.stringify(login.body)}`);
  const token = login.body.access_token;
  const auth = () => ({ headers: { authorization: `Bearer ${token}` } });
  let ip = 0;
  const cases: Case[] = [
    { name: 'GET /health (liveness)', url: `${origin}/health`, target: '0' },
    { name: 'GET /api/v1/health (readiness; one round per 5 s)', url: `${origin}/api/v1/health`, target: '0' },
    { name: 'GET /api/v1/shops', url: `${origin}/api/v1/shops`, target: '1' },
    { name: 'GET /api/v1/shops/fade-street', url: `${origin}/api/v1/shops/fade-street`, target: '1' },
    { name: 'GET / (Remix SSR)', url: `${origin}/`, target: '1' },
    { name: 'GET /api/v1/auth/me', url: `${origin}/api/v1/auth/me`, init: auth, target: '1' },
    { name: 'GET /api/v1/appointments (client)', url: `${origin}/api/v1/appointments`, init: auth, target: '1' },
    {
      name: 'POST /api/v1/auth/login (PBKDF2 100k)',
      url: `${origin}/api/v1/auth/login`,
      count: 30,
      target: '1',
      why: 'the user must be read before the password can be checked, and the refresh token written only after it passed (see the notes)',
      init: () => jsonInit('POST', { email: `client${(ip++ % 10) + 1}@example.test`, password: 'barber-demo-1' }),
    },
  ];
  for (const c of cases) await measure(c, c.count ? 3 : 10); // warm-up
  const results: Result[] = [];
  const endpointsBegan = performance.now();
  for (const c of cases) {
    const r = await measure(c);
    results.push(r);
    const s = r.series.stats();
    console.log(`${c.name.padEnd(50)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${fmt(s.p50)} ms  p95 ${fmt(s.p95)} ms  neon ${r.series.neonText()}  errors ${r.series.errors([200])}`);
  }
  phaseSeconds.push(['endpoints', (performance.now() - endpointsBegan) / 1000]);
  const liveBase = results[0]!.series.stats();
  const table = [
    '| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | p50 ×health | p99 ×health | Neon requests / request | target | met | errors |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(({ series: s, rps }, i) => {
      const st = s.stats();
      const met = s.meetsTarget() ? 'yes' : `**no**${cases[i]?.why ? `: ${cases[i]!.why}` : ''}`;
      return `| ${s.name} | ${s.count} | ${rps.toFixed(0)} | ${fmt(st.p50)} | ${fmt(st.p95)} | ${fmt(st.p99)} | ${ratio(st.p50, liveBase.p50)} | ${ratio(st.p99, liveBase.p99)} | ${s.neonText()} | ${s.target} | ${met} | ${s.errors([200])} |`;
    }),
  ].join('\n');

  const databaseUrl = devVar('DATABASE_URL');
  if (!databaseUrl) throw new Error('DATABASE_URL not found in .dev.vars (npm start writes it)');
  const query = database(databaseUrl);
  const stripeApi = devVar('STRIPE_API_URL') ?? 'http://127.0.0.1:4446';
  const stripeKey = devVar('STRIPE_SECRET_KEY') ?? 'sk_test_local';
  const webhookSecret = (devVar('STRIPE_WEBHOOK_SECRET') ?? '').split(',')[0]!;

  // ── load ──
  const shopPage = await timed<{ id: string; timezone: string; barbers: { id: string; services: { service_id: string; name: string }[] }[] }>(`${origin}/api/v1/shops/fade-street`);
  const someBarber = shopPage.body.barbers[0]!;
  const cut = someBarber.services.find((x) => x.name === 'Classic Cut') ?? someBarber.services[0]!;
  const loadFrom = addDays(localDate(new Date(), shopPage.body.timezone), 20);
  const loadRange = `from=${formatPlainDate(loadFrom)}&to=${formatPlainDate(addDays(loadFrom, 6))}`;
  const loadConnections = num('BENCH_LOAD_CONNECTIONS', 50);
  const load = await phase('load (autocannon)', () =>
    runLoad(
      origin,
      [
        { name: 'GET /barbers/{id}/availability (7 days, cache hit)', path: `/api/v1/barbers/${someBarber.id}/availability?service_id=${cut.service_id}&${loadRange}` },
        { name: 'GET /api/v1/shops/fade-street (shop API)', path: '/api/v1/shops/fade-street' },
        { name: 'GET /s/fade-street (shop page, Remix SSR)', path: '/s/fade-street' },
        { name: 'GET /s/fade-street/book (booking page, Remix SSR)', path: `/s/fade-street/book?service=${cut.service_id}` },
      ],
      loadConnections,
      num('BENCH_LOAD_SECONDS', 8),
      (line) => console.log(line),
    ),
  );

  // ── booking ──
  const benchShop = await ensureBenchShop(databaseUrl);
  if (benchShop.created) console.log(`created the contention shop ${benchShop.slug} (20 barbers)`);
  const booking = await phase('booking (latency cycles, paid deposits, contention)', () =>
    runBookingBench({
      origin,
      query,
      cycles: num('BENCH_BOOKING_CYCLES', 30),
      paidCycles: num('BENCH_PAID', 12),
      stripe: { apiUrl: stripeApi, secretKey: stripeKey },
      contention: {
        inFlight: num('BENCH_RACERS', 50),
        attempts: num('BENCH_ATTEMPTS', 10_000),
        rounds: num('BENCH_ROUNDS', 4),
        seconds: num('BENCH_RACE_SECONDS', 240),
        register: num('BENCH_REGISTER', 16),
        shopSlug: BENCH_SHOP_SLUG,
      },
      log: (line) => console.log(line),
    }),
  );
  for (const s of [booking.latency.liveness, ...booking.latency.rows]) {
    const st = s.stats();
    console.log(`${s.name.padEnd(80)} n ${String(s.count).padStart(4)}  p50 ${fmt(st.p50)} ms  p99 ${fmt(st.p99)} ms  neon ${s.neonText()} (target ${s.target})`);
  }
  const k = booking.contention;
  console.log(`contention: ${k.attempts} attempts, ${k.created.count} created, outcomes ${JSON.stringify(Object.fromEntries([...k.byOutcome].map(([key, v]) => [key, v.count])))}, overlaps ${k.overlapsGlobal}`);
  // Stand-in deliveries still in flight (refunds of the last cancels) get a moment to land.
  await sleep(2_000);
  const webhooks = [...webhookLines];

  // ── faults during contention ──
  let faultsSection = '';
  if (!skip.has('faults')) {
    const { renderFaults, runFaultBench } = await import('./faults.ts');
    const controlUrl = `http://${new URL(databaseUrl).host}/__faults`;
    const faults = await phase('faults during contention', () =>
      runFaultBench({
        origin,
        query,
        controlUrl,
        stripe: { url: stripeApi, secretKey: stripeKey, webhookSecret },
        rounds: num('BENCH_FAULT_ROUNDS', 4),
        attempts: num('BENCH_FAULT_ATTEMPTS', 2000),
        log: (line) => console.log(line),
      }),
    );
    faultsSection = `## Faults during contention (the Neon endpoint failing and hanging)

bench/faults.ts on the same stack: its Neon endpoint (dev/faults.ts) armed for the race only, on Fade Street's barbers
(deposit bookings, so every success is then paid and its success event delivered again, as Stripe redelivers). The
bounded version of this is tests/worker/faults.test.ts in \`npm test\` (it also resets barbers' objects mid-run and
replays queue batches out of order).

${renderFaults(faults).trim()}
`;
  }
  await phase('stop the stack', stopApp);

  // ── with the stack stopped: pure CPU and build figures ──
  if (!skip.has('engine')) {
    await phase('slot engine (tinybench)', () => runToEnd('npx', ['tsx', 'bench/engine.ts', '--write']));
  }
  let bundle: BundleSize | undefined;
  let startup: StartupCpu | undefined;
  if (!skip.has('bundle')) {
    bundle = await phase('worker bundle (wrangler deploy --dry-run)', measureBundle);
    startup = await phase('startup CPU (wrangler check startup)', measureStartup);
  }
  const weights = routeWeights(readRemixManifest());
  const bookingPage = weights.routes.find((r) => r.id === 'routes/s.$slug_.book');
  let fuzz: { code: number; seconds: number; runs: number; summary: string } | undefined;
  if (!skip.has('fuzz')) {
    const runs = num('BENCH_FUZZ_RUNS', 200);
    const began = performance.now();
    // The test pool would read npm start's .dev.vars over the suite's own bindings: set it aside.
    if (existsSync('.dev.vars')) renameSync('.dev.vars', DEV_VARS_ASIDE);
    const out = await phase('API fuzzing (npm run fuzz)', () => runCapture('npm', ['run', '--silent', 'fuzz'], { FUZZ_RUNS: String(runs) })).finally(restoreDevVars);
    const summary = out.text
      .split('\n')
      .filter((l) => /Tests |Test Files|fuzz:/.test(l))
      // vitest colours its summary: strip the escape sequences.
      // eslint-disable-next-line no-control-regex
      .map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').trim())
      .join('; ');
    fuzz = { code: out.code, seconds: (performance.now() - began) / 1000, runs, summary };
  }

  const loadAfter = loadavg();
  const cpu = cpus();
  const totalSeconds = (performance.now() - benchBegan) / 1000;
  const generated = `# Benchmarks

Measured with \`npm run bench\` (bench/run.ts) on ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC at commit
\`${commit}\`: ${cpu.length} cores (${cpu[0]?.model.trim()}), Node ${process.versions.node}, load average
${loadBefore.map((x) => x.toFixed(2)).join(' / ')} before and ${loadAfter.map((x) => x.toFixed(2)).join(' / ')} after (a shared machine); the whole run took
${(totalSeconds / 60).toFixed(1)} minutes (${phaseSeconds.map(([n, t]) => `${n} ${t.toFixed(0)} s`).join(', ')}). \`npm start\` stack on 127.0.0.1 —
wrangler dev (workerd) + the local data plane with embedded PGlite and in-memory Redis — with the
per-minute rate limits lifted for the run. Reproduce: \`npm run bench\` (it starts and stops its own
stack on ports 8787 and 4444–4446; \`BENCH_URL=http://127.0.0.1:8787 npm run bench\` uses a running one).

Absolute latencies here are loopback figures with PGlite (one connection, every query serialised);
on the edge each Neon request is a network round trip (typically 5–30 ms to a nearby region), so
the **Neon requests per request** column is the figure that carries over to production. It comes
from the \`Server-Timing: db;desc="<n>"\` header every dev/test response carries. The ×health
columns divide by \`GET /health\` (liveness) measured the same way in the same run; a p99 ratio
under 1× means the liveness tail itself caught the machine's load spikes.${commit.endsWith('-dirty') ? ' (`-dirty`: the build included uncommitted changes in the working tree.)' : ''}

## Endpoints (${concurrency} concurrent connections)

${table}

Notes:
- \`/health\` is liveness only: no auth, no rate limit, no Redis, no Neon — the cost of the Worker
  and loopback alone. \`/api/v1/health\` (readiness) runs one real query, one Redis PING and one
  authenticated Stripe call at most once per 5 s per isolate and answers from that in between.
- Every other \`/api/v1\` request also makes one Upstash request for the global rate limit (one EVAL
  of worker/lib/sliding-window.ts; the in-memory stand-in runs it in fengari). The benchmark lifts
  the limits themselves so it measures the work, not 429s.
- Login is deliberately slow: PBKDF2-SHA256 with 100,000 iterations (the Workers runtime's
  maximum) costs most of its CPU time; it makes 2 Neon requests (find the user, store the refresh
  token) against a target of 1 per write: the lookup must precede the hash check, and the refresh
  token is only issued once the password is known good — merging them would store tokens for
  failed attempts.
- \`auth/me\` and the shop page are one statement each (memberships and barbers/services are
  aggregated as JSON in the same query).

${renderLoad(load, bookingUnderLoad(booking.contention))}

${renderBooking(booking)}
${renderWebhooks(webhooks, booking.paid)}
${faultsSection}
${renderBundle(bundle, startup, bookingPage)}
${renderFuzz(fuzz)}`;

  const kept: string[] = [];
  try {
    const doc = readFileSync(DOC, 'utf8');
    for (const name of KEPT_BLOCKS) {
      const [start, end] = [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`];
      const a = doc.indexOf(start);
      const b = doc.indexOf(end);
      if (a >= 0 && b > a) kept.push(doc.slice(a, b + end.length));
    }
  } catch {
    /* first run */
  }
  writeFileSync(DOC, `${generated.trimEnd()}\n${kept.map((block) => `\n${block}\n`).join('')}`);
  console.log(`wrote ${DOC} in ${(totalSeconds / 60).toFixed(1)} minutes`);
} finally {
  await stopApp();
}

// ── helpers and renderers ────────────────────────────────────────────────────────────────────

function runToEnd(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`))));
  });
}

function runCapture(cmd: string, args: string[], env: Record<string, string>): Promise<{ code: number; text: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let text = '';
    child.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
      process.stdout.write(d);
    });
    child.stderr!.on('data', (d: Buffer) => {
      text += d.toString();
    });
    child.on('exit', (code) => resolve({ code: code ?? 1, text }));
  });
}

function bookingUnderLoad(c: Awaited<ReturnType<typeof runBookingBench>>['contention']) {
  const all = [...c.byOutcome.values()].flatMap((s) => s.ms);
  const sorted = all.sort((a, b) => a - b);
  return {
    name: `POST /appointments (contention: ${c.inFlight} in flight, ${c.shop.barbers} barbers)`,
    requests: c.attempts,
    rps: c.attempts / c.seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
}

function renderWebhooks(lines: RequestLine[], paid: Awaited<ReturnType<typeof runBookingBench>>['paid']): string {
  const durations = lines.map((l) => l.duration_ms ?? 0).sort((a, b) => a - b);
  const neon = new Map<number, number>();
  for (const l of lines) neon.set(l.neon_requests ?? -1, (neon.get(l.neon_requests ?? -1) ?? 0) + 1);
  const statuses = new Map<number, number>();
  for (const l of lines) statuses.set(l.status ?? 0, (statuses.get(l.status ?? 0) ?? 0) + 1);
  const dist = (m: Map<number, number>) => [...m.entries()].sort((a, b) => a[0] - b[0]).map(([k, n]) => `${k}×${n}`).join(', ') || '–';
  const over = [...neon.entries()].filter(([n]) => n > 1).reduce((s, [, c]) => s + c, 0);
  return `## Stripe webhooks (the stand-in's own deliveries)

${paid.cycles} deposit bookings on Fade Street were paid at the Stripe stand-in the way Stripe.js would (${paid.confirmed} confirmed by
the webhook, ${paid.cancelled} then cancelled outside the window, so their deposits were refunded). The stand-in signs and POSTs each
event (payment_intent.succeeded, charge.succeeded, charge.refunded, refund.*) to the Worker as Stripe does; their figures come
from the Worker's own request log line (route \`/api/v1/webhooks/stripe\`, \`neon_requests\`, \`duration_ms\`), which \`npm start\`
prints.

| request | n | p50 ms | p99 ms | Neon requests / request | target | met | status |
|---|---|---|---|---|---|---|---|
| POST /webhooks/stripe (every event the stand-in sent) | ${lines.length} | ${fmt(percentile(durations, 50))} | ${fmt(percentile(durations, 99))} | ${dist(neon)} | ≤ 1 | ${lines.length > 0 && over === 0 ? 'yes' : '**no**'} | ${dist(statuses)} |

Events the Worker has no use for (charge.succeeded, for one) are acknowledged without a Neon request; an event that changes a
booking or a payment is one statement (the event's id, the payment and the booking together, through the barber's object when a
booking moves).${paid.failures.length ? ` Unexpected: ${paid.failures.slice(0, 5).map((f) => `\`${f}\``).join(', ')}.` : ''}
`;
}

function renderBundle(bundle: BundleSize | undefined, startup: StartupCpu | undefined, page: { files: number; gzBytes: number } | undefined): string {
  const size = bundle ? `${bundle.rawKiB.toFixed(0)} KiB raw, **${bundle.gzipKiB.toFixed(1)} KiB gzipped** (budget ${BUNDLE_BUDGET_KIB} KiB: ${bundle.gzipKiB <= BUNDLE_BUDGET_KIB ? 'within' : '**over**'})` : 'not measured (BENCH_SKIP)';
  return `## Worker bundle, startup and the booking page's JavaScript

| figure | value | how |
|---|---|---|
| Worker upload | ${size} | \`wrangler deploy --dry-run\` (scripts/bundle-size.ts; CI fails over budget) |
| startup CPU | ${startup ? `${startup.busyMs.toFixed(0)} ms busy in a ${startup.profileMs.toFixed(0)} ms profile` : '–'} | \`wrangler check startup\`, this machine's CPU |
| booking page JS, first visit | ${page ? `${(page.gzBytes / 1024).toFixed(1)} KiB gzipped in ${page.files} files` : '–'} | Remix manifest: entry + root + \`routes/s.$slug_.book\` with imports, gzip -9 |

What went into fitting the budget (gzipped upload): 812 KiB when the Remix server build carried its own copy of worker/;
547 KiB with one copy and minifying (source maps uploaded); 604 KiB with the back-office pages; then 512 KiB once zod
lost its locales (260 KiB minified: @hono/zod-openapi hands the whole \`z\` namespace to extendZodWithOpenApi, so nothing
of it can be tree-shaken — worker/bundle/zod.mjs re-exports the package without them) and react-dom its client renderer
(react-router-dom's CommonJS build requires all of react-dom for an optional \`flushSync\`); 486 KiB without esbuild's kept
names (every error class here names itself); 470 KiB with Remix's routers as ES modules (their CommonJS builds are
required as whole namespaces, so nothing in them could be dropped); 454 KiB with react-router-dom/server as an ES module
too; 445 KiB with rate limiting as one EVAL of our own (worker/lib/sliding-window.ts) instead of @upstash/ratelimit.
The largest inputs left (minified): the Remix pages 303 KiB, stripe 249 KiB (every resource of the SDK, constructed by
its client), @neondatabase/serverless 143 KiB (node-postgres and its Buffer, bundled with the HTTP driver we use), zod
132 KiB, @upstash/redis 75 KiB (every command). Each is a package of the stack; what is left to cut would mean patching
them (a resource-less Stripe client, an HTTP-only Neon build).
`;
}

function renderFuzz(f: { code: number; seconds: number; runs: number; summary: string } | undefined): string {
  if (!f) return '';
  return `## API fuzzing, longer run

\`npm run fuzz\` with \`FUZZ_RUNS=${f.runs}\` (tests/worker/fuzz.test.ts: requests generated from \`GET /api/v1/openapi.json\`
with fast-check, against every operation, with and without valid tokens): ${f.code === 0 ? '**passed**' : '**FAILED**'} in ${f.seconds.toFixed(0)} s.
${f.summary ? `\`${f.summary}\`` : ''}
`;
}
