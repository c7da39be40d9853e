/**
 * Fault injection for the local Neon-HTTP endpoint (dev and tests only; production never runs
 * dev/). A request to a faulty listener draws one outcome from a seeded generator, so a run with
 * the same seed and the same request order fails the same requests:
 *
 *  - `error_before`: HTTP 503 and the statement never runs (Neon's proxy refusing);
 *  - `error_after`:  the statement runs and commits, then the answer is replaced by a 503;
 *  - `reset_before`: the connection is dropped and nothing runs;
 *  - `reset_after`:  the statement runs and commits, then the connection is dropped — the answer
 *    lost although the write happened, the case a client can least tell apart;
 *  - `delay`: the statement waits `delayMs` before it runs (past the Worker's deadline, so the
 *    Worker has given up on it by then) and still runs and commits afterwards.
 *
 * Rates are fractions of all requests; they may sum to at most 1. The control API beside the SQL
 * path reads and changes them: GET /__faults (config and counters), POST /__faults
 * `{rates?, seed?, delayMs?, arm?, limit?, match?}` (`limit`: inject that many faults, then none;
 * `match`: a regular expression — only requests whose SQL matches it may fail, so a test can fail
 * exactly one statement), POST /__faults/reset (rates to zero, counters cleared).
 */

export const FAULT_KINDS = ['error_before', 'error_after', 'reset_before', 'reset_after', 'delay'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type FaultRates = Record<FaultKind, number>;
export type Outcome = FaultKind | 'pass';

export interface FaultConfig {
  rates: FaultRates;
  seed: number;
  /** How long a `delay` holds the statement back before running it. */
  delayMs: number;
  /** Faults left before the rates drop to zero by themselves; null = no limit. */
  limit: number | null;
  /** Source of a RegExp the request's SQL must match to be eligible; null = every request. */
  match: string | null;
}

export type FaultCounters = Record<Outcome, number> & { requests: number };

export const NO_FAULTS: FaultRates = { error_before: 0, error_after: 0, reset_before: 0, reset_after: 0, delay: 0 };
export const DEFAULT_DELAY_MS = 10_000;

/**
 * Splits one overall rate over the kinds, weighted towards the case that matters most (a write
 * that committed but whose answer was lost): 20 % each for the 5xx before and the reset before,
 * 15 % for the 5xx after, 25 % for the reset after and 20 % for the delay.
 */
export function spreadRate(rate: number): FaultRates {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`fault rate must be within 0..1, got ${rate}`);
  return { error_before: rate * 0.2, error_after: rate * 0.15, reset_before: rate * 0.2, reset_after: rate * 0.25, delay: rate * 0.2 };
}

/**
 * Reads the BB_NEON_FAULTS knob: `rate` or `rate:seed` (e.g. `0.15:42`). Undefined when unset;
 * the plane then serves no control API and injects nothing.
 */
export function parseFaultKnob(raw: string | undefined): { rates: FaultRates; seed: number } | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const [rateText, seedText] = raw.split(':');
  const rate = Number(rateText);
  const seed = seedText === undefined ? 1 : Number(seedText);
  if (!Number.isFinite(rate) || !Number.isInteger(seed)) throw new Error(`BB_NEON_FAULTS must be "rate" or "rate:seed" (e.g. 0.15:42), got ${raw}`);
  return { rates: spreadRate(rate), seed };
}

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The injector's draws: the seed scrambled first (murmur3's finaliser), so neighbouring seeds do not give related sequences. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  a = Math.imul(a ^ (a >>> 16), 0x85ebca6b) >>> 0;
  a = Math.imul(a ^ (a >>> 13), 0xc2b2ae35) >>> 0;
  return mulberry32((a ^ (a >>> 16)) >>> 0);
}

function zeroCounters(): FaultCounters {
  return { requests: 0, pass: 0, error_before: 0, error_after: 0, reset_before: 0, reset_after: 0, delay: 0 };
}

