/**
 * Manage links: the signed links in booking messages that let a client view, reschedule or cancel
 * an appointment without signing in.
 *
 * A token is `<payload>.<signature>`, both base64url. The payload is JSON
 * `{ v: 1, a: appointment id, p: purpose, x: expiry (epoch seconds), j: random id }`; the
 * signature is HMAC-SHA256 over the payload text under a key derived (HKDF-SHA256, its own label)
 * from SESSION_SECRET, so no new secret is needed and a session cookie's MAC can never pass for a
 * link's or the other way round.
 *
 * What a token proves: the holder was sent this link for this appointment, for this one purpose,
 * and it has not expired (it expires at the appointment's end at the latest). Whether the
 * appointment still allows it (not cancelled, not over; a cancel link not used yet) is the
 * service's question — see worker/services/manage-links.ts.
 */
import { base64url as jose64 } from 'jose';
import type { AppConfig } from '../env';
import { parseJson } from '../lib/json';

/** `walk_in`: a walk-in's status link (see and leave the queue; services/walk-ins.ts), never a manage page. */
export const MANAGE_PURPOSES = ['view', 'reschedule', 'cancel', 'walk_in'] as const;
export type ManagePurpose = (typeof MANAGE_PURPOSES)[number];

/** Purposes that can be used once only (their `j` is recorded in manage_link_uses when used). */
export const SINGLE_USE: ReadonlySet<ManagePurpose> = new Set(['cancel']);

export interface ManageClaims {
  appointmentId: string;
  purpose: ManagePurpose;
  /** Epoch milliseconds after which the link is dead. */
  expiresMs: number;
  /** The token's own id: what a single-use purpose records. */
  jti: string;
}

/** Why a token was refused before looking at the appointment. */
export type VerifyFailure = 'malformed' | 'bad_signature' | 'expired' | 'wrong_purpose';
export type VerifyResult = { ok: true; claims: ManageClaims } | { ok: false; reason: VerifyFailure };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Loose outer shape: two base64url parts, bounded, so junk is refused before any crypto. */
export const MANAGE_TOKEN_PATTERN = /^[A-Za-z0-9_-]{20,400}\.[A-Za-z0-9_-]{43}$/;

const HKDF_INFO = 'bookedbarber/manage-links/v1';
const keys = new Map<string, Promise<CryptoKey>>();

/** The HMAC key for manage links, derived once per isolate from SESSION_SECRET. */
function signingKey(sessionSecret: string): Promise<CryptoKey> {
  let key = keys.get(sessionSecret);
  if (!key) {
    key = (async () => {
      const base = await crypto.subtle.importKey('raw', utf8(sessionSecret), 'HKDF', false, ['deriveKey']);
      return crypto.subtle.deriveKey(
        { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: utf8(HKDF_INFO) },
        base,
        { name: 'HMAC', hash: 'SHA-256', length: 256 },
        false,
        ['sign', 'verify'],
      );
    })();
    keys.set(sessionSecret, key);
  }
  return key;
}

/** Signs a link for one purpose of one appointment, expiring at `expiresMs` (whole seconds, rounded down). */
export async function signManageToken(
  sessionSecret: string,
  claims: { appointmentId: string; purpose: ManagePurpose; expiresMs: number; jti?: string },
): Promise<string> {
  const payload = JSON.stringify({
    v: 1,
    a: claims.appointmentId,
    p: claims.purpose,
    x: Math.floor(claims.expiresMs / 1000),
    j: claims.jti ?? base64url(crypto.getRandomValues(new Uint8Array(16))),
  });
  const body = base64url(utf8(payload));
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', await signingKey(sessionSecret), utf8(body)));
  return `${body}.${base64url(sig)}`;
}

/**
 * Checks a token's signature (constant time: WebCrypto's verify), shape, expiry and purpose.
 * `purpose` is what the caller is about to do; a link for anything else is refused.
 */
export async function verifyManageToken(
  sessionSecret: string,
  token: string,
  purpose: ManagePurpose | ManagePurpose[],
  nowMs = Date.now(),
): Promise<VerifyResult> {
  if (!MANAGE_TOKEN_PATTERN.test(token)) return { ok: false, reason: 'malformed' };
  const [body, sigText] = token.split('.') as [string, string];
  const sig = fromBase64url(sigText);
  if (!sig) return { ok: false, reason: 'malformed' };
  const valid = await crypto.subtle.verify('HMAC', await signingKey(sessionSecret), sig, utf8(body));
  if (!valid) return { ok: false, reason: 'bad_signature' };
  const claims = parseClaims(body);
  // Signed by us but not a shape we issue (another version): as good as tampered.
  if (!claims) return { ok: false, reason: 'malformed' };
  if (nowMs >= claims.expiresMs) return { ok: false, reason: 'expired' };
  const allowed = Array.isArray(purpose) ? purpose : [purpose];
  if (!allowed.includes(claims.purpose)) return { ok: false, reason: 'wrong_purpose' };
  return { ok: true, claims };
}

function parseClaims(body: string): ManageClaims | null {
  const bytes = fromBase64url(body);
  if (!bytes) return null;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  const raw = parseJson(text);
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (r.v !== 1 || typeof r.a !== 'string' || !UUID.test(r.a)) return null;
  if (typeof r.p !== 'string' || !(MANAGE_PURPOSES as readonly string[]).includes(r.p)) return null;
  if (typeof r.x !== 'number' || !Number.isSafeInteger(r.x)) return null;
  if (typeof r.j !== 'string' || !/^[A-Za-z0-9_-]{16,64}$/.test(r.j)) return null;
  return { appointmentId: r.a.toLowerCase(), purpose: r.p as ManagePurpose, expiresMs: r.x * 1000, jti: r.j };
}

/** The page every manage link opens: `/m?token=…` (see app/routes/m.tsx for why a query). */
export function manageUrl(appOrigin: string, token: string): string {
  const url = new URL('/m', appOrigin);
  url.searchParams.set('token', token);
  return url.toString();
}

/**
 * The three links for a booking message, absolute on APP_ORIGIN, each expiring at the
 * appointment's end. Call at send time (the consumer renders them into the e-mail): a reschedule
 * moves the end, and the new message carries new links.
 */
export async function manageLinks(
  config: Pick<AppConfig, 'APP_ORIGIN' | 'SESSION_SECRET'>,
  appointment: { id: string; end_ms: number },
): Promise<{ view: string; reschedule: string; cancel: string }> {
  const sign = async (purpose: ManagePurpose) =>
    manageUrl(config.APP_ORIGIN, await signManageToken(config.SESSION_SECRET, { appointmentId: appointment.id, purpose, expiresMs: appointment.end_ms }));
  const [view, reschedule, cancel] = await Promise.all([sign('view'), sign('reschedule'), sign('cancel')]);
  return { view, reschedule, cancel };
}

// ---- encoding ------------------------------------------------------------------------------

function utf8(s: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(s);
}

function base64url(bytes: Uint8Array): string {
  return jose64.encode(bytes);
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  try {
    return jose64.decode(text) as Uint8Array<ArrayBuffer>;
  } catch {
    return null;
  }
}
