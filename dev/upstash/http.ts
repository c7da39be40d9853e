/**
 * The REST protocol (DESIGN.md §6): POST `/` with one command as a JSON array,
 * POST `/pipeline` and `/multi-exec` with an array of commands,
 * `Authorization: Bearer <token>`, and `Upstash-Encoding: base64` (every string
 * of the reply base64-encoded, except the status `OK`, which the client passes
 * through untouched). Replies are `{result}` / `{error}`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { closeServer, debugFor, listen, PayloadTooLarge, readBody, sendJson } from '../http.ts';
import { openBackend, type Backend } from './backends.ts';
import { RedisError, Status, type Outcome, type Reply } from './reply.ts';

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
  const backend = await openBackend(opts.redisUrl);
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
