/**
 * One logger: JSON lines, one object per event, always carrying the request id when there is one.
 * Workers Logs / Logpush index these fields, so keep keys stable and values flat where possible.
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
    for (const [k, v] of Object.entries(fields ?? {})) record[k] = k === 'err' ? serialiseError(v) : v;
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
