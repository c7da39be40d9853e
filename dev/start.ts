/**
 * `npm start`: build → local data plane (PGlite / in-memory Redis / Stripe stand-in, or real
 * servers via DATABASE_URL / REDIS_URL) → .dev.vars → migrate → seed → `wrangler dev` on
 * 127.0.0.1 → finished stand-in Connect accounts for the demo shops (dev/stripe-accounts.ts).
 *
 * Ready: "BookedBarber is running" is printed once /api/v1/health answers 200 *and* every plane
 * server answers a probe of its own. Afterwards the plane is probed every 5 s; three failures in
 * a row stop the whole stack with exit code 1 and the reason.
 *
 * Stopping: Ctrl-C, SIGTERM and SIGHUP (a closed terminal) stop wrangler's process group (SIGTERM,
 * SIGKILL after 2.5 s, then wait until no member is left), then the plane, and exit. wrangler runs
 * under dev/guardian.ts, both in process groups of their own, so whatever ends this process —
 * kill -9 included — the guardian sees its IPC channel close and stops wrangler's group itself.
 * If `npm start` (or the tsx between it and us) goes away while we keep running, we notice
 * within half a second and stop the same way.
 *
 * Stale stacks: `.data/stack.json` records this run's pids while it runs. The next `npm start`
 * first cleans up whatever a crashed run left that it can prove is ours, or stops with a message
 * saying which process is in the way and how to stop it (dev/stack.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { newSigningJwk } from '../scripts/jwt-key.ts';
import { writeDevVars } from './dev-vars.ts';
import { migrate } from './migrate.ts';
import { startPlane, watchPlane, type Plane } from './plane.ts';
import { describe, launchChain, processInfo, sameProcess, sleep, stopGroup, type GroupStop } from './processes.ts';
import {
  reclaimStaleStack,
  recorded,
  removeStackRecord,
  StackInUse,
  stackRecordPath,
  writeStackRecord,
  type StackRecord,
} from './stack.ts';
import { DEMO_PASSWORD } from '../worker/db/seed/index.ts';
import { demoLogins, seed, seedSummary } from './seed.ts';
import { connectDemoShops, stripeAccountsSummary } from './stripe-accounts.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const port = Number(process.env.PORT ?? 8787);
const appOrigin = `http://127.0.0.1:${port}`;
const planePorts = {
  neon: Number(process.env.PLANE_NEON_PORT ?? 4444),
  upstash: Number(process.env.PLANE_UPSTASH_PORT ?? 4445),
  stripe: Number(process.env.PLANE_STRIPE_PORT ?? 4446),
};
const WRANGLER_GRACE_MS = 2_500;
const PROBE_INTERVAL_MS = 5_000;
const PROBE_FAILURES_ALLOWED = 3;

// A closed terminal turns every write into EIO; stopping cleanly matters more than the output.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

let plane: Plane | undefined;
let guardian: ChildProcess | undefined;
let wranglerPgid: number | undefined;
let guardianResult: GroupStop | undefined;
let stopWatchingPlane: (() => void) | undefined;
let stopping: Promise<never> | undefined;
const recordPath = stackRecordPath(root);

/** Stops everything this run started, once; `reason` (printed) explains an unasked-for stop. */
function stop(code: number, reason?: string): Promise<never> {
  stopping ??= (async () => {
    const began = Date.now();
    if (reason) console.error(`\n✖ ${reason}`);
    console.log('\n▶ stopping');
    stopWatchingPlane?.();
    const wrangler = await stopWrangler();
    if (plane) await Promise.race([plane.close(), sleep(5_000)]);
    removeStackRecord(recordPath, process.pid);
    const how = wrangler === 'killed' ? ' (wrangler needed SIGKILL)' : '';
    console.log(`▶ stopped in ${((Date.now() - began) / 1000).toFixed(1)} s${how}`);
    process.exit(code);
  })();
  return stopping;
}

