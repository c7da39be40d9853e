import { z } from 'zod';

/**
 * The Worker's configuration, validated once per isolate at the entry. A misconfigured deployment
 * fails loudly on its first request with a list of what is wrong, instead of half-working.
 */
const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.url().optional());

export const envSchema = z.object({
  APP_ENV: z.enum(['development', 'test', 'production']).default('production'),
  APP_ORIGIN: z.url(),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean)),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string'),
  UPSTASH_REDIS_REST_URL: z.url(),
  UPSTASH_REDIS_REST_TOKEN: z.string().min(1),
  REDIS_PREFIX: z.string().default('bb:'),
  STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_/, 'must be a Stripe secret or restricted key'),
  STRIPE_WEBHOOK_SECRET: z.string().min(1),
  STRIPE_API_URL: optionalUrl,
  FIELD_ENCRYPTION_KEYS: z.string().min(1),
  JWT_SIGNING_KEYS: z.string().min(1, 'generate with `npm run keys:jwt`'),
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
