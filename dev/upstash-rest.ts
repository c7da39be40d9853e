/**
 * Local stand-in for Upstash's Redis REST API.
 *
 * Speaks what `@upstash/redis` 1.x sends (DESIGN.md §6): POST `/` with one
 * command as a JSON array, POST `/pipeline` and `/multi-exec` with an array of
 * commands, `Authorization: Bearer <token>`, and `Upstash-Encoding: base64`
 * (every string of the reply base64-encoded, except the status `OK`, which the
 * client passes through untouched). Replies are `{result}` / `{error}`.
 *
 * Two backends:
 *  - memory: a faithful subset of Redis with TTLs, and EVAL/EVALSHA executed by
 *    a real Lua VM (fengari, Lua 5.3 in JS) wired into the store, so the
 *    `@upstash/ratelimit` scripts truly run;
 *  - redis: commands forwarded over ioredis. Upstash's ratelimit scripts start
 *    with `#!lua flags=allow-key-locking`, which Redis 7.0 rejects, so the
 *    shebang is stripped and the client's SHA (of the text it sent) is mapped
 *    to the server's SHA (of the stripped text).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Redis, Command } from 'ioredis';
import { closeServer, debugFor, listen, PayloadTooLarge, readBody, sendJson } from './http.ts';

export interface UpstashRestOptions {
  port?: number;
  host?: string;
  /** Bearer token every request must carry. */
  token: string;
  /** Real Redis (redis://...) to forward to; absent = in-memory store. */
  redisUrl?: string;
}

