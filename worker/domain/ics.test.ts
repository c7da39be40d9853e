import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { foldLine, icsCalendar, icsText, icsUtc, type IcsEvent } from './ics';

const octets = (s: string) => new TextEncoder().encode(s).length;
const unfold = (s: string) => s.replace(/\r\n[ \t]/g, '');

const base: IcsEvent = {
  uid: '0f8e1c52-8f0b-4a59-9d0e-3b1a6a5f9a10@bookedbarber.app',
  sequence: 2,
  startMs: Date.UTC(2027, 2, 13, 15, 0),
  endMs: Date.UTC(2027, 2, 13, 15, 30),
  summary: 'Skin fade — Clara',
  status: 'CONFIRMED',
  stampMs: Date.UTC(2027, 0, 1, 12, 0, 5),
};

/** The one VEVENT of a calendar, read back by ical.js (an independent RFC 5545 parser). */
function parsedEvent(text: string) {
  const cal = new ICAL.Component(ICAL.parse(text));
  const [vevent] = cal.getAllSubcomponents('vevent');
  return { cal, vevent: vevent!, event: new ICAL.Event(vevent!) };
}

describe('icsUtc', () => {
  it('writes the UTC basic form', () => {
    expect(icsUtc(Date.UTC(2026, 11, 7, 15, 4, 9))).toBe('20261207T150409Z');
  });

  it('refuses what is not an instant', () => {
    expect(() => icsUtc(Number.NaN)).toThrow(RangeError);
  });
});

describe('icsText', () => {
  it('escapes backslash, semicolon, comma and every newline form', () => {
    expect(icsText('a\\b;c,d\r\ne\nf\rg')).toBe('a\\\\b\\;c\\,d\\ne\\nf\\ng');
  });

  it('escapes the backslash first, so an escape is never escaped twice', () => {
    expect(icsText('\\n')).toBe('\\\\n');
    expect(icsText('\\,')).toBe('\\\\\\,');
  });

  it('drops the control characters TEXT may not carry, keeps tabs', () => {
    expect(icsText('a\u0000b\u0007c\u001bd\u007fe\tf')).toBe('abcde\tf');
  });

  it('round-trips through ical.js, whatever the text holds', () => {
    const summary = 'Cut; beard, \\ "trim"\nthen wash — Zoë 💈';
    const { event } = parsedEvent(icsCalendar([{ ...base, summary, location: 'Main St. 1, Floor 2; Back\\Door' }]));
    expect(event.summary).toBe(summary);
    expect(event.location).toBe('Main St. 1, Floor 2; Back\\Door');
  });
});

describe('foldLine', () => {
  it('leaves lines of up to 75 octets alone', () => {
    const line = `SUMMARY:${'x'.repeat(67)}`;
    expect(octets(line)).toBe(75);
    expect(foldLine(line)).toBe(line);
  });

  it('folds at 75 octets with CRLF + one space, continuations 74 octets + the space', () => {
    const line = `DESCRIPTION:${'a'.repeat(200)}`;
    const folded = foldLine(line);
    const parts = folded.split('\r\n');
    expect(parts.length).toBe(3);
    expect(octets(parts[0]!)).toBe(75);
    expect(parts[1]!.startsWith(' ')).toBe(true);
    expect(octets(parts[1]!)).toBe(75);
    expect(unfold(folded)).toBe(line);
  });

  it('never splits a multi-byte UTF-8 sequence and never exceeds 75 octets', () => {
    // 2-, 3- and 4-octet characters at every alignment against the 75-octet boundary.
    for (const ch of ['é', '—', '💈', 'ß€𝄞']) {
      for (let prefix = 0; prefix < 8; prefix++) {
        const line = `SUMMARY:${'x'.repeat(prefix)}${ch.repeat(60)}`;
        const folded = foldLine(line);
        for (const part of folded.split('\r\n')) {
          expect(octets(part)).toBeLessThanOrEqual(75);
          expect(part).not.toContain('\uFFFD');
          // Every part is valid UTF-8 on its own: it decodes strictly.
          expect(() => new TextDecoder('utf-8', { fatal: true }).decode(new TextEncoder().encode(part))).not.toThrow();
        }
        expect(unfold(folded)).toBe(line);
      }
    }
  });

  it('keeps long multi-byte text intact through ical.js', () => {
    const description = 'Färbung und Schnitt — 理髪店で 💈 '.repeat(12);
    const text = icsCalendar([{ ...base, description }]);
    expect(text.split('\r\n').every((l) => octets(l) <= 75)).toBe(true);
    expect(parsedEvent(text).event.description).toBe(description);
  });
});

