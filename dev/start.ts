/**
 * `npm start`: build → local data plane (PGlite / in-memory Redis / Stripe stand-in, or real
 * servers via DATABASE_URL / REDIS_URL) → .dev.vars → migrate → seed → `wrangler dev` on
 * 127.0.0.1. Ctrl-C (or SIGTERM) stops wrangler's whole process group and then the plane.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { newSigningJwk } from '../scripts/jwt-key.ts';
import { writeDevVars } from './dev-vars.ts';
import { migrate } from './migrate.ts';
import { startPlane } from './plane.ts';
import { DEMO_PASSWORD } from '../worker/db/seed/index.ts';
import { demoLogins, seed } from './seed.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const port = Number(process.env.PORT ?? 8787);
const appOrigin = `http://127.0.0.1:${port}`;

function runToEnd(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`))));
  });
}

async function waitForHealth(deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  let last = '';
  while (Date.now() < until) {
    try {
      const res = await fetch(`${appOrigin}/api/v1/health`);
      if (res.status === 200) return;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the Worker did not become healthy: ${last}`);
}

console.log('▶ building the Remix app');
await runToEnd('npm', ['run', '--silent', 'build']);

const dataDir = `${root}.data/pglite`;
if (!process.env.DATABASE_URL) mkdirSync(dataDir, { recursive: true });
const plane = await startPlane({
  dataDir: process.env.DATABASE_URL ? undefined : dataDir,
  databaseUrl: process.env.DATABASE_URL,
  redisUrl: process.env.REDIS_URL,
  webhookUrl: `${appOrigin}/api/v1/webhooks/stripe`,
  webhookSecret: 'whsec_local_dev',
  ports: {
    neon: Number(process.env.PLANE_NEON_PORT ?? 4444),
    upstash: Number(process.env.PLANE_UPSTASH_PORT ?? 4445),
    stripe: Number(process.env.PLANE_STRIPE_PORT ?? 4446),
  },
});
console.log(`▶ data plane up: database=${plane.backends.neon} redis=${plane.backends.upstash}`);

const vars = writeDevVars(
  {
    APP_ENV: 'development',
    APP_ORIGIN: appOrigin,
    DATABASE_URL: `postgresql://bookedbarber:local@${new URL(plane.neonUrl).host}/bookedbarber`,
    UPSTASH_REDIS_REST_URL: plane.upstashUrl,
    UPSTASH_REDIS_REST_TOKEN: plane.upstashToken,
    STRIPE_API_URL: plane.stripe.url,
    STRIPE_SECRET_KEY: plane.stripe.secretKey,
    STRIPE_WEBHOOK_SECRET: 'whsec_local_dev',
  },
  undefined,
  // Fresh random secrets the first time; kept afterwards so stored data and sessions stay valid.
  {
    FIELD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    JWT_SIGNING_KEYS: JSON.stringify([await newSigningJwk()]),
    SESSION_SECRET: randomBytes(32).toString('base64url'),
  },
);

let wrangler: ChildProcess | undefined;
let stopping = false;

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log('\n▶ stopping');
    if (wrangler?.pid) {
      try {
        process.kill(-wrangler.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      await new Promise((r) => setTimeout(r, 1500));
      try {
        process.kill(-wrangler.pid, 'SIGKILL');
      } catch {
        /* exited cleanly */
      }
    }
    await plane.close();
  }
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  const migrated = await migrate({ connectionString: vars.DATABASE_URL! });
  console.log(`▶ migrations: ${migrated.applied.length} applied, ${migrated.skipped} already there`);
  const seeded = await seed({ connectionString: vars.DATABASE_URL!, keyring: vars.FIELD_ENCRYPTION_KEYS! });
  console.log(`▶ demo data: ${JSON.stringify(seeded)}`);

  // One-off overrides for this run only (the benchmark lifts the rate limits), never written to
  // .dev.vars.
  const runVars = ['RATE_LIMIT_PER_MINUTE', 'LOGIN_ATTEMPTS_PER_MINUTE']
    .filter((name) => process.env[name])
    .flatMap((name) => ['--var', `${name}:${process.env[name]}`]);
  // Its own process group, so stopping it takes workerd and every helper with it.
  wrangler = spawn(
    'npx',
    ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', `${root}.data/wrangler`, '--show-interactive-dev-session=false', ...runVars],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], detached: true, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
  );
  console.log(`▶ wrangler dev started (process group ${wrangler.pid})`);
  wrangler.on('exit', (code) => {
    if (!stopping) {
      console.error(`wrangler exited (${code})`);
      void stop(1);
    }
  });
  await waitForHealth(120_000);
  console.log(`
BookedBarber is running at ${appOrigin}
  API docs:  ${appOrigin}/api/docs
  Health:    ${appOrigin}/api/v1/health
Demo logins (password "${DEMO_PASSWORD}"):
${demoLogins.map((l) => `  ${l.role.padEnd(7)} ${l.email.padEnd(28)} ${l.shop}`).join('\n')}
Press Ctrl-C to stop.`);
} catch (err) {
  console.error(err);
  await stop(1);
}