export interface UpstashRestServer {
  /** Base URL for `new Redis({ url, token })`. */
  url: string;
  backend: 'memory' | 'redis';
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** A script running longer than this is aborted, so a bad loop cannot wedge the plane. */
const SCRIPT_TIME_LIMIT_MS = 5_000;

// ---------------------------------------------------------------------------
// Reply model

/** A RESP simple-string reply (`+OK`), distinct from a bulk string. */
class Status {
  constructor(readonly value: string) {}
}

/** A RESP error reply; thrown by commands, or nested inside script replies. */
class RedisError extends Error {}

type Reply = string | number | null | Status | RedisError | Reply[];

const OK = new Status('OK');

const err = {
  wrongType: () => new RedisError('WRONGTYPE Operation against a key holding the wrong kind of value'),
  arity: (name: string) => new RedisError(`ERR wrong number of arguments for '${name.toLowerCase()}' command`),
  notInteger: () => new RedisError('ERR value is not an integer or out of range'),
  notFloat: () => new RedisError('ERR value is not a valid float'),
  syntax: () => new RedisError('ERR syntax error'),
  noScript: () => new RedisError('NOSCRIPT No matching script. Please use EVAL.'),
  unknown: (name: string, args: string[]) =>
    new RedisError(
      `ERR unknown command '${name}', with args beginning with: ${args
        .slice(0, 16)
        .map((a) => `'${a.slice(0, 128)}' `)
        .join('')}`,
    ),
};

/** What one command produced, as the REST API reports it. */
type Outcome = { result: Reply } | { error: string };

// ---------------------------------------------------------------------------
// Argument helpers

const INT_RE = /^-?(0|[1-9][0-9]*)$/;

function parseInteger(s: string): number {
  if (!INT_RE.test(s)) throw err.notInteger();
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw err.notInteger();
  return n;
}

function parseFloatArg(s: string, error = err.notFloat): number {
  const lower = s.toLowerCase();
  if (lower === 'inf' || lower === '+inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (s.trim() === '' || s !== s.trim()) throw error();
  const n = Number(s);
  if (Number.isNaN(n)) throw error();
  return n;
}

/** Redis prints doubles in their shortest round-trip form, infinities as inf. */
function formatDouble(n: number): string {
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return String(n);
}

/** Compiles a Redis glob (`*`, `?`, `[a-z]`, `[^x]`, `\x`) to an anchored RegExp. */
function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i] as string);
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) {
        re += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\]\\]/g, '\\$&')}]`;
      i = end;
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

// ---------------------------------------------------------------------------
// In-memory store

type Value =
  | { kind: 'string'; v: string }
  | { kind: 'hash'; v: Map<string, string> }
  | { kind: 'list'; v: string[] }
  | { kind: 'set'; v: Set<string> }
  | { kind: 'zset'; v: Map<string, number> };

type Kind = Value['kind'];
interface KindMap {
  string: string;
  hash: Map<string, string>;
  list: string[];
  set: Set<string>;
  zset: Map<string, number>;
}
type ValueOf<K extends Kind> = KindMap[K];

interface Entry {
  value: Value;
  /** Absolute expiry in epoch milliseconds. */
  expiresAt?: number;
}

class MemoryStore {
  private readonly data = new Map<string, Entry>();

  /** Returns the live entry, lazily evicting it once its TTL has passed. */
  entry(key: string): Entry | undefined {
    const e = this.data.get(key);
    if (e && e.expiresAt !== undefined && e.expiresAt <= Date.now()) {
      this.data.delete(key);
      return undefined;
    }
    return e;
  }

  get<K extends Kind>(key: string, kind: K): ValueOf<K> | undefined {
    const e = this.entry(key);
    if (!e) return undefined;
    if (e.value.kind !== kind) throw err.wrongType();
    // The kind check above is what makes this narrowing sound.
    return e.value.v as unknown as ValueOf<K>;
  }

  /** Gets or creates a container, keeping any TTL the key already has. */
  getOrCreate<K extends Kind>(key: string, kind: K, create: () => ValueOf<K>): ValueOf<K> {
    const found = this.get(key, kind);
    if (found !== undefined) return found;
    const v = create();
    this.data.set(key, { value: { kind, v } as Value });
    return v;
  }

  setString(key: string, v: string, expiresAt?: number): void {
    this.data.set(key, { value: { kind: 'string', v }, expiresAt });
  }

  delete(key: string): boolean {
    const existed = this.entry(key) !== undefined;
    this.data.delete(key);
    return existed;
  }

  /** Redis removes a key as soon as its container becomes empty. */
  dropIfEmpty(key: string): void {
    const e = this.data.get(key);
    if (!e || e.value.kind === 'string') return;
    const size = e.value.v instanceof Map || e.value.v instanceof Set ? e.value.v.size : e.value.v.length;
    if (size === 0) this.data.delete(key);
  }

  liveKeys(): string[] {
    const now = Date.now();
    const keys: string[] = [];
    for (const [k, e] of this.data) {
      if (e.expiresAt !== undefined && e.expiresAt <= now) this.data.delete(k);
      else keys.push(k);
    }
    return keys;
  }

  flush(): void {
    this.data.clear();
  }
}

// ---------------------------------------------------------------------------
// In-memory commands

interface CommandSpec {
  /** Redis arity: exact count including the name when positive, minimum when negative. */
  arity: number;
  run(db: MemoryStore, args: string[], ctx: ExecContext): Reply;
}

interface ExecContext {
  scripts: LuaScripts;
  /** Runs a nested command (used by redis.call inside scripts). */
  call(argv: string[]): Reply;
}

function checkArity(name: string, spec: CommandSpec, argc: number): void {
  const total = argc + 1;
  if (spec.arity >= 0 ? total !== spec.arity : total < -spec.arity) throw err.arity(name);
}

interface SetOptions {
  nx: boolean;
  xx: boolean;
  get: boolean;
  keepTtl: boolean;
  expiresAt?: number;
}

function parseSetOptions(opts: string[]): SetOptions {
  const out: SetOptions = { nx: false, xx: false, get: false, keepTtl: false };
  let expiryGiven = false;
  for (let i = 0; i < opts.length; i++) {
    const o = (opts[i] as string).toUpperCase();
    if (o === 'NX') out.nx = true;
    else if (o === 'XX') out.xx = true;
    else if (o === 'GET') out.get = true;
    else if (o === 'KEEPTTL') out.keepTtl = true;
    else if (o === 'EX' || o === 'PX' || o === 'EXAT' || o === 'PXAT') {
      const raw = opts[++i];
      if (raw === undefined || expiryGiven) throw err.syntax();
      expiryGiven = true;
      const n = parseInteger(raw);
      if (n <= 0) throw new RedisError("ERR invalid expire time in 'set' command");
      const now = Date.now();
      out.expiresAt = o === 'EX' ? now + n * 1000 : o === 'PX' ? now + n : o === 'EXAT' ? n * 1000 : n;
    } else throw err.syntax();
  }
  if ((out.nx && out.xx) || (out.keepTtl && expiryGiven)) throw err.syntax();
  return out;
}

function cmdSet(db: MemoryStore, [key, value, ...opts]: string[]): Reply {
  const o = parseSetOptions(opts);
  const k = key as string;
  const current = db.entry(k);
  let old: string | null = null;
  if (o.get && current) {
    if (current.value.kind !== 'string') throw err.wrongType();
    old = current.value.v;
  }
  if ((o.nx && current) || (o.xx && !current)) return o.get ? old : null;
  const expiresAt = o.keepTtl ? current?.expiresAt : o.expiresAt;
  db.setString(k, value as string, expiresAt);
  return o.get ? old : OK;
}

function incrBy(db: MemoryStore, key: string, by: number): number {
  const e = db.entry(key);
  let cur = 0;
  if (e) {
    if (e.value.kind !== 'string') throw err.wrongType();
    cur = parseInteger(e.value.v);
  }
  const next = cur + by;
  if (!Number.isSafeInteger(next)) throw new RedisError('ERR increment or decrement would overflow');
  db.setString(key, String(next), e?.expiresAt);
  return next;
}

/** EXPIRE family; `at` is the absolute ms deadline; honours NX/XX/GT/LT (Redis 7). */
function setExpiry(db: MemoryStore, key: string, at: number, flags: string[]): number {
  const e = db.entry(key);
  if (!e) return 0;
  const f = new Set(flags.map((x) => x.toUpperCase()));
  for (const x of f) if (!['NX', 'XX', 'GT', 'LT'].includes(x)) throw new RedisError(`ERR Unsupported option ${x}`);
  const cur = e.expiresAt;
  if (f.has('NX') && cur !== undefined) return 0;
  if (f.has('XX') && cur === undefined) return 0;
  // A key without TTL counts as an infinite TTL for GT/LT.
  if (f.has('GT') && (cur === undefined || at <= cur)) return 0;
  if (f.has('LT') && cur !== undefined && at >= cur) return 0;
  if (at <= Date.now()) db.delete(key);
  else e.expiresAt = at;
  return 1;
}

function ttlMs(db: MemoryStore, key: string): number {
  const e = db.entry(key);
  if (!e) return -2;
  if (e.expiresAt === undefined) return -1;
  return Math.max(0, e.expiresAt - Date.now());
}

// --- sorted sets -----------------------------------------------------------

function sortedMembers(z: Map<string, number>): [string, number][] {
  return [...z].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

interface ScoreBound {
  value: number;
  exclusive: boolean;
}

function parseScoreBound(s: string): ScoreBound {
  const exclusive = s.startsWith('(');
  const value = parseFloatArg(exclusive ? s.slice(1) : s, () => new RedisError('ERR min or max is not a float'));
  return { value, exclusive };
}

function inRange(score: number, min: ScoreBound, max: ScoreBound): boolean {
  const aboveMin = min.exclusive ? score > min.value : score >= min.value;
  const belowMax = max.exclusive ? score < max.value : score <= max.value;
  return aboveMin && belowMax;
}

function withScores(items: [string, number][], scores: boolean): Reply[] {
  return scores ? items.flatMap(([m, s]) => [m, formatDouble(s)]) : items.map(([m]) => m);
}

/** ZRANGE key start stop [BYSCORE] [REV] [LIMIT offset count] [WITHSCORES] */
function cmdZrange(db: MemoryStore, [key, start, stop, ...opts]: string[]): Reply {
  let byScore = false;
  let rev = false;
  let scores = false;
  let limit: [number, number] | undefined;
  for (let i = 0; i < opts.length; i++) {
    const o = (opts[i] as string).toUpperCase();
    if (o === 'BYSCORE') byScore = true;
    else if (o === 'REV') rev = true;
    else if (o === 'WITHSCORES') scores = true;
    else if (o === 'LIMIT' && i + 2 < opts.length) {
      limit = [parseInteger(opts[++i] as string), parseInteger(opts[++i] as string)];
    } else throw err.syntax();
  }
  if (limit && !byScore) {
    throw new RedisError('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  }
  // Arguments are validated before the key is looked at, as Redis does.
  if (byScore) {
    // With REV the first bound is the maximum, as in Redis.
    const [lo, hi] = rev ? [stop as string, start as string] : [start as string, stop as string];
    const min = parseScoreBound(lo);
    const max = parseScoreBound(hi);
    let items = sortedMembers(db.get(key as string, 'zset') ?? new Map());
    if (rev) items.reverse();
    items = items.filter(([, sc]) => inRange(sc, min, max));
    if (limit) {
      const [offset, count] = limit;
      if (offset < 0) return [];
      items = items.slice(offset, count < 0 ? undefined : offset + count);
    }
    return withScores(items, scores);
  }
  let s = parseInteger(start as string);
  let e = parseInteger(stop as string);
  const items = sortedMembers(db.get(key as string, 'zset') ?? new Map());
  if (rev) items.reverse();
  const len = items.length;
  if (s < 0) s = Math.max(0, len + s);
  if (e < 0) e = len + e;
  if (s > e || s >= len) return [];
  return withScores(items.slice(s, Math.min(e, len - 1) + 1), scores);
}

function cmdZadd(db: MemoryStore, [key, ...rest]: string[]): Reply {
  const flags = new Set<string>();
  let i = 0;
  while (i < rest.length && ['NX', 'XX', 'GT', 'LT', 'CH', 'INCR'].includes((rest[i] as string).toUpperCase())) {
    flags.add((rest[i++] as string).toUpperCase());
  }
  const pairs = rest.slice(i);
  if (pairs.length === 0 || pairs.length % 2 !== 0) throw err.syntax();
  if (flags.has('NX') && flags.has('XX')) {
    throw new RedisError('ERR XX and NX options at the same time are not compatible');
  }
  if ((flags.has('GT') && flags.has('LT')) || (flags.has('NX') && (flags.has('GT') || flags.has('LT')))) {
    throw new RedisError('ERR GT, LT, and/or NX options at the same time are not compatible');
  }
  if (flags.has('INCR') && pairs.length !== 2) {
    throw new RedisError('ERR INCR option supports a single increment-element pair');
  }
  const parsed: [number, string][] = [];
  for (let j = 0; j < pairs.length; j += 2) parsed.push([parseFloatArg(pairs[j] as string), pairs[j + 1] as string]);
  const z = db.getOrCreate(key as string, 'zset', () => new Map());
  let added = 0;
  let changed = 0;
  let incrResult: number | null = null;
  for (const [score, member] of parsed) {
    const cur = z.get(member);
    if ((flags.has('NX') && cur !== undefined) || (flags.has('XX') && cur === undefined)) continue;
    const next = flags.has('INCR') ? (cur ?? 0) + score : score;
    if (cur !== undefined && ((flags.has('GT') && next <= cur) || (flags.has('LT') && next >= cur))) continue;
    if (Number.isNaN(next)) throw new RedisError('ERR resulting score is not a number (NaN)');
    if (cur === undefined) added++;
    else if (cur !== next) changed++;
    z.set(member, next);
    incrResult = next;
  }
  db.dropIfEmpty(key as string);
  if (flags.has('INCR')) return incrResult === null ? null : formatDouble(incrResult);
  return flags.has('CH') ? added + changed : added;
}

// --- lists -----------------------------------------------------------------

function listIndex(len: number, i: number): number {
  return i < 0 ? len + i : i;
}

function popList(db: MemoryStore, key: string, countArg: string | undefined, fromLeft: boolean): Reply {
  const l = db.get(key, 'list');
  const count = countArg === undefined ? undefined : parseInteger(countArg);
  if (count !== undefined && count < 0) throw new RedisError('ERR value is out of range, must be positive');
  if (!l) return null;
  const n = count ?? 1;
  const taken = fromLeft ? l.splice(0, n) : l.splice(Math.max(0, l.length - n), n).reverse();
  db.dropIfEmpty(key);
  return count === undefined ? (taken[0] ?? null) : taken;
}

// --- scan ------------------------------------------------------------------

function cmdScan(db: MemoryStore, [cursorArg, ...opts]: string[]): Reply {
  const cursor = parseInteger(cursorArg as string);
  let match: RegExp | undefined;
  let count = 10;
  let type: string | undefined;
  for (let i = 0; i < opts.length; i += 2) {
    const o = (opts[i] as string).toUpperCase();
    const v = opts[i + 1];
    if (v === undefined) throw err.syntax();
    if (o === 'MATCH') match = globToRegExp(v);
    else if (o === 'COUNT') count = parseInteger(v);
    else if (o === 'TYPE') type = v.toLowerCase();
    else throw err.syntax();
  }
  if (count < 1) throw err.syntax();
  // The cursor is an offset into the sorted key space; stable enough for a dev store.
  const keys = db.liveKeys().sort();
  const page = keys.slice(cursor, cursor + count);
  const next = cursor + count >= keys.length ? 0 : cursor + count;
  const found = page.filter((k) => (!match || match.test(k)) && (!type || db.entry(k)?.value.kind === type));
  return [String(next), found];
}

// --- command table ---------------------------------------------------------

const str = (db: MemoryStore, key: string): string | undefined => db.get(key, 'string');

const COMMANDS: Record<string, CommandSpec> = {
  PING: { arity: -1, run: (_db, [msg]) => (msg === undefined ? new Status('PONG') : msg) },
  ECHO: { arity: 2, run: (_db, [msg]) => msg as string },
  TIME: {
    arity: 1,
    run: () => {
      const us = BigInt(Date.now()) * 1000n + BigInt(Math.floor((performance.now() % 1) * 1000));
      return [String(us / 1_000_000n), String(us % 1_000_000n)];
    },
  },
  DBSIZE: { arity: 1, run: (db) => db.liveKeys().length },
  FLUSHDB: {
    arity: -1,
    run: (db) => {
      db.flush();
      return OK;
    },
  },
  FLUSHALL: {
    arity: -1,
    run: (db) => {
      db.flush();
      return OK;
    },
  },
  // strings
  GET: { arity: 2, run: (db, [k]) => str(db, k as string) ?? null },
  SET: { arity: -3, run: cmdSet },
  SETNX: { arity: 3, run: (db, [k, v]) => (cmdSet(db, [k as string, v as string, 'NX']) === null ? 0 : 1) },
  SETEX: {
    arity: 4,
    run: (db, [k, s, v]) => {
      const secs = parseInteger(s as string);
      if (secs <= 0) throw new RedisError("ERR invalid expire time in 'setex' command");
      db.setString(k as string, v as string, Date.now() + secs * 1000);
      return OK;
    },
  },
  PSETEX: {
    arity: 4,
    run: (db, [k, ms, v]) => {
      const n = parseInteger(ms as string);
      if (n <= 0) throw new RedisError("ERR invalid expire time in 'psetex' command");
      db.setString(k as string, v as string, Date.now() + n);
      return OK;
    },
  },
  GETDEL: {
    arity: 2,
    run: (db, [k]) => {
      const v = str(db, k as string);
      if (v !== undefined) db.delete(k as string);
      return v ?? null;
    },
  },
  MGET: {
    arity: -2,
    run: (db, keys) =>
      keys.map((k) => {
        const e = db.entry(k);
        return e?.value.kind === 'string' ? e.value.v : null; // MGET never raises WRONGTYPE
      }),
  },
  MSET: {
    arity: -3,
    run: (db, args) => {
      if (args.length % 2 !== 0) throw err.arity('mset');
      for (let i = 0; i < args.length; i += 2) db.setString(args[i] as string, args[i + 1] as string);
      return OK;
    },
  },
  APPEND: {
    arity: 3,
    run: (db, [k, v]) => {
      const e = db.entry(k as string);
      const next = (str(db, k as string) ?? '') + (v as string);
      db.setString(k as string, next, e?.expiresAt);
      return Buffer.byteLength(next);
    },
  },
  STRLEN: { arity: 2, run: (db, [k]) => Buffer.byteLength(str(db, k as string) ?? '') },
  INCR: { arity: 2, run: (db, [k]) => incrBy(db, k as string, 1) },
  DECR: { arity: 2, run: (db, [k]) => incrBy(db, k as string, -1) },
  INCRBY: { arity: 3, run: (db, [k, n]) => incrBy(db, k as string, parseInteger(n as string)) },
  DECRBY: { arity: 3, run: (db, [k, n]) => incrBy(db, k as string, -parseInteger(n as string)) },
  INCRBYFLOAT: {
    arity: 3,
    run: (db, [k, n]) => {
      const e = db.entry(k as string);
      const cur = parseFloatArg(str(db, k as string) ?? '0');
      const next = cur + parseFloatArg(n as string);
      if (!Number.isFinite(next)) throw new RedisError('ERR increment would produce NaN or Infinity');
      db.setString(k as string, formatDouble(next), e?.expiresAt);
      return formatDouble(next);
    },
  },
  // keys
  DEL: { arity: -2, run: (db, keys) => keys.filter((k) => db.delete(k)).length },
  UNLINK: { arity: -2, run: (db, keys) => keys.filter((k) => db.delete(k)).length },
  EXISTS: { arity: -2, run: (db, keys) => keys.filter((k) => db.entry(k) !== undefined).length },
  TYPE: { arity: 2, run: (db, [k]) => new Status(db.entry(k as string)?.value.kind ?? 'none') },
  KEYS: {
    arity: 2,
    run: (db, [p]) => {
      const re = globToRegExp(p as string);
      return db.liveKeys().filter((k) => re.test(k));
    },
  },
  SCAN: { arity: -2, run: cmdScan },
  EXPIRE: {
    arity: -3,
    run: (db, [k, s, ...f]) => setExpiry(db, k as string, Date.now() + parseInteger(s as string) * 1000, f),
  },
  PEXPIRE: { arity: -3, run: (db, [k, ms, ...f]) => setExpiry(db, k as string, Date.now() + parseInteger(ms as string), f) },
  EXPIREAT: { arity: -3, run: (db, [k, t, ...f]) => setExpiry(db, k as string, parseInteger(t as string) * 1000, f) },
  PEXPIREAT: { arity: -3, run: (db, [k, t, ...f]) => setExpiry(db, k as string, parseInteger(t as string), f) },
  PERSIST: {
    arity: 2,
    run: (db, [k]) => {
      const e = db.entry(k as string);
      if (!e || e.expiresAt === undefined) return 0;
      e.expiresAt = undefined;
      return 1;
    },
  },
  TTL: {
    arity: 2,
    run: (db, [k]) => {
      const ms = ttlMs(db, k as string);
      return ms < 0 ? ms : Math.round(ms / 1000); // Redis rounds to the nearest second
    },
  },
  PTTL: { arity: 2, run: (db, [k]) => ttlMs(db, k as string) },
  // hashes
  HSET: {
    arity: -4,
    run: (db, [k, ...fv]) => {
      if (fv.length % 2 !== 0) throw err.arity('hset');
      const h = db.getOrCreate(k as string, 'hash', () => new Map());
      let added = 0;
      for (let i = 0; i < fv.length; i += 2) {
        if (!h.has(fv[i] as string)) added++;
        h.set(fv[i] as string, fv[i + 1] as string);
      }
      return added;
    },
  },
  HMSET: {
    arity: -4,
    run: (db, args, ctx) => {
      COMMANDS.HSET?.run(db, args, ctx);
      return OK;
    },
  },
  HSETNX: {
    arity: 4,
    run: (db, [k, f, v]) => {
      const h = db.getOrCreate(k as string, 'hash', () => new Map());
      if (h.has(f as string)) return 0;
      h.set(f as string, v as string);
      return 1;
    },
  },
  HGET: { arity: 3, run: (db, [k, f]) => db.get(k as string, 'hash')?.get(f as string) ?? null },
  HMGET: {
    arity: -3,
    run: (db, [k, ...fs]) => {
      const h = db.get(k as string, 'hash');
      return fs.map((f) => h?.get(f) ?? null);
    },
  },
  HGETALL: { arity: 2, run: (db, [k]) => [...(db.get(k as string, 'hash') ?? new Map<string, string>())].flat() },
  HKEYS: { arity: 2, run: (db, [k]) => [...(db.get(k as string, 'hash')?.keys() ?? [])] },
  HVALS: { arity: 2, run: (db, [k]) => [...(db.get(k as string, 'hash')?.values() ?? [])] },
  HLEN: { arity: 2, run: (db, [k]) => db.get(k as string, 'hash')?.size ?? 0 },
  HEXISTS: { arity: 3, run: (db, [k, f]) => (db.get(k as string, 'hash')?.has(f as string) ? 1 : 0) },
  HDEL: {
    arity: -3,
    run: (db, [k, ...fs]) => {
      const h = db.get(k as string, 'hash');
      if (!h) return 0;
      const n = fs.filter((f) => h.delete(f)).length;
      db.dropIfEmpty(k as string);
      return n;
    },
  },
  HINCRBY: {
    arity: 4,
    run: (db, [k, f, n]) => {
      const by = parseInteger(n as string);
      const h = db.getOrCreate(k as string, 'hash', () => new Map());
      const cur = h.get(f as string);
      let base = 0;
      if (cur !== undefined) {
        if (!INT_RE.test(cur)) throw new RedisError('ERR hash value is not an integer');
        base = Number(cur);
      }
      const next = base + by;
      if (!Number.isSafeInteger(next)) throw new RedisError('ERR increment or decrement would overflow');
      h.set(f as string, String(next));
      return next;
    },
  },
  // lists
  LPUSH: {
    arity: -3,
    run: (db, [k, ...vs]) => {
      const l = db.getOrCreate(k as string, 'list', () => []);
      for (const v of vs) l.unshift(v);
      return l.length;
    },
  },
  RPUSH: {
    arity: -3,
    run: (db, [k, ...vs]) => {
      const l = db.getOrCreate(k as string, 'list', () => []);
      l.push(...vs);
      return l.length;
    },
  },
  LPOP: { arity: -2, run: (db, [k, c]) => popList(db, k as string, c, true) },
  RPOP: { arity: -2, run: (db, [k, c]) => popList(db, k as string, c, false) },
  LLEN: { arity: 2, run: (db, [k]) => db.get(k as string, 'list')?.length ?? 0 },
  LRANGE: {
    arity: 4,
    run: (db, [k, s, e]) => {
      const l = db.get(k as string, 'list') ?? [];
      const start = Math.max(0, listIndex(l.length, parseInteger(s as string)));
      const end = Math.min(l.length - 1, listIndex(l.length, parseInteger(e as string)));
      return start > end ? [] : l.slice(start, end + 1);
    },
  },
  LTRIM: {
    arity: 4,
    run: (db, [k, s, e]) => {
      const l = db.get(k as string, 'list');
      if (!l) return OK;
      const start = Math.max(0, listIndex(l.length, parseInteger(s as string)));
      const end = Math.min(l.length - 1, listIndex(l.length, parseInteger(e as string)));
      const kept = start > end ? [] : l.slice(start, end + 1);
      l.splice(0, l.length, ...kept);
      db.dropIfEmpty(k as string);
      return OK;
    },
  },
  // sets
  SADD: {
    arity: -3,
    run: (db, [k, ...ms]) => {
      const s = db.getOrCreate(k as string, 'set', () => new Set());
      let added = 0;
      for (const m of ms) {
        if (!s.has(m)) {
          s.add(m);
          added++;
        }
      }
      return added;
    },
  },
  SREM: {
    arity: -3,
    run: (db, [k, ...ms]) => {
      const s = db.get(k as string, 'set');
      if (!s) return 0;
      const n = ms.filter((m) => s.delete(m)).length;
      db.dropIfEmpty(k as string);
      return n;
    },
  },
  SMEMBERS: { arity: 2, run: (db, [k]) => [...(db.get(k as string, 'set') ?? [])] },
  SCARD: { arity: 2, run: (db, [k]) => db.get(k as string, 'set')?.size ?? 0 },
  SISMEMBER: { arity: 3, run: (db, [k, m]) => (db.get(k as string, 'set')?.has(m as string) ? 1 : 0) },
  SMISMEMBER: {
    arity: -3,
    run: (db, [k, ...ms]) => {
      const s = db.get(k as string, 'set');
      return ms.map((m) => (s?.has(m) ? 1 : 0));
    },
  },
  // sorted sets
  ZADD: { arity: -4, run: cmdZadd },
  ZRANGE: { arity: -4, run: cmdZrange },
  ZCARD: { arity: 2, run: (db, [k]) => db.get(k as string, 'zset')?.size ?? 0 },
  ZSCORE: {
    arity: 3,
    run: (db, [k, m]) => {
      const s = db.get(k as string, 'zset')?.get(m as string);
      return s === undefined ? null : formatDouble(s);
    },
  },
  ZINCRBY: {
    arity: 4,
    run: (db, [k, by, m]) => cmdZadd(db, [k as string, 'INCR', by as string, m as string]),
  },
  ZREM: {
    arity: -3,
    run: (db, [k, ...ms]) => {
      const z = db.get(k as string, 'zset');
      if (!z) return 0;
      const n = ms.filter((m) => z.delete(m)).length;
      db.dropIfEmpty(k as string);
      return n;
    },
  },
  ZCOUNT: {
    arity: 4,
    run: (db, [k, lo, hi]) => {
      const min = parseScoreBound(lo as string);
      const max = parseScoreBound(hi as string);
      const z = db.get(k as string, 'zset');
      return z ? [...z.values()].filter((s) => inRange(s, min, max)).length : 0;
    },
  },
  ZREMRANGEBYSCORE: {
    arity: 4,
    run: (db, [k, lo, hi]) => {
      const min = parseScoreBound(lo as string);
      const max = parseScoreBound(hi as string);
      const z = db.get(k as string, 'zset');
      if (!z) return 0;
      let n = 0;
      for (const [m, s] of z) {
        if (inRange(s, min, max)) {
          z.delete(m);
          n++;
        }
      }
      db.dropIfEmpty(k as string);
      return n;
    },
  },
  // scripting
  EVAL: { arity: -3, run: (_db, args, ctx) => ctx.scripts.eval(args[0] as string, args.slice(1), ctx) },
  EVAL_RO: { arity: -3, run: (_db, args, ctx) => ctx.scripts.eval(args[0] as string, args.slice(1), ctx) },
  EVALSHA: { arity: -3, run: (_db, args, ctx) => ctx.scripts.evalSha(args[0] as string, args.slice(1), ctx) },
  EVALSHA_RO: { arity: -3, run: (_db, args, ctx) => ctx.scripts.evalSha(args[0] as string, args.slice(1), ctx) },
  SCRIPT: { arity: -2, run: (_db, args, ctx) => ctx.scripts.scriptCommand(args) },
};

// ---------------------------------------------------------------------------
// Lua (fengari) bridge

/** The part of fengari's API we touch; the package ships no type declarations. */
interface LuaState {
  readonly __luaState: unique symbol;
}
type LuaJsFunction = (L: LuaState) => number;
interface Fengari {
  to_luastring(s: string): Uint8Array;
  to_jsstring(s: Uint8Array, from?: number, to?: number, replacement?: boolean): string;
  lua: {
    LUA_OK: number;
    LUA_TNIL: number;
    LUA_TBOOLEAN: number;
    LUA_TNUMBER: number;
    LUA_TSTRING: number;
    LUA_TTABLE: number;
    LUA_REGISTRYINDEX: number;
    LUA_MASKCOUNT: number;
    lua_gettop(L: LuaState): number;
    lua_settop(L: LuaState, idx: number): void;
    lua_type(L: LuaState, idx: number): number;
    lua_tonumber(L: LuaState, idx: number): number;
    lua_tolstring(L: LuaState, idx: number): Uint8Array;
    lua_toboolean(L: LuaState, idx: number): boolean;
    lua_pushnumber(L: LuaState, n: number): void;
    lua_pushstring(L: LuaState, s: Uint8Array): void;
    lua_pushboolean(L: LuaState, b: boolean): void;
    lua_pushnil(L: LuaState): void;
    lua_pushjsfunction(L: LuaState, f: LuaJsFunction): void;
    lua_createtable(L: LuaState, narr: number, nrec: number): void;
    lua_rawseti(L: LuaState, idx: number, n: number): void;
    lua_rawgeti(L: LuaState, idx: number, n: number): number;
    lua_setfield(L: LuaState, idx: number, k: Uint8Array): void;
    lua_getfield(L: LuaState, idx: number, k: Uint8Array): number;
    lua_setglobal(L: LuaState, name: Uint8Array): void;
    lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number;
    lua_error(L: LuaState): never;
    lua_sethook(L: LuaState, hook: ((L: LuaState) => void) | null, mask: number, count: number): void;
    lua_close(L: LuaState): void;
  };
  lauxlib: {
    luaL_newstate(): LuaState;
    luaL_loadbuffer(L: LuaState, s: Uint8Array, size: number | null, name: Uint8Array): number;
    luaL_ref(L: LuaState, t: number): number;
    luaL_requiref(L: LuaState, name: Uint8Array, f: LuaJsFunction, glb: number): void;
    luaL_error(L: LuaState, msg: Uint8Array): never;
  };
  lualib: Record<'luaopen_base' | 'luaopen_table' | 'luaopen_string' | 'luaopen_math', LuaJsFunction>;
}

const fengari = createRequire(import.meta.url)('fengari') as Fengari;
const { lua, lauxlib, lualib, to_luastring: ls } = fengari;
const js = (s: Uint8Array): string => fengari.to_jsstring(s, 0, s.length, true);

/**
 * Makes Lua 5.3 behave like Redis's Lua 5.1 where it matters: fengari's
 * integers are 32-bit, so numbers from `tonumber`/`math.floor`/`math.ceil` are
 * kept as doubles (5.1 has no integers) to avoid silent wrap-around with epoch
 * milliseconds; `unpack` is a 5.1 global; integral doubles print without ".0".
 */
const LUA_PRELUDE = `
local _tonumber, _floor, _ceil, _tostring, _type = tonumber, math.floor, math.ceil, tostring, math.type
tonumber = function(...) local n = _tonumber(...); if n ~= nil then return n + 0.0 end; return n end
math.floor = function(x) return _floor(x) + 0.0 end
math.ceil = function(x) return _ceil(x) + 0.0 end
tostring = function(v)
  if _type(v) == 'float' and v == _floor(v) and v > -1e15 and v < 1e15 then return string.format('%.0f', v) end
  return _tostring(v)
