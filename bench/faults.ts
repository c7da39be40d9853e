/**
 * The contention run with Neon failing: clients race for a few windows of Fade Street's barbers
 * while the stack's Neon endpoint (dev/faults.ts, enabled by BB_NEON_FAULTS) refuses, drops or
 * delays a share of the requests; then every held booking is paid and its success event delivered
 * again twice (the stand-in redelivers it, as Stripe would). With the faults off the database is
 * read directly: overlapping active appointments, active bookings nobody was told about (written
 * behind a 503), and doubled payments — more than one payment row for an intent, or more paid on
 * an appointment than its deposit.
 *
 *   npx tsx bench/faults.ts                          (starts `npm start` with BB_NEON_FAULTS, stops it)
 *   BENCH_URL=http://127.0.0.1:8787 npx tsx bench/faults.ts   (a stack started with BB_NEON_FAULTS)
 *   BENCH_FAULT_RATE (0.15), BENCH_FAULT_SEED (7), BENCH_FAULT_ROUNDS (2), BENCH_FAULT_ATTEMPTS (240)
 *
 * From bench/run.ts: `runFaultBench({ origin, query, controlUrl, stripe, log })` then
 * `renderFaults(result)`. Bounded in attempts and seconds; loopback only; what it books is
 * cancelled again at the end of each round.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEMO_PASSWORD } from '../worker/db/seed/index.ts';
import { addDays, formatPlainDate, localDate, zonedTimeToUtc } from '../worker/domain/time.ts';
import { database, devVar, fmt, jsonInit, mulberry32, Series, sleep, timed, type Query } from './lib.ts';

const SHOP_SLUG = 'fade-street';
const ACTIVE = `('held', 'pending_payment', 'confirmed')`;
/** Days the run books on: past the seeded history (±7 days), before the contention run's (20+). */
const DAYS = [9, 10, 11, 12, 13, 14];
const MIN = 60_000;

export interface FaultBenchOptions {
  origin: string;
  /** Reads the stack's database; run only while the faults are off (they are, outside the race). */
  query: Query;
  /** The Neon endpoint's control API, e.g. http://127.0.0.1:4444/__faults. */
  controlUrl: string;
  /**
   * The Stripe stand-in the stack uses (pays intents as a client would; it then sends the events
   * itself) and the Worker's webhook secret, to deliver each success event again, signed.
   */
  stripe: { url: string; secretKey: string; webhookSecret: string };
  /** Share of Neon requests that fail or hang during the race (spread over the kinds as dev/faults.ts does). */
  rate?: number;
  seed?: number;
  /** How long a delayed statement waits: past the Worker's deadline (8 s by default). */
  delayMs?: number;
  rounds?: number;
  /** Upper bound on booking attempts over all rounds. */
  attempts?: number;
  /** Upper bound on the racing time over all rounds. */
  seconds?: number;
  inFlight?: number;
  log?: (line: string) => void;
}

type FaultCounters = Record<string, number>;

export interface FaultBenchResult {
  rate: number;
  seed: number;
  delayMs: number;
  rounds: number;
  windows: number;
  attempts: number;
  successes: number;
  conflicts: number;
  unavailable: number;
  /** Anything but 201, 409 and 503 (including no answer at all): should be 0. */
  other: number;
  outcomes: Record<string, number>;
  /** Active bookings in the windows that no client was answered 201 for (committed behind a 503). */
  unreported: number;
  overlaps: number;
  /** Windows with more than one active booking (each window can be sold once). */
  oversold: number;
  payments: { paid: number; deliveries: number; deliveryStatuses: Record<string, number>; confirmed: number };
  doubledPayments: number;
  neonFaults: FaultCounters;
  /** p50/p99 per path: 201, 409, 503, webhook redelivery. */
  latency: { path: string; count: number; p50: number; p99: number; max: number }[];
  seconds: number;
}

interface Problem {
  code?: string;
  reason?: string;
}

