/**
 * The in-memory command implementations: argument parsing as Redis does it,
 * one function or table entry per command, and the command table with Redis
 * arities. Scripting commands hand over to the engine in the context (lua.ts).
 */
import { err, OK, RedisError, Status, type Reply } from './reply.ts';
import type { MemoryStore } from './store.ts';

// ---------------------------------------------------------------------------
// Argument helpers

export const INT_RE = /^-?(0|[1-9][0-9]*)$/;

export function parseInteger(s: string): number {
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
// Commands

/** What EVAL, EVALSHA and SCRIPT run on; implemented by the Lua bridge. */
export interface ScriptEngine {
  eval(script: string, rest: string[], ctx: ExecContext): Reply;
  evalSha(sha: string, rest: string[], ctx: ExecContext): Reply;
  scriptCommand(args: string[]): Reply;
}

export interface CommandSpec {
  /** Redis arity: exact count including the name when positive, minimum when negative. */
  arity: number;
  run(db: MemoryStore, args: string[], ctx: ExecContext): Reply;
}

export interface ExecContext {
  scripts: ScriptEngine;
  /** Runs a nested command (used by redis.call inside scripts). */
  call(argv: string[]): Reply;
}

export function checkArity(name: string, spec: CommandSpec, argc: number): void {
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

export const COMMANDS: Record<string, CommandSpec> = {
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
