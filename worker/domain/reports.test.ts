import { describe, expect, it } from 'vitest';
import { assembleReport, csvField, dailyCsv, daysOf, rate, reportRange, utilisation, workingMinutes, type ReportRows } from './reports';
import { parsePlainDate } from './time';

const day = (s: string) => parsePlainDate(s)!;
const at = (iso: string) => Date.parse(iso);
const weekdays = (start: number, end: number) => [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, startMinute: start, endMinute: end }));

describe('reportRange', () => {
  it('takes one day up to 366 days, inclusive both ends', () => {
    expect(reportRange('2026-03-01', '2026-03-01')).toEqual({ from: day('2026-03-01'), to: day('2026-03-01') });
    expect(reportRange('2024-01-01', '2024-12-31')).toEqual({ from: day('2024-01-01'), to: day('2024-12-31') });
  });

  it('names what is wrong: unreal dates, to before from, more than 366 days', () => {
    expect(reportRange('2026-02-30', 'x')).toEqual({
      errors: [
        { path: 'query.from', message: 'Not a calendar date (YYYY-MM-DD)' },
        { path: 'query.to', message: 'Not a calendar date (YYYY-MM-DD)' },
      ],
    });
    expect(reportRange('2026-03-02', '2026-03-01')).toEqual({ errors: [{ path: 'query.to', message: 'Must be on or after from' }] });
    expect(reportRange('2024-01-01', '2025-01-01')).toEqual({ errors: [{ path: 'query.to', message: 'At most 366 days from from, inclusive' }] });
  });
});

describe('rates', () => {
  it('rounds to four decimals and has no rate without a denominator', () => {
    expect(rate(1, 7)).toBe(0.1429);
    expect(rate(2, 3)).toBe(0.6667);
    expect(rate(0, 5)).toBe(0);
    expect(rate(0, 0)).toBeNull();
    expect(utilisation(150, 1620)).toBe(0.0926);
    expect(utilisation(30, 0)).toBeNull();
  });
});

describe('workingMinutes', () => {
  it('counts breaks out and time off only where it falls in working time, once', () => {
    // Monday 2026-01-05, London (UTC+0 in January): 09:00-12:00 and 13:00-17:00 = 420 minutes.
    const rules = [
      { weekday: 1, startMinute: 540, endMinute: 720 },
      { weekday: 1, startMinute: 780, endMinute: 1020 },
    ];
    const base = { timeZone: 'Europe/London', rules, from: day('2026-01-05'), to: day('2026-01-05') };
    expect(workingMinutes({ ...base, timeOff: [] })).toBe(420);
    // 11:30-13:30 covers 30 working minutes before the break and 30 after; the 10:00-11:45 block
    // overlaps it (counted once): 10:00-12:00 and 13:00-13:30 = 150 minutes off.
    expect(
      workingMinutes({
        ...base,
        timeOff: [
          { start: at('2026-01-05T11:30:00Z'), end: at('2026-01-05T13:30:00Z') },
          { start: at('2026-01-05T10:00:00Z'), end: at('2026-01-05T11:45:00Z') },
          // The day before: not in the range.
          { start: at('2026-01-04T09:00:00Z'), end: at('2026-01-04T17:00:00Z') },
        ],
      }),
    ).toBe(270);
  });

  it('reads the wall clock across DST: 00:00-04:00 is five hours on fall-back day, three on spring-forward day', () => {
    const rules = [{ weekday: 0, startMinute: 0, endMinute: 240 }];
    expect(workingMinutes({ timeZone: 'America/New_York', rules, timeOff: [], from: day('2025-11-02'), to: day('2025-11-02') })).toBe(300);
    expect(workingMinutes({ timeZone: 'America/New_York', rules, timeOff: [], from: day('2026-03-08'), to: day('2026-03-08') })).toBe(180);
    // An ordinary Sunday is four hours.
    expect(workingMinutes({ timeZone: 'America/New_York', rules, timeOff: [], from: day('2025-11-09'), to: day('2025-11-09') })).toBe(240);
  });

  it('covers exactly the local days asked for', () => {
    // Every day 09:00-17:00 for a week of Tokyo days: 7 × 480.
    expect(workingMinutes({ timeZone: 'Asia/Tokyo', rules: weekdays(540, 1020), timeOff: [], from: day('2026-06-01'), to: day('2026-06-07') })).toBe(3360);
  });
});

const rows = (over: Partial<ReportRows> = {}): ReportRows => ({
  days: [],
  revenue: [],
  rates: { eligible: 0, no_shows: 0, late_cancels: 0 },
  heat: [],
  barbers: [],
  client_days: [],
  clients: { new_clients: 0, returning_clients: 0 },
  ...over,
});

