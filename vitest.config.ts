import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { exportJWK, generateKeyPair } from 'jose';
import { defineConfig } from 'vitest/config';

/**
 * Two projects: `node` (the local data plane's contract tests and database-level tests) and
 * `worker` (everything that runs inside workerd through the real bindings). `npm test`
 * (scripts/test.ts) starts the data plane first and passes its URLs in BB_TEST_* variables.
 */
const plane = {
  databaseUrl: process.env.BB_TEST_DATABASE_URL ?? 'postgresql://bookedbarber:test@127.0.0.1:4444/bookedbarber',
  upstashUrl: process.env.BB_TEST_UPSTASH_URL ?? 'http://127.0.0.1:4445',
  upstashToken: process.env.BB_TEST_UPSTASH_TOKEN ?? 'local-upstash-token',
  stripeUrl: process.env.BB_TEST_STRIPE_URL ?? 'http://127.0.0.1:4446',
  redisPrefix: process.env.BB_TEST_REDIS_PREFIX ?? 'bbtest:',
  /** dev/capture.ts: stands in for SendGrid and Twilio in the notification tests. */
  captureUrl: process.env.BB_TEST_CAPTURE_URL ?? 'http://127.0.0.1:4447',
};

/**
 * The worker-faults project (tests/worker/faults.test.ts): the Worker's DATABASE_URL is the plane's
 * fault-injecting Neon listener; the test itself sets up and reads rows through the clean one.
 */
const faultPlane = {
  databaseUrl: process.env.BB_TEST_FAULTY_DATABASE_URL ?? 'postgresql://bookedbarber:test@127.0.0.1:4448/bookedbarber',
  controlUrl: process.env.BB_TEST_NEON_FAULTS_URL ?? 'http://127.0.0.1:4448/__faults',
};

// A signing key of this run's own: tests mint tokens with it, and nothing real can verify them.
const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const jwtSigningKeys = JSON.stringify([{ ...(await exportJWK(privateKey)), kid: 'test-key-1' }]);

/** The Worker's bindings in the workerd projects: the data plane npm test started, test keys. */
const workerBindings = {
  APP_ENV: 'test',
  APP_ORIGIN: 'http://127.0.0.1:8787',
  CORS_ORIGINS: 'http://127.0.0.1:8787',
  LOG_LEVEL: 'warn',
  DATABASE_URL: plane.databaseUrl,
  UPSTASH_REDIS_REST_URL: plane.upstashUrl,
  UPSTASH_REDIS_REST_TOKEN: plane.upstashToken,
  REDIS_PREFIX: plane.redisPrefix,
  STRIPE_SECRET_KEY: 'sk_test_local',
  STRIPE_WEBHOOK_SECRET: 'whsec_test_local,whsec_test_connect',
  STRIPE_API_URL: plane.stripeUrl,
  STRIPE_PUBLISHABLE_KEY: 'pk_test_local',
  PLATFORM_FEE_BPS: '500',
  PLATFORM_FEE_FIXED_CENTS: '30',
  JWT_SIGNING_KEYS: jwtSigningKeys,
  SESSION_SECRET: 'test-session-secret-0123456789abcdef',
  // Tests share one anonymous identity; the limiter's own tests set tight limits.
  RATE_LIMIT_PER_MINUTE: '100000',
  LOGIN_ATTEMPTS_PER_MINUTE: '5',
  REGISTRATIONS_PER_HOUR: '100000',
  // Not a Worker setting: where the provider tests point SENDGRID_API_URL / TWILIO_API_URL.
  BB_CAPTURE_URL: plane.captureUrl,
  // Google's OAuth, token and Calendar endpoints, played by the capture server.
  GOOGLE_CLIENT_ID: 'test-client.apps.googleusercontent.com',
  GOOGLE_CLIENT_SECRET: 'test-google-client-secret',
  GOOGLE_OAUTH_URL: plane.captureUrl,
  GOOGLE_TOKEN_URL: `${plane.captureUrl}/token`,
  GOOGLE_API_URL: plane.captureUrl,
  // tests/worker/fuzz.test.ts: runs per operation and seed (`npm run fuzz` sets more runs).
  FUZZ_RUNS: process.env.FUZZ_RUNS ?? '',
  FUZZ_SEED: process.env.FUZZ_SEED ?? '',
  FIELD_ENCRYPTION_KEYS:
    'k2:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=,k1:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=',
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['dev/**/*.test.ts', 'tests/node/**/*.test.ts', 'worker/**/*.node.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: { bindings: workerBindings },
          }),
        ],
        test: {
          name: 'worker',
          include: ['worker/**/*.test.ts', 'tests/worker/**/*.test.ts', 'app/**/*.test.ts'],
          exclude: ['worker/**/*.node.test.ts', 'tests/worker/faults.test.ts'],
          testTimeout: 30_000,
          // Pre-bundled: Remix's CJS `cookie` import fails otherwise, and the big libraries load
          // once instead of per test file.
          deps: {
            optimizer: {
              ssr: {
                enabled: true,
                include: ['@remix-run/cloudflare', 'stripe', 'drizzle-orm', '@neondatabase/serverless'],
              },
            },
          },
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                ...workerBindings,
                // The injected faults are logged as warnings by design; errors still show.
                LOG_LEVEL: 'error',
                DATABASE_URL: faultPlane.databaseUrl,
                // Injected delays are 3 s (scripts/test.ts): past this deadline, within the test's budget.
                NEON_DEADLINE_MS: '1500',
                // Not Worker settings: the clean endpoint for the test's own rows, and the fault control API.
                BB_CLEAN_DATABASE_URL: plane.databaseUrl,
                BB_NEON_FAULTS_URL: faultPlane.controlUrl,
                REDIS_PREFIX: `${plane.redisPrefix}faults:`,
              },
            },
          }),
        ],
        test: {
          name: 'worker-faults',
          include: ['tests/worker/faults.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          deps: {
            optimizer: {
              ssr: {
                enabled: true,
                include: ['@remix-run/cloudflare', 'stripe', 'drizzle-orm', '@neondatabase/serverless'],
              },
            },
          },
        },
      },
    ],
  },
});
