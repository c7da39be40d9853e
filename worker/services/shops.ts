import type { Db } from '../db/client';
import { listActiveShops, type ShopListItem } from '../db/queries/shops';
import { readCursor } from './pagination';

export type ShopSummary = ShopListItem;

/** Active shops by name, keyset-paginated; one statement. A forged cursor is the caller's 400. */
export async function listShops(
  db: Db,
  options: { q?: string; cursor?: string; limit: number },
): Promise<{ data: ShopSummary[]; next_cursor: string | null }> {
  readCursor(options.cursor, 2);
  const page = await listActiveShops(db, options);
  return { data: page.data, next_cursor: page.nextCursor };
}
