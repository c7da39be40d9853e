/**
 * Field-level encryption for personal data at rest (phone numbers, OAuth tokens).
 *
 * AES-256-GCM via WebCrypto (`crypto.subtle`), so the same code runs in workerd and Node 22.
 * Keys come from a keyring string `kid:base64key,kid:base64key` — FIRST = NEWEST. New values are
 * always encrypted with the newest key; older keys stay in the ring only to decrypt, so a key is
 * rotated by prepending a new one, re-encrypting at leisure, then dropping the old one.
 *
 * Token format: `v1.<kid>.<iv base64url>.<ciphertext+tag base64url>`. The `v1.<kid>` header is
 * bound as GCM additional data, so editing the kid (or version) of a token fails authentication
 * just like editing the ciphertext does.
 */

import { base64url } from 'jose';
import { createLogger } from './logger';

const VERSION = 'v1';
const IV_BYTES = 12; // 96-bit nonce: the size GCM is designed for.
const KEY_BYTES = 32; // AES-256
const KID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export type FieldCryptoErrorCode = 'bad_keyring' | 'malformed' | 'unknown_kid' | 'tampered';

export class FieldCryptoError extends Error {
  override readonly name = 'FieldCryptoError';
  constructor(
    readonly code: FieldCryptoErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface Keyring {
  /** kid used for new encryptions. */
  readonly currentKid: string;
  readonly keys: ReadonlyMap<string, CryptoKey>;
}

/**
 * A parsed and validated FIELD_ENCRYPTION_KEYS (worker/env.ts builds it once per isolate): key ids
 * in order, newest first, and the key material, imported into WebCrypto on first use. Printing or
 * serialising it shows the key ids only.
 */
export class FieldKeyring {
  readonly currentKid: string;
  readonly kids: readonly string[];
  readonly #material: ReadonlyMap<string, Uint8Array<ArrayBuffer>>;
  #imported: Promise<Keyring> | undefined;

  constructor(material: ReadonlyMap<string, Uint8Array<ArrayBuffer>>) {
    const kids = [...material.keys()];
    if (kids.length === 0) throw new FieldCryptoError('bad_keyring', 'keyring is empty');
    this.kids = kids;
    this.currentKid = kids[0]!;
    this.#material = material;
  }

  /** The WebCrypto keys, imported once. */
  keys(): Promise<Keyring> {
    this.#imported ??= (async () => {
      const keys = new Map<string, CryptoKey>();
      for (const [kid, raw] of this.#material) {
        keys.set(kid, await crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']));
      }
      return { currentKid: this.currentKid, keys };
    })();
    return this.#imported;
  }

  toJSON(): { currentKid: string; kids: readonly string[] } {
    return { currentKid: this.currentKid, kids: this.kids };
  }

  toString(): string {
    return `FieldKeyring(${this.kids.join(', ')})`;
  }
}

/** What the encrypt/decrypt functions accept: the env's parsed keyring, imported keys, or text. */
export type KeyringInput = FieldKeyring | Keyring | string;

/**
 * Parses `k2:base64,k1:base64` synchronously (standard or url-safe base64, spaces allowed), checking
 * key ids (unique, `[A-Za-z0-9_-]{1,32}`) and that every key is 32 bytes. Errors name entries by
 * position and valid key ids only: never key material.
 */
export function parseFieldKeyring(text: string): FieldKeyring {
  const entries = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (entries.length === 0) throw new FieldCryptoError('bad_keyring', 'keyring is empty');
  const material = new Map<string, Uint8Array<ArrayBuffer>>();
  entries.forEach((entry, index) => {
    const sep = entry.indexOf(':');
    const kid = sep > 0 ? entry.slice(0, sep) : '';
    if (!KID_PATTERN.test(kid)) {
      throw new FieldCryptoError(
        'bad_keyring',
        `entry ${index + 1} has no valid key id: expected "kid:base64key" with kid matching ${KID_PATTERN.source}`,
      );
    }
    if (material.has(kid)) throw new FieldCryptoError('bad_keyring', `duplicate key id "${kid}"`);
    let raw: Uint8Array<ArrayBuffer>;
    try {
      raw = base64ToBytes(entry.slice(sep + 1));
    } catch {
      throw new FieldCryptoError('bad_keyring', `key "${kid}" is not valid base64`);
    }
    if (raw.length !== KEY_BYTES) {
      throw new FieldCryptoError('bad_keyring', `key "${kid}" must be ${KEY_BYTES} bytes, got ${raw.length}`);
    }
    material.set(kid, raw);
  });
  return new FieldKeyring(material);
}

// Importing keys costs a few hundred microseconds; callers that still pass the keyring string
// (scripts, tests) see the same value repeatedly, so parsed keyrings are memoised by it.
const keyringCache = new Map<string, FieldKeyring>();

/** Parses and imports a keyring string (see parseFieldKeyring); memoised by value. */
export async function parseKeyring(keyring: string): Promise<Keyring> {
  let ring = keyringCache.get(keyring);
  if (!ring) {
    ring = parseFieldKeyring(keyring);
    keyringCache.set(keyring, ring);
  }
  return ring.keys();
}

async function resolve(keyring: KeyringInput): Promise<Keyring> {
  if (typeof keyring === 'string') return parseKeyring(keyring);
  // By shape, not class: the Remix server build bundles its own copy of this module, while the
  // config (and so the FieldKeyring) comes from the Worker's.
  return typeof keyring.keys === 'function' ? keyring.keys() : (keyring as Keyring);
}

/** Encrypts with the newest key. Every call uses a fresh random IV. */
export async function encryptField(plain: string, keyring: KeyringInput): Promise<string> {
  const ring = await resolve(keyring);
  const key = ring.keys.get(ring.currentKid) as CryptoKey;
  const header = `${VERSION}.${ring.currentKid}`;
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: utf8(header) },
    key,
    utf8(plain),
  );
  return `${header}.${base64url.encode(iv)}.${base64url.encode(new Uint8Array(ciphertext))}`;
}

