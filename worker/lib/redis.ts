import { Redis } from '@upstash/redis/cloudflare';
import type { AppConfig } from '../env';

const clients = new Map<string, Redis>();

/** One Upstash REST client per isolate and endpoint; it is stateless, so sharing is safe. */
export function redisClient(config: Pick<AppConfig, 'UPSTASH_REDIS_REST_URL' | 'UPSTASH_REDIS_REST_TOKEN'>): Redis {
  const key = `${config.UPSTASH_REDIS_REST_URL}\n${config.UPSTASH_REDIS_REST_TOKEN}`;
  let client = clients.get(key);
  if (!client) {
    client = new Redis({
      url: config.UPSTASH_REDIS_REST_URL,
      token: config.UPSTASH_REDIS_REST_TOKEN,
      // Our own failure handling (health, rate limits) decides what a Redis outage means.
      retry: { retries: 1, backoff: () => 50 },
      enableTelemetry: false,
    });
    clients.set(key, client);
  }
  return client;
}