end
unpack = table.unpack
loadstring = load
dofile, loadfile, load = nil, nil, nil
`;

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** Redis 7.0 does not know `#!lua flags=...` variants Upstash uses; run the body. */
function stripShebang(script: string): string {
  if (!script.startsWith('#!')) return script;
  const nl = script.indexOf('\n');
  // Keep a blank first line so Lua error line numbers still match the source.
  return nl === -1 ? '' : script.slice(nl);
}

function parseEvalArgs(args: string[]): { keys: string[]; argv: string[] } {
  const numKeys = parseInteger(args[0] ?? '');
  if (numKeys < 0) throw new RedisError("ERR Number of keys can't be negative");
  if (numKeys > args.length - 1) throw new RedisError("ERR Number of keys can't be greater than number of args");
  return { keys: args.slice(1, 1 + numKeys), argv: args.slice(1 + numKeys) };
}

class LuaScripts {
  private readonly L: LuaState;
  /** sha → registry reference of the compiled chunk. */
  private readonly compiled = new Map<string, number>();
  private ctx: ExecContext | undefined;
  private deadline = 0;

  constructor() {
    this.L = lauxlib.luaL_newstate();
    const L = this.L;
    // Redis's sandbox offers base, table, string and math (no io/os/package).
    for (const [name, open] of [
      ['_G', lualib.luaopen_base],
      ['table', lualib.luaopen_table],
      ['string', lualib.luaopen_string],
      ['math', lualib.luaopen_math],
    ] as const) {
      lauxlib.luaL_requiref(L, ls(name), open, 1);
      lua.lua_settop(L, 0);
    }
    this.installRedisTable();
    if (lauxlib.luaL_loadbuffer(L, ls(LUA_PRELUDE), null, ls('=prelude')) !== lua.LUA_OK ||
        lua.lua_pcall(L, 0, 0, 0) !== lua.LUA_OK) {
      throw new Error(`Lua prelude failed: ${js(lua.lua_tolstring(L, -1))}`);
    }
    lua.lua_sethook(L, (hookL) => {
      if (Date.now() > this.deadline) {
        lauxlib.luaL_error(hookL, ls('BUSY script exceeded the local time limit'));
      }
    }, lua.LUA_MASKCOUNT, 10_000);
  }

