/**
 * The OAuth `state` of a connection in progress: who started it (the signed-in user), for which
 * barber, and the PKCE verifier. In Redis for 10 minutes, and taken with GETDEL, so a state works
 * once: a replayed or forged callback finds nothing.
 */
import type { Redis } from '@upstash/redis/cloudflare';
import { z } from 'zod';

export const STATE_TTL_SECONDS = 600;

const pending = z.object({ user_id: z.uuid(), barber_id: z.uuid(), code_verifier: z.string().min(43).max(128) });
export type PendingConnection = z.infer<typeof pending>;

const STATE_PATTERN = /^[A-Za-z0-9_-]{20,128}$/;
const stateKey = (prefix: string, state: string) => `${prefix}oauth:google:${state}`;

export async function saveOAuthState(redis: Redis, prefix: string, state: string, value: PendingConnection): Promise<void> {
  await redis.set(stateKey(prefix, state), pending.parse(value), { ex: STATE_TTL_SECONDS });
}

/** The pending connection `state` names, removed as it is read; null if unknown, used or expired. */
export async function takeOAuthState(redis: Redis, prefix: string, state: string): Promise<PendingConnection | null> {
  if (!STATE_PATTERN.test(state)) return null;
  // Upstash deserialises JSON values itself.
  const raw = await redis.getdel<unknown>(stateKey(prefix, state));
  const parsed = pending.safeParse(raw);
  return parsed.success ? parsed.data : null;
}
