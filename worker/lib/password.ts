/**
 * Password hashing on WebCrypto: PBKDF2-HMAC-SHA256 with a 16-byte random salt. Workers have no
 * native bcrypt/argon2 and a pure-JS bcrypt at a useful cost burns most of a request's CPU budget;
 * PBKDF2 runs natively in the runtime. Stored as `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`
 * so the parameters can be raised later and old hashes rehashed on login.
 */
export const PBKDF2_ITERATIONS = 100_000;
const KEY_BITS = 256;

function toB64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromB64(text: string): Uint8Array<ArrayBuffer> {
  const bin = atob(text);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, KEY_BITS);
  return new Uint8Array(bits);
}

export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(new ArrayBuffer(16)));
  const hash = await derive(password, salt, iterations);
  return `pbkdf2-sha256$${iterations}$${toB64(salt)}$${toB64(hash)}`;
}

/** Constant-time comparison of the derived bytes; false for any malformed stored value. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iter, salt, expected] = stored.split('$');
  if (scheme !== 'pbkdf2-sha256' || !iter || !salt || !expected) return false;
  const iterations = Number(iter);
  if (!Number.isInteger(iterations) || iterations < 1) return false;
  const actual = await derive(password, fromB64(salt), iterations);
  const want = fromB64(expected);
  if (actual.length !== want.length) return false;
  let diff = 0;
  for (let i = 0; i < actual.length; i++) diff |= actual[i]! ^ want[i]!;
  return diff === 0;
}

export function needsRehash(stored: string): boolean {
  const [scheme, iter] = stored.split('$');
  return scheme !== 'pbkdf2-sha256' || Number(iter) !== PBKDF2_ITERATIONS;
}
