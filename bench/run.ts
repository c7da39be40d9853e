/**
 * Latency and Neon round trips per request, measured against the real stack on this machine:
 * `npm start` (wrangler dev + the local data plane, PGlite) on 127.0.0.1. Bounded request counts
 * and times; traffic never leaves loopback. Writes docs/BENCHMARKS.md (everything but the slot
 * engine's and the client's sections, which bench/engine.ts and scripts/measure-client.ts own and
 * which are kept as they are).
 *
 *   npm run bench            (starts and stops its own `npm start`)
 *   BENCH_URL=http://127.0.0.1:8787 npm run bench   (use an app that is already running)
 *
 * Knobs: BENCH_REQUESTS (300 per endpoint), BENCH_CONCURRENCY (8), BENCH_BOOKING_CYCLES (45),
 * BENCH_RACERS (50 in flight), BENCH_ATTEMPTS (1200), BENCH_ROUNDS (3), BENCH_RACE_SECONDS (60),
 * BENCH_REGISTER (16 clients registered for the race).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { renderBooking, runBookingBench } from './booking.ts';
import { database, devVar, fmt, jsonInit, ratio, Series, sleep, timed } from './lib.ts';

const origin = process.env.BENCH_URL ?? 'http://127.0.0.1:8787';
if (!/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(origin)) throw new Error(`BENCH_URL must be a loopback origin, not ${origin}`);
const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const requests = num('BENCH_REQUESTS', 300);
const concurrency = num('BENCH_CONCURRENCY', 8);
const DOC = 'docs/BENCHMARKS.md';
/** Blocks other scripts write into the same file (bench/engine.ts, scripts/measure-client.ts), kept as they are. */
const KEPT_BLOCKS = ['engine', 'client'] as const;

interface Case {
  name: string;
  url: string;
  init?: () => RequestInit;
  /** Fewer for deliberately slow endpoints (password hashing). */
  count?: number;
}

interface Result {
  series: Series;
  rps: number;
}

async function measure(c: Case, count = c.count ?? requests): Promise<Result> {
  const series = new Series(c.name);
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

let app: ChildProcess | undefined;
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void stopApp().finally(() => process.exit(130));
  });
}

if (!process.env.BENCH_URL) {
  // Rate limits lifted for this run: one machine is one client address, and the limiter would
  // otherwise be what gets measured. (Registrations stay at REGISTRATIONS_PER_HOUR per address:
  // npm start passes only these two through to wrangler.)
  app = spawn('npm', ['start'], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, RATE_LIMIT_PER_MINUTE: '1000000', LOGIN_ATTEMPTS_PER_MINUTE: '1000000' },
  });
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

