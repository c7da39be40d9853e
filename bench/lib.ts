/**
 * Shared by the benchmark scripts: timed requests (loopback only) that read the Neon request
 * count from `Server-Timing: db;dur=..;desc="<n>"`, percentiles, and a read-only line to the
 * database the stack uses (the same Neon-HTTP endpoint the Worker talks to).
 */
import { readFileSync } from 'node:fs';
import { neon } from '@neondatabase/serverless';
import { configureNeonDriver } from '../worker/db/endpoint.ts';

/** Every request the benchmark sends gives up after this long (counted as an error). */
export const REQUEST_TIMEOUT_MS = 15_000;

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** The Neon request count a dev/test response reports, or '?' when the header is missing. */
export function neonCount(res: Response): string {
  return /db;dur=[\d.]+;desc="(\d+)"/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? '?';
}

export interface Timed<T = unknown> {
  status: number;
  ms: number;
  neon: string;
  body: T;
  /** Set when the request itself failed (timeout, connection refused). */
  error?: string;
}

/** One request, timed from send to the last byte of the body; never throws. */
export async function timed<T = unknown>(url: string, init: RequestInit = {}): Promise<Timed<T>> {
  const t0 = performance.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await res.text();
    const ms = performance.now() - t0;
    let body: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) {
      try {
        body = JSON.parse(text);
      } catch {
        /* keep the text */
      }
    }
    return { status: res.status, ms, neon: neonCount(res), body: body as T };
  } catch (err) {
    return { status: 0, ms: performance.now() - t0, neon: '?', body: undefined as T, error: err instanceof Error ? err.message : String(err) };
  }
}

export function jsonInit(method: string, body: unknown, token?: string): RequestInit {
  return {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  };
}

export const bearer = (token: string): RequestInit => ({ headers: { authorization: `Bearer ${token}` } });

/** Latencies and Neon counts of one kind of request. */
export class Series {
  readonly ms: number[] = [];
  readonly neon = new Map<string, number>();
  readonly statuses = new Map<number, number>();
  constructor(
    readonly name: string,
    /** The expected Neon requests per request ('' when there is no target). */
    readonly target = '',
  ) {}

  add(t: Pick<Timed, 'ms' | 'neon' | 'status'>): void {
    this.ms.push(t.ms);
    this.neon.set(t.neon, (this.neon.get(t.neon) ?? 0) + 1);
    this.statuses.set(t.status, (this.statuses.get(t.status) ?? 0) + 1);
  }

  get count(): number {
    return this.ms.length;
  }

  stats(): { p50: number; p95: number; p99: number; max: number } {
    const sorted = [...this.ms].sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
  }

  /** "1" when every request made the same number; otherwise "1 (38×), 2 (2×)", most frequent first. */
  neonText(): string {
    const entries = [...this.neon.entries()].sort((a, b) => b[1] - a[1]);
    return entries.map(([n, k]) => (entries.length > 1 ? `${n} (${k}×)` : n)).join(', ') || '–';
  }

  /** True when every request made exactly the target number. */
  meetsTarget(): boolean {
    return this.target !== '' && this.neon.size === 1 && this.neon.has(this.target);
  }

  errors(okStatuses: number[]): number {
    let n = 0;
    for (const [status, k] of this.statuses) if (!okStatuses.includes(status)) n += k;
    return n;
  }
}

export const fmt = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(1) : '–');
export const ratio = (ms: number, base: number) => (Number.isFinite(ms) && base > 0 ? `${(ms / base).toFixed(1)}×` : '–');

/** Reads one variable from the generated .dev.vars (DATABASE_URL for the verification queries). */
export function devVar(name: string, path = '.dev.vars'): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line);
    if (m && m[1] === name) return m[2]!.replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

export type Query = <R = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<R[]>;

/** Queries over the Neon HTTP protocol, as the Worker does (a loopback URL means dev/neon-http.ts). */
export function database(connectionString: string): Query {
  const host = new URL(connectionString).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) {
    throw new Error(`the benchmark only talks to a local database (DATABASE_URL host is ${host})`);
  }
  configureNeonDriver();
  const sql = neon(connectionString);
  return async <R>(text: string, params: unknown[] = []) => (await sql.query(text, params)) as R[];
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A small deterministic PRNG, so every run aims at (and measures) the same things. */
export { mulberry32 } from '../dev/faults.ts';
