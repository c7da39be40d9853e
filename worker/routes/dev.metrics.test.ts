import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../index';
import { BUCKETS } from '../lib/telemetry';
import { book, createBookingWorld, localInstant } from '../../tests/worker/booking-world';
import { call, testDb } from '../../tests/worker/harness';

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
