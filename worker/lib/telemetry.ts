/**
 * Metrics behind one interface (ADR 19). Production writes each counted event or timing as one
 * Workers Analytics Engine data point (dataset `bookedbarber_metrics`, queried with SQL); local
 * runs and tests keep an in-process aggregate that `/dev/metrics` renders as Prometheus text.
 *
 * Every metric is declared once in `catalogue` with its help text and label names, so a call site
 * cannot invent a metric or a label, and label values are bounded here rather than trusted:
 * a label with an `allowed` list maps anything else to `other`, a free label is cut to 64
 * characters, and each metric keeps at most MAX_SERIES label combinations (later ones count
 * under `other`). Raw paths, ids, e-mails and tokens never become label values: routes are
 * Hono's templates.
 */
import type { AppConfig } from '../env';

type Kind = 'counter' | 'histogram';

interface LabelSpec {
  /** Values kept as they are; any other value becomes `other`. Without it the value is free (but cut). */
  allowed?: readonly string[];
}

interface MetricSpec {
  kind: Kind;
  help: string;
  labels: Readonly<Record<string, LabelSpec>>;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const CHANNELS = ['email', 'sms', 'log', 'calendar'] as const;

export const catalogue = {
  http_requests_total: {
    kind: 'counter',
    help: 'Requests answered, by method, route template and status.',
    labels: { method: { allowed: METHODS }, route: {}, status: {} },
  },
  http_request_duration_seconds: {
    kind: 'histogram',
    help: 'Time to answer a request, by method and route template.',
    labels: { method: { allowed: METHODS }, route: {} },
  },
  bookings_created_total: {
    kind: 'counter',
    help: 'Appointments written by a barber schedule object, by source and the status they started in.',
    labels: {
      source: { allowed: ['online', 'staff', 'walk_in', 'waitlist'] },
      status: { allowed: ['confirmed', 'held', 'card_on_file', 'pending_payment'] },
    },
  },
  booking_conflicts_total: {
    kind: 'counter',
    help: 'Bookings and moves refused with 409 slot_unavailable, by reason.',
    labels: { reason: { allowed: ['taken', 'outside_hours', 'time_off', 'too_soon', 'too_far', 'not_on_step'] } },
  },
  holds_expired_total: {
    kind: 'counter',
    help: 'Unpaid holds released after they lapsed (alarm or cron sweep).',
    labels: {},
  },
  stripe_webhooks_total: {
    kind: 'counter',
    help: 'Verified Stripe events handled, by event type and outcome.',
    labels: { type: {}, outcome: {} },
  },
  notifications_total: {
    kind: 'counter',
    help: 'Notification deliveries by channel and outcome (sent, failed, retry, skipped, …).',
    labels: {
      channel: { allowed: CHANNELS },
      outcome: { allowed: ['sent', 'failed', 'retry', 'skipped', 'already_sent', 'settled', 'in_flight', 'error'] },
    },
  },
  walk_ins_joined_total: {
    kind: 'counter',
    help: 'Walk-ins placed in the live queue.',
    labels: {},
  },
} as const satisfies Record<string, MetricSpec>;

type Catalogue = typeof catalogue;
export type MetricName = keyof Catalogue;
export type CounterName = { [N in MetricName]: Catalogue[N]['kind'] extends 'counter' ? N : never }[MetricName];
export type HistogramName = { [N in MetricName]: Catalogue[N]['kind'] extends 'histogram' ? N : never }[MetricName];
type LabelValue = string | number | boolean | null | undefined;
export type LabelsOf<N extends MetricName> = { [L in keyof Catalogue[N]['labels']]: LabelValue };

/** What every call site sees. Calls never throw: a metric is not worth failing a booking over. */
export interface Telemetry {
  count<N extends CounterName>(name: N, labels: LabelsOf<N>, value?: number): void;
  observe<N extends HistogramName>(name: N, labels: LabelsOf<N>, seconds: number): void;
}

/** Upper bounds of the duration histogram, seconds (Prometheus' defaults: edge requests fit them). */
export const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;
export const MAX_SERIES = 500;
const MAX_LABEL_LENGTH = 64;
const OTHER = 'other';

function labelNames(name: MetricName): string[] {
  return Object.keys(catalogue[name].labels);
}

/** Label values in catalogue order, each bounded (see the module comment). */
export function labelValues(name: MetricName, labels: Record<string, LabelValue>): string[] {
  const specs = catalogue[name].labels as Readonly<Record<string, LabelSpec>>;
  return Object.entries(specs).map(([label, spec]) => {
    const raw = labels[label];
    const value = raw === undefined || raw === null || raw === '' ? 'none' : String(raw);
    if (spec.allowed) return spec.allowed.includes(value) ? value : OTHER;
    return value.slice(0, MAX_LABEL_LENGTH);
  });
}

// ── in-process aggregate (development, tests) ───────────────────────────────────────────────

interface Series {
  labels: string[];
  value: number;
  /** Histograms: per-bucket counts (not cumulative) and the sum; `value` is the count. */
  buckets?: number[];
  sum?: number;
}

const aggregate = new Map<MetricName, Map<string, Series>>();

function seriesOf(name: MetricName, values: string[]): Series {
  let all = aggregate.get(name);
  if (!all) aggregate.set(name, (all = new Map()));
  let key = values.join('\u0000');
  let series = all.get(key);
  if (!series && all.size >= MAX_SERIES) {
    values = values.map(() => OTHER);
    key = values.join('\u0000');
    series = all.get(key);
  }
  if (!series) {
    series = { labels: values, value: 0 };
    if (catalogue[name].kind === 'histogram') {
      series.buckets = BUCKETS.map(() => 0);
      series.sum = 0;
    }
    all.set(key, series);
  }
  return series;
}

const aggregateSink: Telemetry = {
  count(name, labels, value = 1) {
    seriesOf(name, labelValues(name, labels)).value += value;
  },
  observe(name, labels, seconds) {
    const series = seriesOf(name, labelValues(name, labels));
    series.value += 1;
    series.sum! += seconds;
    const i = BUCKETS.findIndex((le) => seconds <= le);
    if (i >= 0) series.buckets![i]! += 1;
  },
};

/** Forgets every series (tests that want exact figures). */
export function resetAggregate(): void {
  aggregate.clear();
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const formatNumber = (n: number) => (Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(12))));

