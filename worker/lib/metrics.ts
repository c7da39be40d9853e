import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Per-request counters for outbound work. Neon round trips are what edge latency is made of, so
 * every request counts them and dev/test responses report them in `Server-Timing`.
 */
export interface RequestMetrics {
  neonRequests: number;
  neonMs: number;
}

const storage = new AsyncLocalStorage<RequestMetrics>();

export function newMetrics(): RequestMetrics {
  return { neonRequests: 0, neonMs: 0 };
}

export function runWithMetrics<T>(metrics: RequestMetrics, fn: () => T): T {
  return storage.run(metrics, fn);
}

export function currentMetrics(): RequestMetrics | undefined {
  return storage.getStore();
}

/** `db;dur=12.3;desc="2"`: duration spent in Neon and the number of Neon HTTP requests. */
export function serverTiming(m: RequestMetrics): string {
  return `db;dur=${m.neonMs.toFixed(1)};desc="${m.neonRequests}"`;
}
