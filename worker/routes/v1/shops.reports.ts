import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { MAX_REPORT_DAYS } from '../../domain/reports';
import { errorResponses } from '../../lib/errors';
import { currentUser, requireAuth } from '../../middleware/auth';
import { readShopReport, reportCsv } from '../../services/reports';
import type { HonoEnv } from '../../types';
import { IdParams } from './management.schemas';

export const ShopReportQuery = z.object({
  from: z.iso.date().openapi({ description: "First day, in the shop's time zone", example: '2026-11-01' }),
  to: z.iso.date().openapi({ description: `Last day (inclusive), at most ${MAX_REPORT_DAYS} days from \`from\` counting both`, example: '2026-11-30' }),
  format: z.enum(['json', 'csv']).optional().openapi({ description: '`csv`: the daily series as CSV (so does `Accept: text/csv`)' }),
});

const Cents = z.number().int();

export const RevenueLineSchema = z
  .object({
    currency: z.string().openapi({ example: 'USD' }),
    captured_cents: Cents.openapi({ description: 'Charges that succeeded: deposits, prepayments and fees' }),
    refunded_cents: Cents.openapi({ description: 'Refunds that succeeded' }),
    net_cents: Cents.openapi({ description: 'captured − refunded' }),
    platform_fee_cents: Cents.openapi({ description: "The platform's fee on the captured charges" }),
    no_show_fee_cents: Cents.openapi({ description: 'No-show fees collected (part of captured)' }),
    late_cancel_fee_cents: Cents.openapi({ description: 'Late-cancellation fees collected (part of captured)' }),
  })
  .openapi('ReportRevenueLine');

export const ShopReportSchema = z
  .object({
    from: z.iso.date(),
    to: z.iso.date(),
    timezone: z.string().openapi({ example: 'America/New_York' }),
    currencies: z.array(z.string()).openapi({ description: "The shop's currency and any other one money moved in" }),
    daily: z.array(
      z.object({
        date: z.iso.date(),
        bookings: z.number().int().openapi({ description: 'Booked appointments starting this day that did not come in as walk-ins' }),
        walk_ins: z.number().int().openapi({ description: 'Booked appointments starting this day that came in as walk-ins (source walk_in)' }),
        completed: z.number().int(),
        no_shows: z.number().int(),
        late_cancels: z.number().int(),
        new_clients: z.number().int().openapi({ description: 'Clients seen this day whose first booked appointment at the shop ever is this day' }),
        returning_clients: z.number().int().openapi({ description: 'Clients seen this day who had been before' }),
        revenue: z.array(RevenueLineSchema).openapi({ description: 'One line per currency of the report, zeros included' }),
      }),
    ),
    totals: z.object({
      bookings: z.number().int(),
      walk_ins: z.number().int(),
      completed: z.number().int(),
      revenue: z.array(RevenueLineSchema),
    }),
    rates: z.object({
      eligible: z.number().int().openapi({ description: 'The denominator of both rates' }),
      no_shows: z.number().int(),
      late_cancels: z.number().int(),
      no_show_rate: z.number().nullable().openapi({ description: 'no_shows / eligible, 4 decimals; null when eligible is 0', example: 0.1429 }),
      late_cancel_rate: z.number().nullable().openapi({ description: 'late_cancels / eligible, 4 decimals; null when eligible is 0' }),
    }),
    utilisation: z.array(
      z.object({
        barber_id: z.uuid(),
        name: z.string(),
        active: z.boolean(),
        booked_minutes: z.number().int(),
        working_minutes: z.number().int(),
        utilisation: z.number().nullable().openapi({ description: 'booked / working, 4 decimals; null without working time', example: 0.0926 }),
      }),
    ),
    busiest_hours: z.object({
      counts: z
        .array(z.array(z.number().int()).length(24))
        .length(7)
        .openapi({ description: "counts[weekday][hour]: booked appointments started, weekday 0 = Sunday, hour on the shop's clock" }),
    }),
    clients: z.object({
      new_clients: z.number().int().openapi({ description: 'Clients whose first booked appointment at the shop ever is in the range' }),
      returning_clients: z.number().int().openapi({ description: 'Clients seen in the range who had been before it' }),
    }),
  })
  .openapi('ShopReport', {
    example: {
      from: '2026-11-01',
      to: '2026-11-30',
      timezone: 'America/New_York',
      currencies: ['USD'],
      daily: [
        {
          date: '2026-11-01',
          bookings: 4,
          walk_ins: 1,
          completed: 4,
          no_shows: 0,
          late_cancels: 0,
          new_clients: 1,
          returning_clients: 3,
          revenue: [
            {
              currency: 'USD',
              captured_cents: 14000,
              refunded_cents: 0,
              net_cents: 14000,
              platform_fee_cents: 700,
              no_show_fee_cents: 0,
              late_cancel_fee_cents: 0,
            },
          ],
        },
      ],
      totals: {
        bookings: 52,
        walk_ins: 9,
        completed: 47,
        revenue: [
          {
            currency: 'USD',
            captured_cents: 182000,
            refunded_cents: 3500,
            net_cents: 178500,
            platform_fee_cents: 9100,
            no_show_fee_cents: 3000,
            late_cancel_fee_cents: 1000,
          },
        ],
      },
      rates: {
        eligible: 49,
        no_shows: 2,
        late_cancels: 1,
        no_show_rate: 0.0408,
        late_cancel_rate: 0.0204,
      },
      utilisation: [
        {
          barber_id: '5d2e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f',
          name: 'Marco',
          active: true,
          booked_minutes: 1560,
          working_minutes: 8400,
          utilisation: 0.1857,
        },
      ],
      busiest_hours: {
        counts: Array.from({ length: 7 }, (_, weekday) => Array.from({ length: 24 }, (_, hour) => (weekday === 6 && hour >= 10 && hour < 16 ? 3 : 0))),
      },
      clients: { new_clients: 11, returning_clients: 30 },
    },
  });