  private installRedisTable(): void {
    const L = this.L;
    lua.lua_createtable(L, 0, 12);
    const fn = (name: string, f: LuaJsFunction) => {
      lua.lua_pushjsfunction(L, f);
      lua.lua_setfield(L, -2, ls(name));
    };
    fn('call', (l) => this.redisCall(l, true));
    fn('pcall', (l) => this.redisCall(l, false));
    fn('sha1hex', (l) => {
      lua.lua_pushstring(l, ls(sha1(js(lua.lua_tolstring(l, 1)))));
      return 1;
    });
    fn('error_reply', (l) => {
      pushReply(l, new RedisError(js(lua.lua_tolstring(l, 1))));
      return 1;
    });
    fn('status_reply', (l) => {
      pushReply(l, new Status(js(lua.lua_tolstring(l, 1))));
      return 1;
    });
    // Logging, replication and RESP switches are no-ops locally.
    for (const name of ['log', 'setresp', 'set_repl', 'replicate_commands']) {
      fn(name, (l) => {
        lua.lua_pushboolean(l, true);
        return 1;
      });
    }
    for (const [name, level] of [['LOG_DEBUG', 0], ['LOG_VERBOSE', 1], ['LOG_NOTICE', 2], ['LOG_WARNING', 3]] as const) {
      lua.lua_pushnumber(L, level);
      lua.lua_setfield(L, -2, ls(name));
    }
    lua.lua_setglobal(L, ls('redis'));
  }