function labelText(names: string[], values: string[], extra?: [string, string]): string {
  const pairs = names.map((n, i) => `${n}="${escapeLabel(values[i]!)}"`);
  if (extra) pairs.push(`${extra[0]}="${extra[1]}"`);
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

/** The aggregate in the Prometheus text exposition format (version 0.0.4). */
export function renderPrometheus(): string {
  const lines: string[] = [];
  for (const name of Object.keys(catalogue) as MetricName[]) {
    const spec = catalogue[name];
    const names = labelNames(name);
    lines.push(`# HELP ${name} ${spec.help}`, `# TYPE ${name} ${spec.kind}`);
    const all = [...(aggregate.get(name)?.values() ?? [])].sort((a, b) => a.labels.join().localeCompare(b.labels.join()));
    // A counter without labels exists from the start, so a rate over it is defined before the first event.
    if (all.length === 0 && names.length === 0 && spec.kind === 'counter') lines.push(`${name} 0`);
    for (const s of all) {
      if (spec.kind === 'counter') {
        lines.push(`${name}${labelText(names, s.labels)} ${formatNumber(s.value)}`);
        continue;
      }
      let cumulative = 0;
      BUCKETS.forEach((le, i) => {
        cumulative += s.buckets![i]!;
        lines.push(`${name}_bucket${labelText(names, s.labels, ['le', String(le)])} ${cumulative}`);
      });
      lines.push(`${name}_bucket${labelText(names, s.labels, ['le', '+Inf'])} ${s.value}`);
      lines.push(`${name}_sum${labelText(names, s.labels)} ${formatNumber(s.sum!)}`);
      lines.push(`${name}_count${labelText(names, s.labels)} ${s.value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

// ── Workers Analytics Engine (production) ─────────────────────────────────────────────────

/**
 * One data point per event: index = metric name (the sampling key), blobs = [name, …label values
 * in catalogue order], doubles = [value] (1 or the amount for counters, seconds for timings).
 * Queries filter on blob1 and sum `double1 * _sample_interval`.
 */
export function analyticsSink(dataset: AnalyticsEngineDataset): Telemetry {
  const write = (name: MetricName, labels: Record<string, LabelValue>, value: number) =>
    dataset.writeDataPoint({ indexes: [name], blobs: [name, ...labelValues(name, labels)], doubles: [value] });
  return {
    count: (name, labels, value = 1) => write(name, labels, value),
    observe: (name, labels, seconds) => write(name, labels, seconds),
  };
}

function fanOut(sinks: Telemetry[]): Telemetry {
  const each = (fn: (s: Telemetry) => void) => {
    for (const s of sinks) {
      try {
        fn(s);
      } catch {
        // A sink that fails (a dataset over its per-invocation limit) loses the point, nothing else.
      }
    }
  };
  return {
    count: (name, labels, value) => each((s) => s.count(name, labels, value)),
    observe: (name, labels, seconds) => each((s) => s.observe(name, labels, seconds)),
  };
}

// ── choosing the sinks ─────────────────────────────────────────────────────────────────────

type AppEnv = AppConfig['APP_ENV'];

/**
 * Production: Analytics Engine only (an aggregate per isolate would be partial and unread).
 * Elsewhere: the aggregate only. Local runs keep nothing a dataset is sent, and the local
 * dataset is one more moving part under wrangler dev on every request; the data point's shape
 * is tested against a recording dataset instead (telemetry.test.ts).
 */
export function telemetryFor(appEnv: AppEnv, dataset: AnalyticsEngineDataset | undefined): Telemetry {
  if (appEnv === 'production') return dataset ? fanOut([analyticsSink(dataset)]) : fanOut([]);
  return fanOut([aggregateSink]);
}

const bound = new WeakMap<object, Telemetry>();
let current: Telemetry = fanOut([aggregateSink]);

/** APP_ENV as the bindings give it (production when unset, like env.ts) without a full config parse. */
function appEnvOf(env: Env): AppEnv {
  const value = (env as { APP_ENV?: string }).APP_ENV ?? 'production';
  return value === 'development' || value === 'test' ? value : 'production';
}

/**
 * The telemetry of these bindings, and from now on the isolate's default for call sites that have
 * no env at hand (services). Entry points (fetch, queue, cron, the schedule object) pass theirs.
 */
export function telemetry(env?: Env): Telemetry {
  if (!env) return current;
  let t = bound.get(env);
  if (!t) bound.set(env, (t = telemetryFor(appEnvOf(env), env.METRICS)));
  current = t;
  return t;
}
