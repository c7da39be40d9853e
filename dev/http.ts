/**
 * HTTP plumbing shared by the local dev servers (neon-http, upstash-rest,
 * stripe-standin): listen/close, a size-capped body reader, JSON replies and
 * DEBUG_PLANE-gated logging. Each server keeps its own routes and limits.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Resolves with the bound address, so callers can ask for port 0 and learn the real one. */
export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolveListen, reject) => {
    // Only a failure to bind rejects; later 'error' events are not ours to swallow.
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolveListen(server.address() as AddressInfo);
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolveClose) => {
    server.close(() => resolveClose());
    server.closeAllConnections(); // keep-alive sockets would otherwise hold close() open
  });
}

/** Thrown by readBody when the body is over the caller's limit; servers answer 413. */
export class PayloadTooLarge extends Error {}

/**
 * Reads the whole body, refusing more than `maxBytes` without buffering it:
 * a too-large Content-Length is rejected up front, and a body that grows past
 * the limit (chunked, or lying about its length) is drained and dropped.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > maxBytes) {
      reject(new PayloadTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new PayloadTooLarge());
        req.resume(); // drain without keeping the bytes
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Writes a JSON reply with an exact content-length; a no-op once headers went out. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Returns a logger to stderr tagged `[prefix]`. DEBUG_PLANE is read on every
 * call (not once at import) so tests and the plane can toggle it at runtime.
 */
export function debugFor(prefix: string): (...args: unknown[]) => void {
  const tag = `[${prefix}]`;
  return (...args: unknown[]): void => {
    if (process.env.DEBUG_PLANE) console.error(tag, ...args);
  };
}
