import { z } from 'zod';

/**
 * What travels on the `notifications` queue. `dedupe_key` makes delivery idempotent: the consumer
 * records each key once, so a retried batch or a twice-enqueued reminder sends one message.
 */
export const notificationMessageSchema = z.object({
  dedupe_key: z.string().min(1).max(200),
  channel: z.enum(['email', 'sms', 'log']),
  to: z.string().min(1).max(320),
  template: z.string().min(1).max(100),
  /** Stored in the notification log. */
  data: z.record(z.string(), z.unknown()).default({}),
  /** Used to render the message (links with single-use tokens) but never written anywhere. */
  secrets: z.record(z.string(), z.string()).default({}),
});

export type NotificationMessage = z.input<typeof notificationMessageSchema>;

export async function enqueueNotification(queue: Queue, message: NotificationMessage): Promise<void> {
  await queue.send(notificationMessageSchema.parse(message), { contentType: 'json' });
}
