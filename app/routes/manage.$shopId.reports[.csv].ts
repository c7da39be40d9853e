import type { LoaderFunctionArgs } from '@remix-run/cloudflare';
import { ApiError } from '../../worker/lib/errors';
import { readShopReport, reportCsv } from '../../worker/services/reports';
import { requestedRange, shopToday } from './manage.$shopId._index.server';
import { office } from './manage._index.server';

/** `/manage/:shopId/reports.csv?from&to`: the dashboard's daily series, as the API's CSV. */
export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const o = await office(context.services, request, params.shopId);
  const text = (status: number, body: string) => new Response(body, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'private, no-store' } });
  if (!o.ok) return text(o.status, o.problem);
  const range = requestedRange(new URL(request.url), shopToday(o.shop.timezone));
  try {
    const report = await readShopReport(context.services, o.userId, o.shop.id, range);
    return new Response(reportCsv(report), {
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="report-${report.from}-${report.to}.csv"`,
        'Cache-Control': 'private, no-store',
      },
    });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return text(err.status, err.message);
  }
}