  /** redis.call / redis.pcall: run a store command, convert the reply to Lua. */
  private redisCall(L: LuaState, raise: boolean): number {
    const argv: string[] = [];
    const n = lua.lua_gettop(L);
    let failure: RedisError | undefined;
    for (let i = 1; i <= n; i++) {
      const t = lua.lua_type(L, i);
      if (t === lua.LUA_TSTRING) argv.push(js(lua.lua_tolstring(L, i)));
      else if (t === lua.LUA_TNUMBER) argv.push(formatLuaNumber(lua.lua_tonumber(L, i)));
      else {
        failure = new RedisError('ERR Lua redis lib command arguments must be strings or integers');
        break;
      }
    }
    if (!failure && argv.length === 0) failure = new RedisError('ERR Please specify at least one argument for this redis lib call');
    let reply: Reply = null;
    if (!failure) {
      try {
        if (!this.ctx) throw new RedisError('ERR redis.call outside a script');
        reply = this.ctx.call(argv);
      } catch (e) {
        failure = e instanceof RedisError ? e : new RedisError(`ERR ${(e as Error).message}`);
      }
    }
    if (failure) {
      pushReply(L, failure); // an error table {err=...}, as Redis 7 raises and pcall returns
      if (raise) return lua.lua_error(L);
      return 1;
    }
    pushReply(L, reply);
    return 1;
  }