/** Decrypts with the key named in the token; throws FieldCryptoError on any problem. */
export async function decryptField(token: string, keyring: KeyringInput): Promise<string> {
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) {
    throw new FieldCryptoError('malformed', 'not a v1 encrypted field');
  }
  const [version, kid, ivPart, ctPart] = parts as [string, string, string, string];
  const ring = await resolve(keyring);
  const key = ring.keys.get(kid);
  if (!key) {
    throw new FieldCryptoError(
      'unknown_kid',
      `encrypted with key "${kid}", which is not in the keyring (have: ${[...ring.keys.keys()].join(', ')})`,
    );
  }
  let iv: Uint8Array<ArrayBuffer>;
  let ciphertext: Uint8Array<ArrayBuffer>;
  try {
    iv = base64UrlToBytes(ivPart);
    ciphertext = base64UrlToBytes(ctPart);
  } catch {
    throw new FieldCryptoError('malformed', 'encrypted field is not valid base64url');
  }
  if (iv.length !== IV_BYTES) throw new FieldCryptoError('malformed', 'bad IV length');
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv, additionalData: utf8(`${version}.${kid}`) },
      key,
      ciphertext,
    );
    return new TextDecoder().decode(plain);
  } catch {
    throw new FieldCryptoError('tampered', 'encrypted field failed authentication (tampered or wrong key)');
  }
}

/** The kid a token was encrypted with (for finding rows a rotation still has to re-encrypt). */
export function fieldKeyId(token: string): string | null {
  const parts = token.split('.');
  return parts.length === 4 && parts[0] === VERSION ? (parts[1] ?? null) : null;
}

/** Re-encrypts with the newest key when the token uses an older one; otherwise returns it. */
export async function reencryptField(token: string, keyring: KeyringInput): Promise<string> {
  const ring = await resolve(keyring);
  if (fieldKeyId(token) === ring.currentKid) return token;
  return encryptField(await decryptField(token, ring), ring);
}

/** A new random key entry for the keyring, e.g. for `k3:<this>`. */
export function generateFieldKey(): string {
  return bytesToBase64(crypto.getRandomValues(new Uint8Array(KEY_BYTES)));
}

// ---- phone helpers -------------------------------------------------------------------------

/** Digits only: "+1 (212) 555-0134" → "12125550134". What gets encrypted and compared. */
export function normalizePhone(input: string): string {
  return input.replace(/\D+/g, '');
}

/**
 * Whether two phone numbers (digits only) are the same line: equal, or equal but for a country
 * code one of them carries ("2125550100" and "12125550100"). The shorter must still be a whole
 * national number (9+ digits), so "5550100" never matches.
 */
export function samePhone(a: string, b: string): boolean {
  if (a === b) return a.length > 0;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return short.length >= 9 && long.length - short.length <= 3 && long.endsWith(short);
}

/** The plaintext search key stored beside the ciphertext (see users.phone_last4). */
export function phoneLast4(input: string): string | null {
  const digits = normalizePhone(input);
  return digits.length === 0 ? null : digits.slice(-4);
}

/**
 * Reads `users.phone_enc`. A value this keyring cannot read — encrypted under a key id that has
 * been dropped from FIELD_ENCRYPTION_KEYS, or damaged — is not worth failing a sign-in over: the
 * phone reads as absent (the user can enter it again) and a warning names the key id, so the
 * operator can restore the key or re-encrypt. Other errors propagate.
 */
export async function decryptPhone(
  token: string,
  keyring: KeyringInput,
  logger: { warn(msg: string, fields?: Record<string, unknown>): void } = fallbackLogger,
): Promise<string | null> {
  try {
    return await decryptField(token, keyring);
  } catch (err) {
    if (!(err instanceof FieldCryptoError)) throw err;
    logger.warn('encrypted field unreadable', { field: 'users.phone_enc', kid: fieldKeyId(token), reason: err.code });
    return null;
  }
}

const fallbackLogger = createLogger('warn');

/** Encrypts a phone for the users table: `{ phoneEnc, phoneLast4 }`, both null for no phone. */
export async function encryptPhone(
  input: string | null | undefined,
  keyring: KeyringInput,
): Promise<{ phoneEnc: string | null; phoneLast4: string | null }> {
  const digits = input ? normalizePhone(input) : '';
  if (digits.length === 0) return { phoneEnc: null, phoneLast4: null };
  return { phoneEnc: await encryptField(digits, keyring), phoneLast4: digits.slice(-4) };
}

// ---- encoding (web-standard only: btoa/atob/TextEncoder) ----------------------------------

function utf8(s: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(s);
}

function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const normal = b64.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(normal.padEnd(normal.length + ((4 - (normal.length % 4)) % 4), '='));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Strict: the unpadded url-safe alphabet only, as encryptField writes it. */
function base64UrlToBytes(s: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new Error('not base64url');
  return new Uint8Array(base64url.decode(s));
}
