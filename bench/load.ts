/**
 * Load on loopback with autocannon: many connections kept busy for a fixed time per route, each
 * route's p50/p99 and throughput reported as a ratio to `GET /health` (a trivial Hono route on the
 * same Worker, no Upstash, no Neon) measured the same way in the same run — on a shared 2-core
 * machine the ratios are the figures that mean something. Booking under the same load is the
 * contention run (bench/booking.ts), which races `connections` clients for few slots.
 */
import autocannon from 'autocannon';

export interface LoadRow {
  name: string;
  path: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

export interface LoadResult {
  connections: number;
  seconds: number;
  rows: LoadRow[];
}

export interface LoadTarget {
  name: string;
  path: string;
  headers?: Record<string, string>;
}

async function run(origin: string, target: LoadTarget, connections: number, seconds: number): Promise<LoadRow> {
  const result = await autocannon({
    url: `${origin}${target.path}`,
    connections,
    duration: seconds,
    headers: target.headers,
    timeout: 15,
  });
  return {
    name: target.name,
    path: target.path,
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** The trivial route first (the yardstick), then each target; a short warm-up before each. */
export async function runLoad(origin: string, targets: LoadTarget[], connections: number, seconds: number, log: (s: string) => void): Promise<LoadResult> {
  if (!/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(origin)) throw new Error(`load only on loopback, not ${origin}`);
  const rows: LoadRow[] = [];
  for (const target of [{ name: 'GET /health (trivial Hono route)', path: '/health' }, ...targets]) {
    await run(origin, target, Math.min(8, connections), 1);
    const row = await run(origin, target, connections, seconds);
    rows.push(row);
    log(`  load ${row.name}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, non-2xx ${row.non2xx}, errors ${row.errors}`);
  }
  return { connections, seconds, rows };
}

const x = (v: number, base: number) => (base > 0 && Number.isFinite(v) ? `${(v / base).toFixed(1)}×` : '–');

export function renderLoad(r: LoadResult, booking?: { p50: number; p99: number; rps: number; name: string; requests: number }): string {
  const base = r.rows[0]!;
  const line = (row: { name: string; requests: number; rps: number; p50: number; p99: number }, extra: string) =>
    `| ${row.name} | ${row.requests} | ${row.rps.toFixed(0)} | ${x(row.rps, base.rps)} | ${row.p50.toFixed(1)} | ${x(row.p50, base.p50)} | ${row.p99.toFixed(1)} | ${x(row.p99, base.p99)} | ${extra} |`;
  return `## Load (autocannon, ${r.connections} connections, ${r.seconds} s per route)

Each route kept busy by ${r.connections} connections for ${r.seconds} s after a 1 s warm-up, one route at a time; the ×
columns divide by \`GET /health\` measured the same way in the same run (throughput: a fraction of the trivial route's;
latency: a multiple of it). The booking row is the contention run below: ${r.connections} clients racing for few slots,
so most of its answers are 409 — the path a busy Saturday morning takes.

| route | requests | req/s | req/s ×trivial | p50 ms | p50 ×trivial | p99 ms | p99 ×trivial | non-2xx / errors |
|---|---|---|---|---|---|---|---|---|
${r.rows.map((row) => line(row, `${row.non2xx} / ${row.errors + row.timeouts}`)).join('\n')}
${booking ? line(booking, 'see contention') : ''}`;
}
