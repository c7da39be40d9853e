import { describe, expect, it } from 'vitest';
import { dayInZone, formatCountdown, formatDay, formatDuration, formatMoney, formatTime, safeLocale, validTimeZone } from './format';
import { visitorLocale } from './locale.server';

describe('format', () => {
  it('writes money in the currency’s minor units and the locale’s style', () => {
    expect(formatMoney(3050, 'USD')).toBe('$30.50');
    expect(formatMoney(2500, 'JPY')).toBe('¥2,500');
    expect(formatMoney(500, 'GBP', 'en-GB')).toBe('£5.00');
    expect(formatMoney(3050, 'EUR', 'de-DE')).toBe('30,50\u00a0€');
  });

  it('writes durations with h/min symbols in the locale’s digits', () => {
    expect(formatDuration(45)).toBe('45 min');
    expect(formatDuration(60)).toBe('1 h');
    expect(formatDuration(75)).toBe('1 h 15 min');
    expect(formatDuration(30, 'ar-EG')).toBe('٣٠ min');
  });

  it('shows an instant on the named zone’s clock, whatever the machine’s zone', () => {
    const at = '2026-12-07T14:30:00.000Z';
    // ICU builds differ in the space before AM (U+0020 or U+202F).
    expect(formatTime(at, 'America/New_York')).toMatch(/^9:30[ \u202f]AM$/u);
    expect(formatTime(at, 'Europe/London', 'en-GB')).toBe('14:30');
    expect(dayInZone('2026-12-08T03:00:00Z', 'America/New_York')).toBe('2026-12-07');
    expect(dayInZone('2026-12-08T03:00:00Z', 'Europe/London')).toBe('2026-12-08');
    expect(formatDay('2026-12-07')).toBe('Monday, December 7, 2026');
  });

  it('counts down in m:ss and never below zero', () => {
    expect(formatCountdown(600_000)).toBe('10:00');
    expect(formatCountdown(61_500)).toBe('1:02');
    expect(formatCountdown(-5)).toBe('0:00');
  });

  it('accepts only locales and zones Intl knows', () => {
    expect(safeLocale('en-gb')).toBe('en-GB');
    expect(safeLocale('not a locale!')).toBe('en');
    expect(validTimeZone('Europe/Lisbon')).toBe('Europe/Lisbon');
    expect(validTimeZone('Mars/Olympus')).toBeNull();
  });

  it('takes the visitor’s locale from Accept-Language by weight', () => {
    const req = (v?: string) => new Request('http://x/', v ? { headers: { 'accept-language': v } } : {});
    expect(visitorLocale(req())).toBe('en');
    expect(visitorLocale(req('de-DE,de;q=0.9,en;q=0.8'))).toBe('de-DE');
    expect(visitorLocale(req('fr;q=0.5, pt-BR'))).toBe('pt-BR');
    expect(visitorLocale(req('*'))).toBe('en');
    expect(visitorLocale(req('x-klingon-ish;q=1, en-GB;q=0.1'))).toBe('en-GB');
  });
});