try {
  await waitReady();
  const login = await timed<{ access_token: string }>(
    `${origin}/api/v1/auth/login`,
    jsonInit('POST', { email: 'client12@example.test', password: 'barber-demo-1' }),
  );
  if (login.status !== 200) throw new Error(`demo login failed: ${login.status} ${JSON.stringify(login.body)}`);
  const token = login.body.access_token;
  const auth = () => ({ headers: { authorization: `Bearer ${token}` } });
  let ip = 0;
  const cases: Case[] = [
    { name: 'GET /health (liveness)', url: `${origin}/health` },
    { name: 'GET /api/v1/health (readiness; one round per 5 s)', url: `${origin}/api/v1/health` },
    { name: 'GET /api/v1/shops', url: `${origin}/api/v1/shops` },
    { name: 'GET /api/v1/shops/fade-street', url: `${origin}/api/v1/shops/fade-street` },
    { name: 'GET / (Remix SSR)', url: `${origin}/` },
    { name: 'GET /api/v1/auth/me', url: `${origin}/api/v1/auth/me`, init: auth },
    { name: 'GET /api/v1/appointments (client)', url: `${origin}/api/v1/appointments`, init: auth },
    {
      name: 'POST /api/v1/auth/login (PBKDF2 100k)',
      url: `${origin}/api/v1/auth/login`,
      count: 30,
      init: () => jsonInit('POST', { email: `client${(ip++ % 10) + 1}@example.test`, password: 'barber-demo-1' }),
    },
  ];
  for (const c of cases) await measure(c, c.count ? 3 : 10); // warm-up
  const results: Result[] = [];
  for (const c of cases) {
    const r = await measure(c);
    results.push(r);
    const s = r.series.stats();
    console.log(`${c.name.padEnd(50)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${fmt(s.p50)} ms  p95 ${fmt(s.p95)} ms  neon ${r.series.neonText()}  errors ${r.series.errors([200])}`);
  }
  const liveBase = results[0]!.series.stats();
  const table = [
    '| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | p50 ×health | p99 ×health | Neon requests / request | errors |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(({ series: s, rps }) => {
      const st = s.stats();
      return `| ${s.name} | ${s.count} | ${rps.toFixed(0)} | ${fmt(st.p50)} | ${fmt(st.p95)} | ${fmt(st.p99)} | ${ratio(st.p50, liveBase.p50)} | ${ratio(st.p99, liveBase.p99)} | ${s.neonText()} | ${s.errors([200])} |`;
    }),
  ].join('\n');

  const databaseUrl = devVar('DATABASE_URL');
  if (!databaseUrl) throw new Error('DATABASE_URL not found in .dev.vars (npm start writes it)');
  console.log('booking: latency cycles, then the contention run');
  const booking = await runBookingBench({
    origin,
    query: database(databaseUrl),
    cycles: num('BENCH_BOOKING_CYCLES', 45),
    contention: {
      inFlight: num('BENCH_RACERS', 50),
      attempts: num('BENCH_ATTEMPTS', 1200),
      rounds: num('BENCH_ROUNDS', 3),
      seconds: num('BENCH_RACE_SECONDS', 60),
      register: num('BENCH_REGISTER', 16),
    },
    log: (line) => console.log(line),
  });
  for (const s of [booking.latency.liveness, ...booking.latency.rows]) {
    const st = s.stats();
    console.log(`${s.name.padEnd(80)} n ${String(s.count).padStart(4)}  p50 ${fmt(st.p50)} ms  p99 ${fmt(st.p99)} ms  neon ${s.neonText()} (target ${s.target})`);
  }
  const k = booking.contention;
  console.log(`contention: ${k.attempts} attempts, ${k.created.count} created, outcomes ${JSON.stringify(Object.fromEntries([...k.byOutcome].map(([key, v]) => [key, v.count])))}, overlaps ${k.overlapsGlobal}`);

  const loadAfter = loadavg();
  const cpu = cpus();
  const generated = `# Benchmarks

Measured with \`npm run bench\` (bench/run.ts, bench/booking.ts) on ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC at commit
\`${commit}\`: ${cpu.length} cores (${cpu[0]?.model.trim()}), Node ${process.versions.node}, load average
${loadBefore.map((x) => x.toFixed(2)).join(' / ')} before and ${loadAfter.map((x) => x.toFixed(2)).join(' / ')} after (a shared machine). \`npm start\` stack on 127.0.0.1 —
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
- Every other \`/api/v1\` request also makes one Upstash request for the global rate limit (the
  in-memory stand-in runs the limiter's Lua script in fengari, which is much of the gap between
  \`/health\` or \`GET /\` and the API reads here). The benchmark lifts the limits themselves so it
  measures the work, not 429s.
- Login is deliberately slow: PBKDF2-SHA256 with 100,000 iterations (the Workers runtime's
  maximum) costs most of its CPU time; it makes 2 Neon requests (find the user, store the refresh
  token).
- \`auth/me\` and the shop page are one statement each (memberships and barbers/services are
  aggregated as JSON in the same query).

${renderBooking(booking)}`;

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
  console.log(`wrote ${DOC}`);
} finally {
  await stopApp();
}
