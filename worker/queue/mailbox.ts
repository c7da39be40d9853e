import type { z } from 'zod';
import type { notificationMessageSchema } from './messages';

export type DeliveredMessage = z.output<typeof notificationMessageSchema>;

/**
 * Messages the consumer delivered while APP_ENV=test, secrets included: what a recipient would
 * read in their inbox. Tests follow links from here; nothing is recorded in other environments.
 */
export const testMailbox: DeliveredMessage[] = [];
