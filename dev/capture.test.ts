import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCapture, type CaptureServer, type CapturedRequest } from './capture.ts';

describe('capture server', () => {
  let capture: CaptureServer;
  beforeAll(async () => {
    capture = await startCapture();
  });
  afterAll(() => capture.close());

  const captured = async (match: string) =>
    (await (await fetch(`${capture.url}/_capture/requests?match=${encodeURIComponent(match)}`)).json()) as CapturedRequest[];

  it('accepts Mail Send and Messages requests as the providers do, and records them as sent', async () => {
    const mail = await fetch(`${capture.url}/v3/mail/send`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: '{"to":"a@x.test"}' });
    expect(mail.status).toBe(202);
    expect(mail.headers.get('x-message-id')).toMatch(/^capture-/);
    const sms = await fetch(`${capture.url}/2010-04-01/Accounts/AC1/Messages.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'To=%2B15550001111&Body=hi',
    });
    expect(sms.status).toBe(201);
    expect(((await sms.json()) as { sid: string }).sid).toMatch(/^SM/);
    expect(await captured('a@x.test')).toEqual([{ method: 'POST', path: '/v3/mail/send', headers: expect.objectContaining({ authorization: 'Bearer k' }), body: '{"to":"a@x.test"}' }]);
    // Form values are matched decoded.
    expect(await captured('+15550001111')).toHaveLength(1);
  });

  it('answers scripted responses in order, then the default (or the last again when sticky)', async () => {
    const script = (body: unknown) => fetch(`${capture.url}/_capture/script`, { method: 'POST', body: JSON.stringify(body) });
    await script({ match: 'once@x.test', responses: [{ status: 500 }, { status: 429 }] });
    await script({ match: 'always@x.test', responses: [{ status: 503 }], sticky: true });
    const send = (to: string) => fetch(`${capture.url}/v3/mail/send`, { method: 'POST', body: JSON.stringify({ to }) }).then((r) => r.status);
    expect([await send('once@x.test'), await send('once@x.test'), await send('once@x.test')]).toEqual([500, 429, 202]);
    expect([await send('always@x.test'), await send('always@x.test')]).toEqual([503, 503]);
  });
});