describe('icsCalendar', () => {
  it('terminates every line with CRLF and has no bare LF or CR', () => {
    const text = icsCalendar([{ ...base, description: 'one\ntwo\r\nthree' }], { name: 'Chair 1', timeZone: 'America/New_York' });
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('writes the calendar properties and an event ical.js reads back exactly', () => {
    const text = icsCalendar([{ ...base, url: 'https://bookedbarber.app/a/1' }], {
      name: 'Sam, Chair; 1',
      timeZone: 'America/New_York',
      refreshMinutes: 5,
    });
    const { cal, vevent, event } = parsedEvent(text);
    expect(cal.getFirstPropertyValue('version')).toBe('2.0');
    expect(cal.getFirstPropertyValue('method')).toBe('PUBLISH');
    // ical.js keeps X- properties as raw (unknown-type) values: the name arrives TEXT-escaped.
    expect(cal.getFirstPropertyValue('x-wr-calname')).toBe('Sam\\, Chair\\; 1');
    expect(cal.getFirstPropertyValue('x-wr-timezone')).toBe('America/New_York');
    expect(String(cal.getFirstPropertyValue('refresh-interval'))).toBe('PT5M');
    expect(event.uid).toBe(base.uid);
    expect(event.sequence).toBe(2);
    expect(event.startDate.toJSDate().getTime()).toBe(base.startMs);
    expect(event.endDate.toJSDate().getTime()).toBe(base.endMs);
    expect(event.startDate.zone?.tzid).toBe('UTC');
    expect(vevent.getFirstPropertyValue('status')).toBe('CONFIRMED');
    expect(vevent.getFirstPropertyValue('dtstamp')?.toString()).toBe('2027-01-01T12:00:05Z');
    expect(vevent.getFirstPropertyValue('url')).toBe('https://bookedbarber.app/a/1');
  });

  it('writes TENTATIVE and CANCELLED, and a sequence that is never negative or NaN', () => {
    const text = icsCalendar([
      { ...base, uid: 'a@x', status: 'TENTATIVE', sequence: -3 },
      { ...base, uid: 'b@x', status: 'CANCELLED', sequence: Number.NaN },
    ]);
    const cal = new ICAL.Component(ICAL.parse(text));
    const [a, b] = cal.getAllSubcomponents('vevent');
    expect(a!.getFirstPropertyValue('status')).toBe('TENTATIVE');
    expect(a!.getFirstPropertyValue('sequence')).toBe(0);
    expect(b!.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(b!.getFirstPropertyValue('sequence')).toBe(0);
  });

  it('cannot be made to inject a property through a URL or the zone', () => {
    const text = icsCalendar([{ ...base, url: 'https://x.test/\r\nSTATUS:CANCELLED' }], { timeZone: 'UTC\r\nMETHOD:CANCEL' });
    const cal = new ICAL.Component(ICAL.parse(text));
    expect(cal.getAllProperties('method')).toHaveLength(1);
    expect(cal.getAllSubcomponents('vevent')[0]!.getAllProperties('status')).toHaveLength(1);
  });

  it('refuses an event that ends before it starts', () => {
    expect(() => icsCalendar([{ ...base, endMs: base.startMs }])).toThrow(RangeError);
  });

  it('an empty feed is still a valid calendar', () => {
    const cal = new ICAL.Component(ICAL.parse(icsCalendar([])));
    expect(cal.name).toBe('vcalendar');
    expect(cal.getAllSubcomponents('vevent')).toHaveLength(0);
  });
});
