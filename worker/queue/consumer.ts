import { loadConfig } from '../env';
import { createDb, type Db } from '../db/client';
import { claimDelivery, markDelivered, markFailed } from '../db/queries/notifications';
import { createLogger, type Logger } from '../lib/logger';
import { testMailbox } from './mailbox';
import { notificationMessageSchema } from './messages';

/** Exponential backoff for retried messages: 10 s, 20 s, 40 s, ... capped at 10 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(600, 10 * 2 ** Math.max(0, attempts - 1));
}

type Outcome = 'sent' | 'already_sent' | 'in_flight';

/**
 * Sends one notification at most once per dedupe key: the delivery is claimed first (see
 * claimDelivery), so a redelivered message whose notification is already sent is acknowledged,
 * and one another consumer is sending right now is retried later rather than sent twice.
 */
async function deliver(
  db: Db,
  logger: Logger,
  body: unknown,
  attempts: number,
  appEnv: 'development' | 'test' | 'production',
): Promise<Outcome> {
  const message = notificationMessageSchema.parse(body);
  const claim = await claimDelivery(
    db,
    { dedupeKey: message.dedupe_key, channel: message.channel, recipient: message.to, template: message.template, payload: message.data },
    attempts,
  );
  if (claim !== 'claimed') return claim;

  try {
    // E-mail and SMS providers arrive with the notifications work; until then every channel is
    // delivered to the log, which is what local development wants anyway.
    logger.info('notification delivered', {
      channel: message.channel,
      template: message.template,
      dedupe_key: message.dedupe_key,
      // Local development only: the log is the developer's mailbox, so links must be clickable.
      ...(appEnv === 'development' ? { to: message.to, data: message.data, secrets: message.secrets } : {}),
    });
    if (appEnv === 'test') testMailbox.push(message);
  } catch (err) {
    await markFailed(db, message.dedupe_key, err instanceof Error ? err.message : String(err));
    throw err;
  }
  await markDelivered(db, message.dedupe_key);
  return 'sent';
}

export async function handleNotificationBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const config = loadConfig(env);
  const logger = createLogger(config.LOG_LEVEL, { queue: batch.queue });
  const db = createDb(config);

  if (batch.queue.endsWith('-dlq')) {
    // Out of retries: record the failure so owners can see it, and stop.
    for (const msg of batch.messages) {
      const parsed = notificationMessageSchema.safeParse(msg.body);
      logger.error('notification dead-lettered', { message_id: msg.id, dedupe_key: parsed.data?.dedupe_key });
      if (parsed.success) await markFailed(db, parsed.data.dedupe_key, 'dead-lettered');
      msg.ack();
    }
    return;
  }

  for (const msg of batch.messages) {
    try {
      const outcome = await deliver(db, logger, msg.body, msg.attempts, config.APP_ENV);
      if (outcome === 'in_flight') {
        // Another delivery of the same notification is sending it now; look again later.
        msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts) });
        continue;
      }
      if (outcome === 'already_sent') logger.info('notification already sent', { message_id: msg.id });
      msg.ack();
    } catch (err) {
      const invalid = err instanceof Error && err.name === 'ZodError';
      if (invalid) {
        // Retrying a malformed message cannot help; drop it loudly.
        logger.error('notification message invalid, dropped', { message_id: msg.id, err });
        msg.ack();
      } else {
        logger.warn('notification failed, will retry', { message_id: msg.id, attempts: msg.attempts, err });
        msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts) });
      }
    }
  }
}
