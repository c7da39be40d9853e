/**
 * One logger: JSON lines, one object per event, always carrying the request id when there is one.
 * Workers Logs / Logpush index these fields, so keep keys stable and values flat where possible.
 * Every field value passes through `redact`: secrets belong in request bodies and headers, never
 * in URLs, but a URL that carries one anyway is logged without it.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogSink = (line: string, level: LogLevel) => void;

const consoleSink: LogSink = (line, level) => {
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
};

let sink: LogSink = consoleSink;

/** Tests capture log output through this (and restore the console sink afterwards). */
export function setLogSink(next: LogSink | null): void {
  sink = next ?? consoleSink;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/**
 * Query errors quote their bound parameters (drizzle: "Failed query: …\nparams: …"), which can be
 * password hashes or ciphertext: keep the query, drop the parameters, here and in the stack.
 */
function withoutParams(text: string): string {
  return text.replace(/\nparams: [\s\S]*?(?=\n {4}at |$)/, '\nparams: [redacted]');
}

// ---- redaction: defence in depth, so a secret that reaches a log line is not usable there ----

const REDACTED = '[redacted]';
/** Query (or form/fragment) parameters whose values are credentials, whatever the route. */
const SECRET_PARAM =
  /((?:^|[?&#;])(?:token|code|state|secret|password|passwd|key|api_key|apikey|sig|signature|access_token|refresh_token|id_token|client_secret|session|auth)=)[^&#\s"']*/gi;
/** A path segment that looks like an opaque token: long base64url with both letter cases. */
const PATH_SEGMENT = /(?<=\/)[A-Za-z0-9_-]{20,}(?=[/?#\s"']|$)/g;
const JWT = /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi;

function tokenLike(segment: string): boolean {
  // Slugs and UUIDs are lower case; 256-bit base64url tokens have both cases all but surely.
  return /[a-z]/.test(segment) && /[A-Z]/.test(segment);
}

/** Removes token-looking path segments, secret query parameters and bearer tokens from text. */
export function redact(text: string): string {
  return text
    .replace(JWT, REDACTED)
    .replace(BEARER, `$1${REDACTED}`)
    .replace(SECRET_PARAM, `$1${REDACTED}`)
    .replace(PATH_SEGMENT, (segment) => (tokenLike(segment) ? REDACTED : segment));
}

function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  if (value instanceof Date) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, depth + 1)]));
}

function serialiseError(err: unknown): unknown {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? { name: err.cause.name, message: withoutParams(err.cause.message) } : undefined;
    return {
      name: err.name,
      message: withoutParams(err.message),
      ...(cause ? { cause } : {}),
      stack: err.stack ? withoutParams(err.stack).split('\n').slice(0, 6).join('\n') : undefined,
    };
  }
  return err;
}

export function createLogger(level: LogLevel = 'info', base: Record<string, unknown> = {}): Logger {
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (rank[lvl] < rank[level]) return;
    const record: Record<string, unknown> = { level: lvl, time: new Date().toISOString(), msg, ...base };
    for (const [k, v] of Object.entries(fields ?? {})) record[k] = redactValue(k === 'err' ? serialiseError(v) : v);
    sink(JSON.stringify(record), lvl);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }),
  };
}
