import { z } from 'zod';
import { loadReadyConfig, type AppConfig } from '../env';
import { createDb, type Db } from '../db/client';
import { claimDelivery, markDelivered, markFailed } from '../db/queries/notifications';
import { createLogger, type Logger } from '../lib/logger';
import { testMailbox } from './mailbox';
import { openNotification, queuedNotificationSchema, UnreadableSecretsError, type OpenedNotification } from './messages';

/** All the dead-letter consumer reads of a body, whatever else it holds. */
const deadLetterSchema = z.object({ dedupe_key: z.string().min(1).max(200) });

/** Exponential backoff for retried messages: 10 s, 20 s, 40 s, ... capped at 10 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(600, 10 * 2 ** Math.max(0, attempts - 1));
}

type Outcome = 'sent' | 'already_sent' | 'in_flight' | 'unreadable';

/**
 * Local development only: the terminal is the developer's mailbox, so links must be clickable.
 * Written past the logger on purpose (the logger redacts tokens); never in test or production.
 */
function devMailbox(message: OpenedNotification): void {
  console.log(JSON.stringify({ msg: 'dev mailbox', to: message.to, template: message.template, data: message.data, secrets: message.secrets }));
}

/**
 * Sends one notification at most once per dedupe key: the delivery is claimed first (see
 * claimDelivery), so a redelivered message whose notification is already sent is acknowledged,
 * and one another consumer is sending right now is retried later rather than sent twice. The
 * secrets are opened only once the claim is ours, and only in memory.
 */
async function deliver(db: Db, logger: Logger, body: unknown, attempts: number, config: AppConfig): Promise<Outcome> {
  const queued = queuedNotificationSchema.parse(body);
  const claim = await claimDelivery(
    db,
    { dedupeKey: queued.dedupe_key, channel: queued.channel, recipient: queued.to, template: queued.template, payload: queued.data },
    attempts,
  );
  if (claim !== 'claimed') return claim;

  let message: OpenedNotification;
  try {
    message = await openNotification(queued, config.FIELD_ENCRYPTION_KEYS);
  } catch (err) {
    if (!(err instanceof UnreadableSecretsError)) throw err;
    // Retrying cannot help (the key is gone, or the seal is not this message's).
    await markFailed(db, queued.dedupe_key, err.message);
    logger.error('notification secrets unreadable, dropped', { dedupe_key: queued.dedupe_key, reason: err.reason });
    return 'unreadable';
  }

  try {
    // E-mail and SMS providers arrive with the notifications work; until then every channel is
    // delivered to the log (without recipient, data or links).
    logger.info('notification delivered', { channel: message.channel, template: message.template, dedupe_key: message.dedupe_key });
    if (config.APP_ENV === 'development') devMailbox(message);
    if (config.APP_ENV === 'test') testMailbox.push(message);
  } catch (err) {
    await markFailed(db, message.dedupe_key, err instanceof Error ? err.message : String(err));
    throw err;
  }
  await markDelivered(db, message.dedupe_key);
  return 'sent';
}

export async function handleNotificationBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const config = await loadReadyConfig(env);
  const logger = createLogger(config.LOG_LEVEL, { queue: batch.queue });
  const db = createDb(config);

  if (batch.queue.endsWith('-dlq')) {
    // Out of retries: record the failure so owners can see it, and stop. The seal is never opened
    // here and nothing of the body but its dedupe key is logged.
    for (const msg of batch.messages) {
      const parsed = deadLetterSchema.safeParse(msg.body);
      logger.error('notification dead-lettered', { message_id: msg.id, dedupe_key: parsed.data?.dedupe_key });
      if (parsed.success) await markFailed(db, parsed.data.dedupe_key, 'dead-lettered');
      msg.ack();
    }
    return;
  }

  for (const msg of batch.messages) {
    try {
      const outcome = await deliver(db, logger, msg.body, msg.attempts, config);
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
