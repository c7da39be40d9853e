/**
 * The reply model shared by both backends and the HTTP layer: what a command
 * can answer (bulk strings, integers, nil, statuses, errors, arrays) and the
 * Redis error texts the in-memory store reproduces.
 */

/** A RESP simple-string reply (`+OK`), distinct from a bulk string. */
export class Status {
  constructor(readonly value: string) {}
}

/** A RESP error reply; thrown by commands, or nested inside script replies. */
export class RedisError extends Error {}

export type Reply = string | number | null | Status | RedisError | Reply[];

export const OK = new Status('OK');

export const err = {
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
export type Outcome = { result: Reply } | { error: string };

/** Runs one command, turning a thrown or returned error into `{error}`. */
export function outcome(fn: () => Reply): Outcome {
  try {
    const result = fn();
    if (result instanceof RedisError) return { error: result.message };
    return { result };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}