async function stopWrangler(): Promise<GroupStop | undefined> {
  const g = guardian;
  if (g && g.exitCode === null && g.signalCode === null && g.connected) {
    const exited = new Promise((resolve) => g.once('exit', resolve));
    g.send({ type: 'stop' }, (err) => err && g.kill('SIGTERM'));
    await Promise.race([exited, sleep(WRANGLER_GRACE_MS + 5_000)]);
  }
  // The guardian leaves nothing behind; should it have died or hung, finish its work here.
  const leftover = wranglerPgid === undefined ? 'not running' : await stopGroup(wranglerPgid, WRANGLER_GRACE_MS);
  if (g && g.exitCode === null && g.signalCode === null) g.kill('SIGKILL');
  return guardianResult ?? leftover;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));
process.on('uncaughtException', (err) => void stop(1, `unexpected error: ${err.stack ?? err.message}`));
process.on('unhandledRejection', (err) => void stop(1, `unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));

// Orphaned (npm or tsx killed without us being told): stop rather than run on unseen. We watch
// every process between us and `npm start` (npm renames itself so; `npm run start` too), or just
// our parent when started some other way.
const parents = launchChain((p) => /^npm (run )?start\b/.test(p.command));
const watchedParents = parents.length > 0 ? parents : [processInfo(process.ppid)].filter((p) => p !== undefined);
setInterval(() => {
  const gone = watchedParents.find((p) => !sameProcess(p.pid, p.startTime));
  if (gone) void stop(1, `the process that started this one has gone (${describe(gone)})`);
}, 500).unref();

function runToEnd(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`))));
  });
}

/** Waits for the Worker's health route to answer 200 and for every plane server to answer. */
async function waitForHealth(p: Plane, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  let last = '';
  while (Date.now() < until && !stopping) {
    try {
      const res = await fetch(`${appOrigin}/api/v1/health`, { signal: AbortSignal.timeout(10_000) });
      const body = await res.text();
      if (res.status === 200) {
        const probe = await p.probe();
        if (probe.ok) return;
        last = `the Worker is healthy but the data plane is not: ${probe.failing.join('; ')}`;
      } else {
        last = `${res.status} ${body}`;
      }
    } catch (err) {
      last = String(err);
    }
    await sleep(500);
  }
  throw new Error(`the Worker did not become healthy: ${last}`);
}

/** Runs `wrangler dev` under the guardian; resolves once the guardian reports wrangler started. */
function startWrangler(record: StackRecord): Promise<void> {
  // One-off overrides for this run only (the benchmark lifts the rate limits), never written to
  // .dev.vars.
  const runVars = ['RATE_LIMIT_PER_MINUTE', 'LOGIN_ATTEMPTS_PER_MINUTE', 'REGISTRATIONS_PER_HOUR']
    .filter((name) => process.env[name])
    .flatMap((name) => ['--var', `${name}:${process.env[name]}`]);
  const wranglerArgs = [
    'wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', `${root}.data/wrangler`,
    '--show-interactive-dev-session=false', ...runVars,
  ];
  const guardianScript = fileURLToPath(new URL('./guardian.ts', import.meta.url));
  // Node strips the guardian's types itself; no tsx, so it is up in milliseconds.
  const nodeFlags = ['--disable-warning=ExperimentalWarning', ...(process.features.typescript ? [] : ['--experimental-strip-types'])];
  const g = spawn(process.execPath, [...nodeFlags, guardianScript, 'npx', ...wranglerArgs], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', GUARDIAN_GRACE_MS: String(WRANGLER_GRACE_MS) },
  });
  guardian = g;
  const info = g.pid === undefined ? undefined : processInfo(g.pid);
  if (info) writeStackRecord(recordPath, { ...record, guardian: recorded(info) });
  return new Promise((resolve, reject) => {
    g.on('message', (message: { type?: string; pgid?: number; code?: number | null; signal?: string | null; result?: GroupStop }) => {
      if (message.type === 'started' && message.pgid) {
        wranglerPgid = message.pgid;
        writeStackRecord(recordPath, { ...record, guardian: info && recorded(info), wranglerPgid });
        console.log(`▶ wrangler dev started (process group ${wranglerPgid}, guardian pid ${g.pid})`);
        resolve();
      } else if (message.type === 'exited' && !stopping) {
        void stop(1, `wrangler exited (${message.signal ?? `code ${message.code}`})`);
      } else if (message.type === 'stopped') {
        guardianResult = message.result;
      }
    });
    g.on('error', reject);
    g.on('exit', (code, signal) => {
      reject(new Error(`the guardian exited before wrangler started (${signal ?? code})`));
      if (!stopping) void stop(1, `wrangler's guardian exited (${signal ?? `code ${code}`})`);
    });
  });
}