describe('assembleReport', () => {
  it('gives every day and every currency a line, zeros where nothing happened, and totals them', () => {
    const report = assembleReport({
      rows: rows({
        days: [{ day: '2026-01-06', bookings: 2, walk_ins: 1, completed: 2, no_shows: 1, late_cancels: 0 }],
        revenue: [
          { day: '2026-01-05', currency: 'USD', captured_cents: 3000, refunded_cents: 500, platform_fee_cents: 150, no_show_fee_cents: 0, late_cancel_fee_cents: 0 },
          { day: '2026-01-06', currency: 'EUR', captured_cents: 1000, refunded_cents: 0, platform_fee_cents: 50, no_show_fee_cents: 1000, late_cancel_fee_cents: 0 },
          { day: '2026-01-06', currency: 'USD', captured_cents: 700, refunded_cents: 0, platform_fee_cents: 35, no_show_fee_cents: 0, late_cancel_fee_cents: 700 },
        ],
        rates: { eligible: 3, no_shows: 1, late_cancels: 0 },
        heat: [{ weekday: 2, hour: 9, appointments: 3 }],
        client_days: [{ day: '2026-01-06', new_clients: 1, returning_clients: 1 }],
        clients: { new_clients: 1, returning_clients: 1 },
      }),
      timeZone: 'America/New_York',
      shopCurrency: 'USD',
      from: day('2026-01-05'),
      to: day('2026-01-07'),
    });
    expect(report.currencies).toEqual(['EUR', 'USD']);
    expect(report.daily.map((d) => [d.date, d.bookings, d.walk_ins, d.new_clients, d.revenue.map((r) => [r.currency, r.captured_cents, r.net_cents])])).toEqual([
      ['2026-01-05', 0, 0, 0, [['EUR', 0, 0], ['USD', 3000, 2500]]],
      ['2026-01-06', 2, 1, 1, [['EUR', 1000, 1000], ['USD', 700, 700]]],
      ['2026-01-07', 0, 0, 0, [['EUR', 0, 0], ['USD', 0, 0]]],
    ]);
    expect(report.totals).toEqual({
      bookings: 2,
      walk_ins: 1,
      completed: 2,
      revenue: [
        { currency: 'EUR', captured_cents: 1000, refunded_cents: 0, net_cents: 1000, platform_fee_cents: 50, no_show_fee_cents: 1000, late_cancel_fee_cents: 0 },
        { currency: 'USD', captured_cents: 3700, refunded_cents: 500, net_cents: 3200, platform_fee_cents: 185, no_show_fee_cents: 0, late_cancel_fee_cents: 700 },
      ],
    });
    expect(report.rates).toEqual({ eligible: 3, no_shows: 1, late_cancels: 0, no_show_rate: 0.3333, late_cancel_rate: 0 });
    expect(report.busiest_hours.counts).toHaveLength(7);
    expect(report.busiest_hours.counts.every((r) => r.length === 24)).toBe(true);
    expect(report.busiest_hours.counts[2]![9]).toBe(3);
    expect(report.busiest_hours.counts.flat().reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('works out each barber\'s utilisation from the rules and time off it was given', () => {
    const report = assembleReport({
      rows: rows({
        barbers: [
          { id: 'b', name: 'Zed', active: true, booked_minutes: 240, rules: weekdays(540, 1020), time_off: [] },
          {
            id: 'a',
            name: 'Ann',
            active: false,
            booked_minutes: 90,
            rules: weekdays(540, 720),
            time_off: [{ start: at('2026-01-05T14:00:00Z'), end: at('2026-01-05T15:00:00Z') }],
          },
        ],
      }),
      timeZone: 'America/New_York',
      shopCurrency: 'USD',
      from: day('2026-01-05'),
      to: day('2026-01-05'),
    });
    // Ann: 09:00-12:00 = 180, minus 09:00-10:00 off (14:00Z in EST) = 120; 90/120. Zed: 240/480.
    expect(report.utilisation).toEqual([
      { barber_id: 'a', name: 'Ann', active: false, booked_minutes: 90, working_minutes: 120, utilisation: 0.75 },
      { barber_id: 'b', name: 'Zed', active: true, booked_minutes: 240, working_minutes: 480, utilisation: 0.5 },
    ]);
  });
});

describe('CSV', () => {
  it('quotes what needs quoting and defuses spreadsheet formulas', () => {
    expect(csvField(12)).toBe('12');
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('-1')).toBe("'-1");
    expect(csvField(-1)).toBe('-1');
  });

  it('renders the daily series with one set of money columns per currency', () => {
    const report = assembleReport({
      rows: rows({
        days: [{ day: '2026-01-05', bookings: 3, walk_ins: 1, completed: 2, no_shows: 1, late_cancels: 1 }],
        revenue: [{ day: '2026-01-06', currency: 'USD', captured_cents: 1500, refunded_cents: 2000, platform_fee_cents: 75, no_show_fee_cents: 0, late_cancel_fee_cents: 1500 }],
        client_days: [{ day: '2026-01-05', new_clients: 2, returning_clients: 1 }],
      }),
      timeZone: 'America/New_York',
      shopCurrency: 'USD',
      from: day('2026-01-05'),
      to: day('2026-01-06'),
    });
    expect(dailyCsv(report)).toBe(
      [
        'date,bookings,walk_ins,completed,no_shows,late_cancels,new_clients,returning_clients,captured_cents_usd,refunded_cents_usd,net_cents_usd,platform_fee_cents_usd,no_show_fee_cents_usd,late_cancel_fee_cents_usd',
        '2026-01-05,3,1,2,1,1,2,1,0,0,0,0,0,0',
        '2026-01-06,0,0,0,0,0,0,0,1500,2000,-500,75,0,1500',
        '',
      ].join('\r\n'),
    );
  });

  it('lists the days of a range across a year end', () => {
    expect(daysOf(day('2025-12-30'), day('2026-01-02'))).toEqual(['2025-12-30', '2025-12-31', '2026-01-01', '2026-01-02']);
  });
});
