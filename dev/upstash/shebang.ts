/**
 * `@upstash/ratelimit` scripts begin with `#!lua flags=allow-key-locking`, a
 * shebang Redis 7.0 (and Lua itself) rejects. Both backends run the script body
 * without it while answering to the SHA of the text the client sent.
 */
import { createHash } from 'node:crypto';

export function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** Redis 7.0 does not know `#!lua flags=...` variants Upstash uses; run the body. */
export function stripShebang(script: string): string {
  if (!script.startsWith('#!')) return script;
  const nl = script.indexOf('\n');
  // Keep a blank first line so Lua error line numbers still match the source.
  return nl === -1 ? '' : script.slice(nl);
}
