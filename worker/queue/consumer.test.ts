import { createMessageBatch, env, getQueueResult, createExecutionContext } from 'cloudflare:test';
import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { notifications } from '../db/schema';
import { eventually, testDb } from '../../tests/worker/harness';
import worker from '../index';
import { loadConfig } from '../env';
import { encryptField, generateFieldKey } from '../lib/crypto';
import { setLogSink } from '../lib/logger';
import { NEON_DEADLINE_MS } from '../db/client';
import { DEAD_LETTERED, DELIVERY_LEASE_SECONDS, PERMANENT_FAILURE_PREFIX } from '../db/queries/notifications';
import { PROVIDER_TIMEOUT_MS } from '../notifications/providers';
import { inFlightRetryDelaySeconds, retryDelaySeconds } from './consumer';
import { testMailbox } from './mailbox';
import { enqueueNotification, type NotificationMessage } from './messages';

const keys = () => loadConfig(env).FIELD_ENCRYPTION_KEYS;

/** What enqueueNotification hands the queue (the body that sits in the queue and its DLQ). */
async function queuedBody(message: NotificationMessage): Promise<Record<string, unknown>> {
  const sent: unknown[] = [];
  const queue = { send: async (body: unknown) => void sent.push(body) } as unknown as Queue;
  await enqueueNotification(queue, message, keys());
  expect(sent).toHaveLength(1);
  return sent[0] as Record<string, unknown>;
}

