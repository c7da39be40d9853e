import { data } from '@remix-run/cloudflare';
import { MAX_REPORT_DAYS, type Report } from '../../worker/domain/reports';
import { addDays, formatPlainDate, localDate, parsePlainDate } from '../../worker/domain/time';
import { ApiError } from '../../worker/lib/errors';
import type { Services } from '../../worker/services/container';
import { readShopReport } from '../../worker/services/reports';
import type { TableSpec } from '../components/charts/Figure';
import { percentText } from '../lib/charts';
import { formatMoney, formatShortDay } from '../lib/format';
import { visitorLocale } from '../lib/locale.server';
import { office } from './manage._index.server';

export const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export interface Preset {
  label: string;
  from: string;
  to: string;
}

/** The picker's presets, for `today` in the shop's zone: last 7 days, last 30 days, this month. */
export function presets(today: string): Preset[] {
  const t = parsePlainDate(today)!;
  return [
    { label: 'Last 7 days', from: formatPlainDate(addDays(t, -6)), to: today },
    { label: 'Last 30 days', from: formatPlainDate(addDays(t, -29)), to: today },
    { label: 'This month', from: `${today.slice(0, 7)}-01`, to: today },
  ];
}

/** The range the page shows: the query's, or the last 30 days ending today on the shop's clock. */
export function requestedRange(url: URL, today: string): { from: string; to: string } {
  const last30 = presets(today)[1]!;
  const from = url.searchParams.get('from')?.trim() || last30.from;
  const to = url.searchParams.get('to')?.trim() || last30.to;
  return { from, to };
}

/** The service's range problems, in the picker's words. */
export function rangeWords(err: ApiError): string {
  if (/on or after from/.test(err.message)) return 'The end date must be on or after the start date.';
  if (/At most/.test(err.message)) return `A report covers at most ${MAX_REPORT_DAYS} days. Pick a shorter range.`;
  return 'Pick the dates as YYYY-MM-DD.';
}

export interface Metric {
  key: string;
  label: string;
  value: string;
  currency?: string;
}

export interface ChartView {
  id: string;
  title: string;
  label: string;
  table: TableSpec;
}

export interface DashboardPage {
  shopId: string;
  shopName: string;
  from: string;
  to: string;
  periodText: string;
  zone: string;
  presets: Preset[];
  csvHref: string;
  empty: boolean;
  metrics: Metric[];
  /** Short day labels of the range, for the bar charts' axes. */
  dayLabels: string[];
  revenue: (ChartView & { currency: string; captured: number[]; refunded: number[]; fees: number[] })[];
  bookings: ChartView & { bookings: number[]; walkIns: number[] };
  rates: ChartView & { rows: { label: string; value: number; text: string }[] };
  utilisation: ChartView & { rows: { label: string; value: number; text: string }[] };
  heat: ChartView & { weekdays: string[]; hours: number[]; counts: number[][] };
  clients: ChartView & { rows: { label: string; value: number; text: string }[] };
}

