import { createMessageBatch, env, getQueueResult, createExecutionContext } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { notifications } from '../db/schema';
import { eventually, testDb } from '../../tests/worker/harness';
import worker from '../index';
import { retryDelaySeconds } from './consumer';
import { testMailbox } from './mailbox';
import { enqueueNotification } from './messages';

const key = (label: string) => `test:${label}:${crypto.randomUUID()}`;

describe('notifications queue', () => {
  it('delivers a message sent through the producer binding to the consumer', async () => {
    const dedupeKey = key('producer');
    await enqueueNotification(env.NOTIFICATIONS, {
      dedupe_key: dedupeKey,
      channel: 'email',
      to: 'client@example.test',
      template: 'booking_confirmed',
      data: { appointment_id: 'a1' },
    });
    const row = await eventually(async () => {
      const [found] = await testDb().select().from(notifications).where(eq(notifications.dedupeKey, dedupeKey));
      return found?.status === 'sent' ? found : undefined;
    });
    expect(row).toMatchObject({ channel: 'email', recipient: 'client@example.test', template: 'booking_confirmed' });
    expect(row.sentAt).not.toBeNull();
  });

  it('sends a redelivered message once (dedupe key)', async () => {
    const dedupeKey = key('dup');
    const body = { dedupe_key: dedupeKey, channel: 'sms', to: '+15555550100', template: 'reminder_2h', data: {} };
    for (const attempt of [1, 2]) {
      const batch = createMessageBatch('notifications', [{ id: `m${attempt}`, timestamp: new Date(), attempts: attempt, body }]);
      const ctx = createExecutionContext();
      await worker.queue(batch, env, ctx);
      const result = await getQueueResult(batch, ctx);
      expect(result.explicitAcks).toEqual([`m${attempt}`]);
    }
    const rows = await testDb().select().from(notifications).where(eq(notifications.dedupeKey, dedupeKey));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.status).toBe('sent');
  });

  it('sends once when the same message is delivered twice at the same time', async () => {
    const dedupeKey = key('concurrent');
    const body = { dedupe_key: dedupeKey, channel: 'email', to: 'twice@example.test', template: 'reminder_24h', data: {} };
    const runs = [1, 2].map(async (n) => {
      const batch = createMessageBatch('notifications', [{ id: `c${n}`, timestamp: new Date(), attempts: 1, body }]);
      const ctx = createExecutionContext();
      await worker.queue(batch, env, ctx);
      return getQueueResult(batch, ctx);
    });
    const results = (await Promise.all(runs)) as unknown as { explicitAcks: string[]; retryMessages: { msgId: string }[] }[];
    expect(testMailbox.filter((m) => m.dedupe_key === dedupeKey)).toHaveLength(1);
    // The loser either saw it sent (ack) or still sending (retry later) — never sent it again.
    const acked = results.flatMap((r) => r.explicitAcks);
    const retried = results.flatMap((r) => r.retryMessages.map((m) => m.msgId));
    expect(acked.length + retried.length).toBe(2);
    const [row] = await testDb().select().from(notifications).where(eq(notifications.dedupeKey, dedupeKey));
    expect(row?.status).toBe('sent');
  });

  it('acknowledges (drops) a malformed message instead of retrying it forever', async () => {
    const batch = createMessageBatch('notifications', [
      { id: 'bad', timestamp: new Date(), attempts: 1, body: { channel: 'pigeon' } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(['bad']);
    expect(result.retryMessages).toEqual([]);
  });

  it('marks dead-lettered messages failed', async () => {
    const dedupeKey = key('dlq');
    await testDb().insert(notifications).values({
      dedupeKey,
      channel: 'email',
      recipient: 'x@example.test',
      template: 't',
      status: 'queued',
    });
    const batch = createMessageBatch('notifications-dlq', [
      {
        id: 'd1',
        timestamp: new Date(),
        attempts: 6,
        body: { dedupe_key: dedupeKey, channel: 'email', to: 'x@example.test', template: 't', data: {} },
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    await getQueueResult(batch, ctx);
    const [row] = await testDb().select().from(notifications).where(eq(notifications.dedupeKey, dedupeKey));
    expect(row?.status).toBe('failed');
  });

  it('backs off exponentially with a cap', () => {
    expect([1, 2, 3, 4].map(retryDelaySeconds)).toEqual([10, 20, 40, 80]);
    expect(retryDelaySeconds(30)).toBe(600);
  });
});
