/**
 * One call to a Google endpoint, its outcome as a value: what the sync needs to decide is whether
 * the access token was refused (refresh once), whether trying again later can help (5xx, 429,
 * timeouts, the network) or not (any other 4xx). Error texts name the status and Google's error
 * code only — never a token.
 */
import { parseJson } from '../../lib/json';

export const GOOGLE_TIMEOUT_MS = 10_000;

export type GoogleResult<T> =
  | { ok: true; status: number; data: T }
  | { ok: false; status: number; unauthorized: boolean; retryable: boolean; error: string };

export type Fetcher = (input: string, init: RequestInit) => Promise<Response>;

/** The fetch the client uses: the runtime's, bound, so it can be passed around. */
export const defaultFetch: Fetcher = (input, init) => fetch(input, init);

function errorCode(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const err = (body as { error?: unknown }).error;
  if (typeof err === 'string') return err; // OAuth: {"error": "invalid_grant"}
  if (err && typeof err === 'object') {
    const e = err as { status?: unknown; message?: unknown };
    if (typeof e.status === 'string') return e.status; // API: {"error": {"status": "NOT_FOUND"}}
  }
  return undefined;
}

export async function googleCall<T>(
  fetcher: Fetcher,
  url: string,
  init: RequestInit,
  parse: (body: unknown) => T,
): Promise<GoogleResult<T>> {
  let res: Response;
  try {
    res = await fetcher(url, { ...init, signal: AbortSignal.timeout(GOOGLE_TIMEOUT_MS) });
  } catch (err) {
    const timeout = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    return { ok: false, status: 0, unauthorized: false, retryable: true, error: timeout ? 'google_timeout' : 'google_unreachable' };
  }
  const text = await res.text();
  const body = text ? parseJson(text) : undefined;
  if (res.ok) {
    try {
      return { ok: true, status: res.status, data: parse(body) };
    } catch {
      return { ok: false, status: res.status, unauthorized: false, retryable: false, error: `google_${res.status}_unexpected_body` };
    }
  }
  const code = errorCode(body);
  return {
    ok: false,
    status: res.status,
    unauthorized: res.status === 401,
    retryable: res.status === 429 || res.status >= 500,
    error: `google_${res.status}${code ? `_${code}` : ''}`,
  };
}
