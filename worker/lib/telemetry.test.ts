import { afterEach, describe, expect, it } from 'vitest';
import { analyticsSink, BUCKETS, MAX_SERIES, renderPrometheus, resetAggregate, telemetryFor } from './telemetry';

/** A dataset that remembers what it was given, as Analytics Engine would store it. */
function fakeDataset() {
  const points: AnalyticsEngineDataPoint[] = [];
  return { points, dataset: { writeDataPoint: (p?: AnalyticsEngineDataPoint) => void points.push(p ?? {}) } as AnalyticsEngineDataset };
}

/** `name{labels} value` lines of the exposition, keyed by everything before the value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    out.set(match[1]!, Number(match[2]));
  }
  return out;
}

describe('in-process aggregate', () => {
  afterEach(() => resetAggregate());
  const dev = telemetryFor('development', undefined);

  it('renders counters with HELP, TYPE and their labels in catalogue order', () => {
    dev.count('http_requests_total', { status: 201, route: '/api/v1/appointments', method: 'POST' });
    dev.count('http_requests_total', { method: 'POST', route: '/api/v1/appointments', status: 201 });
    dev.count('holds_expired_total', {}, 3);
    const text = renderPrometheus();
    expect(text).toContain('# HELP http_requests_total Requests answered, by method, route template and status.\n# TYPE http_requests_total counter\n');
    const s = samples(text);
    expect(s.get('http_requests_total{method="POST",route="/api/v1/appointments",status="201"}')).toBe(2);
    expect(s.get('holds_expired_total')).toBe(3);
    // Label-less counters exist before their first event.
    expect(s.get('walk_ins_joined_total')).toBe(0);
  });

  it('renders a histogram as cumulative buckets, +Inf, _sum and _count', () => {
    const labels = { method: 'GET', route: '/api/v1/shops/:slug' };
    for (const seconds of [0.003, 0.02, 0.02, 0.7, 30]) dev.observe('http_request_duration_seconds', labels, seconds);
    const text = renderPrometheus();
    expect(text).toContain('# TYPE http_request_duration_seconds histogram\n');
    const s = samples(text);
    const at = (le: string) => s.get(`http_request_duration_seconds_bucket{method="GET",route="/api/v1/shops/:slug",le="${le}"}`);
    expect(at('0.005')).toBe(1);
    expect(at('0.01')).toBe(1);
    expect(at('0.025')).toBe(3);
    expect(at('0.5')).toBe(3);
    expect(at('1')).toBe(4);
    expect(at('10')).toBe(4);
    expect(at('+Inf')).toBe(5);
    expect(s.get('http_request_duration_seconds_count{method="GET",route="/api/v1/shops/:slug"}')).toBe(5);
    expect(s.get('http_request_duration_seconds_sum{method="GET",route="/api/v1/shops/:slug"}')).toBeCloseTo(30.743, 9);
    const bucketLines = text.split('\n').filter((l) => l.startsWith('http_request_duration_seconds_bucket'));
    expect(bucketLines).toHaveLength(BUCKETS.length + 1);
  });

  it('bounds label values: unknown enum values become other, free values are cut and escaped', () => {
    dev.count('notifications_total', { channel: 'pigeon', outcome: 'sent' });
    dev.count('notifications_total', { channel: undefined, outcome: 'sent' });
    dev.count('stripe_webhooks_total', { type: `x"y\\z\n${'a'.repeat(100)}`, outcome: 'ok' });
    const text = renderPrometheus();
    const s = samples(text);
    expect(s.get('notifications_total{channel="other",outcome="sent"}')).toBe(2);
    const line = text.split('\n').find((l) => l.startsWith('stripe_webhooks_total{'))!;
    expect(line).toContain('type="x\\"y\\\\z\\n');
    expect(line.match(/type="([^]*)",outcome/)![1]!.replace(/\\(.)/g, '$1').length).toBe(64);
  });

  it('keeps at most MAX_SERIES series per metric; later combinations count under other', () => {
    for (let i = 0; i < MAX_SERIES + 20; i++) dev.count('stripe_webhooks_total', { type: `t${i}`, outcome: 'ok' });
    const lines = renderPrometheus().split('\n').filter((l) => l.startsWith('stripe_webhooks_total{'));
    expect(lines).toHaveLength(MAX_SERIES + 1);
    expect(samples(lines.join('\n')).get('stripe_webhooks_total{type="other",outcome="other"}')).toBe(20);
  });
});

describe('sinks by APP_ENV', () => {
  afterEach(() => resetAggregate());

  it('writes Analytics Engine points: index = name, blobs = name + labels, doubles = value', () => {
    const { points, dataset } = fakeDataset();
    const sink = analyticsSink(dataset);
    sink.count('bookings_created_total', { source: 'online', status: 'confirmed' });
    sink.observe('http_request_duration_seconds', { method: 'GET', route: '/api/v1/health' }, 0.012);
    expect(points).toEqual([
      { indexes: ['bookings_created_total'], blobs: ['bookings_created_total', 'online', 'confirmed'], doubles: [1] },
      { indexes: ['http_request_duration_seconds'], blobs: ['http_request_duration_seconds', 'GET', '/api/v1/health'], doubles: [0.012] },
    ]);
  });

  it('production writes to the dataset only; elsewhere only the aggregate counts', () => {
    const prod = fakeDataset();
    telemetryFor('production', prod.dataset).count('walk_ins_joined_total', {});
    expect(prod.points).toHaveLength(1);
    expect(samples(renderPrometheus()).get('walk_ins_joined_total')).toBe(0);

    const test = fakeDataset();
    telemetryFor('test', test.dataset).count('walk_ins_joined_total', {});
    expect(test.points).toHaveLength(0);
    expect(samples(renderPrometheus()).get('walk_ins_joined_total')).toBe(1);
  });

  it('a failing dataset never fails the caller, and the aggregate still counts', () => {
    const broken = { writeDataPoint: () => { throw new Error('too many data points'); } } as AnalyticsEngineDataset;
    expect(() => telemetryFor('development', broken).count('walk_ins_joined_total', {})).not.toThrow();
    expect(() => telemetryFor('production', broken).count('walk_ins_joined_total', {})).not.toThrow();
    expect(samples(renderPrometheus()).get('walk_ins_joined_total')).toBe(1);
  });
});
