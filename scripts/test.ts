/**
 * `npm test`: build → typecheck, lint, generated binding types up to date → start the local data
 * plane → migrate → vitest (node + workerd projects) → stop everything.
 *
 * Backends: embedded (PGlite + in-memory Redis) by default. With TEST_DATABASE_URL and/or
 * TEST_REDIS_URL the plane uses a real PostgreSQL (a fresh database, dropped afterwards) and a
 * real Redis (a key prefix of its own, removed afterwards). CI runs both ways.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startPlane } from '../dev/plane.ts';
import { startCapture } from '../dev/capture.ts';
import { migrate } from '../dev/migrate.ts';
import { createTestDatabase, dropTestDatabase, deleteRedisPrefix } from '../dev/test-backends.ts';

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function step(name: string, cmd: string, args: string[]): Promise<void> {
  console.log(`\n▶ ${name}`);
  const code = await run(cmd, args);
  if (code !== 0) {
    console.error(`✖ ${name} failed (exit ${code})`);
    process.exit(code);
  }
}

const vitestArgs = process.argv.slice(2);
const quick = process.env.BB_TEST_SKIP_STATIC === '1';

if (!quick) {
  await step('build', 'npm', ['run', '--silent', 'build']);
  await step('typecheck', 'npm', ['run', '--silent', 'typecheck']);
  await step('lint', 'npm', ['run', '--silent', 'lint']);
  await step('binding types are current', 'npm', ['run', '--silent', 'types:check']);
}

const runId = randomBytes(4).toString('hex');
const realPg = process.env.TEST_DATABASE_URL;
const realRedis = process.env.TEST_REDIS_URL;
const testDb = realPg ? await createTestDatabase(realPg, `bb_test_${runId}`) : undefined;
const redisPrefix = `bbtest:${runId}:`;

// A second Neon listener in front of the same database injects faults (dev/faults.ts) for the
// worker-faults project only; it starts with none and the fault test sets its rates.
const plane = await startPlane({
  databaseUrl: testDb?.url,
  redisUrl: realRedis,
  stripeSecretKey: 'sk_test_local',
  faults: { separate: true, delayMs: 3_000 },
});
// The Worker reaches the plane through an ordinary connection string with a loopback host.
const databaseUrl = `postgresql://bookedbarber:test@${new URL(plane.neonUrl).host}/bookedbarber`;
const faultyDatabaseUrl = plane.neonFaults && `postgresql://bookedbarber:test@${new URL(plane.neonFaults.url).host}/bookedbarber`;
// SendGrid and Twilio as the notification tests see them (dev/capture.ts).
const capture = await startCapture().catch(async (err: unknown) => {
  await plane.close();
  throw err;
});
let exitCode = 1;
try {
  console.log(`\n▶ data plane: database=${plane.backends.neon} redis=${plane.backends.upstash}`);
  await migrate({ connectionString: databaseUrl });
  console.log('\n▶ vitest');
  exitCode = await run('npx', ['vitest', 'run', ...vitestArgs], {
    ...process.env,
    BB_TEST_DATABASE_URL: databaseUrl,
    BB_TEST_UPSTASH_URL: plane.upstashUrl,
    BB_TEST_UPSTASH_TOKEN: plane.upstashToken,
    BB_TEST_STRIPE_URL: plane.stripe.url,
    BB_TEST_REDIS_PREFIX: redisPrefix,
    BB_TEST_CAPTURE_URL: capture.url,
    ...(faultyDatabaseUrl && plane.neonFaults
      ? { BB_TEST_FAULTY_DATABASE_URL: faultyDatabaseUrl, BB_TEST_NEON_FAULTS_URL: plane.neonFaults.controlUrl }
      : {}),
  });
} finally {
  await capture.close();
  await plane.close();
  if (testDb && realPg) await dropTestDatabase(realPg, testDb.name);
  if (realRedis) await deleteRedisPrefix(realRedis, redisPrefix);
}
process.exit(exitCode);