async function control(url: string, body?: unknown): Promise<{ counters: FaultCounters }> {
  const res = await fetch(url, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`fault control ${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as { counters: FaultCounters };
}

/** The kinds' weights, as dev/faults.ts spreadRate does (repeated so the bench needs no dev import). */
const spread = (rate: number) => ({ error_before: rate * 0.2, error_after: rate * 0.15, reset_before: rate * 0.2, reset_after: rate * 0.25, delay: rate * 0.2 });

export async function runFaultBench(o: FaultBenchOptions): Promise<FaultBenchResult> {
  const rate = o.rate ?? 0.15;
  const seed = o.seed ?? 7;
  const delayMs = o.delayMs ?? 10_000;
  const rounds = Math.min(o.rounds ?? 2, DAYS.length);
  const maxAttempts = o.attempts ?? 240;
  const maxSeconds = o.seconds ?? 60;
  const inFlight = o.inFlight ?? 24;
  const log = o.log ?? (() => undefined);
  const api = (path: string) => `${o.origin}/api/v1${path}`;
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const stripeInit = (method: string, form?: Record<string, string>): RequestInit => ({
    method,
    headers: { authorization: `Bearer ${o.stripe.secretKey}`, 'content-type': 'application/x-www-form-urlencoded' },
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
  const started = performance.now();
  await control(`${o.controlUrl}/reset`, {});

  const shopRes = await timed<{ id: string; timezone: string; barbers: { id: string; services: { service_id: string; name: string }[] }[] }>(api(`/shops/${SHOP_SLUG}`));
  if (shopRes.status !== 200) throw new Error(`GET /shops/${SHOP_SLUG}: ${shopRes.status}`);
  const shop = shopRes.body;
  const tz = shop.timezone;
  const login = async (email: string) => {
    const r = await timed<{ access_token: string; user: { id: string } }>(api('/auth/login'), jsonInit('POST', { email, password: DEMO_PASSWORD }));
    if (r.status !== 200) throw new Error(`login ${email}: ${r.status}`);
    return { token: r.body.access_token, userId: r.body.user.id };
  };
  const owner = await login('owner@fadestreet.test');
  // Clients of their own (the demo clients hold upcoming bookings, and a client may hold three):
  // registered until the hourly limit refuses one, topped up with demo clients.
  const clients: { token: string; userId: string }[] = [];
  const run = Date.now().toString(36);
  for (let i = 0; i < 12; i++) {
    const r = await timed<{ access_token: string; user: { id: string } }>(
      api('/auth/register'),
      jsonInit('POST', { email: `bench-faults-${run}-${i}@example.test`, password: `Qz-${randomBytes(9).toString('hex')}-7`, first_name: 'Bench', last_name: `Faults ${i}` }),
    );
    if (r.status !== 201) break;
    clients.push({ token: r.body.access_token, userId: r.body.user.id });
  }
  for (let i = 1; clients.length < 8; i++) clients.push(await login(`client${i}@example.test`));

  const byPath = { created: new Series('201 created'), refused: new Series('409 refused'), unavailable: new Series('503 retryable'), webhook: new Series('POST /webhooks/stripe (a success again)') };
  const outcomes = new Map<string, number>();
  const statuses = new Map<string, number>();
  let attempts = 0;
  let other = 0;
  let windowsTotal = 0;
  let unreported = 0;
  let oversold = 0;
  let overlaps = 0;
  let paid = 0;
  let confirmed = 0;
  let deliveries = 0;
  let doubled = 0;
  const neonFaults: FaultCounters = {};
  const perRound = Math.max(1, Math.floor(maxAttempts / rounds));
  const msPerRound = (maxSeconds * 1000) / rounds;

  for (let round = 0; round < rounds; round++) {
    const day = addDays(localDate(new Date(), tz), DAYS[round]!);
    const date = formatPlainDate(day);
    // Windows: per barber, free starts of one service at least two hours apart, so no two interact.
    const windows: { barberId: string; serviceId: string; startMs: number }[] = [];
    for (const b of shop.barbers) {
      const service = b.services[0];
      if (!service) continue;
      const a = await timed<{ slots: { start: string }[] }>(api(`/barbers/${b.id}/availability?service_id=${service.service_id}&from=${date}&to=${date}`));
      let last = -Infinity;
      for (const s of a.status === 200 ? a.body.slots : []) {
        const at = Date.parse(s.start);
        if (at - last < 120 * MIN) continue;
        windows.push({ barberId: b.id, serviceId: service.service_id, startMs: at });
        last = at;
        if (windows.filter((x) => x.barberId === b.id).length >= 3) break;
      }
    }
    if (windows.length === 0) continue;
    windowsTotal += windows.length;
    const successIds: string[] = [];
    const intents: string[] = [];
    let next = 0;
    await control(o.controlUrl, { rates: spread(rate), seed: seed + round, delayMs });
    // Whatever happens in the race, the faults go off again: a stack given by BENCH_URL stays usable.
    try {
      const until = Date.now() + msPerRound;
      const racer = async () => {
        while (next < perRound && Date.now() < until) {
          next++;
          const w = pick(windows);
          const who = pick(clients);
          const t = await timed<{ id: string; payment?: { payment_intent_id: string } | null } & Problem>(
            api('/appointments'),
            jsonInit('POST', { barber_id: w.barberId, service_id: w.serviceId, start_time: new Date(w.startMs).toISOString() }, who.token),
          );
          const key = t.status === 0 ? 'no response' : `${t.status}${t.body?.code ? ` ${t.body.code}` : ''}${t.body?.reason ? ` / ${t.body.reason}` : ''}`;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
          if (t.status === 201) {
            byPath.created.add(t);
            successIds.push(t.body.id);
            if (t.body.payment?.payment_intent_id) intents.push(t.body.payment.payment_intent_id);
          } else if (t.status === 409) byPath.refused.add(t);
          else if (t.status === 503) byPath.unavailable.add(t);
          else other++;
        }
      };
      await Promise.all(Array.from({ length: inFlight }, racer));
      attempts += next;

      // Payments, still under faults: each intent paid, its success event delivered again twice.
      for (const id of intents) {
        const pay = await timed(`${o.stripe.url}/__test/payment_intents/${id}/pay`, stripeInit('POST', { payment_method: 'pm_card_visa' }));
        if (pay.status !== 200) continue;
        paid++;
        const events = await timed<{ data: { id: string; data: { object: { id: string } } }[] }>(`${o.stripe.url}/v1/events?type=payment_intent.succeeded&limit=100`, stripeInit('GET'));
        const event = events.body?.data?.find((e) => e.data.object.id === id);
        if (!event) continue;
        // Twice at once, each retried as Stripe retries a non-2xx (bounded).
        await Promise.all([1, 2].map(async () => {
          for (let attempt = 0; attempt < 6; attempt++) {
            const payload = JSON.stringify(event);
            const ts = Math.floor(Date.now() / 1000);
            const sig = createHmac('sha256', o.stripe.webhookSecret).update(`${ts}.${payload}`).digest('hex');
            const r = await timed(api('/webhooks/stripe'), { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': `t=${ts},v1=${sig}` }, body: payload });
            byPath.webhook.add(r);
            deliveries++;
            statuses.set(String(r.status), (statuses.get(String(r.status)) ?? 0) + 1);
            if (r.status === 200) break;
            await sleep(200);
          }
        }));
      }
      const counters = (await control(o.controlUrl)).counters;
      for (const [k, v] of Object.entries(counters)) neonFaults[k] = (neonFaults[k] ?? 0) + v;
    } finally {
      await control(`${o.controlUrl}/reset`, {});
    }

    // Faults off: read the rows.
    const dayStart = zonedTimeToUtc(day, 0, tz).toISOString();
    const dayEnd = zonedTimeToUtc(addDays(day, 1), 0, tz).toISOString();
    const active = await o.query<{ id: string; barber_id: string; start_ms: number; end_ms: number }>(
      `SELECT id, barber_id, (extract(epoch FROM start_time) * 1000)::float8 AS start_ms, (extract(epoch FROM end_time) * 1000)::float8 AS end_ms FROM appointments
        WHERE shop_id = $1 AND status IN ${ACTIVE} AND start_time >= $2::timestamptz AND start_time < $3::timestamptz`,
      [shop.id, dayStart, dayEnd],
    );
    const told = new Set(successIds);
    for (const w of windows) {
      const inWindow = active.filter((a) => a.barber_id === w.barberId && Number(a.start_ms) < w.startMs + 60 * MIN && Number(a.end_ms) > w.startMs);
      if (inWindow.length > 1) oversold++;
      unreported += inWindow.filter((a) => !told.has(a.id)).length;
    }
    const [ov] = await o.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM appointments a JOIN appointments b ON a.barber_id = b.barber_id AND a.id < b.id
          AND tstzrange(a.start_time, a.end_time, '[)') && tstzrange(b.start_time, b.end_time, '[)')
        WHERE a.shop_id = $1 AND a.status IN ${ACTIVE} AND b.status IN ${ACTIVE}`,
      [shop.id],
    );
    overlaps += ov?.n ?? 0;
    if (successIds.length) {
      const [d] = await o.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM (
           SELECT p.stripe_payment_intent_id FROM payments p
            WHERE p.appointment_id = ANY($1::uuid[]) AND p.kind <> 'refund' AND p.stripe_payment_intent_id IS NOT NULL
            GROUP BY 1 HAVING count(*) > 1
           UNION ALL
           SELECT a.id::text FROM appointments a WHERE a.id = ANY($1::uuid[]) AND a.paid_cents > a.deposit_cents AND a.deposit_cents > 0
         ) x`,
        [successIds],
      );
      doubled += d?.n ?? 0;
      const [c] = await o.query<{ n: number }>(`SELECT count(*)::int AS n FROM appointments WHERE id = ANY($1::uuid[]) AND status = 'confirmed'`, [successIds]);
      confirmed += c?.n ?? 0;
    }
    // Give the slots back (and the clients their quota) before the next round, as the owner.
    for (const a of active) await timed(api(`/appointments/${a.id}/cancel`), jsonInit('POST', { reason: 'benchmark cleanup' }, owner.token));
    log(`  faults ${date}: ${next} attempts, ${successIds.length} created for ${windows.length} windows, ${intents.length} paid`);
  }

  return {
    rate,
    seed,
    delayMs,
    rounds,
    windows: windowsTotal,
    attempts,
    successes: byPath.created.count,
    conflicts: byPath.refused.count,
    unavailable: byPath.unavailable.count,
    other,
    outcomes: Object.fromEntries(outcomes),
    unreported,
    overlaps,
    oversold,
    payments: { paid, deliveries, deliveryStatuses: Object.fromEntries(statuses), confirmed },
    doubledPayments: doubled,
    neonFaults,
    latency: Object.values(byPath).map((s) => ({ path: s.name, count: s.count, ...s.stats() })),
    seconds: (performance.now() - started) / 1000,
  };
}

export function renderFaults(r: FaultBenchResult): string {
  const faults = Object.entries(r.neonFaults)
    .filter(([k]) => k !== 'requests' && k !== 'pass')
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    `Contention under Neon faults: ${Math.round(r.rate * 100)} % of Neon requests failed or hung (seed ${r.seed}; delays ${r.delayMs / 1000} s, past the Worker's deadline), ` +
      `${r.rounds} rounds, ${r.windows} windows, ${r.seconds.toFixed(0)} s in all. Neon requests during the race: ${r.neonFaults.requests ?? 0} (${faults || 'none injected'}).`,
    '',
    '| attempts | 201 | 409 | 503 | other | overlaps | oversold windows | booked behind a 503 | paid | webhook redeliveries | confirmed | doubled payments |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    `| ${r.attempts} | ${r.successes} | ${r.conflicts} | ${r.unavailable} | ${r.other} | ${r.overlaps} | ${r.oversold} | ${r.unreported} | ${r.payments.paid} | ${r.payments.deliveries} (${Object.entries(r.payments.deliveryStatuses).map(([s, n]) => `${s}: ${n}`).join(', ') || '–'}) | ${r.payments.confirmed} | ${r.doubledPayments} |`,
    '',
    '| path | requests | p50 ms | p99 ms | max ms |',
    '|---|---|---|---|---|',
    ...r.latency.map((l) => `| ${l.path} | ${l.count} | ${fmt(l.p50)} | ${fmt(l.p99)} | ${fmt(l.max)} |`),
    '',
    `Outcomes: ${Object.entries(r.outcomes).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} (${n})`).join(', ')}.`,
  ].join('\n');
}

// ── standalone ────────────────────────────────────────────────────────────────────────────────

function isEntryPoint(): boolean {
  try {
    return Boolean(process.argv[1]) && realpathSync(process.argv[1]!) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const origin = process.env.BENCH_URL ?? 'http://127.0.0.1:8787';
  if (!/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(origin)) throw new Error(`BENCH_URL must be a loopback origin, not ${origin}`);
  const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
  let app: ChildProcess | undefined;
  const stop = async () => {
    const pgid = app?.pid;
    app = undefined;
    if (!pgid) return;
    for (const [signal, waitMs] of [['SIGINT', 30_000], ['SIGTERM', 10_000], ['SIGKILL', 5_000]] as const) {
      try {
        process.kill(-pgid, signal);
      } catch {
        return;
      }
      for (let waited = 0; waited < waitMs; waited += 250) {
        try {
          process.kill(-pgid, 0);
        } catch {
          return;
        }
        await sleep(250);
      }
    }
  };
  process.on('SIGINT', () => void stop().finally(() => process.exit(130)));
  if (!process.env.BENCH_URL) {
    // The endpoint can inject faults but starts with none: seeding and start-up run clean.
    app = spawn('npm', ['start'], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, BB_NEON_FAULTS: process.env.BB_NEON_FAULTS ?? '0', RATE_LIMIT_PER_MINUTE: '1000000', LOGIN_ATTEMPTS_PER_MINUTE: '1000000' },
    });
  }
  try {
    for (let i = 0; ; i++) {
      if (app && app.exitCode !== null) throw new Error(`npm start exited (${app.exitCode}) before the app was ready`);
      if (await fetch(`${origin}/api/v1/health`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.ok, () => false)) break;
      if (i > 300) throw new Error('the app did not become ready');
      await sleep(500);
    }
    const databaseUrl = devVar('DATABASE_URL');
    const stripeUrl = devVar('STRIPE_API_URL');
    const secretKey = devVar('STRIPE_SECRET_KEY');
    const webhookSecret = devVar('STRIPE_WEBHOOK_SECRET')?.split(',')[0];
    if (!databaseUrl || !stripeUrl || !secretKey || !webhookSecret) {
      throw new Error('DATABASE_URL, STRIPE_API_URL, STRIPE_SECRET_KEY or STRIPE_WEBHOOK_SECRET missing from .dev.vars (npm start writes them)');
    }
    const u = new URL(databaseUrl);
    const controlUrl = `http://${u.host}/__faults`;
    if ((await fetch(controlUrl).then((r) => r.status, () => 0)) !== 200) {
      throw new Error(`no fault control API at ${controlUrl}: start the stack with BB_NEON_FAULTS=0 npm start`);
    }
    const result = await runFaultBench({
      origin,
      query: database(databaseUrl),
      controlUrl,
      stripe: { url: stripeUrl, secretKey, webhookSecret },
      rate: num('BENCH_FAULT_RATE', 0.15),
      seed: num('BENCH_FAULT_SEED', 7),
      rounds: num('BENCH_FAULT_ROUNDS', 2),
      attempts: num('BENCH_FAULT_ATTEMPTS', 240),
      log: (line) => console.log(line),
    });
    console.log(`\n${renderFaults(result)}`);
    process.exitCode = result.overlaps + result.oversold + result.doubledPayments + result.other === 0 ? 0 : 1;
  } finally {
    await stop();
  }
}

if (isEntryPoint()) {
  main().catch((err: unknown) => {
    console.error('bench/faults:', err);
    process.exit(1);
  });
}
