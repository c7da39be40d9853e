import { z } from 'zod';
import { loadReadyConfig, type AppConfig } from '../env';
import { createDb, type Db } from '../db/client';
import {
  claimDelivery,
  DEAD_LETTERED,
  DELIVERY_LEASE_SECONDS,
  deliveryContext,
  markDelivered,
  markFailed,
  markFailedForGood,
  markSkipped,
  type DeliveryContext,
} from '../db/queries/notifications';
import { decryptPhone } from '../lib/crypto';
import { createLogger, type Logger } from '../lib/logger';
import { telemetry } from '../lib/telemetry';
import { providersFor } from '../notifications/configured';
import { messageLocale } from '../notifications/format';
import type { Providers, SendResult } from '../notifications/providers';
import { relevance } from '../notifications/relevance';
import { redisClient } from '../lib/redis';
import { manageLinks } from '../notifications/manage-links';
import { handleCalendarMessage } from '../services/calendar-sync';
import { ACCOUNT_TEMPLATES, IncompleteMessageError, MANAGED_TEMPLATES, renderNotification, UnknownTemplateError } from '../notifications/templates';
import { testMailbox } from './mailbox';
import { openNotification, queuedNotificationSchema, smsRecipientUser, UnreadableSecretsError, type OpenedNotification } from './messages';

/** All the dead-letter consumer reads of a body, whatever else it holds. */
const deadLetterSchema = z.object({ dedupe_key: z.string().min(1).max(200) });

const uuid = z.uuid();
const idIn = (value: unknown): string | null => (uuid.safeParse(value).success ? (value as string) : null);

/**
 * Manage links (view, reschedule, cancel) for a booking message that looks ahead: signed at send
 * time, so they expire with the appointment as it is now, and never stored or queued.
 */
async function linksFor(config: AppConfig, message: OpenedNotification) {
  if (!MANAGED_TEMPLATES.has(message.template)) return null;
  const id = idIn(message.data.appointment_id);
  const end = typeof message.data.end_time === 'string' ? Date.parse(message.data.end_time) : Number.NaN;
  if (!id || Number.isNaN(end)) return null;
  return manageLinks(config, { id, end_ms: end });
}

/** Exponential backoff for retried messages: 10 s, 20 s, 40 s, ... capped at 10 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(600, 10 * 2 ** Math.max(0, attempts - 1));
}

/**
 * When to look again at a message whose notification another delivery holds (`in_flight`). That
 * lease was taken at most DELIVERY_LEASE_SECONDS ago, so one retry after the lease (and a margin
 * for clock skew between us and the database) either finds it sent or finds the lease expired and
 * takes it over. A shorter delay would spend the queue's few retries on a lease a dead consumer
 * left behind, and the message would reach the dead-letter queue unsent.
 */
export const LEASE_MARGIN_SECONDS = 5;
export function inFlightRetryDelaySeconds(attempts: number): number {
  return Math.max(retryDelaySeconds(attempts), DELIVERY_LEASE_SECONDS + LEASE_MARGIN_SECONDS);
}

/**
 * What became of one delivery. `retry`: the provider failed in a way worth another try (the
 * notification is marked failed meanwhile); `in_flight`: another delivery is sending it now.
 * Everything else is acknowledged.
 */
type Outcome = 'sent' | 'already_sent' | 'settled' | 'in_flight' | 'skipped' | 'failed' | 'retry';

interface Deps {
  db: Db;
  logger: Logger;
  config: AppConfig;
  providers: Providers;
}

/** E.164 from the digits users.phone_enc holds (or a literal number a producer named). */
const e164 = (digits: string) => `+${digits.replace(/\D+/g, '')}`;
const literalPhone = /^\+?[0-9][0-9 ()-]{6,20}$/;

type Send = { to: string; locale: string; context: DeliveryContext | null } | { skip: string } | { fail: string };