export function validateRates(partial: Partial<Record<string, unknown>>): FaultRates {
  const rates: FaultRates = { ...NO_FAULTS };
  for (const [key, value] of Object.entries(partial)) {
    if (!(FAULT_KINDS as readonly string[]).includes(key)) throw new RangeError(`unknown fault kind: ${key}`);
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new RangeError(`rate of ${key} must be a number within 0..1`);
    rates[key as FaultKind] = value;
  }
  const sum = FAULT_KINDS.reduce((s, k) => s + rates[k], 0);
  if (sum > 1 + 1e-9) throw new RangeError(`fault rates sum to ${sum}, more than 1`);
  return rates;
}

export class FaultInjector {
  #config: FaultConfig;
  #next: () => number;
  #counters = zeroCounters();
  /** What `arm` applies: the rates the plane was started with (BB_NEON_FAULTS). */
  readonly #armed: FaultRates;

  constructor(opts: { rates?: Partial<FaultRates>; seed?: number; delayMs?: number; armed?: FaultRates } = {}) {
    this.#config = { rates: validateRates(opts.rates ?? {}), seed: opts.seed ?? 1, delayMs: opts.delayMs ?? DEFAULT_DELAY_MS, limit: null, match: null };
    this.#armed = opts.armed ?? this.#config.rates;
    this.#next = generator(this.#config.seed);
  }

  get config(): FaultConfig {
    return { ...this.#config, rates: { ...this.#config.rates } };
  }

  counters(): FaultCounters {
    return { ...this.#counters };
  }

  /** Changes what is given; a new seed restarts the sequence. */
  configure(change: { rates?: Partial<FaultRates>; seed?: number; delayMs?: number; arm?: boolean; limit?: number | null; match?: string | null }): FaultConfig {
    const rates = change.arm ? { ...this.#armed } : change.rates !== undefined ? validateRates(change.rates) : this.#config.rates;
    if (change.delayMs !== undefined && !(Number.isInteger(change.delayMs) && change.delayMs >= 0 && change.delayMs <= 120_000)) {
      throw new RangeError('delayMs must be an integer number of milliseconds within 0..120000');
    }
    if (change.seed !== undefined && !Number.isInteger(change.seed)) throw new RangeError('seed must be an integer');
    if (change.limit != null && !(Number.isInteger(change.limit) && change.limit > 0)) throw new RangeError('limit must be a positive integer');
    // A new set of rates without a limit has none.
    const fresh = change.rates !== undefined || change.arm === true;
    const limit = change.limit !== undefined ? change.limit : fresh ? null : this.#config.limit;
    const match = change.match !== undefined ? change.match : fresh ? null : this.#config.match;
    if (match !== null) new RegExp(match); // a bad pattern is refused here, not on every request
    this.#config = { rates, seed: change.seed ?? this.#config.seed, delayMs: change.delayMs ?? this.#config.delayMs, limit, match };
    if (change.seed !== undefined) this.#next = generator(change.seed);
    return this.config;
  }

  /** Rates back to zero and counters cleared; the seed and delay stay. */
  reset(): void {
    this.#config = { ...this.#config, rates: { ...NO_FAULTS }, limit: null, match: null };
    this.#counters = zeroCounters();
  }

  /** The outcome of one request (its SQL text, for `match`), counted. */
  draw(sqlText = ''): Outcome {
    if (this.#config.match !== null && !new RegExp(this.#config.match).test(sqlText)) {
      this.#counters.requests += 1;
      this.#counters.pass += 1;
      return 'pass';
    }
    const roll = this.#next();
    let edge = 0;
    let outcome: Outcome = 'pass';
    for (const kind of FAULT_KINDS) {
      edge += this.#config.rates[kind];
      if (roll < edge) {
        outcome = kind;
        break;
      }
    }
    this.#counters.requests += 1;
    this.#counters[outcome] += 1;
    if (outcome !== 'pass' && this.#config.limit !== null) {
      const limit = this.#config.limit - 1;
      this.#config = { ...this.#config, limit: limit > 0 ? limit : null, ...(limit > 0 ? {} : { rates: { ...NO_FAULTS } }) };
    }
    return outcome;
  }
}
