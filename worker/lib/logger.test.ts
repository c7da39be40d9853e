import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, redact, setLogSink } from './logger';

describe('logger', () => {
  afterEach(() => setLogSink(null));

  it('writes one JSON line with level, message, base fields and a threshold', () => {
    const lines: string[] = [];
    setLogSink((line) => lines.push(line));
    const log = createLogger('info', { request_id: 'r1' });
    log.debug('hidden');
    log.info('shown', { n: 1 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', msg: 'shown', request_id: 'r1', n: 1 });
  });

  it('never writes the bound parameters a query error quotes', () => {
    const lines: string[] = [];
    setLogSink((line) => lines.push(line));
    const cause = new Error('duplicate key value violates unique constraint');
    const err = new Error('Failed query: update users set password_hash = $1 where id = $2\nparams: pbkdf2-sha256$100000$c2FsdA==$aGFzaA==,42', { cause });
    createLogger('info').error('write failed', { err });
    const text = lines.join('\n');
    expect(text).not.toContain('pbkdf2-sha256$100000');
    expect(text).toContain('Failed query: update users set password_hash = $1');
    expect(text).toContain('params: [redacted]');
    expect(text).toContain('duplicate key value');
  });

  it('redacts token-looking path segments, secret query parameters and bearer tokens in every field', () => {
    const lines: string[] = [];
    setLogSink((line) => lines.push(line));
    const token = 'Qm9vay1tZS1pbi10aGUtbG9ncy1wbGVhc2UtMTIzNDU2Nzg';
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    createLogger('debug').info('request', {
      path: `/api/v1/invitations/${token}/accept`,
      url: `https://bookedbarber.test/reset-password?lang=en&token=${token}&x=1`,
      nested: { referer: `/callback?code=${token}&state=s3cr3tState`, list: [`Bearer ${jwt}`] },
      err: new Error(`No route for POST /api/v1/invitations/${token}/accept`),
    });
    const text = lines.join('\n');
    expect(text).not.toContain(token);
    expect(text).not.toContain(jwt);
    expect(text).not.toContain('s3cr3tState');
    const record = JSON.parse(lines[0]!);
    expect(record.path).toBe('/api/v1/invitations/[redacted]/accept');
    expect(record.url).toBe('https://bookedbarber.test/reset-password?lang=en&token=[redacted]&x=1');
  });

  it('keeps ids, slugs and ordinary words readable', () => {
    for (const kept of [
      '/api/v1/barbers/6f1c2a3e-1b2c-4d5e-8f90-123456789abc/working-hours',
      '/s/the-very-best-barber-shop-in-town',
      'GET /api/v1/shops?limit=20&cursor=abc',
      'notification delivered',
    ]) {
      expect(redact(kept)).toBe(kept);
    }
  });
});