  private compile(sha: string, script: string): number {
    const known = this.compiled.get(sha);
    if (known !== undefined) return known;
    const L = this.L;
    const status = lauxlib.luaL_loadbuffer(L, ls(stripShebang(script)), null, ls('@user_script'));
    if (status !== lua.LUA_OK) {
      const msg = js(lua.lua_tolstring(L, -1));
      lua.lua_settop(L, 0);
      throw new RedisError(`ERR Error compiling script (new function): ${msg}`);
    }
    const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    this.compiled.set(sha, ref);
    return ref;
  }

  load(script: string): string {
    const sha = sha1(script); // the client hashes the text it sent, shebang included
    this.compile(sha, script);
    return sha;
  }

  eval(script: string, rest: string[], ctx: ExecContext): Reply {
    const sha = sha1(script);
    this.compile(sha, script);
    return this.run(sha, rest, ctx);
  }

  evalSha(sha: string, rest: string[], ctx: ExecContext): Reply {
    if (!this.compiled.has(sha.toLowerCase())) throw err.noScript();
    return this.run(sha.toLowerCase(), rest, ctx);
  }

  scriptCommand([sub, ...args]: string[]): Reply {
    switch ((sub ?? '').toUpperCase()) {
      case 'LOAD':
        if (args.length !== 1) throw err.arity('script|load');
        return this.load(args[0] as string);
      case 'EXISTS':
        return args.map((s) => (this.compiled.has(s.toLowerCase()) ? 1 : 0));
      case 'FLUSH':
        this.compiled.clear(); // refs leak into the registry; harmless for a dev store
        return OK;
      default:
        throw new RedisError(`ERR unknown subcommand '${sub ?? ''}'. Try SCRIPT HELP.`);
    }
  }

  private setArray(name: string, items: string[]): void {
    const L = this.L;
    lua.lua_createtable(L, items.length, 0);
    items.forEach((v, i) => {
      lua.lua_pushstring(L, ls(v));
      lua.lua_rawseti(L, -2, i + 1);
    });
    lua.lua_setglobal(L, ls(name));
  }

  private run(sha: string, rest: string[], ctx: ExecContext): Reply {
    const { keys, argv } = parseEvalArgs(rest);
    const L = this.L;
    const ref = this.compiled.get(sha) as number;
    this.setArray('KEYS', keys);
    this.setArray('ARGV', argv);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
    this.ctx = ctx;
    this.deadline = Date.now() + SCRIPT_TIME_LIMIT_MS;
    try {
      const status = lua.lua_pcall(L, 0, 1, 0);
      if (status !== lua.LUA_OK) throw scriptError(L, sha);
      const reply = luaToReply(L, -1, 0);
      if (reply instanceof RedisError) throw reply;
      return reply;
    } finally {
      this.ctx = undefined;
      lua.lua_settop(L, 0);
    }
  }

  close(): void {
    lua.lua_close(this.L);
  }
}

/** Lua numbers become integer replies in Redis; integral doubles print without ".0". */
function formatLuaNumber(n: number): string {
  return Number.isInteger(n) ? n.toFixed(0) : String(n);
}

function scriptError(L: LuaState, sha: string): RedisError {
  const t = lua.lua_type(L, -1);
  if (t === lua.LUA_TTABLE) {
    lua.lua_getfield(L, -1, ls('err'));
    const msg = lua.lua_type(L, -1) === lua.LUA_TSTRING ? js(lua.lua_tolstring(L, -1)) : 'ERR unknown error';
    return new RedisError(`${msg} script: ${sha}, on @user_script.`);
  }
  const msg = t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER ? js(lua.lua_tolstring(L, -1)) : 'unknown error';
  if (msg.startsWith('BUSY')) return new RedisError(msg);
  return new RedisError(`ERR ${msg} script: ${sha}, on @user_script.`);
}

