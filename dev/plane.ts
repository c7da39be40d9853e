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
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startNeonHttp, type NeonHttpServer } from './neon-http.ts';
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
}

export interface Plane {
  neonUrl: string;
  upstashUrl: string;
  upstashToken: string;
  stripe: { url: string; host: string; port: number; secretKey: string; sendEvent: StripeStandin['sendEvent'] };
  backends: { neon: NeonHttpServer['backend']; upstash: UpstashRestServer['backend']; stripe: 'memory' };
  close(): Promise<void>;
}

export const DEFAULT_UPSTASH_TOKEN = 'bb-local-upstash-token';
export const DEFAULT_STRIPE_SECRET_KEY = 'sk_test_bb_local';

/** Starts all three; if any fails, the ones already up are closed before rethrowing. */
export async function startPlane(opts: PlaneOptions = {}): Promise<Plane> {
  const host = opts.host ?? '127.0.0.1';
  const upstashToken = opts.redisToken ?? DEFAULT_UPSTASH_TOKEN;
  const secretKey = opts.stripeSecretKey ?? DEFAULT_STRIPE_SECRET_KEY;
  const started = await Promise.allSettled([
    startNeonHttp({ host, port: opts.ports?.neon ?? 0, databaseUrl: opts.databaseUrl, dataDir: opts.dataDir }),
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
  return {
    neonUrl: neon.url,
    upstashUrl: upstash.url,
    upstashToken,
    stripe: { url: stripe.url, host: stripe.host, port: stripe.port, secretKey, sendEvent: stripe.sendEvent },
    backends: { neon: neon.backend, upstash: upstash.backend, stripe: 'memory' },
    close: () => {
      closing ??= Promise.allSettled([neon.close(), upstash.close(), stripe.close()]).then(() => undefined);
      return closing;
    },
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