/**
 * Who receives the message and whether they still want it, decided at send time: the client's
 * channel preferences (booking messages only — account messages always go) and SMS consent; an
 * SMS names the user and their number is decrypted here, never carried on the queue.
 */
async function resolve(deps: Deps, message: OpenedNotification): Promise<Send> {
  const account = ACCOUNT_TEMPLATES.has(message.template);
  const smsUser = message.channel === 'sms' ? smsRecipientUser(message.to) : null;
  const userId = smsUser ?? (account ? null : idIn(message.data.client_id));
  // An invitation is an account message about a shop: its expiry is written on that shop's clock.
  const needsContext = !account || message.template === 'barber_invitation';
  const context = needsContext
    ? await deliveryContext(deps.db, { userId, shopId: idIn(message.data.shop_id), appointmentId: idIn(message.data.appointment_id) })
    : null;
  const user = context?.user ?? null;
  const locale = messageLocale(message.data.locale ?? user?.locale);
  if (message.channel === 'email') {
    if (user && !user.notify_email) return { skip: 'client_prefers_no_email' };
    return { to: message.to, locale, context };
  }
  if (message.channel !== 'sms') return { to: message.to, locale, context };
  if (user && !account && !user.notify_sms) return { skip: 'client_prefers_no_sms' };
  if (user?.sms_opted_out) return { skip: 'sms_opted_out' };
  if (smsUser) {
    if (!user) return { skip: 'no_such_user' };
    if (!user.phone_enc) return { skip: 'no_phone' };
    const phone = await decryptPhone(user.phone_enc, deps.config.FIELD_ENCRYPTION_KEYS, deps.logger);
    if (!phone) return { skip: 'phone_unreadable' };
    return { to: e164(phone), locale, context };
  }
  if (!literalPhone.test(message.to)) return { fail: 'recipient is not a phone number' };
  return { to: e164(message.to), locale, context };
}

/**
 * Sends one notification at most once per dedupe key: the delivery is claimed first (see
 * claimDelivery), so a redelivered message whose notification is already sent (or settled) is
 * acknowledged, and one another consumer is sending right now is retried later rather than sent
 * twice. The secrets are opened only once the claim is ours, and only in memory.
 */
