/**
 * Google's OAuth 2.0 for a web server app: the authorization code flow with PKCE (S256), the
 * token exchange, refreshing an access token, and revoking a grant. Pure protocol: where the
 * state is kept, who may connect and where tokens are stored is services/calendar-sync.ts's.
 */
import { base64url } from 'jose';
import { z } from 'zod';
import type { AppConfig } from '../../env';
import { defaultFetch, googleCall, type Fetcher, type GoogleResult } from './http';

/** Write the appointments (events on calendars the barber owns) and read busy times. */
export const GOOGLE_SCOPES = [
  'https://www.googleapis.com/auth/calendar.events.owned',
  'https://www.googleapis.com/auth/calendar.freebusy',
] as const;

export const CALLBACK_PATH = '/api/v1/integrations/google/callback';

export interface GoogleClient {
  clientId: string;
  clientSecret: string;
  oauthUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  apiUrl: string;
  redirectUri: string;
  fetch: Fetcher;
}

/** The configured client, or null when the integration is off (GOOGLE_CLIENT_ID/SECRET unset). */
export function googleClient(config: AppConfig, fetcher: Fetcher = defaultFetch): GoogleClient | null {
  if (!config.GOOGLE_CLIENT_ID || !config.GOOGLE_CLIENT_SECRET) return null;
  // Google's revocation endpoint sits beside its token endpoint (…/token → …/revoke).
  const revokeUrl = new URL('revoke', config.GOOGLE_TOKEN_URL).toString();
  return {
    clientId: config.GOOGLE_CLIENT_ID,
    clientSecret: config.GOOGLE_CLIENT_SECRET,
    oauthUrl: config.GOOGLE_OAUTH_URL.replace(/\/+$/, ''),
    tokenUrl: config.GOOGLE_TOKEN_URL,
    revokeUrl,
    apiUrl: config.GOOGLE_API_URL.replace(/\/+$/, ''),
    redirectUri: new URL(CALLBACK_PATH, config.APP_ORIGIN).toString(),
    fetch: fetcher,
  };
}

const randomToken = (bytes: number) => base64url.encode(crypto.getRandomValues(new Uint8Array(bytes)));

/** RFC 7636: a 43-character verifier (32 random bytes) and its S256 challenge. */
export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = randomToken(32);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return { verifier, challenge: base64url.encode(new Uint8Array(digest)) };
}

/** An unguessable `state` (32 random bytes). */
export const newState = () => randomToken(32);

/** Google's consent page for this barber's grant: offline access (a refresh token), asked every time. */
export function consentUrl(client: GoogleClient, p: { state: string; challenge: string; loginHint?: string }): string {
  const url = new URL(`${client.oauthUrl}/o/oauth2/v2/auth`);
  url.search = new URLSearchParams({
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    response_type: 'code',
    scope: GOOGLE_SCOPES.join(' '),
    access_type: 'offline',
    // Without it, a second consent gives no refresh token.
    prompt: 'consent',
    include_granted_scopes: 'true',
    state: p.state,
    code_challenge: p.challenge,
    code_challenge_method: 'S256',
    ...(p.loginHint ? { login_hint: p.loginHint } : {}),
  }).toString();
  return url.toString();
}

const tokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().int().positive().default(3600),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
  token_type: z.string().optional(),
});

export type TokenSet = z.infer<typeof tokenResponse>;

function tokenRequest(client: GoogleClient, form: Record<string, string>): Promise<GoogleResult<TokenSet>> {
  return googleCall(
    client.fetch,
    client.tokenUrl,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ client_id: client.clientId, client_secret: client.clientSecret, ...form }).toString(),
    },
    (body) => tokenResponse.parse(body),
  );
}

/** The authorization code (with the verifier its challenge was made from) for tokens. */
export function exchangeCode(client: GoogleClient, p: { code: string; verifier: string }): Promise<GoogleResult<TokenSet>> {
  return tokenRequest(client, { grant_type: 'authorization_code', code: p.code, code_verifier: p.verifier, redirect_uri: client.redirectUri });
}

/** A new access token. Google answers 400 invalid_grant once the barber revoked the grant. */
export function refreshAccessToken(client: GoogleClient, refreshToken: string): Promise<GoogleResult<TokenSet>> {
  return tokenRequest(client, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

/** Revokes the grant (a refresh token revokes its access tokens too). Already revoked counts as done. */
export async function revokeToken(client: GoogleClient, token: string): Promise<GoogleResult<null>> {
  const result = await googleCall(
    client.fetch,
    client.revokeUrl,
    { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }).toString() },
    () => null,
  );
  if (!result.ok && result.status === 400 && result.error.includes('invalid_token')) return { ok: true, status: 200, data: null };
  return result;
}
