import { describe, expect, it } from 'vitest';
import { manageLinks, signManageToken, verifyManageToken } from './manage-links';

const secret = 'a-session-secret-of-at-least-32-characters';
const id = '3f2b8c1e-0d4a-4c6b-9a7e-5b1f2c3d4e5f';
const later = Date.now() + 3_600_000;

describe('manage link tokens', () => {
  it('verify for their own purpose and appointment, until they expire', async () => {
    const token = await signManageToken(secret, { appointmentId: id, purpose: 'cancel', expiresMs: later });
    const ok = await verifyManageToken(secret, token, 'cancel');
    expect(ok).toMatchObject({ ok: true, claims: { appointmentId: id, purpose: 'cancel', expiresMs: Math.floor(later / 1000) * 1000 } });
    expect(await verifyManageToken(secret, token, 'view')).toEqual({ ok: false, reason: 'wrong_purpose' });
    expect(await verifyManageToken(secret, token, 'cancel', later + 1000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuse a changed payload, a changed signature, another key and junk', async () => {
    const token = await signManageToken(secret, { appointmentId: id, purpose: 'view', expiresMs: later });
    const [body, sig] = token.split('.') as [string, string];
    // The same claims, but for cancelling: re-encoded without the key.
    const forged = btoa(atob(body.replaceAll('-', '+').replaceAll('_', '/')).replace('"view"', '"cancel"'))
      .replaceAll('+', '-')
      .replaceAll('/', '_')
      .replace(/=+$/, '');
    expect(await verifyManageToken(secret, `${forged}.${sig}`, 'cancel')).toEqual({ ok: false, reason: 'bad_signature' });
    const flipped = `${body}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    expect(await verifyManageToken(secret, flipped, 'view')).toEqual({ ok: false, reason: 'bad_signature' });
    expect(await verifyManageToken('another-secret-of-at-least-32-characters!!', token, 'view')).toEqual({ ok: false, reason: 'bad_signature' });
    expect(await verifyManageToken(secret, 'not-a-token', 'view')).toEqual({ ok: false, reason: 'malformed' });
    expect(await verifyManageToken(secret, `${body}.${sig}x`, 'view')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('each link has its own id, and manageLinks gives one absolute /m link per purpose', async () => {
    const a = await signManageToken(secret, { appointmentId: id, purpose: 'cancel', expiresMs: later });
    const b = await signManageToken(secret, { appointmentId: id, purpose: 'cancel', expiresMs: later });
    expect(a).not.toBe(b);
    const links = await manageLinks({ APP_ORIGIN: 'https://bookedbarber.app', SESSION_SECRET: secret }, { id, end_ms: later });
    for (const [purpose, link] of Object.entries(links)) {
      const url = new URL(link);
      expect(url.origin + url.pathname).toBe('https://bookedbarber.app/m');
      const verified = await verifyManageToken(secret, url.searchParams.get('token')!, purpose as 'view');
      expect(verified).toMatchObject({ ok: true, claims: { appointmentId: id, purpose } });
    }
  });
});