async function main(): Promise<void> {
  try {
    await reclaimStaleStack({ root, ports: [port, ...Object.values(planePorts)], log: (line) => console.log(line) });
  } catch (err) {
    if (!(err instanceof StackInUse)) throw err;
    console.error(`✖ ${err.message}`);
    process.exit(1);
  }
  const self = processInfo(process.pid);
  if (!self) throw new Error('npm start needs Linux /proc to look after its processes');
  const record: StackRecord = {
    root,
    start: recorded(self),
    ports: [port, ...Object.values(planePorts)],
    startedAt: new Date().toISOString(),
  };
  writeStackRecord(recordPath, record);

  console.log('▶ building the Remix app');
  await runToEnd('npm', ['run', '--silent', 'build']);

  const dataDir = `${root}.data/pglite`;
  if (!process.env.DATABASE_URL) mkdirSync(dataDir, { recursive: true });
  plane = await startPlane({
    dataDir: process.env.DATABASE_URL ? undefined : dataDir,
    databaseUrl: process.env.DATABASE_URL,
    redisUrl: process.env.REDIS_URL,
    webhookUrl: `${appOrigin}/api/v1/webhooks/stripe`,
    webhookSecret: 'whsec_local_dev',
    ports: planePorts,
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
      STRIPE_PUBLISHABLE_KEY: 'pk_test_local',
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

  const migrated = await migrate({ connectionString: vars.DATABASE_URL! });
  console.log(`▶ migrations: ${migrated.applied.length} applied, ${migrated.skipped} already there`);
  const seeded = await seed({ connectionString: vars.DATABASE_URL!, keyring: vars.FIELD_ENCRYPTION_KEYS! });
  console.log(`▶ ${seedSummary(seeded)}`);

  await startWrangler(record);
  await waitForHealth(plane, 120_000);
  // The stand-in starts empty each time: the demo shops get finished Connect accounts again. Once
  // the Worker is up, so the account.updated webhooks this fires reach it instead of queueing.
  const connected = await connectDemoShops({ connectionString: vars.DATABASE_URL!, stripe: plane.stripe });
  console.log(`▶ ${stripeAccountsSummary(connected)}`);
  const p = plane;
  stopWatchingPlane = watchPlane(p, {
    intervalMs: PROBE_INTERVAL_MS,
    failuresAllowed: PROBE_FAILURES_ALLOWED,
    onDown: (why) => void stop(1, `the local data plane stopped answering (${why})`),
  });
  console.log(`
BookedBarber is running at ${appOrigin}
  API docs:  ${appOrigin}/api/docs
  Health:    ${appOrigin}/api/v1/health
Demo logins (password "${DEMO_PASSWORD}"):
${demoLogins.map((l) => `  ${l.role.padEnd(7)} ${l.email.padEnd(28)} ${l.shop}`).join('\n')}
Press Ctrl-C to stop.`);
}

main().catch((err: unknown) => {
  if (stopping) return; // a stop already under way explains the failure
  void stop(1, err instanceof Error ? (err.stack ?? err.message) : String(err));
});
