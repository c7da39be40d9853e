import { z } from 'zod';
import { decryptField, encryptField, type KeyringInput } from '../lib/crypto';
import { parseJson } from '../lib/json';

/**
 * What travels on the `notifications` queue. `dedupe_key` makes delivery idempotent: the consumer
 * records each key once, so a retried batch or a twice-enqueued reminder sends one message.
 */
const envelope = {
  dedupe_key: z.string().min(1).max(200),
  /** `calendar`: a sync job for the barber's connected calendar (services/calendar-sync.ts), not a message to a person. */
  channel: z.enum(['email', 'sms', 'log', 'calendar']),
  to: z.string().min(1).max(320),
  template: z.string().min(1).max(100),
  /** Stored in the notification log. */
  data: z.record(z.string(), z.unknown()).default({}),
};

/** What producers hand to `notify`: `secrets` in the clear, sealed before it reaches the queue. */
export const notificationMessageSchema = z.object({
  ...envelope,
  /**
   * Links with single-use tokens (reset, verification, invitation). Needed to render the message,
   * never stored in the notification log, and never on the queue in the clear: a queue (and its
   * dead-letter queue) keeps messages for days, so they travel sealed (see `sealed`).
   */
  secrets: z.record(z.string(), z.string()).default({}),
});

/**
 * The body on the queue. `sealed` is the secrets, AES-256-GCM encrypted with the field keyring
 * (FIELD_ENCRYPTION_KEYS, `v1.<kid>.<iv>.<ciphertext>`) together with the message's dedupe key and
 * recipient, so a sealed blob opens only for the message it was made for. Strict: a body with
 * plaintext `secrets` is refused.
 */
export const queuedNotificationSchema = z
  .object({ ...envelope, sealed: z.string().min(1).max(16_384).optional() })
  .strict();

/**
 * SMS recipients are named by user, never by number: producers do not hold phone numbers (they are
 * encrypted at rest), and a number must not sit in a queue for days. The consumer decrypts the
 * user's phone at send time, which also honours a number changed since the message was made.
 */
export const smsRecipient = (userId: string) => `user:${userId}`;

const USER_RECIPIENT = /^user:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** The user an SMS recipient names (`user:<uuid>`), or null for anything else. */
export function smsRecipientUser(to: string): string | null {
  return USER_RECIPIENT.exec(to)?.[1] ?? null;
}

export type NotificationMessage = z.input<typeof notificationMessageSchema>;
export type QueuedNotification = z.output<typeof queuedNotificationSchema>;
/** A message as the consumer delivers it, secrets opened. */
export type OpenedNotification = z.output<typeof notificationMessageSchema>;

const sealedContent = z.object({ dedupe_key: z.string(), to: z.string(), secrets: z.record(z.string(), z.string()) });

export class UnreadableSecretsError extends Error {
  override readonly name = 'UnreadableSecretsError';
  constructor(readonly reason: string) {
    super(`notification secrets cannot be opened: ${reason}`);
  }
}

/** Seals the secrets (if any) and sends the message. */
export async function enqueueNotification(queue: Queue, message: NotificationMessage, keyring: KeyringInput): Promise<void> {
  const { secrets, ...rest } = notificationMessageSchema.parse(message);
  const body: QueuedNotification = { ...rest };
  if (Object.keys(secrets).length > 0) {
    body.sealed = await encryptField(JSON.stringify({ dedupe_key: rest.dedupe_key, to: rest.to, secrets }), keyring);
  }
  await queue.send(queuedNotificationSchema.parse(body), { contentType: 'json' });
}

/** Opens a queued message's secrets. Throws UnreadableSecretsError (naming no secret) if it cannot. */
export async function openNotification(message: QueuedNotification, keyring: KeyringInput): Promise<OpenedNotification> {
  const { sealed, ...rest } = message;
  if (!sealed) return { ...rest, secrets: {} };
  let content: z.infer<typeof sealedContent>;
  try {
    content = sealedContent.parse(parseJson(await decryptField(sealed, keyring)));
  } catch (err) {
    throw new UnreadableSecretsError((err as { code?: string }).code ?? 'malformed');
  }
  if (content.dedupe_key !== rest.dedupe_key || content.to !== rest.to) throw new UnreadableSecretsError('sealed for another message');
  return { ...rest, secrets: content.secrets };
}