export const shopReportRoute = createRoute({
  method: 'get',
  path: '/api/v1/shops/{id}/reports',
  tags: ['Reports'],
  operationId: 'getShopReport',
  summary: "How the shop is doing over a range of its days: revenue, bookings and walk-ins, no-shows, utilisation, busiest hours, clients (owner)",
  description: [
    `Owners of the shop and platform staff; a barber of the shop gets 403 (the report carries the shop's money and every barber's utilisation). ` +
      `\`from\` and \`to\` are days in the shop's time zone, both included, at most ${MAX_REPORT_DAYS} days; otherwise 422 \`validation_failed\`.`,
    '',
    '- **Booked** appointments are confirmed, completed or no-show (live holds and unpaid bookings are not bookings yet; cancelled ones are not any more). Days, weekdays and hours are read on the shop\'s clock, so a DST day has its real 23 or 25 hours.',
    '- **Revenue** is dated by when the payment was recorded (as in the payments list), per currency, integer minor units: `captured` = deposits, prepayments and fees that succeeded; `refunded` = refunds that succeeded; the no-show and late-cancel fees are the fee charges among the captured ones; `platform_fee` = the platform\'s application fee on them. A deposit kept on a late cancel is captured, not a fee.',
    '- **Bookings vs walk-ins**: booked appointments by the local day they start, split on how they came in (`source`: `walk_in`, or online/staff/waitlist).',
    '- **Rates**: the denominator (`eligible`) is the appointments that started in the range (start in it and not in the future) and were not cancelled early — booked ones plus late cancels. A **late cancel** is a cancellation by the client inside the shop\'s cancellation window, or one settled with a late fee or a kept deposit. Cancellations by the shop and lapsed holds count in neither.',
    '- **Utilisation** per barber = booked minutes (of booked appointments, the part inside the range) / working minutes (weekly hours minus breaks and time off, on the shop\'s clock). Active barbers, and former ones with bookings in the range.',
    '- **Busiest hours**: booked appointments started, by weekday × hour of the shop\'s clock.',
    '- **Clients**: a client is **new** in the range when their first booked appointment at the shop ever is in it, **returning** when they were seen in the range and had been before. Per day the same, on each day they were seen.',
    '',
    'With `format=csv` (or `Accept: text/csv`) the daily series comes as CSV: one row per day, the counts, then each money column per currency (`captured_cents_usd`, …).',
  ].join('\n'),
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: IdParams, query: ShopReportQuery },
  responses: {
    200: {
      description: 'The report',
      content: {
        'application/json': { schema: ShopReportSchema },
        'text/csv': { schema: z.string().openapi({ example: 'date,bookings,walk_ins,…\r\n2026-11-01,4,1,…\r\n' }) },
      },
    },
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

/** The quality a media range gives `type` in an Accept header (0: not acceptable or not named). */
function quality(accept: string, type: string): number {
  let best = 0;
  let specificity = -1;
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.trim().toLowerCase().split(';');
    const q = Number(params.map((p) => p.trim()).find((p) => p.startsWith('q='))?.slice(2) ?? 1);
    const [major] = type.split('/');
    const s = range === type ? 2 : range === `${major}/*` ? 1 : range === '*/*' ? 0 : -1;
    if (s > specificity && Number.isFinite(q)) {
      specificity = s;
      best = q;
    }
  }
  return best;
}

/** CSV when asked by name, or when the Accept header prefers it to JSON. */
export function wantsCsv(format: 'json' | 'csv' | undefined, accept: string | undefined): boolean {
  if (format) return format === 'csv';
  if (!accept) return false;
  return quality(accept, 'text/csv') > quality(accept, 'application/json');
}

export function registerShopReport(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(shopReportRoute, async (c) => {
    const q = c.req.valid('query');
    const id = c.req.valid('param').id;
    const report = await readShopReport(c.get('services'), currentUser(c).userId, id, q);
    c.header('Cache-Control', 'private, no-store');
    c.header('Vary', 'Accept');
    if (wantsCsv(q.format, c.req.header('accept'))) {
      return c.body(reportCsv(report), 200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="report-${report.from}-${report.to}.csv"`,
      });
    }
    return c.json(report, 200);
  });
}
