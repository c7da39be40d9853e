/**
 * Local stand-in for Upstash's Redis REST API (DESIGN.md §6), speaking what
 * `@upstash/redis` 1.x sends. Entry point only; each concern has its file:
 *  - upstash/http.ts      the REST protocol: `/`, `/pipeline`, `/multi-exec`,
 *                         bearer auth, `Upstash-Encoding: base64`;
 *  - upstash/backends.ts  memory vs real Redis (ioredis), incl. the script
 *                         rewriting Redis 7.0 needs;
 *  - upstash/commands.ts  the in-memory command implementations and table,
 *                         over upstash/store.ts (keys, types, TTLs);
 *  - upstash/lua.ts       EVAL/EVALSHA on a real Lua VM (fengari) wired into
 *                         the store, so the `@upstash/ratelimit` scripts run;
 *  - upstash/shebang.ts   the allow-key-locking shebang and client SHAs;
 *  - upstash/reply.ts     the reply model and Redis error texts.
 */
export { startUpstashRest, type UpstashRestOptions, type UpstashRestServer } from './upstash/http.ts';