async function deliver(deps: Deps, body: unknown, attempts: number): Promise<Outcome> {
  const { db, logger, config } = deps;
  const queued = queuedNotificationSchema.parse(body);
  const claim = await claimDelivery(
    db,
    {
      dedupeKey: queued.dedupe_key,
      channel: queued.channel,
      recipient: queued.to,
      template: queued.template,
      payload: queued.data,
      shopId: idIn(queued.data.shop_id),
    },
    attempts,
  );
  if (claim !== 'claimed') return claim;
  const key = queued.dedupe_key;

  let message: OpenedNotification;
  try {
    message = await openNotification(queued, config.FIELD_ENCRYPTION_KEYS);
  } catch (err) {
    if (!(err instanceof UnreadableSecretsError)) throw err;
    // Retrying cannot help (the key is gone, or the seal is not this message's).
    await markFailedForGood(db, key, err.message);
    logger.error('notification secrets unreadable, dropped', { dedupe_key: key, reason: err.reason });
    return 'failed';
  }

  try {
    const holds = await relevance(db, message);
    if (!holds.relevant) {
      await markSkipped(db, key, holds.skip);
      logger.info('notification skipped', { dedupe_key: key, reason: holds.skip });
      return 'skipped';
    }
    if (message.channel === 'log') {
      logger.info('notification delivered', { channel: message.channel, template: message.template, dedupe_key: key });
      await markDelivered(db, key);
      return 'sent';
    }
    const target = await resolve(deps, message);
    if ('skip' in target) {
      await markSkipped(db, key, target.skip);
      logger.info('notification skipped', { dedupe_key: key, reason: target.skip });
      return 'skipped';
    }
    if ('fail' in target) {
      await markFailedForGood(db, key, target.fail);
      return 'failed';
    }
    const links = await linksFor(deps.config, message);
    let rendered;
    try {
      rendered = renderNotification(message.template, message.data, message.secrets, {
        locale: target.locale,
        shopName: target.context?.shop_name ?? null,
        timeZone: target.context?.shop_timezone ?? null,
        // The sequence read with the time the relevance check matched, when it checked one.
        icsSequence: holds.icsSequence ?? target.context?.ics_sequence ?? undefined,
        ...(links ? { links } : {}),
      });
    } catch (err) {
      if (!(err instanceof UnknownTemplateError || err instanceof IncompleteMessageError)) throw err;
      await markFailedForGood(db, key, err.message);
      logger.error('notification cannot be rendered, dropped', { dedupe_key: key, template: message.template, reason: err.message });
      return 'failed';
    }
    const result: SendResult =
      message.channel === 'email'
        ? await deps.providers.email.sendEmail({ dedupeKey: key, to: target.to, ...rendered })
        : await deps.providers.sms.sendSms({ dedupeKey: key, to: target.to, body: rendered.sms });
    if (!result.ok) {
      logger.warn('notification not accepted by the provider', { dedupe_key: key, channel: message.channel, retryable: result.retryable, error: result.error });
      if (result.retryable) {
        await markFailed(db, key, result.error);
        return 'retry';
      }
      await markFailedForGood(db, key, result.error);
      return 'failed';
    }
    // The provider took it: from here the claim is never released (a failed mark would let the
    // next delivery send it again). Try the mark once more; if that fails too, the row stays
    // `sending` under its lease and the message is acknowledged.
    const sender = result.sender ?? null;
    await markDelivered(db, key, result.providerMessageId, sender).catch(async (err: unknown) => {
      logger.warn('marking a sent notification failed; retrying once', { dedupe_key: key, err });
      await markDelivered(db, key, result.providerMessageId, sender).catch((again: unknown) =>
        logger.error('sent notification left marked sending', { dedupe_key: key, err: again }),
      );
    });
  } catch (err) {
    await markFailed(db, key, err instanceof Error ? err.message : String(err));
    throw err;
  }
  logger.info('notification delivered', { channel: message.channel, template: message.template, dedupe_key: key });
  if (config.APP_ENV === 'development') logger.info('notification in the dev outbox', { url: `${config.APP_ORIGIN}/dev/outbox` });
  if (config.APP_ENV === 'test') testMailbox.push(message);
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
      if (parsed.success) await markFailed(db, parsed.data.dedupe_key, DEAD_LETTERED);
      msg.ack();
    }
    return;
  }

  const deps: Deps = { db, logger, config, providers: providersFor(config, db) };
  for (const msg of batch.messages) {
    if ((msg.body as { channel?: unknown } | null)?.channel === 'calendar') {
      // Calendar sync is idempotent by itself (it writes the appointment as it is now); no claim.
      const outcome = await handleCalendarMessage({ db, logger, config, redis: redisClient(config) }, msg.body).catch((err: unknown) => {
        logger.warn('calendar sync failed, will retry', { message_id: msg.id, err });
        return 'retry' as const;
      });
      if (outcome === 'retry') msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts) });
      else msg.ack();
      continue;
    }
    try {
      const outcome = await deliver(deps, msg.body, msg.attempts);
      telemetry(env).count('notifications_total', { channel: (msg.body as { channel?: string } | null)?.channel, outcome });
      if (outcome === 'in_flight') {
        // Another delivery holds it (sending now, or died holding the lease): look again once the lease is over.
        msg.retry({ delaySeconds: inFlightRetryDelaySeconds(msg.attempts) });
        continue;
      }
      if (outcome === 'retry') {
        // The provider may take it later.
        msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts) });
        continue;
      }
      if (outcome === 'already_sent' || outcome === 'settled') logger.info('notification already settled', { message_id: msg.id, outcome });
      msg.ack();
    } catch (err) {
      telemetry(env).count('notifications_total', { channel: (msg.body as { channel?: string } | null)?.channel, outcome: 'error' });
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
