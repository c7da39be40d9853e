/**
 * The local data plane: Neon HTTP, Upstash REST and the Stripe stand-in,
 * started together so the Worker's unchanged code can run fully offline.
 *
 * As a library: `startPlane({...})` (ports default to 0 = random, which is
 * what tests want). As a CLI: `npx tsx dev/plane.ts` starts them on fixed
 * ports and prints one JSON line with the URLs:
 *   PLANE_NEON_PORT (4444) · PLANE_UPSTASH_PORT (4445) · PLANE_STRIPE_PORT (4446)
 *   DATABASE_URL   real Postgres instead of PGlite in PLANE_DATA_DIR (.data/pglite)
 *   REDIS_URL      real Redis instead of the in-memory store
 *   UPSTASH_REDIS_REST_TOKEN, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_URL, STRIPE_WEBHOOK_SECRET
 *   BB_NEON_FAULTS "rate[:seed]": the Neon endpoint can inject faults (dev/faults.ts; off until
 *                  armed through its control API, POST /__faults {"arm": true} — also read by
 *                  startPlane, so `npm start` honours it). Dev and benchmarks only.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PROBE_HEADER, startNeonHttp, type NeonHttpOptions, type NeonHttpServer } from './neon-http.ts';
import { parseFaultKnob, type FaultInjector } from './faults.ts';
import { startUpstashRest, type UpstashRestServer } from './upstash-rest.ts';
import { startStripeStandin, type StripeStandin } from './stripe-standin.ts';

export interface PlaneOptions {
  /** PGlite data directory; undefined = in-memory. Ignored when databaseUrl is set. */
  dataDir?: string;
  databaseUrl?: string;
  redisUrl?: string;
  redisToken?: string;
  stripeSecretKey?: string;
  webhookUrl?: string;
  webhookSecret?: string;
  ports?: { neon?: number; upstash?: number; stripe?: number };
  host?: string;
  /**
   * Fault injection on the Neon endpoint (dev/faults.ts). `separate`: a second Neon listener on
   * `port` in front of the same database injects them and the main one stays clean (tests);
   * otherwise the main endpoint itself does, starting with no faults until armed (the bench's
   * whole stack). Default: BB_NEON_FAULTS, when set, on the main endpoint.
   */
  faults?: { separate: boolean; port?: number; armRate?: number; seed?: number; delayMs?: number };
}

export interface Plane {
  neonUrl: string;
  /** With faults: the Neon endpoint that injects them, and its control API (GET/POST …/__faults). */
  neonFaults?: { url: string; controlUrl: string; injector: FaultInjector };
  upstashUrl: string;
  upstashToken: string;
  stripe: { url: string; host: string; port: number; secretKey: string; sendEvent: StripeStandin['sendEvent'] };
  backends: { neon: NeonHttpServer['backend']; upstash: UpstashRestServer['backend']; stripe: 'memory' };
  /** Asks each server a real question (SELECT 1, PING, GET /v1/balance); never throws. */
  probe(timeoutMs?: number): Promise<PlaneProbe>;
  close(): Promise<void>;
}

export interface PlaneProbe {
  ok: boolean;
  /** One line per server that did not answer properly, e.g. "neon: fetch failed (ECONNREFUSED)". */
  failing: string[];
}

export const DEFAULT_UPSTASH_TOKEN = 'bb-local-upstash-token';
export const DEFAULT_STRIPE_SECRET_KEY = 'sk_test_bb_local';