async function runBatch(queue: string, messages: { id: string; body: unknown; attempts?: number }[]) {
  const batch = createMessageBatch(
    queue,
    messages.map((m) => ({ id: m.id, timestamp: new Date(), attempts: m.attempts ?? 1, body: m.body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

const key = (label: string) => `test:${label}:${crypto.randomUUID()}`;

/**
 * What appointment-events.ts puts in a booking message (no real appointment behind it: the
 * tests here send `appointment.cancelled`, which is not checked against the appointment's time —
 * confirmations, reschedules and reminders are, see notifications/relevance.ts).
 */
const bookingData = () => ({
  appointment_id: crypto.randomUUID(),
  barber_name: 'Sam',
  service_name: 'Cut',
  client_first_name: 'Clara',
  start_time: '2026-12-07T15:30:00.000Z',
  end_time: '2026-12-07T16:00:00.000Z',
  timezone: 'America/New_York',
});

describe('notifications queue', () => {
  it('delivers a message sent through the producer binding to the consumer', async () => {
    const dedupeKey = key('producer');
    await enqueueNotification(env.NOTIFICATIONS, {
      dedupe_key: dedupeKey,
      channel: 'email',
      to: 'client@example.test',
      template: 'appointment.cancelled',
      data: bookingData(),
    }, keys());
    const row = await eventually(async () => {
      const [found] = await testDb().select().from(notifications).where(eq(notifications.dedupeKey, dedupeKey));
      return found?.status === 'sent' ? found : undefined;
    });
    expect(row).toMatchObject({ channel: 'email', recipient: 'client@example.test', template: 'appointment.cancelled' });
    expect(row.sentAt).not.toBeNull();
  });

  it('sends a redelivered message once (dedupe key)', async () => {
    const dedupeKey = key('dup');
    const body = { dedupe_key: dedupeKey, channel: 'sms', to: '+15555550100', template: 'appointment.cancelled', data: bookingData() };
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
    const body = { dedupe_key: dedupeKey, channel: 'email', to: 'twice@example.test', template: 'appointment.cancelled', data: bookingData() };
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

  it('a row a dead consumer left leased is retried after the lease, then sent — not spent on the lease until the dead-letter queue', async () => {
    const dedupeKey = key('dead-consumer');
    const body = { dedupe_key: dedupeKey, channel: 'email', to: 'lease@example.test', template: 'appointment.cancelled', data: bookingData() };
    // What a consumer that died between its claim and the provider's answer leaves behind.
    await testDb().insert(notifications).values({
      dedupeKey, channel: 'email', recipient: 'lease@example.test', template: 'appointment.cancelled', status: 'sending', attempts: 1, claimedAt: new Date(),
    });
    const batch = createMessageBatch('notifications', [{ id: 'r2', timestamp: new Date(), attempts: 2, body }]);
    const spy = vi.spyOn(batch.messages[0]!, 'retry');
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    await getQueueResult(batch, ctx);
    expect(spy).toHaveBeenCalledTimes(1);
    const delay = spy.mock.calls[0]![0]!.delaySeconds!;
    // The retry lands after the lease, so it is the one that takes the row over.
    expect(delay).toBeGreaterThan(DELIVERY_LEASE_SECONDS);
    await testDb()
      .update(notifications)
      .set({ claimedAt: sql`now() - make_interval(secs => ${delay})` })
      .where(eq(notifications.dedupeKey, dedupeKey));
    const result = await runBatch('notifications', [{ id: 'r3', body, attempts: 3 }]);
    expect(result.explicitAcks).toEqual(['r3']);
    const [row] = await testDb().select().from(notifications).where(eq(notifications.dedupeKey, dedupeKey));
    expect(row).toMatchObject({ status: 'sent', attempts: 3 });
    expect(testMailbox.filter((m) => m.dedupe_key === dedupeKey)).toHaveLength(1);
  });

  it('the lease outlasts one send and is short against the retry budget', () => {
    // Everything after the claim: the provider's timeout and a few database requests under their deadline.
    expect(DELIVERY_LEASE_SECONDS * 1000).toBeGreaterThan(PROVIDER_TIMEOUT_MS + 3 * NEON_DEADLINE_MS);
    // max_retries 5 (wrangler.toml): a leased row must free up within the first two retries.
    for (const attempts of [1, 2, 3, 4, 5]) expect(inFlightRetryDelaySeconds(attempts)).toBeGreaterThan(DELIVERY_LEASE_SECONDS);
    expect(DELIVERY_LEASE_SECONDS).toBeLessThanOrEqual(60);
  });

  it('a dead letter never overwrites a notification that was sent, skipped or failed for good', async () => {
    const settled = [
      { status: 'sent' as const, lastError: null },
      { status: 'skipped' as const, lastError: 'client_prefers_no_email' },
      { status: 'failed' as const, lastError: `${PERMANENT_FAILURE_PREFIX}twilio 400 21211 invalid_number` },
    ];
    const open = [{ status: 'sending' as const }, { status: 'failed' as const, lastError: 'sendgrid 500: boom' }, { status: 'queued' as const }];
    const rows = [...settled, ...open].map((r) => ({ dedupeKey: key(`dlq-${r.status}`), channel: 'email' as const, recipient: 'x@example.test', template: 't', ...r }));
    await testDb().insert(notifications).values(rows);
    await runBatch(
      'notifications-dlq',
      rows.map((r, i) => ({ id: `d${i}`, attempts: 6, body: { dedupe_key: r.dedupeKey, channel: 'email', to: 'x@example.test', template: 't', data: {} } })),
    );
    for (const [i, r] of rows.entries()) {
      const [now] = await testDb().select().from(notifications).where(eq(notifications.dedupeKey, r.dedupeKey));
      if (i < settled.length) expect(now).toMatchObject({ status: r.status, lastError: r.lastError });
      else expect(now).toMatchObject({ status: 'failed', lastError: DEAD_LETTERED });
    }
  });

  it('backs off exponentially with a cap', () => {
    expect([1, 2, 3, 4].map(retryDelaySeconds)).toEqual([10, 20, 40, 80]);
    expect(retryDelaySeconds(30)).toBe(600);
  });
});

describe('secrets in queue messages', () => {
  const token = 'Zm9yZ290LXBhc3N3b3JkLXRva2VuLWZvci10aGUtdGVzdHM';
  const link = `http://127.0.0.1:8787/reset-password?token=${token}`;
  let lines: string[] = [];
  afterEach(() => setLogSink(null));
  const captureLogs = () => {
    lines = [];
    setLogSink((line) => lines.push(line));
  };

  it('are sealed with the field keyring: the queued body holds no link or token, only ciphertext under a key id', async () => {
    const body = await queuedBody({ dedupe_key: key('sealed'), channel: 'email', to: 'r@example.test', template: 'password_reset', secrets: { link } });
    const text = JSON.stringify(body);
    expect(text).not.toContain(token);
    expect(text).not.toContain('reset-password');
    expect(body.secrets).toBeUndefined();
    expect(body.sealed).toMatch(/^v1\.k2\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    // A message without secrets carries nothing sealed.
    const plain = await queuedBody({ dedupe_key: key('plain'), channel: 'sms', to: '+15555550100', template: 'reminder_2h' });
    expect(plain.sealed).toBeUndefined();
  });

  it('are opened by the consumer, which still delivers the link', async () => {
    const dedupeKey = key('open');
    const body = await queuedBody({ dedupe_key: dedupeKey, channel: 'email', to: 'r@example.test', template: 'password_reset', data: { n: 1 }, secrets: { link } });
    const result = await runBatch('notifications', [{ id: 'o1', body }]);
    expect(result.explicitAcks).toEqual(['o1']);
    const delivered = testMailbox.find((m) => m.dedupe_key === dedupeKey);
    expect(delivered?.secrets).toEqual({ link });
    const [row] = await testDb().select().from(notifications).where(eq(notifications.dedupeKey, dedupeKey));
    expect(row?.status).toBe('sent');
    expect(JSON.stringify(row)).not.toContain(token);
  });

  it('cannot be moved to another message (the seal names its dedupe key and recipient)', async () => {
    const original = await queuedBody({ dedupe_key: key('orig'), channel: 'email', to: 'victim@example.test', template: 'password_reset', secrets: { link } });
    const dedupeKey = key('moved');
    const forged = { dedupe_key: dedupeKey, channel: 'email', to: 'mallory@example.test', template: 'password_reset', data: {}, sealed: original.sealed };
    captureLogs();
    const result = await runBatch('notifications', [{ id: 'f1', body: forged }]);
    expect(result.explicitAcks).toEqual(['f1']);
    expect(testMailbox.find((m) => m.dedupe_key === dedupeKey)).toBeUndefined();
    expect(lines.join('\n')).not.toContain(token);
  });

  it('under a key that has left the ring: dropped and marked failed, never retried or logged', async () => {
    const dedupeKey = key('retired');
    const sealed = await encryptField(JSON.stringify({ dedupe_key: dedupeKey, to: 'r@example.test', secrets: { link } }), `gone:${generateFieldKey()}`);
    const body = { dedupe_key: dedupeKey, channel: 'email', to: 'r@example.test', template: 'password_reset', data: {}, sealed };
    captureLogs();
    const result = await runBatch('notifications', [{ id: 'r1', body }]);
    expect(result.explicitAcks).toEqual(['r1']);
    expect(result.retryMessages).toEqual([]);
    const [row] = await testDb().select().from(notifications).where(eq(notifications.dedupeKey, dedupeKey));
    expect(row?.status).toBe('failed');
    expect(lines.some((l) => JSON.parse(l).msg === 'notification secrets unreadable, dropped')).toBe(true);
    expect(lines.join('\n')).not.toContain(sealed);
  });

  it('a message carrying plaintext secrets is refused, not delivered', async () => {
    const dedupeKey = key('plaintext');
    captureLogs();
    const result = await runBatch('notifications', [
      { id: 'p1', body: { dedupe_key: dedupeKey, channel: 'email', to: 'r@example.test', template: 't', data: {}, secrets: { link } } },
    ]);
    expect(result.explicitAcks).toEqual(['p1']);
    expect(testMailbox.find((m) => m.dedupe_key === dedupeKey)).toBeUndefined();
    expect(lines.join('\n')).not.toContain(token);
  });

  it('the dead-letter consumer marks the notification failed without opening or logging the seal', async () => {
    const dedupeKey = key('dlq-sealed');
    await testDb().insert(notifications).values({ dedupeKey, channel: 'email', recipient: 'r@example.test', template: 'password_reset', status: 'queued' });
    const body = await queuedBody({ dedupe_key: dedupeKey, channel: 'email', to: 'r@example.test', template: 'password_reset', secrets: { link } });
    captureLogs();
    await runBatch('notifications-dlq', [{ id: 'd2', body, attempts: 6 }]);
    const [row] = await testDb().select().from(notifications).where(eq(notifications.dedupeKey, dedupeKey));
    expect(row?.status).toBe('failed');
    const logged = lines.join('\n');
    expect(logged).toContain('notification dead-lettered');
    expect(logged).not.toContain(String(body.sealed));
    expect(logged).not.toContain(token);
  });
});