/** Redis → Lua conversion (as in Redis: nil → false, status → {ok}, error → {err}). */
function pushReply(L: LuaState, r: Reply): void {
  if (r === null) lua.lua_pushboolean(L, false);
  else if (typeof r === 'number') lua.lua_pushnumber(L, r);
  else if (typeof r === 'string') lua.lua_pushstring(L, ls(r));
  else if (r instanceof Status || r instanceof RedisError) {
    lua.lua_createtable(L, 0, 1);
    lua.lua_pushstring(L, ls(r instanceof Status ? r.value : r.message));
    lua.lua_setfield(L, -2, ls(r instanceof Status ? 'ok' : 'err'));
  } else {
    lua.lua_createtable(L, r.length, 0);
    r.forEach((item, i) => {
      pushReply(L, item);
      lua.lua_rawseti(L, -2, i + 1);
    });
  }
}

/** Lua → Redis conversion: numbers truncate to integers, arrays stop at the first nil. */
function luaToReply(L: LuaState, idx: number, depth: number): Reply {
  const t = lua.lua_type(L, idx);
  if (t === lua.LUA_TNUMBER) return Math.trunc(lua.lua_tonumber(L, idx));
  if (t === lua.LUA_TSTRING) return js(lua.lua_tolstring(L, idx));
  if (t === lua.LUA_TBOOLEAN) return lua.lua_toboolean(L, idx) ? 1 : null;
  if (t !== lua.LUA_TTABLE || depth > 64) return null;
  const abs = idx < 0 ? lua.lua_gettop(L) + idx + 1 : idx;
  for (const field of ['err', 'ok'] as const) {
    if (lua.lua_getfield(L, abs, ls(field)) === lua.LUA_TSTRING) {
      const text = js(lua.lua_tolstring(L, -1));
      lua.lua_settop(L, abs);
      return field === 'err' ? new RedisError(text) : new Status(text);
    }
    lua.lua_settop(L, abs);
  }
  const out: Reply[] = [];
  for (let i = 1; ; i++) {
    if (lua.lua_rawgeti(L, abs, i) === lua.LUA_TNIL) {
      lua.lua_settop(L, abs);
      return out;
    }
    out.push(luaToReply(L, -1, depth + 1));
    lua.lua_settop(L, abs);
  }
}

// ---------------------------------------------------------------------------
// Backends

interface Backend {
  kind: 'memory' | 'redis';
  exec(argv: string[]): Promise<Reply>;
  /** Runs all commands atomically; a queue-time error aborts the whole block. */
  multi(cmds: string[][]): Promise<Outcome[]>;
  close(): Promise<void>;
}

function outcome(fn: () => Reply): Outcome {
  try {
    const result = fn();
    if (result instanceof RedisError) return { error: result.message };
    return { result };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

class MemoryBackend implements Backend {
  readonly kind = 'memory';
  private readonly db = new MemoryStore();
  private readonly scripts = new LuaScripts();
  /** Frees expired keys nobody reads again; lazy expiry handles correctness. */
  private readonly sweeper = setInterval(() => this.db.liveKeys(), 1_000).unref();

  private readonly ctx: ExecContext = {
    scripts: this.scripts,
    call: (argv) => this.run(argv, true),
  };

  private spec(argv: string[]): { name: string; spec: CommandSpec } {
    const name = (argv[0] ?? '').toUpperCase();
    const spec = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!spec) throw err.unknown(argv[0] ?? '', argv.slice(1));
    checkArity(name, spec, argv.length - 1);
    return { name, spec };
  }

  private run(argv: string[], fromScript: boolean): Reply {
    const { name, spec } = this.spec(argv);
    if (fromScript && ['EVAL', 'EVALSHA', 'EVAL_RO', 'EVALSHA_RO', 'SCRIPT'].includes(name)) {
      throw new RedisError('ERR This Redis command is not allowed from script');
    }
    return spec.run(this.db, argv.slice(1), this.ctx);
  }

  exec(argv: string[]): Promise<Reply> {
    return Promise.resolve().then(() => {
      const r = this.run(argv, false);
      if (r instanceof RedisError) throw r;
      return r;
    });
  }

  async multi(cmds: string[][]): Promise<Outcome[]> {
    // Like MULTI/EXEC: unknown commands or bad arity abort before anything runs.
    for (const argv of cmds) {
      try {
        this.spec(argv);
      } catch {
        throw new RedisError('EXECABORT Transaction discarded because of previous errors.');
      }
    }
    // Synchronous execution on one thread is atomic by construction.
    return cmds.map((argv) => outcome(() => this.run(argv, false)));
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.scripts.close();
  }
}

/**
 * Commands that would wedge the shared connection, change its state, or wipe
 * data other people keep in the same Redis.
 */
const REDIS_DENIED = new Set([
  'SUBSCRIBE', 'PSUBSCRIBE', 'SSUBSCRIBE', 'UNSUBSCRIBE', 'PUNSUBSCRIBE', 'MONITOR', 'MULTI', 'EXEC',
  'DISCARD', 'WATCH', 'UNWATCH', 'QUIT', 'RESET', 'SELECT', 'AUTH', 'HELLO', 'CLIENT', 'FLUSHDB',
  'FLUSHALL', 'SHUTDOWN', 'DEBUG', 'BLPOP', 'BRPOP', 'BLMOVE', 'BRPOPLPUSH', 'BZPOPMIN', 'BZPOPMAX',
  'BLMPOP', 'BZMPOP', 'WAIT', 'CONFIG', 'REPLICAOF', 'SLAVEOF',
]);

class RedisBackend implements Backend {
  readonly kind = 'redis';
  /** Client SHA (of the text the client sent) → stripped script we actually run. */
  private readonly scripts = new Map<string, string>();

  private constructor(private readonly redis: Redis) {}

  static async connect(url: string): Promise<RedisBackend> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableReadyCheck: true });
    redis.on('error', (e: Error) => debug('redis error', e.message)); // reconnects on its own
    await redis.connect();
    return new RedisBackend(redis);
  }

  private command(argv: string[]): Command {
    // Upper-case names bypass ioredis' reply transformers (e.g. HGETALL → object).
    return new Command((argv[0] ?? '').toUpperCase(), argv.slice(1), { replyEncoding: 'utf8' });
  }

  private async raw(argv: string[]): Promise<Reply> {
    try {
      return normaliseRedisReply(await this.redis.sendCommand(this.command(argv)));
    } catch (e) {
      throw new RedisError(e instanceof Error ? e.message : String(e));
    }
  }

  private remember(script: string): { clientSha: string; body: string; serverSha: string } {
    const body = stripShebang(script);
    const clientSha = sha1(script);
    this.scripts.set(clientSha, body);
    return { clientSha, body, serverSha: sha1(body) };
  }

  /** Rewrites script commands so Redis 7.0 accepts them; undefined = forward unchanged. */
  private async scripting(name: string, args: string[]): Promise<Reply | undefined> {
    if (name === 'EVAL' || name === 'EVAL_RO') {
      const { body } = this.remember(args[0] ?? '');
      return this.raw([name, body, ...args.slice(1)]);
    }
    if (name === 'EVALSHA' || name === 'EVALSHA_RO') {
      const body = this.scripts.get((args[0] ?? '').toLowerCase());
      if (body === undefined) return this.raw([name, ...args]); // NOSCRIPT → client retries with EVAL
      const evalName = name === 'EVALSHA' ? 'EVAL' : 'EVAL_RO';
      try {
        return await this.raw([name, sha1(body), ...args.slice(1)]);
      } catch (e) {
        if (!(e instanceof RedisError) || !e.message.startsWith('NOSCRIPT')) throw e;
        return this.raw([evalName, body, ...args.slice(1)]); // server cache was flushed
      }
    }
    if (name === 'SCRIPT') {
      const sub = (args[0] ?? '').toUpperCase();
      if (sub === 'LOAD' && args.length === 2) {
        const { body, clientSha } = this.remember(args[1] as string);
        await this.raw(['SCRIPT', 'LOAD', body]);
        return clientSha;
      }
      if (sub === 'EXISTS') {
        const mapped = args.slice(1).map((s) => {
          const body = this.scripts.get(s.toLowerCase());
          return body === undefined ? s : sha1(body);
        });
        return this.raw(['SCRIPT', 'EXISTS', ...mapped]);
      }
    }
    return undefined;
  }

  async exec(argv: string[]): Promise<Reply> {
    const name = (argv[0] ?? '').toUpperCase();
    if (REDIS_DENIED.has(name)) {
      throw new RedisError(`ERR command '${argv[0]}' is not available through the local Upstash stand-in`);
    }
    const scripted = await this.scripting(name, argv.slice(1));
    if (scripted !== undefined) return scripted;
    return this.raw(argv);
  }

  /** Inside MULTI scripts run as EVAL of the stripped text, so no NOSCRIPT can strike mid-block. */
  private forMulti(argv: string[]): string[] {
    const name = (argv[0] ?? '').toUpperCase();
    if (name === 'EVAL' || name === 'EVAL_RO') return [name, this.remember(argv[1] ?? '').body, ...argv.slice(2)];
    if (name === 'EVALSHA' || name === 'EVALSHA_RO') {
      const body = this.scripts.get((argv[1] ?? '').toLowerCase());
      if (body !== undefined) return [name === 'EVALSHA' ? 'EVAL' : 'EVAL_RO', body, ...argv.slice(2)];
    }
    return argv;
  }

  async multi(cmds: string[][]): Promise<Outcome[]> {
    for (const argv of cmds) {
      if (REDIS_DENIED.has((argv[0] ?? '').toUpperCase())) {
        throw new RedisError('EXECABORT Transaction discarded because of previous errors.');
      }
    }
    // ioredis' Pipeline queues raw Commands through sendCommand; its typings omit it.
    const tx = this.redis.multi() as ReturnType<Redis['multi']> & { sendCommand(c: Command): void };
    for (const argv of cmds) tx.sendCommand(this.command(this.forMulti(argv)));
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await tx.exec();
    } catch (e) {
      throw new RedisError(e instanceof Error ? e.message : String(e));
    }
    if (!replies) throw new RedisError('EXECABORT Transaction discarded');
    return replies.map(([e, r]) => (e ? { error: e.message } : { result: normaliseRedisReply(r) }));
  }

  async close(): Promise<void> {
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}

