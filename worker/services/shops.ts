import type { Db } from '../db/client';
import { decodeCursor } from '../db/queries/cursor';
import { listActiveShops, type ShopListItem } from '../db/queries/shops';
import { ApiError } from '../lib/errors';

export type ShopSummary = ShopListItem;

/** Active shops by name, keyset-paginated; one statement. A forged cursor is the caller's 400. */
export async function listShops(
  db: Db,
  options: { q?: string; cursor?: string; limit: number },
): Promise<{ data: ShopSummary[]; next_cursor: string | null }> {
  if (options.cursor && !decodeCursor(options.cursor, 2)) {
    throw new ApiError('validation_failed', 'The cursor is not valid', {
      errors: [{ path: 'query.cursor', message: 'Use next_cursor from a previous page' }],
    });
  }
  const page = await listActiveShops(db, options);
  return { data: page.data, next_cursor: page.nextCursor };
}
