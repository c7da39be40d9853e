import { sql } from 'drizzle-orm';
import { loadConfig } from '../env';
import { createDb, type Db } from '../db/client';
import { createLogger, type Logger } from '../lib/logger';
import { testMailbox } from './mailbox';
import { notificationMessageSchema } from './messages';

/** Exponential backoff for retried messages: 10 s, 20 s, 40 s, ... capped at 10 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(600, 10 * 2 ** Math.max(0, attempts - 1));
}

/**
 * Sends one notification exactly once per dedupe key. The row is claimed first (insert … on
 * conflict do nothing), so a redelivered message whose row is already `sent` is acknowledged
 * without sending again.
 */
async function deliver(
  db: Db,
  logger: Logger,
  body: unknown,
  attempts: number,
  appEnv: 'development' | 'test' | 'production',
): Promise<'sent' | 'duplicate'> {
  const message = notificationMessageSchema.parse(body);
  const claimed = await db.execute<{ status: string }>(sql`
    INSERT INTO notifications (dedupe_key, channel, recipient, template, payload, status, attempts)
    VALUES (${message.dedupe_key}, ${message.channel}, ${message.to}, ${message.template},
            ${JSON.stringify(message.data)}::jsonb, 'queued', ${attempts})
    ON CONFLICT (dedupe_key) DO UPDATE SET attempts = EXCLUDED.attempts
    RETURNING status`);
  if (claimed.rows[0]?.status === 'sent') return 'duplicate';

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
  await db.execute(sql`
    UPDATE notifications SET status = 'sent', sent_at = now(), last_error = NULL
     WHERE dedupe_key = ${message.dedupe_key}`);
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
      if (parsed.success) {
        await db.execute(sql`
          UPDATE notifications SET status = 'failed', last_error = 'dead-lettered'
           WHERE dedupe_key = ${parsed.data.dedupe_key} AND status <> 'sent'`);
      }
      msg.ack();
    }
    return;
  }

  for (const msg of batch.messages) {
    try {
      const outcome = await deliver(db, logger, msg.body, msg.attempts, config.APP_ENV);
      if (outcome === 'duplicate') logger.info('notification already sent', { message_id: msg.id });
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
