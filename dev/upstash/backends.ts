/**
 * The two backends behind the REST endpoint:
 *  - memory: the command table (commands.ts) over an in-memory store, scripts
 *    run by the Lua bridge (lua.ts);
 *  - redis: commands forwarded over ioredis. Scripts are sent without the
 *    allow-key-locking shebang Redis 7.0 rejects, and the client's SHA (of the
 *    text it sent) is mapped to the server's SHA (of the stripped text).
 */
import { Redis, Command } from 'ioredis';
import { debugFor } from '../http.ts';
import { checkArity, COMMANDS, type CommandSpec, type ExecContext } from './commands.ts';
import { LuaScripts } from './lua.ts';
import { err, outcome, RedisError, type Outcome, type Reply } from './reply.ts';
import { sha1, stripShebang } from './shebang.ts';
import { MemoryStore } from './store.ts';

const debug = debugFor('upstash-rest');

export interface Backend {
  kind: 'memory' | 'redis';
  exec(argv: string[]): Promise<Reply>;
  /** Runs all commands atomically; a queue-time error aborts the whole block. */
  multi(cmds: string[][]): Promise<Outcome[]>;
  close(): Promise<void>;
}

export class MemoryBackend implements Backend {
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

export class RedisBackend implements Backend {
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

/** A real Redis when a URL is given, otherwise the in-memory store. */
export async function openBackend(redisUrl?: string): Promise<Backend> {
  return redisUrl ? RedisBackend.connect(redisUrl) : new MemoryBackend();
}
