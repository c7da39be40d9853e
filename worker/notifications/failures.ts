/**
 * The owner's view of what did not reach the shop's clients: failed deliveries (still being
 * retried, refused for good, or dead-lettered after the queue's last retry), newest first, with
 * recipients masked — an owner sees that Clara's text failed, not her whole number or address.
 */
import { encodeCursor } from '../db/queries/cursor';
import { DEAD_LETTERED, listShopFailures, PERMANENT_FAILURE_PREFIX, type FailedNotificationRow } from '../db/queries/notifications';
import type { NotificationChannel } from '../db/schema';
import type { Services } from '../services/container';
import { authorizeShopRoles } from '../services/management/access';
import { readCursor } from '../services/pagination';

export interface FailedNotification {
  id: string;
  template: string;
  channel: NotificationChannel;
  recipient: string;
  /** retrying: the queue tries again; failed: refused for good; dead_lettered: out of retries. */
  state: 'retrying' | 'failed' | 'dead_lettered';
  last_error: string | null;
  attempts: number;
  created_at: string;
}

/** "c***@example.test"; "***0100" for a phone (or a user named by an SMS, from their last four). */
export function maskRecipient(channel: string, recipient: string, phoneLast4: string | null): string {
  if (recipient.startsWith('user:')) return phoneLast4 ? `***${phoneLast4}` : '***';
  if (channel === 'email' || recipient.includes('@')) {
    const at = recipient.lastIndexOf('@');
    return at > 0 ? `${recipient[0]}***${recipient.slice(at)}` : '***';
  }
  const digits = recipient.replace(/\D+/g, '');
  return digits.length >= 4 ? `***${digits.slice(-4)}` : '***';
}

function view(row: FailedNotificationRow): FailedNotification {
  const error = row.last_error;
  const permanent = error?.startsWith(PERMANENT_FAILURE_PREFIX) ?? false;
  return {
    id: row.id,
    template: row.template,
    channel: row.channel,
    recipient: maskRecipient(row.channel, row.recipient, row.phone_last4),
    state: error === DEAD_LETTERED ? 'dead_lettered' : permanent ? 'failed' : 'retrying',
    last_error: permanent ? error!.slice(PERMANENT_FAILURE_PREFIX.length) : error,
    attempts: row.attempts,
    created_at: row.created_at,
  };
}

const ISO_US = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function shopFailedNotifications(
  services: Services,
  actorId: string,
  shopId: string,
  q: { limit: number; cursor?: string | undefined },
): Promise<{ data: FailedNotification[]; next_cursor: string | null }> {
  await authorizeShopRoles(services.db, actorId, shopId, 'owner');
  const key = readCursor(q.cursor, 2, ([t, id]) => typeof t === 'string' && ISO_US.test(t) && typeof id === 'string' && UUID.test(id));
  const rows = await listShopFailures(services.db, shopId, {
    limit: q.limit + 1,
    ...(key ? { after: { createdAt: key[0] as string, id: key[1] as string } } : {}),
  });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    data: page.map(view),
    next_cursor: rows.length > q.limit && last ? encodeCursor([last.created_at, last.id]) : null,
  };
}
