import type Stripe from 'stripe';
import type { Redis } from '@upstash/redis/cloudflare';
import { createDb, type Db } from '../db/client';
import type { AppConfig } from '../env';
import type { Logger } from '../lib/logger';
import { redisClient } from '../lib/redis';
import { stripeClient } from '../lib/stripe';
import { enqueueNotification, type NotificationMessage } from '../queue/messages';

/**
 * The per-request capabilities routes, Remix loaders, the queue consumer and cron jobs share.
 * Built lazily: a request that never touches Stripe never constructs a Stripe client.
 */
export interface Services {
  config: AppConfig;
  logger: Logger;
  readonly db: Db;
  readonly redis: Redis;
  readonly stripe: Stripe;
  notify(message: NotificationMessage): Promise<void>;
  barberSchedule(barberId: string): DurableObjectStub<import('../do/barber-schedule').BarberSchedule>;
}

export function createServices(env: Env, config: AppConfig, logger: Logger): Services {
  let db: Db | undefined;
  return {
    config,
    logger,
    get db() {
      return (db ??= createDb(config));
    },
    get redis() {
      return redisClient(config);
    },
    get stripe() {
      return stripeClient(config);
    },
    notify: (message) => enqueueNotification(env.NOTIFICATIONS, message, config.FIELD_ENCRYPTION_KEYS),
    barberSchedule: (barberId) =>
      env.BARBER_SCHEDULE.get(env.BARBER_SCHEDULE.idFromName(barberId)) as DurableObjectStub<
        import('../do/barber-schedule').BarberSchedule
      >,
  };
}
