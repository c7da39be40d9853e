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

  it("say how far ahead a reminder is: the 24 h and the 2 h one differ, in the e-mail and the SMS", () => {
    const day = renderNotification('appointment.reminder', appointment({ lead: '24h' }), {}, ctx);
    const soon = renderNotification('appointment.reminder', appointment({ lead: '2h' }), {}, ctx);
    expect(day.subject).toBe('Fade & Co: your appointment is within 24 hours — Mon 7 Dec, 10:30 (America/New_York)');
    expect(day.text).toContain('your appointment is within the next 24 hours');
    expect(day.sms).toContain('within the next 24 hours');
    expect(soon.subject).toContain('within 2 hours');
    expect(soon.text).toContain('within the next 2 hours');
    expect(soon.sms).toContain('within the next 2 hours');
    expect(soon.text).not.toContain('24 hours');
    // Both still name the time on the shop's clock.
    for (const r of [day, soon]) expect(r.sms).toContain('10:30 (America/New_York)');
    // A lead it does not know (or none) falls back to the plain reminder, never to a prototype key.
    expect(renderNotification('appointment.reminder', appointment({ lead: 'toString' }), {}, ctx).subject).toBe('Fade & Co: reminder — Mon 7 Dec, 10:30 (America/New_York)');
  });

  it("write an invitation's expiry on the shop's clock with the zone named, not in UTC", () => {
    const data = { shop_name: 'Fade & Co', role: 'barber', expires_at: '2026-12-08T03:30:00Z' };
    const secrets = { accept_url: 'http://x.test/invite#t' };
    const ny = renderNotification('barber_invitation', data, secrets, { locale: 'en', timeZone: NY });
    // 03:30Z on the 8th is 22:30 on the 7th in New York.
    expect(ny.text).toContain('valid until Mon 7 Dec, 22:30 (America/New_York)');
    expect(ny.text).not.toContain('(UTC)');
    // The message's own zone, when it carries one, wins.
    const london = renderNotification('barber_invitation', { ...data, timezone: 'Europe/London' }, secrets, { locale: 'en', timeZone: NY });
    expect(london.text).toContain('valid until Tue 8 Dec, 03:30 (Europe/London)');
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