/** Starts all three; if any fails, the ones already up are closed before rethrowing. */
export async function startPlane(opts: PlaneOptions = {}): Promise<Plane> {
  const host = opts.host ?? '127.0.0.1';
  const upstashToken = opts.redisToken ?? DEFAULT_UPSTASH_TOKEN;
  const secretKey = opts.stripeSecretKey ?? DEFAULT_STRIPE_SECRET_KEY;
  const started = await Promise.allSettled([
    startNeonHttp({ host, port: opts.ports?.neon ?? 0, databaseUrl: opts.databaseUrl, dataDir: opts.dataDir, ...neonFaults(opts) }),
    startUpstashRest({ host, port: opts.ports?.upstash ?? 0, token: upstashToken, redisUrl: opts.redisUrl }),
    startStripeStandin({
      host,
      port: opts.ports?.stripe ?? 0,
      secretKey,
      webhookUrl: opts.webhookUrl,
      webhookSecret: opts.webhookSecret,
    }),
  ]);
  const [neonR, upstashR, stripeR] = started;
  if (neonR.status === 'rejected' || upstashR.status === 'rejected' || stripeR.status === 'rejected') {
    await Promise.allSettled(started.map((r) => (r.status === 'fulfilled' ? r.value.close() : undefined)));
    const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    throw failure?.reason;
  }
  const neon = neonR.value;
  const upstash = upstashR.value;
  const stripe = stripeR.value;
  let closing: Promise<void> | undefined;
  const probe = async (timeoutMs = 3_000): Promise<PlaneProbe> => {
    const checks = await Promise.all([
      check('neon', timeoutMs, neon.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'neon-array-mode': 'true', 'neon-raw-text-output': 'true', [PROBE_HEADER]: '1' },
        body: JSON.stringify({ query: 'select 1', params: [] }),
      }),
      check('upstash', timeoutMs, upstash.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${upstashToken}`, 'content-type': 'application/json' },
        body: '["PING"]',
      }),
      check('stripe', timeoutMs, `${stripe.url}/v1/balance`, { headers: { authorization: `Bearer ${secretKey}` } }),
    ]);
    const failing = checks.filter((c): c is string => c !== undefined);
    return { ok: failing.length === 0, failing };
  };
  return {
    neonUrl: neon.url,
    ...(neon.faults && neon.faultUrl
      ? { neonFaults: { url: neon.faultUrl, controlUrl: new URL('/__faults', neon.faultUrl).href, injector: neon.faults } }
      : {}),
    upstashUrl: upstash.url,
    upstashToken,
    stripe: { url: stripe.url, host: stripe.host, port: stripe.port, secretKey, sendEvent: stripe.sendEvent },
    backends: { neon: neon.backend, upstash: upstash.backend, stripe: 'memory' },
    probe,
    close: () => {
      closing ??= Promise.allSettled([neon.close(), upstash.close(), stripe.close()]).then(() => undefined);
      return closing;
    },
  };
}

/** The Neon endpoint's fault options: the caller's, or BB_NEON_FAULTS (main endpoint, unarmed). */
function neonFaults(opts: PlaneOptions): Pick<NeonHttpOptions, 'faults'> {
  if (opts.faults) {
    const knob = opts.faults.armRate !== undefined ? parseFaultKnob(String(opts.faults.armRate)) : undefined;
    return {
      faults: {
        separate: opts.faults.separate,
        ...(opts.faults.port !== undefined ? { port: opts.faults.port } : {}),
        ...(knob ? { armed: knob.rates } : {}),
        ...(opts.faults.seed !== undefined ? { seed: opts.faults.seed } : {}),
        ...(opts.faults.delayMs !== undefined ? { delayMs: opts.faults.delayMs } : {}),
      },
    };
  }
  const knob = parseFaultKnob(process.env.BB_NEON_FAULTS);
  return knob ? { faults: { separate: false, armed: knob.rates, seed: knob.seed } } : {};
}

/** undefined when the server answered 200; otherwise what went wrong, prefixed with its name. */
async function check(name: string, timeoutMs: number, url: string, init: RequestInit): Promise<string | undefined> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.text();
    return res.status === 200 ? undefined : `${name}: HTTP ${res.status} ${body.slice(0, 200)}`;
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = e instanceof Error ? e.message : String(e);
    return `${name}: ${why}${cause ? ` (${cause.code ?? cause.message})` : ''}`;
  }
}

/**
 * Probes the plane every `intervalMs` and calls `onDown` once, with the reason, after
 * `failuresAllowed` probes in a row have failed. Returns a function that stops watching.
 */
export function watchPlane(
  plane: Pick<Plane, 'probe'>,
  opts: { intervalMs: number; failuresAllowed: number; timeoutMs?: number; onDown: (reason: string) => void },
): () => void {
  let failures = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    const result = await plane.probe(opts.timeoutMs ?? Math.min(3_000, opts.intervalMs));
    if (stopped) return;
    failures = result.ok ? 0 : failures + 1;
    if (failures >= opts.failuresAllowed) {
      stopped = true;
      opts.onDown(`${failures} probes in a row failed: ${result.failing.join('; ')}`);
      return;
    }
    timer = setTimeout(() => void tick(), opts.intervalMs);
  };
  timer = setTimeout(() => void tick(), opts.intervalMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function envPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number, got ${raw}`);
  return n;
}

async function main(): Promise<void> {
  const env = process.env;
  const plane = await startPlane({
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.DATABASE_URL ? undefined : (env.PLANE_DATA_DIR ?? '.data/pglite'),
    redisUrl: env.REDIS_URL || undefined,
    redisToken: env.UPSTASH_REDIS_REST_TOKEN || undefined,
    stripeSecretKey: env.STRIPE_SECRET_KEY || undefined,
    webhookUrl: env.STRIPE_WEBHOOK_URL || undefined,
    webhookSecret: env.STRIPE_WEBHOOK_SECRET || undefined,
    ports: {
      neon: envPort('PLANE_NEON_PORT', 4444),
      upstash: envPort('PLANE_UPSTASH_PORT', 4445),
      stripe: envPort('PLANE_STRIPE_PORT', 4446),
    },
  });
  console.log(JSON.stringify({
    neonUrl: plane.neonUrl,
    ...(plane.neonFaults ? { neonFaultsControl: plane.neonFaults.controlUrl } : {}),
    upstashUrl: plane.upstashUrl,
    upstashToken: plane.upstashToken,
    stripe: { url: plane.stripe.url, host: plane.stripe.host, port: plane.stripe.port },
    backends: plane.backends,
  }));
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1); // a second signal means "now"
    stopping = true;
    plane.close().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(`plane: error while closing after ${signal}:`, e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main().catch((e: unknown) => {
    console.error('plane: failed to start:', e);
    process.exit(1);
  });
}
