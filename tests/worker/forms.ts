/**
 * Pages as a browser without JavaScript uses them: same-origin form posts and plain GETs through
 * the Worker, redirects not followed, the session cookie carried by hand.
 */
import { call, origin } from './harness';

// Per-client limits are shared by every test file in a run; each module instance posts from a
// /48 of its own and each post from an address of its own, so no limit interferes.
const net = Math.floor(Math.random() * 0xffff).toString(16);
let clients = 0;

/** A same-origin form post; `cookieOrHeaders` is the session cookie or extra headers. */
export function postForm(path: string, fields: Record<string, string>, cookieOrHeaders: string | Record<string, string> = {}) {
  const extra = typeof cookieOrHeaders === 'string' ? (cookieOrHeaders ? { cookie: cookieOrHeaders } : {}) : cookieOrHeaders;
  return call(path, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      host: new URL(origin).host,
      origin,
      'cf-connecting-ip': `2001:db8:${net}::${(++clients).toString(16)}`,
      ...extra,
    },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

/** A GET with the session cookie, redirects not followed. */
export const getPage = (path: string, cookie = '', headers: Record<string, string> = {}) =>
  call(path, { headers: { ...(cookie ? { cookie } : {}), ...headers }, redirect: 'manual' });

/** The first cookie a response sets, as a `cookie` request header value. */
export const cookieOf = (res: Response) => res.headers.get('set-cookie')?.split(';')[0] ?? '';
