// @vitest-environment node
/**
 * Contract tests for dev/upstash-rest.ts through the real `@upstash/redis` and
 * `@upstash/ratelimit` clients. The same suite runs on the in-memory store and,
 * when TEST_REDIS_URL is set, on a real Redis (only keys under this run's own
 * `bbtest:` prefix are written, and they are deleted afterwards).
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from '@upstash/redis';
import { Ratelimit } from '@upstash/ratelimit';
import { startUpstashRest, type UpstashRestServer } from './upstash-rest.ts';
import { deleteRedisPrefix } from './test-backends.ts';

const TEST_REDIS_URL = process.env.TEST_REDIS_URL;
if (!TEST_REDIS_URL) {
  console.warn('[upstash-rest contract] real Redis cases skipped; enable them with TEST_REDIS_URL=redis://127.0.0.1:6379');
}

const TOKEN = 'contract-test-token';
const backends = [
  { backend: 'memory' as const, enabled: true },
  { backend: 'redis' as const, enabled: Boolean(TEST_REDIS_URL) },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** The opening line @upstash/ratelimit puts on its scripts, which Redis 7.0 rejects. */
const SHEBANG = '#!lua flags=allow-key-locking\n';

describe.each(backends)('upstash-rest on $backend', ({ backend, enabled }) => {
  describe.skipIf(!enabled)('contract', () => {
    let server: UpstashRestServer;
    let redis: Redis;
    const prefix = `bbtest:contract:${randomBytes(4).toString('hex')}:`;
    const k = (name: string) => `${prefix}${name}`;

    const raw = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });

    beforeAll(async () => {
      server = await startUpstashRest({ token: TOKEN, redisUrl: backend === 'redis' ? TEST_REDIS_URL : undefined });
      expect(server.backend).toBe(backend);
      redis = new Redis({ url: server.url, token: TOKEN, retry: false });
    });

    afterAll(async () => {
      await server?.close();
      if (backend === 'redis') await deleteRedisPrefix(TEST_REDIS_URL as string, prefix);
    });

    it('stores and reads strings, numbers and JSON', async () => {
      expect(await redis.set(k('s'), 'hello')).toBe('OK');
      expect(await redis.get(k('s'))).toBe('hello');
      expect(await redis.set(k('obj'), { a: 1, b: ['x'] })).toBe('OK');
      expect(await redis.get(k('obj'))).toEqual({ a: 1, b: ['x'] });
      expect(await redis.incr(k('n'))).toBe(1);
      expect(await redis.incrby(k('n'), 10)).toBe(11);
      expect(await redis.decr(k('n'))).toBe(10);
      expect(await redis.decrby(k('n'), 4)).toBe(6);
      expect(await redis.mset({ [k('m1')]: 'a', [k('m2')]: 'b' })).toBe('OK');
      expect(await redis.mget(k('m1'), k('m2'), k('missing'))).toEqual(['a', 'b', null]);
      expect(await redis.exists(k('m1'), k('m2'), k('missing'))).toBe(2);
      expect(await redis.del(k('m1'), k('m2'), k('missing'))).toBe(1 + 1);
      expect(await redis.get(k('missing'))).toBeNull();
      expect(await redis.echo('hi there')).toBe('hi there');
      expect(await redis.ping()).toBe('PONG');
    });

    it('honours SET options sent lowercase (nx, xx, ex, px, get, keepttl)', async () => {
      expect(await redis.set(k('lock'), 'one', { nx: true, ex: 30 })).toBe('OK');
      expect(await redis.set(k('lock'), 'two', { nx: true, ex: 30 })).toBeNull();
      expect(await redis.get(k('lock'))).toBe('one');
      const ttl = await redis.ttl(k('lock'));
      expect(ttl).toBeGreaterThanOrEqual(29);
      expect(ttl).toBeLessThanOrEqual(30);
      expect(await redis.set(k('absent'), 'x', { xx: true })).toBeNull();
      expect(await redis.set(k('lock'), 'three', { xx: true, px: 60_000 })).toBe('OK');
      expect(await redis.pttl(k('lock'))).toBeGreaterThan(59_000);
      expect(await redis.set(k('lock'), 'four', { get: true, keepTtl: true })).toBe('three');
      expect(await redis.pttl(k('lock'))).toBeGreaterThan(59_000);
      expect(await redis.setex(k('sx'), 100, 'v')).toBe('OK');
      expect(await redis.ttl(k('sx'))).toBeGreaterThan(98);
      // Raw and mixed-case options as other clients send them.
      expect(await (await raw('', ['set', k('raw'), 'v', 'Nx', 'eX', 5])).json()).toEqual({ result: 'OK' });
      expect(await (await raw('', ['SET', k('raw'), 'v', 'NX'])).json()).toEqual({ result: null });
      const bad = await raw('', ['set', k('raw'), 'v', 'ex', 0]);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toMatch(/^ERR invalid expire time/);
    });

    it('expires keys and reports TTLs like Redis', async () => {
      await redis.set(k('t'), 'v');
      expect(await redis.ttl(k('t'))).toBe(-1);
      expect(await redis.ttl(k('nothing'))).toBe(-2);
      expect(await redis.pttl(k('nothing'))).toBe(-2);
      expect(await redis.expire(k('t'), 100)).toBe(1);
      expect(await redis.ttl(k('t'))).toBeGreaterThan(98);
      expect(await redis.persist(k('t'))).toBe(1);
      expect(await redis.ttl(k('t'))).toBe(-1);
      expect(await redis.expire(k('nothing'), 10)).toBe(0);
      await redis.set(k('short'), 'v', { px: 60 });
      expect(await redis.pexpire(k('t'), 60)).toBe(1);
      await sleep(150);
      expect(await redis.get(k('short'))).toBeNull();
      expect(await redis.exists(k('t'))).toBe(0);
    });

    it('handles hashes (HGETALL as a flat array on the wire)', async () => {
      expect(await redis.hset(k('h'), { name: 'Ada', visits: 1 })).toBe(2);
      expect(await redis.hget(k('h'), 'name')).toBe('Ada');
      expect(await redis.hmget(k('h'), 'name', 'nope')).toEqual({ name: 'Ada', nope: null });
      expect(await redis.hincrby(k('h'), 'visits', 5)).toBe(6);
      expect(await redis.hgetall(k('h'))).toEqual({ name: 'Ada', visits: 6 });
      const wire = (await (await raw('', ['hgetall', k('h')])).json()) as { result: string[] };
      expect(wire.result).toEqual(['name', 'Ada', 'visits', '6']);
      expect(await redis.hdel(k('h'), 'name', 'nope')).toBe(1);
      expect(await redis.hgetall(k('nothing'))).toBeNull();
    });

    it('handles sets, sorted sets, KEYS and SCAN', async () => {
      expect(await redis.sadd(k('set'), 'a', 'b', 'c')).toBe(3);
      expect(((await redis.smembers(k('set'))) as string[]).sort()).toEqual(['a', 'b', 'c']);
      expect(await redis.srem(k('set'), 'a', 'z')).toBe(1);
      expect(await redis.zadd(k('z'), { score: 3, member: 'c' }, { score: 1, member: 'a' }, { score: 2, member: 'b' })).toBe(3);
      expect(await redis.zrange(k('z'), 0, -1)).toEqual(['a', 'b', 'c']);
      expect(await redis.zrange(k('z'), 0, -1, { withScores: true })).toEqual(['a', 1, 'b', 2, 'c', 3]);
      expect(await redis.zrange(k('z'), 2, 3, { byScore: true })).toEqual(['b', 'c']);
      expect(await redis.zrange(k('z'), '(1', '+inf', { byScore: true })).toEqual(['b', 'c']);
      expect(await redis.zcount(k('z'), '-inf', 2)).toBe(2);
      expect(await redis.zrange(k('z'), '+inf', '-inf', { byScore: true, rev: true, offset: 0, count: 2 })).toEqual(['c', 'b']);
      expect(await redis.zrange(k('z'), 0, 0, { rev: true })).toEqual(['c']);
      expect(await redis.zcard(k('z'))).toBe(3);
      expect(await redis.zremrangebyscore(k('z'), 0, 1)).toBe(1);
      expect(await redis.zrem(k('z'), 'b')).toBe(1);
      expect(await redis.zrange(k('z'), 0, -1)).toEqual(['c']);
      await redis.set(k('scan:1'), 1);
      await redis.set(k('scan:2'), 2);
      expect((await redis.keys(k('scan:*'))).sort()).toEqual([k('scan:1'), k('scan:2')]);
      const seen = new Set<string>();
      let cursor: string | number = 0;
      do {
        const [next, keys]: [string, string[]] = await redis.scan(cursor, { match: k('scan:*'), count: 100 });
        keys.forEach((key) => seen.add(key));
        cursor = next;
      } while (String(cursor) !== '0');
      expect([...seen].sort()).toEqual([k('scan:1'), k('scan:2')]);
    });

    it('reports WRONGTYPE and unknown commands with Redis error text', async () => {
      await redis.hset(k('typed'), { f: 'v' });
      await expect(redis.incr(k('typed'))).rejects.toThrow(/WRONGTYPE Operation against a key holding the wrong kind of value/);
      await expect(redis.get(k('typed'))).rejects.toThrow(/WRONGTYPE/);
      const res = await raw('', ['NOSUCHCOMMAND', 'a']);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/^ERR unknown command/);
      const notInt = await raw('', ['incrby', k('n2'), 'abc']);
      expect(((await notInt.json()) as { error: string }).error).toBe('ERR value is not an integer or out of range');
    });

    it('runs pipelines in order and keeps per-command errors', async () => {
      const p = redis.pipeline();
      p.set(k('p'), 1);
      p.incr(k('p'));
      p.hset(k('ph'), { a: 1 });
      p.incr(k('ph'));
      p.get(k('p'));
      const out = await p.exec({ keepErrors: true });
      expect(out.map((o) => o.result)).toEqual(['OK', 2, 1, undefined, 2]);
      expect(out[3]?.error).toMatch(/WRONGTYPE/);
      await expect(redis.pipeline().set(k('p2'), 1).incr(k('ph')).exec()).rejects.toThrow(/WRONGTYPE/);
    });

    it('runs multi-exec transactions', async () => {
      const tx = redis.multi();
      tx.set(k('m'), 10);
      tx.incrby(k('m'), 5);
      tx.get(k('m'));
      expect(await tx.exec()).toEqual(['OK', 15, 15]);
      const aborted = await raw('/multi-exec', [['set', k('m'), '1'], ['nosuchcommand']]);
      expect(aborted.status).toBe(400);
      expect(((await aborted.json()) as { error: string }).error).toMatch(/^EXECABORT/);
      expect(await redis.get(k('m'))).toBe(15); // nothing ran
    });

    it('base64-encodes every string of the reply when asked, except OK', async () => {
      await redis.set(k('u'), 'héllo ✓');
      const one = await raw('', ['get', k('u')], { 'Upstash-Encoding': 'base64' });
      expect(await one.json()).toEqual({ result: b64('héllo ✓') });
      const ok = await raw('', ['set', k('u2'), 'OK'], { 'Upstash-Encoding': 'base64' });
      expect(await ok.json()).toEqual({ result: 'OK' });
      const nested = await raw('', ['mget', k('u'), k('nope')], { 'Upstash-Encoding': 'base64' });
      expect(await nested.json()).toEqual({ result: [b64('héllo ✓'), null] });
      const pipe = await raw('/pipeline', [['get', k('u')], ['incr', k('cnt')], ['ping']], { 'Upstash-Encoding': 'base64' });
      expect(await pipe.json()).toEqual([{ result: b64('héllo ✓') }, { result: 1 }, { result: b64('PONG') }]);
      // The client decodes transparently in both modes.
      const plain = new Redis({ url: server.url, token: TOKEN, responseEncoding: false, retry: false });
      expect(await plain.get(k('u'))).toBe('héllo ✓');
      expect(await redis.get(k('u'))).toBe('héllo ✓');
      expect(await redis.get(k('u2'))).toBe('OK');
    });

    it('requires the bearer token', async () => {
      const wrong = new Redis({ url: server.url, token: 'nope', retry: false });
      await expect(wrong.get(k('s'))).rejects.toThrow(/Unauthorized/);
      const res = await fetch(server.url, { method: 'POST', body: JSON.stringify(['ping']) });
      expect(res.status).toBe(401);
    });

    it('rejects bad requests without falling over', async () => {
      expect((await fetch(server.url, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(405);
      for (const body of ['{nope', '{"a":1}', '[]']) {
        const res = await raw('', body);
        expect(res.status).toBe(400);
        expect(((await res.json()) as { error: string }).error).toBeTypeOf('string');
      }
      expect((await raw('/pipeline', '[["get"], 5]')).status).toBe(400);
      expect((await raw('/elsewhere', ['ping'])).status).toBe(404);
      expect(await redis.ping()).toBe('PONG');
    });

    it('runs Lua scripts with EVAL, EVALSHA and SCRIPT LOAD/EXISTS', async () => {
      const script = "redis.call('SET', KEYS[1], ARGV[1]); return {redis.call('GET', KEYS[1]), tonumber(ARGV[2]) * 2, false, 'x'}";
      // false becomes a nil bulk reply inside an array (only a Lua nil ends the array).
      expect(await redis.eval(script, [k('lua')], ['v1', 21])).toEqual(['v1', 42, null, 'x']);
      const sha = await redis.scriptLoad(script);
      expect(sha).toBe(createHash('sha1').update(script).digest('hex'));
      expect(await redis.scriptExists(sha, 'f'.repeat(40))).toEqual([1, 0]);
      expect(await redis.evalsha(sha, [k('lua')], ['v2', 1])).toEqual(['v2', 2, null, 'x']);
      await expect(redis.evalsha('0'.repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
      // redis.pcall hands errors back as {err=...}; redis.call raises them.
      const pcall = "local r = redis.pcall('INCR', KEYS[1]); return r['err']";
      await redis.hset(k('luah'), { f: 1 });
      expect(await redis.eval(pcall, [k('luah')], [])).toMatch(/WRONGTYPE/);
      await expect(redis.eval("return redis.call('INCR', KEYS[1])", [k('luah')], [])).rejects.toThrow(/WRONGTYPE/);
      expect(await redis.eval("return redis.status_reply('FINE')", [], [])).toBe('FINE');
    });

    it('accepts scripts starting with the allow-key-locking shebang, keeping the client SHA', async () => {
      const script = `${SHEBANG}return redis.call('INCRBY', KEYS[1], ARGV[1])`;
      const clientSha = createHash('sha1').update(script).digest('hex');
      // First EVALSHA fails like Redis would; the client then falls back to EVAL...
      await expect(redis.evalsha(clientSha, [k('sb')], [2])).rejects.toThrow(/NOSCRIPT/);
      expect(await redis.eval(script, [k('sb')], [2])).toBe(2);
      // ...after which the client's SHA works.
      expect(await redis.evalsha(clientSha, [k('sb')], [3])).toBe(5);
      expect(await redis.scriptLoad(script)).toBe(clientSha);
      expect(await redis.scriptExists(clientSha)).toEqual([1]);
      const tx = redis.multi();
      tx.evalsha(clientSha, [k('sb')], [1]);
      tx.get(k('sb'));
      expect(await tx.exec()).toEqual([6, 6]);
    });

    it('enforces a fixedWindow ratelimit: the (limit+1)th call is rejected', async () => {
      const limiter = new Ratelimit({ redis, limiter: Ratelimit.fixedWindow(3, '1 h'), prefix: k('rl:fixed') });
      const before = Date.now();
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await limiter.limit('client-1'));
      expect(results.map((r) => r.success)).toEqual([true, true, true, false]);
      expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
      for (const r of results) {
        expect(r.limit).toBe(3);
        expect(r.reset).toBeGreaterThan(before);
        expect(r.reset).toBeLessThanOrEqual(Date.now() + 3_600_000);
      }
      expect((await limiter.limit('client-2')).success).toBe(true); // identifiers are independent
      expect((await limiter.getRemaining('client-1')).remaining).toBe(0);
      await limiter.resetUsedTokens('client-1');
      expect((await limiter.limit('client-1')).success).toBe(true);
    });

    it('enforces a slidingWindow ratelimit: the (limit+1)th call is rejected', async () => {
      const limiter = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(3, '1 h'), prefix: k('rl:sliding') });
      const before = Date.now();
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await limiter.limit('client-1'));
      expect(results.map((r) => r.success)).toEqual([true, true, true, false]);
      expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
      for (const r of results) {
        expect(r.reset).toBeGreaterThan(before);
        expect(r.reset).toBeLessThanOrEqual(Date.now() + 3_600_000);
      }
    });

    it('enforces a tokenBucket ratelimit', async () => {
      const limiter = new Ratelimit({ redis, limiter: Ratelimit.tokenBucket(1, '1 h', 2), prefix: k('rl:bucket') });
      const results = [];
      for (let i = 0; i < 3; i++) results.push(await limiter.limit('client-1'));
      expect(results.map((r) => r.success)).toEqual([true, true, false]);
      expect(results.map((r) => r.remaining)).toEqual([1, 0, 0]);
    });
  });
});
