/**
 * Latency and Neon round trips per request, measured against the real stack on this machine:
 * `npm start` (wrangler dev + the local data plane, PGlite) on 127.0.0.1. Bounded request counts;
 * traffic never leaves loopback. Writes docs/BENCHMARKS.md.
 *
 *   npm run bench            (starts and stops its own `npm start`)
 *   BENCH_URL=http://127.0.0.1:8787 npm run bench   (use an app that is already running)
 */
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { writeFileSync } from 'node:fs';

const origin = process.env.BENCH_URL ?? 'http://127.0.0.1:8787';
const requests = Number(process.env.BENCH_REQUESTS ?? 300);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);

interface Case {
  name: string;
  request: () => Request;
  /** Fewer for deliberately slow endpoints (password hashing). */
  count?: number;
}

interface Result {
  name: string;
  count: number;
  errors: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  neon: string;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function measure(c: Case): Promise<Result> {
  const count = c.count ?? requests;
  const latencies: number[] = [];
  const neonCounts = new Map<string, number>();
  let errors = 0;
  let next = 0;
  const started = performance.now();
  async function worker() {
    while (next < count) {
      next++;
      const t0 = performance.now();
      try {
        const res = await fetch(c.request());
        await res.arrayBuffer();
        if (res.status >= 400) errors++;
        const desc = /db;dur=[\d.]+;desc="(\d+)"/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? '?';
        neonCounts.set(desc, (neonCounts.get(desc) ?? 0) + 1);
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    name: c.name,
    count,
    errors,
    rps: count / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    neon: [...neonCounts.entries()].map(([n, k]) => (neonCounts.size > 1 ? `${n} (${k}×)` : n)).join(', '),
  };
}

async function waitReady(): Promise<void> {
  for (let i = 0; i < 240; i++) {
    const ok = await fetch(`${origin}/api/v1/health`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the app did not become ready');
}

let app: ReturnType<typeof spawn> | undefined;
if (!process.env.BENCH_URL) {
  // Rate limits lifted for this run: one machine is one client address, and the limiter would
  // otherwise be what gets measured.
  app = spawn('npm', ['start'], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, RATE_LIMIT_PER_MINUTE: '1000000', LOGIN_ATTEMPTS_PER_MINUTE: '1000000' },
  });
}
try {
  await waitReady();
  const login = await fetch(`${origin}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'client12@example.test', password: 'barber-demo-1' }),
  });
  if (!login.ok) throw new Error(`demo login failed: ${login.status} ${await login.text()}`);
  const { access_token: token } = (await login.json()) as { access_token: string };
  let ip = 0;
  const cases: Case[] = [
    { name: 'GET /api/v1/health (db + redis + stripe)', request: () => new Request(`${origin}/api/v1/health`) },
    { name: 'GET /api/v1/shops', request: () => new Request(`${origin}/api/v1/shops`) },
    { name: 'GET /api/v1/shops/fade-street', request: () => new Request(`${origin}/api/v1/shops/fade-street`) },
    { name: 'GET / (Remix SSR)', request: () => new Request(`${origin}/`) },
    { name: 'GET /api/v1/auth/me', request: () => new Request(`${origin}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } }) },
    { name: 'GET /api/v1/appointments (client)', request: () => new Request(`${origin}/api/v1/appointments`, { headers: { authorization: `Bearer ${token}` } }) },
    {
      name: 'POST /api/v1/auth/login (PBKDF2 100k)',
      count: 30,
      request: () =>
        new Request(`${origin}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: `client${(ip++ % 10) + 1}@example.test`, password: 'barber-demo-1' }),
        }),
    },
  ];
  for (const c of cases) await measure({ ...c, count: c.count ? 3 : 10 }); // warm-up
  const results: Result[] = [];
  for (const c of cases) {
    const r = await measure(c);
    results.push(r);
    console.log(`${r.name.padEnd(44)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(1)} ms  p95 ${r.p95.toFixed(1)} ms  neon ${r.neon}  errors ${r.errors}`);
  }
  const table = [
    '| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | Neon requests / request | errors |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map((r) => `| ${r.name} | ${r.count} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.neon} | ${r.errors} |`),
  ].join('\n');
  writeFileSync(
    'docs/BENCHMARKS.md',
    `# Benchmarks

Measured with \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores
(${cpus()[0]?.model.trim()}), \`npm start\` stack on 127.0.0.1 — wrangler dev (workerd) + the local
data plane with embedded PGlite and in-memory Redis. ${concurrency} concurrent connections.

Absolute latencies here are loopback figures with PGlite (one connection, every query serialised);
on the edge each Neon request is a network round trip (typically 5–30 ms to a nearby region), so
the **Neon requests per request** column is the figure that carries over to production. It comes
from the \`Server-Timing: db;desc="<n>"\` header every dev/test response carries.

${table}

Notes:
- Health makes one real query, one Redis PING and one authenticated Stripe call per request.
- Every other \`/api/v1\` request also makes one Upstash request for the global rate limit (the
  in-memory stand-in runs the limiter's Lua script in fengari, which is much of the gap between
  \`GET /\` and the API reads here). The benchmark lifts the limits themselves so it measures the
  work, not 429s.
- Login is deliberately slow: PBKDF2-SHA256 with 100,000 iterations (the Workers runtime's
  maximum) costs most of its CPU time; it makes 2 Neon requests (find the user, store the refresh
  token).
- \`auth/me\` and the shop page are one statement each (memberships and barbers/services are
  aggregated as JSON in the same query).
`,
  );
  console.log('wrote docs/BENCHMARKS.md');
} finally {
  if (app?.pid) {
    process.kill(-app.pid, 'SIGINT');
    await new Promise((r) => setTimeout(r, 4000));
  }
}
