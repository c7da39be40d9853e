import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { decodeCursor, encodeCursor } from '../lib/cursor';

export type ShopSummary = {
  id: string;
  slug: string;
  name: string;
  timezone: string;
  currency: string;
};

const cursorShape = z.tuple([z.string(), z.string()]);

/** Active shops by name, keyset-paginated on (lower(name), id); one statement. */
export async function listShops(
  db: Db,
  options: { q?: string; cursor?: string; limit: number },
): Promise<{ data: ShopSummary[]; next_cursor: string | null }> {
  const after = options.cursor ? decodeCursor(options.cursor, cursorShape) : undefined;
  const pattern = options.q ? `%${options.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%` : undefined;
  const result = await db.execute<ShopSummary & { sort_name: string }>(sql`
    SELECT id, slug, name, timezone, currency, lower(name) AS sort_name
      FROM shops
     WHERE active
       ${pattern ? sql`AND name ILIKE ${pattern}` : sql``}
       ${after ? sql`AND (lower(name), id) > (${after[0]}, ${after[1]}::uuid)` : sql``}
     ORDER BY lower(name), id
     LIMIT ${options.limit + 1}`);
  const rows = result.rows.slice(0, options.limit);
  const last = rows.at(-1);
  return {
    data: rows.map(({ id, slug, name, timezone, currency }) => ({ id, slug, name, timezone, currency: currency.trim() })),
    next_cursor: result.rows.length > options.limit && last ? encodeCursor([last.sort_name, last.id]) : null,
  };
}
