/**
 * The shop report (`GET /shops/{id}/reports`, and the back office's dashboard through the load
 * context): owners of the shop and platform staff read it. Barbers get 403 like every other
 * money screen of the shop — the report carries the shop's revenue and every colleague's
 * utilisation, and a barber's own day is on their schedule.
 *
 * One Neon request: the statement checks the caller's standing and counts in the same go
 * (db/queries/reports.ts); working minutes come from the rows it returns (domain/reports.ts).
 */
import { shopReport } from '../db/queries/reports';
import { assembleReport, dailyCsv, reportRange, type Report } from '../domain/reports';
import { ApiError } from '../lib/errors';
import type { Services } from './container';

/** Validates the range (422 validation_failed, naming the field) and reads the report. */
export async function readShopReport(services: Pick<Services, 'db'>, actorId: string, shopId: string, range: { from: string; to: string }): Promise<Report> {
  const days = reportRange(range.from, range.to);
  if ('errors' in days) throw new ApiError('validation_failed', days.errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors: days.errors });
  const answer = await shopReport(services.db, { shopId, userId: actorId, from: range.from, to: range.to });
  // Same decision as every shop route (services/management/access.ts): platform staff learn
  // that a shop does not exist; anyone else is refused without learning whether it does.
  if (answer.isAdmin && !answer.found) throw new ApiError('not_found', 'No such shop');
  if (!answer.shop || !answer.rows) throw new ApiError('forbidden', 'This requires the owner role in the shop');
  return assembleReport({ rows: answer.rows, timeZone: answer.shop.timezone, shopCurrency: answer.shop.currency, from: days.from, to: days.to });
}

/** The daily series as CSV (the dashboard's export). */
export function reportCsv(report: Report): string {
  return dailyCsv(report);
}
