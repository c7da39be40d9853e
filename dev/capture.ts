/**
 * The notification providers' stand-in for tests: answers SendGrid's Mail Send and Twilio's
 * Messages API the way they answer an accepted message (202 + X-Message-Id; 201 + a message SID),
 * records every request exactly as it arrived (method, path, headers, body), and lets a test
 * script the answers for requests that mention a string (its unique recipient) — "500 twice,
 * then accept", "always 500", "400 21211".
 *
 *   POST /_capture/script    {"match": "…", "responses": [{"status": 500}, …], "sticky": false}
 *                            answered in order; then the default answer, or the last one again if sticky
 *   GET  /_capture/requests?match=…   the recorded requests mentioning it (path, decoded form or raw body)
 *
 * Started by scripts/test.ts beside the data plane; worker tests get its URL as BB_CAPTURE_URL.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { closeServer, listen, readBody } from './http.ts';

export interface CapturedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface ScriptedResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Script {
  match: string;
  responses: ScriptedResponse[];
  sticky: boolean;
}

export interface CaptureServer {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 2 * 1024 * 1024;

/** What a request "mentions": its path, its raw body, and its form values decoded. */
function haystack(r: CapturedRequest): string {
  let decoded = '';
  if ((r.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
    decoded = [...new URLSearchParams(r.body).values()].join('\n');
  }
  return `${r.path}\n${r.body}\n${decoded}`;
}

function defaultResponse(r: CapturedRequest): ScriptedResponse {
  if (r.method === 'POST' && r.path === '/v3/mail/send') {
    return { status: 202, headers: { 'x-message-id': `capture-${randomBytes(8).toString('hex')}` } };
  }
  if (r.method === 'POST' && /^\/2010-04-01\/Accounts\/[^/]+\/Messages\.json$/.test(r.path)) {
    return { status: 201, body: { sid: `SM${randomBytes(16).toString('hex')}`, status: 'queued' } };
  }
  // Google Calendar's event writes, answered as Google would for a healthy calendar, so a sync the
  // queue runs on its own (before or without a script) gets the answer a test would script.
  const events = /^\/calendar\/v3\/calendars\/[^/]+\/events(?:\/([^/]+))?$/.exec(r.path);
  if (events) {
    if (r.method === 'DELETE') return { status: 204 };
    const sent = (() => {
      try {
        return JSON.parse(r.body) as { id?: unknown };
      } catch {
        return {};
      }
    })();
    const id = events[1] ? decodeURIComponent(events[1]) : typeof sent.id === 'string' ? sent.id : `evt${randomBytes(8).toString('hex')}`;
    if (r.method === 'POST' || r.method === 'PATCH') return { status: 200, body: { kind: 'calendar#event', id, status: 'confirmed' } };
  }
  return { status: 404, body: { message: 'not a provider endpoint the capture server knows' } };
}

function reply(res: ServerResponse, answer: ScriptedResponse): void {
  const body = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  res.writeHead(answer.status, { ...(body ? { 'content-type': 'application/json' } : {}), ...answer.headers });
  res.end(body);
}

export async function startCapture(opts: { host?: string; port?: number } = {}): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  const scripts: Script[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://capture');
    const body = (await readBody(req, MAX_BODY)).toString('utf8');
    if (url.pathname === '/_capture/script' && req.method === 'POST') {
      const parsed = JSON.parse(body) as Partial<Script>;
      if (typeof parsed.match !== 'string' || !parsed.match || !Array.isArray(parsed.responses)) {
        reply(res, { status: 400, body: { error: 'match and responses are required' } });
        return;
      }
      scripts.push({ match: parsed.match, responses: [...parsed.responses], sticky: parsed.sticky === true });
      reply(res, { status: 204 });
      return;
    }
    if (url.pathname === '/_capture/requests' && req.method === 'GET') {
      const match = url.searchParams.get('match') ?? '';
      reply(res, { status: 200, body: requests.filter((r) => haystack(r).includes(match)) });
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : (value ?? '');
    const captured: CapturedRequest = { method: req.method ?? 'GET', path: url.pathname, headers, body };
    requests.push(captured);
    const text = haystack(captured);
    const script = scripts.find((s) => text.includes(s.match));
    let answer: ScriptedResponse | undefined;
    if (script) answer = script.responses.length > 1 || !script.sticky ? script.responses.shift() : script.responses[0];
    reply(res, answer ?? defaultResponse(captured));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) reply(res, { status: 500, body: { error: String(err) } });
      else res.end();
    });
  });
  const address = await listen(server, opts.port ?? 0, opts.host ?? '127.0.0.1');
  return { url: `http://${address.address}:${address.port}`, close: () => closeServer(server) };
}
