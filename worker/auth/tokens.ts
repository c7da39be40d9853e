/** Opaque tokens (refresh, password reset, e-mail verification) and how they are stored. */
import { base64url } from 'jose';

export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 60 * 60 * 1000;
export const PASSWORD_RESET_TTL_MS = 30 * 60 * 1000;
export const EMAIL_VERIFY_TTL_MS = 48 * 60 * 60 * 1000;

/** 256 random bits, base64url: unguessable, so a plain SHA-256 is enough to store it. */
export function newOpaqueToken(): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
}

/** The shape newOpaqueToken produces: 43 base64url characters (checked before any lookup). */
export const OPAQUE_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
