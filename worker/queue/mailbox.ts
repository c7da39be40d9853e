import type { OpenedNotification } from './messages';

export type DeliveredMessage = OpenedNotification;

/**
 * Messages the consumer delivered while APP_ENV=test, secrets included: what a recipient would
 * read in their inbox. Tests follow links from here; nothing is recorded in other environments.
 */
export const testMailbox: DeliveredMessage[] = [];