/** ioredis hands back strings, numbers, arrays, null and Error objects (nested errors). */
function normaliseRedisReply(r: unknown): Reply {
  if (r === null || r === undefined) return null;
  if (typeof r === 'string' || typeof r === 'number') return r;
  if (Buffer.isBuffer(r)) return r.toString('utf8');
  if (Array.isArray(r)) return r.map(normaliseRedisReply);
  if (r instanceof Error) return new RedisError(r.message);
  return String(r);
}

// ---------------------------------------------------------------------------
// HTTP

/** Upstash encodes every string except the `OK` status, which its client special-cases. */
function toJson(r: Reply, base64: boolean): unknown {
  if (r === null || typeof r === 'number') return r;
  if (r instanceof Status) return base64 && r.value !== 'OK' ? Buffer.from(r.value).toString('base64') : r.value;
  if (r instanceof RedisError) return r.message; // only reachable nested inside arrays
  if (typeof r === 'string') return base64 && r !== 'OK' ? Buffer.from(r).toString('base64') : r;
  return r.map((x) => toJson(x, base64));
}

function outcomeJson(o: Outcome, base64: boolean): unknown {
  return 'error' in o ? { error: o.error } : { result: toJson(o.result, base64) };
}

/** A JSON command array; numbers and booleans become their Redis string forms. */
function toArgv(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new RedisError('ERR failed to parse command: expected a non-empty JSON array');
  }
  return value.map((a: unknown) => {
    if (typeof a === 'string') return a;
    if (typeof a === 'number' || typeof a === 'boolean') return String(a);
    if (a === null) return '';
    return JSON.stringify(a);
  });
}

function toCommandList(value: unknown): string[][] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new RedisError('ERR failed to parse pipeline request: expected a non-empty array of commands');
  }
  return value.map(toArgv);
}

function authorised(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const m = /^Bearer\s+(.+)$/i.exec(header);
  if (!m) return false;
  const given = Buffer.from((m[1] as string).trim());
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

const debug = debugFor('upstash-rest');

async function handle(backend: Backend, token: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]?.replace(/\/+$/, '') ?? '';
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    sendJson(res, 405, { error: `method ${req.method} not allowed` });
    return;
  }
  if (!['', '/pipeline', '/multi-exec'].includes(path)) {
    sendJson(res, 404, { error: `ERR unknown endpoint ${path}` });
    return;
  }
  if (!authorised(req, token)) {
    sendJson(res, 401, { error: 'Unauthorized' });
    return;
  }
  let raw: Buffer;
  try {
    raw = await readBody(req, MAX_BODY_BYTES);
  } catch (e) {
    if (e instanceof PayloadTooLarge) {
      sendJson(res, 413, { error: `ERR request body exceeds ${MAX_BODY_BYTES} bytes` });
      res.once('finish', () => req.destroy());
    } else req.destroy();
    return;
  }
  const base64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
  try {
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new RedisError('ERR failed to parse request body as JSON');
    }
    if (path === '') {
      const result = await backend.exec(toArgv(body));
      sendJson(res, 200, { result: toJson(result, base64) });
    } else if (path === '/pipeline') {
      // A pipeline is not atomic; commands still run in order, one after another.
      const out: unknown[] = [];
      for (const argv of toCommandList(body)) {
        try {
          out.push({ result: toJson(await backend.exec(argv), base64) });
        } catch (e) {
          out.push({ error: e instanceof Error ? e.message : String(e) });
        }
      }
      sendJson(res, 200, out);
    } else {
      const outcomes = await backend.multi(toCommandList(body));
      sendJson(res, 200, outcomes.map((o) => outcomeJson(o, base64)));
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    debug('error', message);
    sendJson(res, e instanceof RedisError ? 400 : 500, { error: message });
  }
}

export async function startUpstashRest(opts: UpstashRestOptions): Promise<UpstashRestServer> {
  if (!opts.token) throw new Error('startUpstashRest: a token is required');
  const host = opts.host ?? '127.0.0.1';
  const backend: Backend = opts.redisUrl ? await RedisBackend.connect(opts.redisUrl) : new MemoryBackend();
  const server = createServer((req, res) => {
    handle(backend, opts.token, req, res).catch((e: unknown) => {
      debug('unhandled', e);
      sendJson(res, 500, { error: 'internal error' });
    });
  });
  server.on('clientError', (_e, socket) => socket.destroy());
  let address: AddressInfo;
  try {
    address = await listen(server, opts.port ?? 0, host);
  } catch (e) {
    await backend.close();
    throw e;
  }
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    backend: backend.kind,
    close: () => {
      closing ??= closeServer(server).then(() => backend.close());
      return closing;
    },
  };
}
