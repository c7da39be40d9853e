/**
 * The Lua bridge of the in-memory backend: EVAL/EVALSHA/SCRIPT run by a real
 * Lua VM (fengari, Lua 5.3 in JS) made to behave like Redis's Lua 5.1 sandbox,
 * with `redis.call`/`redis.pcall` wired into the store and Redis's reply
 * conversions in both directions.
 */
import { createRequire } from 'node:module';
import { parseInteger, type ExecContext, type ScriptEngine } from './commands.ts';
import { err, OK, RedisError, Status, type Reply } from './reply.ts';
import { sha1, stripShebang } from './shebang.ts';

/** A script running longer than this is aborted, so a bad loop cannot wedge the plane. */
const SCRIPT_TIME_LIMIT_MS = 5_000;

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

function parseEvalArgs(args: string[]): { keys: string[]; argv: string[] } {
  const numKeys = parseInteger(args[0] ?? '');
  if (numKeys < 0) throw new RedisError("ERR Number of keys can't be negative");
  if (numKeys > args.length - 1) throw new RedisError("ERR Number of keys can't be greater than number of args");
  return { keys: args.slice(1, 1 + numKeys), argv: args.slice(1 + numKeys) };
}

export class LuaScripts implements ScriptEngine {
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
