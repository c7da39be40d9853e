import { createExecutionContext, createMessageBatch, env, getQueueResult, runDurableObjectAlarm } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments } from '../db/schema';
import { loadConfig } from '../env';
import worker from '../index';
import { BUCKETS } from '../lib/telemetry';
import { enqueueNotification } from '../queue/messages';
import { book, createBookingWorld, localInstant } from '../../tests/worker/booking-world';
import { call, postJson, testDb } from '../../tests/worker/harness';
import { deliver, eventAbout, payIntent } from '../../tests/worker/stripe';
import { walkInWorld } from '../../tests/worker/walk-in-world';

const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;

/** Every sample line of the exposition as `series → value`; throws on a line that is not one. */
function parse(text: string): { samples: Map<string, number>; types: Map<string, string> } {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE ([a-z_]+) (counter|histogram)$/.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (/^# HELP [a-z_]+ .+$/.test(line)) continue;
    const sample = /^([a-z_]+)(\{(?:[a-z_]+="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+]+)$/.exec(line);
    if (!sample) throw new Error(`malformed exposition line: ${line}`);
    samples.set(`${sample[1]}${sample[2] ?? ''}`, Number(sample[3]));
  }
  return { samples, types };
}

async function scrape() {
  const res = await call('/dev/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parse(await res.text());
}

const get = (s: Map<string, number>, key: string) => s.get(key) ?? 0;

describe('GET /dev/metrics', () => {
  it('counts a booking, a conflict and the requests that made them', async () => {
    const w = await createBookingWorld(testDb());
    const before = (await scrape()).samples;
    const body = { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: localInstant(w.timezone, 3, '10:00').toISOString() };
    expect((await book(w.client.token, body)).status).toBe(201);
    expect((await book(w.client.token, body)).status).toBe(409);
    const after = (await scrape()).samples;

    const created = 'bookings_created_total{source="online",status="confirmed"}';
    expect(get(after, created) - get(before, created)).toBe(1);
    const taken = 'booking_conflicts_total{reason="taken"}';
    expect(get(after, taken) - get(before, taken)).toBe(1);
    const ok = 'http_requests_total{method="POST",route="/api/v1/appointments",status="201"}';
    const refused = 'http_requests_total{method="POST",route="/api/v1/appointments",status="409"}';
    expect(get(after, ok) - get(before, ok)).toBe(1);
    expect(get(after, refused) - get(before, refused)).toBe(1);
    // The scrape before this one is counted too, under its own template.
    expect(get(after, 'http_requests_total{method="GET",route="/dev/metrics",status="200"}')).toBeGreaterThan(0);
    const count = 'http_request_duration_seconds_count{method="POST",route="/api/v1/appointments"}';
    expect(get(after, count) - get(before, count)).toBe(2);
  });

  it('counts held bookings, a lapsed hold, a Stripe event, a walk-in and a notification sent', async () => {
    const db = testDb();
    const w = await createBookingWorld(db, { policy: { deposit: { kind: 'percent', value: 20 }, hold_minutes: 10 } });
    const before = (await scrape()).samples;
    const hold = async (clock: string) => {
      const res = await book(w.client.token, { barber_id: w.barber.barber.id, service_id: w.short.id, start_time: localInstant(w.timezone, 3, clock).toISOString() });
      expect(res.status).toBe(201);
      return (await res.json()) as { id: string; payment: { payment_intent_id: string } };
    };
    const paid = await hold('10:00');
    const lapsed = await hold('12:00');

    await payIntent(paid.payment.payment_intent_id);
    const webhook = await deliver(await eventAbout('payment_intent.succeeded', paid.payment.payment_intent_id));
    expect(webhook.status).toBe(200);
    const { outcome } = (await webhook.json()) as { outcome: string };

    await db.update(appointments).set({ holdExpiresAt: new Date(Date.now() - 1000) }).where(eq(appointments.id, lapsed.id));
    await runDurableObjectAlarm(env.BARBER_SCHEDULE.get(env.BARBER_SCHEDULE.idFromName(w.barber.barber.id)));

    const walkIn = await walkInWorld();
    const joined = await postJson(`/api/v1/shops/${walkIn.w.shop.id}/walk-ins`, { service_id: walkIn.w.short.id, barber_id: 'any', first_name: 'Dana', phone: '+1 212 555 0178' });
    expect(joined.status).toBe(201);

    const sent: unknown[] = [];
    const queue = { send: async (body: unknown) => void sent.push(body) } as unknown as Queue;
    await enqueueNotification(
      queue,
      {
        dedupe_key: `test:metrics:${crypto.randomUUID()}`,
        channel: 'sms',
        to: '+15555550123',
        template: 'appointment.cancelled',
        data: { appointment_id: crypto.randomUUID(), barber_name: 'Sam', service_name: 'Cut', client_first_name: 'Clara', start_time: '2026-12-07T15:30:00.000Z', end_time: '2026-12-07T16:00:00.000Z', timezone: 'America/New_York' },
      },
      loadConfig(env).FIELD_ENCRYPTION_KEYS,
    );
    const batch = createMessageBatch('notifications', [{ id: 'm1', timestamp: new Date(), attempts: 1, body: sent[0] }]);
    const queueCtx = createExecutionContext();
    await worker.queue(batch, env, queueCtx);
    expect((await getQueueResult(batch, queueCtx)).explicitAcks).toEqual(['m1']);

    const after = (await scrape()).samples;
    const delta = (key: string) => get(after, key) - get(before, key);
    expect(delta('bookings_created_total{source="online",status="held"}')).toBe(2);
    expect(delta(`stripe_webhooks_total{type="payment_intent.succeeded",outcome="${outcome}"}`)).toBe(1);
    expect(delta('holds_expired_total')).toBe(1);
    expect(delta('walk_ins_joined_total')).toBe(1);
    expect(delta('bookings_created_total{source="walk_in",status="confirmed"}')).toBe(1);
    // Other tests' bookings are delivered by the real queue meanwhile: at least ours.
    expect(delta('notifications_total{channel="sms",outcome="sent"}')).toBeGreaterThanOrEqual(1);
  });

  it('renders well-formed histograms: cumulative buckets ending in +Inf = _count, and a _sum', async () => {
    await call('/api/v1/health/live');
    const { samples, types } = await scrape();
    expect(types.get('http_request_duration_seconds')).toBe('histogram');
    expect(types.get('http_requests_total')).toBe('counter');
    for (const name of types.keys()) if (types.get(name) === 'counter') expect(name).toMatch(/_total$/);
    const series = [...samples.keys()]
      .filter((k) => k.startsWith('http_request_duration_seconds_count{'))
      .map((k) => k.slice('http_request_duration_seconds_count'.length));
    expect(series).toContain('{method="GET",route="/api/v1/health/live"}');
    for (const labels of series) {
      const inner = labels.slice(1, -1);
      const buckets = [...BUCKETS.map(String), '+Inf'].map((le) => samples.get(`http_request_duration_seconds_bucket{${inner},le="${le}"}`));
      expect(buckets.every((b) => b !== undefined)).toBe(true);
      for (let i = 1; i < buckets.length; i++) expect(buckets[i]!).toBeGreaterThanOrEqual(buckets[i - 1]!);
      expect(buckets.at(-1)).toBe(samples.get(`http_request_duration_seconds_count${labels}`));
      expect(samples.get(`http_request_duration_seconds_sum${labels}`)).toBeGreaterThanOrEqual(0);
    }
  });

  it('is not there in production: a 404 like any unknown path', async () => {
    const production = { ...env, APP_ENV: 'production' } as Env;
    const fetchProduction = (path: string) =>
      worker.fetch(new Request(`http://bookedbarber.test${path}`) as Parameters<typeof worker.fetch>[0], production, ctx);
    const metrics = await fetchProduction('/dev/metrics');
    const unknown = await fetchProduction('/dev/no-such-page');
    expect(metrics.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(metrics.headers.get('content-type')).toBe(unknown.headers.get('content-type'));
    expect(await metrics.text()).not.toContain('# TYPE');
  });
});
