import { describe, expect, it } from 'vitest';
import { escapeHtml, formatMoney, formatWhen, messageLocale } from './format';
import { IncompleteMessageError, renderNotification, TEMPLATES, UnknownTemplateError } from './templates';

const NY = 'America/New_York';
const appointment = (over: Record<string, unknown> = {}) => ({
  appointment_id: '0b9f3c5e-1111-4222-8333-444455556666',
  shop_id: '0b9f3c5e-0000-4222-8333-444455556666',
  barber_name: 'Sam',
  service_name: 'Skin fade',
  client_first_name: 'Clara',
  start_time: '2026-12-07T15:30:00.000Z',
  end_time: '2026-12-07T16:00:00.000Z',
  timezone: NY,
  ...over,
});
const ctx = { locale: 'en', shopName: 'Fade & Co', icsSequence: 2, nowMs: Date.UTC(2026, 11, 1) };

describe('formatting', () => {
  it("writes the shop's wall clock with the zone named", () => {
    expect(formatWhen(Date.parse('2026-12-07T15:30:00Z'), NY)).toBe('Mon 7 Dec, 10:30 (America/New_York)');
    expect(formatWhen(Date.parse('2026-12-07T15:30:00Z'), 'Europe/Berlin')).toBe('Mon 7 Dec, 16:30 (Europe/Berlin)');
  });

  it('keeps 10:30 on the US DST change days (spring forward and fall back)', () => {
    // 2026-03-08: clocks go 02:00 → 03:00 in New York; 10:30 EDT is 14:30Z.
    expect(formatWhen(Date.parse('2026-03-08T14:30:00Z'), NY)).toBe('Sun 8 Mar, 10:30 (America/New_York)');
    // 2026-11-01: clocks go 02:00 → 01:00; 10:30 EST is 15:30Z.
    expect(formatWhen(Date.parse('2026-11-01T15:30:00Z'), NY)).toBe('Sun 1 Nov, 10:30 (America/New_York)');
    const rendered = renderNotification('appointment.confirmed', appointment({ start_time: '2026-03-08T14:30:00Z', end_time: '2026-03-08T15:00:00Z' }), {}, ctx);
    expect(rendered.text).toContain('Sun 8 Mar, 10:30 (America/New_York)');
    expect(rendered.sms).toContain('10:30 (America/New_York)');
  });

  it("uses the recipient's locale when given, English otherwise", () => {
    expect(messageLocale(undefined)).toBe('en');
    expect(messageLocale('not a locale!')).toBe('en');
    expect(messageLocale('fr-FR')).toBe('fr-FR');
    const fr = formatWhen(Date.parse('2026-12-07T15:30:00Z'), NY, 'fr-FR');
    expect(fr).toContain('10:30');
    expect(fr).toMatch(/lun/i);
    expect(fr).toContain('(America/New_York)');
  });

  it('formats money in minor units of its currency, and escapes HTML', () => {
    expect(formatMoney(1250, 'USD')).toBe('US$12.50');
    expect(formatMoney(1250, 'JPY')).toBe('JP¥1,250');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('templates', () => {
  const booking = ['appointment.held', 'appointment.confirmed', 'appointment.rescheduled', 'appointment.cancelled', 'appointment.no_show', 'waitlist.offer', 'payment.refunded', 'appointment.reminder'];

  it('render every booking message as text, HTML and SMS', () => {
    expect(TEMPLATES).toEqual(expect.arrayContaining([...booking, 'verify_email', 'password_reset', 'barber_invitation']));
    for (const template of booking) {
      const r = renderNotification(template, appointment({ hold_expires_at: '2026-12-07T15:40:00Z', previous_start_time: '2026-12-06T15:30:00Z', refund_cents: 500, fee_cents: 500, currency: 'USD' }), {}, ctx);
      expect(r.subject, template).toContain('Fade & Co');
      expect(r.text, template).toContain('Mon 7 Dec, 10:30 (America/New_York)');
      expect(r.html, template).toContain('Mon 7 Dec, 10:30 (America/New_York)');
      expect(r.sms.length, template).toBeLessThanOrEqual(320);
    }
  });

  it('escape every value that reaches HTML', () => {
    const r = renderNotification('appointment.confirmed', appointment({ client_first_name: '<script>alert(1)</script>', service_name: 'Cut "&" shave' }), {}, { ...ctx, shopName: '<b>Evil</b>' });
    expect(r.html).not.toContain('<script>');
    expect(r.html).not.toContain('<b>Evil</b>');
    expect(r.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(r.html).toContain('Cut &quot;&amp;&quot; shave');
    expect(r.html).toContain('<title>&lt;b&gt;Evil&lt;/b&gt;');
  });

  it('attach an .ics with a stable UID and the current sequence to confirmations and reschedules only', () => {
    const confirmed = renderNotification('appointment.confirmed', appointment(), {}, ctx);
    expect(confirmed.attachments).toHaveLength(1);
    const ics = confirmed.attachments[0]!;
    expect(ics.filename).toBe('appointment.ics');
    expect(ics.contentType).toMatch(/^text\/calendar/);
    expect(ics.content).toContain('UID:0b9f3c5e-1111-4222-8333-444455556666@bookedbarber.app\r\n');
    expect(ics.content).toContain('SEQUENCE:2\r\n');
    expect(ics.content).toContain('DTSTART:20261207T153000Z\r\n');
    expect(ics.content).toContain('X-WR-TIMEZONE:America/New_York\r\n');
    const moved = renderNotification('appointment.rescheduled', appointment(), {}, { ...ctx, icsSequence: 3 });
    expect(moved.attachments[0]!.content).toContain('UID:0b9f3c5e-1111-4222-8333-444455556666@bookedbarber.app\r\n');
    expect(moved.attachments[0]!.content).toContain('SEQUENCE:3\r\n');
    expect(renderNotification('appointment.cancelled', appointment(), {}, ctx).attachments).toEqual([]);
    expect(renderNotification('appointment.reminder', appointment(), {}, ctx).attachments).toEqual([]);
  });

  it('say what a cancellation costs or gives back', () => {
    const r = renderNotification('appointment.cancelled', appointment({ fee_cents: 1500, refund_due_cents: 0, currency: 'USD' }), {}, ctx);
    expect(r.text).toContain('US$15.00');
    const refund = renderNotification('appointment.cancelled', appointment({ fee_cents: 0, refund_due_cents: 2000, currency: 'USD' }), {}, ctx);
    expect(refund.text).toContain('US$20.00 will be refunded');
  });

  it('put account links in the text and as an escaped, clickable link in the HTML', () => {
    const link = 'http://127.0.0.1:8787/reset-password?token=abc&x=1';
    const r = renderNotification('password_reset', {}, { link }, { locale: 'en' });
    expect(r.text).toContain(link);
    expect(r.html).toContain('<a href="http://127.0.0.1:8787/reset-password?token=abc&amp;x=1">');
    const invite = renderNotification('barber_invitation', { shop_name: 'Fade & Co', role: 'barber', expires_at: '2026-12-08T00:00:00Z' }, { accept_url: 'http://x.test/invite#t' }, { locale: 'en' });
    expect(invite.subject).toBe('You are invited to join Fade & Co on BookedBarber');
    expect(invite.html).toContain('href="http://x.test/invite#t"');
    expect(renderNotification('verify_email', { first_name: 'Ann' }, { link: 'http://x.test/v' }, { locale: 'en' }).text).toContain('Hi Ann,');
    // A javascript: URL is never a link.
    expect(renderNotification('password_reset', {}, { link: 'javascript:alert(1)' }, { locale: 'en' }).html).not.toContain('href=');
  });

  it('refuse unknown templates and messages missing what they need', () => {
    expect(() => renderNotification('nope', {}, {}, ctx)).toThrow(UnknownTemplateError);
    expect(() => renderNotification('toString', {}, {}, ctx)).toThrow(UnknownTemplateError);
    expect(() => renderNotification('password_reset', {}, {}, ctx)).toThrow(IncompleteMessageError);
    expect(() => renderNotification('appointment.confirmed', { timezone: NY }, {}, ctx)).toThrow(IncompleteMessageError);
  });
});
