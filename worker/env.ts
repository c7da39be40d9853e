import { z } from 'zod';
import { keyring, parseSigningKeys, SigningKeyError, type SigningKeys } from './auth/jwt';
import { FieldCryptoError, parseFieldKeyring, type FieldKeyring } from './lib/crypto';

/**
 * The Worker's configuration, validated once per isolate at the entry. A misconfigured deployment
 * fails loudly on its first request with a list of what is wrong, instead of half-working.
 * The keyrings are parsed here too, so consumers get key ids and keys rather than strings to
 * re-parse, and a bad key is one clear configuration error rather than a 401 or 500 per request.
 * Issues name variables, key positions and key ids; never secret values.
 */
const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.url().optional());

/** A string parsed by `parse`, whose errors (never carrying the value) become issues. */
function parsedSecret<T>(parse: (text: string) => T, hint?: string) {
  return z.string(hint ?? 'is required').min(1, hint ?? 'is required').transform((text, ctx): T => {
    try {
      return parse(text);
    } catch (err) {
      const issues = err instanceof SigningKeyError ? err.issues : err instanceof FieldCryptoError ? [err.message] : ['could not be parsed'];
      for (const message of issues) ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
  });
}

export const envSchema = z.object({
  APP_ENV: z.enum(['development', 'test', 'production']).default('production'),
  APP_ORIGIN: z.url(),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean)),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string'),
  /**
   * Deadline of one Neon HTTP request (worker/db/client.ts). Production keeps the default; the
   * fault-injection tests shorten it so a delayed request times out within the test's budget.
   */
  NEON_DEADLINE_MS: z.coerce.number().int().min(100).max(60_000).default(8_000),
  UPSTASH_REDIS_REST_URL: z.url(),
  UPSTASH_REDIS_REST_TOKEN: z.string().min(1),
  REDIS_PREFIX: z.string().default('bb:'),
  STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_/, 'must be a Stripe secret or restricted key'),
  /**
   * Signing secrets of the webhook endpoints, comma-separated: the platform endpoint and the
   * Connect one (account.updated) have one each, and a rotated secret stays listed until Stripe
   * stops signing with it. An event is accepted when any of them verifies it.
   */
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .min(1)
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^whsec_/, 'each secret starts with whsec_')).min(1)),
  STRIPE_API_URL: optionalUrl,
  /** Given to clients with each payment so the app can confirm it with Stripe.js / the mobile SDKs. */
  STRIPE_PUBLISHABLE_KEY: z.string().regex(/^pk_/, 'must be a Stripe publishable key'),
  /** The platform's cut of every charge: basis points of the amount plus a fixed part (minor units). */
  PLATFORM_FEE_BPS: z.coerce.number().int().min(0).max(5000).default(500),
  PLATFORM_FEE_FIXED_CENTS: z.coerce.number().int().min(0).default(0),
  /** The currency of the fixed part; charges in other currencies pay the percentage only. */
  PLATFORM_FEE_CURRENCY: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code').default('USD'),
  /**
   * Notification providers. E-mail goes through SendGrid and SMS through Twilio when their keys
   * are set; without them (development, tests) messages go to the dev outbox (/dev/outbox) — in
   * production a missing key is a configuration error for that channel's messages, never a silent drop.
   */
  EMAIL_FROM: z.string().min(3).default('BookedBarber <bookings@bookedbarber.app>'),
  SENDGRID_API_KEY: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional()),
  SENDGRID_API_URL: z.url().default('https://api.sendgrid.com'),
  TWILIO_ACCOUNT_SID: z.preprocess((v) => (v === '' ? undefined : v), z.string().regex(/^AC[0-9a-zA-Z]+$/, 'must be a Twilio account SID (AC…)').optional()),
  TWILIO_AUTH_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional()),
  /** The sending number (E.164) or messaging service SID (MG…). */
  TWILIO_FROM: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional()),
  TWILIO_API_URL: z.url().default('https://api.twilio.com'),
  /**
   * Google Calendar (OAuth client of the Google Cloud project). The integration is off while
   * either is unset: connecting answers 404 and nothing is synced. The URLs are Google's unless a
   * test points them at a stand-in.
   */
  GOOGLE_CLIENT_ID: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional()),
  GOOGLE_CLIENT_SECRET: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional()),
  GOOGLE_OAUTH_URL: z.url().default('https://accounts.google.com'),
  GOOGLE_TOKEN_URL: z.url().default('https://oauth2.googleapis.com/token'),
  GOOGLE_API_URL: z.url().default('https://www.googleapis.com'),
  /** `kid:base64(32 bytes)` entries, comma-separated, newest first. */
  FIELD_ENCRYPTION_KEYS: parsedSecret<FieldKeyring>(parseFieldKeyring),
  /** JSON array of ES256 private JWKs with kid, newest first. */
  JWT_SIGNING_KEYS: parsedSecret<SigningKeys>(parseSigningKeys, 'generate with `npm run keys:jwt`'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters'),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(100),
  LOGIN_ATTEMPTS_PER_MINUTE: z.coerce.number().int().positive().default(5),
  REGISTRATIONS_PER_HOUR: z.coerce.number().int().positive().default(20),
});

export type AppConfig = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid Worker configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

const cache = new WeakMap<object, AppConfig>();
const ready = new WeakMap<AppConfig, Promise<AppConfig>>();

/** Parses the bindings' string values; cached per env object (one per isolate in production). */
export function loadConfig(env: Env): AppConfig {
  const hit = cache.get(env);
  if (hit) return hit;
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  cache.set(env, parsed.data);
  return parsed.data;
}

/**
 * loadConfig plus the keys imported into WebCrypto (once per isolate), proving each signing key's
 * private part matches its public one. What the entry points (fetch, queue) await, so a key that
 * parses but cannot be used is a ConfigError too.
 */
export function loadReadyConfig(env: Env): Promise<AppConfig> {
  let config: AppConfig;
  try {
    config = loadConfig(env);
  } catch (err) {
    return Promise.reject(err as Error);
  }
  let pending = ready.get(config);
  if (!pending) {
    pending = (async () => {
      const issues: string[] = [];
      await keyring(config.JWT_SIGNING_KEYS).catch((err: unknown) => {
        issues.push(...(err instanceof SigningKeyError ? err.issues : ['cannot be imported']).map((m) => `JWT_SIGNING_KEYS: ${m}`));
      });
      await config.FIELD_ENCRYPTION_KEYS.keys().catch(() => issues.push('FIELD_ENCRYPTION_KEYS: cannot be imported'));
      if (issues.length) throw new ConfigError(issues);
      return config;
    })();
    ready.set(config, pending);
  }
  return pending;
}