/** The dashboard's figures, charts and tables from the report: every number written once, here. */
export function dashboardPage(report: Report, shop: { id: string; name: string }, locale: string, today: string): DashboardPage {
  const day = (d: string) => formatShortDay(d, locale);
  const periodText = report.from === report.to ? day(report.from) : `${day(report.from)} – ${day(report.to)}`;
  const money = (cents: number, c: string) => formatMoney(cents, c, locale);
  const dayRows = report.daily;
  const dayLabels = dayRows.map((d) => d.date.slice(5));
  const booked = report.utilisation.reduce((s, u) => s + u.booked_minutes, 0);
  const working = report.utilisation.reduce((s, u) => s + u.working_minutes, 0);
  const overall = working > 0 ? Math.round((booked / working) * 10_000) / 10_000 : null;
  const { rates } = report;
  const anyMoney = report.totals.revenue.some((r) => r.captured_cents || r.refunded_cents);
  const heatTotal = report.busiest_hours.counts.flat().reduce((s, n) => s + n, 0);
  const empty = report.totals.bookings + report.totals.walk_ins === 0 && rates.eligible === 0 && !anyMoney && heatTotal === 0;

  const metrics: Metric[] = [
    ...report.totals.revenue.map((r) => ({ key: 'revenue_net', label: report.currencies.length > 1 ? `Revenue, net (${r.currency})` : 'Revenue, net', value: money(r.net_cents, r.currency), currency: r.currency })),
    { key: 'bookings', label: 'Bookings', value: String(report.totals.bookings) },
    { key: 'walk_ins', label: 'Walk-ins', value: String(report.totals.walk_ins) },
    { key: 'no_show_rate', label: 'No-show rate', value: percentText(rates.no_show_rate) },
    { key: 'late_cancel_rate', label: 'Late-cancel rate', value: percentText(rates.late_cancel_rate) },
    { key: 'utilisation', label: 'Utilisation', value: percentText(overall) },
  ];

  const revenue = report.currencies.map((currency) => {
    const lines = dayRows.map((d) => d.revenue.find((r) => r.currency === currency)!);
    const total = report.totals.revenue.find((r) => r.currency === currency)!;
    return {
      id: `data-chart-revenue${report.currencies.length > 1 ? `-${currency.toLowerCase()}` : ''}`,
      title: `Revenue by day (${currency})`,
      label: `Revenue by day in ${currency}, ${periodText}: captured ${money(total.captured_cents, currency)}, refunded ${money(total.refunded_cents, currency)}, platform fees ${money(total.platform_fee_cents, currency)}.`,
      currency,
      captured: lines.map((l) => l.captured_cents),
      refunded: lines.map((l) => l.refunded_cents),
      fees: lines.map((l) => l.platform_fee_cents),
      table: {
        caption: `Revenue by day in ${currency}, ${periodText}`,
        columns: ['Day', 'Captured', 'Refunded', 'Platform fees', 'Net'],
        rows: [
          ...dayRows.map((d, i) => ({ head: d.date, cells: [lines[i]!.captured_cents, lines[i]!.refunded_cents, lines[i]!.platform_fee_cents, lines[i]!.net_cents].map((c) => money(c, currency)) })),
          { head: 'Total', cells: [total.captured_cents, total.refunded_cents, total.platform_fee_cents, total.net_cents].map((c) => money(c, currency)) },
        ],
      },
    };
  });

  const rateRows = [
    { label: 'No-shows', value: rates.no_show_rate ?? 0, text: percentText(rates.no_show_rate), count: rates.no_shows },
    { label: 'Late cancels', value: rates.late_cancel_rate ?? 0, text: percentText(rates.late_cancel_rate), count: rates.late_cancels },
  ];
  const utilRows = report.utilisation.map((u) => ({ label: u.name + (u.active ? '' : ' (former)'), value: u.utilisation ?? 0, text: percentText(u.utilisation), u }));
  const clientRows = [
    { label: 'New', value: report.clients.new_clients, text: String(report.clients.new_clients) },
    { label: 'Returning', value: report.clients.returning_clients, text: String(report.clients.returning_clients) },
  ];
  const busiest = report.busiest_hours.counts
    .flatMap((row, wd) => row.map((n, h) => ({ wd, h, n })))
    .sort((a, b) => b.n - a.n || a.wd - b.wd || a.h - b.h)[0];
  const usedHours = Array.from({ length: 24 }, (_, h) => h).filter((h) => report.busiest_hours.counts.some((row) => (row[h] ?? 0) > 0));
  const hours = usedHours.length ? Array.from({ length: usedHours.at(-1)! - usedHours[0]! + 1 }, (_, i) => usedHours[0]! + i) : [];
  const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;

  const q = new URLSearchParams({ from: report.from, to: report.to });
  return {
    shopId: shop.id,
    shopName: shop.name,
    from: report.from,
    to: report.to,
    periodText,
    zone: report.timezone,
    presets: presets(today),
    csvHref: `/manage/${shop.id}/reports.csv?${q}`,
    empty,
    metrics,
    dayLabels,
    revenue,
    bookings: {
      id: 'data-chart-bookings',
      title: 'Bookings and walk-ins by day',
      label: `Bookings and walk-ins by day, ${periodText}: ${report.totals.bookings} bookings, ${report.totals.walk_ins} walk-ins.`,
      bookings: dayRows.map((d) => d.bookings),
      walkIns: dayRows.map((d) => d.walk_ins),
      table: {
        caption: `Bookings and walk-ins by day, ${periodText}`,
        columns: ['Day', 'Bookings', 'Walk-ins'],
        rows: [...dayRows.map((d) => ({ head: d.date, cells: [String(d.bookings), String(d.walk_ins)] })), { head: 'Total', cells: [String(report.totals.bookings), String(report.totals.walk_ins)] }],
      },
    },
    rates: {
      id: 'data-chart-rates',
      title: 'No-show and late-cancel rates',
      label: `No-show rate ${percentText(rates.no_show_rate)}, late-cancel rate ${percentText(rates.late_cancel_rate)}, of ${rates.eligible} appointments that started.`,
      rows: rateRows.map(({ label, value, text }) => ({ label, value, text })),
      table: {
        caption: `No-shows and late cancels among ${rates.eligible} appointments that started, ${periodText}`,
        columns: ['', 'Count', 'Of appointments', 'Rate'],
        rows: rateRows.map((r) => ({ head: r.label, cells: [String(r.count), String(rates.eligible), r.text] })),
      },
    },
    utilisation: {
      id: 'data-chart-utilisation',
      title: 'Utilisation per barber',
      label: `Utilisation per barber, booked minutes over working minutes: ${utilRows.map((r) => `${r.label} ${r.text}`).join(', ') || 'no barbers'}.`,
      rows: utilRows.map(({ label, value, text }) => ({ label, value, text })),
      table: {
        caption: `Booked minutes over working minutes per barber, ${periodText}`,
        columns: ['Barber', 'Booked minutes', 'Working minutes', 'Utilisation'],
        rows: utilRows.map((r) => ({ head: r.label, cells: [String(r.u.booked_minutes), String(r.u.working_minutes), r.text] })),
      },
    },
    heat: {
      id: 'data-chart-hours',
      title: "Busiest hours (the shop's clock)",
      label: busiest && busiest.n > 0 ? `Appointments started by weekday and hour; busiest ${WEEKDAYS[busiest.wd]} ${hh(busiest.h)} with ${busiest.n}.` : 'No appointments started in this period.',
      weekdays: WEEKDAYS,
      hours,
      counts: report.busiest_hours.counts,
      table: {
        caption: `Appointments started by weekday and hour, ${report.timezone}`,
        columns: ['Weekday', ...hours.map(hh)],
        rows: WEEKDAYS.map((w, wd) => ({ head: w, cells: hours.map((h) => String(report.busiest_hours.counts[wd]?.[h] ?? 0)) })),
      },
    },
    clients: {
      id: 'data-chart-clients',
      title: 'New and returning clients',
      label: `${report.clients.new_clients} new and ${report.clients.returning_clients} returning clients, ${periodText}.`,
      rows: clientRows,
      table: {
        caption: `Clients seen, ${periodText}`,
        columns: ['', 'Clients'],
        rows: clientRows.map((r) => ({ head: r.label, cells: [r.text] })),
      },
    },
  };
}

/** Today's date on the shop's clock. */
export function shopToday(timeZone: string, now = new Date()): string {
  return formatPlainDate(localDate(now, timeZone));
}

export async function loadDashboard(services: Services, request: Request, shopId: string | undefined) {
  const o = await office(services, request, shopId);
  if (!o.ok) return data({ page: null, problem: o.problem, status: o.status, picker: null }, { status: o.status, headers: o.headers });
  const url = new URL(request.url);
  const today = shopToday(o.shop.timezone);
  const range = requestedRange(url, today);
  try {
    const report = await readShopReport(services, o.userId, o.shop.id, range);
    return data({ page: dashboardPage(report, o.shop, visitorLocale(request), today), problem: null, status: 200, picker: null }, { headers: o.headers });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const picker = err.code === 'validation_failed' ? { shopId: o.shop.id, from: range.from, to: range.to, presets: presets(today) } : null;
    return data({ page: null, problem: picker ? rangeWords(err) : err.message, status: err.status, picker }, { status: err.status, headers: o.headers });
  }
}

